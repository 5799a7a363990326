/*
 * main.c: tunneld start-up, signals, control requests and shut-down.
 *
 * Order: read the config, open TAPs and sockets and the control socket as
 * root, drop to the configured user, start the data threads, then run the
 * control loop (signals, a 1 s timer, control clients) until SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cc.h"
#include "control.h"
#include "dp/sock.h"
#include "discovery.h"
#include "events.h"
#include "metrics.h"
#include "health.h"
#include "log.h"
#include "notify.h"
#include "net/wire.h"
#include "loop.h"
#include "inband.h"
#include "perf.h"
#include "perf_helper.h"
#include "privdrop.h"
#include "runtime.h"
#include "status.h"
#include "xmalloc.h"

/* SYSCONFDIR: configure's --sysconfdir (Makefile.am), as the unit uses. */
#define DEFAULT_CONFIG SYSCONFDIR "/tunneld/tunneld.conf"

struct daemon {
	const char *conf_path;
	struct runtime *rt;
	struct discovery *disc;
	struct cc *cc;	       /* the control connections to peers */
	struct perf *perf;     /* throughput tests */
	struct inband *inband; /* messages in the tunnel, for them */
	struct control *ctl;
	struct loop *loop;
	int quit;
	uint64_t watchdog_ms, watchdog_at; /* systemd's WatchdogSec / 2 */
	int health_fd;			   /* every HEALTH_TICK_MS */
	struct metrics *metrics;	   /* NULL: metrics off */
};

static void usage(FILE *, int) __attribute__((noreturn));

/* The usage on out, then exit with code (0 for --help, 2 for a mistake). */
static void
usage(FILE *out, int code)
{
	fprintf(out,
	    "usage: tunneld [-dnv] [-c file]\n"
	    "       tunneld --help | --version\n"
	    "  -c file  configuration (default " DEFAULT_CONFIG ")\n"
	    "  -d       stay in the foreground and log to stderr\n"
	    "  -n       check the configuration and exit; with --offline,\n"
	    "           not the users, bridges and addresses it names here\n"
	    "  -v       log debug messages\n");
	exit(code);
}

/* The metrics page: the control socket's views, as Prometheus text. */
static char *
daemon_metrics(void *arg)
{
	struct daemon *d = arg;
	json_t *status = status_json(d->rt), *peers = status_peers_json(d->rt),
	       *disc = discovery_json(d->disc);
	char *page = metrics_render(status, peers, disc);

	json_decref(status);
	json_decref(peers);
	json_decref(disc);
	return page;
}

static void
daemon_health(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	uint64_t expirations;

	(void)events;
	(void)!read(fd, &expirations, sizeof expirations);
	rt_roam(d->rt);
	health_tick(rt_health(d->rt), d->rt);
	inband_tick(d->inband);
}

/* Re-read the config; on any error keep the running one. */
static int
daemon_reload(struct daemon *d, struct rt_reload_report *report, char **cause)
{
	struct config *old;
	char *why = NULL;

	notify_send("RELOADING=1");
	if (rt_reload(d->rt, d->conf_path, &old, report, &why) != 0) {
		events_add(rt_events(d->rt), EV_RELOAD, LOG_LEVEL_WARN, NULL,
		    "reload refused, old configuration kept: %s", why);
		xasprintf(cause, "reload refused, old configuration kept: %s",
		    why);
		free(why);
		notify_send("READY=1\nSTATUS=reload refused, old configuration "
			    "kept");
		return -1;
	}
	discovery_reload(d->disc);
	cc_reload(d->cc);
	config_free(old);
	notify_send("READY=1\nSTATUS=running");
	return 0;
}

static char *
daemon_request(const struct ctl_request *req, void *arg, control_stream who)
{
	struct daemon *d = arg;
	char *cause = NULL, *reply;
	json_t *data = NULL;
	struct rt_reload_report report;

	switch (req->cmd) {
	case CTL_STATUS:
		return ctl_reply_ok(CTL_STATUS, status_json(d->rt));
	case CTL_PEERS:
		return ctl_reply_ok(req->cmd, status_peers_json(d->rt));
	case CTL_COUNTERS:
		data = status_counters_json(d->rt);
		json_object_set_new(data, "control_connections",
		    cc_json(d->cc));
		json_object_set_new(data, "perf", perf_json(d->perf));
		json_object_set_new(data, "inband", inband_json(d->inband));
		return ctl_reply_ok(req->cmd, data);
	case CTL_DISCOVERY:
		return ctl_reply_ok(req->cmd, discovery_json(d->disc));
	case CTL_HEALTH:
	case CTL_MTU:
		return ctl_reply_ok(req->cmd, status_health_json(d->rt));
	case CTL_EVENTS:
		return ctl_reply_ok(req->cmd,
		    events_json(rt_events(d->rt), req->since));
	case CTL_PMTU_PROBE:
		data = status_pmtu_probe(d->rt, req->peer, &cause);
		break;
	case CTL_PERF:
		return perf_request(d->perf, req, who);
	case CTL_FDB:
		data = status_fdb_json(d->rt,
		    req->segment[0] ? req->segment : NULL, &cause);
		break;
	case CTL_RELOAD:
		if (daemon_reload(d, &report, &cause) == 0) {
			data = status_json(d->rt);
			json_object_set_new(data, "changes",
			    json_pack("{s:{s:i,"
				      "s:i,s:i},s:{s:i,s:i,s:i,s:i,s:i}}",
				"segments", "added", report.segs_added,
				"removed", report.segs_removed, "kept",
				report.segs_kept, "peers", "added",
				report.peers.added, "removed",
				report.peers.removed, "changed",
				report.peers.changed, "kept", report.peers.kept,
				"refused", report.peers.refused));
		}
		break;
	default:
		cause = xstrdup("unsupported command");
		break;
	}
	if (data != NULL)
		return ctl_reply_ok(req->cmd, data);
	reply = ctl_reply_error("%s", cause);
	free(cause);
	return reply;
}

