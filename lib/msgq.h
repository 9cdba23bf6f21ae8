/* SPDX-License-Identifier: MIT */
/*
 * msgq: one message queue, POSIX or System V, as mqsend and mqrecv use it.
 *
 * A queue is named by an IPC operand (ipcobj.h).  msgq_open_or_err() opens
 * it, creating it on request with a capacity, a message size and a mode,
 * and when the kernel refuses it says which limit was hit and its value
 * (fs.mqueue.msg_max, msgsize_max, queues_max, RLIMIT_MSGQUEUE, and for
 * System V kernel.msgmax, msgmnb, msgmni).
 *
 * Messages carry a number beside their bytes: the POSIX priority or the
 * System V type ("prio" below).  Sending and receiving wait as a struct
 * msgq_wait says: until a deadline, until the caller's signal handler sets
 * a flag, or until another descriptor (a pipe whose reader may leave)
 * reports an error.  A POSIX queue is a file descriptor and is waited on
 * with ppoll(2).  A System V queue has nothing to poll: the wait blocks in
 * msgsnd(2) or msgrcv(2) themselves, which any handled signal interrupts,
 * and an interval timer (SIGALRM every MSGQ_KICK_MS) interrupts it too, so
 * that the flag, the deadline and the descriptor are looked at again even
 * when a signal came just before the call blocked.  Waiting costs no CPU
 * but those few wake-ups, and a message or room is seen at once.
 */
#ifndef IPCU_MSGQ_H
#define IPCU_MSGQ_H

#include <mqueue.h>
#include <popt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "deadline.h"
#include "ipcobj.h"

/* Longest name a POSIX queue may have, without the slash. */
#define MSGQ_NAME_MAX 255

/* Highest POSIX priority (sysconf(_SC_MQ_PRIO_MAX) - 1 on Linux). */
#define MSGQ_PRIO_MAX 32767

struct msgq_create {
	bool create;		/* create the queue if it does not exist */
	long max_messages;	/* capacity; 0 for the default */
	long message_size;	/* largest message; 0 for the default */
	mode_t mode;		/* permissions of a created queue */
};

struct msgq {
	const char *text;	/* the operand as typed, for messages */
	enum ipc_flavor flavor;
	mqd_t mqd;		/* POSIX */
	bool blocking;		/* POSIX: mqd is not O_NONBLOCK now */
	char name[MSGQ_NAME_MAX + 2];	/* POSIX: "/NAME" */
	int msqid;		/* System V */
	size_t msgsize;		/* largest message the queue takes */
	bool created;		/* this process created it */
	char *buf;		/* receive buffer (System V: mtype + text) */
	size_t bufsize;
};

/*
 * What a queue is opened for.  A receiver also sends: it puts back what it
 * could not deliver, so it needs write permission too; an inspector only
 * reads the queue's attributes.
 */
enum msgq_dir { MSGQ_SEND, MSGQ_RECEIVE, MSGQ_INSPECT };

/*
 * The creation options mqsend and mqrecv share, as the user typed them:
 * a tool keeps one such struct and lists MSGQ_CREATE_OPTIONS(it) in its
 * popt table, which fills it (an included table, which --help shows after
 * the tool's own options, the sizes and mode in one line).
 */
struct msgq_create_args {
	int create;		/* -c: create the queue if missing */
	char *max_messages;	/* --max-messages: capacity on creation */
	char *message_size;	/* --message-size: size on creation */
	char *mode;		/* --mode: permissions on creation */
};
#define MSGQ_CREATE_OPTIONS(args) \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, (struct poptOption []){ \
	  { "create", 'c', POPT_ARG_NONE, &(args).create, 0, \
	    "create the queue if it does not exist", NULL }, \
	  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, (struct poptOption []){ \
	    { "max-messages", '\0', POPT_ARG_STRING, &(args).max_messages, \
	      0, "capacity of a created queue", "N" }, \
	    { "message-size", '\0', POPT_ARG_STRING, &(args).message_size, \
	      0, "largest message of a created queue", "SIZE" }, \
	    { "mode", '\0', POPT_ARG_STRING, &(args).mode, 0, \
	      "permissions of a created queue (default 0600)", "MODE" }, \
	    POPT_TABLEEND }, 0, \
	    "--max-messages=N, --message-size=SIZE, --mode=MODE (0600): " \
	    "with -c", NULL }, \
	  POPT_TABLEEND }, 0, NULL, NULL },

/*
 * The creation the options TYPED ask for the queue OP.  Exit 2 with a
 * usage message on a bad value, on sizes or mode without -c, and on -c
 * with an id: operand (only a key can create).
 */
struct msgq_create msgq_create_or_err(const struct ipc_operand *op,
    const struct msgq_create_args *typed);

/*
 * Open the queue OP for DIR, creating it as C says (C may be NULL).  On
 * failure print "prog: QUEUE: reason", naming the kernel limit involved or
 * the permission missing, and exit 1; nothing is left created.
 */
void msgq_open_or_err(struct msgq *q, const struct ipc_operand *op,
    enum msgq_dir dir, const struct msgq_create *c);

/*
 * How long a send or receive may wait.  Each member may be left empty
 * (NULL, or -1 for WATCH): with all of them empty the wait has no end but
 * success.  The signals the caller handles must be blocked outside waits;
 * MASK, the signal mask while waiting (as for ppoll(2)), lets them in.
 */
struct msgq_wait {
	const struct deadline *dl;	/* give up (ETIMEDOUT) when it expires */
	const sigset_t *mask;		/* the mask while waiting; NULL: as is */
	volatile sig_atomic_t *stop;	/* nonzero: stop waiting (EINTR) */
	int watch;			/* POLLERR or POLLHUP on it: stop (EPIPE) */
};

/* The System V wake-up interval, which bounds how late a flag, a
 * deadline or the watched descriptor is noticed in a race. */
#define MSGQ_KICK_MS 50

/*
 * Send LEN bytes of DATA with priority or type PRIO, waiting for room as W
 * says (W NULL: for as long as it takes).  Return 0, or -1 with errno: ETIMEDOUT, EINTR or EPIPE when the
 * wait ended for the reason W gives, EMSGSIZE when LEN is over q->msgsize,
 * EIDRM when the queue was removed, or the call's error.  A System V wait
 * uses SIGALRM and ITIMER_REAL: the caller must use neither.
 */
int msgq_send(struct msgq *q, const void *data, size_t len, long prio,
    const struct msgq_wait *w);

/*
 * Receive one message, waiting for one as W says (W NULL: not at all).
 * TYPE selects System V messages as msgrcv(2) does (0: the first).
 * Return its length with *DATA (valid until the next call) and *PRIO set,
 * or -1 with errno: EAGAIN when there is none and W is NULL, ETIMEDOUT,
 * EINTR or EPIPE as for msgq_send(), EIDRM when the queue was removed, or
 * the call's error.
 */
ssize_t msgq_receive(struct msgq *q, long type, const char **data,
    long *prio, const struct msgq_wait *w);

/* Print the queue's attributes as key=value lines on OUT.  Return 0, or -1
 * with errno set. */
int msgq_print_stat(struct msgq *q, FILE *out);

/* Remove the queue OP names, without opening it.  Return 0, or -1 with
 * errno set (ENOENT when there is no such queue). */
int msgq_remove(const struct ipc_operand *op);

/* Close the queue (it stays in the system) and free its buffer. */
void msgq_close(struct msgq *q);

/* Read an integer from a /proc/sys file; -1 if it cannot be read. */
long msgq_sysctl(const char *path);

#endif
