/* fuzz_ec2.c: EC2 DescribeInstances and error bodies. */
#include <stdint.h>
#include <stdlib.h>

#include "ec2_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct instance_list l = { 0 };
	struct provider_err err;
	char *next = NULL;

	(void)ec2_parse_instances((const char *)data, size, &l, &next, &err);
	free(next);
	instance_list_free(&l);
	(void)ec2_parse_error((const char *)data, size, 400, &err);
	return 0;
}
