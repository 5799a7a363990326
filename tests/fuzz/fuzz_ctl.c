/* fuzz_ctl.c: control request and reply parsing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request r;
	char *cause = NULL, *line;
	json_t *j = NULL;

	if (ctl_request_parse((const char *)data, size, &r, &cause) == 0) {
		if (r.cmd >= CTL_CMD_MAX || strlen(r.segment) >= sizeof r.segment)
			__builtin_trap();
		line = ctl_request_encode(&r);
		free(line);
	}
	free(cause);
	cause = NULL;
	if (ctl_reply_parse((const char *)data, size, &j, &cause) == 0)
		json_decref(j);
	free(cause);
	return 0;
}
