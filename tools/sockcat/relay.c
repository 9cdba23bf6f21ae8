/* SPDX-License-Identifier: MIT */
/*
 * relay: the stream relay of sockcat(1); relay.h says what it offers, and
 * its rules are the states above relay_stream() below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "deadline.h"
#include "relay.h"
#include "sigloop.h"
#include "tls.h"

#define CHUNK		RELAY_CHUNK
#define PIPE_SIZE	(1024 * 1024)	/* pipe size asked for the fast path */


/* Whether FD is a pipe or FIFO. */
static bool
is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* Whether FD is a regular file. */
static bool
is_regular(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* The character devices of drivers/char/mem.c (/dev/null, /dev/zero,
 * /dev/full, /dev/urandom...), which never block, but for /dev/kmsg. */
#define MEM_MAJOR	1
#define KMSG_MINOR	11

/* Whether I/O on FD never blocks: a regular file, a block device or a
 * memory device, which are used without asking poll(2) (it would always
 * say yes, at the cost of a call per chunk).  Anything else, a terminal
 * or a pipe, is used when poll(2) says it is ready. */
static bool
never_blocks(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return false;
	if (S_ISCHR(st.st_mode))
		return major(st.st_rdev) == MEM_MAJOR &&
		    minor(st.st_rdev) != KMSG_MINOR;
	return S_ISREG(st.st_mode) || S_ISBLK(st.st_mode);
}

/* Set up a pump from FROM to TO; splice when one end is a pipe and the
 * other the socket, else a 128 KiB buffer. */
void
pump_init(struct pump *p, int from, int to, bool from_sock)
{
	memset(p, 0, sizeof *p);
	p->from = from;
	p->to = to;
	p->from_sock = from_sock;
	p->to_sock = !from_sock;
	p->splice = is_pipe(from_sock ? to : from);
	p->sendfile = !from_sock && !p->splice && is_regular(from);
	p->from_ready = from_sock || never_blocks(from);
	p->to_ready = !from_sock || never_blocks(to);
	if (p->splice) {
		/* A bigger pipe means fewer wake-ups; a refusal is harmless. */
		int pipe_fd = from_sock ? to : from;
		if (fcntl(pipe_fd, F_GETPIPE_SZ) < PIPE_SIZE)
			(void)fcntl(pipe_fd, F_SETPIPE_SZ, PIPE_SIZE);
	}
}

void
pump_free(struct pump *p)
{
	free(p->buf);
	p->buf = NULL;
}

/* Fall back from splice or sendfile to the buffer (refused these ends). */
static void
pump_unsplice(struct pump *p)
{
	p->splice = false;
	p->sendfile = false;
	p->wait_out = false;
}

/* Make P's socket end speak TLS through T: the buffer path (see
 * relay.h), its first wait the one the direction implies. */
static void
pump_use_tls(struct pump *p, struct tls_conn *t)
{
	pump_unsplice(p);
	p->tls = t;
	p->tls_want = p->from_sock ? POLLIN : POLLOUT;
}

/* Whether FD can take a write now. */
static bool
writable_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLOUT | POLLERR));
}

/*
 * Move what splice(2) or sendfile(2) moves without blocking, in up to 16
 * calls.  Return the bytes moved, or -1 with errno set; a refusal before
 * the first byte falls back to the buffer (pump_unsplice()), returning 0.
 */
static ssize_t
pump_splice(struct pump *p)
{
	ssize_t moved = 0, n;

	for (int i = 0; i < 16; i++) {
		n = p->sendfile ? sendfile(p->to, p->from, NULL, 8 * CHUNK) :
		    splice(p->from, NULL, p->to, NULL, CHUNK,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			moved += n;
			p->bytes += (uint64_t)n;
			p->wait_out = false;
			continue;
		}
		if (n == 0) {
			p->eof = true;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EINVAL || errno == ENOSYS) {
			if (moved == 0)
				pump_unsplice(p);
			break;
		}
		if (errno != EAGAIN)
			return -1;
		p->wait_out = !writable_now(p->to);
		break;
	}
	return moved;
}

/* Read once into P's empty buffer (the socket without blocking); return
 * 0 when the read would block, 1 otherwise (EOF sets P->eof), or -1. */
static int
pump_fill(struct pump *p)
{
	ssize_t n;

	do
		n = p->from_sock && p->tls ? tls_read(p->tls, p->buf, CHUNK,
		    &p->tls_want) :
		    p->from_sock ? recv(p->from, p->buf, CHUNK, MSG_DONTWAIT) :
		    read(p->from, p->buf, CHUNK);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		p->off = 0;
		p->len = (size_t)n;
	} else if (n == 0) {
		p->eof = true;
	} else if (errno == EAGAIN) {
		return 0;
	} else {
		return -1;
	}
	return 1;
}

