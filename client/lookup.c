/*
 * lookup.c -- status string tables and RDATA helpers (see lookup.h).
 */
#include "client/lookup.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

static const char *const sec_names[DL_SEC_COUNT] = {
	"secure", "insecure", "bogus", "servfail", "timeout",
};

static const char *const ans_names[DL_ANS_COUNT] = {
	"records", "nodata", "nxdomain", "none",
};

const char *
dl_sec_str(enum dl_sec s)
{
	return (unsigned)s < DL_SEC_COUNT ? sec_names[s] : "?";
}

const char *
dl_ans_str(enum dl_ans a)
{
	return (unsigned)a < DL_ANS_COUNT ? ans_names[a] : "?";
}

bool
dl_sec_failed(enum dl_sec s)
{
	return s == DL_SEC_BOGUS || s == DL_SEC_SERVFAIL || s == DL_SEC_TIMEOUT;
}

const char *
dl_rrtype_str(uint16_t type)
{
	switch (type) {
	case DL_T_A: return "A";
	case DL_T_CNAME: return "CNAME";
	case DL_T_MX: return "MX";
	case DL_T_AAAA: return "AAAA";
	case DL_T_TLSA: return "TLSA";
	default: return "?";
	}
}

void
dl_lookup_set(struct dl_lookup *lk, const char *name, uint16_t type,
	enum dl_sec sec, enum dl_ans ans)
{
	memset(lk, 0, sizeof(*lk));
	lk->name = dl_xstrdup(name);
	lk->type = type;
	lk->sec = sec;
	lk->ans = ans;
	lk->done = true;
}

void
dl_lookup_add_rr(struct dl_lookup *lk, const void *data, size_t len)
{
	lk->rr = dl_xrealloc(lk->rr, (lk->n + 1) * sizeof(*lk->rr));
	lk->rr[lk->n].data = dl_xmalloc(len ? len : 1);
	memcpy(lk->rr[lk->n].data, data, len);
	lk->rr[lk->n].len = len;
	lk->n++;
}

void
dl_lookup_clear(struct dl_lookup *lk)
{
	for (size_t i = 0; i < lk->n; i++)
		free(lk->rr[i].data);
	free(lk->rr);
	free(lk->name);
	free(lk->canon);
	free(lk->why);
	memset(lk, 0, sizeof(*lk));
}

size_t
dl_wire_name(const unsigned char *w, size_t len, char *out)
{
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned l = w[i++];
		if (l == 0) {
			if (o == 0)
				out[o++] = '.';
			out[o] = '\0';
			return i;
		}
		if (l > 63 || i + l > len || o + l + 2 > 1024)
			return 0;
		if (o > 0)
			out[o++] = '.';
		for (unsigned k = 0; k < l; k++) {
			unsigned char c = w[i + k];
			/* Keep names printable; odd bytes cannot be host names. */
			out[o++] = (c > 0x20 && c < 0x7f && c != '.') ? (char)c : '?';
		}
		i += l;
	}
	return 0;
}

bool
dl_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

static void
add_hex(struct dl_buf *b, const unsigned char *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dl_buf_printf(b, "%02x", d[i]);
}

char *
dl_rdata_str(uint16_t type, const struct dl_rdata *rd)
{
	struct dl_buf b = DL_BUF_INIT;
	char name[1025];
	char addr[INET6_ADDRSTRLEN];

	if (type == DL_T_A && rd->len == 4) {
		inet_ntop(AF_INET, rd->data, addr, sizeof(addr));
		dl_buf_adds(&b, addr);
	} else if (type == DL_T_AAAA && rd->len == 16) {
		inet_ntop(AF_INET6, rd->data, addr, sizeof(addr));
		dl_buf_adds(&b, addr);
	} else if (type == DL_T_MX && rd->len >= 3 &&
	    dl_wire_name(rd->data + 2, rd->len - 2, name) > 0) {
		dl_buf_printf(&b, "%u %s", (rd->data[0] << 8) | rd->data[1],
		    name);
	} else if (type == DL_T_CNAME && dl_wire_name(rd->data, rd->len,
	    name) > 0) {
		dl_buf_adds(&b, name);
	} else if (type == DL_T_TLSA && rd->len >= 3) {
		dl_buf_printf(&b, "%u %u %u ", rd->data[0], rd->data[1],
		    rd->data[2]);
		add_hex(&b, rd->data + 3, rd->len - 3);
	} else {
		dl_buf_printf(&b, "\\# %zu ", rd->len);
		add_hex(&b, rd->data, rd->len);
	}
	return dl_buf_take(&b);
}
