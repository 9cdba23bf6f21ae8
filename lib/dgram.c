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
		nfds_t n = 0;
		int r, is = -1, ii = -1;
		bool progress = false;

		/* Send what input has ready, as long as the socket takes it. */
		while (!listener || st->peer_len > 0) {
			if (!st->have_pending) {
				size_t len;
				if (st->rr.end - st->rr.start > RECORD_MAX &&
				    !record_ready(&st->rr)) {
					failed(st, DGRAM_FAIL_RECORD, "record "
					    "%llu is longer than %d bytes",
					    (unsigned long long)st->sent + 1,
					    RECORD_MAX);
					return RELAY_ERROR;
				}
				if (!record_ready(&st->rr))
					break;
				r = record_read(&st->rr, &st->pending, &len);
				if (r < 0) {
					failed(st, DGRAM_FAIL_IN, NULL);
					return RELAY_ERROR;
				}
				if (r == 0)
					break;
				st->pending_len = len;
				st->have_pending = true;
			}
			r = send_record(sock, seq, listener, st);
			if (r < 0)
				return RELAY_ERROR;
			if (r == 0)
				break;
			progress = true;
		}
		if (seq && st->rr.eof && !st->have_pending &&
		    st->rr.start == st->rr.end) {
			/* As relay_stream: an empty listener waits. */
			if (peer_done)
				return RELAY_EOF;
			if (!shut && (!o->wait_for_peer || st->sent > sent0))
				shutdown(sock, SHUT_WR);
			shut = true;
		}
		/* After the peer's end the socket only matters for room to
		 * send: polled for nothing, its hangup would wake us at once,
		 * again and again. */
		if (!peer_done || st->have_pending) {
			is = (int)n;
			pfd[n].fd = sock;
			pfd[n++].events = (peer_done ? 0 : POLLIN) |
			    (st->have_pending ? POLLOUT : 0);
		}
		if (!st->rr.eof && !st->have_pending &&
		    (!listener || st->peer_len > 0)) {
			ii = (int)n;
			pfd[n].fd = st->rr.fd;
			pfd[n++].events = POLLIN;
		}
		if (progress)
			deadline_start(&idle, o->idle);
		r = relay_poll(pfd, n, deadline_poll_ms(&idle), o);
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
			/* The peer ended: input still goes to its end, as in
			 * relay_stream; a peer gone for good refuses it. */
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
