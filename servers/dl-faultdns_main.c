/*
 * dl-faultdns -- the lab's fault DNS proxy (servers/FAULTDNS.md).
 *
 *   dl-faultdns --listen ADDR --upstream ADDR --rules FILE [--served DIR]
 *               [--port N] [--set-ad]
 *
 * With --set-ad it plays an untrusted resolver on the path: it relays to a
 * recursive resolver and claims every answer validated (AD=1), forged or
 * not, which only a client that validates itself can see through.
 * Listens on UDP and TCP, relays every query to the upstream name server
 * and relays its answer, except for queries a rule names: those get the
 * rule's fault.  One process, one poll loop; relaying waits at most a
 * second for the upstream (an NSD on the same loopback answers in
 * microseconds).  SIGHUP reloads the rules file (the runner's next
 * delivery round); FILE.loaded then holds the count of loads.  Lab
 * addresses only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "servers/faultdns.h"
#include "util/buf.h"
#include "util/log.h"

#define MAX_TCP 64
#define MSG_MAX 65535

struct tcp_client {
	int fd;
	struct dl_buf in;
};

struct proxy {
	struct fdns_rules rules;
	const char *rules_path;
	const char *served_dir; /* RRsets for `serve` rules (zones/served.c) */
	int generation;     /* rule sets loaded so far (SIGHUP loads the next) */
	bool set_ad;        /* play a lying resolver: claim every answer validated */
	struct sockaddr_in upstream;
	int udp, tcp;
	struct tcp_client clients[MAX_TCP];
};

static volatile sig_atomic_t stopping, reloading;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
on_hup(int sig)
{
	(void)sig;
	reloading = 1;
}

/*
 * (Re)load the rules file, then write the count of loads to FILE.loaded:
 * the runner changes the rules between deliveries of a case (`then`) and
 * waits for that file, so no query races the change.  A bad file keeps the
 * old rules (and says why): the lab must not lose its faults mid-run.
 */
static int
load_rules(struct proxy *p)
{
	struct dl_buf text = DL_BUF_INIT;
	struct fdns_rules fresh = { 0 };
	struct dl_err err;

	if (dl_read_file(p->rules_path, &text) < 0) {
		log_err("dns", "%s: %s", p->rules_path, strerror(errno));
		dl_buf_free(&text);
		return -1;
	}
	int rc = fdns_rules_parse(text.data ? text.data : "", p->rules_path, p->served_dir,
	    &fresh, &err);
	dl_buf_free(&text);
	if (rc < 0) {
		log_err("dns", "%s", err.msg);
		return -1;
	}
	fdns_rules_free(&p->rules);
	p->rules = fresh;
	p->generation++;
	char *marker = dl_xasprintf("%s.loaded", p->rules_path);
	char *gen = dl_xasprintf("%d\n", p->generation);
	dl_write_file(marker, gen, strlen(gen));
	free(gen);
	free(marker);
	return 0;
}

static int
bind_socket(int type, const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0 || inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 64) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The rule for a wire query, or NULL (also for unparsable queries). */
static const struct fdns_rule *
rule_for(const struct proxy *p, const uint8_t *msg, size_t len)
{
	ldns_pkt *q = NULL;
	const struct fdns_rule *r = NULL;

	if (ldns_wire2pkt(&q, msg, len) == LDNS_STATUS_OK &&
	    ldns_pkt_qdcount(q) == 1) {
		ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(q), 0);
		r = fdns_match(&p->rules, ldns_rr_owner(question), ldns_rr_get_type(question));
		if (r)
			log_debug("dns", "rule %s at line %d for %s", fdns_action_name(r->action),
			    r->line, "query");
	}
	ldns_pkt_free(q);
	return r;
}

/* Relay over UDP; returns the answer length or -1. */
static ssize_t
relay_udp(const struct proxy *p, const uint8_t *msg, size_t len, uint8_t *ans)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t n = -1;

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&p->upstream, sizeof(p->upstream)) == 0 &&
	    send(fd, msg, len, 0) == (ssize_t)len) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (poll(&pfd, 1, 1000) == 1)
			n = recv(fd, ans, MSG_MAX, 0);
	}
	close(fd);
	return n;
}

