/* probe.c: path probe bodies (probe.h). */
#include <string.h>

#include "cursor.h"
#include "probe.h"

/* The 32-byte header, reserved fields zero. */
static void
put_header(uint8_t *buf, enum probe_type type, uint32_t seq, uint32_t size,
    uint64_t sent)
{
	memset(buf, 0, PROBE_BODY_MIN);
	put_u32(buf, PROBE_MAGIC);
	buf[4] = PROBE_VERSION;
	buf[5] = (uint8_t)type;
	put_u32(buf + 8, seq);
	put_u32(buf + 12, size);
	put_u64(buf + 16, sent);
}

size_t
probe_build(const struct probe *p, uint8_t *buf, size_t cap, size_t len)
{
	if (len < PROBE_BODY_MIN || len > cap || len > UINT32_MAX)
		return 0;
	memset(buf, 0, len);
	put_header(buf, p->type, p->seq,
	    p->type == PROBE_REQUEST ? (uint32_t)len : p->size, p->sent_ns);
	return len;
}

size_t
probe_build_message(const struct probe *p, const uint8_t *msg, size_t n,
    uint8_t *buf, size_t cap)
{
	if (cap < PROBE_BODY_MIN || n > cap - PROBE_BODY_MIN)
		return 0;
	put_header(buf, p->type, p->seq, (uint32_t)n, p->sent_ns);
	if (n > 0)
		memcpy(buf + PROBE_BODY_MIN, msg, n);
	return PROBE_BODY_MIN + n;
}

enum drop_reason
probe_parse(const uint8_t *buf, size_t len, struct probe *p)
{
	struct cursor c;
	uint32_t magic, hi, lo;
	uint8_t version, type;

	cur_init(&c, buf, len);
	if (len < PROBE_BODY_MIN || !cur_u32(&c, &magic) ||
	    !cur_u8(&c, &version) || !cur_u8(&c, &type) || !cur_skip(&c, 2) ||
	    !cur_u32(&c, &p->seq) || !cur_u32(&c, &p->size) ||
	    !cur_u32(&c, &hi) || !cur_u32(&c, &lo))
		return DROP_BAD_PROBE;
	if (magic != PROBE_MAGIC || version != PROBE_VERSION ||
	    type < PROBE_REQUEST || type > PROBE_ACK ||
	    (type == PROBE_MESSAGE && p->size > len - PROBE_BODY_MIN))
		return DROP_BAD_PROBE;
	p->type = (enum probe_type)type;
	p->sent_ns = (uint64_t)hi << 32 | lo;
	return DROP_NONE;
}
