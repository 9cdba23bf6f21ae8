/* SPDX-License-Identifier: MIT */
/*
 * pingsock: open and configure rawping's ICMP sockets and drop its
 * privileges, as pingsock.h describes.
 */
#include "config.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <linux/icmp.h>
#include <linux/net_tstamp.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diag.h"
#include "pingsock.h"

int
open_icmp_socket(bool v6, bool *dgram)
{
	int fam = v6 ? AF_INET6 : AF_INET;
	int proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd, e;

	*dgram = false;
	fd = socket(fam, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd >= 0 || (errno != EPERM && errno != EACCES))
		return fd;
	e = errno;
	fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, proto);
	if (fd >= 0) {
		*dgram = true;
		return fd;
	}
	if (errno == EACCES || errno == EPERM)
		errno = e;
	return -1;
}

void
no_icmp_socket_err(const char *host, bool v6, int e)
{
	char range[64] = "unknown";
	FILE *f;

	if (e != EPERM && e != EACCES)
		errx(EXIT_USAGE, "%s: cannot open an %s socket: %s", host,
		    v6 ? "ICMPv6" : "ICMP", strerror(e));
	f = fopen("/proc/sys/net/ipv4/ping_group_range", "re");
	if (f) {
		if (fgets(range, sizeof range, f))
			range[strcspn(range, "\n")] = '\0';
		for (char *p = range; *p; p++)
			if (*p == '\t')
				*p = ' ';
		fclose(f);
	}
	errx(EXIT_USAGE, "%s: cannot open an %s socket: a raw socket needs "
	    "the capability CAP_NET_RAW (setcap cap_net_raw+ep on rawping) "
	    "and a datagram socket needs group %lu inside "
	    "net.ipv4.ping_group_range (now %s)", host,
	    v6 ? "ICMPv6" : "ICMP", (unsigned long)getgid(), range);
}

void
drop_privileges_or_err(void)
{
	gid_t g = getgid();
	uid_t u = getuid();
	cap_t none;

	if (setresgid(g, g, g) != 0)
		err(EXIT_USAGE, "cannot drop group privileges");
	if (setresuid(u, u, u) != 0)
		err(EXIT_USAGE, "cannot drop user privileges");
	none = cap_init();
	if (!none || cap_set_proc(none) != 0)
		err(EXIT_USAGE, "cannot drop capabilities");
	cap_free(none);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		err(EXIT_USAGE, "cannot set no_new_privs");
}

/* Set socket option NAME at LEVEL to the int V, or exit 2 naming WHAT. */
static void
setint(int fd, int level, int name, int v, const char *what)
{
	if (setsockopt(fd, level, name, &v, sizeof v) != 0)
		err(EXIT_USAGE, "%s", what);
}

bool
setup_icmp_socket_or_err(int fd, bool v6, bool dgram, int ttl,
    bool tx_stamps)
{
	bool stamped = false;

	setint(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
	if (tx_stamps) {
		int f = SOF_TIMESTAMPING_TX_SOFTWARE |
		    SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID |
		    SOF_TIMESTAMPING_OPT_TSONLY;
		/* An old kernel refuses: the user-space send time serves. */
		stamped = setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &f,
		    sizeof f) == 0;
	}
	if (v6) {
		setint(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1,
		    "IPV6_RECVHOPLIMIT");
		if (ttl >= 0)
			setint(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, "-t");
		if (dgram) {
			setint(fd, IPPROTO_IPV6, IPV6_RECVERR, 1,
			    "IPV6_RECVERR");
		} else {
			struct icmp6_filter f;
			ICMP6_FILTER_SETBLOCKALL(&f);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
			ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
			ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f);
			ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
			ICMP6_FILTER_SETPASS(ICMP6_PARAM_PROB, &f);
			if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f,
			    sizeof f) != 0)
				err(EXIT_USAGE, "ICMP6_FILTER");
		}
		return stamped;
	}
	if (ttl >= 0)
		setint(fd, IPPROTO_IP, IP_TTL, ttl, "-t");
	if (dgram) {
		setint(fd, IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL");
		setint(fd, IPPROTO_IP, IP_RECVERR, 1, "IP_RECVERR");
	} else {
		struct icmp_filter f = { ~(uint32_t)(1U << ICMP_ECHOREPLY |
		    1U << ICMP_DEST_UNREACH | 1U << ICMP_SOURCE_QUENCH |
		    1U << ICMP_REDIRECT | 1U << ICMP_TIME_EXCEEDED |
		    1U << ICMP_PARAMETERPROB) };
		if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof f))
			err(EXIT_USAGE, "ICMP_FILTER");
	}
	return stamped;
}

const char *
numeric_addr(const struct sockaddr *sa, socklen_t len, char *buf)
{
	if (getnameinfo(sa, len, buf, NI_MAXHOST, NULL, 0, NI_NUMERICHOST))
		snprintf(buf, NI_MAXHOST, "?");
	return buf;
}
