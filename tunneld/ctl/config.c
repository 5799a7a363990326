/* config.c: load, check and compare tunneld's INI configuration. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"
#include "config_priv.h"
#include "crypto/replay.h"
#include "dp/dp.h"
#include "metrics.h"
#include "log.h"
#include "xmalloc.h"

/* Staging area for a [peer] before it is resolved into a cfg_peer. */
struct peer_stage {
	char address[64];
	int encap;
	long long port;
	char segments[1024];
	char macs[1024];
	int probe;
	uint32_t path_mtu;
};

/* Staging area for [daemon] keys that need a second step. */
struct daemon_stage {
	char relay[8];
	char mac_limit[16];
};

#define XSTR(x) STR(x)
#define STR(x) #x

int
parse_uint(const char *v, void *dst, const struct key_def *k, const char **why)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 ||
	    !isdigit((unsigned char)*v)) {
		*why = "not a whole number";
		return -1;
	}
	if (n < k->min || n > k->max) {
		*why = "out of range";
		return -1;
	}
	if (k->size == sizeof(uint16_t))
		*(uint16_t *)dst = (uint16_t)n;
	else if (k->size == sizeof(uint32_t))
		*(uint32_t *)dst = (uint32_t)n;
	else
		*(long long *)dst = n;
	return 0;
}

int
parse_bool(const char *v, void *dst, const struct key_def *k, const char **why)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	(void)k;
	for (i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0 || strcmp(v, no[i]) == 0) {
			*(bool *)dst = strcmp(v, yes[i]) == 0;
			return 0;
		}
	}
	*why = "not yes or no (nor true/false, on/off, 1/0)";
	return -1;
}

int
parse_str(const char *v, void *dst, const struct key_def *k, const char **why)
{
	size_t n = strlen(v);

	if (n >= k->size) {
		*why = "too long";
		return -1;
	}
	/* Zero the rest: config_restart_key compares whole fields. */
	memset(dst, 0, k->size);
	memcpy(dst, v, n);
	return 0;
}

static int
parse_ifname(const char *v, void *dst, const struct key_def *k,
    const char **why)
{
	const char *p;

	for (p = v; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("_.-", *p) == NULL) {
			*why = "interface names take letters, digits, _ . -";
			return -1;
		}
	}
	if (*v == '\0' || strlen(v) >= IFNAMSIZ) {
		*why = "interface names are 1 to 15 characters";
		return -1;
	}
	return parse_str(v, dst, k, why);
}

static int
parse_role(const char *v, void *dst, const struct key_def *k, const char **why)
{
	(void)k;
	if (strcmp(v, "hub") == 0)
		*(enum role *)dst = ROLE_HUB;
	else if (strcmp(v, "spoke") == 0)
		*(enum role *)dst = ROLE_SPOKE;
	else {
		*why = "must be hub or spoke";
		return -1;
	}
	return 0;
}

static int
parse_mac_move(const char *v, void *dst, const struct key_def *k,
    const char **why)
{
	(void)k;
	if (strcmp(v, "hold") == 0 || strcmp(v, "free") == 0) {
		*(bool *)dst = strcmp(v, "free") == 0;
		return 0;
	}
	*why = "must be hold or free";
	return -1;
}

/*
 * A duration in milliseconds: "N" or "Ns" seconds, "Nms", "Nm" minutes,
 * "Nh" hours.
 */
int
parse_duration(const char *v, void *dst, const struct key_def *k,
    const char **why)
{
	unsigned long long n, scale = 1000;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (!isdigit((unsigned char)*v) || errno != 0) {
		*why = "not a duration (5, 5s, 500ms, 10m or 1h)";
		return -1;
	}
	if (strcmp(end, "ms") == 0)
		scale = 1;
	else if (strcmp(end, "m") == 0)
		scale = 60000;
	else if (strcmp(end, "h") == 0)
		scale = 3600000;
	else if (*end != '\0' && strcmp(end, "s") != 0) {
		*why = "not a duration (5, 5s, 500ms, 10m or 1h)";
		return -1;
	}
	if (n > UINT32_MAX / scale || (long long)(n * scale) < k->min ||
	    (long long)(n * scale) > k->max) {
		*why = "out of range";
		return -1;
	}
	*(uint32_t *)dst = (uint32_t)(n * scale);
	return 0;
}

