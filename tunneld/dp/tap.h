/*
 * tap.h: the TAP device of a segment.
 *
 * tap_open() creates (or attaches to) a multi-queue TAP and returns one
 * non-blocking fd per queue, so that each data thread reads and writes its
 * own queue.  The device lives while any queue fd is open: closing them all
 * removes it, which is how SIGTERM cleans up.  Control-plane only; each call
 * is 0 or an fd on success, -1 with *cause (caller frees) on failure.
 */
#ifndef TAP_H
#define TAP_H

#include <stdbool.h>

/*
 * Open nqueues queues of TAP `name` (IFF_TAP|IFF_NO_PI|IFF_MULTI_QUEUE).
 * With *vnet set, ask for virtio-net headers and TSO4/TSO6/checksum
 * offload; if the kernel refuses, *vnet is cleared (and *cause says why)
 * and the queues are plain.
 */
int tap_open(const char *name, int nqueues, int *fds, bool *vnet,
    char **cause);
/* Set the MTU and bring the device up. */
int tap_configure(const char *name, int mtu, char **cause);
/* Make the device a port of Linux bridge `bridge` (empty: no bridge). */
int tap_attach_bridge(const char *name, const char *bridge, char **cause);
/* Take the device off its bridge, if any. */
int tap_detach_bridge(const char *name, const char *bridge, char **cause);

#endif
