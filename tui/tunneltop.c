/*
 * tunneltop: the operator's console of one tunneld.  Polls the control
 * socket once a second (fetch.c), keeps the figures and their history
 * (model.c), and paints them (view*.c) as the keys say (ui.c).  Keeps
 * running, and says so, while the daemon is unreachable; picks up again
 * when it answers.  --once prints one snapshot and exits.
 */
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "ctl_client.h"
#include "ctl_proto.h"
#include "fetch.h"
#include "log.h"
#include "model.h"
#include "once.h"
#include "ui.h"
#include "view.h"

enum { POLL_MS = 1000, SPIN_LIMIT = 200, PERF_MS = 100 };

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* One poll into the model; 0, or -1 when the daemon did not answer. */
static int
poll_model(struct fetch *f, struct model *m, const char *fdb_peer)
{
	struct replies r;
	char *cause = NULL;
	int rc = 0;

	if (fetch_poll(f, m->events_next, fdb_peer, &r, &cause) != 0) {
		model_unreachable(m, cause, time(NULL));
		rc = -1;
	} else
		model_update(m, &r, clock_ms(), time(NULL));
	fetch_release(&r);
	free(cause);
	return rc;
}

/* --once: two polls a second apart, so that rates exist; then print. */
static int
run_once(const char *path, bool as_json)
{
	struct fetch *f = fetch_new(path);
	struct model *m = model_new();
	int rc = 0;

	if (poll_model(f, m, NULL) == 0) {
		usleep(POLL_MS * 1000);
		poll_model(f, m, NULL);
	}
	if (m->stale) {
		fprintf(stderr, "tunneltop: %s\n", m->error);
		rc = 1;
	} else if (once_print(stdout, m, as_json, clock_ms(), time(NULL)) != 0)
		rc = 1;
	model_free(m);
	fetch_free(f);
	return rc;
}

static void
pmtu_probe(struct fetch *f, struct ui *u, const struct model *m)
{
	const struct tunnel *t = u->screen == SCR_DETAIL
	    ? model_find(m, u->selected)
	    : ui_selected(u, m);
	char *cause = NULL, text[MODEL_NAME + 64];

	if (t == NULL)
		return;
	if (fetch_pmtu_probe(f, t->name, &cause) == 0)
		snprintf(text, sizeof text,
		    "%s: path MTU search started; "
		    "watch PMTU and the events",
		    t->name);
	else
		snprintf(text, sizeof text, "%s", cause);
	ui_say(u, clock_ms(), text);
	free(cause);
}

static void
mouse(struct ui *u, const struct model *m)
{
	MEVENT ev;
	int r;

	if (getmouse(&ev) != OK || u->screen != SCR_MAIN ||
	    (r = view_row_at(ev.y)) < 0)
		return;
	ui_click(u, m, r);
	if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
		ui_key(u, m, '\n', clock_ms());
}

enum key_result { KEY_KEEP, KEY_QUIT, KEY_POLL };

/* The throughput test screen's keys; false for those it leaves to ui.c. */
static bool
perf_key(int ch, const char *path, struct ui *u)
{
	struct ptest *t = &u->perf;

	if (ch == KEY_ESC) {
		if (t->st == PT_RUNNING)
			ptest_cancel(t);
		else
			u->screen = SCR_MAIN;
		return true;
	}
	if (t->st == PT_RUNNING)
		return ch != 'q' && ch != 'Q'; /* q quits (and so cancels) */
	if (ch == '\n' || ch == KEY_ENTER) {
		ptest_start(t, path);
		return true;
	}
	return ptest_form_key(t, ch) || (ch != 'q' && ch != 'Q' && ch != '?');
}

/* "t": the form for the tunnel selected (or shown in detail). */
static void
perf_open(struct ui *u, const struct model *m)
{
	const struct tunnel *t = u->screen == SCR_DETAIL
	    ? model_find(m, u->selected)
	    : ui_selected(u, m);

	if (t == NULL)
		return;
	ptest_form(&u->perf, t->name);
	u->screen = SCR_PERF;
}

