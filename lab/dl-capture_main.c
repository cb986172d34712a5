/*
 * dl-capture_main.c -- record every packet on one interface of the lab's
 * network namespace into a pcap file, until SIGTERM.
 *
 *   dl-capture -i IFACE -w FILE [--ready-fd N]
 *
 * The runner starts it inside the sandbox (only `lo` exists there, and only
 * the lab's traffic crosses it) when evidence is kept, and cuts the file
 * into one capture per case afterwards (runner/evidence_pcap.c).  It is a
 * program of its own rather than a thread of the runner so that a busy
 * capture never competes with the runner's event loop, and so that it is
 * started with exec, never a bare fork of a threaded process.
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void
usage(FILE *f)
{
	fprintf(f, "usage: dl-capture -i IFACE -w FILE [--ready-fd N]\n");
}

static void
dump_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	pcap_dump(user, h, bytes);
}

/* Everything the kernel still holds, then the file is complete. */
static void
drain(pcap_t *p, pcap_dumper_t *d)
{
	char eb[PCAP_ERRBUF_SIZE];

	if (pcap_setnonblock(p, 1, eb) < 0)
		return;
	while (pcap_dispatch(p, -1, dump_cb, (u_char *)d) > 0)
		;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *iface = NULL, *file = NULL;
	char eb[PCAP_ERRBUF_SIZE];
	int ready_fd = -1, ch;

	while ((ch = getopt_long(argc, argv, "i:w:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i': iface = optarg; break;
		case 'w': file = optarg; break;
		case 'r': ready_fd = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (iface == NULL || file == NULL) {
		usage(stderr);
		return 2;
	}
	/* SIGTERM ends the capture through a descriptor, polled with the
	 * capture's own: no handler, no state shared with one. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);

	pcap_t *p = pcap_create(iface, eb);
	if (p == NULL || sfd < 0) {
		fprintf(stderr, "dl-capture: %s: %s\n", iface, p ? strerror(errno) : eb);
		return 1;
	}
	/* Whole packets (lo carries up to 64 KiB), delivered at once so that
	 * the drain at SIGTERM finds them, and room for a burst of the run. */
	pcap_set_snaplen(p, 262144);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, 16 << 20);
	int rc = pcap_activate(p);
	if (rc < 0) {
		fprintf(stderr, "dl-capture: %s: %s\n", iface, pcap_geterr(p));
		return 1;
	}
	pcap_dumper_t *d = pcap_dump_open(p, file);
	if (d == NULL) {
		fprintf(stderr, "dl-capture: %s: %s\n", file, pcap_geterr(p));
		return 1;
	}
	int pfd = pcap_get_selectable_fd(p);
	if (pfd < 0) {
		fprintf(stderr, "dl-capture: %s: no selectable descriptor\n", iface);
		return 1;
	}
	if (ready_fd >= 0) {
		if (write(ready_fd, "ready\n", 6) != 6)
			return 1;
		close(ready_fd);
	}
	for (;;) {
		struct pollfd fds[2] = { { pfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			break;
		if (fds[0].revents & POLLIN)
			pcap_dispatch(p, -1, dump_cb, (u_char *)d);
		if (fds[1].revents & POLLIN)
			break;
	}
	drain(p, d);
	struct pcap_stat st;
	if (pcap_stats(p, &st) == 0 && st.ps_drop > 0)
		fprintf(stderr, "dl-capture: %u packets dropped by the kernel\n", st.ps_drop);
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}
