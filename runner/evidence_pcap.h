/*
 * evidence_pcap.h -- one case's share of the lab's packet capture and of
 * the mock servers' TLS key log, for its evidence directory.
 *
 * The capture holds every case of a run.  A packet belongs to case i when
 * one of its addresses is one of case i's (127.(16+i/256).(i%256).h,
 * fdda:9e1a:b000:1:i::h: SMTP to every host, attacker and hidden backend),
 * or when it is DNS (port 53) whose question name ends in "<id>.test."
 * (the client asking the resolver, the resolver asking the authorities);
 * a DNS-over-TCP segment without a question follows its connection.  A
 * key log line belongs to the case whose packets carry its TLS
 * ClientHello random, so Wireshark can decrypt exactly that case's sessions.
 */
#ifndef DL_RUNNER_EVIDENCE_PCAP_H
#define DL_RUNNER_EVIDENCE_PCAP_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

struct dl_pcap_case {
	const char *id;       /* the case id: the label before "test." */
	int index;            /* its placement index in the run */
	const char *dir;      /* where capture.pcap and tls-keys.log go */
	size_t packets;       /* out: how many packets it got */
	size_t keys;          /* out: key log lines it got */
};

/*
 * Cut capture (a pcap file, written on this host) and keylog (SSLKEYLOGFILE
 * lines; may be NULL or missing) into every case's dir.  Returns -1 with err
 * set if the capture cannot be read; files already written stay.
 */
int dl_pcap_slice(const char *capture, const char *keylog, struct dl_pcap_case *cases,
	size_t n, struct dl_err *err);

/* For tests: the label before "test." of a DNS message's question, lower
 * case, into out (size outlen); -1 if none. */
int dl_pcap_dns_case_label(const unsigned char *msg, size_t len, char *out,
	size_t outlen);

#endif
