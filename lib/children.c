/* SPDX-License-Identifier: MIT */
/*
 * children: per-connection child processes; see children.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "deadline.h"
#include "diag.h"

int
children_init(struct children *c, size_t max)
{
	c->n = 0;
	c->max = max;
	c->pids = calloc(max ? max : 1, sizeof *c->pids);
	return c->pids ? 0 : -1;
}

bool
children_full(const struct children *c)
{
	return c->n >= c->max;
}

pid_t
children_fork(struct children *c)
{
	pid_t pid;

	if (children_full(c)) {
		errno = EAGAIN;
		return -1;
	}
	pid = fork();
	if (pid > 0)
		c->pids[c->n++] = pid;
	return pid;
}

void
children_exec(int sock, char *const argv[], const sigset_t *mask)
{
	static const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP,
	    SIGCHLD };
	sigset_t none;

	if (dup2(sock, 0) < 0 || dup2(sock, 1) < 0)
		_exit(EXIT_CANNOT_RUN);
	close_range(3, ~0U, 0);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, mask ? mask : &none, NULL);
	execvp(argv[0], argv);
	warn("%s", argv[0]);
	_exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/* Drop PID from C's slots, if it is there. */
static void
forget_pid(struct children *c, pid_t pid)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->pids[i] == pid) {
			c->pids[i] = c->pids[--c->n];
			return;
		}
	}
}

pid_t
children_reap(struct children *c, int *status)
{
	pid_t pid = waitpid(-1, status, WNOHANG);

	if (pid > 0)
		forget_pid(c, pid);
	return pid;
}

void
children_forget(struct children *c)
{
	c->n = 0;
}

void
children_end(struct children *c, const struct timespec *grace)
{
	struct timespec tick = { 0, 10000000 };
	struct deadline d;
	int status;

	if (c->n == 0)
		return;
	for (size_t i = 0; i < c->n; i++)
		kill(c->pids[i], SIGTERM);
	deadline_start(&d, grace);
	while (c->n > 0 && !deadline_expired(&d)) {
		while (children_reap(c, &status) > 0)
			;
		if (c->n > 0)
			nanosleep(&tick, NULL);
	}
	for (size_t i = 0; i < c->n; i++)
		kill(c->pids[i], SIGKILL);
	while (c->n > 0) {
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		forget_pid(c, pid);
	}
	c->n = 0;
}

/* Relay CONN and the child's end FD until the relay ends (see
 * children_exec_relayed()). */
static enum relay_end
relay_to_child(int conn, int fd, struct relay_opts *o)
{
	struct pump up, down, *bad = NULL;
	enum relay_end end;
	int e;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(conn, F_SETFL, fcntl(conn, F_GETFL) | O_NONBLOCK);
	pump_init(&up, fd, conn, false);
	pump_init(&down, conn, fd, true);
	o->wait_for_peer = false;
	o->eof_shut_fd = fd;
	for (;;) {
		end = relay_stream(conn, &up, &down, o, &bad);
		/* A child that stopped reading gets no more input; its
		 * output still goes to the peer. */
		if (end == RELAY_ERROR && bad == &down && down.failed_out &&
		    (errno == EPIPE || errno == ECONNRESET)) {
			down.eof = true;
			down.len = 0;
			continue;
		}
		break;
	}
	e = errno;
	pump_free(&up);
	pump_free(&down);
	errno = e;
	return end;
}

enum relay_end
children_exec_relayed(struct children *c, int conn, int socktype,
    char *const argv[], const sigset_t *mask, const struct relay_opts *ro,
    const struct timespec *grace, int *status)
{
	struct relay_opts o = *ro;
	enum relay_end end;
	int sv[2], e;
	pid_t pid;

	if (socketpair(AF_UNIX, socktype | SOCK_CLOEXEC, 0, sv) < 0)
		return RELAY_ERROR;
	pid = children_fork(c);
	if (pid < 0) {
		e = errno;
		close(sv[0]);
		close(sv[1]);
		errno = e;
		return RELAY_ERROR;
	}
	if (pid == 0) {
		/* Die with the relaying process, should it be killed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		children_exec(sv[1], argv, mask);
	}
	close(sv[1]);
	end = relay_to_child(conn, sv[0], &o);
	e = errno;
	close(sv[0]);
	/* Both ends are done: the child is finishing; wait, heeding a stop. */
	while (end == RELAY_EOF) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid) {
			forget_pid(c, pid);
			return RELAY_EOF;
		}
		if (r < 0 && errno != EINTR) {
			e = errno;
			end = RELAY_ERROR;
		} else if (o.stop && *o.stop) {
			end = RELAY_SIGNAL;
		} else {
			relay_poll(NULL, 0, 20, &o);
		}
	}
	children_end(c, grace);
	errno = e;
	return end;
}

char **
children_split_command(char *cmd)
{
	size_t n = 0, cap = 8;
	char **argv = malloc(cap * sizeof *argv), **more;
	char *save = NULL;

	if (!argv)
		return NULL;
	for (char *w = strtok_r(cmd, " \t\n", &save); w;
	    w = strtok_r(NULL, " \t\n", &save)) {
		if (n + 2 > cap) {
			cap *= 2;
			more = realloc(argv, cap * sizeof *argv);
			if (!more) {
				free(argv);
				return NULL;
			}
			argv = more;
		}
		argv[n++] = w;
	}
	argv[n] = NULL;
	if (n == 0) {
		free(argv);
		errno = EINVAL;
		return NULL;
	}
	return argv;
}

int
wait_status_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
}