/* A TAP MTU, or "auto" (0: load_segment starts it at 1450). */
static int
parse_mtu(const char *v, void *dst, const struct key_def *k, const char **why)
{
	if (strcmp(v, "auto") == 0) {
		*(int *)dst = 0;
		return 0;
	}
	if (parse_uint(v, dst, k, why) != 0) {
		if (!isdigit((unsigned char)*v))
			*why = "must be auto or a whole number";
		return -1;
	}
	return 0;
}

/*
 * A word of words[] (in enum order, NULL-terminated) into an int; why
 * names them all.
 */
static int
parse_word(const char *v, void *dst, const char *const *words, const char *all,
    const char **why)
{
	int i;

	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(v, words[i]) == 0) {
			*(int *)dst = i;
			return 0;
		}
	}
	*why = all;
	return -1;
}

static int
parse_df(const char *v, void *dst, const struct key_def *k, const char **why)
{
	static const char *const words[] = { [DP_DF_SET] = "set",
		[DP_DF_UNSET] = "unset",
		[DP_DF_INHERIT] = "inherit",
		NULL };

	(void)k;
	return parse_word(v, dst, words, "must be set, unset or inherit", why);
}

static int
parse_probe(const char *v, void *dst, const struct key_def *k, const char **why)
{
	static const char *const words[] = { [PROBE_AUTO] = "auto",
		[PROBE_YES] = "yes",
		[PROBE_NO] = "no",
		NULL };

	(void)k;
	return parse_word(v, dst, words, "must be auto, yes or no", why);
}

static int
parse_loglevel(const char *v, void *dst, const struct key_def *k,
    const char **why)
{
	(void)k;
	if ((*(int *)dst = log_level_parse(v)) < 0) {
		*why = "must be warn, info or debug";
		return -1;
	}
	return 0;
}

int
parse_encap(const char *v, void *dst, const struct key_def *k, const char **why)
{
	(void)k;
	if ((*(int *)dst = encap_parse(v)) < 0) {
		*why = "must be vxlan, gre or gre-udp";
		return -1;
	}
	return 0;
}

#define D(f) offsetof(struct cfg_daemon, f), sizeof(((struct cfg_daemon *)0)->f)
#define DS(f)                                                                  \
	offsetof(struct daemon_stage, f), sizeof(((struct daemon_stage *)0)->f)
#define S(f)                                                                   \
	offsetof(struct cfg_segment, f), sizeof(((struct cfg_segment *)0)->f)
#define P(f) offsetof(struct peer_stage, f), sizeof(((struct peer_stage *)0)->f)

_Static_assert(REPLAY_DEFAULT == 8192, "replay-window's default");

