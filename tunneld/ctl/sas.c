/* sas.c: every encrypted peer's SAs, by port (sas.h). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "dp/limits.h"
#include "log.h"
#include "sas.h"
#include "xmalloc.h"

struct sa_entry {
	struct cfg_crypto cr; /* what they were made from; cleansed */
	struct sa_out *out;
	struct sa_in *in;
	struct sa_in *prev; /* keying = auto: draining */
	uint64_t made_ms;
	char peer[DP_NAME_MAX];
	struct sas_link link;
};

struct sas {
	int nctx;
	unsigned window;
	uint32_t rekey_ms, rekey_packets;
	struct events *events;
	struct sa_entry *e; /* [DP_MAX_PORTS] */
	/* Retired until the next publish is done. */
	struct sa_out **old_out;
	struct sa_in **old_in;
	int nold_out, nold_in;
};

struct sas *
sas_new(int nctx, unsigned window, struct events *ev)
{
	struct sas *s = xcalloc(1, sizeof *s);

	s->nctx = nctx;
	s->window = window;
	s->events = ev;
	s->e = xcalloc(DP_MAX_PORTS, sizeof *s->e);
	return s;
}

static void
retire_in(struct sas *s, struct sa_in *in)
{
	if (in == NULL)
		return;
	s->old_in =
	    xreallocarray(s->old_in, (size_t)s->nold_in + 1, sizeof *s->old_in);
	s->old_in[s->nold_in++] = in;
}

static void
retire_out(struct sas *s, struct sa_out *out)
{
	if (out == NULL)
		return;
	s->old_out = xreallocarray(s->old_out, (size_t)s->nold_out + 1,
	    sizeof *s->old_out);
	s->old_out[s->nold_out++] = out;
}

/* Retire e's SAs; what they were made from stays. */
static void
retire_sas(struct sas *s, struct sa_entry *e)
{
	retire_out(s, e->out);
	retire_in(s, e->in);
	retire_in(s, e->prev);
	e->out = NULL;
	e->in = e->prev = NULL;
}

/* Retire e's SAs and forget the entry (cleansed). */
static void
retire(struct sas *s, struct sa_entry *e)
{
	retire_sas(s, e);
	OPENSSL_cleanse(e, sizeof *e);
}

void
sas_release(struct sas *s)
{
	int i;

	for (i = 0; i < s->nold_out; i++)
		sa_out_free(s->old_out[i]);
	for (i = 0; i < s->nold_in; i++)
		sa_in_free(s->old_in[i]);
	s->nold_out = s->nold_in = 0;
}

void
sas_free(struct sas *s)
{
	int port;

	if (s == NULL)
		return;
	for (port = 0; port < DP_MAX_PORTS; port++)
		retire(s, &s->e[port]);
	sas_release(s);
	free(s->old_out);
	free(s->old_in);
	free(s->e);
	free(s);
}

/* Make e's SAs from e->cr; on failure, none (its traffic is dropped). */
static void
make(struct sas *s, struct sa_entry *e)
{
	char *cause = NULL;

	e->made_ms = clock_ms();
	if ((e->out = sa_out_new(e->cr.cipher, e->cr.spi_out, e->cr.key_out,
		 s->nctx, 0, &cause)) == NULL ||
	    (e->in = sa_in_new(e->cr.cipher, e->cr.spi_in, e->cr.key_in,
		 s->window, s->nctx, &cause)) == NULL) {
		events_add(s->events, EV_CRYPTO, LOG_LEVEL_WARN, e->peer,
		    "no %s SA: %s; its traffic is dropped, never sent in "
		    "the clear",
		    esp_cipher_name(e->cr.cipher), cause);
		free(cause);
		sa_out_free(e->out);
		e->out = NULL;
		return;
	}
	events_add(s->events, EV_CRYPTO, LOG_LEVEL_INFO, e->peer,
	    "ESP %s, manual keys: SPI in 0x%08x, out 0x%08x",
	    esp_cipher_name(e->cr.cipher), e->cr.spi_in, e->cr.spi_out);
}

