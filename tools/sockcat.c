/* SPDX-License-Identifier: MIT */
/*
 * sockcat: relay standard input and output over a socket.
 *
 * sockcat connects to ADDRESS (or, with -l, listens on it and takes a
 * connection) and copies standard input to the socket and the socket to
 * standard output, both at once.  Stream sockets carry bytes unchanged;
 * datagram and seqpacket sockets carry records, one line (or, with -0, one
 * NUL-terminated string) per datagram.  At the end of standard input the
 * sending side is shut down and sockcat goes on reading, with no time
 * limit; when the peer closes, sockcat writes out what it has and exits 0
 * (after sending the rest of an input that is still flowing: see the EOF
 * table of sockcat(1)).
 * With -e each connection is handed to a COMMAND instead; with -z sockcat
 * only probes.  Exit status: 0 success, 1 failure (refused, reset, write
 * error), 2 usage, 124 a timeout ended the tool, 126/127 COMMAND could not
 * be run / was not found, else COMMAND's own status.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <popt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline.h"
#include "deadline.h"
#include "diag.h"
#include "fullio.h"
#include "parse.h"
#include "records.h"
#include "sockaddr.h"
#include "sockconn.h"

#define CHUNK		(128 * 1024)	/* buffer size, and splice length */
#define RECORD_MAX	(256 * 1024)	/* longest record (datagram) */
#define PIPE_SIZE	(1024 * 1024)	/* pipe size asked for the fast path */

static int listen_mode;		/* -l: listen instead of connecting */
static int keep_open;		/* -k: go on accepting after a connection */
static char *exec_arg;		/* -e: COMMAND per connection, no shell */
static char *sh_exec_arg;	/* --sh-exec: STRING run by /bin/sh -c */
static char *max_conns_arg;	/* -m: concurrent -e children */
static char *idle_arg;		/* -w: idle timeout */
static char *connect_timeout_arg;	/* --connect-timeout */
static int probe_mode;		/* -z: only see whether ADDRESS accepts */
static char *source_arg;	/* -s: local address to connect from */
static int only4, only6;	/* -4, -6 */
static int nodelay;		/* --nodelay: TCP_NODELAY */
static int verbose;		/* -v: connections and counts on stderr */
static int null_delim;		/* -0: records end in NUL, not newline */
static int reuseport;		/* --reuseport: SO_REUSEPORT on listeners */
static char *mode_arg;		/* --mode: UNIX socket file permissions */

static struct timespec idle_ts, connect_ts;	/* parsed -w, timeout */
static unsigned long max_conns = 100;
static mode_t sock_mode = 0600;
static const char *addr_text;	/* ADDRESS as typed, for messages */
static char **exec_argv;	/* COMMAND split, or sh -c STRING */
static poptContext ctx;		/* kept to the end: option strings live in it */

/* State that exit and the signal path must undo. */
static struct {
	struct sock_owned_path path;	/* a UNIX socket file we bound */
	pid_t *kids;		/* live -e children (max_conns slots) */
	unsigned long nkids;
} owned;

static volatile sig_atomic_t got_signal;	/* INT, TERM or HUP arrived */
static volatile sig_atomic_t got_child;		/* SIGCHLD arrived */
static sigset_t wait_mask;	/* mask inside ppoll: handled signals open */
static bool signals_armed;	/* handlers installed, signals blocked */

/* One direction of a stream relay. */
struct pump {
	int from, to;
	bool from_sock, to_sock;
	bool splice;		/* one end a pipe, the other the socket */
	bool sendfile;		/* a regular file into the socket */
	bool from_ready, to_ready;	/* never block: socket, file, device */
	bool wait_out;		/* splice: last EAGAIN was the destination */
	char *buf;		/* buffer mode */
	size_t off, len;
	bool eof;		/* the source ended */
	bool failed_out;	/* the last error was the destination's */
	uint64_t bytes;
};

enum relay_end { RELAY_EOF, RELAY_IDLE, RELAY_SIGNAL };

/* Handler for INT, TERM, HUP: remember it for the loops to act on. */
static void
on_signal(int sig)
{
	got_signal = sig;
}

/* Handler for SIGCHLD: children are reaped by the accept loop. */
static void
on_child(int sig)
{
	(void)sig;
	got_child = 1;
}

/* Remove the UNIX socket file if it is still the one we bound. */
static void
remove_owned_path(void)
{
	sock_owned_path_remove(&owned.path);
}

/* Reap exited children without waiting; forget their slots. */
static void
reap_children(void)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned long i = 0; i < owned.nkids; i++) {
			if (owned.kids[i] == pid) {
				owned.kids[i] = owned.kids[--owned.nkids];
				break;
			}
		}
		if (verbose)
			warnx("child %ld ended with status %d", (long)pid,
			    WIFEXITED(status) ? WEXITSTATUS(status) :
			    128 + WTERMSIG(status));
	}
}

