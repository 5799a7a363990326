/*
 * control.h: the daemon side of the control socket (see ctl_proto.h).
 *
 * Accepts at most CONTROL_MAX_CLIENTS connections, the last
 * CONTROL_ROOT_SLOTS of them for root only and at most CONTROL_MAX_PER_UID
 * for any other uid; closes a client that is not subscribed once it has
 * sent nothing for CONTROL_IDLE_MS with nothing left to read; pauses
 * accept() while the process is out of fds.  Reads requests of at most
 * CTL_MAX_REQUEST bytes (a longer line is answered with an error and
 * skipped), queues replies without ever blocking the loop (write interest
 * only while output is queued; a client that lets more than
 * CONTROL_MAX_QUEUED bytes pile up is dropped).  The socket is 0600, or 0660
 * with group control-group.  Control thread only.
 */
#ifndef CONTROL_H
#define CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctl_proto.h"
#include "loop.h"

enum {
	CONTROL_MAX_CLIENTS = 64,
	CONTROL_ROOT_SLOTS = 8,
	CONTROL_MAX_PER_UID = 16,
	CONTROL_IDLE_MS = 5000,
	CONTROL_MAX_QUEUED = 16 << 20,
};

/*
 * A client connection, as a handler may keep it to write to it later (a
 * throughput test's reports): the slot and a generation, so that a
 * closed client's number never names the next one in its slot.
 */
typedef uint32_t control_stream;

/*
 * Build the reply line for a request from client who (returned string is
 * freed by caller).
 */
typedef char *(*control_handler)(const struct ctl_request *, void *arg,
    control_stream who);
/* Told when a client held open (control_hold) goes away. */
typedef void (*control_gone)(control_stream who, void *arg);

struct control;

/*
 * Listen on path.  Its directory is made and given to owner (so that the
 * daemon can remove the socket once it runs as owner), or must exist and
 * be writable by root or owner only; the socket is 0600, or 0660 with
 * group as its group.
 */
struct control *control_open(struct loop *, const char *path, const char *group,
    uid_t owner, control_handler, void *arg, char **cause);
/* Close every connection and remove the socket. */
void control_close(struct control *);
/* Once a second: close idle clients, resume a paused accept(). */
void control_tick(struct control *);
/* Whether any client subscribed to the once-a-second stream. */
int control_has_subscribers(const struct control *);
/* Queue line (a reply ending in newline) to every subscriber. */
void control_publish(struct control *, const char *line);
/*
 * Keep client who open while it waits for lines that come later (not
 * closed as idle), and call gone when it closes; release it with hold
 * false.  0, or -1 when who is no longer connected.
 */
int control_hold(struct control *, control_stream who, bool hold);
void control_on_gone(struct control *, control_gone gone, void *arg);
/* Queue line to client who; 0, or -1 when it is gone (or was dropped). */
int control_send(struct control *, control_stream who, const char *line);

#endif
