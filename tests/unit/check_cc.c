/*
 * check_cc.c: the control connection's messages, and its TLS between two
 * ends in this process (a socketpair): certificates made here, the
 * peer's checks, PSKs and the exporter.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "check_main.h"
#include "ctl/cc_msg.h"
#include "ctl/tls.h"

/* Messages. */

START_TEST(frames_round_trip)
{
	struct buf b = { 0 };
	json_t *body = json_pack("{s:i}", "epoch", 7), *got = NULL;
	const char *why = NULL;
	size_t used = 0;
	uint32_t epoch;
	int type;

	cc_msg_encode(&b, CC_REKEY, body);
	cc_msg_encode(&b, CC_KEEPALIVE, NULL);
	json_decref(body);
	ck_assert_uint_eq((uint8_t)b.p[0], CC_PROTO);
	ck_assert_int_eq(cc_msg_decode((uint8_t *)b.p, 3, &used, &type, &got,
			     &why),
	    CC_MSG_MORE);
	ck_assert_int_eq(cc_msg_decode((uint8_t *)b.p, b.len - 6, &used, &type,
			     &got, &why),
	    CC_MSG_OK);
	ck_assert_int_eq(type, CC_REKEY);
	ck_assert_int_eq(cc_epoch_parse(got, &epoch, &why), 0);
	ck_assert_uint_eq(epoch, 7);
	json_decref(got);
	ck_assert_int_eq(cc_msg_decode((uint8_t *)b.p + used, b.len - used,
			     &used, &type, &got, &why),
	    CC_MSG_OK);
	ck_assert_int_eq(type, CC_KEEPALIVE);
	ck_assert_str_eq(cc_type_name(type), "keepalive");
	ck_assert_str_eq(cc_type_name(200), "unknown");
	json_decref(got);
	buf_free(&b);
}
END_TEST

static const struct {
	const char *bytes;
	size_t len;
	const char *why;
} bad_frames[] = {
	{ "\x02\x01\x00\x02{}", 6, "another protocol version" },
	{ "\x01\x01\xff\xff", 4, "longer than the maximum" },
	{ "\x01\x01\x00\x03[1]", 7, "not a JSON object" },
	{ "\x01\x01\x00\x07{\"a\":1,", 11, "not a JSON object" },
	{ "\x01\x01\x00\x0d{\"a\":1,\"a\":2}", 17, "not a JSON object" },
};

START_TEST(bad_frames_refused)
{
	const char *why = NULL;
	json_t *body = NULL;
	size_t used;
	int type;

	ck_assert_int_eq(cc_msg_decode((const uint8_t *)bad_frames[_i].bytes,
			     bad_frames[_i].len, &used, &type, &body, &why),
	    CC_MSG_BAD);
	ck_assert_ptr_null(body);
	ck_assert_msg(strstr(why, bad_frames[_i].why) != NULL, "%d: %s", _i,
	    why);
}
END_TEST

START_TEST(hello_fields_checked)
{
	struct cc_hello h = { .proto = 1,
		.hub = true,
		.caps = CC_CAP_ESP,
		.nsegments = 1 },
			got;
	const char *why;
	json_t *o;

	strcpy(h.node, "hub");
	strcpy(h.version, "0.1.0");
	strcpy(h.cipher, "aes-256-gcm");
	strcpy(h.segments[0].name, "pod");
	h.segments[0].vni = 100;
	o = cc_hello_json(&h);
	ck_assert_int_eq(cc_hello_parse(o, &got, &why), 0);
	ck_assert(got.hub && got.caps == CC_CAP_ESP && got.nsegments == 1);
	ck_assert_uint_eq(got.segments[0].vni, 100);
	/* Capabilities this version does not know are ignored. */
	json_array_append_new(json_object_get(o, "capabilities"),
	    json_string("teleport"));
	ck_assert_int_eq(cc_hello_parse(o, &got, &why), 0);
	ck_assert_uint_eq(got.caps, CC_CAP_ESP);
	json_object_set_new(o, "role", json_string("king"));
	ck_assert_int_eq(cc_hello_parse(o, &got, &why), -1);
	ck_assert_str_eq(why, "hello: role");
	json_object_set_new(o, "role", json_string("spoke"));
	json_object_set_new(o, "node", json_string("a\nb"));
	ck_assert_int_eq(cc_hello_parse(o, &got, &why), -1);
	ck_assert_str_eq(why, "hello: node");
	json_object_set_new(o, "node", json_string("spoke1"));
	json_object_set_new(json_array_get(json_object_get(o, "segments"), 0),
	    "vni", json_integer(1 << 24));
	ck_assert_int_eq(cc_hello_parse(o, &got, &why), -1);
	ck_assert_str_eq(why, "hello: segments");
	json_decref(o);
	o = json_pack("{s:I}", "epoch", (json_int_t)1 << 32);
	ck_assert_int_eq(cc_epoch_parse(o, &h.caps, &why), -1);
	json_decref(o);
}
END_TEST