/* One key; KEY_POLL when a detail view opened: its MACs are wanted now. */
static enum key_result
key(int ch, const char *path, struct fetch *f, struct model *m, struct ui *u)
{
	enum ui_screen was = u->screen;

	if (ch == '\r')
		ch = '\n';
	if (ch == KEY_RESIZE)
		return KEY_KEEP;
	if (u->screen == SCR_PERF && perf_key(ch, path, u))
		return KEY_KEEP;
	if (ch == KEY_MOUSE) {
		mouse(u, m);
		return u->screen == SCR_DETAIL && was != SCR_DETAIL ? KEY_POLL
								    : KEY_KEEP;
	}
	switch (ui_key(u, m, ch, clock_ms())) {
	case ACT_QUIT:
		return KEY_QUIT;
	case ACT_PMTU_PROBE:
		pmtu_probe(f, u, m);
		break;
	case ACT_RESET:
		model_reset_history(m);
		break;
	case ACT_PERF:
		perf_open(u, m);
		break;
	default:
		break;
	}
	return u->screen == SCR_DETAIL && was != SCR_DETAIL ? KEY_POLL
							    : KEY_KEEP;
}

/* Read what a running test reported since the last round. */
static void
perf_poll(struct ui *u, const char *path)
{
	struct pollfd p;

	while ((p.fd = ptest_fd(&u->perf)) != -1) {
		p.events = POLLIN;
		if (!ctl_client_pending(u->perf.c) && poll(&p, 1, 0) != 1)
			return;
		ptest_read(&u->perf, path);
	}
}

static int
run_console(const char *path, bool utf8)
{
	struct fetch *f = fetch_new(path);
	struct model *m = model_new();
	uint64_t next = 0, now, started;
	struct ui u;
	int ch, spins = 0;

	ui_init(&u);
	view_init(utf8);
	while (!quit) {
		if ((now = clock_ms()) >= next) {
			poll_model(f, m,
			    u.screen == SCR_DETAIL ? u.selected : NULL);
			ui_rows(&u, m);
			next = now + POLL_MS;
		}
		perf_poll(&u, path);
		view_draw(m, &u, clock_ms(), time(NULL));
		now = clock_ms();
		/* A running test's reports are read within PERF_MS. */
		timeout(next > now
			? (int)(next - now < PERF_MS || ptest_fd(&u.perf) == -1
				  ? next - now
				  : PERF_MS)
			: 0);
		started = now;
		if ((ch = getch()) == ERR) {
			/* getch() failing at once, again and again: the
			 * terminal is gone.  Never spin. */
			spins = clock_ms() - started < 5 && next > now + 5
			    ? spins + 1
			    : 0;
			if (spins > SPIN_LIMIT)
				break;
			continue;
		}
		spins = 0;
		switch (key(ch, path, f, m, &u)) {
		case KEY_QUIT:
			quit = 1;
			break;
		case KEY_POLL:
			next = 0;
			break;
		default:
			break;
		}
	}
	view_end();
	ui_free(&u);
	model_free(m);
	fetch_free(f);
	return 0;
}

static const char usage[] =
    "usage: tunneltop [-s socket]\n"
    "       tunneltop [-s socket] --once [--json]\n"
    "       tunneltop --help | --version\n"
    "  -s, --socket P   control socket (default " CTL_DEFAULT_SOCKET ")\n"
    "  -1, --once       print one snapshot (two polls a second apart) and "
    "exit\n"
    "  -j, --json       with --once: the snapshot as JSON\n"
    "Keys: ? in the console lists them.\n";

static int
usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "tunneltop: %s%s%s\n%s", what, arg ? " " : "",
	    arg ? arg : "", usage);
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "once", no_argument, NULL, '1' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CTL_DEFAULT_SOCKET;
	bool once = false, as_json = false, utf8;
	int ch;

	opterr = 0; /* unknown options are said below, by name */
	while ((ch = getopt_long(argc, argv, "s:1jhV", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case '1':
			once = true;
			break;
		case 'j':
			as_json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("tunneltop (tunneld) %s\n", PACKAGE_VERSION);
			return 0;
		default:
			return usage_error(optopt == 's' ? "-s needs a socket "
							   "path"
							 : "unknown option",
			    optopt == 's' ? NULL : argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument", argv[optind]);
	if (as_json && !once)
		return usage_error("--json goes with --once", NULL);
	signal(SIGPIPE, SIG_IGN);
	if (once)
		return run_once(path, as_json);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr,
		    "tunneltop: not a terminal; tunneltop --once "
		    "prints a snapshot\n");
		return 2;
	}
	setlocale(LC_ALL, "");
	utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	atexit(view_end);
	return run_console(path, utf8);
}
