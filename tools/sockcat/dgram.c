/* SPDX-License-Identifier: MIT */
/*
 * dgram: the record relay of sockcat(1); see dgram.h.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "dgram.h"

#define RECORD_MAX	DGRAM_RECORD_MAX

/* Record a failure of kind FAIL (a reason for DGRAM_FAIL_RECORD); -1. */
static int __attribute__((format(printf, 3, 4)))
failed(struct dgram_relay *st, enum dgram_fail fail, const char *fmt, ...)
{
	int e = errno;

	st->fail = fail;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(st->why, sizeof st->why, fmt, ap);
		va_end(ap);
	}
	errno = e;
	return -1;
}

int
dgram_relay_init(struct dgram_relay *st, int in, int out, int delim)
{
	memset(st, 0, sizeof *st);
	if (record_reader_init(&st->rr, in, delim, RECORD_MAX) < 0)
		return -1;
	if (record_writer_init(&st->rw, out, delim, RELAY_CHUNK) < 0 ||
	    !(st->rbuf = malloc(RECORD_MAX + 1))) {
		dgram_relay_free(st);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
dgram_relay_free(struct dgram_relay *st)
{
	record_reader_free(&st->rr);
	record_writer_free(&st->rw);
	free(st->rbuf);
	st->rbuf = NULL;
}

/* Send the pending record on SOCK; return 1 sent, 0 EAGAIN, -1 failed. */
static int
send_record(int sock, bool seq, bool listener, struct dgram_relay *st)
{
	ssize_t n;

	if (seq && st->pending_len == 0)
		return failed(st, DGRAM_FAIL_RECORD, "record %llu is empty; a "
		    "seqpacket peer would read it as the end",
		    (unsigned long long)st->sent + 1);
	do
		n = listener ?
		    sendto(sock, st->pending, st->pending_len,
		    MSG_DONTWAIT | MSG_NOSIGNAL, (void *)&st->peer,
		    st->peer_len) :
		    send(sock, st->pending, st->pending_len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == ENOBUFS))
		return 0;
	if (n < 0 && errno == EMSGSIZE)
		return failed(st, DGRAM_FAIL_RECORD, "record %llu is %zu "
		    "bytes, too large for one datagram",
		    (unsigned long long)st->sent + 1, st->pending_len);
	if (n < 0)
		return failed(st, DGRAM_FAIL_SOCKET, NULL);
	st->have_pending = false;
	st->sent++;
	return 1;
}

/* Receive every datagram ready on SOCK and write each as a record.
 * Return 1, 0 at the end of a seqpacket connection, -1 failed. */
static int
receive_records(int sock, bool seq, bool listener, struct dgram_relay *st)
{
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof from;
		ssize_t n = recvfrom(sock, st->rbuf, RECORD_MAX + 1,
		    MSG_DONTWAIT | MSG_TRUNC, (void *)&from, &flen);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return failed(st, DGRAM_FAIL_SOCKET, NULL);
		if (n == 0 && seq) {
			if (record_flush(&st->rw) < 0)
				return failed(st, DGRAM_FAIL_OUT, NULL);
			return 0;
		}
		if (n > RECORD_MAX)
			return failed(st, DGRAM_FAIL_RECORD, "a datagram of "
			    "%zd bytes is longer than %d", n, RECORD_MAX);
		/* Answer whoever spoke last, if it has an address. */
		if (listener && flen > sizeof(sa_family_t)) {
			memcpy(&st->peer, &from, flen);
			st->peer_len = flen;
		}
		st->received++;
		if (record_write(&st->rw, NULL, 0, st->rbuf, (size_t)n) < 0)
			return failed(st, DGRAM_FAIL_OUT, NULL);
	}
	if (record_flush(&st->rw) < 0)
		return failed(st, DGRAM_FAIL_OUT, NULL);
	return 1;
}

/*
 * Take the next record of input as the pending one, if a whole one is
 * ready.  Return 1 when one is pending, 0 when none is ready (or input
 * ended), -1 on failure (a record too long, a read error).
 */
static int
next_record(struct dgram_relay *st)
{
	size_t len;
	int r;

	if (st->have_pending)
		return 1;
	if (st->rr.end - st->rr.start > RECORD_MAX && !record_ready(&st->rr))
		return failed(st, DGRAM_FAIL_RECORD, "record %llu is longer "
		    "than %d bytes", (unsigned long long)st->sent + 1,
		    RECORD_MAX);
	if (!record_ready(&st->rr))
		return 0;
	r = record_read(&st->rr, &st->pending, &len);
	if (r < 0)
		return failed(st, DGRAM_FAIL_IN, NULL);
	if (r == 0)
		return 0;
	st->pending_len = len;
	st->have_pending = true;
	return 1;
}

