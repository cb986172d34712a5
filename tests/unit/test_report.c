/*
 * test_report.c -- the pieces of the HTML reports and of the per-case
 * packet slicing that need no lab: escaping, relative links, which case a
 * packet belongs to, and slicing a hand-made capture.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab/addr.h"
#include "runner/evidence_pcap.h"
#include "runner/report_html.h"
#include "tests/unit/cu.h"
#include "util/buf.h"

static void
test_html_escape_hostile(void)
{
	struct dl_buf b = DL_BUF_INIT;

	dl_html_escape(&b, "<script>alert('x')</script>&\"\x01");
	CU_ASSERT_STRING_EQUAL(b.data,
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot; ");
	dl_buf_free(&b);
}

static void
test_html_url_encodes(void)
{
	struct dl_buf b = DL_BUF_INIT;

	dl_html_url(&b, "../ev/a b\"<x>/capture.pcap");
	CU_ASSERT_STRING_EQUAL(b.data, "../ev/a%20b%22%3Cx%3E/capture.pcap");
	dl_buf_free(&b);
}

static void
test_html_relpath(void)
{
	char *a = dl_html_relpath("/tmp/out", "/tmp/out/ev/case1");
	char *b = dl_html_relpath("/tmp/out/html", "/tmp/ev/case1");
	char *c = dl_html_relpath("/tmp/outx", "/tmp/out/case1");
	char *d = dl_html_relpath("/", "/tmp/case1");

	CU_ASSERT_STRING_EQUAL(a, "ev/case1");
	CU_ASSERT_STRING_EQUAL(b, "../../ev/case1");
	CU_ASSERT_STRING_EQUAL(c, "../out/case1");
	CU_ASSERT_STRING_EQUAL(d, "tmp/case1");
	free(a);
	free(b);
	free(c);
	free(d);
}

static void
test_pcap_addr_case(void)
{
	const unsigned char v4[4] = { 127, 17, 3, 129 };     /* case 259, a backend */
	const unsigned char res[4] = { 127, 0, 0, 1 };       /* the resolver */
	const unsigned char v6[16] = { 0xfd, 0xda, 0x9e, 0x1a, 0xb0, 0x00, 0x00, 0x01,
	    0x01, 0x03, 0, 0, 0, 0, 0, 2 };                   /* fdda:9e1a:b000:1:103::2 */
	const unsigned char lab6[16] = { 0xfd, 0xda, 0x9e, 0x1a, 0xb0, 0x00, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0x53 };                      /* fdda:9e1a:b000::53 */

	CU_ASSERT_EQUAL(dl_lab_addr_slot(v4, 4), 259);
	CU_ASSERT_EQUAL(dl_lab_addr_slot(res, 4), -1);
	CU_ASSERT_EQUAL(dl_lab_addr_slot(v6, 16), 0x103);
	CU_ASSERT_EQUAL(dl_lab_addr_slot(lab6, 16), -1);
}

/* A DNS query for name (dotted, no trailing dot), type A. */
static size_t
dns_query(unsigned char *out, const char *name)
{
	size_t n = 12;

	memset(out, 0, 12);
	out[5] = 1; /* QDCOUNT */
	for (const char *p = name; *p;) {
		size_t l = strcspn(p, ".");
		out[n++] = (unsigned char)l;
		memcpy(out + n, p, l);
		n += l;
		p += l + (p[l] == '.');
	}
	out[n++] = 0;
	out[n++] = 0;
	out[n++] = 1;
	out[n++] = 0;
	out[n++] = 1;
	return n;
}

static void
test_pcap_dns_label(void)
{
	unsigned char m[300];
	char label[64];
	size_t n;

	n = dns_query(m, "_25._tcp.mx1.Tlsa-Usable-Match.test");
	CU_ASSERT_EQUAL(dl_pcap_dns_case_label(m, n, label, sizeof(label)), 0);
	CU_ASSERT_STRING_EQUAL(label, "tlsa-usable-match");
	n = dns_query(m, "test");
	CU_ASSERT_EQUAL(dl_pcap_dns_case_label(m, n, label, sizeof(label)), -1);
	n = dns_query(m, "example.org");
	CU_ASSERT_EQUAL(dl_pcap_dns_case_label(m, n, label, sizeof(label)), -1);
	/* A label that runs past the end of the message. */
	m[12] = 60;
	CU_ASSERT_EQUAL(dl_pcap_dns_case_label(m, 20, label, sizeof(label)), -1);
}

/* One Ethernet/IPv4/UDP or TCP record of a pcap file. */
static void
add_packet(struct dl_buf *f, const unsigned char *src, const unsigned char *dst, int tcp,
    uint16_t sport, uint16_t dport, const unsigned char *payload, size_t plen)
{
	unsigned char pkt[512];
	size_t l4 = tcp ? 20 : 8, n = 14 + 20 + l4 + plen;
	uint32_t hdr[4] = { 1, 0, (uint32_t)n, (uint32_t)n };

	memset(pkt, 0, sizeof(pkt));
	pkt[12] = 0x08;
	unsigned char *ip = pkt + 14;
	ip[0] = 0x45;
	ip[2] = (unsigned char)((20 + l4 + plen) >> 8);
	ip[3] = (unsigned char)(20 + l4 + plen);
	ip[9] = tcp ? 6 : 17;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	unsigned char *l = ip + 20;
	l[0] = (unsigned char)(sport >> 8);
	l[1] = (unsigned char)sport;
	l[2] = (unsigned char)(dport >> 8);
	l[3] = (unsigned char)dport;
	if (tcp)
		l[12] = 5 << 4;
	memcpy(l + l4, payload, plen);
	dl_buf_add(f, hdr, sizeof(hdr));
	dl_buf_add(f, pkt, n);
}