void
sas_sync(struct sas *s, uint16_t port, const char *peer,
    const struct cfg_crypto *cr)
{
	struct sa_entry *e = &s->e[port];
	static const struct cfg_crypto none;

	if (cr == NULL || !cr->encrypt)
		cr = &none;
	if (CRYPTO_memcmp(&e->cr, cr, sizeof *cr) == 0 &&
	    strcmp(e->peer, peer) == 0)
		return; /* same keys: the same SAs, counters and window */
	retire(s, e);
	if (!cr->encrypt)
		return;
	e->cr = *cr;
	snprintf(e->peer, sizeof e->peer, "%s", peer);
	if (cr->keying == KEYING_MANUAL)
		make(s, e);
	/* keying = auto: the control connection brings them. */
}

struct sa_out *
sas_out(const struct sas *s, uint16_t port)
{
	return s->e[port].out;
}

struct sa_in *
sas_in(const struct sas *s, uint16_t port)
{
	return s->e[port].in;
}

int
sas_restarts(struct sas *s)
{
	struct sa_entry *e;
	struct sa_in *in;
	char *cause = NULL;
	int port, n = 0;

	for (port = 0; port < DP_MAX_PORTS; port++) {
		e = &s->e[port];
		if (e->cr.keying != KEYING_MANUAL || e->in == NULL ||
		    !sa_in_peer_restarted(e->in))
			continue;
		if ((in = sa_in_new(e->cr.cipher, e->cr.spi_in, e->cr.key_in,
			 s->window, s->nctx, &cause)) == NULL) {
			log_warnx("peer %s: %s", e->peer, cause);
			free(cause);
			continue;
		}
		events_add(s->events, EV_CRYPTO, LOG_LEVEL_INFO, e->peer,
		    "the peer restarted with the same keys (authentic "
		    "packets, a later IV base, numbers from 1): new replay "
		    "window");
		retire_in(s, e->in);
		e->in = in;
		n++;
	}
	return n;
}

static void auto_json(const struct sas *, const struct sa_entry *, uint64_t,
    json_t *);

/* The higher of what we sealed and what the peer did, under these keys. */
static uint64_t
packets(const struct sa_entry *e)
{
	uint64_t out = e->out ? sa_out_sent(e->out) : 0,
		 in = e->in ? sa_in_top(e->in) : 0;

	return out > in ? out : in;
}

json_t *
sas_json(const struct sas *s, uint16_t port, uint64_t now_ms)
{
	const struct sa_entry *e = &s->e[port];
	json_t *o = json_object();

	json_object_set_new(o, "encrypted", json_boolean(e->cr.encrypt));
	if (!e->cr.encrypt)
		return o;
	json_object_set_new(o, "cipher",
	    json_string(esp_cipher_name(e->cr.cipher)));
	json_object_set_new(o, "keying",
	    json_string(e->cr.keying == KEYING_MANUAL ? "manual" : "auto"));
	json_object_set_new(o, "sa", json_boolean(e->out != NULL));
	json_object_set_new(o, "spi_in",
	    e->in ? json_integer(sa_in_spi(e->in)) : json_null());
	json_object_set_new(o, "spi_out",
	    e->out ? json_integer(sa_out_spi(e->out)) : json_null());
	json_object_set_new(o, "sa_age_s",
	    e->out ? json_integer((json_int_t)((now_ms - e->made_ms) / 1000))
		   : json_null());
	json_object_set_new(o, "packets_sealed",
	    json_integer(e->out ? (json_int_t)sa_out_sent(e->out) : 0));
	json_object_set_new(o, "highest_received",
	    json_integer(e->in ? (json_int_t)sa_in_top(e->in) : 0));
	json_object_set_new(o, "replay_window", json_integer(s->window));
	if (e->cr.keying == KEYING_MANUAL) {
		/* Never rekeyed: the operator changes the keys. */
		json_object_set_new(o, "packets_until_rekey", json_null());
		return o;
	}
	auto_json(s, e, now_ms, o);
	return o;
}

