/* SPDX-License-Identifier: MIT */
/*
 * mqrecv: receive messages from a POSIX or System V message queue and
 * write them to standard output as records.
 *
 * Each message is written followed by a newline (NUL with -0), optionally
 * preceded by its priority or type and a tab (-P).  It runs until -n
 * messages came (exit 0), until -t passed with no message (exit 0 if any
 * came, 124 if none), or for ever.  A message is never lost: one that was
 * received but could not be written goes back to the queue.  Output is
 * gathered while more messages are ready at once and written before any
 * wait.  When standard output is a pipe, a message counts as delivered
 * only once the reader has read it (FIONREAD shows the pipe empty); if the
 * reader goes away, what it did not read goes back to the queue and mqrecv
 * ends by SIGPIPE.  SIGINT, SIGTERM and SIGHUP end it once the messages in
 * hand are written; it then dies by that signal.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <popt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "deadline.h"
#include "diag.h"
#include "ipcobj.h"
#include "msgq.h"
#include "parse.h"

static char *opt_count;		/* -n: stop after this many messages */
static char *opt_timeout;	/* -t: stop after this long with no message */
static int opt_null;		/* -0: end records with NUL */
static int opt_show_prio;	/* -P: prefix priority or type and a tab */
static char *opt_type;		/* -T: System V type selector */
static int opt_stat;		/* --stat: print attributes, receive nothing */
static int opt_unlink;		/* --unlink: remove the queue at the end */

static struct poptOption options[] = {
	{ "count", 'n', POPT_ARG_STRING, &opt_count, 0,
	  "stop after N messages", "N" },
	{ "timeout", 't', POPT_ARG_STRING, &opt_timeout, 0,
	  "stop when no message came for DURATION (0: do not wait)",
	  "DURATION" },
	{ "null", '0', POPT_ARG_NONE, &opt_null, 0,
	  "end each record with NUL, not newline", NULL },
	{ "show-priority", 'P', POPT_ARG_NONE, &opt_show_prio, 0,
	  "prefix each record with its priority or type and a tab", NULL },
	{ "type", 'T', POPT_ARG_STRING, &opt_type, 0,
	  "System V: receive type TYPE (0: any, -N: lowest type up to N)",
	  "TYPE" },
	MSGQ_CREATE_OPTIONS
	{ "stat", '\0', POPT_ARG_NONE, &opt_stat, 0,
	  "print the queue's attributes as key=value lines and exit", NULL },
	{ "unlink", '\0', POPT_ARG_NONE, &opt_unlink, 0,
	  "remove the queue at the end", NULL },
	CMDLINE_COMMON_OPTIONS
	POPT_AUTOHELP
	POPT_TABLEEND
};

/* Bytes gathered before a write(2); also the default pipe capacity, so a
 * batch written to an empty pipe never blocks. */
#define BATCH_BYTES (64 * 1024)
/* Messages gathered before a write(2). */
#define BATCH_MESSAGES 4096

/* A message held in a batch: its text is buf[off, off + len). */
struct held {
	size_t off, len, end;	/* end: just past its terminator */
	long prio;
};

/* Records received and not yet known to be delivered. */
struct batch {
	char *buf;
	size_t size, len;
	struct held *msgs;
	size_t n;
};

/* File scope, like the state below, so that an exit(3) from anywhere
 * leaves it reachable (no leak reports from LeakSanitizer). */
static poptContext pc;			/* the parsed command line */
static struct msgq queue;		/* the open queue */
static long type;			/* -T */
static int delim;			/* record terminator */
static bool out_pipe;			/* standard output is a pipe or FIFO */
static struct batch pending;		/* received, not written yet */
static struct batch inpipe;		/* written to the pipe, maybe unread */
static struct backoff drain_backoff;	/* between looks at the pipe */
static int sigfd = -1;			/* signalfd of INT, TERM, HUP */

