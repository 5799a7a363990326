/* table.c: segments by slot, peers by port, name and endpoint. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "table.h"
#include "xmalloc.h"

enum {
	PEER_BUCKETS = 8192, /* a power of two, twice DP_MAX_PEERS */
	NO_PORT = 0,	     /* ends a hash chain (PORT_LOCAL is no peer) */
};

struct table {
	struct tbl_segment segs[DP_MAX_SEGMENTS];
	bool seg_used[DP_MAX_SEGMENTS];
	struct tbl_peer *peers; /* [DP_MAX_PORTS] */
	bool *peer_used;	/* [DP_MAX_PORTS] */
	bool *peer_held;	/* [DP_MAX_PORTS]: freed, not yet reusable */
	int npeers;
	/* Hash chains over ports: bucket heads, then each port's next. */
	uint16_t by_name[PEER_BUCKETS], *name_next;
	uint16_t by_endpoint[PEER_BUCKETS], *endpoint_next;
};

static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ (h >> 15)) & (PEER_BUCKETS - 1);
}

static uint32_t
endpoint_hash(enum encap_type encap, const struct sockaddr *sa)
{
	return addr_hash(sa, (uint32_t)encap) & (PEER_BUCKETS - 1);
}

static void
chain_add(uint16_t *head, uint16_t *next, uint16_t port)
{
	next[port] = *head;
	*head = port;
}

static void
chain_del(uint16_t *head, uint16_t *next, uint16_t port)
{
	for (; *head != NO_PORT; head = &next[*head]) {
		if (*head == port) {
			*head = next[port];
			return;
		}
	}
}

static void
peer_link(struct table *t, uint16_t port)
{
	const struct tbl_peer *p = &t->peers[port];

	chain_add(&t->by_name[name_hash(p->name)], t->name_next, port);
	chain_add(&t->by_endpoint[endpoint_hash(p->encap, &p->addr.sa)],
	    t->endpoint_next, port);
}

static void
peer_unlink(struct table *t, uint16_t port)
{
	const struct tbl_peer *p = &t->peers[port];

	chain_del(&t->by_name[name_hash(p->name)], t->name_next, port);
	chain_del(&t->by_endpoint[endpoint_hash(p->encap, &p->addr.sa)],
	    t->endpoint_next, port);
}

struct table *
table_new(void)
{
	struct table *t = xcalloc(1, sizeof *t);

	t->peers = xcalloc(DP_MAX_PORTS, sizeof *t->peers);
	t->peer_used = xcalloc(DP_MAX_PORTS, sizeof *t->peer_used);
	t->peer_held = xcalloc(DP_MAX_PORTS, sizeof *t->peer_held);
	t->name_next = xcalloc(DP_MAX_PORTS, sizeof *t->name_next);
	t->endpoint_next = xcalloc(DP_MAX_PORTS, sizeof *t->endpoint_next);
	return t;
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	OPENSSL_cleanse(t->peers, DP_MAX_PORTS * sizeof *t->peers);
	free(t->peers);
	free(t->peer_used);
	free(t->peer_held);
	free(t->name_next);
	free(t->endpoint_next);
	free(t);
}

int
table_seg_add(struct table *t, const struct tbl_segment *s)
{
	int slot;

	for (slot = 0; slot < DP_MAX_SEGMENTS; slot++) {
		if (!t->seg_used[slot]) {
			t->segs[slot] = *s;
			t->seg_used[slot] = true;
			return slot;
		}
	}
	return -1;
}

void
table_seg_set(struct table *t, int slot, const struct tbl_segment *s)
{
	t->segs[slot] = *s;
}

void
table_seg_del(struct table *t, int slot)
{
	memset(&t->segs[slot], 0, sizeof t->segs[slot]);
	t->seg_used[slot] = false;
}

const struct tbl_segment *
table_seg(const struct table *t, int slot)
{
	return t->seg_used[slot] ? &t->segs[slot] : NULL;
}

int
table_seg_find(const struct table *t, const char *name)
{
	int slot;

	for (slot = 0; slot < DP_MAX_SEGMENTS; slot++)
		if (t->seg_used[slot] &&
		    strcmp(t->segs[slot].cfg.name, name) == 0)
			return slot;
	return -1;
}

