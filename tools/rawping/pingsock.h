/* SPDX-License-Identifier: MIT */
/*
 * pingsock: rawping's ICMP sockets and its one moment of privilege.
 *
 * The order is the point: open every socket while CAP_NET_RAW (a file
 * capability, or root) is held, with open_icmp_socket(); then
 * drop_privileges_or_err() gives up the set-user and set-group ids, every
 * capability, and sets no_new_privs; only then are names resolved and
 * sockets configured (setup_icmp_socket_or_err() needs no privilege) and
 * packets sent or read.  Without CAP_NET_RAW an ICMP datagram socket is
 * used where net.ipv4.ping_group_range lets the group in;
 * no_icmp_socket_err() says exactly what is missing.
 *
 * Functions ending in _or_err, and no_icmp_socket_err(), print
 * "rawping: context: reason" and exit 2 on failure.
 */
#ifndef IPCU_PINGSOCK_H
#define IPCU_PINGSOCK_H

#include <stdbool.h>
#include <sys/socket.h>

/*
 * Open an ICMP (ICMPv6 if V6) socket: raw if permitted, else datagram;
 * set *DGRAM to which.  Return the descriptor, or -1 with errno (that of
 * the raw socket when both were refused for want of permission).
 */
int open_icmp_socket(bool v6, bool *dgram);

/* Explain why HOST has no ICMP (V6: ICMPv6) socket, errno E; exit 2. */
void no_icmp_socket_err(const char *host, bool v6, int e)
    __attribute__((noreturn));

/* Give up the set-user and set-group ids and every capability for good. */
void drop_privileges_or_err(void);

/*
 * Configure ICMP socket FD (V6, DGRAM as opened): kernel receive
 * timestamps, the received TTL or hop limit, an ICMP filter that passes
 * only echo replies and errors (raw), the error queue (datagram), TTL if
 * it is not -1, and with TX_STAMPS the kernel's transmit timestamps keyed
 * by packet (SOF_TIMESTAMPING_OPT_ID).  Return whether transmit timestamps
 * are on (an old kernel may refuse them).
 */
bool setup_icmp_socket_or_err(int fd, bool v6, bool dgram, int ttl,
    bool tx_stamps);

/* Write the numeric form of address SA of LEN bytes into BUF of
 * NI_MAXHOST bytes ("?" if it has none); return BUF. */
const char *numeric_addr(const struct sockaddr *sa, socklen_t len, char *buf);

#endif
