/*
 * diag.h: why a tunnel is unhealthy, in one line of plain words.
 *
 * Correlates what the model holds about one tunnel: its state and the
 * daemon's reason, when it last received anything, an MTU black hole and
 * the segment behind it, drops by reason, probe loss, and path MTU
 * changes (from the daemon's events) followed by a fall in its rate.  The
 * first rule that applies, most serious first, gives the line:
 *
 *   down          "down since 12:03:11: no probe answered for 5000 ms,
 *                 last rx 6s ago"
 *   black hole    "black hole: path 1400, TAP pod 1450; set mtu = auto or
 *                 clamp-mss = yes" (the detail view gives the inner MTU)
 *   oversize      "dropping 12/s oversize frames: the path carries frames
 *                 of up to 1364 bytes; ..."
 *   PMTU fall     "rate fell 80% when PMTU dropped 1500 -> 1400 at
 *                 12:03:11"
 *   replay        "replay drops rising: 12/s"
 *   drops         "dropping 12/s: unknown_vni 10/s, ..."
 *   loss          "losing 2.5% of probes; RTT 12 ms, jitter 3.1 ms"
 *   silent        "unprobed and nothing received for 2m05s"
 *
 * DIAG_OK and an empty line when none applies.  No curses here.
 */
#ifndef DIAG_H
#define DIAG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "model.h"

enum diag_level { DIAG_OK, DIAG_WARN, DIAG_BAD };

enum {
	DIAG_SILENT_S = 30,	 /* an unprobed peer this quiet is flagged */
	DIAG_FALL_WINDOW_S = 10, /* rate compared this long either side */
	DIAG_FALL_RECENT_S = 120 /* PMTU drops this old are forgotten */
};

enum diag_level diag_tunnel(const struct model *, const struct tunnel *,
    uint64_t now_ms, time_t now, char *buf, size_t n);

#endif
