/* SPDX-License-Identifier: MIT */
/*
 * dgram: the record relay of sockcat(1) between a byte stream in and out
 * (standard input and output) and a datagram or seqpacket socket.
 *
 * Each record read (records.h framing: a line, or a NUL-terminated string)
 * goes out as one datagram; each datagram received is written as one
 * record.  A connected socket talks to its peer; a LISTENER (an unconnected
 * datagram socket) answers the peer it last heard from and sends nothing
 * before it has heard from one.  On a seqpacket connection the end of
 * input shuts down the sending side (a relay that waits_for_peer only
 * after it has sent something), an empty record is refused (the peer
 * would read it as the end), and a zero-length read is the peer's end;
 * after it input is still sent to its end, as the stream relay does
 * (relay.c: a peer that only shut down its side takes it; one that closed
 * for good makes the next send fail).  Datagrams have no end: that relay
 * runs until the idle timeout or a stop.
 */
#ifndef IPCU_DGRAM_H
#define IPCU_DGRAM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "records.h"
#include "relay.h"

#define DGRAM_RECORD_MAX	(256 * 1024)	/* longest record (datagram) */

/* What failed, when dgram_relay() returns RELAY_ERROR. */
enum dgram_fail {
	DGRAM_FAIL_IN = 1,	/* reading the input; errno set */
	DGRAM_FAIL_OUT,		/* writing the output; errno set */
	DGRAM_FAIL_SOCKET,	/* the socket (or poll); errno set */
	DGRAM_FAIL_RECORD,	/* a record that cannot be carried: why[] */
};

/* A record relay's buffers, counters and reply address; it persists from
 * one connection to the next. */
struct dgram_relay {
	struct record_reader rr;
	struct record_writer rw;
	char *rbuf;			/* receive buffer, RECORD_MAX + 1 */
	const char *pending;		/* a record read, not yet sent */
	size_t pending_len;
	bool have_pending;
	uint64_t sent, received;	/* records so far */
	struct sockaddr_storage peer;	/* listener: whom to answer */
	socklen_t peer_len;
	enum dgram_fail fail;		/* set with RELAY_ERROR */
	char why[160];			/* DGRAM_FAIL_RECORD: the reason */
};

/* Prepare ST to read records from IN and write them to OUT, ending in
 * DELIM.  Return 0, or -1 with errno ENOMEM. */
int dgram_relay_init(struct dgram_relay *st, int in, int out, int delim);

/* Free ST's buffers. */
void dgram_relay_free(struct dgram_relay *st);

/*
 * Relay records between ST's descriptors and SOCK (SEQPACKET says which
 * kind of socket; LISTENER as above).  O gives the idle timeout, the stop
 * flag and the signal mask (eof_shut_fd is not used).  Return at the end
 * of a seqpacket connection, the idle timeout, a stop, or RELAY_ERROR with
 * ST->fail set.
 */
enum relay_end dgram_relay(int sock, bool seqpacket, bool listener,
    struct dgram_relay *st, const struct relay_opts *o);

#endif
