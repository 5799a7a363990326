/* fuzz_config.c: the config loader (ini_lines scan + iniparser + checks). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ctl/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz_config.XXXXXX";
	struct config *c;
	char *cause = NULL;
	int fd = mkstemp(path);

	if (fd == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	c = config_load_flags(path, CONFIG_OFFLINE, &cause);
	if ((c == NULL) == (cause == NULL))
		__builtin_trap();	/* exactly one of config or cause */
	config_free(c);
	free(cause);
	unlink(path);
	return 0;
}
