/* hex.c: hexadecimal text (hex.h). */
#include <string.h>

#include "hex.h"

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

long
hex_decode(const char *s, uint8_t *out, size_t cap, size_t *bad)
{
	size_t len = strlen(s), i;
	int hi, lo;

	if (bad != NULL)
		*bad = len;
	if (len % 2 != 0 || len / 2 > cap)
		return -1;
	for (i = 0; i < len / 2; i++) {
		hi = hex_digit((unsigned char)s[2 * i]);
		lo = hex_digit((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			if (bad != NULL)
				*bad = 2 * i + (hi < 0 ? 0 : 1);
			return -1;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(len / 2);
}