/* Daemon keys write into two structs: base 0 = cfg_daemon, 1 = stage. */
static const struct key_def daemon_keys[] = {
	{ "role", parse_role, KEY_REQUIRED | KEY_RESTART, 0, 0, NULL, D(role) },
	{ "name", parse_str, 0, 0, 0, NULL, D(name) },
	{ "local-address", parse_str, KEY_RESTART, 0, 0, "", D(local_address) },
	{ "vxlan-port", parse_uint, KEY_RESTART, 1, 65535,
	    XSTR(VXLAN_DEFAULT_PORT), D(port[ENCAP_VXLAN]) },
	{ "gre-udp-port", parse_uint, KEY_RESTART, 1, 65535,
	    XSTR(GREUDP_DEFAULT_PORT), D(port[ENCAP_GREUDP]) },
	{ "udp-checksum", parse_bool, KEY_RESTART, 0, 0, "no",
	    D(udp_checksum) },
	{ "gre", parse_bool, KEY_RESTART, 0, 0, "yes", D(gre) },
	{ "threads", parse_uint, KEY_RESTART, 0, CFG_MAX_THREADS, "0",
	    D(threads) },
	{ "user", parse_str, KEY_RESTART, 0, 0, "", D(user) },
	{ "control-socket", parse_str, KEY_RESTART, 0, 0,
	    "/run/tunneld/tunneld.sock", D(control_socket) },
	{ "control-group", parse_str, KEY_RESTART, 0, 0, "", D(control_group) },
	{ "log-level", parse_loglevel, 0, 0, 0, "info", D(log_level) },
	{ "mac-age", parse_uint, 0, 10, 86400, "300", D(mac_age) },
	{ "mac-move", parse_mac_move, 0, 0, 0, "hold", D(mac_move_free) },
	{ "mac-move-hold", parse_uint, 0, 1, 3600, "5", D(mac_move_hold) },
	{ "mac-table-size", parse_uint, KEY_RESTART, 64, 1 << 20, "8192",
	    D(mac_table_size) },
	{ "flood-rate", parse_uint, 0, 0, 10000000, "1000", D(flood_rate) },
	{ "flood-burst", parse_uint, 0, 1, 10000000, "2000", D(flood_burst) },
	{ "offload", parse_bool, KEY_RESTART, 0, 0, "yes", D(offload) },
	{ "busy-poll", parse_uint, KEY_RESTART, 0, CFG_MAX_BUSY_POLL, "0",
	    D(busy_poll) },
	{ "probe-interval", parse_duration, 0, 50, 60000, "1s",
	    D(probe_interval_ms) },
	{ "dead-after", parse_duration, 0, 200, 600000, "5s",
	    D(dead_after_ms) },
	{ "probe-window", parse_duration, 0, 5000, 3600000, "60s",
	    D(probe_window_ms) },
	{ "pmtu-interval", parse_duration, 0, 10000, 86400000, "10m",
	    D(pmtu_interval_ms) },
	{ "pmtu-floor", parse_uint, 0, 576, 9000, "576", D(pmtu_floor) },
	{ "metrics", parse_str, KEY_RESTART, 0, 0, "", D(metrics) },
	{ "df", parse_df, KEY_RESTART, 0, 0, "set", D(df) },
	{ "metrics-allow-remote", parse_bool, KEY_RESTART, 0, 0, "no",
	    D(metrics_allow_remote) },
	{ "esp-port", parse_uint, KEY_RESTART, 1, 65535, "4500", D(esp_port) },
	{ "replay-window", parse_uint, KEY_RESTART, REPLAY_MIN, REPLAY_MAX,
	    "8192", D(replay_window) },
	{ "control-port", parse_uint, KEY_RESTART, 1, 65535, "4790",
	    D(control_port) },
	{ "perf-port", parse_uint, 0, 1, 65535, "4791", D(perf_port) },
	{ NULL, NULL, 0, 0, 0, NULL, 0, 0 },
};

/*
 * Defaults that depend on the role.  relay: yes on a hub, no on a spoke.
 * mac-limit: 1024 MACs per peer on a hub (a spoke is one VM, or a few
 * behind it); none on a spoke, whose one peer, the hub, relays the whole
 * pod.
 */
static const struct key_def daemon_stage_keys[] = {
	{ "relay", parse_str, 0, 0, 0, NULL, DS(relay) },
	{ "mac-limit", parse_str, 0, 0, 0, NULL, DS(mac_limit) },
	{ NULL, NULL, 0, 0, 0, NULL, 0, 0 },
};

static const struct key_def segment_keys[] = {
	{ "vni", parse_uint, KEY_REQUIRED, 0, VNI_MAX, NULL, S(vni) },
	{ "tap", parse_ifname, 0, 0, 0, NULL, S(tap) },
	{ "mtu", parse_mtu, 0, CFG_MIN_MTU, CFG_MAX_MTU, "1450", S(mtu) },
	{ "clamp-mss", parse_bool, 0, 0, 0, "no", S(clamp_mss) },
	{ "bridge", parse_ifname, 0, 0, 0, NULL, S(bridge) },
	{ NULL, NULL, 0, 0, 0, NULL, 0, 0 },
};

static const struct key_def peer_keys[] = {
	{ "address", parse_str, KEY_REQUIRED, 0, 0, NULL, P(address) },
	{ "encap", parse_encap, 0, 0, 0, "vxlan", P(encap) },
	{ "port", parse_uint, 0, 1, 65535, NULL, P(port) },
	{ "segments", parse_str, 0, 0, 0, NULL, P(segments) },
	{ "macs", parse_str, 0, 0, 0, NULL, P(macs) },
	{ "probe", parse_probe, 0, 0, 0, "auto", P(probe) },
	{ "path-mtu", parse_uint, 0, 576, 65535, NULL, P(path_mtu) },
	{ NULL, NULL, 0, 0, 0, NULL, 0, 0 },
};

