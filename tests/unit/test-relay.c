/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of tools/sockcat/relay: bytes unchanged through each path (sendfile
 * and buffer with files, splice with pipes), the EOF rules (input goes to
 * its end after the peer's; a peer gone for good refuses it, also over
 * TCP where the error comes back after the send; eof_shut_fd hands the
 * peer's end on and waits for the answer), and the idle timeout.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fullio.h"
#include "relay.h"
#include "tap.h"

/* Byte I of the test pattern (not a multiple of any buffer size). */
static unsigned char
pattern(size_t i)
{
	return (unsigned char)((i * 7 + i / 251) & 0xff);
}

/* In a child: echo everything read on FD back, then close; exit 0. */
static pid_t
echo_peer(int fd, int other)
{
	pid_t pid = fork();
	char buf[65536];
	ssize_t n;

	if (pid != 0)
		return pid;
	close(other);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (full_write(fd, buf, (size_t)n) != (size_t)n)
			_exit(1);
	_exit(n < 0);
}

/* Wait for PID; its exit status, or -1. */
static int
reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Whether the file FD (read from offset 0) holds LEN pattern bytes. */
static int
holds_pattern(int fd, size_t len)
{
	unsigned char buf[65536];
	size_t at = 0;
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (size_t i = 0; i < (size_t)n; i++)
			if (at + i >= len || buf[i] != pattern(at + i))
				return 0;
		at += (size_t)n;
	}
	return n == 0 && at == len;
}

/* A connected TCP pair on loopback: *A ours (non-blocking), *B the
 * peer's. */
static void
tcp_pair(int *a, int *b)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sin;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (void *)&sin, sizeof sin) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (void *)&sin, &len) < 0)
		exit(99);
	*a = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(*a, (void *)&sin, sizeof sin) < 0 ||
	    (*b = accept(l, NULL, NULL)) < 0)
		exit(99);
	close(l);
	fcntl(*a, F_SETFL, O_NONBLOCK);
}

/*
 * Over TCP the relay reports success only once the peer's stack has
 * acknowledged everything: a peer that closed for good before our last
 * line makes the relay fail (the reset), one that only half-closed gets
 * it all and the relay ends at EOF.
 */
static void
tcp_tests(int out)
{
	struct relay_opts o = { .eof_shut_fd = -1 };
	struct pump up, down, *bad;
	enum relay_end end;
	int a, b, ip[2];
	char buf[64];

	tcp_pair(&a, &b);
	close(b);
	if (pipe(ip) < 0 || full_write(ip[1], "line2\n", 6) != 6)
		exit(99);
	close(ip[1]);
	pump_init(&up, ip[0], a, false);
	pump_init(&down, a, out, true);
	end = relay_stream(a, &up, &down, &o, &bad);
	TAP_OK(end == RELAY_ERROR && bad == &up && (errno == EPIPE ||
	    errno == ECONNRESET), "TCP: a line sent after the peer closed "
	    "for good is an error (%s)", strerror(errno));
	close(a);
	close(ip[0]);
	pump_free(&up);
	pump_free(&down);

	tcp_pair(&a, &b);
	shutdown(b, SHUT_WR);
	if (pipe(ip) < 0 || full_write(ip[1], "line2\n", 6) != 6)
		exit(99);
	close(ip[1]);
	pump_init(&up, ip[0], a, false);
	pump_init(&down, a, out, true);
	end = relay_stream(a, &up, &down, &o, &bad);
	TAP_OK(end == RELAY_EOF && read(b, buf, sizeof buf) == 6 &&
	    read(b, buf, sizeof buf) == 0, "TCP: a peer that half-closed "
	    "gets the line, then the end");
	close(a);
	close(b);
	close(ip[0]);
	pump_free(&up);
	pump_free(&down);
}

