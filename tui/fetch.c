/* fetch.c: tunneltop's polls of the control socket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "fetch.h"
#include "xmalloc.h"

enum { FETCH_TIMEOUT_MS = 1500 };

struct fetch {
	char *path;
	struct ctl_client *c;
};

struct fetch *
fetch_new(const char *socket_path)
{
	struct fetch *f = xcalloc(1, sizeof *f);

	f->path = xstrdup(socket_path);
	return f;
}

void
fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	ctl_client_close(f->c);
	free(f->path);
	free(f);
}

void
fetch_release(struct replies *r)
{
	json_decref(r->status);
	json_decref(r->peers);
	json_decref(r->discovery);
	json_decref(r->events);
	json_decref(r->fdb);
	memset(r, 0, sizeof *r);
}

/* One request on the kept connection; on failure it is closed. */
static int
call(struct fetch *f, struct ctl_request *req, json_t **data, char **cause)
{
	int rc;

	if (f->c == NULL &&
	    (f->c = ctl_client_open(f->path, FETCH_TIMEOUT_MS, cause)) == NULL)
		return -1;
	if ((rc = ctl_client_call(f->c, req, data, cause)) == 0)
		return 0;
	if (rc != CTL_ERR_REPLY) { /* a refusal leaves it usable */
		ctl_client_close(f->c);
		f->c = NULL;
	}
	return -1;
}

int
fetch_poll(struct fetch *f, uint64_t events_since, const char *fdb_peer,
    struct replies *r, char **cause)
{
	struct ctl_request req;

	memset(r, 0, sizeof *r);
	memset(&req, 0, sizeof req);
	req.cmd = CTL_STATUS;
	if (call(f, &req, &r->status, cause) != 0)
		goto fail;
	req.cmd = CTL_PEERS;
	if (call(f, &req, &r->peers, cause) != 0)
		goto fail;
	req.cmd = CTL_DISCOVERY;
	if (call(f, &req, &r->discovery, cause) != 0)
		goto fail;
	req.cmd = CTL_EVENTS;
	req.since = events_since;
	if (call(f, &req, &r->events, cause) != 0)
		goto fail;
	if (fdb_peer != NULL) {
		memset(&req, 0, sizeof req);
		req.cmd = CTL_FDB;
		if (call(f, &req, &r->fdb, cause) != 0)
			goto fail;
		r->fdb_peer = fdb_peer;
	}
	return 0;
fail:
	fetch_release(r);
	return -1;
}

int
fetch_pmtu_probe(struct fetch *f, const char *peer, char **cause)
{
	struct ctl_request req = { .cmd = CTL_PMTU_PROBE };
	json_t *data = NULL;

	snprintf(req.peer, sizeof req.peer, "%s", peer);
	if (call(f, &req, &data, cause) != 0)
		return -1;
	json_decref(data);
	return 0;
}