/* "FILE:LINE: [section] key: message", the key's line or its section's. */
static char *load_message(struct loader *, const char *, const char *,
    const char *, va_list) __attribute__((format(printf, 4, 0)));

static char *
load_message(struct loader *ld, const char *section, const char *key,
    const char *fmt, va_list ap)
{
	char msg[256], *out;
	int line = ini_lines_find(ld->lines, section, key);

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (line == 0)
		line = ini_lines_find(ld->lines, section, NULL);
	xasprintf(&out, "%s:%d: [%s]%s%s: %s", ld->path, line, section,
	    key ? " " : "", key ? key : "", msg);
	return out;
}

int
load_fail(struct loader *ld, const char *section, const char *key,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*ld->cause = load_message(ld, section, key, fmt, ap);
	va_end(ap);
	return -1;
}

void
load_warn(struct loader *ld, const char *section, const char *key,
    const char *fmt, ...)
{
	struct config *c = ld->conf;
	va_list ap;

	va_start(ap, fmt);
	c->warnings =
	    xreallocarray(c->warnings, c->nwarnings + 1, sizeof *c->warnings);
	c->warnings[c->nwarnings++] = load_message(ld, section, key, fmt, ap);
	va_end(ap);
}

static const struct key_def *
key_lookup(const struct key_table *tabs, int ntabs, const char *key,
    void **base)
{
	const struct key_def *k;
	int i;

	for (i = 0; i < ntabs; i++) {
		for (k = tabs[i].keys; k->name != NULL; k++) {
			if (strcmp(k->name, key) == 0) {
				*base = tabs[i].base;
				return k;
			}
		}
	}
	return NULL;
}

int
load_section(struct loader *ld, const char *sec, const struct key_table *tabs,
    int ntabs)
{
	int i, n = iniparser_getsecnkeys(ld->dict, sec), rc = 0;
	const char **keys;
	const struct key_def *k;
	const char *why, *name, *val;
	void *base;
	char full[256];

	for (i = 0; i < ntabs; i++)
		for (k = tabs[i].keys; k->name != NULL; k++)
			if (k->def != NULL &&
			    k->parse(k->def, (char *)tabs[i].base + k->off, k,
				&why) != 0)
				fatalx("[%s] %s: default \"%s\": %s", sec,
				    k->name, k->def, why);
	keys = n > 0 ? xcalloc((size_t)n, sizeof *keys) : NULL;
	if (n > 0 && iniparser_getseckeys(ld->dict, sec, keys) == NULL)
		n = 0;
	for (i = 0; rc == 0 && i < n; i++) {
		name = keys[i] + strlen(sec) + 1;
		/* A "[sec:key]" section shows up as a key without a value. */
		val = iniparser_getstring(ld->dict, keys[i], NULL);
		if (val == NULL)
			rc = load_fail(ld, sec, name,
			    "a section named like a key");
		else if ((k = key_lookup(tabs, ntabs, name, &base)) == NULL) {
			if (ld->extra_key == NULL ||
			    (rc = ld->extra_key(ld, sec, name, val)) > 0)
				rc = load_fail(ld, sec, name, "unknown key");
		} else if (k->parse(val, (char *)base + k->off, k, &why) != 0)
			rc = load_fail(ld, sec, name, "\"%s\": %s", val, why);
	}
	free(keys);
	for (i = 0; rc == 0 && i < ntabs; i++) {
		for (k = tabs[i].keys; rc == 0 && k->name != NULL; k++) {
			snprintf(full, sizeof full, "%s:%s", sec, k->name);
			if ((k->flags & KEY_REQUIRED) &&
			    !iniparser_find_entry(ld->dict, full))
				rc = load_fail(ld, sec, NULL,
				    "missing required key \"%s\"", k->name);
		}
	}
	return rc;
}

bool
valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CFG_SECTION_NAME_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_.-", *s) == NULL)
			return false;
	return true;
}

