/* SPDX-License-Identifier: MIT */
/*
 * pingrecv: read what rawping's sockets receive and settle the probes
 * it answers.  An echo reply is matched to its host (by echo identifier on
 * a shared raw socket; a datagram socket has one host) and to its probe
 * by sequence number, counted once (a second is a duplicate), timed from
 * the kernel's receive timestamp, checked (checksum, payload pattern,
 * sender) and printed; an ICMP error quoting one of our requests fails
 * its probe, unless it is only advice (redirect, source quench).  The
 * error queue brings the kernel's transmit timestamps and, on datagram
 * sockets, ICMP and local errors.  Anything else is ignored.
 */
#ifndef IPCU_PINGRECV_H
#define IPCU_PINGRECV_H

#include <stdbool.h>
#include <stddef.h>

#include "pingstate.h"

/*
 * Get ready to receive for the NHOSTS HOSTS: replies of DATALEN payload
 * bytes, in a flood (FLOOD) or not, printed unless QUIET.  Exit 2 if the
 * buffers cannot be allocated.
 */
void recv_init(struct host *hosts, size_t nhosts, size_t datalen, bool flood,
    bool quiet);

/*
 * Read a batch of what socket SK has ready; return how many messages came.
 * The main loop calls again while messages come, so one call is enough.
 */
int recv_drain(struct sock *sk);

/* Read up to MAX messages (0: all) of the error queue of socket SK. */
void recv_errqueue(struct sock *sk, int max);

#endif
