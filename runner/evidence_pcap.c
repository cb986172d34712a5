/*
 * evidence_pcap.c -- see evidence_pcap.h.  The pcap file format is read and
 * written by hand (it is 24 bytes of header and 16 per packet): the runner
 * needs no libpcap, only bin/dl-capture does.
 */
#include "runner/evidence_pcap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab/addr.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du

/* Link types that a capture on Linux loopback may carry. */
enum { LT_NULL = 0, LT_EN10MB = 1, LT_RAW = 101, LT_SLL = 113, LT_SLL2 = 276 };

static uint16_t
be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int
dl_pcap_dns_case_label(const unsigned char *msg, size_t len, char *out, size_t outlen)
{
	size_t off = 12, prev_off = 0, prev_len = 0, last_off = 0, last_len = 0;

	if (len < 12 || be16(msg + 4) == 0)
		return -1;
	/* Walk the question name, remembering the last two labels. */
	for (int labels = 0; off < len && labels < 128; labels++) {
		size_t l = msg[off];
		if (l == 0)
			break;
		if (l > 63 || off + 1 + l > len)
			return -1;
		prev_off = last_off;
		prev_len = last_len;
		last_off = off + 1;
		last_len = l;
		off += 1 + l;
	}
	if (off >= len || last_len != 4 || strncasecmp((const char *)msg + last_off, "test", 4) ||
	    prev_len == 0 || prev_len + 1 > outlen)
		return -1;
	for (size_t i = 0; i < prev_len; i++) {
		char c = (char)msg[prev_off + i];
		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[prev_len] = '\0';
	return 0;
}

/* One packet of the capture, as far as slicing cares. */
struct pkt {
	size_t rec;               /* offset of its record header in the file */
	size_t rec_len;           /* header + data */
	int owner;                /* index into cases[], or -1 */
	int next;                 /* next packet of the same owner */
	const unsigned char *ip;  /* network layer, or NULL */
	size_t ip_len;
	bool v6, tcp, dns;
	const unsigned char *src, *dst;
	uint16_t sport, dport;
	const unsigned char *payload;
	size_t payload_len;
};

/* The network layer of one frame of link type lt. */
static const unsigned char *
net_layer(int lt, const unsigned char *f, size_t len, size_t *out_len)
{
	size_t off;
	uint16_t proto;

	switch (lt) {
	case LT_EN10MB: if (len < 14) return NULL; off = 14; proto = be16(f + 12); break;
	case LT_SLL: if (len < 16) return NULL; off = 16; proto = be16(f + 14); break;
	case LT_SLL2: if (len < 20) return NULL; off = 20; proto = be16(f); break;
	case LT_NULL: if (len < 4) return NULL; off = 4; proto = 0; break;
	case LT_RAW: off = 0; proto = 0; break;
	default: return NULL;
	}
	if (proto != 0 && proto != 0x0800 && proto != 0x86dd)
		return NULL;
	*out_len = len - off;
	return f + off;
}

static void
parse_packet(struct pkt *p, int lt, const unsigned char *f, size_t len)
{
	size_t n, hl;
	const unsigned char *ip = net_layer(lt, f, len, &n);
	int proto;

	if (ip == NULL || n < 20)
		return;
	if ((ip[0] >> 4) == 4) {
		hl = (size_t)(ip[0] & 15) * 4;
		if (hl < 20 || n < hl || (be16(ip + 6) & 0x1fff) != 0)
			return;
		size_t total = be16(ip + 2);
		if (total >= hl && total < n)
			n = total;
		proto = ip[9];
		p->src = ip + 12;
		p->dst = ip + 16;
	} else if ((ip[0] >> 4) == 6 && n >= 40) {
		hl = 40;
		proto = ip[6];
		p->src = ip + 8;
		p->dst = ip + 24;
		p->v6 = true;
	} else {
		return;
	}
	p->ip = ip;
	p->ip_len = n;
	if (proto == 6 && n >= hl + 20) {
		size_t th = (size_t)(ip[hl + 12] >> 4) * 4;
		if (th < 20 || n < hl + th)
			return;
		p->tcp = true;
		p->payload = ip + hl + th;
		p->payload_len = n - hl - th;
	} else if (proto == 17 && n >= hl + 8) {
		p->payload = ip + hl + 8;
		p->payload_len = n - hl - 8;
	} else {
		return;
	}
	p->sport = be16(ip + hl);
	p->dport = be16(ip + hl + 2);
	p->dns = p->sport == 53 || p->dport == 53;
}

/* The same connection, either direction. */
static bool
same_flow(const struct pkt *a, const struct pkt *b)
{
	size_t al = a->v6 ? 16 : 4;

	if (a->v6 != b->v6 || a->tcp != b->tcp)
		return false;
	if (a->sport == b->sport && a->dport == b->dport &&
	    memcmp(a->src, b->src, al) == 0 && memcmp(a->dst, b->dst, al) == 0)
		return true;
	return a->sport == b->dport && a->dport == b->sport &&
	    memcmp(a->src, b->dst, al) == 0 && memcmp(a->dst, b->src, al) == 0;
}

static int
owner_of_index(const int *by_index, size_t n_index, int idx)
{
	return idx >= 0 && (size_t)idx < n_index ? by_index[idx] : -1;
}

static int
owner_by_label(const struct dl_pcap_case *cases, size_t n, const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(cases[i].id, label) == 0)
			return (int)i;
	return -1;
}