/* Allocate B for records of up to MSGSIZE bytes, or exit 1. */
static void
batch_init(struct batch *b, size_t msgsize)
{
	b->size = msgsize + 32 > BATCH_BYTES ? msgsize + 32 : BATCH_BYTES;
	b->buf = malloc(b->size);
	b->msgs = malloc(BATCH_MESSAGES * sizeof *b->msgs);
	if (!b->buf || !b->msgs)
		err(EXIT_FAIL, "batch");
	b->len = b->n = 0;
}

/* Die by SIG, as if its default action had hit us. */
static void __attribute__((noreturn))
die_by(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	raise(sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	_exit(128 + sig);
}

/* Send back every message of B whose record ends past byte CONFIRMED. */
static void
put_back(struct batch *b, size_t confirmed)
{
	for (size_t i = 0; i < b->n; i++) {
		struct held *h = &b->msgs[i];
		if (h->end <= confirmed)
			continue;
		if (msgq_send(&queue, b->buf + h->off, h->len, h->prio, NULL)
		    < 0)
			warn("%s: could not put back a message of %zu bytes",
			    queue.text, h->len);
	}
	b->n = b->len = 0;
}

/* Bytes written to the pipe that its reader has not read yet. */
static size_t
pipe_unread(void)
{
	int n = 0;

	if (ioctl(STDOUT_FILENO, FIONREAD, &n) < 0)
		err(EXIT_FAIL, "standard output");
	return n < 0 ? 0 : (size_t)n;
}

/* The reader of the pipe went away: put back what it did not read and
 * what was not written, then die by SIGPIPE. */
static void __attribute__((noreturn))
reader_gone(void)
{
	size_t unread = pipe_unread();

	put_back(&inpipe, inpipe.len > unread ? inpipe.len - unread : 0);
	put_back(&pending, 0);
	die_by(SIGPIPE);
}

/* Writing PENDING failed with error E after WRITTEN bytes: put back what
 * was not delivered, then end as ipcutils(7) says. */
static void __attribute__((noreturn))
write_failed(size_t written, int e)
{
	size_t unread = 0;

	if (e == EPIPE && out_pipe)
		unread = pipe_unread();
	put_back(&pending, written > unread ? written - unread : 0);
	if (e == EPIPE)
		die_by(SIGPIPE);
	errno = e;
	err(EXIT_FAIL, "write error");
}

/* Wait until the pipe's reader has read everything, which confirms the
 * batch in it; die through reader_gone() if the reader leaves. */
static void
wait_drained(void)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = 0 };
	struct backoff b;

	backoff_reset(&b);
	while (pipe_unread() > 0) {
		struct timespec ts = backoff_next(&b, NULL);
		if (ppoll(&pfd, 1, &ts, NULL) > 0 && (pfd.revents & POLLERR))
			reader_gone();
	}
	inpipe.n = inpipe.len = 0;
}

/* Write the pending batch (in a pipe, only once the last one was read). */
static void
deliver(void)
{
	size_t written = 0;
	struct batch t;

	if (pending.n == 0)
		return;
	if (out_pipe)
		wait_drained();
	while (written < pending.len) {
		ssize_t n = write(STDOUT_FILENO, pending.buf + written,
		    pending.len - written);
		if (n > 0) {
			written += (size_t)n;
		} else if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = { STDOUT_FILENO, POLLOUT, 0 };
			poll(&pfd, 1, -1);
		} else if (n == 0 || errno != EINTR) {
			write_failed(written, n == 0 ? EIO : errno);
		}
	}
	if (out_pipe) {
		t = inpipe;
		inpipe = pending;
		pending = t;
		backoff_reset(&drain_backoff);
	}
	pending.n = pending.len = 0;
}