/* Terminate and reap every live child: TERM, then KILL after 2 s. */
static void
end_children(void)
{
	struct timespec two = { 2, 0 }, tick = { 0, 10000000 };
	struct deadline d;

	if (owned.nkids == 0)
		return;
	for (unsigned long i = 0; i < owned.nkids; i++)
		kill(owned.kids[i], SIGTERM);
	deadline_start(&d, &two);
	while (owned.nkids > 0 && !deadline_expired(&d)) {
		reap_children();
		if (owned.nkids > 0)
			nanosleep(&tick, NULL);
	}
	for (unsigned long i = 0; i < owned.nkids; i++)
		kill(owned.kids[i], SIGKILL);
	while (owned.nkids > 0 && waitpid(-1, NULL, 0) > 0)
		reap_children();
	owned.nkids = 0;
}

/* atexit(3) hook: leave nothing behind. */
static void
cleanup(void)
{
	end_children();
	remove_owned_path();
}

/* Clean up after INT/TERM/HUP and die by that signal, as a shell expects. */
static void __attribute__((noreturn))
die_by_signal(int sig)
{
	sigset_t set;

	cleanup();
	close_stdout();
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/*
 * Install the handlers for INT, TERM, HUP and CHLD, blocked except inside
 * ppoll(2), so that a listener can clean up and children are reaped.
 */
static void
arm_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		sigdelset(&wait_mask, sigs[i]);
		/* An ignored INT/QUIT (a script's & job) stays ignored. */
		if (sigs[i] != SIGCHLD) {
			struct sigaction old;
			sigaction(sigs[i], NULL, &old);
			if (old.sa_handler == SIG_IGN)
				continue;
		}
		sa.sa_handler = sigs[i] == SIGCHLD ? on_child : on_signal;
		sigaction(sigs[i], &sa, NULL);
	}
	signals_armed = true;
}

/* poll(2) that lets the handled signals in; EINTR is returned as 0 events
 * with got_signal or got_child set. */
static int
wait_events(struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	struct timespec ts, *tsp = NULL;
	int r;

	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	r = ppoll(pfd, n, tsp, signals_armed ? &wait_mask : NULL);
	if (r < 0 && errno != EINTR)
		err(EXIT_FAIL, "poll");
	return r;
}

/* Make sure descriptors 0-2 exist, so that no socket lands on them: a
 * closed stdin reads as empty, a closed stdout fails every write (EBADF). */
static void
reserve_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int nfd = open("/dev/null", fd == 2 ? O_WRONLY : O_RDONLY);
		if (nfd < 0)
			err(EXIT_FAIL, "/dev/null");
		if (nfd != fd)
			errx(EXIT_FAIL, "cannot reserve descriptor %d", fd);
	}
}

/* Report a failed write on standard output: SIGPIPE for a vanished reader
 * (the shell sees the usual status), else "write error" and exit 1. */
static void __attribute__((noreturn))
stdout_failed(void)
{
	if (errno == EPIPE) {
		cleanup();
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	warn("write error");
	exit(EXIT_FAIL);
}

/* Split the -e COMMAND at blanks into an argv (no shell, no quoting). */
static char **
split_command(char *cmd)
{
	size_t n = 0, cap = 8;
	char **argv = malloc(cap * sizeof *argv);
	char *save = NULL;

	if (!argv)
		err(EXIT_FAIL, "malloc");
	for (char *w = strtok_r(cmd, " \t\n", &save); w;
	    w = strtok_r(NULL, " \t\n", &save)) {
		if (n + 2 > cap) {
			cap *= 2;
			argv = realloc(argv, cap * sizeof *argv);
			if (!argv)
				err(EXIT_FAIL, "realloc");
		}
		argv[n++] = w;
	}
	argv[n] = NULL;
	if (n == 0)
		usage_error("-e: empty COMMAND");
	return argv;
}

/* In a child: make SOCK its stdin and stdout, close everything else,
 * restore signals and run the COMMAND; never returns. */
static void __attribute__((noreturn))
exec_child(int sock)
{
	sigset_t none;

	if (dup2(sock, 0) < 0 || dup2(sock, 1) < 0)
		_exit(EXIT_CANNOT_RUN);
	close_range(3, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, signals_armed ? &wait_mask : &none, NULL);
	execvp(exec_argv[0], exec_argv);
	warn("%s", exec_argv[0]);
	_exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/* The exit status a shell would give for a child's wait STATUS. */
static int
child_status(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
}

/* Format the peer or local address of FD as an operand of KIND. */
static const char *
fd_address(int fd, bool peer, enum sock_kind kind, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int r = peer ? getpeername(fd, (void *)&ss, &len) :
	    getsockname(fd, (void *)&ss, &len);

	if (r < 0) {
		snprintf(buf, size, "%s:?", sock_kind_name(kind));
		return buf;
	}
	return sock_address_format(kind, (void *)&ss, len, buf, size);
}

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

/* Whether I/O on FD never blocks: a regular file or a device other than
 * a terminal (/dev/zero, /dev/null). */
static bool
never_blocks(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return false;
	return S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && !isatty(fd));
}

/* Set up a pump from FROM to TO; splice when one end is a pipe and the
 * other the socket, else a 128 KiB buffer. */
static void
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
static ssize_t
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

/* Fail on an error of pump P: a socket error names the address, a
 * failed write on standard output is a write error (or SIGPIPE). */
static void __attribute__((noreturn))
pump_failed(const struct pump *p, const char *name)
{
	bool at_out = p->failed_out;

	/* splice reports EPIPE when the pipe's reader is gone. */
	if (p->splice && errno == EPIPE && !p->to_sock)
		at_out = true;
	if (at_out && !p->to_sock)
		stdout_failed();
	if (!at_out && !p->from_sock && !p->splice && !p->sendfile)
		err(EXIT_FAIL, "standard input");
	err(EXIT_FAIL, "%s", name);
}

/* Whether a read from FD would not block now (data or end of file). */
static bool
readable_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0 && pfd.revents != 0;
}