/* What keying = auto adds: the rekey figures and the connection. */
static void
auto_json(const struct sas *s, const struct sa_entry *e, uint64_t now_ms,
    json_t *o)
{
	const struct sas_link *l = &e->link;
	uint64_t used = packets(e), age = now_ms - e->made_ms;

	json_object_set_new(o, "packets_until_rekey",
	    e->out ? json_integer(used < s->rekey_packets
			     ? (json_int_t)(s->rekey_packets - used)
			     : 0)
		   : json_null());
	json_object_set_new(o, "rekey_in_s",
	    e->out ? json_integer(age < s->rekey_ms
			     ? (json_int_t)((s->rekey_ms - age) / 1000)
			     : 0)
		   : json_null());
	json_object_set_new(o, "epoch", json_integer(l->epoch));
	json_object_set_new(o, "rekeys", json_integer(l->rekeys));
	json_object_set_new(o, "draining", json_boolean(e->prev != NULL));
	json_object_set_new(o, "control",
	    json_pack("{s:s, s:s, s:s, s:s, s:I}", "state",
		l->state[0] ? l->state : "down", "why", l->why, "node", l->node,
		"remote", l->remote, "since_s",
		(json_int_t)(l->since_ms ? (now_ms - l->since_ms) / 1000 : 0)));
}

void
sas_set_rekey(struct sas *s, uint32_t rekey_ms, uint32_t rekey_packets)
{
	s->rekey_ms = rekey_ms;
	s->rekey_packets = rekey_packets;
}

bool
sas_spi_taken(const struct sas *s, uint32_t spi)
{
	const struct sa_entry *e;
	int port;

	for (port = 1; port < DP_MAX_PORTS; port++) {
		e = &s->e[port];
		if ((e->in && sa_in_spi(e->in) == spi) ||
		    (e->prev && sa_in_spi(e->prev) == spi))
			return true;
	}
	return false;
}

int
sas_auto_in(struct sas *s, uint16_t port, const struct sas_keys *k)
{
	struct sa_entry *e = &s->e[port];
	struct sa_in *in;
	char *cause = NULL;

	if ((in = sa_in_new(k->cipher, k->spi, k->keymat, s->window, s->nctx,
		 &cause)) == NULL) {
		log_warnx("peer %s: %s", e->peer, cause);
		free(cause);
		return -1;
	}
	retire_in(s, e->prev);
	e->prev = e->in;
	e->in = in;
	return 0;
}

int
sas_auto_out(struct sas *s, uint16_t port, const struct sas_keys *k)
{
	struct sa_entry *e = &s->e[port];
	struct sa_out *out;
	char *cause = NULL;

	if ((out = sa_out_new(k->cipher, k->spi, k->keymat, s->nctx, 0,
		 &cause)) == NULL) {
		log_warnx("peer %s: %s", e->peer, cause);
		free(cause);
		return -1;
	}
	retire_out(s, e->out);
	e->out = out;
	e->made_ms = clock_ms();
	return 0;
}

bool
sas_auto_drained(struct sas *s, uint16_t port)
{
	struct sa_entry *e = &s->e[port];

	if (e->prev == NULL)
		return false;
	retire_in(s, e->prev);
	e->prev = NULL;
	return true;
}

void
sas_auto_clear(struct sas *s, uint16_t port)
{
	retire_sas(s, &s->e[port]);
}

uint64_t
sas_auto_keyed_ms(const struct sas *s, uint16_t port)
{
	return s->e[port].out ? s->e[port].made_ms : 0;
}

uint64_t
sas_auto_packets(const struct sas *s, uint16_t port)
{
	return packets(&s->e[port]);
}

struct sa_in *
sas_in_prev(const struct sas *s, uint16_t port)
{
	return s->e[port].prev;
}

void
sas_set_link(struct sas *s, uint16_t port, const struct sas_link *l)
{
	s->e[port].link = *l;
}
