/* inband.c: numbered, acknowledged messages inside the tunnel (inband.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "buf.h"
#include "cc_msg.h"
#include "health.h"
#include "log.h"
#include "net/probe.h"
#include "xmalloc.h"

#include "inband.h"

enum { SEEN = 64, BODY_MAX = DP_MESSAGE_MAX + PROBE_BODY_MIN };

struct pending {
	bool used;
	uint32_t seq;
	size_t len;
	uint8_t body[BODY_MAX]; /* the probe body as sent */
	uint64_t sent_ms;
	int tries;
};

/* One peer we talk to: what we sent and what we saw of it. */
struct link {
	bool used;
	uint16_t port;
	uint64_t last_ms;
	uint32_t next_seq;
	struct pending out[INBAND_PENDING];
	uint64_t rx_epoch;
	uint32_t seen[SEEN]; /* the last numbers received, a ring */
	unsigned nseen;
};

struct inband {
	struct runtime *rt;
	struct cc_hooks hooks;
	uint64_t epoch;
	struct link links[INBAND_LINKS];
	struct {
		uint64_t sent, resent, received, duplicates, bad, acks,
		    unreachable;
	} n;
};

struct inband *
inband_new(struct runtime *rt)
{
	struct inband *ib = xcalloc(1, sizeof *ib);

	ib->rt = rt;
	if (RAND_bytes((unsigned char *)&ib->epoch, sizeof ib->epoch) != 1)
		ib->epoch = clock_ms() ^ ((uint64_t)getpid() << 32);
	return ib;
}

void
inband_free(struct inband *ib)
{
	free(ib);
}

void
inband_set_hooks(struct inband *ib, const struct cc_hooks *h)
{
	ib->hooks = *h;
}

/* The link of port; a new one (a free one, or the longest idle) if make. */
static struct link *
link_of(struct inband *ib, uint16_t port, bool make)
{
	struct link *l, *pick = NULL;
	int i;

	for (i = 0; i < INBAND_LINKS; i++) {
		l = &ib->links[i];
		if (l->used && l->port == port)
			return l;
		if (pick == NULL ||
		    (pick->used && (!l->used || l->last_ms < pick->last_ms)))
			pick = l;
	}
	if (!make)
		return NULL;
	memset(pick, 0, sizeof *pick);
	pick->used = true;
	pick->port = port;
	pick->next_seq = 1;
	pick->last_ms = clock_ms();
	return pick;
}

bool
inband_can(const struct inband *ib, uint16_t port, const char **why)
{
	const struct tbl_peer *p = table_peer(rt_table(ib->rt), port);

	*why = NULL;
	if (p == NULL)
		*why = "no such peer";
	else if (health_state_of(rt_health(ib->rt), port) != HEALTH_UP)
		*why = "it does not answer tunneld's probes (not a tunneld, "
		       "a kernel vxlan or OVS, or down)";
	return *why == NULL;
}

/* Hand a probe body to the data path for the peer at port. */
static int
put_on_wire(struct inband *ib, uint16_t port, const uint8_t *body, size_t len)
{
	const struct tbl_peer *p = table_peer(rt_table(ib->rt), port);

	if (p == NULL)
		return -1;
	return dp_probe_send(rt_dp(ib->rt), port, p->encap, &p->addr, body,
	    len);
}

int
inband_send(struct inband *ib, uint16_t port, int type, json_t *body,
    const char **why)
{
	struct probe h = { .type = PROBE_MESSAGE, .sent_ns = ib->epoch };
	struct link *l;
	struct pending *q = NULL;
	struct buf frame = { 0 };
	int i;

	if (!inband_can(ib, port, why))
		goto fail;
	l = link_of(ib, port, true);
	for (i = 0; i < INBAND_PENDING && q == NULL; i++)
		if (!l->out[i].used)
			q = &l->out[i];
	cc_msg_encode(&frame, type, body);
	if (q == NULL || frame.len > DP_MESSAGE_MAX) {
		*why = q == NULL ? "too many messages unacknowledged"
				 : "a message too long for the channel";
		buf_free(&frame);
		goto fail;
	}
	h.seq = l->next_seq++;
	q->len = probe_build_message(&h, (const uint8_t *)frame.p, frame.len,
	    q->body, sizeof q->body);
	buf_free(&frame);
	q->used = true;
	q->seq = h.seq;
	q->tries = 1;
	q->sent_ms = l->last_ms = clock_ms();
	ib->n.sent++;
	(void)put_on_wire(ib, port, q->body, q->len); /* (resent if lost) */
	json_decref(body);
	return 0;
fail:
	json_decref(body);
	return -1;
}

