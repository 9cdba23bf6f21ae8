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
 * relay_stream() is one loop through four states, both open, input
 * done, peer done and draining, whose rules (those of sockcat(1)'s EOF
 * table) are written once, above enum relay_state in relay.c.  It also
 * ends when no byte moved for the idle timeout, or when *stop becomes
 * nonzero (a signal handler's flag; signals arrive in ppoll(2) under
 * sigmask).
 *
 * A socket end may speak TLS (tls.h): its pump then reads and writes
 * through the TLS connection, always with the buffer (no kernel TLS here,
 * so no splice or sendfile), and polls the socket for the event TLS
 * waits for; records OpenSSL has already read are taken before sleeping.
 * The end of input sends close_notify before the socket's sending side
 * is shut down; the peer's close_notify is the end of its data, and a
 * TCP end without it is an error (EPROTO) unless the context allows it.
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

struct tls_conn;

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
	struct tls_conn *tls;	/* the socket end speaks TLS; NULL: plain */
	short tls_want;		/* TLS: the socket event it waits for */
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
	int eof_shut_fd;	/* >= 0: shut down at the peer's end; else -1 */
	bool down_may_close;	/* DOWN's destination may stop reading, and
				 * UP's source end with a reset (a COMMAND) */
	const sigset_t *sigmask;	/* ppoll(2) mask; NULL: unchanged */
	volatile sig_atomic_t *stop;	/* nonzero: return; may be NULL */
	struct tls_conn *tls;	/* the socket speaks TLS (handshake done) */
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
