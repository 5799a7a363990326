/*
 * mactab.h: a segment's forwarding table, MAC address -> port.
 *
 * Storage: a fixed array of 8-way buckets sized at creation (never grows);
 * the bucket is chosen by a keyed hash with a random seed, so a remote host
 * cannot aim its MACs at one bucket.  When a bucket is full, learning a new
 * MAC evicts the least recently seen entry of that bucket and counts it.
 *
 * Entries age out: a lookup ignores an entry not seen for `age` seconds and
 * mactab_expire() removes them.  Multicast, broadcast and all-zero MACs are
 * never learned; static entries never move or age.
 *
 * Policy (mactab_set_policy; a new table has none, so anything moves): a
 * live entry at MACTAB_LOCAL (the segment's TAP, whose side is trusted)
 * is never taken by another port; a live entry moves from one port to
 * another only once it has been quiet for move_hold seconds, so a peer
 * cannot steal a MAC that is in use; a port holds at most port_limit
 * learned entries, and a full bucket evicts the adding port's own oldest
 * entry before anyone else's, so one peer cannot push the others out.
 *
 * Threads: lookups and refreshes of an existing entry are lock-free (a
 * sequence counter per slot), so data threads read and refresh without
 * locking.  Inserting, moving and removing take an internal mutex; that
 * happens only when a MAC is new or moves, never per packet in steady state.
 * Time is whole seconds of a monotonic clock, passed in by the caller.
 */
#ifndef MACTAB_H
#define MACTAB_H

#include <stdbool.h>
#include <stdint.h>

#define MACTAB_NONE 0xffffu
#define MACTAB_LOCAL 0 /* the port whose live entries stay put */

enum mactab_result {
	MACTAB_REFRESHED,    /* known at that port: timestamp updated */
	MACTAB_LEARNED,	     /* new entry */
	MACTAB_MOVED,	     /* known at another port: moved */
	MACTAB_REFUSED,	     /* not a learnable MAC, or static elsewhere */
	MACTAB_MOVE_REFUSED, /* live at another port; the policy keeps it */
	MACTAB_AT_LIMIT,     /* new, but the port holds port_limit entries */
};

struct mactab_policy {
	bool local_stays;    /* live MACTAB_LOCAL entries never move */
	uint32_t move_hold;  /* seconds quiet before a live entry moves */
	uint32_t port_limit; /* learned entries per port; 0: no limit */
};

struct mactab_stats {
	uint64_t learned, moved, evicted, expired;
	uint64_t move_refused, at_limit;
	uint32_t entries, capacity;
};

struct mactab_entry {
	uint8_t mac[6];
	uint16_t port;
	uint32_t idle;		/* seconds since last seen */
	bool is_static;
};

struct mactab;

/* A table for at most max_entries (rounded up to whole buckets). */
struct mactab *mactab_new(uint32_t max_entries, uint32_t age_s);
void mactab_free(struct mactab *);
void mactab_set_age(struct mactab *, uint32_t age_s);
/* Take a move and limit policy (any thread; the next learn obeys it). */
void mactab_set_policy(struct mactab *, const struct mactab_policy *);

/* True for a MAC that may be learned: unicast and not all zero. */
bool mac_is_learnable(const uint8_t *mac);

enum { MAC_TEXT_LEN = 18 }; /* "aa:bb:cc:dd:ee:ff" and its NUL */
/* mac as aa:bb:cc:dd:ee:ff in buf; returns buf. */
char *mac_ntoa(const uint8_t *mac, char buf[MAC_TEXT_LEN]);

/* Port of mac, or MACTAB_NONE if unknown or aged out. */
uint16_t mactab_lookup(struct mactab *, const uint8_t *mac, uint32_t now);
/* Record that mac was seen at port. */
enum mactab_result mactab_learn(struct mactab *, const uint8_t *mac,
    uint16_t port, uint32_t now);
/* Pin mac to port; it never ages or moves.  False if the bucket is full. */
bool mactab_add_static(struct mactab *, const uint8_t *mac, uint16_t port);

/* Remove entries idle longer than the age; returns how many. */
uint32_t mactab_expire(struct mactab *, uint32_t now);
/* Remove every learned entry at port (a peer went away). */
uint32_t mactab_flush_port(struct mactab *, uint16_t port);

enum { MACTAB_FLUSH_LEARNED = 1, MACTAB_FLUSH_PINNED = 2 };
/*
 * Remove, in one walk of the table, the entries of each port p < nports
 * of the kinds what[p] names (a mask of MACTAB_FLUSH_*); how many.
 */
uint32_t mactab_flush_ports(struct mactab *, const uint8_t *what,
    size_t nports);
/* Remove every learned entry (the segment is another one now). */
uint32_t mactab_flush(struct mactab *);
/* Call fn for each live entry; stops early when fn returns false. */
void mactab_walk(struct mactab *, uint32_t now,
    bool (*fn)(const struct mactab_entry *, void *), void *arg);
void mactab_get_stats(struct mactab *, struct mactab_stats *);

#endif
