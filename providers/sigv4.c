/* sigv4.c: AWS Signature Version 4 canonical request and signature. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "buf.h"
#include "hex.h"
#include "sigv4.h"
#include "xmalloc.h"

static int
unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

char *
sigv4_uri_encode(const char *s, size_t len, int keep_slash)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/'))
			buf_addc(&b, (char)c);
		else
			buf_addf(&b, "%%%02X", c);
	}
	return buf_take(&b);
}

/* Percent-decode s[0..len) and re-encode it canonically. */
static char *
reencode(const char *s, size_t len)
{
	char *raw = xmalloc(len + 1), *out;
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hex_digit(s[i + 1]) >= 0 &&
		    hex_digit(s[i + 2]) >= 0) {
			raw[n++] = (char)(hex_digit(s[i + 1]) << 4 |
			    hex_digit(s[i + 2]));
			i += 2;
		} else
			raw[n++] = s[i];
	}
	out = sigv4_uri_encode(raw, n, 0);
	free(raw);
	return out;
}

/* Remove dot segments and empty segments; encode each segment. */
static char *
canonical_path(const char *path)
{
	const char *segs[128], *p = path, *e;
	size_t lens[128], n = 0, i;
	struct buf b = { 0 };
	char *enc;
	int trailing = path[0] != '\0' && path[strlen(path) - 1] == '/';

	while (*p != '\0') {
		while (*p == '/')
			p++;
		for (e = p; *e != '\0' && *e != '/'; e++)
			;
		if (e == p)
			break;
		if (e - p == 2 && p[0] == '.' && p[1] == '.') {
			if (n > 0)
				n--;
		} else if (!(e - p == 1 && p[0] == '.')) {
			if (n == 128)
				return NULL;
			segs[n] = p;
			lens[n++] = (size_t)(e - p);
		}
		p = e;
	}
	for (i = 0; i < n; i++) {
		buf_addc(&b, '/');
		enc = sigv4_uri_encode(segs[i], lens[i], 0);
		buf_adds(&b, enc);
		free(enc);
	}
	if (n == 0 || trailing)
		buf_addc(&b, '/');
	return buf_take(&b);
}

static int
cmp_param(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	int c = strcmp(x[0], y[0]);

	return c != 0 ? c : strcmp(x[1], y[1]);
}

/* Parameters decoded, re-encoded, sorted by name then value. */
static char *
canonical_query(const char *q)
{
	char *(*params)[2] = NULL;
	const char *p = q, *amp, *eq;
	size_t n = 0, i;
	struct buf b = { 0 };

	while (p != NULL && *p != '\0') {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		if (amp > p) {
			eq = memchr(p, '=', (size_t)(amp - p));
			params = xreallocarray(params, n + 1, sizeof *params);
			params[n][0] = reencode(p, (size_t)((eq ? eq : amp) - p));
			params[n][1] = eq ? reencode(eq + 1, (size_t)(amp - eq - 1))
					  : xstrdup("");
			n++;
		}
		p = *amp ? amp + 1 : amp;
	}
	if (n > 0)
		qsort(params, n, sizeof *params, cmp_param);
	for (i = 0; i < n; i++) {
		buf_addf(&b, "%s%s=%s", i ? "&" : "", params[i][0], params[i][1]);
		free(params[i][0]);
		free(params[i][1]);
	}
	free(params);
	return buf_take(&b);
}

struct canon_header {
	char *name;		/* lower case */
	struct buf value;	/* trimmed, runs of white space folded */
};

static int
cmp_header(const void *a, const void *b)
{
	return strcmp(((const struct canon_header *)a)->name,
	    ((const struct canon_header *)b)->name);
}

/* Append value trimmed, with each run of white space as one space. */
static void
fold_value(struct buf *b, const char *v)
{
	int space = 0, started = 0;

	for (; *v != '\0'; v++) {
		if (isspace((unsigned char)*v)) {
			space = started;
			continue;
		}
		if (space)
			buf_addc(b, ' ');
		buf_addc(b, *v);
		space = 0;
		started = 1;
	}
}

