/*
 * runtime_test.c: the throughput tests' segments in the runtime: a test's
 * TAP bound to one peer, in a slot after the configured segments.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/overhead.h"
#include "runtime_priv.h"
#include "xmalloc.h"

enum { TEST_MACS = 64, TEST_MAC_AGE = 300 };

int
rt_test_attach(struct runtime *rt, uint16_t port, uint32_t id, const int *fds,
    bool vnet, int mtu, char **cause)
{
	struct rt_test *t = NULL;
	int i, slot;

	for (i = 0; i < DP_MAX_TESTS && t == NULL; i++)
		if (!rt->tests[i].used)
			t = &rt->tests[i];
	if (t == NULL) {
		xasprintf(cause, "%d tests run already, the most at once",
		    DP_MAX_TESTS);
		return -1;
	}
	slot = DP_MAX_SEGMENTS + (int)(t - rt->tests);
	if ((t->mactab = mactab_new(TEST_MACS, TEST_MAC_AGE)) == NULL) {
		xasprintf(cause, "no memory for a test's MAC table");
		return -1;
	}
	t->port = port;
	t->id = id;
	t->vnet = vnet;
	t->mtu = mtu;
	memcpy(t->fds, fds, sizeof t->fds);
	dp_reset_seg(rt->dp, slot);
	if (dp_watch_tap(rt->dp, slot, t->fds, cause) != 0) {
		mactab_free(t->mactab);
		return -1;
	}
	t->used = true;
	rt_republish(rt);
	return slot;
}

void
rt_test_detach(struct runtime *rt, int slot)
{
	struct rt_test *t = &rt->tests[slot - DP_MAX_SEGMENTS];

	if (slot < DP_MAX_SEGMENTS || slot >= DP_MAX_SLOTS || !t->used)
		return;
	dp_unwatch_tap(rt->dp, t->fds);
	t->used = false;
	rt_republish(rt); /* after it, no thread sees the TAP or the table */
	mactab_free(t->mactab);
	t->mactab = NULL;
}

void
rt_snapshot_tests(const struct runtime *rt, struct dp_snapshot *snap)
{
	const struct rt_test *t;
	struct dp_segment *ds;
	int i;

	for (i = 0; i < DP_MAX_TESTS; i++) {
		if (!(t = &rt->tests[i])->used)
			continue;
		ds = snap_segment_new(snap, DP_MAX_SEGMENTS + i);
		ds->test_port = t->port;
		ds->vni = t->id;
		ds->mtu = t->mtu;
		ds->vnet = t->vnet;
		ds->fwd.mactab = t->mactab;
		ds->fwd.relay = false;
		memcpy(ds->tap_fd, t->fds, sizeof ds->tap_fd);
		snprintf(ds->name, sizeof ds->name, "test %u", t->id);
	}
}

int
rt_test_mtu(const struct runtime *rt, uint16_t port)
{
	const struct tbl_peer *p = table_peer(rt->tab, port);
	unsigned max = dp_frame_max(rt->dp, port);
	size_t fit;

	if (max > ETHER_HDR_LEN + 576)
		return (int)(max - ETHER_HDR_LEN);
	if (p == NULL)
		return 1400;
	/* Not searched yet: what a 1500-byte underlay carries. */
	fit = overhead_payload_max(p->encap, p->addr.sa.sa_family, false,
	    p->crypto.encrypt, 1500);
	return fit > ETHER_HDR_LEN + 576 ? (int)(fit - ETHER_HDR_LEN) : 1400;
}