/* Relay over TCP (framed both ways); returns the answer length or -1. */
static ssize_t
relay_tcp(const struct proxy *p, const uint8_t *msg, size_t len, uint8_t *ans)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint8_t hdr[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	size_t got = 0, want = 2;
	uint8_t lenbuf[2];

	if (fd < 0)
		return -1;
	struct timeval tv = { 1, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)&p->upstream, sizeof(p->upstream)) < 0 ||
	    write(fd, hdr, 2) != 2 || write(fd, msg, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	while (got < want) {
		ssize_t n = read(fd, want == 2 ? lenbuf + got : ans + got, want - got);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		got += (size_t)n;
		if (want == 2 && got == 2) {
			want = (size_t)(lenbuf[0] << 8 | lenbuf[1]);
			got = 0;
		}
	}
	close(fd);
	return (ssize_t)want;
}

/* The AD bit lives in the fourth header byte (RFC 4035 3.2.3). */
static void
mark_ad(const struct proxy *p, uint8_t *msg, size_t len)
{
	if (p->set_ad && len >= 12)
		msg[3] |= 0x20;
}

static void
serve_udp(struct proxy *p)
{
	uint8_t msg[MSG_MAX], ans[MSG_MAX];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(p->udp, msg, sizeof(msg), 0, (struct sockaddr *)&from, &fl);

	if (n < 12)
		return;
	const struct fdns_rule *r = rule_for(p, msg, (size_t)n);
	if (r) {
		struct dl_buf out = DL_BUF_INIT;
		if (fdns_answer(r, msg, (size_t)n, 0, &out) == 0 && out.len) {
			mark_ad(p, (uint8_t *)out.data, out.len);
			sendto(p->udp, out.data, out.len, 0, (struct sockaddr *)&from, fl);
		}
		dl_buf_free(&out);
		return;
	}
	ssize_t m = relay_udp(p, msg, (size_t)n, ans);
	if (m > 0) {
		mark_ad(p, ans, (size_t)m);
		sendto(p->udp, ans, (size_t)m, 0, (struct sockaddr *)&from, fl);
	}
}

/* One complete framed message from a TCP client; false closes it. */
static bool
serve_tcp_msg(struct proxy *p, struct tcp_client *c, const uint8_t *msg, size_t len)
{
	static uint8_t ans[MSG_MAX];
	const struct fdns_rule *r = rule_for(p, msg, len);
	struct dl_buf out = DL_BUF_INIT;
	bool keep = true;

	if (r) {
		if (r->action == FDNS_TRUNCATE)
			keep = false;
		else if (fdns_answer(r, msg, len, 1, &out) == 0 && out.len == 0)
			return true; /* drop: say nothing, keep the connection */
	} else {
		ssize_t m = relay_tcp(p, msg, len, ans);
		if (m > 0)
			dl_buf_add(&out, ans, (size_t)m);
	}
	if (out.len) {
		mark_ad(p, (uint8_t *)out.data, out.len);
		uint8_t hdr[2] = { (uint8_t)(out.len >> 8), (uint8_t)out.len };
		keep = write(c->fd, hdr, 2) == 2 && write(c->fd, out.data, out.len) ==
		    (ssize_t)out.len;
	}
	dl_buf_free(&out);
	return keep;
}

static void
serve_tcp_client(struct proxy *p, struct tcp_client *c)
{
	uint8_t chunk[4096];
	ssize_t n = read(c->fd, chunk, sizeof(chunk));
	bool keep = n > 0;

	if (keep)
		dl_buf_add(&c->in, chunk, (size_t)n);
	while (keep && c->in.len >= 2) {
		size_t len = (size_t)((uint8_t)c->in.data[0] << 8 | (uint8_t)c->in.data[1]);
		if (c->in.len < len + 2)
			break;
		keep = serve_tcp_msg(p, c, (uint8_t *)c->in.data + 2, len);
		memmove(c->in.data, c->in.data + len + 2, c->in.len - len - 2);
		c->in.len -= len + 2;
	}
	if (!keep || c->in.len > MSG_MAX + 2) {
		close(c->fd);
		c->fd = -1;
		dl_buf_free(&c->in);
	}
}

