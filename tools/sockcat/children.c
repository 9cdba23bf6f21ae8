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
#include "process.h"
#include "sigloop.h"

int
children_init(struct children *c, size_t max, const struct timespec *linger)
{
	c->n = 0;
	c->max = max ? max : 1;
	c->linger = *linger;
	c->slots = calloc(c->max, sizeof *c->slots);
	c->pfd = calloc(c->max + CHILDREN_POLL_EXTRA, sizeof *c->pfd);
	if (c->slots && c->pfd)
		return 0;
	children_free(c);
	errno = ENOMEM;
	return -1;
}

void
children_free(struct children *c)
{
	free(c->slots);
	free(c->pfd);
	c->slots = NULL;
	c->pfd = NULL;
	c->n = 0;
}

bool
children_full(const struct children *c)
{
	return c->n >= c->max;
}

pid_t
children_fork(struct children *c, int conn)
{
	pid_t pid;

	if (children_full(c)) {
		errno = EAGAIN;
		return -1;
	}
	pid = fork();
	if (pid > 0)
		c->slots[c->n++] = (struct child_slot){ .pid = pid,
		    .conn = conn };
	return pid;
}

void
children_exec(int sock, char *const argv[])
{
	if (dup2(sock, 0) < 0 || dup2(sock, 1) < 0)
		_exit(EXIT_CANNOT_RUN);
	close_range(3, ~0U, 0);
	sigloop_restore();
	command_exec(argv);
}

/* Close slot I's connection, if any, and drop the slot. */
static void
drop_slot(struct children *c, size_t i)
{
	if (c->slots[i].conn >= 0)
		close(c->slots[i].conn);
	c->slots[i] = c->slots[--c->n];
}

/* The slot of PID in C, or NULL. */
static struct child_slot *
slot_of(struct children *c, pid_t pid)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->slots[i].pid == pid)
			return &c->slots[i];
	return NULL;
}

/* PID has exited: start its connection's graceful close, or drop it. */
static void
child_exited(struct children *c, pid_t pid)
{
	struct child_slot *s = slot_of(c, pid);

	if (!s)
		return;
	if (s->conn < 0) {
		drop_slot(c, (size_t)(s - c->slots));
		return;
	}
	s->pid = 0;
	shutdown(s->conn, SHUT_WR);
	deadline_start(&s->linger, &c->linger);
}

pid_t
children_reap(struct children *c, int *status)
{
	pid_t pid = waitpid(-1, status, WNOHANG);

	if (pid > 0)
		child_exited(c, pid);
	return pid;
}

size_t
children_running(const struct children *c)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++)
		k += c->slots[i].pid > 0;
	return k;
}

/*
 * Drain the lingering connections whose poll entry (from FIRST on in
 * C->pfd, made in reverse slot order) is ready, closing each one whose
 * peer has finished or whose bound has passed.  Going backwards, a slot
 * dropped takes the last one, which has been seen already.
 */
static void
linger_step(struct children *c, nfds_t first)
{
	nfds_t k = first;

	for (size_t i = c->n; i-- > 0;) {
		struct child_slot *s = &c->slots[i];
		bool ready;
		if (s->pid > 0 || s->conn < 0)
			continue;
		ready = c->pfd[k++].revents != 0;
		if ((ready && !relay_discard(s->conn)) ||
		    deadline_expired(&s->linger))
			drop_slot(c, i);
	}
}

int
children_poll(struct children *c, struct pollfd *pfd, nfds_t n,
    const sigset_t *mask)
{
	nfds_t k = n;
	int timeout = -1, r, ready = 0;

	for (nfds_t i = 0; i < n; i++)
		c->pfd[i] = pfd[i];
	for (size_t i = c->n; i-- > 0;) {
		struct child_slot *s = &c->slots[i];
		int left;
		if (s->pid > 0 || s->conn < 0)
			continue;
		c->pfd[k++] = (struct pollfd){ .fd = s->conn, .events = POLLIN };
		left = deadline_poll_ms(&s->linger);
		if (timeout < 0 || left < timeout)
			timeout = left;
	}
	r = sigloop_ppoll(c->pfd, k, timeout, mask);
	if (r < 0)
		return -1;
	for (nfds_t i = 0; i < n; i++) {
		pfd[i].revents = r > 0 ? c->pfd[i].revents : 0;
		ready += pfd[i].revents != 0;
	}
	if (k > n) {
		if (r == 0)
			for (nfds_t i = n; i < k; i++)
				c->pfd[i].revents = 0;
		linger_step(c, n);
	}
	return ready;
}

void
children_forget(struct children *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->slots[i].conn >= 0)
			close(c->slots[i].conn);
	c->n = 0;
}

void
children_end(struct children *c, const struct timespec *grace)
{
	struct timespec tick = { 0, 10000000 };
	struct deadline d;
	int status;

	for (size_t i = 0; i < c->n; i++)
		if (c->slots[i].pid > 0)
			kill(c->slots[i].pid, SIGTERM);
	deadline_start(&d, grace);
	while (children_running(c) > 0 && !deadline_expired(&d)) {
		while (children_reap(c, &status) > 0)
			;
		if (children_running(c) > 0)
			nanosleep(&tick, NULL);
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->slots[i].pid > 0)
			kill(c->slots[i].pid, SIGKILL);
	while (children_running(c) > 0) {
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		child_exited(c, pid);
	}
	while (c->n > 0)
		drop_slot(c, c->n - 1);
}

/* Relay CONN and the child's end FD until the relay ends (see
 * children_exec_relayed()): a child that stopped reading gets no more
 * input, its output still going to the peer. */
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
	o->down_may_close = true;
	end = relay_stream(conn, &up, &down, o, &bad);
	e = errno;
	pump_free(&up);
	pump_free(&down);
	errno = e;
	return end;
}

enum relay_end
children_exec_relayed(struct children *c, int conn, int socktype,
    char *const argv[], const struct relay_opts *ro,
    const struct timespec *grace, int *status)
{
	struct relay_opts o = *ro;
	enum relay_end end;
	int sv[2], e;
	pid_t pid;

	if (socketpair(AF_UNIX, socktype | SOCK_CLOEXEC, 0, sv) < 0)
		return RELAY_ERROR;
	pid = children_fork(c, -1);
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
		children_exec(sv[1], argv);
	}
	close(sv[1]);
	end = relay_to_child(conn, sv[0], &o);
	e = errno;
	close(sv[0]);
	/*
	 * Both ends are done: the child is finishing; wait, heeding a stop.
	 * SIGCHLD, let in by O's mask where the caller catches it, ends each
	 * wait; the 100 ms bound only matters where it is not caught.
	 */
	while (end == RELAY_EOF) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid) {
			child_exited(c, pid);
			return RELAY_EOF;
		}
		if (r < 0 && errno != EINTR) {
			e = errno;
			end = RELAY_ERROR;
		} else if (o.stop && *o.stop) {
			end = RELAY_SIGNAL;
		} else {
			relay_poll(NULL, 0, 100, &o);
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