/* TLS: a CA, node certificates and PSKs made here. */

static char dir[64];

static EVP_PKEY *
new_key(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ck_assert_ptr_nonnull(e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value));
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/* A certificate for cn, valid from..to days from now, by ca (NULL: self). */
static X509 *
make_cert(const char *cn, EVP_PKEY *k, X509 *ca, EVP_PKEY *cakey, long from,
    long to)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	char san[80];

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), from * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to * 86400);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, ca ? X509_get_subject_name(ca) : n);
	if (ca == NULL) {
		add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, x, NID_key_usage, "critical,keyCertSign");
	} else {
		snprintf(san, sizeof san, "DNS:%s", cn);
		add_ext(x, ca, NID_subject_alt_name, san);
		add_ext(x, ca, NID_ext_key_usage, "serverAuth,clientAuth");
	}
	ck_assert_int_gt(X509_sign(x, ca ? cakey : k, EVP_sha256()), 0);
	X509_NAME_free(n);
	return x;
}

static void
write_pem(const char *name, X509 *x, EVP_PKEY *k)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	if (x != NULL)
		PEM_write_X509(f, x);
	else
		PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
}

/* name.pem and name.key, signed by ca, valid from..to days. */
static void
make_node(const char *file, const char *cn, X509 *ca, EVP_PKEY *cakey,
    long from, long to)
{
	EVP_PKEY *k = new_key();
	X509 *x = make_cert(cn, k, ca, cakey, from, to);
	char name[64];

	snprintf(name, sizeof name, "%s.pem", file);
	write_pem(name, x, NULL);
	snprintf(name, sizeof name, "%s.key", file);
	write_pem(name, NULL, k);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void
make_pki(void)
{
	EVP_PKEY *ka = new_key(), *kb = new_key();
	X509 *a = make_cert("CA a", ka, NULL, NULL, -1, 30),
	     *b = make_cert("CA b", kb, NULL, NULL, -1, 30);

	strcpy(dir, "/tmp/check_cc.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_pem("a.pem", a, NULL);
	make_node("hub", "hub", a, ka, -1, 30);
	make_node("spoke1", "spoke1", a, ka, -1, 30);
	make_node("expired", "spoke1", a, ka, -10, -1);
	make_node("stranger", "spoke1", b, kb, -1, 30);
	X509_free(a);
	X509_free(b);
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
}

static void
rm_pki(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A context with a/NAME's files (NULL: none, PSK only). */
static struct tls_ctx *
ctx_for(const char *name)
{
	struct cfg_tls t = { 0 };
	struct tls_ctx *tc;
	const char *which;
	char *cause = NULL;

	if (name != NULL) {
		snprintf(t.ca, sizeof t.ca, "%s/a.pem", dir);
		snprintf(t.cert, sizeof t.cert, "%s/%s.pem", dir, name);
		snprintf(t.key, sizeof t.key, "%s/%s.key", dir, name);
	}
	tc = tls_ctx_new(&t, &which, &cause);
	ck_assert_msg(tc != NULL, "%s: %s", which, cause);
	return tc;
}

struct end {
	SSL *ssl;
	int rc; /* 1 done, -1 failed, 0 going */
	char why[256];
};

static void
step(struct end *e)
{
	int r, err;

	if (e->rc != 0)
		return;
	if ((r = SSL_do_handshake(e->ssl)) == 1) {
		e->rc = 1;
		return;
	}
	err = SSL_get_error(e->ssl, r);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return;
	tls_why(e->ssl, r, e->why, sizeof e->why);
	e->rc = -1;
}

/* TLS 1.3: the client is done first; an alert comes when it reads. */
static void
read_alert(struct end *c)
{
	char b;
	int r = SSL_read(c->ssl, &b, 1);

	if (r <= 0 && SSL_get_error(c->ssl, r) != SSL_ERROR_WANT_READ) {
		tls_why(c->ssl, r, c->why, sizeof c->why);
		c->rc = -1;
	}
}

/*
 * Handshake a client (cc: how it checks the server) over a socketpair
 * with a server (sc): each end's result in c, s.
 */
static void
handshake(struct tls_ctx *ctc, const struct cfg_crypto *cc, struct tls_ctx *stc,
    const struct cfg_crypto *sc, struct end *c, struct end *s)
{
	char *cause = NULL;
	int sv[2], i;

	memset(c, 0, sizeof *c);
	memset(s, 0, sizeof *s);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
			     sv),
	    0);
	ck_assert_ptr_nonnull(
	    c->ssl = tls_new(ctc, sv[0], true, cc, "spoke1", &cause));
	ck_assert_ptr_nonnull(
	    s->ssl = tls_new(stc, sv[1], false, sc, "hub", &cause));
	for (i = 0; i < 50 && (c->rc == 0 || s->rc == 0); i++) {
		step(c);
		step(s);
		if (c->rc == 1 && s->rc == 0)
			read_alert(c);
	}
	if (c->rc == 1 && s->rc == -1)
		read_alert(c); /* what the server said as it failed */
}

static void
done(struct end *c, struct end *s)
{
	int fd0 = SSL_get_fd(c->ssl), fd1 = SSL_get_fd(s->ssl);

	tls_free(c->ssl);
	tls_free(s->ssl);
	close(fd0);
	close(fd1);
}

START_TEST(certificates_pinned_and_exported)
{
	struct tls_ctx *hub, *spoke;
	struct cfg_crypto to_hub = { .encrypt = true }, to_spoke = to_hub;
	uint8_t k1[80], k2[80], k3[80];
	struct end c, s;
	char pin[80], cmd[256];
	FILE *p;

	make_pki();
	hub = ctx_for("hub");
	spoke = ctx_for("spoke1");
	strcpy(to_hub.tls_name, "hub");
	strcpy(to_spoke.tls_name, "spoke1");
	snprintf(cmd, sizeof cmd,
	    "openssl x509 -in %s/hub.pem -pubkey -noout | openssl pkey -pubin "
	    "-outform DER | openssl dgst -sha256 -r",
	    dir);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(pin, sizeof pin, p));
	pclose(p);
	pin[64] = '\0';
	ck_assert_int_eq(tls_pin_parse(pin, to_hub.pin), 0);
	to_hub.pinned = true;
	handshake(spoke, &to_hub, hub, &to_spoke, &c, &s);
	ck_assert_msg(c.rc == 1 && s.rc == 1, "%s / %s", c.why, s.why);
	ck_assert_ptr_null(tls_check(c.ssl));
	ck_assert_ptr_null(tls_check(s.ssl));
	ck_assert_int_eq(tls_export(c.ssl, 1, k1, sizeof k1), 0);
	ck_assert_int_eq(tls_export(s.ssl, 1, k2, sizeof k2), 0);
	ck_assert_int_eq(tls_export(s.ssl, 2, k3, sizeof k3), 0);
	ck_assert_mem_eq(k1, k2, sizeof k1);
	ck_assert(memcmp(k1, k3, sizeof k1) != 0);
	done(&c, &s);
	/* Another key pinned: the client refuses the hub in the handshake. */
	to_hub.pin[0] ^= 1;
	handshake(spoke, &to_hub, hub, &to_spoke, &c, &s);
	ck_assert_int_eq(c.rc, -1);
	ck_assert_msg(strstr(c.why, "is not the pinned one") != NULL, "%s",
	    c.why);
	done(&c, &s);
	tls_ctx_free(hub);
	tls_ctx_free(spoke);
	rm_pki();
}
END_TEST

