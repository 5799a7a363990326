/*
 * table.h: the one owner of the daemon's segments and peers.
 *
 * Segments live in stable slots (0 .. DP_MAX_SEGMENTS - 1), peers at
 * stable ports (1 .. DP_MAX_PEERS; PORT_LOCAL and PORT_UNKNOWN are never a
 * peer's).  A slot or a port is kept for the object's lifetime, so that
 * counters and MAC entries keyed by it stay right across reloads.  Peers
 * are found by name and by endpoint (encapsulation + address) through hash
 * chains, so a listing of thousands of peers costs one lookup each; the at
 * most 64 segments are scanned.  A peer's membership is stored here once,
 * as a set of segment slots; the data path's snapshot is derived from this
 * table in one function (runtime.c), never kept beside it.
 *
 * A removed peer's port is held back until table_release_ports(): the
 * runtime releases them once no snapshot names the old peer and the MAC
 * entries at those ports are flushed, so that a new peer never inherits
 * frames meant for the one before it.
 *
 * Names and endpoints are unique: table_peer_add() and table_peer_set()
 * refuse a peer whose name or endpoint another peer holds.  The table owns
 * its memory only; the TAP fds and MAC table recorded with a segment belong
 * to the runtime, which opens and closes them.  Control thread only.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dp/limits.h"
#include "net/mactab.h"

struct tbl_segment {
	struct cfg_segment cfg;
	int fds[DP_MAX_THREADS]; /* TAP queues, one per data thread */
	bool vnet;		 /* offloads on (TSO in, GRO out) */
	struct mactab *mactab;
};

struct tbl_peer {
	char name[CFG_NAME_MAX];
	char source[CFG_SECTION_NAME_MAX]; /* provider; "": [peer] */
	char address[64];		   /* as written or listed */
	struct sockaddr_any addr;	   /* destination, port included */
	enum encap_type encap;
	uint64_t slots;			    /* member segments, by slot */
	uint8_t macs[CFG_MAX_PEER_MACS][6]; /* pinned in its segments */
	int nmacs;
	enum probe_mode probe;
	uint16_t path_mtu; /* configured or the cloud's; 0: none */
	enum path_mtu_source path_mtu_source;
	struct cfg_crypto crypto; /* keys cleansed when removed */
	/*
	 * Where an encrypted peer's authentic ESP last came from, when not
	 * from its address and esp-port (it roamed); family 0: it did not.
	 * Not part of what the peer is (table_peer_same): a reload or a
	 * listing that changes the peer forgets it.
	 */
	struct sockaddr_any roamed;
};

struct table;

struct table *table_new(void);
void table_free(struct table *);

/* Store a segment in a free slot; the slot, or -1 when all are taken. */
int table_seg_add(struct table *, const struct tbl_segment *);
/* Replace the segment in slot (same name). */
void table_seg_set(struct table *, int slot, const struct tbl_segment *);
void table_seg_del(struct table *, int slot);
/* The segment in slot, NULL if the slot is free. */
const struct tbl_segment *table_seg(const struct table *, int slot);
/* Slot of the segment called name, -1 if none. */
int table_seg_find(const struct table *, const char *name);
/* The first used slot after slot (start with -1); -1 at the end. */
int table_seg_next(const struct table *, int slot);

/* Store a peer at a free port; PORT_UNKNOWN if full, name or endpoint taken. */
uint16_t table_peer_add(struct table *, const struct tbl_peer *);
/*
 * Change the peer at port in place; false (nothing changed) if its new
 * name or endpoint is another peer's.
 */
bool table_peer_set(struct table *, uint16_t port, const struct tbl_peer *);
/* Remove the peer at port; its port is held until table_release_ports(). */
void table_peer_del(struct table *, uint16_t port);
/* Whether port is a removed peer's, held back. */
bool table_port_held(const struct table *, uint16_t port);
/* Let the ports of removed peers be given to new ones. */
void table_release_ports(struct table *);
/* The peer at port, NULL if none. */
const struct tbl_peer *table_peer(const struct table *, uint16_t port);
/* Port of the peer called name, PORT_UNKNOWN if none. */
uint16_t table_peer_find(const struct table *, const char *name);
/* Port of the peer at this encapsulation and address, PORT_UNKNOWN if none. */
uint16_t table_peer_at(const struct table *, enum encap_type,
    const struct sockaddr *);
/* The first used port after port (start with PORT_LOCAL); 0 at the end. */
uint16_t table_peer_next(const struct table *, uint16_t port);
int table_peer_count(const struct table *);
/* Record that the peer at port roamed to esp (its ESP address now). */
void table_peer_roam(struct table *, uint16_t port,
    const struct sockaddr_any *esp);
/* Whether two peers would forward alike (name, endpoint, port, slots, keys). */
bool table_peer_same(const struct tbl_peer *, const struct tbl_peer *);

#endif
