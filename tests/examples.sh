#!/bin/bash
# examples.sh: every sample config in etc/ loads with tunneld -n, each
# etc/providers/*.conf appended to a minimal hub, with its credentials
# file and (for GCE) a freshly made service-account key in place.
set -eu
: "${TUNNELD:?}" "${TEST_SRCDIR:?}"
ETC="$TEST_SRCDIR/etc"
WORK=$(mktemp -d /tmp/tunneld-examples.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

check() {	# $1 config; prints the result, fails the test on error
	# The samples name a tunneld user and a br-pod bridge this host lacks.
	"$TUNNELD" -n --offline -c "$1" || { echo "FAIL: $1 does not load"; exit 1; }
}

check "$ETC/tunneld.conf"
# hub.conf and spoke.conf encrypt: their PKI, made as hub.conf says.
mkdir -p "$WORK/pki"
for n in "ca $WORK/pki" "node $WORK/pki edge1" "node $WORK/pki aws-web1"; do
	# shellcheck disable=SC2086
	"$TEST_SRCDIR/cli/tunneld-pki" $n >/dev/null
done
for f in hub.conf spoke.conf; do
	sed "s|/etc/tunneld/pki|$WORK/pki|" "$ETC/$f" > "$WORK/$f"
	check "$WORK/$f"
done

# A service-account key as GCE issues it (JSON with a PEM private key).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/k.pem" 2>/dev/null
python3 - "$WORK/k.pem" > "$WORK/gce-key.json" <<'PY'
import json, sys
print(json.dumps({"type": "service_account", "project_id": "my-project",
    "private_key_id": "k1", "private_key": open(sys.argv[1]).read(),
    "client_email": "tunneld@my-project.iam.gserviceaccount.com",
    "token_uri": "https://oauth2.googleapis.com/token"}))
PY
chmod 600 "$WORK/gce-key.json"
grep -v '^;' "$ETC/providers/credentials.example" | grep -v '^$' > "$WORK/cred"
chmod 600 "$WORK/cred"

for f in "$ETC"/providers/*.conf; do
	name=$(basename "$f" .conf)
	{
		printf '[daemon]\nrole = hub\ncontrol-socket = %s/ctl.sock\n' "$WORK"
		printf '[segment pod]\nvni = 100\n'
		sed -e "s|^credentials = .*|credentials = $WORK/cred-$name|" \
		    -e "s|^key-file = .*|key-file = $WORK/gce-key.json|" "$f"
	} > "$WORK/$name.conf"
	# Each provider's secret keys, as its credentials file would hold them.
	case $name in
	openstack) printf 'application-credential-secret = s\n' ;;
	aws) printf 'secret-access-key = s\n' ;;
	cloudstack) printf 'secret-key = s\n' ;;
	azure) printf 'client-secret = s\n' ;;
	*) : ;;
	esac > "$WORK/cred-$name"
	chmod 600 "$WORK/cred-$name"
	out=$(check "$WORK/$name.conf")
	echo "$out"
	case $out in *"1 provider)"*) ;; *) echo "FAIL: $f: no provider"; exit 1 ;; esac
done
# The generic credentials example parses as an OpenStack credentials file.
sed -i "s|^credentials = .*|credentials = $WORK/cred|" "$WORK/openstack.conf"
check "$WORK/openstack.conf" >/dev/null
echo "PASS: every sample config loads"
