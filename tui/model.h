/*
 * model.h: what tunneltop shows, computed from the daemon's counters.
 *
 * Each refresh hands the model the "status" and "peers" replies; it keeps
 * the previous counters per peer (matched by name) and turns the deltas
 * into rates.  A rate has an explicit state: no previous sample yet, a
 * counter that went backwards (daemon restarted or peer re-added), or
 * stale data when the daemon stopped answering.  No drawing here.
 */
#ifndef MODEL_H
#define MODEL_H

#include <stdint.h>

#include <jansson.h>

#include "ctl_proto.h"

enum { MODEL_MAX_PEERS = 4096 };

enum rate_state {
	RATE_FIRST,	/* one sample so far */
	RATE_OK,
	RATE_RESET,	/* counters went backwards: wait for the next one */
	RATE_STALE,	/* the daemon did not answer the last refresh */
};

struct peer_row {
	char name[CTL_NAME_MAX]; /* as long as the daemon's */
	char address[64];
	char encap[16];
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets, drops;
	double rx_bps, tx_bps, rx_pps, tx_pps;
	enum rate_state state;
};

struct model {
	char title[256];
	char data_path[256];
	char error[256];	/* why the last refresh failed, or empty */
	uint64_t sample_ms;
	struct peer_row *rows;
	int nrows;
};

struct model *model_new(void);
void model_free(struct model *);
/* Take a new sample at now_ms from the status and peers replies. */
void model_update(struct model *, json_t *status, json_t *peers,
    uint64_t now_ms);
/* The daemon did not answer: keep the rows, mark them stale. */
void model_unreachable(struct model *, const char *why);

#endif
