/*
 * config.h: tunneld's configuration, read from an INI file with iniparser.
 *
 * Sections: [daemon], [segment NAME], [peer NAME], [provider NAME].  Every key
 * is checked against a table with its type and bounds; an unknown section or
 * key, a missing required key or a bad value fails the whole load with
 * "FILE:LINE: [section] key: reason" in *cause (caller frees).
 * See etc/tunneld.conf for every key and its default.
 *
 * A struct config is immutable once loaded; reload builds a new one and
 * compares them.  Control-plane only.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "crypto/esp.h"
#include "ctl_proto.h"
#include "dp/limits.h"
#include "net/addr.h"
#include "net/encap.h"
#include "registry.h"

enum {
	CFG_SECTION_NAME_MAX = 32,  /* names written in sections */
	CFG_NAME_MAX = DP_NAME_MAX, /* peer names: "PROVIDER/INSTANCE" */
	CFG_MAX_PROVIDERS = 16,
	CFG_MAX_SEGMENTS = DP_MAX_SEGMENTS,
	CFG_MAX_PEERS = DP_MAX_PEERS,
	CFG_MAX_THREADS = DP_MAX_THREADS,
	CFG_MAX_BUSY_POLL = 10000, /* microseconds */
	CFG_MAX_PEER_MACS = 16,	   /* macs = of a [peer] */
	CFG_AUTO_MTU_START = 1450, /* mtu = auto, until a path is known */
	CFG_MIN_MTU = 576,	   /* a segment's mtu: */
	CFG_MAX_MTU = 9000,
};

/* tunnelctl and tunneltop hold names as long as the daemon's. */
_Static_assert((int)CFG_NAME_MAX == (int)CTL_NAME_MAX,
    "peer name limits differ");
_Static_assert((int)CFG_SECTION_NAME_MAX == (int)CTL_SEGMENT_MAX,
    "segment name limits differ");

enum role { ROLE_HUB, ROLE_SPOKE };

/* Where a peer's starting path MTU comes from, before probes say. */
enum path_mtu_source { PATH_MTU_NONE, PATH_MTU_CLOUD, PATH_MTU_CONFIG };

/* probe = of a peer: auto (answered once: a tunneld), yes, no. */
enum probe_mode { PROBE_AUTO = 0, PROBE_YES, PROBE_NO };

/* keying = of an encrypted peer. */
enum keying { KEYING_AUTO = 0, KEYING_MANUAL };

enum {
	CFG_PSK_MIN = 32, /* bytes of a psk-file's key */
	CFG_PSK_MAX = 64,
	CFG_PIN_LEN = 32, /* tls-pin: SHA-256 of the public key */
};

/*
 * A peer's encryption (encrypt =, keying =, cipher =, esp-*, tls-*,
 * psk-file).  With manual keying the SPIs and the keying material (key,
 * then salt) are the config's; with auto keying, how the control
 * connection authenticates the peer: by certificate ([crypto]), with
 * optionally its name and its public key pinned, or by a PSK.  Cleansed
 * when the config is freed.
 */
struct cfg_crypto {
	bool encrypt;
	enum keying keying;
	enum esp_cipher cipher;
	uint32_t spi_in, spi_out;
	uint8_t key_in[ESP_KEYMAT], key_out[ESP_KEYMAT];
	char tls_name[128];	  /* "": any name the CA signed */
	uint8_t pin[CFG_PIN_LEN]; /* when pinned */
	bool pinned;
	uint8_t psk[CFG_PSK_MAX]; /* psk_len 0: certificates */
	uint8_t psk_len;
};

/*
 * [crypto]: this node's TLS identity for keying = auto (paths of PEM
 * files; "": none), and when the control connection rekeys.
 */
struct cfg_tls {
	char ca[256], cert[256], key[256];
	uint32_t rekey_ms;
	uint32_t rekey_packets;
};

