/* sa.c: a peer's ESP SAs, shared by the data threads (sa.h). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/cursor.h"
#include "replay.h"
#include "sa.h"

enum {
	/* Packets with one IV base before the peer counts as a tunneld. */
	SA_BASE_STABLE = 16,
};

struct sa_out {
	enum esp_cipher cipher;
	uint32_t spi;
	uint64_t iv_base;
	_Atomic uint64_t seq; /* the last number used */
	int nctx;
	struct esp_sa *ctx[];
};

struct sa_in {
	enum esp_cipher cipher;
	uint32_t spi;
	struct replay *replay;
	/* The peer's IV base: set by the first packet, then counted. */
	_Atomic uint64_t base;
	_Atomic uint32_t base_count;
	_Atomic bool base_varies; /* not base + sequence: never a restart */
	_Atomic bool restarted;	  /* SA_PEER_RESTARTED said */
	int nctx;
	struct esp_sa *ctx[];
};

static const char *const verdict_names[] = {
	[SA_OK] = "ok",
	[SA_DUMMY] = "dummy",
	[SA_REPLAY] = "replay",
	[SA_TOO_OLD] = "too_old",
	[SA_AUTH_FAILED] = "auth_failed",
	[SA_MALFORMED] = "malformed",
	[SA_PEER_RESTARTED] = "peer_restarted",
};

const char *
sa_verdict_name(enum sa_verdict v)
{
	return (unsigned)v <= SA_PEER_RESTARTED ? verdict_names[v] : "?";
}

