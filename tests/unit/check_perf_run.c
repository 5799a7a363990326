/*
 * check_perf_run.c: two throughput-test runners (perf_run.h) in processes
 * of their own, over loopback with the kernel's TCP and UDP: the spec, the
 * ready answer, the interval and end reports, a stop, refused strangers
 * and refused specs.
 */
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "ctl/perf_run.h"

struct child {
	pid_t pid;
	int fd;
};

static struct child
runner(void)
{
	struct child c;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	c.pid = fork();
	ck_assert_int_ne(c.pid, -1);
	if (c.pid == 0) {
		close(sv[0]);
		_exit(perf_run(sv[1]));
	}
	close(sv[1]);
	c.fd = sv[0];
	return c;
}

static void
tell(struct child *c, const char *s)
{
	ck_assert_int_eq(send(c->fd, s, strlen(s), 0), (ssize_t)strlen(s));
}

/* The next message, within ms; NULL on EOF or time out. */
static json_t *
hear(struct child *c, int ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (poll(&p, 1, ms) != 1 || (n = recv(c->fd, buf, sizeof buf, 0)) <= 0)
		return NULL;
	return json_loadb(buf, (size_t)n, 0, NULL);
}

static const char *
type_of(json_t *o)
{
	return json_string_value(json_object_get(o, "type"));
}

