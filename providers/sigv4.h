/*
 * sigv4.h: AWS Signature Version 4 (HMAC-SHA256) request signing.
 *
 * Builds the canonical request (normalized path, sorted and re-encoded
 * query, lower-cased and trimmed headers, SHA-256 of the payload), the
 * string to sign and the Authorization header, as the official AWS test
 * suite defines them.  Paths are normalized (dot segments, repeated
 * slashes) as every service but S3 expects.  Pure functions: no I/O.
 * Secrets are wiped from the derived keys before returning.
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stddef.h>
#include <stdint.h>

struct sigv4_header {
	const char *name;
	const char *value;
};

struct sigv4_request {
	const char *method;
	const char *path;		/* as sent, not yet percent-encoded */
	const char *query;		/* without '?', may be NULL */
	const struct sigv4_header *headers;	/* all signed */
	size_t nheaders;
	const uint8_t *body;
	size_t body_len;
	const char *amz_date;		/* YYYYMMDDTHHMMSSZ */
	const char *region;
	const char *service;
	const char *access_key;
	const char *secret_key;
	const char *session_token;	/* NULL, or signed as x-amz-security-token */
};

/* Each returns a string the caller frees, or NULL on malformed input. */
char *sigv4_canonical_request(const struct sigv4_request *);
char *sigv4_string_to_sign(const struct sigv4_request *);
char *sigv4_authorization(const struct sigv4_request *);
/* RFC 3986 encoding of all but A-Z a-z 0-9 - . _ ~ (and '/' if keep_slash). */
char *sigv4_uri_encode(const char *s, size_t len, int keep_slash);

#endif
