/*
 * check_sigv4.c: every case of the official AWS SigV4 test suite.
 *
 * Each case directory holds NAME.req (the request) and the expected
 * canonical request (.creq), string to sign (.sts) and Authorization
 * header (.authz); all three must match byte for byte.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "check_main.h"
#include "sigv4.h"
#include "xmalloc.h"

enum { MAX_CASES = 64, MAX_HEADERS = 16 };

static char *cases[MAX_CASES];
static int ncases;

static char *
slurp(const char *dir, const char *name, const char *ext)
{
	char path[1024];
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_take(&b);
}

static void
find_cases(const char *dir)
{
	char path[1024], *req;
	const char *base = strrchr(dir, '/') + 1;
	struct dirent *e;
	struct stat st;
	DIR *d;

	if ((req = slurp(dir, base, "req")) != NULL && ncases < MAX_CASES) {
		cases[ncases++] = xstrdup(dir);
		free(req);
	}
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			find_cases(path);
	}
	closedir(d);
}

struct parsed {
	char *text;
	struct sigv4_header h[MAX_HEADERS];
	struct sigv4_request r;
};

/* Split "METHOD PATH?QUERY HTTP/1.1", headers (with continuations), body. */
static void
parse_req(struct parsed *p, char *text)
{
	char *line, *next, *sp, *proto, *q;
	size_t n = 0;

	memset(p, 0, sizeof *p);
	p->text = text;
	next = strchr(text, '\n');
	*next++ = '\0';
	sp = strchr(text, ' ');
	*sp = '\0';
	p->r.method = text;
	proto = strstr(sp + 1, " HTTP/1.1");
	*proto = '\0';
	p->r.path = sp + 1;
	if ((q = strchr(sp + 1, '?')) != NULL) {
		*q = '\0';
		p->r.query = q + 1;
	}
	for (line = next; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0')
			break;
		if ((*line == ' ' || *line == '\t') && n > 0) {
			line[-1] = ' ';	/* continuation joins its header */
			continue;
		}
		ck_assert_int_lt(n, MAX_HEADERS);
		p->h[n].name = line;
		sp = strchr(line, ':');
		*sp = '\0';
		p->h[n++].value = sp + 1;
	}
	p->r.headers = p->h;
	p->r.nheaders = n;
	p->r.body = (const uint8_t *)(next ? next : "");
	p->r.body_len = next ? strlen(next) : 0;
	p->r.amz_date = "20150830T123600Z";
	p->r.region = "us-east-1";
	p->r.service = "service";
	p->r.access_key = "AKIDEXAMPLE";
	p->r.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
}

static void
expect(const char *dir, const char *name, const char *ext, char *got)
{
	char *want = slurp(dir, name, ext);

	ck_assert_msg(want != NULL, "%s: no .%s", name, ext);
	ck_assert_msg(got != NULL, "%s: signer refused the request", name);
	ck_assert_msg(strcmp(got, want) == 0, "%s.%s:\n--- got\n%s\n--- want\n%s",
	    name, ext, got, want);
	free(want);
	free(got);
}

START_TEST(testsuite_case)
{
	const char *dir = cases[_i], *name = strrchr(dir, '/') + 1;
	struct parsed p;

	parse_req(&p, slurp(dir, name, "req"));
	/* This case signs a token the signer adds; the suite gives it here. */
	if (strcmp(name, "get-vanilla-with-session-token") == 0)
		p.r.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf31"
		    "5fa00fa31553b73ebf194267";
	expect(dir, name, "creq", sigv4_canonical_request(&p.r));
	expect(dir, name, "sts", sigv4_string_to_sign(&p.r));
	expect(dir, name, "authz", sigv4_authorization(&p.r));
	free(p.text);
}
END_TEST

START_TEST(all_cases_found)
{
	/* 28 request directories in the suite as shipped. */
	ck_assert_int_ge(ncases, 28);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("sigv4");
	TCase *tc = tcase_create("sigv4");
	const char *data = getenv("TEST_DATA");
	char root[1024];

	snprintf(root, sizeof root, "%s/aws/sigv4-testsuite",
	    data ? data : "tests/data");
	find_cases(root);
	tcase_add_test(tc, all_cases_found);
	tcase_add_loop_test(tc, testsuite_case, 0, ncases);
	suite_add_tcase(s, tc);
	return s;
}
