/*
 * notify.h: the service manager's readiness protocol (sd_notify(3)).
 *
 * When systemd starts tunneld with Type=notify it sets NOTIFY_SOCKET; a
 * state ("READY=1", "RELOADING=1", "STOPPING=1", "WATCHDOG=1",
 * "STATUS=...") is one datagram to that socket.  Without the variable
 * every call does nothing.  The wire protocol is small and stable, so it
 * is spoken here rather than through libsystemd.  Control thread only.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdint.h>

/* Send state; 0 if sent or nobody listens, -1 with errno otherwise. */
int notify_send(const char *state);
/*
 * Half the watchdog interval systemd asks for (WATCHDOG_USEC), in ms; 0
 * when there is no watchdog for this process.
 */
uint64_t notify_watchdog_ms(void);

#endif
