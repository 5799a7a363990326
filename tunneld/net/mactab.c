/* mactab.c: bounded, aging, lock-free-read MAC learning table. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "mactab.h"

enum { MACTAB_WAYS = 8 };

#define KEY_VALID (1ull << 63)
#define VAL_STATIC (1ull << 63)
#define VAL_PORT(v) ((uint16_t)((v) >> 32))
#define VAL_TIME(v) ((uint32_t)(v))
#define VAL_MAKE(port, t) ((uint64_t)(port) << 32 | (uint32_t)(t))

struct mactab_slot {
	uint32_t seq;		/* odd while a writer replaces key+val */
	uint64_t key;		/* KEY_VALID | 48-bit MAC, or 0 */
	uint64_t val;		/* VAL_STATIC | port << 32 | last seen */
};

struct mactab_bucket {
	struct mactab_slot slot[MACTAB_WAYS];
};

struct mactab {
	struct mactab_bucket *buckets;
	uint32_t mask;
	uint32_t age;
	uint64_t seed;
	pthread_mutex_t lock;	/* serialises writers that change keys */
	struct mactab_stats st;	/* written under lock */
	struct mactab_policy pol; /* under lock */
	uint32_t *port_count; /* [65536] learned entries per port, under lock */
};

char *
mac_ntoa(const uint8_t *mac, char buf[MAC_TEXT_LEN])
{
	snprintf(buf, MAC_TEXT_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
	    mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

bool
mac_is_learnable(const uint8_t *mac)
{
	static const uint8_t zero[6];

	return (mac[0] & 1) == 0 && memcmp(mac, zero, 6) != 0;
}

static uint64_t
mac_key(const uint8_t *mac)
{
	uint64_t k = 0;
	int i;

	for (i = 0; i < 6; i++)
		k = k << 8 | mac[i];
	return k | KEY_VALID;
}

static struct mactab_bucket *
mactab_bucket(struct mactab *t, uint64_t key)
{
	uint64_t h = (key ^ t->seed) * 0x9e3779b97f4a7c15ull;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return &t->buckets[h & t->mask];
}

struct mactab *
mactab_new(uint32_t max_entries, uint32_t age_s)
{
	struct mactab *t;
	uint32_t n = 1;

	while ((uint64_t)n * MACTAB_WAYS < max_entries && n < (1u << 24))
		n <<= 1;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return NULL;
	if ((t->buckets = calloc(n, sizeof *t->buckets)) == NULL ||
	    (t->port_count = calloc(MACTAB_NONE + 1, sizeof *t->port_count)) ==
		NULL) {
		free(t->buckets);
		free(t);
		return NULL;
	}
	if (getrandom(&t->seed, sizeof t->seed, 0) != sizeof t->seed)
		t->seed = (uint64_t)(uintptr_t)t ^ 0x5bd1e995u;
	t->mask = n - 1;
	t->age = age_s;
	t->st.capacity = n * MACTAB_WAYS;
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void
mactab_free(struct mactab *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->buckets);
	free(t->port_count);
	free(t);
}

void
mactab_set_policy(struct mactab *t, const struct mactab_policy *p)
{
	pthread_mutex_lock(&t->lock);
	t->pol = *p;
	pthread_mutex_unlock(&t->lock);
}

/* A learned (not static) entry's port gains or loses one; under lock. */
static void
count_add(struct mactab *t, uint64_t val, int n)
{
	if ((val & VAL_STATIC) == 0)
		t->port_count[VAL_PORT(val)] += (uint32_t)n;
}

/* Whether port may hold one more learned entry; under lock. */
static bool
under_limit(const struct mactab *t, uint64_t val)
{
	return (val & VAL_STATIC) != 0 || t->pol.port_limit == 0 ||
	    t->port_count[VAL_PORT(val)] < t->pol.port_limit;
}

void
mactab_set_age(struct mactab *t, uint32_t age_s)
{
	__atomic_store_n(&t->age, age_s, __ATOMIC_RELAXED);
}

/* Consistent snapshot of a slot's key and value (seqlock reader). */
static void
slot_read(struct mactab_slot *s, uint64_t *key, uint64_t *val)
{
	uint32_t s1, s2;

	do {
		s1 = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		*key = __atomic_load_n(&s->key, __ATOMIC_RELAXED);
		*val = __atomic_load_n(&s->val, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	} while ((s1 & 1) != 0 || s1 != s2);
}

/* Replace a slot's key and value; caller holds t->lock. */
static void
slot_write(struct mactab_slot *s, uint64_t key, uint64_t val)
{
	uint32_t seq = s->seq;

	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&s->key, key, __ATOMIC_RELAXED);
	__atomic_store_n(&s->val, val, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
}

/*
 * Threads read the clock once per batch, so another thread may have stamped
 * an entry a second after this thread's "now": a negative idle time is
 * live, not a wrapped-around huge one.
 */
static int32_t
idle_time(uint64_t val, uint32_t now)
{
	return (int32_t)(now - VAL_TIME(val));
}

static bool
val_is_live(const struct mactab *t, uint64_t val, uint32_t now)
{
	uint32_t age = __atomic_load_n(&t->age, __ATOMIC_RELAXED);

	return (val & VAL_STATIC) != 0 || idle_time(val, now) <= (int32_t)age;
}

/* Slot holding key in its bucket, or NULL; *val receives its value. */
static struct mactab_slot *
mactab_find(struct mactab *t, uint64_t key, uint64_t *val)
{
	struct mactab_bucket *b = mactab_bucket(t, key);
	uint64_t k;
	int i;

	for (i = 0; i < MACTAB_WAYS; i++) {
		slot_read(&b->slot[i], &k, val);
		if (k == key)
			return &b->slot[i];
	}
	return NULL;
}

uint16_t
mactab_lookup(struct mactab *t, const uint8_t *mac, uint32_t now)
{
	uint64_t val;

	if (mactab_find(t, mac_key(mac), &val) == NULL ||
	    !val_is_live(t, val, now))
		return MACTAB_NONE;
	return VAL_PORT(val);
}

/* A slot's value; data threads may stamp it without the lock. */
static uint64_t
slot_val(struct mactab_slot *s)
{
	return __atomic_load_n(&s->val, __ATOMIC_RELAXED);
}

/* The older of two slots by last-seen time (a may be NULL). */
static struct mactab_slot *
older(struct mactab_slot *a, struct mactab_slot *b)
{
	if (a == NULL ||
	    (int32_t)(VAL_TIME(slot_val(b)) - VAL_TIME(slot_val(a))) < 0)
		return b;
	return a;
}

/*
 * Where a new entry of port goes in a bucket: a free slot, an expired
 * one, port's own least recently seen entry, then anyone's; never a
 * static one.  An entry it replaces leaves the counts.
 */
static struct mactab_slot *
mactab_victim(struct mactab *t, struct mactab_bucket *b, uint16_t port,
    uint32_t now, bool *evicting)
{
	struct mactab_slot *s, *oldest = NULL, *own = NULL;
	uint64_t val;
	int i;

	*evicting = false;
	for (i = 0; i < MACTAB_WAYS; i++) {
		s = &b->slot[i];
		val = slot_val(s);
		if (s->key == 0)
			return s;
		if ((val & VAL_STATIC) != 0)
			continue;
		if (!val_is_live(t, val, now)) {
			t->st.expired++;
			t->st.entries--;
			count_add(t, val, -1);
			return s;
		}
		oldest = older(oldest, s);
		if (VAL_PORT(val) == port)
			own = older(own, s);
	}
	if ((s = own != NULL ? own : oldest) != NULL) {
		*evicting = true;
		count_add(t, slot_val(s), -1);
	}
	return s;
}

/* Whether the policy lets a live entry old move to port. */
static bool
move_allowed(const struct mactab *t, uint64_t old, uint16_t port, uint32_t now)
{
	if (VAL_PORT(old) == MACTAB_LOCAL)
		return !t->pol.local_stays;
	if (port == MACTAB_LOCAL)
		return true; /* back to the trusted side */
	return idle_time(old, now) >= (int32_t)t->pol.move_hold;
}

/* Insert or move under the lock; the slow path of mactab_learn. */
static enum mactab_result
mactab_learn_locked(struct mactab *t, uint64_t key, uint64_t val, uint32_t now)
{
	struct mactab_slot *s;
	uint64_t old;
	bool evicting, live;

	if ((s = mactab_find(t, key, &old)) != NULL) {
		if ((old & VAL_STATIC) != 0)
			return VAL_PORT(old) == VAL_PORT(val) ? MACTAB_REFRESHED
							      : MACTAB_REFUSED;
		if (VAL_PORT(old) == VAL_PORT(val)) {
			slot_write(s, key, val);
			return MACTAB_REFRESHED;
		}
		live = val_is_live(t, old, now);
		/* A pin (static) is the operator's word: it always wins. */
		if (live && (val & VAL_STATIC) == 0 &&
		    !move_allowed(t, old, VAL_PORT(val), now)) {
			t->st.move_refused++;
			return MACTAB_MOVE_REFUSED;
		}
		if (!under_limit(t, val)) {
			t->st.at_limit++;
			return MACTAB_AT_LIMIT;
		}
		slot_write(s, key, val);
		count_add(t, old, -1);
		count_add(t, val, 1);
		if (!live)
			return MACTAB_LEARNED;
		t->st.moved++;
		return MACTAB_MOVED;
	}
	if (!under_limit(t, val)) {
		t->st.at_limit++;
		return MACTAB_AT_LIMIT;
	}
	s = mactab_victim(t, mactab_bucket(t, key), VAL_PORT(val), now,
	    &evicting);
	if (s == NULL)
		return MACTAB_REFUSED;
	if (evicting)
		t->st.evicted++;
	else
		t->st.entries++;
	slot_write(s, key, val);
	count_add(t, val, 1);
	t->st.learned++;
	return MACTAB_LEARNED;
}

enum mactab_result
mactab_learn(struct mactab *t, const uint8_t *mac, uint16_t port,
    uint32_t now)
{
	struct mactab_slot *s;
	enum mactab_result r;
	uint64_t key, old;

	if (!mac_is_learnable(mac) || port == MACTAB_NONE)
		return MACTAB_REFUSED;
	key = mac_key(mac);
	/* Fast path: same port, only the timestamp moves, no lock. */
	s = mactab_find(t, key, &old);
	if (s != NULL && (old & VAL_STATIC) == 0 && VAL_PORT(old) == port &&
	    val_is_live(t, old, now)) {
		if (VAL_TIME(old) != now)
			__atomic_compare_exchange_n(&s->val, &old,
			    VAL_MAKE(port, now), false, __ATOMIC_RELAXED,
			    __ATOMIC_RELAXED);
		return MACTAB_REFRESHED;
	}
	pthread_mutex_lock(&t->lock);
	r = mactab_learn_locked(t, key, VAL_MAKE(port, now), now);
	pthread_mutex_unlock(&t->lock);
	return r;
}

bool
mactab_add_static(struct mactab *t, const uint8_t *mac, uint16_t port)
{
	enum mactab_result r;

	if (!mac_is_learnable(mac))
		return false;
	pthread_mutex_lock(&t->lock);
	r = mactab_learn_locked(t, mac_key(mac), VAL_STATIC |
	    VAL_MAKE(port, 0), 0);
	pthread_mutex_unlock(&t->lock);
	return r != MACTAB_REFUSED;
}

/* Remove the entries for which drop() is true; returns how many. */
static uint32_t
mactab_remove_if(struct mactab *t,
    bool (*drop)(struct mactab *, uint64_t, const void *), const void *arg)
{
	uint32_t b, n = 0;
	struct mactab_slot *s;
	uint64_t val;
	int i;

	pthread_mutex_lock(&t->lock);
	for (b = 0; b <= t->mask; b++) {
		for (i = 0; i < MACTAB_WAYS; i++) {
			s = &t->buckets[b].slot[i];
			val = __atomic_load_n(&s->val, __ATOMIC_RELAXED);
			if (s->key != 0 && drop(t, val, arg)) {
				slot_write(s, 0, 0);
				count_add(t, val, -1);
				n++;
			}
		}
	}
	t->st.entries -= n;
	pthread_mutex_unlock(&t->lock);
	return n;
}

static bool
is_expired(struct mactab *t, uint64_t val, const void *now)
{
	return !val_is_live(t, val, *(const uint32_t *)now);
}

/*
 * What a flush removes: per port a mask of MACTAB_FLUSH_* kinds (what),
 * or one mask for one port, or for every port (port -1).
 */
struct flush_set {
	const uint8_t *what; /* [nports], or NULL */
	size_t nports;
	int port;     /* without what: this port, or -1 for all */
	uint8_t mask; /* without what */
};

static bool
in_flush_set(struct mactab *t, uint64_t val, const void *arg)
{
	const struct flush_set *f = arg;
	uint8_t kind =
	    (val & VAL_STATIC) ? MACTAB_FLUSH_PINNED : MACTAB_FLUSH_LEARNED;

	(void)t;
	if (f->what != NULL)
		return VAL_PORT(val) < f->nports &&
		    (f->what[VAL_PORT(val)] & kind) != 0;
	return (f->port < 0 || VAL_PORT(val) == f->port) &&
	    (f->mask & kind) != 0;
}

uint32_t
mactab_expire(struct mactab *t, uint32_t now)
{
	uint32_t n = mactab_remove_if(t, is_expired, &now);

	pthread_mutex_lock(&t->lock);
	t->st.expired += n;
	pthread_mutex_unlock(&t->lock);
	return n;
}

uint32_t
mactab_flush_ports(struct mactab *t, const uint8_t *what, size_t nports)
{
	struct flush_set f = { what, nports, -1, 0 };

	return mactab_remove_if(t, in_flush_set, &f);
}

uint32_t
mactab_flush_port(struct mactab *t, uint16_t port)
{
	struct flush_set f = { NULL, 0, port, MACTAB_FLUSH_LEARNED };

	return mactab_remove_if(t, in_flush_set, &f);
}

uint32_t
mactab_flush(struct mactab *t)
{
	struct flush_set f = { NULL, 0, -1, MACTAB_FLUSH_LEARNED };

	return mactab_remove_if(t, in_flush_set, &f);
}

void
mactab_walk(struct mactab *t, uint32_t now,
    bool (*fn)(const struct mactab_entry *, void *), void *arg)
{
	struct mactab_entry e;
	uint64_t key, val;
	uint32_t b;
	int i, j;

	for (b = 0; b <= t->mask; b++) {
		for (i = 0; i < MACTAB_WAYS; i++) {
			slot_read(&t->buckets[b].slot[i], &key, &val);
			if (key == 0 || !val_is_live(t, val, now))
				continue;
			for (j = 0; j < 6; j++)
				e.mac[j] = (uint8_t)(key >> (40 - 8 * j));
			e.port = VAL_PORT(val);
			e.is_static = (val & VAL_STATIC) != 0;
			e.idle = e.is_static || idle_time(val, now) < 0 ? 0 :
			    (uint32_t)idle_time(val, now);
			if (!fn(&e, arg))
				return;
		}
	}
}

void
mactab_get_stats(struct mactab *t, struct mactab_stats *st)
{
	pthread_mutex_lock(&t->lock);
	*st = t->st;
	pthread_mutex_unlock(&t->lock);
}
