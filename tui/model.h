/*
 * model.h: what tunneltop shows, computed from the daemon's replies.
 *
 * Each refresh hands the model the replies of one poll (struct replies:
 * status, peers, discovery, new events, and the forwarding table while a
 * detail view is open).  The model keeps one struct tunnel per peer,
 * matched by name across refreshes (sorted by name, found by bsearch),
 * turns counter deltas into rates, and appends one struct sample per
 * refresh to the tunnel's history (MODEL_HISTORY samples, 10 minutes at
 * one refresh a second).  A rate has an explicit state: no previous
 * sample yet, a counter that went backwards (daemon restarted, or the peer
 * was re-added), or stale when the daemon stopped answering.
 *
 * Every string taken from a reply is escaped (log_escape()), so names and
 * messages from a cloud's API can never reach the terminal raw.  No
 * drawing here; one thread.
 */
#ifndef MODEL_H
#define MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

enum {
	MODEL_MAX_TUNNELS = 4096,
	MODEL_HISTORY = 600, /* samples kept per tunnel */
	MODEL_EVENTS = 256,  /* events kept for the panes */
	MODEL_MACS = 256,    /* MACs shown behind the selected tunnel */
	MODEL_DROP_KINDS = 24,
	MODEL_TEXT = 256,
	MODEL_NAME = 128, /* an escaped name */
};

enum rate_state {
	RATE_FIRST, /* one sample so far */
	RATE_OK,
	RATE_RESET, /* counters went backwards: wait for the next one */
	RATE_STALE, /* the daemon did not answer the last refresh */
};

enum tunnel_state { TUN_UP, TUN_DOWN, TUN_UNPROBED, TUN_STATE_MAX };

/* One refresh of one tunnel; NAN where there was no figure. */
struct sample {
	uint64_t t_ms;
	float rx_bps, tx_bps, drops_ps;
	float rtt_ms, loss_pct;
	uint16_t pmtu;
	uint8_t state; /* enum tunnel_state */
};

struct drop_rate {
	char reason[32];
	uint64_t total;
	double per_s;
};

struct tunnel {
	char name[MODEL_NAME];
	char source[MODEL_NAME]; /* "config" or the provider's name */
	char address[MODEL_NAME];
	char encap[16];
	char segments[MODEL_TEXT];
	int port;
	bool encrypted;
	/* Encryption, when encrypted: cipher, keying, SA; "" where unknown. */
	char cipher[24], keying[16];
	bool sa_usable;
	double sa_age_s;
	/* keying = auto: the control connection ("" for manual keys). */
	char control[16], control_why[MODEL_TEXT], control_node[MODEL_NAME];
	char control_remote[MODEL_NAME];
	double control_since_s, rekey_in_s;
	long long epoch, rekeys;
	/* Health: state since since_s seconds ago, for reason. */
	enum tunnel_state state;
	double since_s;
	char reason[MODEL_TEXT];
	char probe[16];
	double rtt_min, rtt_avg, rtt_max, jitter, loss_pct, last_rx_s;
	/* MTU: 0 where unknown. */
	int pmtu, inner_frame_max, inner_mtu, segment_mtu, overhead;
	char pmtu_source[16], search[16];
	bool black_hole;
	char black_hole_segment[MODEL_NAME];
	/* Counters and their rates over the last refresh. */
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets, drops;
	double rx_bps, tx_bps, rx_pps, tx_pps, drops_ps;
	enum rate_state rate;
	struct drop_rate drop[MODEL_DROP_KINDS];
	int ndrop;
	/* History, oldest first from hist_head; hist_len valid samples. */
	struct sample *hist;
	int hist_head, hist_len;
};

struct model_event {
	uint64_t seq;
	time_t time;
	char kind[16];
	bool warn;
	char peer[MODEL_NAME]; /* empty: about no one peer */
	char text[MODEL_TEXT * 2];
	long from, to; /* the figures of a change (a path MTU's); -1: none */
};

struct provider_row {
	char name[MODEL_NAME], type[32], state[16];
	time_t last_success, last_error_at; /* 0: never */
	char last_error[MODEL_TEXT];
	long instances, peers, failures, next_refresh_s;
};

struct mac_row {
	char mac[24];
	char segment[MODEL_NAME];
	long idle_s;
	bool is_static;
};

struct model {
	/* Header. */
	char node[MODEL_NAME], role[16], version[32];
	long long uptime_s;
	char data_path[MODEL_TEXT]; /* short: threads, offloads */
	int threads;
	double rx_bps, tx_bps; /* summed over the tunnels */
	int nup, ndown, nunprobed, nblack_holes, ndropping;
	int nencrypted; /* tunnels in ESP */
	int reloads, reload_failures;
	/* Whether the last refresh failed, why, and since when. */
	bool stale;
	char error[MODEL_TEXT];
	time_t stale_since, updated_at; /* wall clock */
	uint64_t sample_ms;		/* monotonic, of the last sample */
	/* Tunnels, sorted by name. */
	struct tunnel *tunnels;
	int ntunnels;
	/* Events, oldest first from ev_head; the next seq to ask for. */
	struct model_event *events;
	int ev_head, ev_len;
	uint64_t events_next;
	/* Discovery. */
	struct provider_row *providers;
	int nproviders;
	/* MACs behind the tunnel named macs_of. */
	char macs_of[MODEL_NAME];
	struct mac_row *macs;
	int nmacs, macs_total;
};

/* One poll's replies (NULL where a request was not made or failed). */
struct replies {
	json_t *status, *peers, *discovery, *events, *fdb;
	const char *fdb_peer; /* whose MACs fdb was asked for */
};

struct model *model_new(void);
void model_free(struct model *);
/* Take a new sample at now_ms (monotonic), now (wall clock). */
void model_update(struct model *, const struct replies *, uint64_t now_ms,
    time_t now);
/* The daemon did not answer: keep everything, mark it stale. */
void model_unreachable(struct model *, const char *why, time_t now);
/* Forget every tunnel's history (the operator's "r"). */
void model_reset_history(struct model *);
/* The tunnel named name, or NULL. */
const struct tunnel *model_find(const struct model *, const char *name);
/* The i-th sample of t's history, oldest first (0 <= i < hist_len). */
const struct sample *model_sample(const struct tunnel *, int i);
/* The i-th event kept, oldest first (0 <= i < ev_len). */
const struct model_event *model_event(const struct model *, int i);
const char *model_state_name(enum tunnel_state);

/* "plaintext", or "ESP n of N" tunnels: for the header, short. */
const char *model_crypto(const struct model *, char *buf, size_t len);

#endif