static uint64_t
clock_base(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* nctx contexts of one direction into v; -1 with *cause if any fails. */
static int
contexts(struct esp_sa **v, int nctx, enum esp_cipher c, uint32_t spi,
    const uint8_t keymat[ESP_KEYMAT], bool encrypt, char **cause)
{
	int i;

	for (i = 0; i < nctx; i++)
		if ((v[i] = esp_sa_new(c, spi, keymat, encrypt, cause)) == NULL)
			return -1;
	return 0;
}

static void
contexts_free(struct esp_sa **v, int nctx)
{
	int i;

	for (i = 0; i < nctx; i++)
		esp_sa_free(v[i]);
}

struct sa_out *
sa_out_new(enum esp_cipher c, uint32_t spi, const uint8_t keymat[ESP_KEYMAT],
    int nctx, uint64_t iv_base, char **cause)
{
	struct sa_out *o =
	    calloc(1, sizeof *o + (size_t)nctx * sizeof o->ctx[0]);

	if (o == NULL) {
		*cause = strdup("out of memory");
		return NULL;
	}
	o->cipher = c;
	o->spi = spi;
	o->iv_base = iv_base != 0 ? iv_base : clock_base();
	o->nctx = nctx;
	atomic_init(&o->seq, 0);
	if (contexts(o->ctx, nctx, c, spi, keymat, true, cause) != 0) {
		sa_out_free(o);
		return NULL;
	}
	return o;
}

void
sa_out_free(struct sa_out *o)
{
	if (o == NULL)
		return;
	contexts_free(o->ctx, o->nctx);
	free(o);
}

enum esp_verdict
sa_seal(struct sa_out *o, int ctx, uint8_t nh, const struct iovec *iov, int n,
    uint8_t *out, size_t cap, size_t *outlen)
{
	uint64_t seq =
	    atomic_fetch_add_explicit(&o->seq, 1, memory_order_relaxed) + 1;

	return esp_sealv(o->ctx[ctx], seq, o->iv_base + seq, nh, iov, n, out,
	    cap, outlen);
}

uint64_t
sa_out_sent(const struct sa_out *o)
{
	return atomic_load_explicit(&o->seq, memory_order_relaxed);
}

uint32_t
sa_out_spi(const struct sa_out *o)
{
	return o->spi;
}

enum esp_cipher
sa_out_cipher(const struct sa_out *o)
{
	return o->cipher;
}

struct sa_in *
sa_in_new(enum esp_cipher c, uint32_t spi, const uint8_t keymat[ESP_KEYMAT],
    unsigned window, int nctx, char **cause)
{
	struct sa_in *in =
	    calloc(1, sizeof *in + (size_t)nctx * sizeof in->ctx[0]);

	if (in == NULL || (in->replay = replay_new(window)) == NULL) {
		free(in);
		*cause = strdup("replay window out of range");
		return NULL;
	}
	in->cipher = c;
	in->spi = spi;
	in->nctx = nctx;
	atomic_init(&in->base, 0);
	atomic_init(&in->base_count, 0);
	atomic_init(&in->base_varies, false);
	atomic_init(&in->restarted, false);
	if (contexts(in->ctx, nctx, c, spi, keymat, false, cause) != 0) {
		sa_in_free(in);
		return NULL;
	}
	return in;
}

void
sa_in_free(struct sa_in *in)
{
	if (in == NULL)
		return;
	contexts_free(in->ctx, in->nctx);
	replay_free(in->replay);
	free(in);
}

/* The base the peer's packets have shown, if steadily; 0 if not (yet). */
static uint64_t
steady_base(const struct sa_in *in)
{
	if (atomic_load_explicit(&in->base_varies, memory_order_relaxed) ||
	    atomic_load_explicit(&in->base_count, memory_order_relaxed) <
		SA_BASE_STABLE)
		return 0;
	return atomic_load_explicit(&in->base, memory_order_relaxed);
}

/* Learn the IV base from an accepted packet. */
static void
note_base(struct sa_in *in, uint64_t base)
{
	uint64_t have = 0;

	if (atomic_compare_exchange_strong(&in->base, &have, base) ||
	    have == base)
		atomic_fetch_add_explicit(&in->base_count, 1,
		    memory_order_relaxed);
	else
		atomic_store_explicit(&in->base_varies, true,
		    memory_order_relaxed);
}

/*
 * A packet whose IV does not fit the steady base: a restarted peer (a
 * later base, numbers from 1) or a replay of an older instance.  Either
 * way it is not delivered, so it may be decrypted in place to tell.
 */
static enum sa_verdict
judge_stranger(struct sa_in *in, int ctx, uint8_t *pkt, size_t len, uint64_t iv,
    uint64_t base)
{
	uint64_t seq = esp_seq_low(pkt); /* a new instance: below 2^32 */
	uint8_t *p, nh;
	size_t plen;
	enum esp_verdict v =
	    esp_open(in->ctx[ctx], seq, pkt, len, &p, &plen, &nh);

	if (v == ESP_BAD_ICV)
		return SA_AUTH_FAILED;
	if (v != ESP_OK && v != ESP_DUMMY)
		return SA_MALFORMED;
	if (iv - seq == base) /* this instance's, left of the window */
		return replay_check(in->replay, seq) == REPLAY_TOO_OLD
		    ? SA_TOO_OLD
		    : SA_REPLAY;
	if (iv - seq < base)
		return SA_REPLAY; /* an older instance's */
	atomic_store_explicit(&in->restarted, true, memory_order_relaxed);
	return SA_PEER_RESTARTED;
}

enum sa_verdict
sa_open(struct sa_in *in, int ctx, uint8_t *pkt, size_t len, uint8_t **payload,
    size_t *plen, uint8_t *nh)
{
	uint64_t seq, iv, base;
	enum replay_verdict rv;
	enum esp_verdict v;

	if (len < ESP_HDR + ESP_IV + ESP_TRAILER + ESP_ICV)
		return SA_MALFORMED;
	seq = replay_esn(in->replay, esp_seq_low(pkt));
	iv =
	    (uint64_t)get_u32(pkt + ESP_HDR) << 32 | get_u32(pkt + ESP_HDR + 4);
	if ((base = steady_base(in)) != 0 && iv - seq != base)
		return judge_stranger(in, ctx, pkt, len, iv, base);
	if ((rv = replay_check(in->replay, seq)) != REPLAY_OK)
		return rv == REPLAY_TOO_OLD ? SA_TOO_OLD : SA_REPLAY;
	v = esp_open(in->ctx[ctx], seq, pkt, len, payload, plen, nh);
	if (v == ESP_BAD_ICV)
		return SA_AUTH_FAILED;
	if (v != ESP_OK && v != ESP_DUMMY)
		return SA_MALFORMED;
	/* Only now, authentic, may the window move. */
	if ((rv = replay_accept(in->replay, seq)) != REPLAY_OK)
		return rv == REPLAY_TOO_OLD ? SA_TOO_OLD : SA_REPLAY;
	note_base(in, iv - seq);
	return v == ESP_DUMMY ? SA_DUMMY : SA_OK;
}

uint64_t
sa_in_top(const struct sa_in *in)
{
	return replay_top(in->replay);
}

uint32_t
sa_in_spi(const struct sa_in *in)
{
	return in->spi;
}

uint64_t
sa_in_peer_base(const struct sa_in *in)
{
	return steady_base(in);
}

bool
sa_in_peer_restarted(const struct sa_in *in)
{
	return atomic_load_explicit(&in->restarted, memory_order_relaxed);
}
