#!/bin/bash
# esp-scapy.sh: tunneld's ESP against scapy's IPsec with fresh keys (issue
# 11).  scapy seals packets with new random keys, SPIs, sequence numbers
# (ESN, several epochs) and payloads for AES-256-GCM and ChaCha20-Poly1305;
# check_esp must open each to its payload and, sealing the payload, make
# scapy's bytes exactly.  The same check runs on the kept vectors
# (tests/data/esp-scapy.txt) in check_esp itself.
set -eu
py=/usr/bin/python3
"$py" -c 'import scapy.layers.ipsec' 2>/dev/null || { echo "SKIP: python3-scapy not installed"; exit 77; }
out=$(mktemp /tmp/esp-scapy.XXXXXX)
trap 'rm -f "$out"' EXIT
"$py" "$TEST_SRCDIR/tests/esp/scapy_vectors.py" > "$out"
[ "$(wc -l < "$out")" -ge 18 ] || { echo "FAIL: scapy made $(wc -l < "$out") vectors"; exit 1; }
ESP_VECTORS=$out ./tests/unit/check_esp || { echo "FAIL: tunneld's ESP and scapy's differ"; head -c 2000 "$out"; exit 1; }
echo "PASS: $(wc -l < "$out") fresh scapy packets opened, and sealed byte for byte alike"