/*
 * Relay a stream connection SOCK (named NAME): UP carries standard input
 * to it, DOWN carries it to standard output.  UP persists from one
 * connection to the next (-k).  At the end of UP the sending side is shut
 * down and reading goes on.  At the peer's end, once DOWN is written out,
 * the relay ends unless standard input is flowing: then it is sent to its
 * end too.  Return at the end, an idle timeout, or a signal.
 */
static enum relay_end
relay_stream(int sock, const char *name, struct pump *up, struct pump *down)
{
	struct deadline idle;
	bool shut = false, finishing = false;
	uint64_t sent0 = up->bytes;

	deadline_start(&idle, idle_arg ? &idle_ts : NULL);
	for (;;) {
		struct pollfd pfd[2];
		nfds_t n = 0;
		int iu = -1, id = -1, r;
		ssize_t m, moved = 0;
		bool eofs = up->eof + down->eof;
		bool up_done = up->eof && up->len == 0;

		/*
		 * A listener with nothing to say keeps quiet until its peer
		 * has finished: an early end would make a peer that stops at
		 * our end (sockcat itself) quit before sending.
		 */
		if (up_done && !shut && (!listen_mode || up->bytes > sent0)) {
			shutdown(sock, SHUT_WR);
			shut = true;
		}
		if (down->eof && down->len == 0) {
			if (up_done)
				return RELAY_EOF;
			/*
			 * Standard input that has said nothing (or is a
			 * terminal) has nothing in flight: done.  Input that
			 * is flowing goes to its end: the peer may only have
			 * half-closed, and if it closed for good it resets.
			 */
			if (!finishing && up->len == 0 && (isatty(up->from) ||
			    (up->bytes == sent0 && !readable_now(up->from))))
				return RELAY_EOF;
			finishing = true;
		}
		if (!up_done) {
			bool out = up->splice || up->sendfile ?
			    up->wait_out : up->len > 0;
			iu = (int)n;
			pfd[n].fd = out ? up->to : up->from;
			pfd[n++].events = out ? POLLOUT : POLLIN;
		}
		if (!(down->eof && down->len == 0)) {
			bool out = down->splice ? down->wait_out :
			    down->len > 0;
			id = (int)n;
			pfd[n].fd = out ? down->to : down->from;
			pfd[n++].events = out ? POLLOUT : POLLIN;
		}
		r = wait_events(pfd, n, deadline_poll_ms(&idle));
		if (got_signal)
			return RELAY_SIGNAL;
		if (r == 0 && deadline_expired(&idle))
			return RELAY_IDLE;
		if (r <= 0)
			continue;
		if (iu >= 0 && pfd[iu].revents) {
			bool in = pfd[iu].fd == up->from;
			m = pump_step(up, in, !in);
			if (m < 0)
				pump_failed(up, name);
			moved += m;
		}
		if (id >= 0 && pfd[id].revents) {
			bool in = pfd[id].fd == down->from;
			m = pump_step(down, in, !in);
			if (m < 0)
				pump_failed(down, name);
			moved += m;
		}
		if (moved > 0 || up->eof + down->eof != eofs)
			deadline_start(&idle, idle_arg ? &idle_ts : NULL);
	}
}

