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
	uint64_t made_ms;
	char peer[DP_NAME_MAX];
};

struct sas {
	int nctx;
	unsigned window;
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
retire(struct sas *s, struct sa_entry *e)
{
	if (e->out != NULL) {
		s->old_out = xreallocarray(s->old_out, (size_t)s->nold_out + 1,
		    sizeof *s->old_out);
		s->old_out[s->nold_out++] = e->out;
	}
	retire_in(s, e->in);
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
	make(s, e);
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
		if (e->in == NULL || !sa_in_peer_restarted(e->in))
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
	json_object_set_new(o, "keying", json_string("manual"));
	json_object_set_new(o, "sa", json_boolean(e->out != NULL));
	json_object_set_new(o, "spi_in", json_integer(e->cr.spi_in));
	json_object_set_new(o, "spi_out", json_integer(e->cr.spi_out));
	json_object_set_new(o, "sa_age_s",
	    json_integer((json_int_t)((now_ms - e->made_ms) / 1000)));
	json_object_set_new(o, "packets_sealed",
	    json_integer(e->out ? (json_int_t)sa_out_sent(e->out) : 0));
	json_object_set_new(o, "highest_received",
	    json_integer(e->in ? (json_int_t)sa_in_top(e->in) : 0));
	/* Manual SAs are never rekeyed: the operator changes the keys. */
	json_object_set_new(o, "packets_until_rekey", json_null());
	json_object_set_new(o, "replay_window", json_integer(s->window));
	return o;
}
