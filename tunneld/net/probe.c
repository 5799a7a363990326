/* probe.c: path probe bodies (probe.h). */
#include <string.h>

#include "cursor.h"
#include "probe.h"

size_t
probe_build(const struct probe *p, uint8_t *buf, size_t cap, size_t len)
{
	if (len < PROBE_BODY_MIN || len > cap || len > UINT32_MAX)
		return 0;
	memset(buf, 0, len);
	put_u32(buf, PROBE_MAGIC);
	buf[4] = PROBE_VERSION;
	buf[5] = (uint8_t)p->type;
	put_u32(buf + 8, p->seq);
	put_u32(buf + 12, p->type == PROBE_REQUEST ? (uint32_t)len : p->size);
	put_u64(buf + 16, p->sent_ns);
	return len;
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
	    (type != PROBE_REQUEST && type != PROBE_REPLY))
		return DROP_BAD_PROBE;
	p->type = (enum probe_type)type;
	p->sent_ns = (uint64_t)hi << 32 | lo;
	return DROP_NONE;
}
