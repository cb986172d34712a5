/*
 * addr.h -- the lab's address plan, in one place.
 *
 * Everything lives inside the lab's own network namespace: the loopback
 * /8, ::1, and fdda:9e1a:b000::/48, which the sandbox makes local.  The
 * lab's daemons listen on fixed addresses; mail hosts get one address per
 * (slot, host): slot is a case's place in the run, host its number there.
 * Mail hosts' IPv6 addresses are on a local route, never on an interface,
 * so no client takes a mail host for itself (docs/architecture.md).
 */
#ifndef DL_LAB_ADDR_H
#define DL_LAB_ADDR_H

#include <stddef.h>

/* The validating resolver (Unbound), on both families. */
#define DL_LAB_RESOLVER "127.0.0.1"
#define DL_LAB_RESOLVER6 "::1"
/* An untrusted path to that resolver: a relay that sets AD on everything. */
#define DL_UNTRUSTED_RESOLVER "127.0.54.2"
/* NSD serving the lab's zones, and NSD #2 behind the fault proxy. */
#define DL_LAB_NS4 "127.0.53.1"
#define DL_LAB_NS6 "fdda:9e1a:b000::53"
#define DL_LAB_NS2 "127.0.53.2"
#define DL_LAB_FAULT "127.0.54.1"
/* Where `server=dead` zones are delegated: nothing listens there. */
#define DL_LAB_DEAD "127.0.55.1"
/* The client host's own IPv4 address.  Every real MTA host has one, and
 * resolvers that honour AI_ADDRCONFIG (OpenSMTPD's libasr) ask for A records
 * only if some IPv4 address other than 127.0.0.1 is configured.  Nothing
 * listens on it; no case may name it (it is outside every slot). */
#define DL_LAB_CLIENT4 "127.0.56.1"
/* The idle persona of a run without mail hosts. */
#define DL_LAB_IDLE_SMTP "127.0.55.2"
/* Every mail host's IPv6 address lies in this prefix (a local route). */
#define DL_LAB_MAIL6 "fdda:9e1a:b000:1::"
#define DL_LAB_MAIL6_LEN 64

/* Hosts 1..127 are mail hosts; host + 128 is a hidden backend's address. */
#define DL_LAB_BACKEND_OFFSET 128

/* Addresses of host h of slot s: 127.(16+s/256).(s%256).h and
 * fdda:9e1a:b000:1:<s>::<h>.  Caller frees. */
char *dl_lab_mail_addr4(int slot, int host);
char *dl_lab_mail_addr6(int slot, int host);
/* The slot a raw address (4 or 16 bytes, network order) belongs to, or -1. */
int dl_lab_addr_slot(const unsigned char *a, size_t len);

#endif