/* Add a received message to the pending batch, writing first if full. */
static void
hold(const char *data, size_t len, long prio)
{
	char prefix[24] = "";
	size_t plen = 0, need;
	struct held *h;

	if (opt_show_prio)
		plen = (size_t)snprintf(prefix, sizeof prefix, "%ld\t", prio);
	need = plen + len + 1;
	if (pending.n == BATCH_MESSAGES || pending.size - pending.len < need)
		deliver();
	if (need > pending.size) {
		/* A System V message longer than kernel.msgmax is now. */
		char *p = realloc(pending.buf, need);
		if (!p) {
			int e = errno;
			msgq_send(&queue, data, len, prio, NULL);
			errno = e;
			err(EXIT_FAIL, "%s", queue.text);
		}
		pending.buf = p;
		pending.size = need;
	}
	h = &pending.msgs[pending.n++];
	memcpy(pending.buf + pending.len, prefix, plen);
	h->off = pending.len + plen;
	h->len = len;
	h->prio = prio;
	memcpy(pending.buf + h->off, data, len);
	pending.buf[h->off + len] = (char)delim;
	h->end = pending.len = h->off + len + 1;
}

/* Return the stop signal waiting in the signalfd, or 0. */
static int
take_signal(void)
{
	struct signalfd_siginfo si;

	if (sigfd >= 0 && read(sigfd, &si, sizeof si) == sizeof si)
		return (int)si.ssi_signo;
	return 0;
}

/*
 * Wait for a message until DL, a stop signal, the reader of the pipe
 * leaving, or (with a batch waiting for the pipe to drain) a short while.
 * Return the stop signal, -1 when DL expired, else 0.
 */
static int
wait_event(const struct deadline *dl, struct backoff *qb)
{
	struct pollfd pfd[3];
	struct timespec ts, *tsp = NULL, t;
	nfds_t n = 0;
	int out_i = -1;

	if (deadline_expired(dl))
		return -1;
	if (sigfd >= 0)
		pfd[n++] = (struct pollfd){ sigfd, POLLIN, 0 };
	if (queue.flavor == IPC_POSIX)
		pfd[n++] = (struct pollfd){ msgq_fd(&queue), POLLIN, 0 };
	if (out_pipe) {
		out_i = (int)n;
		pfd[n++] = (struct pollfd){ STDOUT_FILENO, 0, 0 };
	}
	if (!dl->forever) {
		ts = deadline_left(dl);
		tsp = &ts;
	}
	if (queue.flavor == IPC_SYSV) {
		t = backoff_next(qb, dl);
		if (!tsp || t.tv_sec < ts.tv_sec || (t.tv_sec == ts.tv_sec &&
		    t.tv_nsec < ts.tv_nsec))
			ts = t;
		tsp = &ts;
	}
	if (out_pipe && pending.n) {
		t = backoff_next(&drain_backoff, dl);
		if (!tsp || t.tv_sec < ts.tv_sec || (t.tv_sec == ts.tv_sec &&
		    t.tv_nsec < ts.tv_nsec))
			ts = t;
		tsp = &ts;
	}
	if (ppoll(pfd, n, tsp, NULL) <= 0)
		return 0;
	if (out_i >= 0 && (pfd[out_i].revents & POLLERR))
		reader_gone();
	return take_signal();
}

/* Block the stop signals not ignored at start and open a signalfd for
 * them; block SIGPIPE so a gone reader shows as EPIPE. */
static void
setup_signals(void)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
	sigset_t set, pipe_set;
	struct sigaction sa;
	bool any = false;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
		if (sigaction(stops[i], NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN)
			continue;
		sigaddset(&set, stops[i]);
		any = true;
	}
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, NULL);
	if (!any)
		return;
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sigfd < 0)
		err(EXIT_FAIL, "signalfd");
}

/* Parse -T: a System V type selector, possibly negative. */
static long
type_or_err(const char *s)
{
	uint64_t v;
	bool neg = s[0] == '-';

	if (parse_number(s + neg, 10, 0, LONG_MAX, &v) < 0)
		usage_error("-T: invalid System V message type: '%s'", s);
	return neg ? -(long)v : (long)v;
}

