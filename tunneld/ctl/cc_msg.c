/* cc_msg.c: the control connection's frames and messages (cc_msg.h). */
#include <string.h>

#include "cc_msg.h"
#include "ctl_proto.h"
#include "perf_run.h"

static const char *const type_names[CC_TYPE_MAX] = {
	[CC_HELLO] = "hello",
	[CC_KEEPALIVE] = "keepalive",
	[CC_REKEY] = "rekey",
	[CC_REKEY_ACK] = "rekey-ack",
	[CC_REKEY_NAK] = "rekey-nak",
	[CC_ERROR] = "error",
	[CC_PERF_REQUEST] = "perf-request",
	[CC_PERF_REPLY] = "perf-reply",
	[CC_PERF_REPORT] = "perf-report",
	[CC_PERF_STOP] = "perf-stop",
};

static const struct {
	unsigned bit;
	const char *name;
} caps[] = {
	{ CC_CAP_ESP, "esp" },
	{ CC_CAP_PROBE, "probe" },
	{ CC_CAP_PERF, "perf" },
};

const char *
cc_type_name(int type)
{
	if (type > 0 && type < CC_TYPE_MAX && type_names[type] != NULL)
		return type_names[type];
	return "unknown";
}

void
cc_msg_encode(struct buf *out, int type, const json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	size_t n = text ? strlen(text) : 2;
	uint8_t hdr[CC_HDR] = { CC_PROTO, (uint8_t)type, (uint8_t)(n >> 8),
		(uint8_t)n };

	buf_add(out, hdr, sizeof hdr);
	buf_add(out, text ? text : "{}", n);
	free(text);
}

enum cc_decoded
cc_msg_decode(const uint8_t *p, size_t len, size_t *used, int *type,
    json_t **body, const char **why)
{
	size_t n;

	if (len < CC_HDR)
		return CC_MSG_MORE;
	if (p[0] != CC_PROTO) {
		*why = "a frame of another protocol version";
		return CC_MSG_BAD;
	}
	n = (size_t)p[2] << 8 | p[3];
	if (n > CC_MSG_MAX) {
		*why = "a message longer than the maximum";
		return CC_MSG_BAD;
	}
	if (len < CC_HDR + n)
		return CC_MSG_MORE;
	*body = json_loadb((const char *)p + CC_HDR, n, JSON_REJECT_DUPLICATES,
	    NULL);
	if (*body == NULL || !json_is_object(*body)) {
		json_decref(*body);
		*body = NULL;
		*why = "a message body that is not a JSON object";
		return CC_MSG_BAD;
	}
	*type = p[1];
	*used = CC_HDR + n;
	return CC_MSG_OK;
}

json_t *
cc_hello_json(const struct cc_hello *h)
{
	json_t *o = json_object(), *c = json_array(), *s = json_array();
	size_t i;
	int k;

	for (i = 0; i < sizeof caps / sizeof caps[0]; i++)
		if (h->caps & caps[i].bit)
			json_array_append_new(c, json_string(caps[i].name));
	for (k = 0; k < h->nsegments; k++)
		json_array_append_new(s,
		    json_pack("{s:s, s:I}", "name", h->segments[k].name, "vni",
			(json_int_t)h->segments[k].vni));
	json_object_set_new(o, "node", json_string(h->node));
	json_object_set_new(o, "role", json_string(h->hub ? "hub" : "spoke"));
	json_object_set_new(o, "version", json_string(h->version));
	json_object_set_new(o, "proto", json_integer(h->proto));
	json_object_set_new(o, "cipher", json_string(h->cipher));
	json_object_set_new(o, "capabilities", c);
	json_object_set_new(o, "segments", s);
	return o;
}

/* A printable string of 1 to size - 1 bytes into out; 0 or -1. */
static int
text(const json_t *o, const char *key, char *out, size_t size)
{
	const char *v = json_string_value(json_object_get(o, key));
	size_t i, n;

	if (v == NULL || (n = strlen(v)) == 0 || n >= size)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7f)
			return -1;
	memcpy(out, v, n + 1);
	return 0;
}

static int
parse_caps(const json_t *a, unsigned *out)
{
	const json_t *v;
	size_t i, j;

	if (!json_is_array(a) || json_array_size(a) > 64)
		return -1;
	*out = 0;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			return -1;
		for (j = 0; j < sizeof caps / sizeof caps[0]; j++)
			if (strcmp(json_string_value(v), caps[j].name) == 0)
				*out |= caps[j].bit;
	}
	return 0;
}