/* local-address: at most one IPv4 and one IPv6 address, comma separated. */
static int
load_local(struct loader *ld, struct cfg_daemon *d, char *list)
{
	struct sockaddr_any a;
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (addr_parse(tok, 0, &a) != 0)
			return load_fail(ld, "daemon", "local-address",
			    "\"%s\" is not an IPv4 or IPv6 address", tok);
		if (a.sa.sa_family == AF_INET ? d->local4.len : d->local6.len)
			return load_fail(ld, "daemon", "local-address",
			    "more than one address of a family");
		if (a.sa.sa_family == AF_INET)
			d->local4 = a;
		else
			d->local6 = a;
	}
	return 0;
}

/* metrics = ADDRESS:PORT: loopback unless metrics-allow-remote = yes. */
static int
load_metrics(struct loader *ld, struct cfg_daemon *d)
{
	const struct sockaddr_any *a = &d->metrics_addr;
	const char *why;
	bool loopback;

	if (d->metrics[0] == '\0')
		return 0;
	if (metrics_parse_addr(d->metrics, &d->metrics_addr, &why) != 0)
		return load_fail(ld, "daemon", "metrics", "\"%s\": %s",
		    d->metrics, why);
	loopback = a->sa.sa_family == AF_INET
	    ? (ntohl(a->sin.sin_addr.s_addr) >> 24) == 127
	    : IN6_IS_ADDR_LOOPBACK(&a->sin6.sin6_addr);
	if (!loopback && !d->metrics_allow_remote)
		return load_fail(ld, "daemon", "metrics",
		    "%s is not a loopback address: the metrics name every "
		    "peer and its traffic; set metrics-allow-remote = yes "
		    "to serve them to the network",
		    d->metrics);
	return 0;
}

static int
load_daemon(struct loader *ld, struct cfg_daemon *d)
{
	static const struct key_def mac_limit = { "mac-limit", parse_uint, 0, 0,
		1 << 20, NULL, D(mac_limit) };
	struct daemon_stage st = { "", "" };
	struct key_table tabs[] = { { daemon_keys, d },
		{ daemon_stage_keys, &st } };
	char local[sizeof d->local_address];
	bool relay;
	const char *why;

	memset(d, 0, sizeof *d);
	/* The one default the table cannot hold: it is the machine's. */
	if (gethostname(d->name, sizeof d->name - 1) != 0)
		strcpy(d->name, "tunneld");
	if (!iniparser_find_entry(ld->dict, "daemon")) {
		xasprintf(ld->cause, "%s: no [daemon] section", ld->path);
		return -1;
	}
	if (load_section(ld, "daemon", tabs, 2) != 0)
		return -1;
	strcpy(local, d->local_address);
	if (load_local(ld, d, local) != 0)
		return -1;
	d->relay = d->role == ROLE_HUB;
	if (st.relay[0] != '\0') {
		if (parse_bool(st.relay, &relay, NULL, &why) != 0)
			return load_fail(ld, "daemon", "relay", "%s", why);
		d->relay = relay;
	}
	if (st.mac_limit[0] == '\0')
		d->mac_limit = d->role == ROLE_HUB ? 1024 : 0;
	else if (parse_uint(st.mac_limit, &d->mac_limit, &mac_limit, &why) != 0)
		return load_fail(ld, "daemon", "mac-limit", "\"%s\": %s",
		    st.mac_limit, why);
	if (d->port[ENCAP_VXLAN] == d->port[ENCAP_GREUDP])
		return load_fail(ld, "daemon", "gre-udp-port",
		    "same port as vxlan-port");
	if (d->esp_port == d->port[ENCAP_VXLAN] ||
	    d->esp_port == d->port[ENCAP_GREUDP])
		return load_fail(ld, "daemon", "esp-port",
		    "same port as vxlan-port or gre-udp-port");
	if (d->control_socket[0] != '/')
		return load_fail(ld, "daemon", "control-socket",
		    "must be an absolute path");
	if (load_metrics(ld, d) != 0)
		return -1;
	if (d->dead_after_ms < 2 * d->probe_interval_ms)
		return load_fail(ld, "daemon", "dead-after",
		    "%u ms is less than two probe-intervals (%u ms each)",
		    d->dead_after_ms, d->probe_interval_ms);
	return 0;
}

