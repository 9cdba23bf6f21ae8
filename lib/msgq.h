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
 * System V type ("prio" below).  Sending waits for room until a deadline
 * (without one, inside the kernel, as the raw loop does: signals the caller
 * keeps blocked do not interrupt it); receiving never waits: a caller that wants to wait polls msgq_fd() (POSIX
 * queues are file descriptors) or, for System V, which has nothing to poll,
 * sleeps with a struct backoff between attempts.
 */
#ifndef IPCU_MSGQ_H
#define IPCU_MSGQ_H

#include <mqueue.h>
#include <popt.h>
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

enum msgq_dir { MSGQ_SEND, MSGQ_RECEIVE };

/*
 * Fill C from the creation options as typed (-c, --max-messages,
 * --message-size, --mode; NULL when absent) for the queue OP.  Exit 2 with
 * a usage message on a bad value, on sizes or mode without -c, and on -c
 * with an id: operand (only a key can create).
 */
void msgq_create_or_err(struct msgq_create *c, const struct ipc_operand *op,
    bool create, const char *max_messages, const char *message_size,
    const char *mode);

/*
 * The creation options mqsend and mqrecv share (-c, --max-messages,
 * --message-size, --mode) as a popt table: include it in a tool's table
 * with MSGQ_CREATE_OPTIONS; what the user typed lands in msgq_create_args.
 */
struct msgq_create_args {
	int create;		/* -c: create the queue if missing */
	char *max_messages;	/* --max-messages: capacity on creation */
	char *message_size;	/* --message-size: size on creation */
	char *mode;		/* --mode: permissions on creation */
};
extern struct msgq_create_args msgq_create_args;
extern struct poptOption msgq_create_options[];
#define MSGQ_CREATE_OPTIONS \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, msgq_create_options, 0, \
	  NULL, NULL },

/*
 * Open the queue OP for DIR, creating it as C says (C may be NULL).  On
 * failure print "prog: QUEUE: reason", naming the kernel limit involved,
 * and exit 1; nothing is left created.
 */
void msgq_open_or_err(struct msgq *q, const struct ipc_operand *op,
    enum msgq_dir dir, const struct msgq_create *c);

/*
 * Send LEN bytes of DATA with priority or type PRIO, waiting for room
 * until DL expires (DL NULL: no limit).  Return 0, or -1 with errno:
 * ETIMEDOUT when the queue stayed full, EMSGSIZE when LEN is over
 * q->msgsize, EIDRM when the queue was removed, or the call's error.
 */
int msgq_send(struct msgq *q, const void *data, size_t len, long prio,
    const struct deadline *dl);

/*
 * Receive one message without waiting.  TYPE selects System V messages as
 * msgrcv(2) does (0: the first).  Return its length with *DATA (valid until
 * the next call) and *PRIO set, or -1 with errno: EAGAIN when there is
 * none, EIDRM when the queue was removed, or the call's error.
 */
ssize_t msgq_receive(struct msgq *q, long type, const char **data,
    long *prio);

/* The descriptor poll(2) reports readable or writable: POSIX only, -1 for
 * System V. */
int msgq_fd(const struct msgq *q);

/* Print the queue's attributes as key=value lines on OUT.  Return 0, or -1
 * with errno set. */
int msgq_print_stat(struct msgq *q, FILE *out);

/* Remove the queue.  Return 0, or -1 with errno set. */
int msgq_unlink(struct msgq *q);

/* Close the queue (it stays in the system) and free its buffer. */
void msgq_close(struct msgq *q);

/*
 * The System V wait: sleep between attempts, from 50 us doubling to a
 * cap of 4 ms, so a waiting process wakes at most 250 times a second
 * and a message that arrives is seen at most 4 ms late.
 */
struct backoff {
	long ns;
};
#define BACKOFF_MIN_NS 50000L
#define BACKOFF_MAX_NS 4000000L

/* Start over at the shortest sleep. */
void backoff_reset(struct backoff *b);

/* The next sleep, no longer than what is left of DL (DL NULL: no limit);
 * advances B. */
struct timespec backoff_next(struct backoff *b, const struct deadline *dl);

/* Read an integer from a /proc/sys file; -1 if it cannot be read. */
long msgq_sysctl(const char *path);

#endif