/* Send what input has ready as long as the socket takes it (a listener
 * only once it knows whom to answer).  Return 1 when a record went, 0
 * when none did, -1 on failure. */
static int
send_ready(int sock, bool seq, bool listener, struct dgram_relay *st)
{
	int sent = 0, r;

	while (!listener || st->peer_len > 0) {
		r = next_record(st);
		if (r <= 0)
			return r < 0 ? -1 : sent;
		r = send_record(sock, seq, listener, st);
		if (r <= 0)
			return r < 0 ? -1 : sent;
		sent = 1;
	}
	return sent;
}

/* Whether all input has been read and sent. */
static bool
input_done(const struct dgram_relay *st)
{
	return st->rr.eof && !st->have_pending && st->rr.start == st->rr.end;
}

/*
 * Fill PFD with what the relay waits for: the socket, for records and,
 * with one pending, for room (after the peer's end only for room:
 * polled for nothing, its hangup would wake us again and again); input,
 * when nothing is pending.  Set *IS and *II to their entries (or -1) and
 * return how many there are.
 */
static nfds_t
poll_set(struct pollfd pfd[2], int sock, bool listener, bool peer_done,
    const struct dgram_relay *st, int *is, int *ii)
{
	nfds_t n = 0;

	*is = *ii = -1;
	if (!peer_done || st->have_pending) {
		*is = (int)n;
		pfd[n].fd = sock;
		pfd[n++].events = (peer_done ? 0 : POLLIN) |
		    (st->have_pending ? POLLOUT : 0);
	}
	if (!st->rr.eof && !st->have_pending &&
	    (!listener || st->peer_len > 0)) {
		*ii = (int)n;
		pfd[n].fd = st->rr.fd;
		pfd[n++].events = POLLIN;
	}
	return n;
}

/*
 * The loop follows the states of the stream relay (relay.c): on a
 * seqpacket connection the end of input shuts down the sending side (an
 * empty listener first waits for the peer), the peer's end (a zero-length
 * read) leaves input still going to it, and both ends end the relay.
 * Datagrams have neither end: idle or a stop ends that relay.
 */
enum relay_end
dgram_relay(int sock, bool seq, bool listener, struct dgram_relay *st,
    const struct relay_opts *o)
{
	struct deadline idle;
	bool shut = false, peer_done = false;
	uint64_t sent0 = st->sent;

	deadline_start(&idle, o->idle);
	for (;;) {
		struct pollfd pfd[2];
		int r, is, ii;
		bool progress;

		if ((r = send_ready(sock, seq, listener, st)) < 0)
			return RELAY_ERROR;
		progress = r > 0;
		if (seq && input_done(st) && peer_done)
			return RELAY_EOF;
		if (seq && input_done(st) && !shut &&
		    (!o->wait_for_peer || st->sent > sent0)) {
			shutdown(sock, SHUT_WR);
			shut = true;
		}
		if (progress)
			deadline_start(&idle, o->idle);
		r = relay_poll(pfd, poll_set(pfd, sock, listener, peer_done,
		    st, &is, &ii), deadline_poll_ms(&idle), o);
		if (o->stop && *o->stop)
			return RELAY_SIGNAL;
		if (r < 0) {
			failed(st, DGRAM_FAIL_SOCKET, NULL);
			return RELAY_ERROR;
		}
		if (r == 0 && deadline_expired(&idle))
			return RELAY_IDLE;
		if (r <= 0)
			continue;
		if (is >= 0 && !peer_done &&
		    (pfd[is].revents & (POLLIN | POLLERR | POLLHUP))) {
			progress = true;
			r = receive_records(sock, seq, listener, st);
			if (r < 0)
				return RELAY_ERROR;
			peer_done = r == 0;
		}
		if (ii >= 0 && pfd[ii].revents) {
			if (record_fill(&st->rr) < 0) {
				failed(st, DGRAM_FAIL_IN, NULL);
				return RELAY_ERROR;
			}
			progress = true;
		}
		if (progress)
			deadline_start(&idle, o->idle);
	}
}