/*
 * Read once from RR's descriptor, as record_read() would, but without
 * looping, so a partial line never blocks the relay.  Return read(2)'s
 * result.
 */
static ssize_t
records_fill_once(struct record_reader *rr)
{
	ssize_t n;

	if (rr->start > 0 && rr->size - rr->end < CHUNK / 2) {
		memmove(rr->buf, rr->buf + rr->start, rr->end - rr->start);
		rr->end -= rr->start;
		rr->scanned -= rr->start;
		rr->start = 0;
	}
	do
		n = read(rr->fd, rr->buf + rr->end, rr->size - rr->end);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		rr->end += (size_t)n;
	else if (n == 0)
		rr->eof = true;
	return n;
}

/* Counters and the reply address of a record relay. */
struct records_state {
	struct record_reader rr;
	struct record_writer rw;
	char *rbuf;			/* receive buffer, RECORD_MAX + 1 */
	const char *pending;		/* a record read, not yet sent */
	size_t pending_len;
	bool have_pending;
	uint64_t sent, received;
	struct sockaddr_storage peer;	/* listener: whom to answer */
	socklen_t peer_len;
};

/* Send the pending record on SOCK; return 1 sent, 0 EAGAIN, fail else. */
static int
send_record(int sock, enum sock_kind kind, bool listener,
    struct records_state *st, const char *name)
{
	ssize_t n;

	if (kind == SOCK_KIND_UNIX_SEQPACKET && st->pending_len == 0)
		errx(EXIT_FAIL, "%s: record %llu is empty; a seqpacket peer "
		    "would read it as the end", name,
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
		errx(EXIT_FAIL, "%s: record %llu is %zu bytes, too large for "
		    "one datagram", name, (unsigned long long)st->sent + 1,
		    st->pending_len);
	if (n < 0)
		err(EXIT_FAIL, "%s", name);
	st->have_pending = false;
	st->sent++;
	return 1;
}

/* Receive every datagram ready on SOCK and write each as a record.
 * Return false at the end of a seqpacket connection. */
static bool
receive_records(int sock, enum sock_kind kind, bool listener,
    struct records_state *st, const char *name)
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
			err(EXIT_FAIL, "%s", name);
		if (n == 0 && kind == SOCK_KIND_UNIX_SEQPACKET) {
			if (record_flush(&st->rw) < 0)
				stdout_failed();
			return false;
		}
		if (n > RECORD_MAX)
			errx(EXIT_FAIL, "%s: a datagram of %zd bytes is longer "
			    "than %d", name, n, RECORD_MAX);
		/* Answer whoever spoke last, if it has an address. */
		if (listener && flen > sizeof(sa_family_t)) {
			memcpy(&st->peer, &from, flen);
			st->peer_len = flen;
		}
		st->received++;
		if (record_write(&st->rw, NULL, 0, st->rbuf, (size_t)n) < 0)
			stdout_failed();
	}
	if (record_flush(&st->rw) < 0)
		stdout_failed();
	return true;
}

/*
 * Relay records between standard input/output and SOCK, a datagram socket
 * (connected, or a LISTENER answering the peer it last heard from) or a
 * seqpacket connection.  Return at the end of a seqpacket connection, an
 * idle timeout or a signal.
 */
static enum relay_end
relay_records(int sock, enum sock_kind kind, bool listener,
    struct records_state *st, const char *name)
{
	struct deadline idle;
	bool shut = false, seq = kind == SOCK_KIND_UNIX_SEQPACKET;
	bool peer_done = false;
	uint64_t sent0 = st->sent;

