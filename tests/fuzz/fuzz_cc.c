/*
 * fuzz_cc.c: a control connection's byte stream from a peer that got
 * through TLS.  The input is read as frames one after the other, as
 * cc_conn.c reads them; each body is parsed as a hello, as a rekey and as
 * a throughput test's request (which the in-band channel carries too, from
 * plaintext peers).  A hello that parses must come back the same through
 * its encoding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/cc_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
round_trip(const struct cc_hello *h)
{
	struct buf b = { 0 };
	struct cc_hello again;
	const char *why;
	json_t *o = cc_hello_json(h), *body = NULL;
	size_t used;
	int type;

	cc_msg_encode(&b, CC_HELLO, o);
	json_decref(o);
	if (cc_msg_decode((const uint8_t *)b.p, b.len, &used, &type, &body,
		&why) != CC_MSG_OK ||
	    used != b.len || type != CC_HELLO ||
	    cc_hello_parse(body, &again, &why) != 0 ||
	    memcmp(h, &again, sizeof again) != 0)
		__builtin_trap();
	json_decref(body);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cc_perf_request rq;
	struct cc_hello h;
	const char *why;
	json_t *body;
	uint32_t epoch;
	size_t used;
	int type;

	while (size > 0) {
		switch (cc_msg_decode(data, size, &used, &type, &body, &why)) {
		case CC_MSG_MORE:
		case CC_MSG_BAD:
			return 0;
		case CC_MSG_OK:
			break;
		}
		(void)cc_type_name(type);
		memset(&h, 0xa5, sizeof h);
		if (cc_hello_parse(body, &h, &why) == 0)
			round_trip(&h);
		(void)cc_epoch_parse(body, &epoch, &why);
		if (cc_perf_request_parse(body, &rq, &why) == 0 &&
		    (rq.id == 0 || rq.streams == 0 || rq.time_ms == 0))
			__builtin_trap(); /* out of bounds, yet taken */
		json_decref(body);
		data += used;
		size -= used;
	}
	return 0;
}
