/*
 * provider.h: where peers come from.
 *
 * A provider lists the instances that match a filter; the daemon turns
 * instances into peers.  Every cloud (and the static type, whose
 * instances a [provider] section lists by hand) plugs in
 * through one struct provider_ops; core code never switches on a cloud's
 * name.
 *
 * Providers do no I/O.  A listing is a sequence of steps: the provider
 * asks for an HTTP exchange (struct http_request, http.h), is handed the
 * response, and either asks for the next one (a token, the next page, the
 * next zone) or is done.  The driver that performs the exchanges is
 * separate: provider_list() runs them synchronously (tests, tools); the
 * daemon runs the same steps from its event loop, never blocking.
 *
 * Ownership: an instance_list owns its instances and their strings;
 * instance_list_free() releases everything.  Errors carry a kind and a
 * message that never contains a credential.
 */
#ifndef PROVIDER_H
#define PROVIDER_H

#include <stddef.h>

enum provider_error {
	PROVIDER_OK = 0,
	PROVIDER_AUTH_FAILED,
	PROVIDER_FORBIDDEN,
	PROVIDER_THROTTLED,
	PROVIDER_NOT_FOUND,
	PROVIDER_SERVER_ERROR,
	PROVIDER_TIMEOUT,
	PROVIDER_MALFORMED,
	PROVIDER_BAD_CONFIG,
};

struct provider_err {
	enum provider_error kind;
	char message[256];
	unsigned retry_after_s;		/* from Retry-After, 0 if none */
};

struct tag {
	char *key;
	char *value;
};

struct instance {
	char *id;
	char *name;
	char *state;			/* the cloud's word, e.g. "running" */
	char *zone;
	char **private_addrs;
	size_t nprivate;
	char **public_addrs;
	size_t npublic;
	struct tag *tags;
	size_t ntags;
};

struct instance_list {
	struct instance *v;
	size_t n, cap;
};

/* A tag filter: instances carrying key (and value, if not NULL). */
struct provider_filter {
	const char *tag_key;
	const char *tag_value;
};

struct provider;
struct http_request;
struct http_response;

enum provider_step {
	PROVIDER_STEP_REQUEST,	/* perform *req, then call step again */
	PROVIDER_STEP_DONE,	/* the listing is complete */
	PROVIDER_STEP_FAILED,	/* err says why */
};

enum { PROVIDER_MAX_REQUESTS = 1000 };	/* per listing */

struct provider_ops {
	const char *type;
	/* Start a listing: forget page state (keep cached tokens). */
	void (*begin)(struct provider *, const struct provider_filter *);
	/*
	 * First called with resp NULL, then with the response to each
	 * request it asked for.  Appends instances to out.
	 */
	enum provider_step (*step)(struct provider *,
	    const struct http_response *resp, struct http_request *req,
	    struct instance_list *out, struct provider_err *);
	void (*free)(struct provider *);
};

struct provider {
	const struct provider_ops *ops;
	char name[64];
	void *priv;
};

/*
 * Run a whole listing with the synchronous driver, appending to the list
 * (listing.h has the rules).  On any error the list is left empty.  A request identical to the one before (a page token that
 * repeats) or more than PROVIDER_MAX_REQUESTS requests fail the listing.
 */
enum provider_error provider_list(struct provider *,
    const struct provider_filter *, struct instance_list *,
    struct provider_err *);

/* Name of an error kind ("auth_failed", "timeout", ...). */
const char *provider_error_name(enum provider_error);
/* Set err and return its kind. */
enum provider_error provider_fail(struct provider_err *, enum provider_error,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Add an empty instance to the list and return it. */
struct instance *instance_list_add(struct instance_list *);
void instance_add_address(char ***v, size_t *n, const char *addr);
void instance_add_tag(struct instance *, const char *key, const char *value);
/*
 * Whether an instance is up: its state is running (EC2, CloudStack, GCE),
 * ACTIVE (Nova), Succeeded (Azure) or configured (static).
 */
int instance_is_running(const struct instance *);
/* Whether an instance passes the filter. */
int instance_matches(const struct instance *, const struct provider_filter *);
void instance_list_free(struct instance_list *);
/* Append every instance of from to to, leaving from empty. */
void instance_list_move(struct instance_list *to, struct instance_list *from);

/*
 * The static provider: the instances are given, one per entry of
 * "name=address" strings (a [provider NAME] section of type static, its
 * instances key), so that such a list goes through the same path as a
 * cloud's: filter, grace period, discovery status.  [peer] sections do not
 * use it: they are peers of the config itself (ctl/runtime.c).
 */
struct provider *provider_static_new(const char *name, const char *const *
    entries, size_t n);
void provider_free(struct provider *);

#endif
