/* snapshot.c: building and querying the data threads' forwarding state. */
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "xmalloc.h"

struct dp_snapshot *
snap_new(uint32_t flood_rate, uint32_t flood_burst, bool relay)
{
	struct dp_snapshot *s = xcalloc(1, sizeof *s);

	s->flood_rate = flood_rate;
	s->flood_burst = flood_burst;
	s->relay = relay;
	return s;
}

struct dp_segment *
snap_segment_new(struct dp_snapshot *s, int slot)
{
	struct dp_segment *seg = xcalloc(1, sizeof *seg);

	seg->slot = slot;
	seg->fwd.relay = s->relay;
	s->segs[slot] = seg;
	return seg;
}

struct dp_peer *
snap_peer_new(struct dp_snapshot *s, uint16_t port)
{
	struct dp_peer *p = xcalloc(1, sizeof *p);

	p->port = port;
	s->peers[port] = p;
	return p;
}

/* An open-addressing table of 2^k >= 4 * n slots; its mask in *mask. */
static uint32_t *
hash_alloc(uint32_t n, uint32_t *mask)
{
	n += 16;
	while ((n & (n - 1)) != 0)
		n &= n - 1;
	n <<= 2; /* load factor at most 1/2 */
	*mask = n - 1;
	return xcalloc(n, sizeof(uint32_t));
}

static void
hash_put(uint32_t *tab, uint32_t mask, uint32_t h, uint32_t port)
{
	for (h &= mask; tab[h] != 0; h = (h + 1) & mask)
		;
	tab[h] = port;
}

/* In spi_hash: the entry is the port's sa_in_prev. */
#define SPI_PREV (1u << 16)
_Static_assert(DP_MAX_PORTS <= (int)SPI_PREV, "ports fit below SPI_PREV");

static uint32_t
spi_hash(uint32_t spi)
{
	return spi * 0x9e3779b1u;
}

static void
snap_build_hash(struct dp_snapshot *s)
{
	uint32_t n = 0, nspi = 0;
	struct dp_peer *p;
	int port;

	for (port = 1; port < DP_MAX_PORTS; port++) {
		if ((p = s->peers[port]) == NULL)
			continue;
		n++;
		nspi += (p->sa_in != NULL) + (p->sa_in_prev != NULL);
	}
	s->peer_hash = hash_alloc(n, &s->peer_hash_mask);
	s->spi_hash = hash_alloc(nspi, &s->spi_hash_mask);
	for (port = 1; port < DP_MAX_PORTS; port++) {
		if ((p = s->peers[port]) == NULL)
			continue;
		hash_put(s->peer_hash, s->peer_hash_mask,
		    addr_hash(&p->addr.sa, (uint32_t)p->encap), (uint16_t)port);
		if (p->sa_in != NULL)
			hash_put(s->spi_hash, s->spi_hash_mask,
			    spi_hash(sa_in_spi(p->sa_in)), (uint32_t)port);
		if (p->sa_in_prev != NULL)
			hash_put(s->spi_hash, s->spi_hash_mask,
			    spi_hash(sa_in_spi(p->sa_in_prev)),
			    (uint32_t)port | SPI_PREV);
	}
}

/* A test of the peer's (a third at once is left out: the runtime's job). */
static void
peer_add_test(struct dp_peer *p, const struct dp_segment *seg)
{
	int i;

	for (i = 0; i < DP_TESTS_PER_PEER; i++)
		if (p->test[i] == NULL) {
			p->test[i] = seg;
			return;
		}
}

void
snap_finish(struct dp_snapshot *s)
{
	struct dp_segment *seg;
	int i, port;

	snap_build_hash(s);
	for (i = 0; i < DP_MAX_SLOTS; i++) {
		if ((seg = s->segs[i]) == NULL)
			continue;
		seg->ports = xcalloc(DP_MAX_PORTS, sizeof *seg->ports);
		if (seg->test_port != 0) {
			if (s->peers[seg->test_port] == NULL)
				continue; /* gone: the test's frames go nowhere
					   */
			peer_add_test(s->peers[seg->test_port], seg);
			seg->ports[seg->fwd.npeers++] = seg->test_port;
			seg->fwd.peer_ports = seg->ports;
			continue;
		}
		for (port = 1; port < DP_MAX_PORTS; port++)
			if (s->peers[port] != NULL &&
			    (s->peers[port]->seg_mask >> i) & 1)
				seg->ports[seg->fwd.npeers++] = (uint16_t)port;
		seg->fwd.peer_ports = seg->ports;
	}
}

void
snap_free(struct dp_snapshot *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < DP_MAX_SLOTS; i++) {
		if (s->segs[i] != NULL)
			free(s->segs[i]->ports);
		free(s->segs[i]);
	}
	for (i = 0; i < DP_MAX_PORTS; i++)
		free(s->peers[i]);
	free(s->peer_hash);
	free(s->spi_hash);
	free(s);
}

struct dp_peer *
snap_peer_by_addr(const struct dp_snapshot *s, enum encap_type encap,
    const struct sockaddr *sa)
{
	uint32_t h = addr_hash(sa, (uint32_t)encap) & s->peer_hash_mask;
	struct dp_peer *p;

	for (; s->peer_hash[h] != 0; h = (h + 1) & s->peer_hash_mask) {
		p = s->peers[s->peer_hash[h]];
		if (p->encap == encap && addr_same_host(&p->addr, sa))
			return p;
	}
	return NULL;
}

struct dp_peer *
snap_peer_by_spi(const struct dp_snapshot *s, uint32_t spi, struct sa_in **in)
{
	uint32_t h = spi_hash(spi) & s->spi_hash_mask, v;
	struct dp_peer *p;

	for (; (v = s->spi_hash[h]) != 0; h = (h + 1) & s->spi_hash_mask) {
		p = s->peers[v & ~SPI_PREV];
		*in = (v & SPI_PREV) ? p->sa_in_prev : p->sa_in;
		if (sa_in_spi(*in) == spi)
			return p;
	}
	return NULL;
}

struct dp_segment *
snap_segment_by_vni(const struct dp_snapshot *s, uint32_t vni)
{
	int i;

	/* At most 64 segments: a scan beats a hash here. */
	for (i = 0; i < DP_MAX_SEGMENTS; i++)
		if (s->segs[i] != NULL && s->segs[i]->vni == vni)
			return s->segs[i];
	return NULL;
}