static void
assign(struct pkt *pk, size_t np, const struct dl_pcap_case *cases, size_t n,
    const int *by_index, size_t n_index)
{
	size_t al;
	char label[64];

	for (size_t i = 0; i < np; i++) {
		struct pkt *p = &pk[i];
		if (p->ip == NULL)
			continue;
		al = p->v6 ? 16 : 4;
		p->owner = owner_of_index(by_index, n_index, dl_lab_addr_slot(p->src, al));
		if (p->owner < 0)
			p->owner = owner_of_index(by_index, n_index, dl_lab_addr_slot(p->dst, al));
		if (p->owner >= 0 || !p->dns)
			continue;
		/* DNS over TCP: two bytes of length, when the segment starts a message. */
		size_t skip = p->tcp ? 2 : 0;
		if (p->payload_len > skip && dl_pcap_dns_case_label(p->payload + skip,
		    p->payload_len - skip, label, sizeof(label)) == 0)
			p->owner = owner_by_label(cases, n, label);
	}
	/* A DNS-over-TCP connection belongs where its messages do. */
	for (size_t i = 0; i < np; i++) {
		if (pk[i].owner >= 0 || !pk[i].dns || !pk[i].tcp)
			continue;
		for (size_t j = 0; j < np && pk[i].owner < 0; j++)
			if (pk[j].owner >= 0 && pk[j].dns && pk[j].tcp && same_flow(&pk[i], &pk[j]))
				pk[i].owner = pk[j].owner;
	}
}

/* ClientHello randoms seen in a case's packets, as 64 hex digits. */
struct randoms {
	char (*hex)[65];
	int *owner;
	size_t n;
};

static void
collect_random(struct randoms *rs, const struct pkt *p)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *d = p->payload;

	/* TLS record (handshake, 3.x) whose first message is a ClientHello:
	 * the random follows the 4-byte handshake header and the version. */
	if (!p->tcp || p->payload_len < 43 || d[0] != 0x16 || d[1] != 3 || d[5] != 1)
		return;
	rs->hex = dl_xrealloc(rs->hex, (rs->n + 1) * sizeof(*rs->hex));
	rs->owner = dl_xrealloc(rs->owner, (rs->n + 1) * sizeof(*rs->owner));
	for (int i = 0; i < 32; i++) {
		rs->hex[rs->n][2 * i] = digits[d[11 + i] >> 4];
		rs->hex[rs->n][2 * i + 1] = digits[d[11 + i] & 15];
	}
	rs->hex[rs->n][64] = '\0';
	rs->owner[rs->n++] = p->owner;
}

static void
write_or_note(const char *path, const struct dl_buf *b, struct dl_err *err, int *rc)
{
	if (dl_write_file(path, b->data ? b->data : "", b->len) < 0 && *rc == 0) {
		dl_errf(err, "%s: cannot write: %s", path, strerror(errno));
		*rc = -1;
	}
}

