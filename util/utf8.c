/*
 * utf8.c -- see utf8.h.
 */
#include "util/utf8.h"

size_t
dl_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;

	if (n == 0)
		return 0;
	len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 :
	    s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : 0;
	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}