static void
daemon_signal(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;
	struct rt_reload_report report;
	char *cause = NULL;

	(void)events;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: reloading %s", d->conf_path);
			if (daemon_reload(d, &report, &cause) != 0)
				free(cause);
		} else {
			log_info("signal %u: shutting down", si.ssi_signo);
			d->quit = 1;
		}
	}
}

static void
daemon_tick(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	uint64_t expirations;
	char *line;

	(void)events;
	(void)!read(fd, &expirations, sizeof expirations);
	rt_tick(d->rt);
	cc_tick(d->cc);
	perf_tick(d->perf);
	discovery_tick(d->disc);
	control_tick(d->ctl);
	metrics_tick(d->metrics);
	if (d->watchdog_ms != 0 &&
	    clock_ms() - d->watchdog_at >= d->watchdog_ms) {
		notify_send("WATCHDOG=1");
		d->watchdog_at = clock_ms();
	}
	if (control_has_subscribers(d->ctl)) {
		line = ctl_reply_ok(CTL_STATUS, status_json(d->rt));
		control_publish(d->ctl, line);
		free(line);
		line = ctl_reply_ok(CTL_HEALTH, status_health_json(d->rt));
		control_publish(d->ctl, line);
		free(line);
	}
}

static int
signal_fd(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* Everything done as root: TAPs, sockets, the control socket. */
static void
daemon_setup(struct daemon *d, struct config *cfg)
{
	const struct cfg_daemon *dc = &cfg->daemon;
	char *cause = NULL;
	uid_t owner = 0;
	int sfd, tfd, helper;

	if (dc->user[0] != '\0' && priv_lookup(dc->user, &owner, &cause) != 0)
		fatalx("%s", cause);
	d->loop = loop_new();
	if ((sfd = signal_fd()) == -1 || (tfd = loop_timer_fd(1000)) == -1)
		fatal("signalfd/timerfd");
	if ((d->rt = rt_open(cfg, &cause)) == NULL)
		fatalx("%s", cause);
	/* Forked now, as root and before any thread: perf_helper.h. */
	if ((helper = perf_helper_start(dc->user, dp_threads(rt_dp(d->rt)),
		 dc->offload, &cause)) == -1) {
		log_warnx("%s; throughput tests are off", cause);
		free(cause);
		cause = NULL;
	}
	d->disc = discovery_new(d->loop, d->rt);
	if ((d->cc = cc_new(d->loop, d->rt, &cause)) == NULL)
		fatalx("%s", cause);
	if (dc->metrics[0] != '\0' &&
	    (d->metrics = metrics_open(d->loop, &dc->metrics_addr,
		 daemon_metrics, d, &cause)) == NULL)
		fatalx("%s", cause);
	if ((d->ctl = control_open(d->loop, dc->control_socket,
		 dc->control_group, owner, daemon_request, d, &cause)) == NULL)
		fatalx("%s", cause);
	d->inband = inband_new(d->rt);
	d->perf = perf_new(d->loop, d->rt, d->cc, d->inband, d->ctl, helper);
	if ((d->health_fd = loop_timer_fd(HEALTH_TICK_MS)) == -1)
		fatal("timerfd");
	if (loop_add(d->loop, sfd, EPOLLIN, daemon_signal, d) == -1 ||
	    loop_add(d->loop, tfd, EPOLLIN, daemon_tick, d) == -1 ||
	    loop_add(d->loop, d->health_fd, EPOLLIN, daemon_health, d) == -1)
		fatal("epoll");
	if (dc->user[0] == '\0')
		log_warnx("no [daemon] user configured: running as root");
	else if (priv_drop(dc->user, &cause) != 0)
		fatalx("%s", cause);
	else
		log_info("running as user %s with CAP_NET_ADMIN only",
		    dc->user);
	if (strcmp(dc->user, "nobody") == 0)
		log_warnx(
		    "user = nobody: other daemons run as nobody too and "
		    "could reach what tunneld's user may (its credentials "
		    "files, its control socket); give tunneld a user of its "
		    "own (etc/tunneld.sysusers)");
}

static const char *
plural(int n)
{
	return n == 1 ? "" : "s";
}

/* -n: warn about each UDP port another program holds (start would fail). */
static void
check_ports(const struct config *c)
{
	static const int families[] = { AF_INET, AF_INET6 };
	const struct cfg_daemon *d = &c->daemon;
	const struct sockaddr_any *local;
	struct sockaddr_any any = { .len = 0 };
	char *cause = NULL;
	int t, f, fd;

	for (t = 0; t < ENCAP_MAX; t++) {
		if (encap_ops(t)->transport != ENCAP_OVER_UDP)
			continue;
		for (f = 0; f < 2; f++) {
			local =
			    families[f] == AF_INET ? &d->local4 : &d->local6;
			if ((d->local4.len || d->local6.len) && !local->len)
				continue; /* that family is not wanted */
			fd = sock_udp(families[f], local->len ? local : &any,
			    d->port[t], false, false, &cause);
			if (fd == -1 && errno == EADDRINUSE)
				printf("warning: %s (%s port): in use: another "
				       "tunneld, a kernel vxlan device or "
				       "another "
				       "program holds it\n",
				    cause, encap_ops(t)->name);
			if (fd != -1)
				close(fd);
			free(cause);
			cause = NULL;
		}
	}
}

/* -n: the summary of a config that loaded, then the port warnings. */
static int
check_report(struct config *c, int offline)
{
	printf("%s: configuration OK (%d segment%s, %d peer%s, %d provider%s)",
	    c->path, c->nsegments, plural(c->nsegments), c->npeers,
	    plural(c->npeers), c->nproviders, plural(c->nproviders));
	if (offline)
		printf("; users, groups, bridges and local addresses not "
		       "checked (--offline)");
	printf("\n");
	for (int i = 0; i < c->nwarnings; i++)
		printf("warning: %s\n", c->warnings[i]);
	if (!offline)
		check_ports(c);
	config_free(c);
	return 0;
}

int
main(int argc, char **argv)
{
	struct daemon d = { .conf_path = DEFAULT_CONFIG };
	int ch, foreground = 0, check = 0, verbose = 0, offline = 0;
	struct config *cfg;
	char *cause = NULL;

	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "offline", no_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};

	/*
	 * The config holds keys (ESP, PSKs, a TLS key, cloud credentials):
	 * no core dump of this process, and no ptrace by another user, from
	 * before it is read (the kernel would otherwise allow both while
	 * tunneld runs as root).
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_DUMPABLE)");
	opterr = 0; /* unknown options are said below, by name */
	while ((ch = getopt_long(argc, argv, "c:dnvhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			d.conf_path = optarg;
			break;
		case 'd':
			foreground = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'O':
			offline = 1;
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("tunneld %s (wire format %d, control protocol "
			       "%d)\n",
			    PACKAGE_VERSION, WIRE_VERSION, CTL_PROTO_VERSION);
			return 0;
		default:
			if (optopt == 'c')
				fprintf(stderr, "tunneld: -c needs a file\n");
			else
				fprintf(stderr, "tunneld: unknown option %s\n",
				    argv[optind - 1]);
			usage(stderr, 2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tunneld: unexpected argument %s\n",
		    argv[optind]);
		usage(stderr, 2);
	}
	log_init(1, LOG_LEVEL_INFO, "tunneld");
	if ((cfg = config_load_flags(d.conf_path,
		 check && offline ? CONFIG_OFFLINE : 0, &cause)) == NULL)
		fatalx("%s", cause);
	if (check)
		return check_report(cfg, offline);
	if (!foreground && daemon(0, 0) == -1)
		fatal("daemon");
	log_init(foreground,
	    verbose ? LOG_LEVEL_DEBUG : (enum log_level)cfg->daemon.log_level,
	    "tunneld");
	config_log_warnings(cfg);
	daemon_setup(&d, cfg);
	if (rt_start(d.rt, &cause) != 0)
		fatalx("%s", cause);
	log_info("ready: control socket %s", cfg->daemon.control_socket);
	/* The control socket accepts and the threads run: now ready. */
	if (notify_send("READY=1\nSTATUS=running") != 0)
		log_warn("NOTIFY_SOCKET: readiness not sent");
	d.watchdog_ms = notify_watchdog_ms();
	d.watchdog_at = clock_ms();
	while (!d.quit)
		if (loop_once(d.loop, -1) == -1)
			fatal("control loop");
	notify_send("STOPPING=1");
	perf_free(d.perf);
	inband_free(d.inband);
	control_close(d.ctl);
	metrics_close(d.metrics);
	discovery_free(d.disc);
	cc_free(d.cc);
	rt_close(d.rt);
	loop_free(d.loop);
	log_info("stopped");
	return 0;
}
