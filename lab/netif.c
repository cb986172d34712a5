/*
 * netif.c -- loopback configuration inside the lab's network namespace:
 * `lo` up through an ioctl, IPv6 /128 addresses and local routes through
 * rtnetlink (so the library does not depend on the `ip` binary), and the
 * question a client asks of its own interfaces: is this address mine?
 */
#include "lab/sandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int
dl_sandbox_lo_up(struct dl_err *err)
{
	struct ifreq ifr;
	int fd, rc = -1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return dl_errf(err, "lo up: socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		dl_errf(err, "lo up: SIOCGIFFLAGS: %s", strerror(errno));
		goto out;
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		dl_errf(err, "lo up: SIOCSIFFLAGS: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Send one rtnetlink request and read its acknowledgement. */
static int
nl_request(struct nlmsghdr *req, const char *what, struct dl_err *err)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char reply[4096];
	ssize_t n;
	int fd, rc = -1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return dl_errf(err, "%s: netlink socket: %s", what, strerror(errno));
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) < 0) {
		dl_errf(err, "%s: netlink send: %s", what, strerror(errno));
		goto out;
	}
	n = recv(fd, reply, sizeof(reply), 0);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		dl_errf(err, "%s: netlink: short or failed reply", what);
		goto out;
	}
	struct nlmsghdr *h = (struct nlmsghdr *)reply;
	if (h->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(h);
		/* An address or route that is already there is what we wanted. */
		if (e->error != 0 && e->error != -EEXIST) {
			dl_errf(err, "%s: %s", what, strerror(-e->error));
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

int
dl_sandbox_add_addr(const char *addr, struct dl_err *err)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[64];
	} req;
	unsigned char bin[sizeof(struct in6_addr)];
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	size_t alen = family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
	int plen = family == AF_INET6 ? 128 : 32;
	struct rtattr *rta;
	unsigned idx;

	if (inet_pton(family, addr, bin) != 1)
		return dl_errf(err, "add %s/%d: not an address", addr, plen);
	idx = if_nametoindex("lo");
	if (idx == 0)
		return dl_errf(err, "add %s/%d: no lo: %s", addr, plen, strerror(errno));
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	req.nh.nlmsg_seq = 1;
	req.ifa.ifa_family = (unsigned char)family;
	req.ifa.ifa_prefixlen = (unsigned char)plen;
	req.ifa.ifa_flags = IFA_F_NODAD; /* usable at once */
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.ifa.ifa_index = idx;
	for (int t = 0; t < 2; t++) {
		rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
		rta->rta_type = t == 0 ? IFA_LOCAL : IFA_ADDRESS;
		rta->rta_len = (unsigned short)RTA_LENGTH(alen);
		memcpy(RTA_DATA(rta), bin, alen);
		req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) +
		    RTA_ALIGN(rta->rta_len);
	}
	char what[128];
	snprintf(what, sizeof(what), "add %s/%d to lo", addr, plen);
	return nl_request(&req.nh, what, err);
}

int
dl_sandbox_add_local_route6(const char *prefix, int plen, struct dl_err *err)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
		char attrs[64];
	} req;
	struct in6_addr a6;
	struct rtattr *rta;
	unsigned idx;

	if (inet_pton(AF_INET6, prefix, &a6) != 1 || plen < 0 || plen > 128)
		return dl_errf(err, "local route %s/%d: not an IPv6 prefix", prefix, plen);
	idx = if_nametoindex("lo");
	if (idx == 0)
		return dl_errf(err, "local route %s/%d: no lo: %s", prefix, plen,
		    strerror(errno));
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_NEWROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	req.nh.nlmsg_seq = 1;
	req.rt.rtm_family = AF_INET6;
	req.rt.rtm_dst_len = (unsigned char)plen;
	/* What `ip -6 route add local PREFIX dev lo` sends: a route of type
	   local in the local table, so packets to any address of the prefix
	   are delivered to this host's sockets. */
	req.rt.rtm_table = RT_TABLE_LOCAL;
	req.rt.rtm_protocol = RTPROT_STATIC;
	req.rt.rtm_scope = RT_SCOPE_HOST;
	req.rt.rtm_type = RTN_LOCAL;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	rta->rta_type = RTA_DST;
	rta->rta_len = RTA_LENGTH(sizeof(a6));
	memcpy(RTA_DATA(rta), &a6, sizeof(a6));
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	rta->rta_type = RTA_OIF;
	rta->rta_len = RTA_LENGTH(sizeof(uint32_t));
	uint32_t oif = idx;
	memcpy(RTA_DATA(rta), &oif, sizeof(oif));
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	char what[128];
	snprintf(what, sizeof(what), "add local route %s/%d dev lo", prefix, plen);
	return nl_request(&req.nh, what, err);
}

int
dl_sandbox_own_addr(const char *addr, char *ifname, size_t ifname_len, struct dl_err *err)
{
	struct ifaddrs *all, *i;
	struct in6_addr a6;
	struct in_addr a4;
	int family, found = 0;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, addr, &a6) == 1)
		family = AF_INET6;
	else
		return dl_errf(err, "%s: not an IP address", addr);
	/* getifaddrs() is what an MTA's "which addresses are mine" reads
	   (Exim: SIOCGIFCONF and /proc/net/if_inet6, Postfix: the same
	   kernel lists); an address on a local route is not listed. */
	if (getifaddrs(&all) < 0)
		return dl_errf(err, "getifaddrs: %s", strerror(errno));
	for (i = all; i && !found; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family)
			continue;
		if (family == AF_INET)
			found = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr ==
			    a4.s_addr;
		else
			found = memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
			    &a6, sizeof(a6)) == 0;
		if (found && ifname && ifname_len)
			snprintf(ifname, ifname_len, "%s", i->ifa_name);
	}
	freeifaddrs(all);
	return found;
}
