/*
 * config.h: tunneld's configuration, read from an INI file with iniparser.
 *
 * Sections: [daemon], [segment NAME], [peer NAME].  Every key is checked
 * against a table with its type and bounds; an unknown section or key, a
 * missing required key or a bad value fails the whole load with
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

#include "encap.h"

enum {
	CFG_NAME_MAX = 32,
	CFG_MAX_SEGMENTS = 64,
	CFG_MAX_PEERS = 4096,
	CFG_MAX_THREADS = 16,
};

enum role { ROLE_HUB, ROLE_SPOKE };

struct sockaddr_any {
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	};
	socklen_t len;
};

struct cfg_daemon {
	enum role role;
	char name[64];
	struct sockaddr_any local4, local6;	/* family 0 = wildcard */
	uint16_t vxlan_port, greudp_port;
	bool udp_checksum;
	bool gre;
	int threads;				/* 0 = one per core */
	char user[64];
	char control_socket[108];
	char control_group[64];
	int log_level;
	uint32_t mac_age, mac_table_size;
	uint32_t flood_rate, flood_burst;
	bool relay;
};

struct cfg_segment {
	char name[CFG_NAME_MAX];
	uint32_t vni;
	char tap[IFNAMSIZ];
	int mtu;
	char bridge[IFNAMSIZ];
};

struct cfg_peer {
	char name[CFG_NAME_MAX];
	struct sockaddr_any addr;	/* destination, port included */
	char address[64];		/* as written, for display */
	enum encap_type encap;
	uint64_t segments;		/* bit i = cfg_segment i */
};

struct config {
	char *path;
	struct cfg_daemon daemon;
	struct cfg_segment *segments;
	int nsegments;
	struct cfg_peer *peers;
	int npeers;
};

/* Load and check path; NULL with *cause set on any error. */
struct config *config_load(const char *path, char **cause);
void config_free(struct config *);

/* Index of the segment with that name or VNI, -1 if none. */
int config_segment_by_name(const struct config *, const char *);
/* Index of the peer with that name, -1 if none. */
int config_peer_by_name(const struct config *, const char *);
/* Whether two peers are configured identically (reload keeps them). */
bool config_peer_equal(const struct cfg_peer *, const struct cfg_peer *,
    const struct config *, const struct config *);
/* Whether two segments are configured identically. */
bool config_segment_equal(const struct cfg_segment *,
    const struct cfg_segment *);
/* Name of the first [daemon] key that differs and needs a restart, or NULL. */
const char *config_restart_key(const struct config *, const struct config *);

/* Format an address (without port) into buf. */
const char *sockaddr_ntop(const struct sockaddr_any *, char *buf, size_t);

#endif