static int
load_segment(struct loader *ld, const char *sec, struct config *c)
{
	struct cfg_segment *s = &c->segments[c->nsegments];
	struct key_table tab = { segment_keys, s };
	const char *name = sec + strlen("segment ");
	int i;

	memset(s, 0, sizeof *s);
	if (!valid_name(name))
		return load_fail(ld, sec, NULL, "bad segment name");
	strcpy(s->name, name);
	if (load_section(ld, sec, &tab, 1) != 0)
		return -1;
	if (s->tap[0] == '\0')
		snprintf(s->tap, sizeof s->tap, "tn-%.12s", name);
	if (s->mtu == 0) {
		s->mtu_auto = true;
		s->mtu = CFG_AUTO_MTU_START;
	}
	for (i = 0; i < c->nsegments; i++) {
		if (c->segments[i].vni == s->vni)
			return load_fail(ld, sec, "vni",
			    "VNI %u already used "
			    "by segment %s",
			    s->vni, c->segments[i].name);
		if (strcmp(c->segments[i].tap, s->tap) == 0)
			return load_fail(ld, sec, "tap",
			    "TAP %s already used "
			    "by segment %s",
			    s->tap, c->segments[i].name);
	}
	c->nsegments++;
	return 0;
}

int
load_peer_segments(struct loader *ld, const char *sec, struct config *c,
    char *list, uint64_t *mask)
{
	char *tok, *save = NULL;
	int i;

	if (list[0] == '\0') {
		*mask = c->nsegments >= 64 ? ~0ull : (1ull << c->nsegments) - 1;
		return 0;
	}
	*mask = 0;
	for (tok = strtok_r(list, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if ((i = config_segment_by_name(c, tok)) < 0)
			return load_fail(ld, sec, "segments",
			    "no segment named \"%s\"", tok);
		*mask |= 1ull << i;
	}
	return 0;
}

int
load_encap_port(struct loader *ld, const char *sec, const struct config *c,
    enum encap_type encap, long long configured, uint16_t *port)
{
	const struct encap_ops *o = encap_ops(encap);

	if (o->transport == ENCAP_OVER_IP && configured != 0)
		return load_fail(ld, sec, "port", "%s over IP has no port",
		    o->title);
	if (o->transport == ENCAP_OVER_IP && !c->daemon.gre)
		return load_fail(ld, sec, "encap",
		    "%s while [daemon] gre is off", o->name);
	/* Raw sockets take port 0 (IPv6 reads it as the protocol). */
	if (o->transport == ENCAP_OVER_IP)
		*port = 0;
	else if (configured != 0)
		*port = (uint16_t)configured;
	else
		*port = c->daemon.port[encap];
	return 0;
}

/* macs = : unicast MACs pinned to the peer, comma or space separated. */
static int
load_peer_macs(struct loader *ld, const char *sec, char *list,
    struct cfg_peer *p)
{
	char *tok, *save = NULL, end;
	uint8_t *m;

	for (tok = strtok_r(list, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (p->nmacs == CFG_MAX_PEER_MACS)
			return load_fail(ld, sec, "macs", "more than %d MACs",
			    CFG_MAX_PEER_MACS);
		m = p->macs[p->nmacs];
		if (sscanf(tok, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%c", &m[0],
			&m[1], &m[2], &m[3], &m[4], &m[5], &end) != 6 ||
		    strlen(tok) != 17 || !mac_is_learnable(m))
			return load_fail(ld, sec, "macs",
			    "\"%s\" is not a "
			    "unicast MAC (aa:bb:cc:dd:ee:ff)",
			    tok);
		p->nmacs++;
	}
	return 0;
}

static bool
same_endpoint(const struct cfg_peer *a, const struct cfg_peer *b)
{
	return a->encap == b->encap && addr_same_host(&a->addr, &b->addr.sa);
}

static int
load_peer(struct loader *ld, const char *sec, struct config *c)
{
	struct cfg_peer *p = &c->peers[c->npeers];
	struct peer_stage st = { "", 0, 0, "", "", 0, 0 };
	struct crypto_stage cst;
	struct key_table tabs[] = { { peer_keys, &st },
		{ peer_crypto_keys, &cst } };
	const char *name = sec + strlen("peer "), *why;
	uint16_t port;
	int i;

	memset(p, 0, sizeof *p);
	if (!valid_name(name))
		return load_fail(ld, sec, NULL, "bad peer name");
	strcpy(p->name, name);
	memset(&cst, 0, sizeof cst);
	if (load_section(ld, sec, tabs, 2) != 0 ||
	    load_peer_crypto(ld, sec, c, &cst, &p->crypto) != 0) {
		crypto_stage_clear(&cst);
		return -1;
	}
	crypto_stage_clear(&cst);
	p->encap = (enum encap_type)st.encap;
	p->probe = (enum probe_mode)st.probe;
	p->path_mtu = (uint16_t)st.path_mtu;
	p->path_mtu_source = st.path_mtu != 0 ? PATH_MTU_CONFIG : PATH_MTU_NONE;
	if (load_encap_port(ld, sec, c, p->encap, st.port, &port) != 0)
		return -1;
	if (addr_parse(st.address, port, &p->addr) != 0)
		return load_fail(ld, sec, "address",
		    "\"%s\" is not a numeric "
		    "IPv4 or IPv6 address",
		    st.address);
	if ((why = localaddrs_refuse(ld->local, &p->addr)) != NULL)
		return load_fail(ld, sec, "address",
		    "\"%s\" cannot be a peer: %s", st.address, why);
	strcpy(p->address, st.address);
	if (load_peer_segments(ld, sec, c, st.segments, &p->segments) != 0 ||
	    load_peer_macs(ld, sec, st.macs, p) != 0)
		return -1;
	for (i = 0; i < c->npeers; i++)
		if (same_endpoint(p, &c->peers[i]))
			return load_fail(ld, sec, "address",
			    "peer %s already "
			    "has this address and encapsulation",
			    c->peers[i].name);
	c->npeers++;
	return 0;
}

/* Sections in the order daemon, segments, peers; anything else is an error. */
static int
load_sections(struct loader *ld, struct config *c)
{
	int i, pass, n = iniparser_getnsec(ld->dict);
	const char *sec;

	if (load_daemon(ld, &c->daemon) != 0 || load_crypto_section(ld, c) != 0)
		return -1;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			sec = iniparser_getsecname(ld->dict, i);
			if (strcmp(sec, "daemon") == 0 ||
			    strcmp(sec, "crypto") == 0)
				continue;
			if (strncmp(sec, "segment ", 8) == 0) {
				if (pass == 0 &&
				    c->nsegments == CFG_MAX_SEGMENTS)
					return load_fail(ld, sec, NULL,
					    "more than %d segments",
					    CFG_MAX_SEGMENTS);
				if (pass == 0 && load_segment(ld, sec, c) != 0)
					return -1;
			} else if (strncmp(sec, "provider ", 9) == 0) {
				if (pass == 1 &&
				    c->nproviders == CFG_MAX_PROVIDERS)
					return load_fail(ld, sec, NULL,
					    "more than %d providers",
					    CFG_MAX_PROVIDERS);
				if (pass == 1 && load_provider(ld, sec, c) != 0)
					return -1;
			} else if (strncmp(sec, "peer ", 5) == 0) {
				if (pass == 1 && c->npeers == CFG_MAX_PEERS)
					return load_fail(ld, sec, NULL,
					    "more than %d peers",
					    CFG_MAX_PEERS);
				if (pass == 1 && load_peer(ld, sec, c) != 0)
					return -1;
			} else
				return load_fail(ld, sec, NULL,
				    "unknown section"
				    " (expected daemon, crypto, segment NAME,"
				    " peer NAME or provider NAME)");
		}
	}
	if (c->nsegments == 0) {
		xasprintf(ld->cause, "%s: no [segment NAME] section", ld->path);
		return -1;
	}
	return 0;
}

