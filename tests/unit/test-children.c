/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of lib/children: COMMAND splitting, the cap, reaping,
 * TERM-then-KILL at the end, a COMMAND run on a socket, and one relayed
 * through a socket pair with an idle timeout.
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
#include "tap.h"

int
main(void)
{
	char cmd[] = "  cat\t-u  \n", blank[] = " \t ";
	struct timespec grace = { 0, 200000000 }, idle = { 0, 200000000 };
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

	/* The cap, and the end of children that ignore TERM. */
	if (children_init(&c, 2) < 0)
		return 99;
	for (int i = 0; i < 2; i++) {
		if ((pid = children_fork(&c)) == 0) {
			signal(SIGTERM, SIG_IGN);
			pause();
			_exit(0);
		}
	}
	TAP_OK(c.n == 2 && children_full(&c), "two children fill a cap of 2");
	errno = 0;
	TAP_OK(children_fork(&c) < 0 && errno == EAGAIN, "a third: EAGAIN");
	TAP_OK(children_reap(&c, &status) == 0, "nothing to reap yet");
	children_end(&c, &grace);
	TAP_OK(c.n == 0 && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
	    "children_end killed and reaped both");

	/* A COMMAND on a socket: cat echoes, then exits at the end. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if ((pid = children_fork(&c)) == 0)
		children_exec(sv[1], argv, NULL);
	close(sv[1]);
	full_write(sv[0], "ping\n", 5);
	shutdown(sv[0], SHUT_WR);
	n = read(sv[0], buf, sizeof buf);
	TAP_OK(n == 5 && memcmp(buf, "ping\n", 5) == 0, "cat echoed");
	TAP_OK(waitpid(pid, &status, 0) == pid && wait_status_code(status) == 0,
	    "cat exited 0");
	close(sv[0]);
	c.n = 0;

	/* Not found: 127. */
	{
		char *nope[] = { "/nonexistent/ipcu-children-test", NULL };
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		if ((pid = children_fork(&c)) == 0)
			children_exec(sv[1], nope, NULL);
		TAP_OK(waitpid(pid, &status, 0) == pid &&
		    wait_status_code(status) == 127, "a missing COMMAND: 127");
		close(sv[0]);
		close(sv[1]);
		c.n = 0;
	}

	/* Relayed: the answer after the peer's end arrives, status kept. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	full_write(sv[1], "hello\n", 6);
	shutdown(sv[1], SHUT_WR);
	TAP_OK(children_exec_relayed(&c, sv[0], SOCK_STREAM, argv, NULL, &o,
	    &grace, &status) == RELAY_EOF && wait_status_code(status) == 0,
	    "relayed cat ends at EOF with status 0");
	n = read(sv[1], buf, sizeof buf);
	TAP_OK(n == 6 && memcmp(buf, "hello\n", 6) == 0, "relayed cat echoed");
	TAP_OK(c.n == 0, "the relayed child was reaped");
	close(sv[0]);
	close(sv[1]);

	/* Relayed and idle: ended, the connection left to the caller. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	o.idle = &idle;
	TAP_OK(children_exec_relayed(&c, sv[0], SOCK_STREAM, argv, NULL, &o,
	    &grace, &status) == RELAY_IDLE, "an idle relayed cat: RELAY_IDLE");
	TAP_OK(c.n == 0 && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
	    "the idle child was ended and reaped");
	close(sv[0]);
	close(sv[1]);
	free(argv);
	free(c.pids);
	return tap_done();
}