static void
send_ack(struct inband *ib, uint16_t port, uint32_t seq, uint64_t epoch)
{
	struct probe a = { .type = PROBE_ACK, .seq = seq, .sent_ns = epoch };
	uint8_t body[PROBE_BODY_MIN];

	if (probe_build_message(&a, NULL, 0, body, sizeof body) != 0)
		(void)put_on_wire(ib, port, body, sizeof body);
	ib->n.acks++;
}

/* Whether seq was seen from the peer's epoch already (else: noted). */
static bool
seen_before(struct link *l, uint64_t epoch, uint32_t seq)
{
	unsigned i;

	if (epoch != l->rx_epoch) {
		l->rx_epoch = epoch; /* it restarted: all new */
		l->nseen = 0;
	}
	for (i = 0; i < l->nseen && i < SEEN; i++)
		if (l->seen[i] == seq)
			return true;
	l->seen[l->nseen++ % SEEN] = seq;
	return false;
}

static void
on_message(struct inband *ib, const struct dp_message *m)
{
	struct link *l = link_of(ib, m->port, true);
	const char *why;
	json_t *body;
	size_t used;
	int type, i;

	l->last_ms = clock_ms();
	if (m->type == PROBE_ACK) {
		for (i = 0; i < INBAND_PENDING; i++)
			if (l->out[i].used && l->out[i].seq == m->seq &&
			    m->epoch == ib->epoch)
				l->out[i].used = false;
		return;
	}
	send_ack(ib, m->port, m->seq, m->epoch);
	if (seen_before(l, m->epoch, m->seq)) {
		ib->n.duplicates++;
		return;
	}
	if (cc_msg_decode(m->data, m->len, &used, &type, &body, &why) !=
		CC_MSG_OK ||
	    used != m->len) {
		ib->n.bad++;
		return;
	}
	ib->n.received++;
	if (type >= CC_PERF_REQUEST && type <= CC_PERF_STOP &&
	    ib->hooks.message != NULL)
		ib->hooks.message(ib->hooks.arg, m->port, type, body);
	json_decref(body);
}

/* Send again what is due; a peer that never answers is unreachable. */
static void
resend(struct inband *ib, struct link *l, uint64_t now)
{
	struct pending *q;
	int i;

	for (i = 0; i < INBAND_PENDING; i++) {
		if (!(q = &l->out[i])->used ||
		    now - q->sent_ms < INBAND_RESEND_MS)
			continue;
		if (q->tries == INBAND_TRIES) {
			ib->n.unreachable++;
			memset(l->out, 0, sizeof l->out);
			if (ib->hooks.down != NULL)
				ib->hooks.down(ib->hooks.arg, l->port);
			return;
		}
		q->tries++;
		q->sent_ms = now;
		ib->n.resent++;
		(void)put_on_wire(ib, l->port, q->body, q->len);
	}
}

void
inband_tick(struct inband *ib)
{
	static struct dp_message m[64];
	uint64_t now = clock_ms();
	int i, n;

	while ((n = dp_messages(rt_dp(ib->rt), m, 64)) > 0)
		for (i = 0; i < n; i++)
			on_message(ib, &m[i]);
	for (i = 0; i < INBAND_LINKS; i++)
		if (ib->links[i].used)
			resend(ib, &ib->links[i], now);
}

json_t *
inband_json(const struct inband *ib)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "sent",
	    (json_int_t)ib->n.sent, "resent", (json_int_t)ib->n.resent,
	    "received", (json_int_t)ib->n.received, "duplicates",
	    (json_int_t)ib->n.duplicates, "bad", (json_int_t)ib->n.bad, "acks",
	    (json_int_t)ib->n.acks, "unreachable",
	    (json_int_t)ib->n.unreachable);
}