/*
 * What iniparser complained of.  Its messages repeat the offending line,
 * which may hold a secret (a password with its "=" missing), so the
 * callback never formats them: it keeps the kind and the line number.
 */
static struct {
	const char *kind;
	int line;
} ini_error;

static const struct {
	const char *prefix; /* of iniparser's format */
	const char *kind;
	bool has_line; /* "%s (%d)": the file, then the line */
} ini_errors[] = {
	{ "iniparser: syntax error in",
	    "syntax error (a line that is not "
	    "[section], key = value or a comment)",
	    true },
	{ "iniparser: input line too long", "line too long", true },
	{ "iniparser: cannot open", "cannot be opened", false },
	{ "iniparser: memory allocation", "out of memory", false },
};

static int
ini_error_cb(const char *fmt, ...)
{
	va_list ap;
	size_t i;

	for (i = 0; i < sizeof ini_errors / sizeof ini_errors[0]; i++) {
		if (strncmp(fmt, ini_errors[i].prefix,
			strlen(ini_errors[i].prefix)) != 0)
			continue;
		ini_error.kind = ini_errors[i].kind;
		if (ini_errors[i].has_line) {
			va_start(ap, fmt);
			(void)va_arg(ap, const char *);
			ini_error.line = va_arg(ap, int);
			va_end(ap);
		}
		return 0;
	}
	ini_error.kind = "cannot be parsed";
	return 0;
}

