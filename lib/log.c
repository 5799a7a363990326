/* log.c: stderr or syslog logging with levels and rate limits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int log_foreground = 1;
static enum log_level log_level = LOG_LEVEL_INFO;

/* How a foreground line is dressed: by what stderr is. */
static enum {
	LOG_PLAIN,    /* a pipe or a file: the message as it is */
	LOG_JOURNAL,  /* journald: "<N>" priority prefix, it adds the time */
	LOG_TERMINAL, /* a person: local time and level */
} log_style;

/*
 * Whether stderr is the stream systemd connected to the journal:
 * JOURNAL_STREAM is "DEVICE:INODE" of it (systemd.exec(5)); a child whose
 * stderr went elsewhere inherits the variable, so the numbers must match.
 */
static int
stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return v != NULL && sscanf(v, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(int foreground, enum log_level level, const char *ident)
{
	log_foreground = foreground;
	log_level = level;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_style = stderr_is_journal() ? LOG_JOURNAL
	    : isatty(STDERR_FILENO)	? LOG_TERMINAL
					: LOG_PLAIN;
	tzset();
}

/* The prefix of a foreground line of priority prio. */
static void
log_prefix(int prio, char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	buf[0] = '\0';
	if (log_style == LOG_JOURNAL)
		snprintf(buf, len, "<%d>", prio);
	else if (log_style == LOG_TERMINAL) {
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(buf, len, "%s.%03ld %-5s ", when, ts.tv_nsec / 1000000,
		    prio <= LOG_CRIT	      ? "fatal"
			: prio <= LOG_WARNING ? "warn"
			: prio <= LOG_INFO    ? "info"
					      : "debug");
	}
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

int
log_level_parse(const char *name)
{
	static const char *names[] = { "warn", "info", "debug" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

static void
log_vwrite(int prio, const char *suffix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/*
 * Every message is escaped whole, as tmux's log does: a cloud's error
 * text, an instance name or a peer's bytes may hold newlines or terminal
 * escapes, and no caller has to remember which of its strings are
 * untrusted.
 */
static void
log_vwrite(int prio, const char *suffix, const char *fmt, va_list ap)
{
	char raw[1024], msg[1024];
	int n;

	n = vsnprintf(raw, sizeof raw, fmt, ap);
	if (n < 0)
		return;
	if (suffix != NULL && (size_t)n < sizeof raw)
		snprintf(raw + n, sizeof raw - n, ": %s", suffix);
	log_escape(msg, sizeof msg, raw, strlen(raw));
	if (log_foreground) {
		/* One write per line keeps threads from interleaving. */
		char line[1100], prefix[64];
		int len;

		log_prefix(prio, prefix, sizeof prefix);
		len = snprintf(line, sizeof line, "%s%s\n", prefix, msg);
		if (len > 0)
			(void)!write(STDERR_FILENO, line,
			    (size_t)len < sizeof line ? (size_t)len
						      : sizeof line - 1);
	} else
		syslog(prio, "%s", msg);
}

#define LOG_BODY(level, prio, suffix)                                         \
	do {                                                                  \
		va_list ap;                                                   \
		if (log_level < (level))                                      \
			return;                                               \
		va_start(ap, fmt);                                            \
		log_vwrite((prio), (suffix), fmt, ap);                        \
		va_end(ap);                                                   \
	} while (0)

void
log_warn(const char *fmt, ...)
{
	int saved = errno;

	LOG_BODY(LOG_LEVEL_WARN, LOG_WARNING, strerror(saved));
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_WARN, LOG_WARNING, NULL);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_INFO, LOG_INFO, NULL);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_DEBUG, LOG_DEBUG, NULL);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, strerror(saved), fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

uint64_t
clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
clock_ms(void)
{
	return clock_us() / 1000;
}

int
log_rate_allow(struct log_rate *r, uint32_t *suppressed)
{
	uint64_t now = clock_ms();

	*suppressed = 0;
	if (now - r->window_start_ms >= LOG_RATE_INTERVAL_MS) {
		*suppressed = r->suppressed;
		r->window_start_ms = now;
		r->in_window = 0;
		r->suppressed = 0;
	}
	if (r->in_window < LOG_RATE_BURST) {
		r->in_window++;
		return 1;
	}
	r->suppressed++;
	return 0;
}

void
log_escape(char *dst, size_t n, const char *src, size_t srclen)
{
	size_t i, o = 0;

	if (n == 0)
		return;
	for (i = 0; i < srclen && o + 5 < n; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, n - o, "\\x%02x", c);
	}
	dst[o] = '\0';
}