/*
 * Write what P's buffer holds once (the socket without blocking and
 * without SIGPIPE).  Return the bytes written, 0 when the write would
 * block, or -1 with errno set and P->failed_out (a write(2) that returns
 * 0 counts as EIO).
 */
static ssize_t
pump_drain(struct pump *p)
{
	ssize_t n;

	do
		n = p->to_sock && p->tls ? tls_write(p->tls, p->buf + p->off,
		    p->len, &p->tls_want) :
		    p->to_sock ? send(p->to, p->buf + p->off, p->len,
		    MSG_DONTWAIT | MSG_NOSIGNAL) :
		    write(p->to, p->buf + p->off, p->len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		if (n == 0)
			errno = EIO;
		p->failed_out = true;
		return -1;
	}
	p->off += (size_t)n;
	p->len -= (size_t)n;
	p->bytes += (uint64_t)n;
	return n;
}

/*
 * Move what can be moved without blocking.  CAN_READ and CAN_WRITE say
 * that poll(2) found the non-socket end ready.  Return the bytes moved,
 * or -1 with errno set (and P->failed_out when writing failed).  Sets
 * P->eof at end of the source.  Not full_write(): a pump writes what the
 * destination takes now, the other direction waiting meanwhile.
 */
ssize_t
pump_step(struct pump *p, bool can_read, bool can_write)
{
	ssize_t moved = 0, n;

	if (p->splice || p->sendfile) {
		moved = pump_splice(p);
		if (moved != 0 || p->splice || p->sendfile)
			return moved;
	}
	if (!p->buf && !(p->buf = malloc(CHUNK)))
		return -1;
	can_read = can_read || p->from_ready;
	can_write = can_write || p->to_ready;
	for (int rounds = 0; rounds < 16; rounds++) {
		if (p->len == 0 && !p->eof && (p->from_sock || can_read)) {
			if (pump_fill(p) < 0)
				return -1;
			can_read = false;
		}
		if (p->len == 0 || !(p->to_sock || can_write))
			break;
		if ((n = pump_drain(p)) <= 0)
			return n < 0 ? -1 : moved;
		moved += n;
		can_write = p->to_ready;
		can_read = p->from_ready;
		if (p->len > 0)
			break;
	}
	return moved;
}

int
relay_poll(struct pollfd *pfd, nfds_t n, int timeout_ms,
    const struct relay_opts *o)
{
	return sigloop_ppoll(pfd, n, timeout_ms, o->sigmask);
}

