/* SPDX-License-Identifier: MIT */
/*
 * relay: a byte-stream relay between a connected socket and two other
 * descriptors, both directions at once, poll-driven, never blocking one
 * direction on the other.
 *
 * Each direction is a pump.  A pump moves bytes with splice(2) when one
 * end is a pipe and the other the socket (the pipe grown to 1 MiB), with
 * sendfile(2) from a regular file into the socket, else through a 128 KiB
 * buffer; splice or sendfile refused by the kernel falls back to the
 * buffer.  The socket is used with MSG_DONTWAIT (and MSG_NOSIGNAL, so a
 * vanished peer is EPIPE, not a signal); the other descriptor is read or
 * written only when poll(2) says it is ready, or when it is a regular
 * file, a block device or a memory device (/dev/null, /dev/zero), which
 * never block.
 *
 * The EOF rules of relay_stream(), those of sockcat(1)'s table.  They
 * depend only on what each side sent and when it ended, never on timing
 * (whether input happens to be ready) or on the kind of input:
 *   - the end of UP (the source into the socket): shutdown(SHUT_WR) on the
 *     socket, then keep reading from it with no time limit; a relay that
 *     waits_for_peer (a listener) only shuts down once it has sent
 *     something, so that a peer stopping at our end does not quit first;
 *   - the end of DOWN (the peer's end), once written out: with
 *     eof_shut_fd, that descriptor's sending side is shut down (a child
 *     sees its input end and may still answer); either way UP is relayed
 *     to its end, since TCP cannot tell a peer that only half-closed from
 *     one that closed for good: the latter answers what we send with a
 *     reset, which is an error (RELAY_ERROR);
 *   - both ended: on TCP, the relay returns only once the peer's stack
 *     has acknowledged every byte sent and our end (SIOCOUTQ is 0), or
 *     fails with the reset or error that came back instead, so success
 *     is never reported for data a closed peer threw away.
 * The relay also ends when no byte moved for the idle timeout, or when
 * *stop becomes nonzero (a signal handler's flag; signals can arrive in
 * ppoll(2) under sigmask).
 *
 * After the relay, relay_linger_close() ends a connection gracefully when
 * the peer may still be sending: a socket closed with unread input sends
 * a reset, which can destroy data the peer has not read yet.
 */
#ifndef IPCU_RELAY_H
#define IPCU_RELAY_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define RELAY_CHUNK	(128 * 1024)	/* buffer size, and splice length */

/* One direction of a stream relay. */
struct pump {
	int from, to;
	bool from_sock, to_sock;
	bool splice;		/* one end a pipe, the other the socket */
	bool sendfile;		/* a regular file into the socket */
	bool from_ready, to_ready;	/* never block: file, device */
	bool wait_out;		/* splice: last EAGAIN was the destination */
	char *buf;		/* buffer mode */
	size_t off, len;
	bool eof;		/* the source ended */
	bool failed_out;	/* the last error was the destination's */
	uint64_t bytes;		/* moved so far */
};

enum relay_end {
	RELAY_EOF,		/* both sides finished as the rules say */
	RELAY_IDLE,		/* nothing moved for the idle timeout */
	RELAY_SIGNAL,		/* *stop became nonzero */
	RELAY_ERROR,		/* a pump failed (or poll did): errno set */
};

struct relay_opts {
	const struct timespec *idle;	/* idle timeout; NULL: none */
	bool wait_for_peer;	/* shut down only after sending something */
	int eof_shut_fd;	/* >= 0: see the EOF rules; else -1 */
	const sigset_t *sigmask;	/* ppoll(2) mask; NULL: unchanged */
	volatile sig_atomic_t *stop;	/* nonzero: return; may be NULL */
};

/*
 * Set up P to move bytes from FROM to TO; FROM_SOCK says which of the two
 * is the socket.  Picks splice, sendfile or the buffer as above.  TO may
 * be set later (a pump of standard input kept across connections).
 */
void pump_init(struct pump *p, int from, int to, bool from_sock);

/* Free P's buffer. */
void pump_free(struct pump *p);

/*
 * Move what P can move without blocking.  CAN_READ / CAN_WRITE say that
 * poll(2) found the non-socket end ready.  Return the bytes moved, or -1
 * with errno set (and P->failed_out when the destination failed); sets
 * P->eof at the end of the source.
 */
ssize_t pump_step(struct pump *p, bool can_read, bool can_write);

/*
 * Relay the stream socket SOCK: UP carries into it, DOWN out of it (its
 * from is SOCK).  UP may persist from one connection to the next.  Return
 * how the relay ended; on RELAY_ERROR *FAILED is the pump that failed
 * (NULL when poll(2) did) and errno is set.
 */
enum relay_end relay_stream(int sock, struct pump *up, struct pump *down,
    const struct relay_opts *o, struct pump **failed);

/*
 * Read and throw away what SOCK has to read, without blocking.  Return
 * true while the peer may send more, false once it has closed, reset the
 * connection, or the socket failed.
 */
bool relay_discard(int sock);

/*
 * End the connection SOCK gracefully: shut down its sending side (the
 * peer gets the end after what was written), discard what the peer still
 * sends until it closes or BOUND passes, then close SOCK.  A stop (O's
 * stop flag) cuts the wait short.
 */
void relay_linger_close(int sock, const struct timespec *bound,
    const struct relay_opts *o);

/*
 * poll(2) PFD for TIMEOUT_MS (-1: forever) with O's signal mask; EINTR
 * is returned as 0 with errno EINTR.  Return -1 only on other failures.
 */
int relay_poll(struct pollfd *pfd, nfds_t n, int timeout_ms,
    const struct relay_opts *o);

#endif
