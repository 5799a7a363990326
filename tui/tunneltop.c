/*
 * tunneltop: live console of one tunneld.  Polls "status" and "peers" once
 * a second over the control socket and shows per-tunnel rates.  Keeps
 * running (and says so) while the daemon is unreachable.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ctl_client.h"
#include "log.h"
#include "model.h"
#include "view.h"

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* One refresh: ask the daemon, feed the model. */
static void
refresh_model(struct model *m, const char *path)
{
	struct ctl_request st = { .cmd = CTL_STATUS }, pe = { .cmd = CTL_PEERS };
	struct ctl_client *c;
	json_t *status = NULL, *peers = NULL;
	char *cause = NULL;

	if ((c = ctl_client_open(path, 2000, &cause)) == NULL ||
	    ctl_client_call(c, &st, &status, &cause) != 0 ||
	    ctl_client_call(c, &pe, &peers, &cause) != 0)
		model_unreachable(m, cause);
	else
		model_update(m, status, peers, clock_ms());
	json_decref(status);
	json_decref(peers);
	free(cause);
	ctl_client_close(c);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
	    "usage: tunneltop [-s socket]\n"
	    "       tunneltop --help | --version\n"
	    "  -s, --socket P   control socket (default " CTL_DEFAULT_SOCKET
	    ")\n  q quits.\n";
	const char *path = CTL_DEFAULT_SOCKET;
	struct model *m;
	int ch;

	opterr = 0; /* unknown options are said below, by name */
	while ((ch = getopt_long(argc, argv, "s:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("tunneltop (tunneld) %s\n", PACKAGE_VERSION);
			return 0;
		default:
			if (optopt == 's')
				fprintf(stderr,
				    "tunneltop: -s needs a socket "
				    "path\n%s",
				    usage);
			else
				fprintf(stderr,
				    "tunneltop: unknown option "
				    "%s\n%s",
				    argv[optind - 1], usage);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tunneltop: unexpected argument %s\n%s",
		    argv[optind], usage);
		return 2;
	}
	m = model_new();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	atexit(view_end);
	view_init();
	timeout(1000);
	while (!quit) {
		refresh_model(m, path);
		view_draw(m);
		if (getch() == 'q')
			break;
	}
	view_end();
	model_free(m);
	return 0;
}
