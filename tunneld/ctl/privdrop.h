/*
 * privdrop.h: give up root after the privileged set-up.
 *
 * Switches to the user (and its group) and keeps one capability,
 * CAP_NET_ADMIN, which reload needs to change a TAP's MTU and bridge
 * membership.  Raw and low-port sockets are already open, so CAP_NET_RAW is
 * not kept; /dev/net/tun is root-only, so a reload that adds a segment
 * needs a restart when the daemon runs as a user.  Call before any thread
 * starts: capabilities are per thread and new threads inherit them.
 */
#ifndef PRIVDROP_H
#define PRIVDROP_H

#include <sys/types.h>

/* uid of user, or -1 with *cause. */
int priv_lookup(const char *user, uid_t *uid, char **cause);
/* Become user, keeping CAP_NET_ADMIN; -1 with *cause. */
int priv_drop(const char *user, char **cause);

#endif