static size_t
count_records(const char *path)
{
	struct dl_buf b = DL_BUF_INIT;
	size_t n = 0;

	if (dl_read_file(path, &b) < 0)
		return (size_t)-1;
	for (size_t off = 24; off + 16 <= b.len; n++) {
		uint32_t incl;
		memcpy(&incl, b.data + off + 8, 4);
		off += 16 + incl;
	}
	dl_buf_free(&b);
	return n;
}

static void
test_pcap_slice(void)
{
	struct dl_buf f = DL_BUF_INIT, keys = DL_BUF_INIT;
	const uint32_t gh[6] = { 0xa1b2c3d4u, 0x00040002u, 0, 0, 262144, 1 };
	const unsigned char lo[4] = { 127, 0, 0, 1 }, ns[4] = { 127, 0, 53, 1 };
	const unsigned char c0[4] = { 127, 16, 0, 1 }, c1[4] = { 127, 16, 1, 1 };
	unsigned char q[300], hello[64];
	const char *dir = cu_tmpdir();
	char *cap = dl_xasprintf("%s/all.pcap", dir), *kl = dl_xasprintf("%s/keys", dir);
	char *d0 = dl_xasprintf("%s/c0", dir), *d1 = dl_xasprintf("%s/c1", dir);
	char *p0 = dl_xasprintf("%s/capture.pcap", d0), *p1 = dl_xasprintf("%s/capture.pcap", d1);
	char *k1 = dl_xasprintf("%s/tls-keys.log", d1);
	struct dl_pcap_case cases[2] = { { .id = "alpha", .index = 0, .dir = d0 },
	    { .id = "beta", .index = 1, .dir = d1 } };
	struct dl_err err;

	CU_ASSERT_EQUAL_FATAL(mkdir(d0, 0755) | mkdir(d1, 0755), 0);
	dl_buf_add(&f, gh, sizeof(gh));
	/* alpha: one SMTP packet; beta: a DNS query the resolver passes on to
	 * an authority, and a ClientHello; plus traffic of nobody's. */
	add_packet(&f, lo, c0, 1, 40000, 25, (const unsigned char *)"EHLO x\r\n", 8);
	size_t qn = dns_query(q, "mx1.beta.test");
	add_packet(&f, lo, lo, 0, 5555, 53, q, qn);
	add_packet(&f, lo, ns, 0, 6666, 53, q, qn);
	qn = dns_query(q, "test");
	add_packet(&f, lo, ns, 0, 6667, 53, q, qn);
	memset(hello, 0, sizeof(hello));
	hello[0] = 0x16;
	hello[1] = 3;
	hello[2] = 1;
	hello[5] = 1;
	memset(hello + 11, 0xab, 32);
	add_packet(&f, lo, c1, 1, 40001, 25, hello, sizeof(hello));
	CU_ASSERT_EQUAL_FATAL(dl_write_file(cap, f.data, f.len), 0);
	dl_buf_adds(&keys, "CLIENT_TRAFFIC_SECRET_0 ");
	for (int i = 0; i < 32; i++)
		dl_buf_adds(&keys, "ab");
	dl_buf_adds(&keys, " 0011\nCLIENT_TRAFFIC_SECRET_0 ");
	for (int i = 0; i < 32; i++)
		dl_buf_adds(&keys, "cd");
	dl_buf_adds(&keys, " 2233\n");
	CU_ASSERT_EQUAL_FATAL(dl_write_file(kl, keys.data, keys.len), 0);

	CU_ASSERT_EQUAL(dl_pcap_slice(cap, kl, cases, 2, &err), 0);
	CU_ASSERT_EQUAL(cases[0].packets, 1);
	CU_ASSERT_EQUAL(cases[1].packets, 3);
	CU_ASSERT_EQUAL(count_records(p0), 1);
	CU_ASSERT_EQUAL(count_records(p1), 3);
	CU_ASSERT_EQUAL(cases[0].keys, 0);
	CU_ASSERT_EQUAL(cases[1].keys, 1);
	struct dl_buf got = DL_BUF_INIT;
	CU_ASSERT_EQUAL(dl_read_file(k1, &got), 0);
	CU_ASSERT_PTR_NOT_NULL(got.data ? strstr(got.data, "abababab") : NULL);
	CU_ASSERT_PTR_NULL(got.data ? strstr(got.data, "cdcdcdcd") : NULL);
	/* Not a capture at all: an error, not an empty slice. */
	CU_ASSERT_EQUAL(dl_pcap_slice(kl, NULL, cases, 2, &err), -1);
	dl_buf_free(&got);
	dl_buf_free(&f);
	dl_buf_free(&keys);
	free(cap);
	free(kl);
	free(d0);
	free(d1);
	free(p0);
	free(p1);
	free(k1);
}

static const struct cu_test tests[] = {
	{ "html_escape_hostile", test_html_escape_hostile },
	{ "html_url_encodes", test_html_url_encodes },
	{ "html_relpath", test_html_relpath },
	{ "pcap_addr_case", test_pcap_addr_case },
	{ "pcap_dns_label", test_pcap_dns_label },
	{ "pcap_slice", test_pcap_slice },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "report", tests);
}