	deadline_start(&idle, idle_arg ? &idle_ts : NULL);
	for (;;) {
		struct pollfd pfd[2];
		nfds_t n = 0;
		int r, is = -1;
		bool progress = false;

		/* Send what stdin has ready, as long as the socket takes it. */
		while (!listener || st->peer_len > 0) {
			if (!st->have_pending) {
				size_t len;
				if (st->rr.end - st->rr.start > RECORD_MAX &&
				    !record_ready(&st->rr))
					errx(EXIT_FAIL, "%s: record %llu is "
					    "longer than %d bytes", name,
					    (unsigned long long)st->sent + 1,
					    RECORD_MAX);
				if (!record_ready(&st->rr))
					break;
				r = record_read(&st->rr, &st->pending, &len);
				if (r < 0)
					err(EXIT_FAIL, "standard input");
				if (r == 0)
					break;
				st->pending_len = len;
				st->have_pending = true;
			}
			if (send_record(sock, kind, listener, st, name) == 0)
				break;
			progress = true;
		}
		if (seq && st->rr.eof && !st->have_pending &&
		    st->rr.start == st->rr.end) {
			/* As relay_stream: an empty listener waits. */
			if (peer_done)
				return RELAY_EOF;
			if (!shut && (!listen_mode || st->sent > sent0))
				shutdown(sock, SHUT_WR);
			shut = true;
		}
		pfd[n].fd = sock;
		pfd[n++].events = (peer_done ? 0 : POLLIN) |
		    (st->have_pending ? POLLOUT : 0);
		if (!st->rr.eof && !st->have_pending &&
		    (!listener || st->peer_len > 0)) {
			is = (int)n;
			pfd[n].fd = st->rr.fd;
			pfd[n++].events = POLLIN;
		}
		if (progress)
			deadline_start(&idle, idle_arg ? &idle_ts : NULL);
		r = wait_events(pfd, n, deadline_poll_ms(&idle));
		if (got_signal)
			return RELAY_SIGNAL;
		if (r == 0 && deadline_expired(&idle))
			return RELAY_IDLE;
		if (r <= 0)
			continue;
		if (!peer_done &&
		    (pfd[0].revents & (POLLIN | POLLERR | POLLHUP))) {
			progress = true;
			if (!receive_records(sock, kind, listener, st, name)) {
				/* The peer ended: finish only what stdin has
				 * ready, as relay_stream does. */
				peer_done = true;
				if (!st->have_pending && !record_ready(&st->rr) &&
				    (isatty(st->rr.fd) || (st->sent == sent0 &&
				    !readable_now(st->rr.fd))))
					return RELAY_EOF;
			}
		}
		if (is >= 0 && pfd[is].revents) {
			if (records_fill_once(&st->rr) < 0)
				err(EXIT_FAIL, "standard input");
			progress = true;
		}
		if (progress)
			deadline_start(&idle, idle_arg ? &idle_ts : NULL);
	}
}

/* -v: report an address that failed before the next is tried. */
static void
warn_attempt(const char *addr, int e, void *arg)
{
	(void)arg;
	if (verbose)
		warnx("%s: %s", addr, strerror(e));
}

/* The connection options of the command line, for lib/sockconn. */
static struct sock_conn_opts
conn_opts(void)
{
	struct sock_conn_opts o = {
		.family = only4 ? AF_INET : only6 ? AF_INET6 : AF_UNSPEC,
		.source = source_arg,
		.nodelay = nodelay,
		.reuseport = reuseport,
		.timeout = connect_timeout_arg ? &connect_ts : NULL,
		.unix_mode = sock_mode,
		.on_fail = warn_attempt,
	};
	return o;
}

/* Fail for a name that did not resolve (getaddrinfo error GAI). */
static void __attribute__((noreturn))
resolve_failed(int gai)
{
	if (gai == EAI_SYSTEM)
		err(EXIT_FAIL, "%s", addr_text);
	errx(EXIT_FAIL, "%s: %s", addr_text, gai_strerror(gai));
}

/* Connect to SA at PORT: the socket, or -1 with errno; exits when the
 * name does not resolve.  QUIET mutes the per-address -v reports. */
static int
connect_to(const struct sock_address *sa, unsigned port, bool quiet)
{
	struct sock_conn_opts o = conn_opts();
	int gai, fd;

	if (quiet)
		o.on_fail = NULL;
	fd = sock_connect(sa, port, &o, &gai);
	if (fd < 0 && gai)
		resolve_failed(gai);
	return fd;
}

/* Bind (and for stream kinds listen on) SA; exit 1 on failure. */
static int
listen_on(const struct sock_address *sa)
{
	struct sock_conn_opts o = conn_opts();
	char name[SOCK_ADDRSTR_MAX];
	const char *why;
	int gai, fd = sock_listen(sa, &o, &owned.path, &gai, &why);

	if (fd < 0 && why)
		errx(EXIT_FAIL, "%s: %s", addr_text, why);
	if (fd < 0 && gai)
		resolve_failed(gai);
	if (fd < 0)
		err(EXIT_FAIL, "%s", addr_text);
	if (verbose && owned.path.replaced_stale)
		warnx("%s: replaced a stale socket", addr_text);
	if (verbose)
		warnx("listening on %s", fd_address(fd, false, sa->kind, name,
		    sizeof name));
	return fd;
}

/* Print the -v summary of a connection. */
static void
report_counts(const char *name, uint64_t sent, uint64_t received,
    const char *unit)
{
	if (verbose)
		warnx("%s: closed; sent %llu %s, received %llu %s", name,
		    (unsigned long long)sent, unit,
		    (unsigned long long)received, unit);
}

/* Exit 124 with a message for an idle timeout that ends the tool. */
static void __attribute__((noreturn))
idle_exit(const char *name)
{
	warnx("%s: idle for %s; closing", name, idle_arg);
	exit(EXIT_TIMEOUT);
}