struct config *
config_load(const char *path, char **cause)
{
	return config_load_flags(path, 0, cause);
}

struct config *
config_load_flags(const char *path, unsigned flags, char **cause)
{
	struct loader ld = { .path = path, .cause = cause };
	struct config *c;

	if ((ld.lines = ini_lines_scan(path, cause)) == NULL)
		return NULL;
	ini_error.kind = NULL;
	ini_error.line = 0;
	iniparser_set_error_callback(ini_error_cb);
	if ((ld.dict = iniparser_load(path)) == NULL) {
		if (ini_error.line > 0)
			xasprintf(cause, "%s:%d: %s", path, ini_error.line,
			    ini_error.kind);
		else
			xasprintf(cause, "%s: %s", path,
			    ini_error.kind ? ini_error.kind
					   : "cannot be parsed");
		ini_lines_free(ld.lines);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	c->segments = xcalloc(CFG_MAX_SEGMENTS, sizeof *c->segments);
	c->peers = xcalloc(CFG_MAX_PEERS, sizeof *c->peers);
	c->providers = xcalloc(CFG_MAX_PROVIDERS, sizeof *c->providers);
	ld.conf = c;
	ld.offline = (flags & CONFIG_OFFLINE) != 0;
	/* Offline, this host's addresses say nothing about the target's. */
	ld.local = ld.offline ? NULL : localaddrs_new();
	if (load_sections(&ld, c) != 0 ||
	    (!ld.offline && load_host_checks(&ld, c) != 0)) {
		config_free(c);
		c = NULL;
	}
	localaddrs_free(ld.local);
	iniparser_freedict(ld.dict);
	ini_lines_free(ld.lines);
	return c;
}

void
config_free(struct config *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nproviders; i++)
		cfg_provider_clear(&c->providers[i]);
	for (i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c->providers);
	free(c->path);
	free(c->segments);
	if (c->peers != NULL)
		OPENSSL_cleanse(c->peers, CFG_MAX_PEERS * sizeof *c->peers);
	free(c->peers);
	free(c);
}

void
config_log_warnings(const struct config *c)
{
	int i;

	for (i = 0; i < c->nwarnings; i++)
		log_warnx("%s", c->warnings[i]);
}

int
config_segment_by_name(const struct config *c, const char *name)
{
	int i;

	for (i = 0; i < c->nsegments; i++)
		if (strcmp(c->segments[i].name, name) == 0)
			return i;
	return -1;
}

int
config_key_restarts(const char *key)
{
	const struct key_def *k;

	for (k = daemon_keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			return (k->flags & KEY_RESTART) != 0;
	for (k = daemon_stage_keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			return (k->flags & KEY_RESTART) != 0;
	return -1;
}

const char *
config_restart_key(const struct config *a, const struct config *b)
{
	const struct key_def *k;

	for (k = daemon_keys; k->name != NULL; k++)
		if ((k->flags & KEY_RESTART) &&
		    memcmp((const char *)&a->daemon + k->off,
			(const char *)&b->daemon + k->off, k->size) != 0)
			return k->name;
	return NULL;
}
