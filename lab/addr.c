/*
 * addr.c -- see addr.h.
 */
#include "lab/addr.h"

#include <string.h>

#include "util/buf.h"

char *
dl_lab_mail_addr4(int slot, int host)
{
	return dl_xasprintf("127.%d.%d.%d", 16 + slot / 256, slot % 256, host);
}

char *
dl_lab_mail_addr6(int slot, int host)
{
	return dl_xasprintf("fdda:9e1a:b000:1:%x::%x", slot, host);
}

int
dl_lab_addr_slot(const unsigned char *a, size_t len)
{
	static const unsigned char pfx6[8] = { 0xfd, 0xda, 0x9e, 0x1a, 0xb0, 0x00, 0x00, 0x01 };

	if (len == 4 && a[0] == 127 && a[1] >= 16)
		return (a[1] - 16) * 256 + a[2];
	/* fdda:9e1a:b000:1:<s>::<h>: groups 6 and 7 are zero. */
	if (len == 16 && memcmp(a, pfx6, 8) == 0 && a[10] == 0 && a[11] == 0 &&
	    a[12] == 0 && a[13] == 0)
		return a[8] << 8 | a[9];
	return -1;
}