int
main(void)
{
	char in_name[] = "/tmp/test-relay-in-XXXXXX";
	char out_name[] = "/tmp/test-relay-out-XXXXXX";
	const size_t len = 3 * 1024 * 1024 + 12345;
	struct relay_opts o = { .eof_shut_fd = -1 };
	struct timespec short_idle = { 0, 100000000 };
	struct pump up, down, *bad;
	unsigned char *data = malloc(len);
	int in, out, sv[2], ip[2], op[2], cp[2];
	enum relay_end end;
	pid_t peer, kid;
	char buf[64];
	ssize_t n;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!data)
		return 99;
	for (size_t i = 0; i < len; i++)
		data[i] = pattern(i);

	/* Files: sendfile into the socket, the buffer out of it. */
	in = mkstemp(in_name);
	out = mkstemp(out_name);
	unlink(in_name);
	unlink(out_name);
	if (in < 0 || out < 0 || full_write(in, data, len) != len)
		return 99;
	lseek(in, 0, SEEK_SET);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	peer = echo_peer(sv[1], sv[0]);
	close(sv[1]);
	pump_init(&up, in, sv[0], false);
	pump_init(&down, sv[0], out, true);
	TAP_OK(up.sendfile && !down.splice, "a file is sent with sendfile");
	end = relay_stream(sv[0], &up, &down, &o, &bad);
	TAP_OK(end == RELAY_EOF, "file relay ends at EOF");
	TAP_OK(up.bytes == len && down.bytes == len, "file relay counts %zu "
	    "bytes each way", len);
	TAP_OK(holds_pattern(out, len), "file relay: bytes unchanged");
	TAP_OK(reap(peer) == 0, "echo peer saw the end (shutdown)");
	close(sv[0]);
	pump_free(&up);
	pump_free(&down);

	/* Pipes: splice both ways, with a writer and a reader child. */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	peer = echo_peer(sv[1], sv[0]);
	close(sv[1]);
	if (pipe(ip) < 0 || pipe(op) < 0)
		return 99;
	if ((kid = fork()) == 0) {
		close(sv[0]);
		close(ip[0]);
		close(op[1]);
		if (full_write(ip[1], data, len) != len)
			_exit(1);
		close(ip[1]);
		if (ftruncate(out, 0) < 0)
			_exit(1);
		lseek(out, 0, SEEK_SET);
		while ((n = read(op[0], data, len)) > 0)
			if (full_write(out, data, (size_t)n) != (size_t)n)
				_exit(1);
		_exit(holds_pattern(out, len) ? 0 : 2);
	}
	close(ip[1]);
	close(op[0]);
	pump_init(&up, ip[0], sv[0], false);
	pump_init(&down, sv[0], op[1], true);
	TAP_OK(up.splice && down.splice, "pipes are spliced");
	end = relay_stream(sv[0], &up, &down, &o, &bad);
	close(op[1]);
	TAP_OK(end == RELAY_EOF && up.bytes == len && down.bytes == len,
	    "pipe relay moves %zu bytes each way", len);
	TAP_OK(reap(kid) == 0, "pipe relay: bytes unchanged");
	reap(peer);
	close(sv[0]);
	close(ip[0]);
	pump_free(&up);
	pump_free(&down);

	/*
	 * The peer ends while input is open: input still goes to its end,
	 * whatever the timing (the peer may only have half-closed).  Here it
	 * did half-close: it gets everything, then our end.
	 */
	if (pipe(ip) < 0)
		return 99;
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	shutdown(sv[1], SHUT_WR);
	if ((kid = fork()) == 0) {
		struct timespec later = { 0, 200000000 };
		nanosleep(&later, NULL);
		_exit(full_write(ip[1], "late\n", 5) != 5);
	}
	close(ip[1]);
	pump_init(&up, ip[0], sv[0], false);
	pump_init(&down, sv[0], out, true);
	end = relay_stream(sv[0], &up, &down, &o, &bad);
	n = recv(sv[1], buf, sizeof buf, 0);
	TAP_OK(end == RELAY_EOF && n == 5 && memcmp(buf, "late\n", 5) == 0 &&
	    recv(sv[1], buf, sizeof buf, 0) == 0,
	    "after the peer's end, input that comes later is sent, then the "
	    "end");
	reap(kid);
	close(sv[0]);
	close(sv[1]);
	close(ip[0]);
	pump_free(&up);
	pump_free(&down);

	/* A peer gone for good refuses that input: an error, not success. */
	if (pipe(ip) < 0)
		return 99;
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	close(sv[1]);
	full_write(ip[1], "refused\n", 8);
	close(ip[1]);
	pump_init(&up, ip[0], sv[0], false);
	pump_init(&down, sv[0], out, true);
	end = relay_stream(sv[0], &up, &down, &o, &bad);
	TAP_OK(end == RELAY_ERROR && bad == &up && errno == EPIPE,
	    "a closed peer refuses later input: EPIPE");
	close(sv[0]);
	close(ip[0]);
	pump_free(&up);
	pump_free(&down);
	tcp_tests(out);

	if (pipe(ip) < 0)
		return 99;
	/* Idle: neither side moves. */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	o.idle = &short_idle;
	pump_init(&up, ip[0], sv[0], false);
	pump_init(&down, sv[0], out, true);
	end = relay_stream(sv[0], &up, &down, &o, &bad);
	TAP_OK(end == RELAY_IDLE, "a silent connection ends idle");
	o.idle = NULL;
	pump_free(&up);
	pump_free(&down);
	close(sv[0]);
	close(sv[1]);
	close(ip[0]);
	close(ip[1]);

	/*
	 * eof_shut_fd: the peer says "hello" and ends; the COMMAND side (a
	 * child on a socket pair) sees its input end and only then answers.
	 */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, cp);
	if ((kid = fork()) == 0) {
		size_t got = 0;
		int fl = fcntl(cp[1], F_GETFL);
		fcntl(cp[1], F_SETFL, fl & ~O_NONBLOCK);
		while ((n = read(cp[1], buf, sizeof buf)) > 0)
			got += (size_t)n;
		n = snprintf(buf, sizeof buf, "got %zu", got);
		_exit(full_write(cp[1], buf, (size_t)n) != (size_t)n);
	}
	close(cp[1]);
	full_write(sv[1], "hello", 5);
	shutdown(sv[1], SHUT_WR);
	pump_init(&up, cp[0], sv[0], false);
	pump_init(&down, sv[0], cp[0], true);
	o.eof_shut_fd = cp[0];
	end = relay_stream(sv[0], &up, &down, &o, &bad);
	TAP_OK(end == RELAY_EOF, "eof_shut_fd relay ends at EOF");
	n = read(sv[1], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	TAP_OK(strcmp(buf, "got 5") == 0, "the answer after the end "
	    "arrives: '%s'", buf);
	TAP_OK(reap(kid) == 0, "the COMMAND side ended");
	pump_free(&up);
	pump_free(&down);
	free(data);
	return tap_done();
}
