/*
 * log.h: one logger for tunneld, tunnelctl and tunneltop.
 *
 * Writes to stderr when started in the foreground (log_init(1, ...)) and to
 * syslog otherwise.  log_warn() appends strerror(errno); the x variants do not.
 * fatal()/fatalx() are for start-up and broken invariants only.
 *
 * Anything a remote host can trigger goes through a struct log_rate, which
 * lets the first messages of a burst through and counts the rest, so that a
 * packet flood can never fill a disk.
 *
 * Every message is escaped before it is written (log_escape(): bytes that
 * are not printable ASCII, and backslashes, as \xNN), so untrusted text
 * cannot forge lines or reach a terminal raw.
 * Thread-safe: every call formats into a local buffer and writes once.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_WARN = 0,
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_DEBUG = 2,
};

/* Rate limit for remotely triggerable messages: burst per interval. */
struct log_rate {
	uint64_t window_start_ms;
	uint32_t in_window;
	uint32_t suppressed;
};

enum { LOG_RATE_BURST = 5, LOG_RATE_INTERVAL_MS = 5000 };

/*
 * Start logging; foreground logs to stderr, else to syslog as ident.  On
 * stderr a line is prefixed by what stderr is: "<N>" (its syslog
 * priority) when it is systemd's journal stream (JOURNAL_STREAM), the
 * local time and the level on a terminal, nothing on a pipe or a file.
 */
void log_init(int foreground, enum log_level level, const char *ident);
/* Change the verbosity at run time (reload). */
void log_set_level(enum log_level level);
/* Parse "warn", "info" or "debug"; -1 if none of them. */
int log_level_parse(const char *name);

void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/*
 * True if a rate-limited message may be logged now.  When a new window opens
 * after suppression, *suppressed receives the count that was held back.
 * Callers serialise access to one struct log_rate (one per thread or per
 * object owned by one thread).
 */
int log_rate_allow(struct log_rate *, uint32_t *suppressed);

/* Copy src into dst (size n) with non-printable bytes as \xNN. */
void log_escape(char *dst, size_t n, const char *src, size_t srclen);

/* Monotonic clock in milliseconds, and in microseconds. */
uint64_t clock_ms(void);
uint64_t clock_us(void);

#endif
