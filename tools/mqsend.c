/* SPDX-License-Identifier: MIT */
/*
 * mqsend: send messages to a POSIX or System V message queue.
 *
 * Each MESSAGE operand, or else each record of standard input (a line, or
 * with -0 a NUL-terminated string), becomes one message, sent as soon as
 * it is complete.  Nothing is written to standard output except --stat's
 * key=value lines; a message held up a second by a full queue is told of
 * once on standard error, when it is a terminal or with -v.  Exit 0 when
 * every message was sent, 1 when one could not be (too large, queue gone,
 * I/O error, standard input or output closed: the ones before it stay
 * sent), 2 on a usage error (nothing sent or created), 124 when -t expired
 * on a full queue.  SIGINT, SIGTERM and
 * SIGHUP keep their default action: a message is sent whole or not at all,
 * so mqsend may die at once, whatever it waits for.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <popt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <unistd.h>

#include "cmdline.h"
#include "deadline.h"
#include "diag.h"
#include "ipcobj.h"
#include "msgq.h"
#include "parse.h"
#include "records.h"

static char *opt_priority;	/* -p: POSIX priority, System V type */
static char *opt_type;		/* -T: System V message type */
static char *opt_timeout;	/* -t: longest wait on a full queue */
static int opt_null;		/* -0: records end in NUL, not newline */
static int opt_stat;		/* --stat: print the queue's attributes */
static int opt_verbose;		/* -v: tell of a full queue, tty or not */
static struct msgq_create_args opt_create;	/* -c and its sizes, mode */

static struct poptOption options[] = {
	{ "priority", 'p', POPT_ARG_STRING, &opt_priority, 0,
	  "priority 0-32767 (default 0); System V: the type", "PRIO" },
	{ "type", 'T', POPT_ARG_STRING, &opt_type, 0,
	  "System V message type, at least 1 (default 1)", "TYPE" },
	MSGQ_CREATE_OPTIONS(opt_create)
	{ "timeout", 't', POPT_ARG_STRING, &opt_timeout, 0,
	  "wait at most DURATION for room in a full queue", "DURATION" },
	{ "null", '0', POPT_ARG_NONE, &opt_null, 0,
	  "records of standard input end in NUL, not newline", NULL },
	{ "verbose", 'v', POPT_ARG_NONE, &opt_verbose, 0,
	  "tell of a wait on a full queue, even off a terminal", NULL },
	{ "stat", '\0', POPT_ARG_NONE, &opt_stat, 0,
	  "print the queue's attributes (key=value) at the end", NULL },
	CMDLINE_COMMON_OPTIONS
	POPT_TABLEEND
};

static const struct cmdline_help help = {
	.synopsis = "[OPTION]... QUEUE [MESSAGE]...",
	.forms = "Send each MESSAGE, or else each line of standard input, as "
	    "one message.\n"
	    IPC_OPERAND_FORMS("QUEUE")
	    "DURATION: 1.5 (seconds), 250ms, 2m, 1h; 0: do not wait\n",
	.example = "seq 3 | mqsend -c jobs; mqsend -p 9 jobs urgent",
};

/* File scope, so that an exit(3) from anywhere leaves it reachable (no
 * leak reports from LeakSanitizer). */
static struct msgq queue;		/* the open queue */
static long prio;			/* priority or type of every message */
static struct timespec timeout;		/* -t as a duration */
static unsigned long sent;		/* messages sent so far */
static struct record_reader rr;		/* standard input's records */
static bool notice_due;			/* the queue-full notice is wanted */

/* How long a send waits on a full queue before it says so. */
static const struct timespec notice_after = { 1, 0 };

/*
 * Tell the user, once, that the queue is full and mqsend waits: a
 * pipeline that stops without a word looks hung.  The queue's fill is
 * read again here, so the figures are the kernel's, not a guess.
 */
static void
notice_full(void)
{
	char fill[96] = "";
	struct mq_attr attr;
	struct msqid_ds ds;

	if (queue.flavor == IPC_POSIX && mq_getattr(queue.mqd, &attr) == 0)
		snprintf(fill, sizeof fill, " (%ld of %ld messages)",
		    (long)attr.mq_curmsgs, (long)attr.mq_maxmsg);
	if (queue.flavor == IPC_SYSV && msgctl(queue.msqid, IPC_STAT, &ds) == 0)
		snprintf(fill, sizeof fill, " (%lu of %lu bytes)",
		    (unsigned long)ds.__msg_cbytes,
		    (unsigned long)ds.msg_qbytes);
	if (opt_timeout)
		warnx("%s: queue full%s, waiting until -t %s runs out",
		    queue.text, fill, opt_timeout);
	else
		warnx("%s: queue full%s, waiting; -t to give up", queue.text,
		    fill);
	notice_due = false;
}

/*
 * Send LEN bytes of DATA, waiting for room until the deadline DL; while
 * the notice is due and DL is more than notice_after away, wait that long
 * first and give the notice if the queue stayed full.  msgq_send()'s
 * result.  (Both waits sleep in the kernel: ppoll(2) on a POSIX queue,
 * msgsnd(2) on a System V one.)
 */
