/*
 * config_priv.h: the config loader's pieces shared by its files
 * (config.c: [daemon], [segment], [peer]; config_provider.c: [provider]).
 * Internal to the loader.
 */
#ifndef CONFIG_PRIV_H
#define CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include <iniparser/iniparser.h>

#include "config.h"
#include "ini_lines.h"
#include "localaddr.h"

struct key_def;
typedef int (*key_parser)(const char *, void *, const struct key_def *,
    const char **why);

enum key_flags {
	KEY_REQUIRED = 1, /* the section must set it */
	KEY_RESTART = 2,  /* [daemon]: a reload may not change it */
};

/*
 * One key: its parser and bounds, its default (text the parser reads
 * before the section's own value; NULL: zero), and where it goes.
 */
struct key_def {
	const char *name;
	key_parser parse;
	unsigned flags;
	long long min, max;
	const char *def;
	size_t off;
	size_t size;
};

/* A table of keys and the struct it fills. */
struct key_table {
	const struct key_def *keys;
	void *base;
};

struct loader {
	const char *path;
	dictionary *dict;
	struct ini_lines *lines;
	struct localaddrs *local; /* this host's; NULL offline */
	bool offline;		  /* CONFIG_OFFLINE: not checked on this host */
	struct config *conf;	  /* what is being loaded (for load_warn) */
	char **cause;
	/*
	 * Keys no table knows go here when set: 0 taken, 1 unknown, -1
	 * failed (load_fail called).
	 */
	int (*extra_key)(struct loader *, const char *sec, const char *key,
	    const char *val);
	void *extra_arg;
};

/* Set *ld->cause to "FILE:LINE: [section] key: message"; returns -1. */
int load_fail(struct loader *, const char *section, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Add "FILE:LINE: [section] key: message" to the config's warnings. */
void load_warn(struct loader *, const char *section, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Parse every key of a section through the tables; check required keys. */
int load_section(struct loader *, const char *sec, const struct key_table *,
    int ntabs);
/* A segments list (empty: all) as a bit set over c's segments. */
int load_peer_segments(struct loader *, const char *sec, struct config *c,
    char *list, uint64_t *mask);
/* The destination port of an encapsulation (configured 0: the default). */
int load_encap_port(struct loader *, const char *sec, const struct config *,
    enum encap_type, long long configured, uint16_t *port);
/* Whether a section or peer name is 1 to CFG_NAME_MAX-1 of [A-Za-z0-9_.-]. */
bool valid_name(const char *);

int parse_uint(const char *, void *, const struct key_def *, const char **);
int parse_bool(const char *, void *, const struct key_def *, const char **);
int parse_str(const char *, void *, const struct key_def *, const char **);
int parse_encap(const char *, void *, const struct key_def *, const char **);
int parse_duration(const char *, void *, const struct key_def *, const char **);

/*
 * Whether user may open path for reading: 1, 0, or -1 when this process
 * cannot tell (not root, no such user, the user is root).  Forks.
 */
int user_can_read(const char *user, const char *path);
/* What the config names on this host exists (config_host.c); 0 or -1. */
int load_host_checks(struct loader *, const struct config *);

/*
 * Secrets files (config_secret.c).  open_secret(): open path for key of
 * sec after checking it is a regular file, owned by root or the daemon's
 * user, closed to group and others; an fd, or -1 after load_fail().
 * read_secret(): its whole text (under SECRET_FILE_MAX bytes, no NUL),
 * for the caller to cleanse and free; NULL after load_fail().
 */
enum { SECRET_FILE_MAX = 64 << 10 };
int open_secret(struct loader *, const char *sec, const char *key,
    const char *path, const struct config *);
char *read_secret(struct loader *, const char *sec, const char *key,
    const char *path, const struct config *);
/* Whether the config file itself may be read by group or others. */
bool config_file_exposed(const struct loader *);

/*
 * A [peer]'s encryption keys (config_crypto.c): parsed as text into the
 * stage by the key table, then checked and converted by
 * load_peer_crypto().  The stage holds key text: clear it after.
 */
struct crypto_stage {
	bool encrypt;
	char keying[16];
	char cipher[32];
	char spi_in[16], spi_out[16];
	char key_in[96], key_out[96];
	char tls_name[128], tls_pin[80], psk_file[256];
};
extern const struct key_def peer_crypto_keys[];
int load_peer_crypto(struct loader *, const char *sec, const struct config *,
    const struct crypto_stage *, struct cfg_crypto *);
void crypto_stage_clear(struct crypto_stage *);
/*
 * keying = auto (config_tls.c): [crypto], loaded before the peers, and a
 * peer's tls-name, tls-pin or psk-file.
 */
int load_crypto_section(struct loader *, struct config *);
int load_peer_auto(struct loader *, const char *sec, const struct config *,
    const struct crypto_stage *, struct cfg_crypto *);

/* [provider NAME] (config_provider.c). */
int load_provider(struct loader *, const char *sec, struct config *);
void cfg_provider_clear(struct cfg_provider *);

#endif