/* Whether SOCK is a TCP socket, whose peer acknowledges what it got. */
static bool
is_tcp(int sock)
{
	int proto = 0;
	socklen_t len = sizeof proto;

	return getsockopt(sock, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 &&
	    proto == IPPROTO_TCP;
}

/*
 * How many bytes sent on the TCP socket SOCK (the end counting as one)
 * its peer's stack has not acknowledged yet: 0 once it has them all; -1
 * with errno when an error came back instead (a reset), or when the
 * connection is gone with bytes unacknowledged.
 */
static int
unacked(int sock)
{
	int e = 0, outq = 0;
	socklen_t len = sizeof e;
	struct tcp_info ti;

	if (getsockopt(sock, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e) {
		errno = e;
		return -1;
	}
	if (ioctl(sock, SIOCOUTQ, &outq) < 0 || outq <= 0)
		return 0;
	len = sizeof ti;
	if (getsockopt(sock, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    ti.tcpi_state == TCP_CLOSE) {
		errno = ECONNRESET;
		return -1;
	}
	return outq;
}

/* The shorter of two poll(2) timeouts (-1: forever). */
static int
shorter_ms(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* Poll entry PFD for pump P's next step: its source, or its destination
 * when it waits for room there. */
static void
want(struct pollfd *pfd, const struct pump *p)
{
	bool out = p->splice || p->sendfile ? p->wait_out : p->len > 0;
	bool at_sock = out ? p->to_sock : p->from_sock;

	pfd->fd = out ? p->to : p->from;
	pfd->events = p->tls && at_sock ? p->tls_want : out ? POLLOUT : POLLIN;
	pfd->revents = 0;
}

/* Whether P reads from TLS that holds what it can read without the
 * socket (records read ahead, which poll(2) does not see). */
static bool
tls_ready(const struct pump *p)
{
	return p->tls && p->from_sock && p->len == 0 && !p->eof &&
	    tls_pending(p->tls);
}

/* Whether pump P has ended: its source ended and its buffer is empty. */
static bool
pump_done(const struct pump *p)
{
	return p->eof && p->len == 0;
}

/*
 * The states of a stream relay, named from its two ends: our input (UP,
 * into the socket) and the peer (DOWN, out of it).  These are the rules
 * of sockcat(1)'s EOF table; they depend on what each side sent and when
 * it ended, never on timing or on the kind of input.
 *
 * BOTH_OPEN   Both directions flow.
 * INPUT_DONE  Our input ended and all of it is sent: the socket's sending
 *             side is shut down (TLS: after close_notify, which may wait
 *             for room in the socket: closing), so the peer sees the end
 *             (a listener
 *             that has sent nothing yet keeps quiet until the peer ends:
 *             a peer that stops at our end, sockcat itself, would quit
 *             before it sends; wait_for_peer).  The peer's bytes flow on,
 *             with no time limit.
 * PEER_DONE   The peer ended (TLS: its close_notify; a TCP end without
 *             one fails with EPROTO unless the context allows it) and
 *             all it sent is written out; eof_shut_fd
 *             (a COMMAND's input) is shut down.  Our input flows on to
 *             the peer: TCP cannot tell a peer that only half-closed from
 *             one that closed for good, and the latter answers with a
 *             reset, an error.  With down_may_close, DOWN's destination
 *             refusing more (a COMMAND that stopped reading) ends DOWN
 *             too, as if the peer had ended; and UP's source reporting a
 *             reset (a COMMAND that exited with input unread) ends UP,
 *             as input that ended (INPUT_DONE).
 * DRAINING    Both ended; our end is sent if it was not yet (a listener
 *             that waited for the peer: TLS needs its close_notify).  On
 *             TCP, success waits until the peer's stack has acknowledged
 *             every byte and our end (SIOCOUTQ 0): no event says so, so
 *             the relay looks again after 1 ms, then 2, 4 ... up to
 *             100 ms; a reset or error that comes back instead is a
 *             failure.  Success is never reported for data a closed peer
 *             threw away.  One exception: over TLS our close_notify is
 *             a record, which a peer that ended and closed for good
 *             answers with a reset; when nothing else was sent after
 *             the peer's end, no data was lost, and that is success.
 *
 * In any state the relay ends when nothing moved for the idle timeout
 * (RELAY_IDLE) or when *stop becomes nonzero (RELAY_SIGNAL).
 */
enum relay_state { BOTH_OPEN, INPUT_DONE, PEER_DONE, DRAINING };

/* One run of relay_stream(): its two pumps and what it has done. */
struct relay {
	int sock;
	struct pump *up, *down;
	const struct relay_opts *o;
	bool tcp;		/* the socket acknowledges (DRAINING waits) */
	bool shut;		/* the socket's sending side is shut down */
	bool closing;		/* TLS: close_notify waits for the socket */
	short close_want;	/* ... for this event */
	bool peer_ended;	/* DOWN has ended */
	uint64_t sent_at_end;	/* UP's bytes when it did */
	bool handed;		/* eof_shut_fd is shut down */
	uint64_t sent0;		/* UP's bytes when the run began */
	int backoff_ms;		/* DRAINING: the next look, in ms */
	struct deadline idle;	/* when nothing moved for too long */
};

/* The state R is in, doing what entering it does (see above): shut down
 * the socket's sending side, or eof_shut_fd's. */
static enum relay_state
relay_state(struct relay *r)
{
	bool up_done = pump_done(r->up), down_done = pump_done(r->down);

	if (down_done && !r->peer_ended) {
		r->peer_ended = true;
		r->sent_at_end = r->up->bytes;
	}
	if (up_done && !r->shut && (!r->o->wait_for_peer || down_done ||
	    r->up->bytes > r->sent0)) {
		/* A close_notify that cannot go out (a peer gone) is let
		 * go as a failed shutdown(2) is: the reads report it. */
		r->closing = r->o->tls &&
		    tls_close_notify(r->o->tls, &r->close_want) < 0 &&
		    errno == EAGAIN;
		if (!r->closing) {
			shutdown(r->sock, SHUT_WR);
			r->shut = true;
		}
	}
	if (down_done && !r->handed && r->o->eof_shut_fd >= 0) {
		shutdown(r->o->eof_shut_fd, SHUT_WR);
		r->handed = true;
	}
	if (up_done && down_done)
		return DRAINING;
	return up_done ? INPUT_DONE : down_done ? PEER_DONE : BOTH_OPEN;
}

/*
 * DRAINING: whether the peer has acknowledged all we sent (1), still has
 * not (0, with *WAIT_MS set to the next look), or an error came back (-1,
 * errno set).  Only a TCP socket we shut down has anything to drain.
 */
static int
drained(struct relay *r, int *wait_ms)
{
	int left = r->shut && r->tcp ? unacked(r->sock) : 0;

	if (left <= 0)
		return left == 0 ? 1 : -1;
	*wait_ms = r->backoff_ms;
	r->backoff_ms = r->backoff_ms < 64 ? r->backoff_ms * 2 : 100;
	return 0;
}

/*
 * Step pump P (poll entry PFD) when it is ready.  Return the bytes moved,
 * or -1 with errno set.  A DOWN whose destination refuses more ends, with
 * down_may_close, instead of failing (PEER_DONE).
 */
static ssize_t
step(struct relay *r, struct pump *p, const struct pollfd *pfd)
{
	bool in = pfd->fd == p->from;
	ssize_t m;

	if (!pfd->revents)
		return 0;
	m = pump_step(p, in, !in);
	/*
	 * On TCP, a send that fails with EPIPE while our sending side is
	 * open means the stack closed the connection on a reset whose
	 * ECONNRESET another call took (the kernel reports it once): say
	 * so, not "Broken pipe".
	 */
	if (m < 0 && p->failed_out && p->to_sock && r->tcp && !r->shut &&
	    errno == EPIPE)
		errno = ECONNRESET;
	if (m < 0 && p == r->down && r->o->down_may_close && p->failed_out &&
	    (errno == EPIPE || errno == ECONNRESET)) {
		p->eof = true;
		p->len = 0;
		return 0;
	}
	/* A COMMAND that exits with input unread makes its end of the
	 * socket pair report a reset, once all it wrote has been read: that
	 * is the end of its output, not a failure. */
	if (m < 0 && p == r->up && r->o->down_may_close && !p->failed_out &&
	    errno == ECONNRESET) {
		p->eof = true;
		return 0;
	}
	return m;
}

enum relay_end
relay_stream(int sock, struct pump *up, struct pump *down,
    const struct relay_opts *o, struct pump **failed)
{
	struct relay r = { .sock = sock, .up = up, .down = down, .o = o,
	    .tcp = is_tcp(sock), .sent0 = up->bytes, .backoff_ms = 1 };

	if (o->tls) {
		pump_use_tls(up, o->tls);
		pump_use_tls(down, o->tls);
	}
	deadline_start(&r.idle, o->idle);
	for (;;) {
		enum relay_state state = relay_state(&r);
		struct pump *pumps[2];
		struct pollfd pfd[3];
		nfds_t n = 0;
		int wait_ms = -1, rc;
		bool moved = false, ahead;

		if (state == DRAINING && !r.closing &&
		    (rc = drained(&r, &wait_ms)) != 0) {
			if (rc > 0 || (o->tls && up->bytes == r.sent_at_end))
				return RELAY_EOF;
			up->failed_out = true;
			*failed = up;
			return RELAY_ERROR;
		}
		if (state == BOTH_OPEN || state == PEER_DONE)
			pumps[n++] = up;
		if (state == BOTH_OPEN || state == INPUT_DONE)
			pumps[n++] = down;
		for (nfds_t i = 0; i < n; i++)
			want(&pfd[i], pumps[i]);
		if (r.closing)
			pfd[n] = (struct pollfd){ .fd = sock,
			    .events = r.close_want };
		ahead = (state == BOTH_OPEN || state == INPUT_DONE) &&
		    tls_ready(down);
		rc = relay_poll(pfd, n + r.closing, ahead ? 0 :
		    shorter_ms(deadline_poll_ms(&r.idle), wait_ms), o);
		if (o->stop && *o->stop)
			return RELAY_SIGNAL;
		if (rc < 0) {
			*failed = NULL;
			return RELAY_ERROR;
		}
		if (rc == 0 && !ahead && deadline_expired(&r.idle))
			return RELAY_IDLE;
		if (ahead) {
			/* DOWN is last in pumps[]: its records are ready. */
			pfd[n - 1].revents |= POLLIN;
			rc++;
		}
		for (nfds_t i = 0; rc > 0 && i < n; i++) {
			bool ended = pumps[i]->eof;
			ssize_t m = step(&r, pumps[i], &pfd[i]);
			if (m < 0) {
				*failed = pumps[i];
				return RELAY_ERROR;
			}
			moved |= m > 0 || pumps[i]->eof != ended;
		}
		if (moved)
			deadline_start(&r.idle, o->idle);
	}
}

bool
relay_discard(int sock)
{
	char buf[16384];

	/* Bounded, so that a peer that floods cannot hold the caller. */
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(sock, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		return n < 0 && errno == EAGAIN;
	}
	return true;
}

void
relay_linger_close(int sock, const struct timespec *bound,
    const struct relay_opts *o)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct deadline d;

	shutdown(sock, SHUT_WR);
	deadline_start(&d, bound);
	while (relay_discard(sock) && !(o->stop && *o->stop) &&
	    !deadline_expired(&d))
		relay_poll(&pfd, 1, deadline_poll_ms(&d), o);
	close(sock);
}