static double
num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static int
wait_exit(struct child *c)
{
	int st;

	ck_assert_int_eq(waitpid(c->pid, &st, 0), c->pid);
	close(c->fd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A receiver on 127.0.0.1; its port. */
static int
start_recv(struct child *r, const char *proto, int streams, int time_ms)
{
	char spec[512];
	json_t *o;
	int port;

	*r = runner();
	snprintf(spec, sizeof spec,
	    "{\"role\":\"recv\",\"proto\":\"%s\",\"addr\":\"127.0.0.1\","
	    "\"port\":0,\"peer\":\"127.0.0.1\",\"streams\":%d,\"time_ms\":%d,"
	    "\"size\":0,\"bitrate\":0,\"interval_ms\":200}",
	    proto, streams, time_ms);
	tell(r, spec);
	o = hear(r, 5000);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(type_of(o), "ready");
	port = (int)num(o, "port");
	ck_assert_int_gt(port, 0);
	json_decref(o);
	return port;
}

static void
start_send(struct child *s, const char *proto, int port, int streams,
    int time_ms, long long bitrate, int size)
{
	char spec[512];

	*s = runner();
	snprintf(spec, sizeof spec,
	    "{\"role\":\"send\",\"proto\":\"%s\",\"addr\":\"127.0.0.1\","
	    "\"port\":%d,\"peer\":\"127.0.0.1\",\"streams\":%d,\"time_ms\":%d,"
	    "\"size\":%d,\"bitrate\":%lld,\"interval_ms\":200}",
	    proto, port, streams, time_ms, size, bitrate);
	tell(s, spec);
}

/* Reports until "end" (counting the intervals); the end report. */
static json_t *
until_end(struct child *c, int *intervals)
{
	json_t *o;

	*intervals = 0;
	while ((o = hear(c, 5000)) != NULL) {
		ck_assert_ptr_nonnull(type_of(o));
		if (strcmp(type_of(o), "end") == 0)
			return o;
		ck_assert_str_eq(type_of(o), "interval");
		ck_assert_double_ge(num(o, "end"), num(o, "start"));
		(*intervals)++;
		json_decref(o);
	}
	ck_abort_msg("no end report");
	return NULL;
}

/*
 * The report's keys are exactly those perf_run.h and tunnelctl(8), PERF,
 * document for its protocol and side: space-separated in want.
 */
static void
keys_are(json_t *o, const char *want)
{
	char buf[512], spaced[520], word[64], *k, *save;
	const char *key;
	json_t *v;
	size_t n = 0;

	snprintf(buf, sizeof buf, "%s", want);
	for (k = strtok_r(buf, " ", &save); k != NULL;
	     k = strtok_r(NULL, " ", &save), n++)
		ck_assert_msg(json_object_get(o, k) != NULL, "no \"%s\"", k);
	snprintf(spaced, sizeof spaced, " %s ", want);
	json_object_foreach(o, key, v)
	{
		snprintf(word, sizeof word, " %s ", key);
		ck_assert_msg(strstr(spaced, word) != NULL,
		    "undocumented \"%s\"", key);
	}
	ck_assert_uint_eq(json_object_size(o), n);
}

#define COMMON "type start end seconds bytes bits_per_second streams"

START_TEST(tcp_two_streams)
{
	struct child r, s;
	json_t *se, *re;
	int port = start_recv(&r, "tcp", 2, 1000), n;

	start_send(&s, "tcp", port, 2, 1000, 0, 0);
	se = until_end(&s, &n);
	/* 1 s in 200 ms intervals */
	ck_assert_msg(n >= 4, "%d intervals, end at %.3f s, %.0f bytes", n,
	    num(se, "end"), num(se, "bytes"));
	keys_are(se, COMMON " retransmits cwnd rtt_us");
	ck_assert_int_eq((int)num(se, "streams"), 2);
	ck_assert_double_gt(num(se, "bytes"), 0);
	ck_assert_ptr_nonnull(json_object_get(se, "retransmits"));
	ck_assert_double_gt(num(se, "cwnd"), 0);
	/* The receiver ends by itself once both streams closed. */
	re = until_end(&r, &n);
	keys_are(re, COMMON);
	ck_assert_int_eq((int)num(re, "streams"), 2);
	ck_assert_double_eq(num(re, "bytes"), num(se, "bytes"));
	ck_assert_double_gt(num(re, "bits_per_second"), 0);
	json_decref(se);
	json_decref(re);
	ck_assert_int_eq(wait_exit(&s), 0);
	ck_assert_int_eq(wait_exit(&r), 0);
}
END_TEST

START_TEST(udp_paced_then_stopped)
{
	struct child r, s;
	json_t *se, *re;
	int port = start_recv(&r, "udp", 1, 1000), n;

	/* 8 Mbit/s of 1000-byte datagrams: 1000 a second. */
	start_send(&s, "udp", port, 1, 1000, 8000000, 1000);
	se = until_end(&s, &n);
	keys_are(se, COMMON " packets packets_per_second");
	ck_assert_double_ge(num(se, "packets"), 900);
	ck_assert_double_le(num(se, "packets"), 1100);
	ck_assert_double_eq_tol(num(se, "bits_per_second"), 8e6, 1e6);
	usleep(100000);
	tell(&r, "{\"op\":\"stop\"}");
	re = until_end(&r, &n);
	keys_are(re,
	    COMMON " packets packets_per_second lost lost_percent "
		   "jitter_ms out_of_order");
	ck_assert_double_eq(num(re, "packets"), num(se, "packets"));
	ck_assert_double_eq(num(re, "lost"), 0);
	ck_assert_double_eq(num(re, "lost_percent"), 0);
	ck_assert_double_ge(num(re, "jitter_ms"), 0);
	ck_assert_double_eq(num(re, "out_of_order"), 0);
	json_decref(se);
	json_decref(re);
	ck_assert_int_eq(wait_exit(&s), 0);
	ck_assert_int_eq(wait_exit(&r), 0);
}
END_TEST

/* Only the peer in the spec may connect; others are refused and counted. */
START_TEST(stranger_refused)
{
	struct child r;
	char spec[512];
	json_t *o;
	int n;

	r = runner();
	snprintf(spec, sizeof spec,
	    "{\"role\":\"recv\",\"proto\":\"udp\",\"addr\":\"127.0.0.1\","
	    "\"port\":0,\"peer\":\"192.0.2.1\",\"streams\":1,\"time_ms\":500,"
	    "\"size\":0,\"bitrate\":0,\"interval_ms\":200}");
	tell(&r, spec);
	o = hear(&r, 5000);
	ck_assert_str_eq(type_of(o), "ready");
	{
		struct child s;
		json_t *se;

		start_send(&s, "udp", (int)num(o, "port"), 1, 300, 800000, 100);
		se = until_end(&s, &n);
		ck_assert_double_gt(num(se, "packets"), 0);
		json_decref(se);
		ck_assert_int_eq(wait_exit(&s), 0);
	}
	json_decref(o);
	tell(&r, "{\"op\":\"stop\"}");
	o = until_end(&r, &n);
	ck_assert_double_eq(num(o, "packets"), 0);
	ck_assert_double_gt(num(o, "refused"), 0);
	json_decref(o);
	ck_assert_int_eq(wait_exit(&r), 0);
}
END_TEST

START_TEST(bad_specs_refused)
{
	static const char *const bad[] = {
		"not json",
		"{\"role\":\"send\"}",
		/* 0 streams; 61 s; an address that is none */
		"{\"role\":\"recv\",\"proto\":\"tcp\",\"addr\":\"127.0.0.1\","
		"\"port\":0,\"peer\":\"127.0.0.1\",\"streams\":0,\"time_ms\":1,"
		"\"size\":0,\"bitrate\":0,\"interval_ms\":200}",
		"{\"role\":\"recv\",\"proto\":\"tcp\",\"addr\":\"127.0.0.1\","
		"\"port\":0,\"peer\":\"127.0.0.1\",\"streams\":1,"
		"\"time_ms\":61000,\"size\":0,\"bitrate\":0,"
		"\"interval_ms\":200}",
		"{\"role\":\"recv\",\"proto\":\"tcp\",\"addr\":\"nowhere\","
		"\"port\":0,\"peer\":\"127.0.0.1\",\"streams\":1,\"time_ms\":1,"
		"\"size\":0,\"bitrate\":0,\"interval_ms\":200}",
	};
	struct child r;
	json_t *o;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = runner();
		tell(&r, bad[i]);
		o = hear(&r, 5000);
		ck_assert_ptr_nonnull(o);
		ck_assert_str_eq(type_of(o), "error");
		json_decref(o);
		ck_assert_int_eq(wait_exit(&r), 1);
	}
}
END_TEST

/* A runner whose daemon goes away exits at once. */
START_TEST(daemon_gone)
{
	struct child r;
	int st;

	start_recv(&r, "tcp", 1, 60000);
	close(r.fd);
	ck_assert_int_eq(waitpid(r.pid, &st, 0), r.pid);
	ck_assert(WIFEXITED(st));
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("perf_run");
	TCase *tc = tcase_create("loopback");

	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, tcp_two_streams);
	tcase_add_test(tc, udp_paced_then_stopped);
	tcase_add_test(tc, stranger_refused);
	tcase_add_test(tc, bad_specs_refused);
	tcase_add_test(tc, daemon_gone);
	suite_add_tcase(s, tc);
	return s;
}
