/* SPDX-License-Identifier: MIT */
/*
 * children: the processes a server forks, one per connection, bounded.
 *
 * A set holds up to MAX live children.  children_fork() forks and records
 * the child; children_exec() (in the child) makes a socket its standard
 * input and output, closes every other descriptor above 2, puts the
 * handled signals back to their defaults, and runs a COMMAND.  Children
 * are reaped without waiting as SIGCHLD says; children_end() ends the
 * ones still alive at exit: SIGTERM, then SIGKILL after a grace time.
 */
#ifndef IPCU_CHILDREN_H
#define IPCU_CHILDREN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "relay.h"

struct children {
	pid_t *pids;		/* live children, in no order */
	size_t n, max;
};

/* Prepare C for up to MAX children.  Return 0, or -1 with errno ENOMEM. */
int children_init(struct children *c, size_t max);

/* Whether C holds MAX children, so no other may be forked now. */
bool children_full(const struct children *c);

/*
 * fork(2) and record the child in C: return its pid in the parent, 0 in
 * the child, or -1 with errno set (EAGAIN when C is full).
 */
pid_t children_fork(struct children *c);

/*
 * In a child: make SOCK standard input and output, close descriptors 3
 * and up, set SIGINT, SIGTERM, SIGHUP, SIGCHLD and SIGPIPE to their
 * defaults, set the signal mask to MASK (NULL: empty), run ARGV (searched
 * in PATH).  Never returns: on failure says why and exits 127 (not found)
 * or 126.
 */
void children_exec(int sock, char *const argv[], const sigset_t *mask)
	__attribute__((noreturn));

/*
 * Reap one exited child of C without waiting.  Return its pid with
 * *STATUS set, or 0 when none has exited (or -1 with errno ECHILD).
 */
pid_t children_reap(struct children *c, int *status);

/* Forget every child of C without signalling it (the child of a fork
 * that is not the server). */
void children_forget(struct children *c);

/* End every live child of C: SIGTERM, then after GRACE SIGKILL; reap
 * them all.  Return when none is left. */
void children_end(struct children *c, const struct timespec *grace);

/*
 * Serve the connection CONN by running ARGV (as children_exec(), MASK its
 * signal mask) on one end of a socket pair of SOCKTYPE, and relaying CONN
 * to the other end with lib/relay under O: the peer's end becomes the end
 * of the child's input, the end of its output shuts down CONN's sending
 * side; a child that stops reading gets no more input.  The child is in C
 * and dies with the calling process.  On RELAY_EOF the child has been
 * waited for and *STATUS is its wait status; on any other end (idle, a
 * stop, RELAY_ERROR with errno set) it has been ended as children_end()
 * does with GRACE.  CONN is left open.
 */
enum relay_end children_exec_relayed(struct children *c, int conn,
    int socktype, char *const argv[], const sigset_t *mask,
    const struct relay_opts *o, const struct timespec *grace, int *status);

/*
 * Split CMD in place at blanks into a NULL-terminated argv (no shell, no
 * quoting).  Return it (free(3) it), or NULL with errno EINVAL for a
 * command of no words, ENOMEM.
 */
char **children_split_command(char *cmd);

/* The exit status a shell reports for the wait(2) STATUS. */
int wait_status_code(int status);

#endif