static const struct {
	const char *client; /* its files */
	const char *name;   /* what the hub wants it to be */
	const char *hub_says;
} refused[] = {
	{ "stranger", "", "unable to get local issuer certificate" },
	{ "expired", "", "certificate has expired" },
	{ "spoke1", "spoke9", "(/CN=spoke1) does not name spoke9" },
};

START_TEST(wrong_certificates_refused)
{
	struct tls_ctx *hub, *spoke;
	struct cfg_crypto to_hub = { .encrypt = true }, to_spoke = to_hub;
	struct end c, s;

	make_pki();
	hub = ctx_for("hub");
	spoke = ctx_for(refused[_i].client);
	strcpy(to_spoke.tls_name, refused[_i].name);
	handshake(spoke, &to_hub, hub, &to_spoke, &c, &s);
	ck_assert_int_eq(s.rc, -1);
	ck_assert_msg(strstr(s.why, refused[_i].hub_says) != NULL, "%s", s.why);
	ck_assert_int_eq(c.rc, -1); /* the client reads the alert */
	ck_assert_msg(strstr(c.why, "alert") != NULL, "%s", c.why);
	done(&c, &s);
	tls_ctx_free(hub);
	tls_ctx_free(spoke);
	rm_pki();
}
END_TEST

START_TEST(psk_both_ways)
{
	struct tls_ctx *a = ctx_for(NULL), *b = ctx_for(NULL);
	struct cfg_crypto ca = { .encrypt = true, .psk_len = 32 }, cb = ca;
	uint8_t k1[80], k2[80];
	struct end c, s;
	char subject[64];

	memset(ca.psk, 0x42, 32);
	memset(cb.psk, 0x42, 32);
	handshake(a, &ca, b, &cb, &c, &s);
	ck_assert_msg(c.rc == 1 && s.rc == 1, "%s / %s", c.why, s.why);
	ck_assert_ptr_null(tls_check(c.ssl));
	ck_assert_ptr_null(tls_check(s.ssl));
	tls_peer_subject(s.ssl, subject, sizeof subject);
	ck_assert_str_eq(subject, "PSK spoke1");
	ck_assert_int_eq(tls_export(c.ssl, 9, k1, sizeof k1), 0);
	ck_assert_int_eq(tls_export(s.ssl, 9, k2, sizeof k2), 0);
	ck_assert_mem_eq(k1, k2, sizeof k1);
	done(&c, &s);
	cb.psk[31] = 0x43;
	handshake(a, &ca, b, &cb, &c, &s);
	ck_assert_int_eq(s.rc, -1);
	ck_assert_msg(strstr(s.why, "the peer's PSK is not ours") != NULL, "%s",
	    s.why);
	ck_assert_int_eq(c.rc, -1);
	ck_assert_msg(strstr(c.why, "is the PSK the same at both ends?") !=
		NULL,
	    "%s", c.why);
	done(&c, &s);
	tls_ctx_free(a);
	tls_ctx_free(b);
}
END_TEST

START_TEST(pins_parsed)
{
	uint8_t pin[CFG_PIN_LEN];
	char text[80];

	memset(text, 'a', 64);
	text[64] = '\0';
	ck_assert_int_eq(tls_pin_parse(text, pin), 0);
	ck_assert_uint_eq(pin[31], 0xaa);
	ck_assert_int_eq(tls_pin_parse("sha256:00", pin), -1);
	text[3] = 'g';
	ck_assert_int_eq(tls_pin_parse(text, pin), -1);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("cc");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, frames_round_trip);
	tcase_add_loop_test(tc, bad_frames_refused, 0,
	    sizeof bad_frames / sizeof bad_frames[0]);
	tcase_add_test(tc, hello_fields_checked);
	tcase_add_test(tc, certificates_pinned_and_exported);
	tcase_add_loop_test(tc, wrong_certificates_refused, 0,
	    sizeof refused / sizeof refused[0]);
	tcase_add_test(tc, psk_both_ways);
	tcase_add_test(tc, pins_parsed);
	suite_add_tcase(s, tc);
	return s;
}
