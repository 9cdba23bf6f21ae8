/* SPDX-License-Identifier: MIT */
/*
 * pingstate: the state rawping's units share.  Each HOST operand has its
 * own echo identifier, sequence numbers and statistics, and a ring of the
 * last RING probes sent to it (probe number K, from 0, has sequence
 * number K + 1 modulo 65536 and lives in slot K % RING); each socket
 * knows the hosts probed through it.  rawping.c sends and times probes
 * out, pingrecv.c settles them from what comes back.
 */
#ifndef IPCU_PINGSTATE_H
#define IPCU_PINGSTATE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "pingout.h"

#define NS 1000000000LL
#define FLOOD_WAIT_NS 10000000LL	/* flood: resend after 10 ms unanswered */
#define RING 4096			/* probes remembered per host */

enum slot_state { SLOT_EMPTY, SLOT_PENDING, SLOT_ANSWERED, SLOT_DONE };

/* One probe in flight or recently answered. */
struct slot {
	uint64_t k;		/* probe number, from 0 */
	int64_t tx_real;	/* CLOCK_REALTIME ns just before sendto */
	int64_t tx_kern;	/* the kernel's transmit timestamp, or 0 */
	int64_t tx_mono;	/* CLOCK_MONOTONIC ns, for the timeout */
	uint8_t state;
};

struct sock;

/* A HOST operand with its own identifier, sequence and statistics. */
struct host {
	struct out_host id;		/* name and numeric address */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool v6;
	struct sock *sock;
	uint16_t ident;			/* echo identifier (raw sockets) */
	uint8_t *pkt;			/* the echo request, rewritten per probe */
	size_t pktlen;
	struct out_stats st;		/* counts and round-trip times */
	uint64_t resolved;		/* probes before this one are settled */
	int64_t next_send;		/* CLOCK_MONOTONIC ns */
	int64_t last_send;		/* CLOCK_MONOTONIC ns of the last probe */
	struct slot ring[RING];
};

/* An ICMP socket: a shared raw one per family, or a datagram one per host. */
struct sock {
	int fd;
	bool v6;
	bool dgram;
	struct host *owner;		/* datagram sockets only */
	int nhosts;			/* hosts probed through it */
	struct txref *txmap;		/* transmit timestamp keys, or NULL */
	uint32_t txkey;			/* key of the next packet sent */
};

/* The probe a transmit timestamp key (SOF_TIMESTAMPING_OPT_ID) stands for. */
struct txref {
	struct host *h;
	uint64_t k;
};

/* Read CLOCK (which always works on Linux) in nanoseconds. */
static inline int64_t
now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* Nanoseconds in TS, saturating at a century. */
static inline int64_t
ts_ns(struct timespec ts)
{
	if (ts.tv_sec > 3155760000LL)
		return 3155760000LL * NS;
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

#endif
