/*
 * fetch.h: one poll of the daemon for tunneltop, over one control-socket
 * connection kept open between polls and opened again after any failure.
 * A poll asks for status, peers, discovery and the events numbered since
 * and later, and the forwarding table when fdb_peer is not NULL (a detail
 * view is open).  0 with every reply in *r, or -1 with *cause (caller
 * frees) saying why: tunneld not running, not answering, or refusing.
 */
#ifndef FETCH_H
#define FETCH_H

#include <stdint.h>

#include "model.h"

struct fetch;

struct fetch *fetch_new(const char *socket_path);
void fetch_free(struct fetch *);
int fetch_poll(struct fetch *, uint64_t events_since, const char *fdb_peer,
    struct replies *r, char **cause);
/* Drop the replies of a poll. */
void fetch_release(struct replies *);
/* Ask for a new path MTU search of peer: its answer or *cause. */
int fetch_pmtu_probe(struct fetch *, const char *peer, char **cause);

#endif
