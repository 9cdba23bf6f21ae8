/* SPDX-License-Identifier: MIT */
/*
 * children: the processes a server forks, one per connection, bounded.
 *
 * A set holds up to MAX slots.  children_fork() forks and records the
 * child, and may hand the set the connection the child serves: the set
 * then holds it while the child runs and closes it gracefully once the
 * child has exited.  A COMMAND that exits with the peer's input unread
 * would otherwise close the socket with data in it, which makes the
 * kernel send a reset, and a reset can destroy the answer the peer has
 * not read yet (curl: "Recv failure: Connection reset by peer").  So when
 * the child is reaped its connection's sending side is shut down (the
 * peer gets the end after all the COMMAND wrote), and what the peer still
 * sends is read and thrown away until it closes or the linger bound
 * passes (children_poll() does this while the server waits); only then
 * is it closed.  A connection lingering holds its slot.
 *
 * children_exec() (in the child) makes a socket its standard input and
 * output, closes every other descriptor above 2, gives back the signal
 * dispositions and mask the server inherited (sigloop_restore()), and
 * runs a COMMAND.  Children are reaped without waiting as SIGCHLD says;
 * children_end() ends the ones still alive at exit: SIGTERM, then SIGKILL
 * after a grace time.
 */
#ifndef IPCU_CHILDREN_H
#define IPCU_CHILDREN_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "deadline.h"
#include "relay.h"

/* The most poll entries of the caller's that children_poll() takes. */
#define CHILDREN_POLL_EXTRA	4

/* One child and the connection it serves. */
struct child_slot {
	pid_t pid;		/* running; 0 once reaped */
	int conn;		/* held for the graceful close; -1: none */
	struct deadline linger;	/* once reaped: when to stop draining conn */
};

struct children {
	struct child_slot *slots;	/* n in use, in no order */
	size_t n, max;
	struct timespec linger;	/* how long a connection drains at most */
	struct pollfd *pfd;	/* children_poll()'s: max + extra entries */
};

/* Prepare C for up to MAX slots, each connection draining at most
 * LINGER after its child exits.  Return 0, or -1 with errno ENOMEM. */
int children_init(struct children *c, size_t max,
    const struct timespec *linger);

/* Free C's memory (its children and connections are left as they are). */
void children_free(struct children *c);

/* Whether all of C's MAX slots are in use, so no child may be forked now. */
bool children_full(const struct children *c);

/*
 * fork(2) and record the child in C, with CONN (or -1) the connection it
 * serves: in the parent C holds CONN from now on (see above).  Return the
 * child's pid in the parent, 0 in the child, or -1 with errno set (EAGAIN
 * when C is full); CONN is then still the caller's.
 */
pid_t children_fork(struct children *c, int conn);

/*
 * In a child: make SOCK standard input and output, close descriptors 3
 * and up, put back the inherited signal dispositions and mask
 * (sigloop_restore()), run ARGV (searched in PATH).  Never returns: on
 * failure says why and exits 127 (not found) or 126.
 */
void children_exec(int sock, char *const argv[]) __attribute__((noreturn));

/*
 * Reap one exited child of C without waiting; its connection starts its
 * graceful close.  Return its pid with *STATUS set, or 0 when none has
 * exited (or -1 with errno ECHILD).
 */
pid_t children_reap(struct children *c, int *status);

/* How many of C's children are still running (not counting connections
 * that linger). */
size_t children_running(const struct children *c);

/*
 * Wait, with the signal mask MASK inside ppoll(2), until one of the N
 * (at most CHILDREN_POLL_EXTRA) entries of PFD is ready or a signal
 * comes, draining C's lingering connections meanwhile and closing each
 * once its peer has closed or its bound has passed.  Return the number
 * of PFD's entries ready (0 when a signal came or a connection was
 * dealt with), or -1 with errno set.
 */
int children_poll(struct children *c, struct pollfd *pfd, nfds_t n,
    const sigset_t *mask);

/* Forget every child and connection of C without signalling or shutting
 * down anything (in a fork that is not the server): the descriptors C
 * held are closed in this process only. */
void children_forget(struct children *c);

/* End every live child of C: SIGTERM, then after GRACE SIGKILL; reap
 * them all and close every connection held.  Return when none is left. */
void children_end(struct children *c, const struct timespec *grace);

/*
 * Serve the connection CONN by running ARGV (as children_exec()) on one
 * end of a socket pair of SOCKTYPE, and relaying CONN to the other end
 * with relay.h under O: the peer's end becomes the end of the child's
 * input, the end of its output shuts down CONN's sending side; a child
 * that stops reading gets no more input.  The child is in C and dies with
 * the calling process.  On RELAY_EOF the child has been waited for and
 * *STATUS is its wait status; on any other end (idle, a stop, RELAY_ERROR
 * with errno set) it has been ended as children_end() does with GRACE.
 * CONN is left open (its graceful close is the caller's:
 * relay_linger_close()).
 */
enum relay_end children_exec_relayed(struct children *c, int conn,
    int socktype, char *const argv[], const struct relay_opts *o,
    const struct timespec *grace, int *status);

/*
 * Split CMD in place at blanks into a NULL-terminated argv (no shell, no
 * quoting).  Return it (free(3) it), or NULL with errno EINVAL for a
 * command of no words, ENOMEM.
 */
char **children_split_command(char *cmd);

#endif
