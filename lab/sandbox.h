/*
 * sandbox.h -- the lab's private namespaces: user, network, mount and pid.
 *
 * dl_sandbox_enter() moves the calling process into a fresh user namespace
 * (the caller's uid/gid mapped to root), network namespace (only `lo`, up,
 * with IPv6 enabled) and mount namespace (mounts private, a fresh /proc, a
 * tmpfs as scratch space, a lab resolv.conf and hosts file bind-mounted
 * over /etc/resolv.conf and /etc/hosts), then into a new pid namespace.  Three processes result:
 *
 *   waiter   the original process: forwards SIGINT/SIGTERM/SIGHUP inward,
 *            then exits with the worker's status (it never returns);
 *   init     pid 1 of the namespace: reaps every orphan, forwards signals
 *            to the worker, exits with the worker's status (never returns);
 *   worker   pid 2: dl_sandbox_enter() returns 0 here and the caller goes
 *            on with the real work, with ordinary signal semantics.
 *
 * Nothing can outlive the sandbox: init and the worker carry
 * PR_SET_PDEATHSIG(SIGKILL), and when init dies the kernel kills every
 * process of the pid namespace, which drops the network namespace, the
 * mount namespace and with it the tmpfs.  SIGKILL of the waiter therefore
 * leaves no process, namespace or file behind.
 *
 * Must be called while the process has a single thread (unshare() of a
 * user namespace requires it) and before any socket is opened.
 */
#ifndef DL_LAB_SANDBOX_H
#define DL_LAB_SANDBOX_H

#include <limits.h>
#include <stddef.h>

#include "util/err.h"

struct dl_sandbox_opts {
	/* Paths that must stay visible inside (project dir, bin dir, output
	   dirs); the current directory is always kept.  The scratch tmpfs
	   is mounted where it hides none of them. */
	const char *const *keep;
	size_t n_keep;
	/* Scratch mount point; NULL chooses the first of /tmp, /var/tmp,
	   /mnt, /media, /srv that hides nothing listed in `keep`. */
	const char *scratch;
	/* Text of the lab resolv.conf; NULL means "nameserver 127.0.0.1"
	   with "options trust-ad" (glibc drops AD without it). */
	const char *resolv_conf;
};

/* What the worker gets to know about its sandbox. */
struct dl_sandbox_info {
	char scratch[PATH_MAX];     /* the tmpfs mount point */
	char resolv_conf[PATH_MAX]; /* the file bind-mounted over
	                               /etc/resolv.conf ("" if none);
	                               rewrite it in place only */
};

/*
 * Enter the sandbox.  Returns 0 in the worker (info filled), or -1 with err
 * filled if a namespace could not be set up (then the process is unchanged
 * or, after unshare(), unusable for a second attempt: report and exit).
 * The waiter and init never return.
 */
int dl_sandbox_enter(const struct dl_sandbox_opts *opts,
	struct dl_sandbox_info *info, struct dl_err *err);

/* Bring `lo` up (ioctl SIOCSIFFLAGS) in the current network namespace. */
int dl_sandbox_lo_up(struct dl_err *err);
/* Add addr (IPv4 /32 or IPv6 /128) to `lo` via rtnetlink (RTM_NEWADDR,
   no DAD). */
int dl_sandbox_add_addr(const char *addr, struct dl_err *err);
/* Make every address of prefix/plen local without assigning any of them
   to an interface ("AnyIP": RTM_NEWROUTE, type local, table local, dev
   lo).  A socket binds to such an address only with IPV6_FREEBIND. */
int dl_sandbox_add_local_route6(const char *prefix, int plen, struct dl_err *err);
/* Is addr (IPv4 or IPv6, text) one of this namespace's interface
   addresses, as getifaddrs() lists them?  1 (ifname, if given, names the
   interface), 0, or -1 with err filled. */
int dl_sandbox_own_addr(const char *addr, char *ifname, size_t ifname_len,
	struct dl_err *err);

/* Choose the scratch mount point (exposed for tests): the first candidate
   that is neither one of `keep` nor an ancestor of one.  NULL if none. */
const char *dl_sandbox_pick_scratch(const char *const *keep, size_t n_keep);

#endif