/* Relay one stream or seqpacket connection; return its end. */
static enum relay_end
serve_connection(int sock, const struct sock_address *sa, const char *name,
    struct pump *up, struct records_state *rs)
{
	enum relay_end end;

	if (sa->kind == SOCK_KIND_UNIX_SEQPACKET) {
		uint64_t s0 = rs->sent, r0 = rs->received;
		end = relay_records(sock, sa->kind, false, rs, name);
		report_counts(name, rs->sent - s0, rs->received - r0,
		    "records");
	} else {
		struct pump down;
		uint64_t s0 = up->bytes;
		pump_init(&down, sock, STDOUT_FILENO, true);
		end = relay_stream(sock, name, up, &down);
		free(down.buf);
		report_counts(name, up->bytes - s0, down.bytes, "bytes");
	}
	return end;
}

/* Accept on LFD, running a child per connection (-e) up to -m at once;
 * with -k for ever, else once (exit with the child's status). */
static void __attribute__((noreturn))
accept_exec_loop(int lfd, const struct sock_address *sa)
{
	char name[SOCK_ADDRSTR_MAX];

	owned.kids = calloc(max_conns, sizeof *owned.kids);
	if (!owned.kids)
		err(EXIT_FAIL, "calloc");
	for (;;) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		int conn;
		pid_t pid;

		if (got_child) {
			got_child = 0;
			reap_children();
		}
		if (got_signal)
			die_by_signal(got_signal);
		/* At the cap, leave further clients in the backlog. */
		if (owned.nkids >= max_conns) {
			wait_events(NULL, 0, -1);
			continue;
		}
		if (wait_events(&pfd, 1, -1) <= 0)
			continue;
		conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				warn("%s: accept", addr_text);
				continue;
			}
			err(EXIT_FAIL, "%s: accept", addr_text);
		}
		if (verbose)
			warnx("connection from %s", fd_address(conn, true,
			    sa->kind, name, sizeof name));
		pid = fork();
		if (pid < 0) {
			warn("fork");
			close(conn);
			continue;
		}
		if (pid == 0)
			exec_child(conn);
		close(conn);
		owned.kids[owned.nkids++] = pid;
		if (!keep_open) {
			int status;
			close(lfd);
			remove_owned_path();
			/* Wait in ppoll, so that TERM still ends the child. */
			for (;;) {
				if (got_signal)
					die_by_signal(got_signal);
				if (waitpid(pid, &status, WNOHANG) == pid)
					break;
				got_child = 0;
				wait_events(NULL, 0, -1);
			}
			owned.nkids = 0;
			exit(child_status(status));
		}
	}
}

/* Listen on SA and serve connections or datagrams; never returns. */
static void __attribute__((noreturn))
run_listener(const struct sock_address *sa)
{
	int lfd;
	char name[SOCK_ADDRSTR_MAX];
	struct pump up;
	struct records_state rs;
	bool any = false;

	arm_signals();
	lfd = listen_on(sa);
	if (exec_argv)
		accept_exec_loop(lfd, sa);
	memset(&rs, 0, sizeof rs);
	if (sock_kind_is_records(sa->kind) &&
	    (record_reader_init(&rs.rr, STDIN_FILENO, null_delim ? 0 : '\n',
	    RECORD_MAX) < 0 || record_writer_init(&rs.rw, STDOUT_FILENO,
	    null_delim ? 0 : '\n', CHUNK) < 0 ||
	    !(rs.rbuf = malloc(RECORD_MAX + 1))))
		err(EXIT_FAIL, "malloc");
	if (sa->socktype == SOCK_DGRAM) {
		enum relay_end end = relay_records(lfd, sa->kind, true, &rs,
		    addr_text);
		if (end == RELAY_SIGNAL)
			die_by_signal(got_signal);
		report_counts(addr_text, rs.sent, rs.received, "records");
		/* An idle listener: 0 if anything came, as mqrecv -t. */
		if (rs.received == 0)
			idle_exit(addr_text);
		exit(EXIT_OK);
	}
	pump_init(&up, STDIN_FILENO, -1, false);
	for (;;) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		enum relay_end end;
		int conn;

		if (got_signal)
			die_by_signal(got_signal);
		if (wait_events(&pfd, 1, -1) <= 0)
			continue;
		conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (conn < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == ECONNABORTED)
				continue;
			err(EXIT_FAIL, "%s: accept", addr_text);
		}
		if (!keep_open) {
			close(lfd);
			lfd = -1;
		}
		if (nodelay && sa->kind == SOCK_KIND_TCP)
			setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
			    sizeof(int));
		if (sock_kind_is_unix(sa->kind))
			snprintf(name, sizeof name, "%s", addr_text);
		else
			fd_address(conn, true, sa->kind, name, sizeof name);
		if (verbose)
			warnx("connection from %s", name);
		up.to = conn;
		end = serve_connection(conn, sa, name, &up, &rs);
		close(conn);
		any = true;
		if (end == RELAY_SIGNAL)
			die_by_signal(got_signal);
		if (end == RELAY_IDLE) {
			if (!keep_open)
				idle_exit(name);
			if (verbose)
				warnx("%s: idle for %s; closed", name,
				    idle_arg);
		}
		if (!keep_open)
			break;
	}
	(void)any;
	exit(EXIT_OK);
}