static void
loop(struct proxy *p, const sigset_t *unblocked)
{
	while (!stopping) {
		if (reloading) {
			reloading = 0;
			load_rules(p);
		}
		struct pollfd pfd[2 + MAX_TCP];
		int idx[2 + MAX_TCP];
		nfds_t n = 0;
		pfd[n++] = (struct pollfd){ p->udp, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ p->tcp, POLLIN, 0 };
		for (int i = 0; i < MAX_TCP; i++)
			if (p->clients[i].fd >= 0) {
				idx[n] = i;
				pfd[n++] = (struct pollfd){ p->clients[i].fd, POLLIN, 0 };
			}
		/* Signals arrive only inside ppoll: none is lost between the
		 * flag checks above and the wait. */
		struct timespec tick = { 1, 0 };
		if (ppoll(pfd, n, &tick, unblocked) <= 0)
			continue;
		if (pfd[0].revents & POLLIN)
			serve_udp(p);
		if (pfd[1].revents & POLLIN) {
			int fd = accept4(p->tcp, NULL, NULL, SOCK_CLOEXEC);
			int slot = -1;
			for (int i = 0; i < MAX_TCP && slot < 0 && fd >= 0; i++)
				if (p->clients[i].fd < 0)
					slot = i;
			if (slot >= 0)
				p->clients[slot].fd = fd;
			else if (fd >= 0)
				close(fd); /* bounded: the lab never needs more */
		}
		for (nfds_t k = 2; k < n; k++)
			if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR))
				serve_tcp_client(p, &p->clients[idx[k]]);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "upstream", required_argument, NULL, 'u' },
		{ "rules", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "set-ad", no_argument, NULL, 'a' },
		{ "served", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_addr = NULL, *up = NULL, *rules = NULL;
	int port = 53, ch;
	struct proxy p;
	bool set_ad = false;
	sigset_t block, unblocked;

	memset(&p, 0, sizeof(p));
	dl_log_init(argv[0], DL_LOG_WARN);
	while ((ch = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': listen_addr = optarg; break;
		case 'u': up = optarg; break;
		case 'r': rules = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'a': set_ad = true; break;
		case 's': p.served_dir = optarg; break;
		case 'v': dl_log_init(argv[0], DL_LOG_DEBUG); break;
		default: goto usage;
		}
	}
	if (!listen_addr || !up || !rules)
		goto usage;
	p.set_ad = set_ad;
	for (int i = 0; i < MAX_TCP; i++)
		p.clients[i].fd = -1;
	p.upstream.sin_family = AF_INET;
	p.upstream.sin_port = htons(53);
	if (inet_pton(AF_INET, up, &p.upstream.sin_addr) != 1) {
		log_err("dns", "--upstream %s: not an IPv4 address", up);
		return 2;
	}
	p.rules_path = rules;
	if (load_rules(&p) < 0)
		return 2;
	p.udp = bind_socket(SOCK_DGRAM, listen_addr, port);
	p.tcp = bind_socket(SOCK_STREAM, listen_addr, port);
	if (p.udp < 0 || p.tcp < 0) {
		log_err("dns", "cannot listen on %s port %d: %s", listen_addr, port,
		    strerror(errno));
		return 1;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);
	log_info("dns", "listening on %s:%d, %zu rules, upstream %s", listen_addr, port,
	    p.rules.n, up);
	loop(&p, &unblocked);
	fdns_rules_free(&p.rules);
	return 0;
usage:
	fprintf(stderr, "usage: dl-faultdns --listen ADDR --upstream ADDR --rules FILE "
	    "[--served DIR] [--port N] [--set-ad] [-v]\n");
	return 2;
}
