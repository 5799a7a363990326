/*
 * ctl_client.h: talk to tunneld's control socket (tunnelctl, tunneltop).
 *
 * Blocking calls with a timeout on every read, so a stuck daemon never hangs
 * a script.  0 on success; on failure *cause is set (caller frees) and the
 * result is CTL_ERR_REPLY if tunneld refused the request, CTL_ERR_TRANSPORT
 * (-1) if it could not be reached or answered garbage.
 */
#ifndef CTL_CLIENT_H
#define CTL_CLIENT_H

#include <jansson.h>
#include <stdbool.h>

#include "ctl_proto.h"

struct ctl_client;

/* Connect to the socket at path; the cause says whether tunneld runs. */
struct ctl_client *ctl_client_open(const char *path, int timeout_ms,
    char **cause);
void ctl_client_close(struct ctl_client *);
/* Send a request and wait for its reply's data (caller decrefs). */
int ctl_client_call(struct ctl_client *, const struct ctl_request *,
    json_t **data, char **cause);
/* Read the next reply (after a subscribe, or a perf request). */
int ctl_client_next(struct ctl_client *, json_t **data, char **cause);
/* Send a request without waiting for its reply (ctl_client_next). */
int ctl_client_send(struct ctl_client *, const struct ctl_request *,
    char **cause);
/*
 * The socket, for poll(): readable when the next reply (part) came.  A
 * reply may be buffered already (ctl_client_pending): poll only when not.
 */
int ctl_client_fd(const struct ctl_client *);
/* Whether a whole reply is buffered: ctl_client_next() will not wait. */
bool ctl_client_pending(const struct ctl_client *);

#endif