/* Connect to SA and relay (or run -e on the socket); never returns. */
static void __attribute__((noreturn))
run_client(const struct sock_address *sa)
{
	int fd = connect_to(sa, sa->port_lo, false);
	char name[SOCK_ADDRSTR_MAX];
	enum relay_end end;
	struct pump up;
	struct records_state rs;

	if (fd < 0) {
		if (errno == ETIMEDOUT && connect_timeout_arg) {
			warnx("%s: connection timed out after %s", addr_text,
			    connect_timeout_arg);
			exit(EXIT_TIMEOUT);
		}
		err(EXIT_FAIL, "%s", addr_text);
	}
	if (sock_kind_is_unix(sa->kind))
		snprintf(name, sizeof name, "%s", addr_text);
	else
		fd_address(fd, true, sa->kind, name, sizeof name);
	if (verbose)
		warnx("connected to %s", name);
	if (exec_argv) {
		int flags = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
		fcntl(fd, F_SETFD, 0);
		exec_child(fd);
	}
	if (sock_kind_is_records(sa->kind)) {
		memset(&rs, 0, sizeof rs);
		if (record_reader_init(&rs.rr, STDIN_FILENO,
		    null_delim ? 0 : '\n', RECORD_MAX) < 0 ||
		    record_writer_init(&rs.rw, STDOUT_FILENO,
		    null_delim ? 0 : '\n', CHUNK) < 0 ||
		    !(rs.rbuf = malloc(RECORD_MAX + 1)))
			err(EXIT_FAIL, "malloc");
		end = relay_records(fd, sa->kind, false, &rs, name);
		report_counts(name, rs.sent, rs.received, "records");
		/* Datagrams have no end: an idle timeout after replies is
		 * the normal finish, as mqrecv -t. */
		if (end == RELAY_IDLE && (sa->kind == SOCK_KIND_UNIX_SEQPACKET ||
		    rs.received == 0))
			idle_exit(name);
		exit(EXIT_OK);
	}
	pump_init(&up, STDIN_FILENO, fd, false);
	{
		struct pump down;
		pump_init(&down, fd, STDOUT_FILENO, true);
		end = relay_stream(fd, name, &up, &down);
		report_counts(name, up.bytes, down.bytes, "bytes");
	}
	if (end == RELAY_IDLE)
		idle_exit(name);
	exit(EXIT_OK);
}

/* -z: see whether SA accepts connections; print the open ports of a
 * range.  Exit 0 if any port is open, else 1. */
static void __attribute__((noreturn))
run_probe(const struct sock_address *sa)
{
	bool range = sa->port_lo != sa->port_hi, any = false;

	for (unsigned port = sa->port_lo; port <= sa->port_hi; port++) {
		int fd = connect_to(sa, port, true);
		if (fd >= 0) {
			close(fd);
			any = true;
			if (range) {
				printf("%u\n", port);
				fflush(stdout);
			}
			if (verbose)
				warnx("%s: port %u open", addr_text, port);
		} else if (verbose || !range) {
			if (range)
				warn("%s: port %u", addr_text, port);
			else
				warn("%s", addr_text);
		}
	}
	exit(any ? EXIT_OK : EXIT_FAIL);
}