static int
parse_segments(const json_t *a, struct cc_hello *h)
{
	const json_t *v, *vni;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > CC_MAX_SEGMENTS)
		return -1;
	json_array_foreach(a, i, v)
	{
		vni = json_object_get(v, "vni");
		if (text(v, "name", h->segments[i].name,
			sizeof h->segments[i].name) != 0 ||
		    !json_is_integer(vni) || json_integer_value(vni) < 0 ||
		    json_integer_value(vni) >= 1 << 24)
			return -1;
		h->segments[i].vni = (uint32_t)json_integer_value(vni);
	}
	h->nsegments = (int)json_array_size(a);
	return 0;
}

int
cc_hello_parse(const json_t *o, struct cc_hello *h, const char **why)
{
	const char *role = json_string_value(json_object_get(o, "role"));
	const json_t *proto = json_object_get(o, "proto");

	memset(h, 0, sizeof *h);
	*why = "hello: node";
	if (text(o, "node", h->node, sizeof h->node) != 0)
		return -1;
	*why = "hello: role";
	if (role == NULL ||
	    (strcmp(role, "hub") != 0 && strcmp(role, "spoke") != 0))
		return -1;
	h->hub = strcmp(role, "hub") == 0;
	*why = "hello: version";
	if (text(o, "version", h->version, sizeof h->version) != 0)
		return -1;
	*why = "hello: proto";
	if (!json_is_integer(proto) || json_integer_value(proto) < 1 ||
	    json_integer_value(proto) > 255)
		return -1;
	h->proto = (unsigned)json_integer_value(proto);
	*why = "hello: cipher";
	if (text(o, "cipher", h->cipher, sizeof h->cipher) != 0)
		return -1;
	*why = "hello: capabilities";
	if (parse_caps(json_object_get(o, "capabilities"), &h->caps) != 0)
		return -1;
	*why = "hello: segments";
	if (parse_segments(json_object_get(o, "segments"), h) != 0)
		return -1;
	*why = NULL;
	return 0;
}

int
cc_epoch_parse(const json_t *o, uint32_t *epoch, const char **why)
{
	const json_t *e = json_object_get(o, "epoch");

	if (!json_is_integer(e) || json_integer_value(e) < 1 ||
	    json_integer_value(e) > UINT32_MAX) {
		*why = "a rekey message without an epoch from 1 to 2^32 - 1";
		return -1;
	}
	*epoch = (uint32_t)json_integer_value(e);
	return 0;
}

int
cc_perf_request_parse(const json_t *b, struct cc_perf_request *r,
    const char **why)
{
	const char *proto;
	json_int_t id = 0, t, st, sz, rate, iv, pt, pair;
	int rev, ul;

	memset(r, 0, sizeof *r);
	if (json_unpack((json_t *)b,
		"{s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:b}", "id", &id,
		"proto", &proto, "time_ms", &t, "streams", &st, "size", &sz,
		"bitrate", &rate, "interval_ms", &iv, "reverse", &rev,
		"underlay", &ul) != 0) {
		r->id = json_is_integer(json_object_get(b, "id"))
		    ? (uint32_t)json_integer_value(json_object_get(b, "id"))
		    : 0;
		*why = "a request without its fields";
		return -1;
	}
	r->id = (uint32_t)id;
	pt = json_integer_value(json_object_get(b, "port"));
	pair = json_integer_value(json_object_get(b, "pair"));
	if (pair < 0 || pair > 0xffffff || id < 1 || id > 0xffffff ||
	    t < 1000 || t > CTL_PERF_MAX_TIME * 1000 || st < 1 ||
	    st > CTL_PERF_MAX_PARALLEL || sz < 0 || sz > PERF_TCP_WRITE ||
	    rate < 0 || rate > 100000000000LL || iv < 100 || iv > 60000 ||
	    pt < 0 || pt > 65535 ||
	    (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0) ||
	    (rev && pt == 0)) {
		*why = "a request out of bounds";
		return -1;
	}
	*r = (struct cc_perf_request){ .id = (uint32_t)id,
		.udp = strcmp(proto, "udp") == 0,
		.reverse = rev,
		.underlay = ul,
		.time_ms = (unsigned)t,
		.streams = (unsigned)st,
		.size = (unsigned)sz,
		.interval_ms = (unsigned)iv,
		.bitrate = rate,
		.port = (int)pt,
		.pair = (uint32_t)pair };
	return 0;
}