static void
slice_keys(const char *keylog, const struct randoms *rs, struct dl_pcap_case *cases,
    size_t n, struct dl_err *err, int *rc)
{
	struct dl_buf all = DL_BUF_INIT;
	struct dl_buf *mine = dl_xcalloc(n + 1, sizeof(*mine));

	if (keylog)
		dl_read_file(keylog, &all);
	/* "LABEL <client random, hex> <secret, hex>" per line. */
	for (const char *p = all.data; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *sp = memchr(p, ' ', len);
		if (sp && (size_t)(sp - p) + 65 < len && sp[65] == ' ')
			for (size_t i = 0; i < rs->n; i++)
				if (strncasecmp(sp + 1, rs->hex[i], 64) == 0) {
					dl_buf_add(&mine[rs->owner[i]], p, len);
					dl_buf_addc(&mine[rs->owner[i]], '\n');
					cases[rs->owner[i]].keys++;
					break;
				}
		p = eol ? eol + 1 : p + len;
	}
	for (size_t i = 0; i < n; i++) {
		char *path = dl_xasprintf("%s/tls-keys.log", cases[i].dir);
		write_or_note(path, &mine[i], err, rc);
		free(path);
		dl_buf_free(&mine[i]);
	}
	free(mine);
	dl_buf_free(&all);
}

int
dl_pcap_slice(const char *capture, const char *keylog, struct dl_pcap_case *cases,
    size_t n, struct dl_err *err)
{
	struct dl_buf f = DL_BUF_INIT;
	struct pkt *pk = NULL;
	size_t np = 0, n_index = 0;
	int rc = 0, lt;
	uint32_t magic;

	if (dl_read_file(capture, &f) < 0)
		return dl_errf(err, "%s: cannot read: %s", capture, strerror(errno));
	const unsigned char *d = (const unsigned char *)f.data;
	if (f.len < 24 || (memcpy(&magic, d, 4), magic != PCAP_MAGIC_US &&
	    magic != PCAP_MAGIC_NS)) {
		dl_buf_free(&f);
		return dl_errf(err, "%s: not a pcap file written on this host", capture);
	}
	uint32_t lt32;
	memcpy(&lt32, d + 20, 4);
	lt = (int)(lt32 & 0xffff);
	size_t cap = 0;
	for (size_t off = 24; off + 16 <= f.len;) {
		uint32_t incl;
		memcpy(&incl, d + off + 8, 4);
		if (incl > f.len - off - 16)
			break; /* a truncated last record: the rest is not a packet */
		if (np == cap) {
			cap = cap ? 2 * cap : 1024;
			pk = dl_xrealloc(pk, cap * sizeof(*pk));
		}
		memset(&pk[np], 0, sizeof(*pk));
		pk[np].rec = off;
		pk[np].rec_len = 16 + incl;
		pk[np].owner = -1;
		parse_packet(&pk[np], lt, d + off + 16, incl);
		np++;
		off += 16 + incl;
	}
	for (size_t i = 0; i < n; i++)
		if (cases[i].index >= 0 && (size_t)cases[i].index + 1 > n_index)
			n_index = (size_t)cases[i].index + 1;
	int *by_index = dl_xmalloc((n_index + 1) * sizeof(int));
	for (size_t i = 0; i < n_index; i++)
		by_index[i] = -1;
	for (size_t i = 0; i < n; i++)
		if (cases[i].index >= 0)
			by_index[cases[i].index] = (int)i;
	assign(pk, np, cases, n, by_index, n_index);

	struct randoms rs = { 0 };
	int *head = dl_xmalloc((n + 1) * sizeof(int)), *tail = dl_xmalloc((n + 1) * sizeof(int));
	for (size_t i = 0; i < n; i++) {
		head[i] = tail[i] = -1;
		cases[i].packets = cases[i].keys = 0;
	}
	for (size_t i = 0; i < np; i++) {
		int o = pk[i].owner;
		pk[i].next = -1;
		if (o < 0)
			continue;
		if (tail[o] < 0)
			head[o] = (int)i;
		else
			pk[tail[o]].next = (int)i;
		tail[o] = (int)i;
		collect_random(&rs, &pk[i]);
	}
	for (size_t i = 0; i < n; i++) {
		struct dl_buf out = DL_BUF_INIT;
		char *path = dl_xasprintf("%s/capture.pcap", cases[i].dir);
		dl_buf_add(&out, d, 24);
		for (int k = head[i]; k >= 0; k = pk[k].next) {
			dl_buf_add(&out, d + pk[k].rec, pk[k].rec_len);
			cases[i].packets++;
		}
		write_or_note(path, &out, err, &rc);
		dl_buf_free(&out);
		free(path);
	}
	slice_keys(keylog, &rs, cases, n, err, &rc);
	free(rs.hex);
	free(rs.owner);
	free(head);
	free(tail);
	free(by_index);
	free(pk);
	dl_buf_free(&f);
	return rc;
}