/* Receive until done; return the exit status. */
static int
receive_loop(void)
{
	unsigned long limit = 0, got = 0;
	struct timespec timeout;
	struct deadline dl;
	struct backoff qb;
	bool idle = false;
	int sig = 0, status = EXIT_OK;

	if (opt_count)
		limit = (unsigned long)number_or_err("-n", opt_count, 1,
		    ULONG_MAX);
	if (opt_timeout)
		timeout = duration_or_err("-t", opt_timeout);
	while (!limit || got < limit) {
		const char *data;
		long prio;
		ssize_t len = msgq_receive(&queue, type, &data, &prio);

		if (len >= 0) {
			hold(data, (size_t)len, prio);
			got++;
			idle = false;
			if ((got & 255) == 0 && (sig = take_signal()))
				break;
			if (out_pipe && pipe_unread() == 0)
				deliver();
			continue;
		}
		if (errno != EAGAIN) {
			int e = errno;
			deliver();
			if (e == EIDRM)
				errx(EXIT_FAIL, "%s: the queue was removed",
				    queue.text);
			errno = e;
			err(EXIT_FAIL, "%s", queue.text);
		}
		if (!out_pipe || (pending.n && pipe_unread() == 0))
			deliver();
		if (!idle) {
			idle = true;
			deadline_start(&dl, opt_timeout ? &timeout : NULL);
			backoff_reset(&qb);
			backoff_reset(&drain_backoff);
		}
		sig = wait_event(&dl, &qb);
		if (sig < 0) {
			status = got ? EXIT_OK : EXIT_TIMEOUT;
			sig = 0;
			break;
		}
		if (sig > 0)
			break;
	}
	deliver();
	if (out_pipe)
		wait_drained();
	if (sig)
		die_by(sig);
	return status;
}

int
main(int argc, const char **argv)
{
	struct ipc_operand op;
	struct msgq_create create;
	struct stat st;
	const char *qarg;
	int status = EXIT_OK;

	atexit(close_stdout);
	pc = cmdline_parse_or_err(argc, argv, options, "[OPTION]... QUEUE");
	qarg = poptGetArg(pc);
	if (!qarg)
		usage_error("missing QUEUE operand");
	if (poptPeekArg(pc))
		usage_error("extra operand '%s'", poptPeekArg(pc));
	ipc_operand_or_err(qarg, MSGQ_NAME_MAX, &op);
	if (opt_type) {
		if (op.flavor == IPC_POSIX)
			usage_error("-T: types are for System V queues; %s is "
			    "POSIX", qarg);
		type = type_or_err(opt_type);
	}
	msgq_create_or_err(&create, &op, msgq_create_args.create,
	    msgq_create_args.max_messages, msgq_create_args.message_size,
	    msgq_create_args.mode);
	/* Values of -n and -t are checked here too, before any queue opens. */
	if (opt_count)
		number_or_err("-n", opt_count, 1, ULONG_MAX);
	if (opt_timeout)
		duration_or_err("-t", opt_timeout);
	/* A closed stdout would be reused by the queue's descriptor. */
	if (fstat(STDOUT_FILENO, &st) < 0)
		errx(EXIT_FAIL, "write error: %s", strerror(errno));
	out_pipe = S_ISFIFO(st.st_mode);
	delim = opt_null ? '\0' : '\n';

	setup_signals();
	msgq_open_or_err(&queue, &op, MSGQ_RECEIVE, &create);
	if (opt_stat) {
		if (msgq_print_stat(&queue, stdout) < 0)
			err(EXIT_FAIL, "%s", queue.text);
	} else {
		batch_init(&pending, queue.msgsize);
		batch_init(&inpipe, queue.msgsize);
		status = receive_loop();
	}
	if (opt_unlink && msgq_unlink(&queue) < 0)
		err(EXIT_FAIL, "%s", queue.text);
	msgq_close(&queue);
	poptFreeContext(pc);
	return status;
}
