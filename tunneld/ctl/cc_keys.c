/*
 * cc_keys.c: the SAs from the exporter, epoch by epoch, make-before-break
 * (cc_priv.h, cc.h's "Keys"), and when they drain, renew and expire.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "cc_priv.h"
#include "net/cursor.h"
#include "events.h"
#include "log.h"

/* The SAs of epoch for c's two directions; 0 or -1. */
static int
derive(struct cc_conn *c, uint32_t epoch, struct sas_keys *in,
    struct sas_keys *out)
{
	const struct cfg_crypto *cr = &c->cc->peers[c->port].cr;
	uint8_t k[KEYS_LEN];
	/* The first half is the client's to send, the second the server's. */
	const uint8_t *mine = c->client ? k : k + KEYS_LEN / 2,
		      *theirs = c->client ? k + KEYS_LEN / 2 : k;

	if (tls_export(c->ssl, epoch, k, sizeof k) != 0)
		return -1;
	in->cipher = out->cipher = cr->cipher;
	memcpy(out->keymat, mine, ESP_KEYMAT);
	memcpy(in->keymat, theirs, ESP_KEYMAT);
	out->spi = get_u32(mine + ESP_KEYMAT);
	in->spi = get_u32(theirs + ESP_KEYMAT);
	/* 0 to 255 are reserved (RFC 4303 2.1). */
	if (out->spi < 256)
		out->spi |= 0x100;
	if (in->spi < 256)
		in->spi |= 0x100;
	OPENSSL_cleanse(k, sizeof k);
	return 0;
}

static void
keyed(struct cc_conn *c, uint32_t epoch, const struct sas_keys *in,
    const struct sas_keys *out)
{
	struct cc *cc = c->cc;
	struct cc_peer *p = &cc->peers[c->port];
	bool first = c->epoch == 0;

	c->epoch = epoch;
	p->drain_ms = clock_ms() + CC_DRAIN_MS;
	p->link.epoch = epoch;
	p->link.rekeys++;
	cc->n.rekeys++;
	cc_link_state(cc, c->port, "up", "");
	if (first)
		events_add(cc->ev, EV_CRYPTO, LOG_LEVEL_INFO, p->name,
		    "ESP %s keyed by the control connection: SPI in 0x%08x, "
		    "out 0x%08x",
		    esp_cipher_name(in->cipher), in->spi, out->spi);
	else
		log_debug("peer %s: rekeyed (epoch %u): SPI in 0x%08x, out "
			  "0x%08x",
		    p->name, epoch, in->spi, out->spi);
}

/* The client starts epoch n + 1 (or the next with a free SPI). */
int
cc_start_rekey(struct cc_conn *c)
{
	struct cc *cc = c->cc;
	struct sas_keys in = { 0 }, out = { 0 };
	uint32_t n = c->epoch + 1;
	int rc = -1;

	while (derive(c, n, &in, &out) == 0 && sas_spi_taken(cc->sas, in.spi))
		n++; /* a 2^-32 chance a time: the next epoch's SPI */
	if (in.spi == 0 || sas_auto_in(cc->sas, c->port, &in) != 0) {
		cc_conn_close(c, LOG_LEVEL_WARN, "no SA could be made");
		goto out;
	}
	rt_republish(cc->rt);
	/*
	 * The SA before in drains only once the peer switched (the ack):
	 * until then it is the one the peer sends on.
	 */
	cc->peers[c->port].drain_ms = 0;
	c->pending = n;
	c->pending_ms = clock_ms();
	rc = cc_conn_send(c, CC_REKEY,
	    json_pack("{s:I}", "epoch", (json_int_t)n));
out:
	OPENSSL_cleanse(&in, sizeof in);
	OPENSSL_cleanse(&out, sizeof out);
	return rc;
}

