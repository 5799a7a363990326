/* drop.c: names of drop reasons. */
#include "drop.h"

static const char *const drop_names[DROP_MAX] = {
	[DROP_NONE] = "none",
	[DROP_TRUNCATED] = "truncated",
	[DROP_BAD_FLAGS] = "bad_flags",
	[DROP_BAD_VERSION] = "bad_version",
	[DROP_BAD_PROTO] = "bad_protocol",
	[DROP_BAD_CHECKSUM] = "bad_checksum",
	[DROP_NO_KEY] = "no_key",
	[DROP_RUNT] = "runt",
	[DROP_OVERSIZE] = "oversize",
	[DROP_UNKNOWN_SOURCE] = "unknown_source",
	[DROP_UNKNOWN_VNI] = "unknown_vni",
	[DROP_NOT_MEMBER] = "not_member",
	[DROP_BAD_SRC_MAC] = "bad_src_mac",
	[DROP_HAIRPIN] = "hairpin",
	[DROP_NO_RELAY] = "no_relay",
	[DROP_FLOOD_LIMIT] = "flood_limit",
	[DROP_TX_ERROR] = "tx_error",
	[DROP_TAP_ERROR] = "tap_error",
	[DROP_RX_OVERFLOW] = "rx_overflow",
	[DROP_BAD_VNET] = "bad_vnet_header",
	[DROP_MAC_MOVE] = "mac_move_refused",
	[DROP_BAD_PROBE] = "bad_probe",
	[DROP_PROBE_LIMIT] = "probe_limit",
	[DROP_UNKNOWN_SPI] = "unknown_spi",
	[DROP_AUTH_FAILED] = "auth_failed",
	[DROP_REPLAY] = "replay",
	[DROP_TOO_OLD] = "too_old",
	[DROP_ESP_MALFORMED] = "esp_malformed",
	[DROP_PEER_RESTARTED] = "peer_restarted",
	[DROP_PLAINTEXT] = "plaintext",
	[DROP_NO_SA] = "no_sa",
	[DROP_NOT_ESP] = "not_esp",
	[DROP_NO_TEST] = "no_test",
};

const char *
drop_name(enum drop_reason r)
{
	if ((unsigned)r >= DROP_MAX || drop_names[r] == 0)
		return "unknown";
	return drop_names[r];
}