static void
add_header(struct canon_header **hs, size_t *n, const char *name,
    const char *value)
{
	struct canon_header *h = NULL;
	char *lc = xstrdup(name), *c;
	size_t i;

	for (c = lc; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	for (i = 0; i < *n; i++)
		if (strcmp((*hs)[i].name, lc) == 0)
			h = &(*hs)[i];
	if (h != NULL) {
		/* Repeated header: values joined with commas, in order. */
		buf_addc(&h->value, ',');
		free(lc);
	} else {
		*hs = xreallocarray(*hs, *n + 1, sizeof **hs);
		h = &(*hs)[(*n)++];
		h->name = lc;
		memset(&h->value, 0, sizeof h->value);
	}
	fold_value(&h->value, value);
}

/* Canonical headers block and the signed header list. */
static void
canonical_headers(const struct sigv4_request *r, struct buf *block,
    struct buf *signed_list)
{
	struct canon_header *hs = NULL;
	size_t n = 0, i;

	for (i = 0; i < r->nheaders; i++)
		add_header(&hs, &n, r->headers[i].name, r->headers[i].value);
	if (r->session_token != NULL)
		add_header(&hs, &n, "x-amz-security-token", r->session_token);
	if (n > 0)
		qsort(hs, n, sizeof *hs, cmp_header);
	for (i = 0; i < n; i++) {
		buf_addf(block, "%s:%s\n", hs[i].name,
		    hs[i].value.p ? hs[i].value.p : "");
		buf_addf(signed_list, "%s%s", i ? ";" : "", hs[i].name);
		free(hs[i].name);
		buf_free(&hs[i].value);
	}
	free(hs);
}

static void
sha256_hex(const void *p, size_t n, char out[2 * SHA256_DIGEST_LENGTH + 1])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(p, n, md);
	hex_encode(md, sizeof md, out);
}

/* The canonical request, and the signed header list in *signed_out. */
static char *
canonical(const struct sigv4_request *r, char **signed_out)
{
	struct buf b = { 0 }, block = { 0 }, sl = { 0 };
	char *path, *query, payload[2 * SHA256_DIGEST_LENGTH + 1];

	if (r->method == NULL || r->path == NULL || r->path[0] != '/' ||
	    (path = canonical_path(r->path)) == NULL)
		return NULL;
	query = canonical_query(r->query);
	canonical_headers(r, &block, &sl);
	sha256_hex(r->body ? (const void *)r->body : "", r->body_len, payload);
	buf_addf(&b, "%s\n%s\n%s\n%s\n%s\n%s", r->method, path, query,
	    block.p ? block.p : "", sl.p ? sl.p : "", payload);
	free(path);
	free(query);
	buf_free(&block);
	if (signed_out != NULL)
		*signed_out = buf_take(&sl);
	else
		buf_free(&sl);
	return buf_take(&b);
}

char *
sigv4_canonical_request(const struct sigv4_request *r)
{
	return canonical(r, NULL);
}

static int
valid_date(const char *d)
{
	return d != NULL && strlen(d) == 16 && d[8] == 'T' && d[15] == 'Z';
}

char *
sigv4_string_to_sign(const struct sigv4_request *r)
{
	char *creq, digest[2 * SHA256_DIGEST_LENGTH + 1], *sts;

	if (!valid_date(r->amz_date) || (creq = canonical(r, NULL)) == NULL)
		return NULL;
	sha256_hex(creq, strlen(creq), digest);
	xasprintf(&sts, "AWS4-HMAC-SHA256\n%s\n%.8s/%s/%s/aws4_request\n%s",
	    r->amz_date, r->amz_date, r->region, r->service, digest);
	free(creq);
	return sts;
}

static void
hmac(const unsigned char *key, size_t klen, const char *msg,
    unsigned char out[SHA256_DIGEST_LENGTH])
{
	unsigned int len = SHA256_DIGEST_LENGTH;

	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
	    strlen(msg), out, &len);
}

char *
sigv4_authorization(const struct sigv4_request *r)
{
	unsigned char k[SHA256_DIGEST_LENGTH], k2[SHA256_DIGEST_LENGTH];
	char date[9], *sts, *signed_list, *creq, *authz, *secret;
	char sig[2 * SHA256_DIGEST_LENGTH + 1];

	if ((sts = sigv4_string_to_sign(r)) == NULL)
		return NULL;
	creq = canonical(r, &signed_list);
	free(creq);
	memcpy(date, r->amz_date, 8);
	date[8] = '\0';
	xasprintf(&secret, "AWS4%s", r->secret_key);
	hmac((unsigned char *)secret, strlen(secret), date, k);
	hmac(k, sizeof k, r->region, k2);
	hmac(k2, sizeof k2, r->service, k);
	hmac(k, sizeof k, "aws4_request", k2);
	hmac(k2, sizeof k2, sts, k);
	hex_encode(k, sizeof k, sig);
	xasprintf(&authz, "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, "
	    "SignedHeaders=%s, Signature=%s", r->access_key, date, r->region,
	    r->service, signed_list, sig);
	OPENSSL_cleanse(secret, strlen(secret));
	OPENSSL_cleanse(k, sizeof k);
	OPENSSL_cleanse(k2, sizeof k2);
	free(secret);
	free(signed_list);
	free(sts);
	return authz;
}