int
table_seg_next(const struct table *t, int slot)
{
	while (++slot < DP_MAX_SEGMENTS)
		if (t->seg_used[slot])
			return slot;
	return -1;
}

uint16_t
table_peer_find(const struct table *t, const char *name)
{
	uint16_t port;

	for (port = t->by_name[name_hash(name)]; port != NO_PORT;
	     port = t->name_next[port])
		if (strcmp(t->peers[port].name, name) == 0)
			return port;
	return PORT_UNKNOWN;
}

uint16_t
table_peer_at(const struct table *t, enum encap_type encap,
    const struct sockaddr *sa)
{
	uint16_t port;

	for (port = t->by_endpoint[endpoint_hash(encap, sa)]; port != NO_PORT;
	     port = t->endpoint_next[port])
		if (t->peers[port].encap == encap &&
		    addr_same_host(&t->peers[port].addr, sa))
			return port;
	return PORT_UNKNOWN;
}

uint16_t
table_peer_add(struct table *t, const struct tbl_peer *p)
{
	uint16_t port;

	if (table_peer_find(t, p->name) != PORT_UNKNOWN ||
	    table_peer_at(t, p->encap, &p->addr.sa) != PORT_UNKNOWN)
		return PORT_UNKNOWN;
	for (port = 1; port <= DP_MAX_PEERS; port++) {
		if (!t->peer_used[port] && !t->peer_held[port]) {
			t->peers[port] = *p;
			t->peer_used[port] = true;
			t->npeers++;
			peer_link(t, port);
			return port;
		}
	}
	return PORT_UNKNOWN;
}

bool
table_peer_set(struct table *t, uint16_t port, const struct tbl_peer *p)
{
	uint16_t by_name = table_peer_find(t, p->name);
	uint16_t by_endpoint = table_peer_at(t, p->encap, &p->addr.sa);

	if ((by_name != PORT_UNKNOWN && by_name != port) ||
	    (by_endpoint != PORT_UNKNOWN && by_endpoint != port))
		return false;
	peer_unlink(t, port);
	t->peers[port] = *p;
	peer_link(t, port);
	return true;
}

void
table_peer_del(struct table *t, uint16_t port)
{
	peer_unlink(t, port);
	OPENSSL_cleanse(&t->peers[port], sizeof t->peers[port]);
	t->peer_used[port] = false;
	t->peer_held[port] = true;
	t->npeers--;
}

void
table_peer_roam(struct table *t, uint16_t port, const struct sockaddr_any *esp)
{
	t->peers[port].roamed = *esp;
}

bool
table_port_held(const struct table *t, uint16_t port)
{
	return t->peer_held[port];
}

void
table_release_ports(struct table *t)
{
	memset(t->peer_held, 0, DP_MAX_PORTS * sizeof *t->peer_held);
}

const struct tbl_peer *
table_peer(const struct table *t, uint16_t port)
{
	return port < DP_MAX_PORTS && t->peer_used[port] ? &t->peers[port]
							 : NULL;
}

uint16_t
table_peer_next(const struct table *t, uint16_t port)
{
	while (++port <= DP_MAX_PEERS)
		if (t->peer_used[port])
			return port;
	return 0;
}

int
table_peer_count(const struct table *t)
{
	return t->npeers;
}

bool
table_peer_same(const struct tbl_peer *a, const struct tbl_peer *b)
{
	return strcmp(a->name, b->name) == 0 && a->encap == b->encap &&
	    a->addr.len == b->addr.len &&
	    memcmp(&a->addr.sa, &b->addr.sa, a->addr.len) == 0 &&
	    a->slots == b->slots && a->nmacs == b->nmacs &&
	    a->probe == b->probe && a->path_mtu == b->path_mtu &&
	    a->path_mtu_source == b->path_mtu_source &&
	    memcmp(a->macs, b->macs, sizeof a->macs) == 0 &&
	    CRYPTO_memcmp(&a->crypto, &b->crypto, sizeof a->crypto) == 0;
}
