/* SPDX-License-Identifier: MIT */
/*
 * children: per-connection child processes; see children.h.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
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

int
wait_status_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
}