static int
send_noticed(const char *data, size_t len, const struct deadline *dl)
{
	struct deadline first;
	struct msgq_wait w = { .dl = &first, .watch = -1 };

	if (notice_due) {
		deadline_start(&first, &notice_after);
		if (dl->forever || deadline_poll_ms(dl) > deadline_poll_ms(&first)) {
			if (msgq_send(&queue, data, len, prio, &w) == 0)
				return 0;
			if (errno != ETIMEDOUT)
				return -1;
			notice_full();
		}
	}
	w.dl = dl;
	return msgq_send(&queue, data, len, prio, &w);
}

/* Send message number sent+1, or exit as ipcutils(7) says. */
static void
send_one(const char *data, size_t len)
{
	struct deadline dl;

	deadline_start(&dl, opt_timeout ? &timeout : NULL);
	if (send_noticed(data, len, &dl) == 0) {
		sent++;
		return;
	}
	if (errno == EMSGSIZE)
		errx(EXIT_FAIL, "%s: message %lu is %zu bytes; the queue takes "
		    "at most %zu", queue.text, sent + 1, len, queue.msgsize);
	if (errno == ETIMEDOUT) {
		warnx("%s: message %lu not sent: the queue stayed full",
		    queue.text, sent + 1);
		exit(EXIT_TIMEOUT);
	}
	if (errno == EIDRM)
		errx(EXIT_FAIL, "%s: the queue was removed", queue.text);
	err(EXIT_FAIL, "%s: message %lu", queue.text, sent + 1);
}

/* Send every record of standard input. */
static void
send_stdin(void)
{
	const char *rec;
	size_t len;
	int rc;

	if (record_reader_init(&rr, STDIN_FILENO, opt_null ? '\0' : '\n',
	    queue.msgsize) < 0)
		err(EXIT_FAIL, "standard input");
	while ((rc = record_read(&rr, &rec, &len)) != 0) {
		if (rc < 0 && errno == EMSGSIZE)
			errx(EXIT_FAIL, "%s: message %lu is %zu bytes; the "
			    "queue takes at most %zu", queue.text, sent + 1,
			    len, queue.msgsize);
		if (rc < 0)
			err(EXIT_FAIL, "standard input");
		send_one(rec, len);
	}
	record_reader_free(&rr);
}

/* Exit 1 if descriptor FD, standard input or output, is closed: the
 * queue's descriptor would take its place. */
static void
open_or_err(int fd, const char *name)
{
	if (fcntl(fd, F_GETFD) < 0)
		err(EXIT_FAIL, "%s", name);
}

/* Parse the type option OPT gives (-T or -p) for the System V queue
 * named TEXT: a positive number. */
static long
type_or_err(const char *opt, const char *s, const char *text)
{
	uint64_t v;

	/* The POSIX habit: priority 0 is the lowest. */
	if (strcmp(s, "0") == 0)
		usage_error("%s: '0' is no System V message type: types start "
		    "at 1 (%s is System V)", opt, text);
	if (parse_number(s, 10, 1, LONG_MAX, &v) < 0)
		usage_error("%s: System V message type must be a number from 1 "
		    "to %ld: '%s'", opt, LONG_MAX, s);
	return (long)v;
}

/*
 * The priority or type of every message to queue OP.  -p is the POSIX
 * priority, and on a System V queue the type, the number that queue
 * carries beside each message (mqrecv -P prints either); -T is the type
 * and only that.
 */
static long
prio_or_err(const struct ipc_operand *op)
{
	if (op->flavor == IPC_POSIX) {
		if (opt_type)
			usage_error("-T: types are for System V queues; %s is "
			    "POSIX (use -p)", op->text);
		return opt_priority ? (long)number_or_err("-p", opt_priority, 0,
		    MSGQ_PRIO_MAX) : 0;
	}
	if (opt_priority && opt_type)
		usage_error("-p and -T both set the type of a System V message: "
		    "give one");
	if (opt_priority)
		return type_or_err("-p", opt_priority, op->text);
	return opt_type ? type_or_err("-T", opt_type, op->text) : 1;
}

int
main(int argc, const char **argv)
{
	struct ipc_operand op;
	struct msgq_create create;
	const char **args, **messages;
	const char *qarg;

	atexit(close_stdout);
	args = cmdline_parse_or_err(argc, argv, options, &help);
	qarg = args[0];
	if (!qarg)
		usage_error("missing QUEUE operand");
	ipc_operand_or_err(qarg, MSGQ_NAME_MAX, &op);
	messages = args + 1;

	prio = prio_or_err(&op);
	create = msgq_create_or_err(&op, &opt_create);
	if (opt_timeout)
		timeout = duration_or_err("-t", opt_timeout);
	open_or_err(STDIN_FILENO, "standard input");
	open_or_err(STDOUT_FILENO, "standard output");
	notice_due = opt_verbose || isatty(STDERR_FILENO);

	msgq_open_or_err(&queue, &op, MSGQ_SEND, &create);
	if (*messages)
		for (; *messages; messages++)
			send_one(*messages, strlen(*messages));
	else
		send_stdin();
	if (opt_stat && msgq_print_stat(&queue, stdout) < 0)
		err(EXIT_FAIL, "%s", queue.text);
	msgq_close(&queue);
	return EXIT_OK;
}
