/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of tools/sockcat/children: COMMAND splitting, the cap, reaping,
 * TERM-then-KILL at the end, a COMMAND run on a socket, the graceful
 * close of a connection whose COMMAND exits with input unread, the
 * inherited ignored signals a COMMAND keeps, and one relayed through a
 * socket pair with an idle timeout.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "fullio.h"
#include "process.h"
#include "sigloop.h"
#include "tap.h"

/* Reap C's children until none runs; the status of the last. */
static int
reap_all(struct children *c)
{
	int status = -1;
	struct timespec tick = { 0, 1000000 };

	while (children_running(c) > 0)
		if (children_reap(c, &status) <= 0)
			nanosleep(&tick, NULL);
	return status;
}

/* The cap, and the end of children that ignore TERM. */
static void
test_cap_and_end(void)
{
	struct timespec grace = { 0, 200000000 }, linger = { 1, 0 };
	struct children c;
	int status;

	if (children_init(&c, 2, &linger) < 0)
		exit(99);
	for (int i = 0; i < 2; i++) {
		if (children_fork(&c, -1) == 0) {
			signal(SIGTERM, SIG_IGN);
			pause();
			_exit(0);
		}
	}
	TAP_OK(c.n == 2 && children_full(&c), "two children fill a cap of 2");
	errno = 0;
	TAP_OK(children_fork(&c, -1) < 0 && errno == EAGAIN, "a third: EAGAIN");
	TAP_OK(children_reap(&c, &status) == 0, "nothing to reap yet");
	children_end(&c, &grace);
	TAP_OK(c.n == 0 && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
	    "children_end killed and reaped both");
	children_free(&c);
}

/*
 * A COMMAND that exits with the peer's request unread: the peer gets
 * the answer and then the end, never a reset, because the set holds the
 * connection, shuts it down and drains it; the slot is freed once the
 * peer closes.  A peer that never closes is cut off at the bound.
 */
static void
test_graceful_close(char **echo)
{
	struct timespec linger = { 0, 300000000 };
	struct children c;
	char buf[64];
	int sv[2];
	ssize_t n;

	if (children_init(&c, 4, &linger) < 0)
		exit(99);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	full_write(sv[1], "request line\nmore of the request\n", 33);
	if (children_fork(&c, sv[0]) == 0)
		children_exec(sv[0], echo);
	reap_all(&c);
	TAP_OK(c.n == 1 && children_running(&c) == 0,
	    "the exited child's connection lingers in its slot");
	n = read(sv[1], buf, sizeof buf);
	TAP_OK(n == 7 && memcmp(buf, "answer\n", 7) == 0, "the answer came");
	errno = 0;
	n = read(sv[1], buf, sizeof buf);
	TAP_OK(n == 0, "then the end, not a reset (%s)",
	    n < 0 ? strerror(errno) : "end");
	close(sv[1]);
	while (c.n > 0 && children_poll(&c, NULL, 0, NULL) >= 0)
		;
	TAP_OK(c.n == 0, "the peer closed: the slot is free");

	/* A peer that never closes: closed at the bound. */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	if (children_fork(&c, sv[0]) == 0)
		children_exec(sv[0], echo);
	reap_all(&c);
	while (c.n > 0 && children_poll(&c, NULL, 0, NULL) >= 0)
		;
	n = read(sv[1], buf, sizeof buf);
	n = read(sv[1], buf, sizeof buf);
	TAP_OK(c.n == 0 && n == 0, "a peer that stays: closed after the bound");
	close(sv[1]);
	children_free(&c);
}

/* A COMMAND keeps the signals ignored when the server started: SIGHUP
 * (nohup), SIGINT (a script's & job). */
static void
test_inherited_ignore(void)
{
	char *argv[] = { "sh", "-c", "kill -HUP $$; kill -INT $$; echo alive",
	    NULL };
	struct timespec linger = { 0, 0 };
	struct children c;
	char buf[16];
	int sv[2], status;
	ssize_t n;

	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	sigloop_init();
	sigloop_arm();
	if (children_init(&c, 1, &linger) < 0)
		exit(99);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if (children_fork(&c, -1) == 0)
		children_exec(sv[1], argv);
	close(sv[1]);
	n = read(sv[0], buf, sizeof buf);
	status = reap_all(&c);
	TAP_OK(n == 6 && memcmp(buf, "alive\n", 6) == 0 &&
	    command_status(status) == 0,
	    "a COMMAND keeps an inherited SIG_IGN of HUP and INT");
	close(sv[0]);
	children_free(&c);
}

int
main(void)
{
	char cmd[] = "  cat\t-u  \n", blank[] = " \t ";
	char *answer[] = { "sh", "-c", "echo answer", NULL };
	struct timespec grace = { 0, 200000000 }, idle = { 0, 200000000 };
	struct timespec linger = { 1, 0 };
	struct relay_opts o = { .eof_shut_fd = -1 };
	struct children c;
	char **argv, buf[64];
	int sv[2], status;
	ssize_t n;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	argv = children_split_command(cmd);
	TAP_OK(argv && strcmp(argv[0], "cat") == 0 &&
	    strcmp(argv[1], "-u") == 0 && argv[2] == NULL,
	    "split at blanks: cat -u");
	errno = 0;
	TAP_OK(!children_split_command(blank) && errno == EINVAL,
	    "no words: EINVAL");
	test_cap_and_end();
	test_graceful_close(answer);

	/* A COMMAND on a socket: cat echoes, then exits at the end. */
	if (children_init(&c, 2, &linger) < 0)
		return 99;
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if ((pid = children_fork(&c, -1)) == 0)
		children_exec(sv[1], argv);
	close(sv[1]);
	full_write(sv[0], "ping\n", 5);
	shutdown(sv[0], SHUT_WR);
	n = read(sv[0], buf, sizeof buf);
	TAP_OK(n == 5 && memcmp(buf, "ping\n", 5) == 0, "cat echoed");
	TAP_OK(command_status(reap_all(&c)) == 0 && c.n == 0,
	    "cat exited 0 and was reaped");
	close(sv[0]);

	/* Not found: 127. */
	{
		char *nope[] = { "/nonexistent/ipcu-children-test", NULL };
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		if ((pid = children_fork(&c, -1)) == 0)
			children_exec(sv[1], nope);
		TAP_OK(command_status(reap_all(&c)) == 127,
		    "a missing COMMAND: 127");
		close(sv[0]);
		close(sv[1]);
	}

	/* Relayed: the answer after the peer's end arrives, status kept. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	full_write(sv[1], "hello\n", 6);
	shutdown(sv[1], SHUT_WR);
	TAP_OK(children_exec_relayed(&c, sv[0], SOCK_STREAM, argv, &o,
	    &grace, &status) == RELAY_EOF && command_status(status) == 0,
	    "relayed cat ends at EOF with status 0");
	n = read(sv[1], buf, sizeof buf);
	TAP_OK(n == 6 && memcmp(buf, "hello\n", 6) == 0, "relayed cat echoed");
	TAP_OK(c.n == 0, "the relayed child was reaped");
	close(sv[0]);
	close(sv[1]);

	/* Relayed and idle: ended, the connection left to the caller. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	o.idle = &idle;
	TAP_OK(children_exec_relayed(&c, sv[0], SOCK_STREAM, argv, &o,
	    &grace, &status) == RELAY_IDLE, "an idle relayed cat: RELAY_IDLE");
	TAP_OK(c.n == 0 && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
	    "the idle child was ended and reaped");
	close(sv[0]);
	close(sv[1]);
	free(argv);
	children_free(&c);
	test_inherited_ignore();
	return tap_done();
}