int
cc_on_rekey(struct cc_conn *c, const json_t *body)
{
	struct cc *cc = c->cc;
	struct sas_keys in, out;
	const char *why;
	uint32_t n;
	int rc = -1;

	if (c->client || cc_epoch_parse(body, &n, &why) != 0 || n <= c->epoch) {
		cc_conn_refuse(c, "a rekey out of turn or order");
		return -1;
	}
	if (derive(c, n, &in, &out) != 0 || sas_spi_taken(cc->sas, in.spi)) {
		c->epoch = n; /* skipped: the client tries the next */
		rc = cc_conn_send(c, CC_REKEY_NAK,
		    json_pack("{s:I, s:s}", "epoch", (json_int_t)n, "reason",
			"SPI taken"));
		goto out;
	}
	if (sas_auto_in(cc->sas, c->port, &in) != 0 ||
	    sas_auto_out(cc->sas, c->port, &out) != 0) {
		cc_conn_close(c, LOG_LEVEL_WARN, "no SA could be made");
		goto out;
	}
	rt_republish(cc->rt);
	keyed(c, n, &in, &out);
	rc = cc_conn_send(c, CC_REKEY_ACK,
	    json_pack("{s:I}", "epoch", (json_int_t)n));
out:
	OPENSSL_cleanse(&in, sizeof in);
	OPENSSL_cleanse(&out, sizeof out);
	return rc;
}

int
cc_on_ack(struct cc_conn *c, int type, const json_t *body)
{
	struct cc *cc = c->cc;
	struct sas_keys in, out;
	const char *why;
	uint32_t n;
	int rc = -1;

	if (!c->client || cc_epoch_parse(body, &n, &why) != 0 ||
	    n != c->pending) {
		cc_conn_refuse(c, "a rekey answer for no rekey sent");
		return -1;
	}
	c->pending = 0;
	if (type == CC_REKEY_NAK) {
		c->epoch = n; /* the next tick tries n + 1 */
		return 0;
	}
	if (derive(c, n, &in, &out) != 0 ||
	    sas_auto_out(cc->sas, c->port, &out) != 0) {
		cc_conn_close(c, LOG_LEVEL_WARN, "no SA could be made");
		goto out;
	}
	rt_republish(cc->rt);
	keyed(c, n, &in, &out);
	rc = 0;
out:
	OPENSSL_cleanse(&in, sizeof in);
	OPENSSL_cleanse(&out, sizeof out);
	return rc;
}

bool
cc_keys_tick(struct cc *cc, uint16_t port, uint64_t now)
{
	struct cc_peer *p = &cc->peers[port];
	const struct cfg_tls *t = &cc_cfg(cc)->tls;
	struct cc_conn *c = p->conn;
	uint64_t keyed = sas_auto_keyed_ms(cc->sas, port),
		 used = sas_auto_packets(cc->sas, port),
		 hard = 2ull * t->rekey_packets,
		 /* Time to notice a dead connection and make a new one. */
	    lifetime = t->rekey_ms +
	    (t->rekey_ms > CC_DEAD_MS + CC_HANDSHAKE_MS
		    ? t->rekey_ms
		    : CC_DEAD_MS + CC_HANDSHAKE_MS);

	if (p->drain_ms != 0 && now >= p->drain_ms) {
		p->drain_ms = 0;
		if (sas_auto_drained(cc->sas, port))
			rt_republish(cc->rt);
	}
	if (hard > HARD_PACKETS_MAX)
		hard = HARD_PACKETS_MAX;
	if (keyed != 0 && (c == NULL || c->st != C_UP) &&
	    (now - keyed >= lifetime || used >= hard)) {
		sas_auto_clear(cc->sas, port);
		rt_republish(cc->rt);
		events_add(cc->ev, EV_CRYPTO, LOG_LEVEL_WARN, p->name,
		    "the SAs expired with no control connection to renew "
		    "them (%s): traffic stops until it is back",
		    p->link.why[0] ? p->link.why : p->link.state);
	}
	if (c == NULL)
		return false;
	if (c->pending != 0 && now - c->pending_ms >= CC_REKEY_WAIT_MS) {
		cc_conn_close(c, LOG_LEVEL_WARN,
		    "no answer to a rekey in 10 s");
		return true;
	}
	if (c->client && c->pending == 0 &&
	    (keyed == 0 || now - keyed >= t->rekey_ms ||
		used >= t->rekey_packets)) {
		(void)cc_start_rekey(c);
		return true;
	}
	return false;
}