int
main(int argc, char **argv)
{
	struct sock_address sa;
	const char *why;
	struct poptOption options[] = {
		{ "listen", 'l', POPT_ARG_NONE, &listen_mode, 0,
		  "listen on ADDRESS instead of connecting", NULL },
		{ "keep-open", 'k', POPT_ARG_NONE, &keep_open, 0,
		  "go on accepting connections after the first", NULL },
		{ "exec", 'e', POPT_ARG_STRING, &exec_arg, 0,
		  "run COMMAND (split at blanks, no shell) per connection",
		  "COMMAND" },
		{ "sh-exec", '\0', POPT_ARG_STRING, &sh_exec_arg, 0,
		  "run STRING with /bin/sh -c per connection", "STRING" },
		{ "max-conns", 'm', POPT_ARG_STRING, &max_conns_arg, 0,
		  "serve at most N connections at once with -e (100)", "N" },
		{ "idle-timeout", 'w', POPT_ARG_STRING, &idle_arg, 0,
		  "close a connection idle for DURATION", "DURATION" },
		{ "connect-timeout", '\0', POPT_ARG_STRING,
		  &connect_timeout_arg, 0,
		  "give up connecting after DURATION", "DURATION" },
		{ "probe", 'z', POPT_ARG_NONE, &probe_mode, 0,
		  "only probe whether ADDRESS accepts connections", NULL },
		{ "source", 's', POPT_ARG_STRING, &source_arg, 0,
		  "connect from local address HOST[:PORT]", "HOST" },
		{ NULL, '4', POPT_ARG_NONE, &only4, 0, "use IPv4 only", NULL },
		{ NULL, '6', POPT_ARG_NONE, &only6, 0, "use IPv6 only", NULL },
		{ "nodelay", '\0', POPT_ARG_NONE, &nodelay, 0,
		  "set TCP_NODELAY", NULL },
		{ "null", '0', POPT_ARG_NONE, &null_delim, 0,
		  "records end in NUL, not newline", NULL },
		{ "reuseport", '\0', POPT_ARG_NONE, &reuseport, 0,
		  "set SO_REUSEPORT on the listener", NULL },
		{ "mode", '\0', POPT_ARG_STRING, &mode_arg, 0,
		  "permissions of a UNIX socket file (0600)", "MODE" },
		{ "verbose", 'v', POPT_ARG_NONE, &verbose, 0,
		  "report connections and byte counts on stderr", NULL },
		CMDLINE_COMMON_OPTIONS
		POPT_AUTOHELP
		POPT_TABLEEND
	};

	atexit(close_stdout);
	reserve_std_fds();
	ctx = cmdline_parse_or_err(argc, (const char **)argv, options,
	    "[OPTION]... ADDRESS");
	addr_text = poptGetArg(ctx);
	if (!addr_text)
		usage_error("missing ADDRESS");
	if (poptPeekArg(ctx))
		usage_error("extra operand '%s'", poptPeekArg(ctx));
	if (sock_address_parse(addr_text, &sa, &why) < 0)
		usage_error("%s: %s", addr_text, why);

	if (idle_arg)
		idle_ts = duration_or_err("-w", idle_arg);
	if (connect_timeout_arg)
		connect_ts = duration_or_err("--connect-timeout",
		    connect_timeout_arg);
	if (max_conns_arg)
		max_conns = number_or_err("-m", max_conns_arg, 1, 100000);
	if (mode_arg)
		sock_mode = mode_or_err("--mode", mode_arg) & 0777;
	if (only4 && only6)
		usage_error("-4 and -6 exclude each other");
	if ((only4 && sa.family == AF_INET6) || (only6 && sa.family == AF_INET))
		usage_error("%s: conflicts with -%c", addr_text,
		    only4 ? '4' : '6');
	if (listen_mode && probe_mode)
		usage_error("-l and -z exclude each other");
	if (exec_arg && sh_exec_arg)
		usage_error("-e and --sh-exec exclude each other");
	if ((exec_arg || sh_exec_arg) && sa.socktype == SOCK_DGRAM)
		usage_error("-e and --sh-exec need a stream or seqpacket "
		    "address, not %s", sock_kind_name(sa.kind));
	if ((exec_arg || sh_exec_arg) && probe_mode)
		usage_error("-z does not run a COMMAND");
	if (keep_open && !listen_mode)
		usage_error("-k needs -l");
	if (max_conns_arg && !(exec_arg || sh_exec_arg))
		usage_error("-m needs -e or --sh-exec");
	if (source_arg && (listen_mode || sock_kind_is_unix(sa.kind)))
		usage_error("-s is for connecting over tcp or udp");
	if (probe_mode && sa.socktype == SOCK_DGRAM)
		usage_error("-z probes stream and seqpacket addresses only");
	if (sa.port_lo != sa.port_hi && !probe_mode)
		usage_error("%s: a port range is for -z only", addr_text);
	if (!sock_kind_is_unix(sa.kind) && !listen_mode && sa.port_lo == 0)
		usage_error("%s: cannot connect to port 0", addr_text);
	if (exec_arg)
		exec_argv = split_command(exec_arg);
	if (sh_exec_arg) {
		static char *sh_argv[4] = { "/bin/sh", "-c", NULL, NULL };
		sh_argv[2] = sh_exec_arg;
		exec_argv = sh_argv;
	}
	atexit(cleanup);
	/* EPIPE from writes, not death: stdout's EPIPE re-raises it. */
	signal(SIGPIPE, SIG_IGN);

	if (probe_mode)
		run_probe(&sa);
	if (listen_mode)
		run_listener(&sa);
	run_client(&sa);
}