struct cfg_daemon {
	enum role role;
	char name[64];
	char local_address[160];	    /* as written */
	struct sockaddr_any local4, local6; /* from it; family 0 = any */
	uint16_t port[ENCAP_MAX];	    /* over UDP: listening port */
	bool udp_checksum;
	bool gre;
	int threads; /* 0 = one per core */
	char user[64];
	char control_socket[108];
	char control_group[64];
	int log_level;
	uint32_t mac_age, mac_table_size;
	bool mac_move_free;	/* mac-move = free */
	uint32_t mac_move_hold; /* seconds quiet before a MAC moves */
	uint32_t mac_limit;	/* learned MACs per peer; 0: none */
	uint32_t flood_rate, flood_burst;
	bool relay;
	bool offload;  /* TAP vnet headers, TSO and GRO */
	int busy_poll; /* microseconds; 0 = sleep at once */
	/* Path health (ctl/health.c), all in milliseconds. */
	uint32_t probe_interval_ms, dead_after_ms, probe_window_ms;
	uint32_t pmtu_interval_ms; /* between searches upward */
	uint32_t pmtu_floor;	   /* IPv4; IPv6's is 1280 */
	char metrics[80];	   /* ADDRESS:PORT, as written; "": off */
	struct sockaddr_any metrics_addr; /* from it */
	bool metrics_allow_remote;
	int df;			/* enum dp_df */
	uint16_t esp_port;	/* ESP in UDP (RFC 3948), both ends */
	uint16_t control_port;	/* TLS control connection (TCP) */
	uint16_t perf_port;	/* underlay throughput tests (TCP, UDP) */
	uint32_t replay_window; /* packets, per inbound SA */
};

struct cfg_segment {
	char name[CFG_NAME_MAX];
	uint32_t vni;
	char tap[IFNAMSIZ];
	int mtu;	/* the TAP's; with mtu_auto, where it starts */
	bool mtu_auto;	/* mtu = auto: follow the smallest peer's path */
	bool clamp_mss; /* rewrite the MSS of SYNs crossing the tunnel */
	char bridge[IFNAMSIZ];
};

struct cfg_peer {
	char name[CFG_NAME_MAX];
	struct sockaddr_any addr; /* destination, port included */
	char address[64];	  /* as written, for display */
	enum encap_type encap;
	uint64_t segments;		    /* bit i = cfg_segment i */
	uint8_t macs[CFG_MAX_PEER_MACS][6]; /* pinned to this peer */
	int nmacs;
	enum probe_mode probe;
	uint16_t path_mtu; /* path-mtu, or the cloud's (0: none) */
	enum path_mtu_source path_mtu_source;
	struct cfg_crypto crypto;
};

/* Which of an instance's addresses a discovered peer is reached at. */
enum cfg_addr_kind { CFG_ADDR_PRIVATE, CFG_ADDR_PUBLIC };

struct cfg_provider {
	char name[CFG_SECTION_NAME_MAX];
	const struct provider_type *type;
	struct provider_settings settings; /* values owned, secrets wiped */
	char tag_key[128];
	char tag_value[256];
	bool tag_has_value;
	enum cfg_addr_kind address;
	int family; /* AF_INET, AF_INET6; 0: IPv4 first */
	uint32_t refresh_s, grace_s, timeout_s;
	enum encap_type encap;
	uint16_t port;
	uint64_t segments;	  /* bit i = cfg_segment i */
	uint32_t path_mtu;	  /* path-mtu for its peers; 0: the cloud's */
	struct cfg_crypto crypto; /* its peers' (keying = auto only) */
};

struct config {
	char *path;
	struct cfg_daemon daemon;
	struct cfg_tls tls;
	struct cfg_segment *segments;
	int nsegments;
	struct cfg_peer *peers;
	int npeers;
	struct cfg_provider *providers;
	int nproviders;
	/*
	 * What start-up accepts but an operator should fix, each
	 * "FILE:LINE: [section] key: message"; the daemon logs them at start
	 * and reload, tunneld -n prints them.
	 */
	char **warnings;
	int nwarnings;
};

enum config_flags {
	CONFIG_OFFLINE = 1, /* skip the checks of this host (config_host.c) */
};

/*
 * Load and check path, and that its users, groups, bridges and local
 * addresses exist here; NULL with *cause set on any error.
 */
struct config *config_load(const char *path, char **cause);
/* The same, with config_flags. */
struct config *config_load_flags(const char *path, unsigned flags,
    char **cause);
void config_free(struct config *);
/* Log each of the config's warnings (log_warnx). */
void config_log_warnings(const struct config *);

/* Index of the segment with that name or VNI, -1 if none. */
int config_segment_by_name(const struct config *, const char *);
/* Index of the provider with that name, -1 if none. */
int config_provider_by_name(const struct config *, const char *);
/*
 * Whether a provider can keep listing as it did: same type, settings,
 * filter and address choice.  Encapsulation, port and segments are not
 * compared: they change the peers it makes, not how it lists.
 */
bool config_provider_same_listing(const struct cfg_provider *,
    const struct cfg_provider *);
/* Name of the first [daemon] key that differs and needs a restart, or NULL. */
const char *config_restart_key(const struct config *, const struct config *);
/*
 * 1 if a reload may not change [daemon] key, 0 if it may, -1 if there is
 * no such key (for the test that keeps etc/tunneld.conf true).
 */
int config_key_restarts(const char *key);

#endif
