/* SPDX-License-Identifier: MIT */
/*
 * relay: the stream relay of sockcat(1); see relay.h for its rules.
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

/* Whether FD can take a write now. */
static bool
writable_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLOUT | POLLERR));
}

/*
 * Move what can be moved without blocking.  CAN_READ says whether a
 * read from a (blocking) non-socket source is safe now.  Return the bytes
 * moved, or -1 with errno set (and P->failed_out when writing failed).
 * Sets P->eof at end of the source.
 */
ssize_t
pump_step(struct pump *p, bool can_read, bool can_write)
{
	ssize_t moved = 0, n;

	if (p->splice || p->sendfile) {
		for (int i = 0; i < 16; i++) {
			n = p->sendfile ?
			    sendfile(p->to, p->from, NULL, 8 * CHUNK) :
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
				if (moved == 0) {
					pump_unsplice(p);
					return pump_step(p, can_read, can_write);
				}
				break;
			}
			if (errno != EAGAIN)
				return -1;
			p->wait_out = !writable_now(p->to);
			break;
		}
		return moved;
	}
	if (!p->buf && !(p->buf = malloc(CHUNK)))
		return -1;
	can_read = can_read || p->from_ready;
	can_write = can_write || p->to_ready;
	for (int rounds = 0; rounds < 16; rounds++) {
		if (p->len == 0 && !p->eof && (p->from_sock || can_read)) {
			n = p->from_sock ?
			    recv(p->from, p->buf, CHUNK, MSG_DONTWAIT) :
			    read(p->from, p->buf, CHUNK);
			can_read = false;
			if (n > 0) {
				p->off = 0;
				p->len = (size_t)n;
			} else if (n == 0) {
				p->eof = true;
			} else if (errno == EINTR) {
				can_read = true;
				continue;
			} else if (errno != EAGAIN) {
				return -1;
			}
		}
		if (p->len == 0 || !(p->to_sock || can_write))
			return moved;
		n = p->to_sock ? send(p->to, p->buf + p->off, p->len,
		    MSG_DONTWAIT | MSG_NOSIGNAL) :
		    write(p->to, p->buf + p->off, p->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return moved;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			p->failed_out = true;
			return -1;
		}
		p->off += (size_t)n;
		p->len -= (size_t)n;
		p->bytes += (uint64_t)n;
		moved += n;
		can_write = p->to_ready;
		can_read = p->from_ready;
		if (p->len > 0)
			return moved;
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

/* Poll entry N of PFD for pump P's next step: its source, or its
 * destination when it waits for room there. */
static void
want(struct pollfd *pfd, const struct pump *p)
{
	bool out = p->splice || p->sendfile ? p->wait_out : p->len > 0;

	pfd->fd = out ? p->to : p->from;
	pfd->events = out ? POLLOUT : POLLIN;
	pfd->revents = 0;
}

/* Step pump P if its poll entry PFD is ready; the bytes moved, or -1
 * with *FAILED set to P. */
static ssize_t
step_ready(struct pump *p, const struct pollfd *pfd, struct pump **failed)
{
	bool in = pfd->fd == p->from;
	ssize_t m;

	if (!pfd->revents)
		return 0;
	m = pump_step(p, in, !in);
	if (m < 0)
		*failed = p;
	return m;
}

enum relay_end
relay_stream(int sock, struct pump *up, struct pump *down,
    const struct relay_opts *o, struct pump **failed)
{
	struct deadline idle;
	bool shut = false, handed = false, tcp = is_tcp(sock);
	uint64_t sent0 = up->bytes;
	int backoff = 1;

	deadline_start(&idle, o->idle);
	for (;;) {
		struct pollfd pfd[2];
		nfds_t n = 0;
		int iu = -1, id = -1, r, wait_ms = -1;
		ssize_t m, moved = 0;
		bool eofs = up->eof + down->eof;
		bool up_done = up->eof && up->len == 0;
		bool down_done = down->eof && down->len == 0;

		/*
		 * A listener with nothing to say keeps quiet until its peer
		 * has finished: an early end would make a peer that stops at
		 * our end (sockcat itself) quit before sending (wait_for_peer).
		 */
		if (up_done && !shut &&
		    (!o->wait_for_peer || up->bytes > sent0)) {
			shutdown(sock, SHUT_WR);
			shut = true;
		}
		if (down_done && !handed && o->eof_shut_fd >= 0) {
			shutdown(o->eof_shut_fd, SHUT_WR);
			handed = true;
		}
		if (up_done && down_done) {
			/* No event says "acknowledged": look again, at 1 ms
			 * doubling up to 100 ms. */
			r = shut && tcp ? unacked(sock) : 0;
			if (r == 0)
				return RELAY_EOF;
			if (r < 0) {
				up->failed_out = true;
				*failed = up;
				return RELAY_ERROR;
			}
			wait_ms = backoff;
			backoff = backoff < 64 ? backoff * 2 : 100;
		}
		if (!up_done) {
			iu = (int)n;
			want(&pfd[n++], up);
		}
		if (!down_done) {
			id = (int)n;
			want(&pfd[n++], down);
		}
		r = relay_poll(pfd, n, shorter_ms(deadline_poll_ms(&idle),
		    wait_ms), o);
		if (o->stop && *o->stop)
			return RELAY_SIGNAL;
		if (r < 0) {
			*failed = NULL;
			return RELAY_ERROR;
		}
		if (r == 0 && deadline_expired(&idle))
			return RELAY_IDLE;
		if (r <= 0)
			continue;
		for (int k = 0; k < 2; k++) {
			int i = k == 0 ? iu : id;
			if (i < 0)
				continue;
			m = step_ready(k == 0 ? up : down, &pfd[i], failed);
			if (m < 0)
				return RELAY_ERROR;
			moved += m;
		}
		if (moved > 0 || up->eof + down->eof != eofs)
			deadline_start(&idle, o->idle);
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
