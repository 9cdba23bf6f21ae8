/* SPDX-License-Identifier: MIT */
/*
 * mqrecv: receive messages from a POSIX or System V message queue and
 * write them to standard output as records.
 *
 * Each message is written followed by a newline (NUL with -0), optionally
 * preceded by its priority or type and a tab (-P).  It runs until -n
 * messages came (exit 0), until -t passed with no message (exit 0 if any
 * came, 124 if none), or for ever; --unlink alone removes the queue.
 *
 * A message is received only when it can be written at once: nothing is
 * held while mqrecv waits for its reader.  Into a pipe a message counts as
 * delivered only once the reader has read it: the pipe is shrunk to one
 * page, which makes poll(2) report it writable exactly when it is empty,
 * and the next message is received only then, so a reader that stops
 * early (head -n K) leaves exactly what it did not read.  --batch, and
 * any other output, take as many messages as are ready, up to a page of
 * records, and a completed write(2) is delivery.  A message that was
 * received but not delivered is put back; one that cannot be put back is
 * written to standard error, and mqrecv then exits 1.
 *
 * SIGINT, SIGTERM and SIGHUP end every wait at once: the messages in hand
 * are finished if the output takes them without waiting, else put back,
 * and mqrecv dies by that signal.  A reader that goes away ends it by
 * SIGPIPE, once what the reader did not read is back in the queue.
 *
 * With "-- COMMAND [ARG]..." mqrecv is a worker instead: each message runs
 * COMMAND on its standard input (worker.c, beside this file).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <popt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "deadline.h"
#include "diag.h"
#include "fullio.h"
#include "ipcobj.h"
#include "msgq.h"
#include "parse.h"
#include "process.h"
#include "worker.h"

static char *opt_count;		/* -n: stop after this many messages */
static char *opt_timeout;	/* -t: stop after this long with no message */
static int opt_null;		/* -0: end records with NUL */
static int opt_show_prio;	/* -P: prefix priority or type and a tab */
static char *opt_type;		/* -T: System V type selector */
static int opt_batch;		/* --batch: fill a pipe, not one at a time */
static int opt_stat;		/* --stat: print attributes, receive nothing */
static int opt_unlink;		/* --unlink: remove the queue */
static struct msgq_create_args opt_create;	/* -c and its sizes, mode */

static struct poptOption options[] = {
	{ "count", 'n', POPT_ARG_STRING, &opt_count, 0,
	  "stop after N messages (with COMMAND: N successes)", "N" },
	{ "timeout", 't', POPT_ARG_STRING, &opt_timeout, 0,
	  "stop when no message came for DURATION (0: drain)",
	  "DURATION" },
	{ "null", '0', POPT_ARG_NONE, &opt_null, 0,
	  "end each record with NUL, not newline", NULL },
	{ "show-priority", 'P', POPT_ARG_NONE, &opt_show_prio, 0,
	  "prefix each record with its priority/type and a tab", NULL },
	{ "type", 'T', POPT_ARG_STRING, &opt_type, 0,
	  "System V: take type TYPE (0: any, -N: lowest <= N)",
	  "TYPE" },
	{ "batch", '\0', POPT_ARG_NONE, &opt_batch, 0,
	  "write batches into a pipe, for readers that read all", NULL },
	MSGQ_CREATE_OPTIONS(opt_create)
	WORKER_OPTIONS
	{ "stat", '\0', POPT_ARG_NONE, &opt_stat, 0,
	  "print the queue's attributes as key=value lines", NULL },
	{ "unlink", '\0', POPT_ARG_NONE, &opt_unlink, 0,
	  "remove the queue (after receiving, with -n or -t)", NULL },
	CMDLINE_COMMON_OPTIONS
	POPT_TABLEEND
};

static const struct cmdline_help help = {
	.synopsis = "[OPTION]... QUEUE\n"
	    "[OPTION]... QUEUE -- COMMAND [ARG]...",
	.forms = IPC_OPERAND_FORMS("QUEUE")
	    "COMMAND: run per message, on its standard input; consumed if "
	    "it exits 0\n",
	.example = "mqrecv -t 0 jobs | sort",
	.command = 1,
};

/* What standard output is, which decides how a write may wait. */
enum out_kind {
	OUT_FILE,	/* regular file or block device: never waits */
	OUT_PIPE,	/* pipe or FIFO: its reader may read or leave */
	OUT_SOCKET,	/* socket: sent without blocking (MSG_DONTWAIT) */
	OUT_OTHER,	/* terminal, /dev/null...: waited for with poll(2) */
};

/* A message held in the chunk: its text is buf[off, off + len). */
struct held {
	size_t off, len, end;	/* end: just past its terminator */
	long prio;
};

/* Records received and not yet known to be delivered. */
struct chunk {
	char *buf;
	size_t size, len;
	size_t written;		/* bytes of buf already written */
	struct held *msgs;
	size_t n, max;
};

/* File scope, like the state below, so that an exit(3) from anywhere
 * leaves it reachable (no leak reports from LeakSanitizer). */
static struct ipc_operand operand;	/* QUEUE as parsed */
static struct msgq queue;		/* the open queue */
static long type;			/* -T */
static int delim;			/* record terminator */
static enum out_kind out_kind;		/* what standard output is */
static bool exact;			/* a pipe: one message in it at a time */
static bool one_page;			/* the pipe was shrunk to one page */
static int pipe_size_was;		/* its size before, to restore it */
static size_t page;			/* the page size: one pipe slot */
static size_t room;			/* bytes the output takes without
					 * blocking, as far as we know */
static struct chunk chunk;		/* received, not yet delivered */
static volatile sig_atomic_t stop_sig;	/* SIGINT, SIGTERM or SIGHUP came */
static sigset_t wait_mask;		/* the signal mask while waiting */
static bool spilled;			/* a message went to standard error */

/* Remember the stop signal; the wait it interrupted looks at it. */
static void
on_stop(int sig)
{
	stop_sig = sig;
}

/* Block the stop signals not ignored at start, with a handler each, so
 * that only waits let them in; block SIGPIPE, waits included, so a gone
 * reader is EPIPE. */
static void
setup_signals(void)
{
	sigset_t stops = catch_stop_signals(on_stop), set = stops;

	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &wait_mask);
	sigaddset(&wait_mask, SIGPIPE);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&stops, sig))
			sigdelset(&wait_mask, sig);
}

/* Take a stop signal that came while none was let in: a wait of no time
 * with the waiting mask. */
static void
take_signals(void)
{
	struct timespec zero = { 0, 0 };

	ppoll(NULL, 0, &zero, &wait_mask);
}

/* Give the pipe back the size it had. */
static void
restore_pipe(void)
{
	if (pipe_size_was > 0)
		fcntl(STDOUT_FILENO, F_SETPIPE_SZ, pipe_size_was);
	pipe_size_was = 0;
}

/* End after a signal SIG or a gone reader (SIGPIPE): exit 1 if a message
 * had to go to standard error, else die by SIG as its default action
 * would. */
static void __attribute__((noreturn))
finish(int sig)
{
	restore_pipe();
	if (spilled)
		exit(EXIT_FAIL);
	die_by_signal(sig);
}

/* Allocate the chunk for a page of records and one of up to MSGSIZE
 * bytes, or exit 1. */
static void
chunk_init(size_t msgsize)
{
	chunk.size = page + msgsize + 32;
	chunk.max = page + 2;
	chunk.buf = malloc(chunk.size);
	chunk.msgs = malloc(chunk.max * sizeof *chunk.msgs);
	if (!chunk.buf || !chunk.msgs)
		err(EXIT_FAIL, "%s", queue.text);
}

static void
chunk_clear(void)
{
	chunk.len = chunk.written = chunk.n = 0;
}

/* Write a message that cannot go back to standard error, in full, after a
 * line that says why (E), so that nothing disappears without a trace. */
static void
spill(const char *data, size_t len, long prio, int e)
{
	char why[64];
	char d = (char)delim;

	if (e == EINTR)
		snprintf(why, sizeof why, "the queue is full and SIG%s came",
		    sigabbrev_np(stop_sig));
	else if (e == EIDRM)
		snprintf(why, sizeof why, "the queue was removed");
	else
		snprintf(why, sizeof why, "%s", strerror(e));
	warnx("%s: could not put back a message of %zu bytes (%s %ld): %s; "
	    "here it is:", queue.text, len, queue.flavor == IPC_POSIX ?
	    "priority" : "type", prio, why);
	full_write(STDERR_FILENO, data, len);
	full_write(STDERR_FILENO, &d, 1);
	spilled = true;
}

/*
 * Put a message back into the queue, waiting for room if others filled
 * it (saying so after a second), until a stop signal; what cannot go back
 * goes to standard error.
 */
static void
put_back_one(const char *data, size_t len, long prio)
{
	struct timespec second = { 1, 0 };
	struct deadline dl;
	struct msgq_wait w = { .dl = &dl, .mask = &wait_mask,
	    .stop = &stop_sig, .watch = -1 };

	deadline_start(&dl, &second);
	if (msgq_send(&queue, data, len, prio, &w) == 0)
		return;
	if (errno == ETIMEDOUT) {
		warnx("%s: the queue is full: waiting for room to put back a "
		    "message", queue.text);
		w.dl = NULL;
		if (msgq_send(&queue, data, len, prio, &w) == 0)
			return;
	}
	spill(data, len, prio, errno);
}

/* Put back every held message whose record ends past byte FROM of the
 * chunk (not wholly written, or not read), then empty the chunk. */
static void
put_back_from(size_t from)
{
	for (size_t i = 0; i < chunk.n; i++) {
		struct held *h = &chunk.msgs[i];
		if (h->end > from)
			put_back_one(chunk.buf + h->off, h->len, h->prio);
	}
	chunk_clear();
}

/* Bytes written to the pipe that its reader has not read (0 for any other
 * output). */
static size_t
pipe_unread(void)
{
	int n = 0;

	if (out_kind != OUT_PIPE || ioctl(STDOUT_FILENO, FIONREAD, &n) < 0)
		return 0;
	return n < 0 ? 0 : (size_t)n;
}

/* The reader went away: put back what it did not read whole, then end by
 * SIGPIPE.  With --batch, records of earlier writes count as delivered. */
static void __attribute__((noreturn))
reader_left(void)
{
	size_t unread = pipe_unread();

	if (!exact && unread > chunk.written)
		warnx("standard output: the reader left %zu bytes unread, "
		    "which --batch does not put back", unread - chunk.written);
	put_back_from(chunk.written > unread ? chunk.written - unread : 0);
	finish(SIGPIPE);
}

/* Writing failed with error E: put back what was not written, then end
 * as ipcutils(7) says. */
static void __attribute__((noreturn))
write_failed(int e)
{
	if (e == EPIPE)
		reader_left();
	put_back_from(chunk.written);
	errno = e;
	err(EXIT_FAIL, "write error");
}

/* Whether the pipe's reader (or a socket's peer) has gone. */
static bool
reader_gone(void)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = 0 };

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLERR | POLLHUP));
}

/*
 * Wait until standard output takes a write without blocking, and set
 * room.  Return 0, or EINTR when a stop signal came, EPIPE when the reader
 * went away.  A regular file never waits; there only the signals are
 * looked at.
 */
static int
await_room(void)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = POLLOUT };

	if (out_kind == OUT_FILE) {
		take_signals();
		room = SIZE_MAX;
		return stop_sig ? EINTR : 0;
	}
	while (!stop_sig) {
		if (ppoll(&pfd, 1, NULL, &wait_mask) < 0)
			continue;
		if (pfd.revents & (POLLERR | POLLHUP))
			return EPIPE;
		if (pfd.revents & POLLOUT) {
			room = page;
			return 0;
		}
	}
	return EINTR;
}

/*
 * Without a one-page pipe: wait until FIONREAD shows the pipe empty,
 * looking again after 100 us, doubling up to 10 ms.  Return as
 * await_room() does.
 */
static int
await_empty_by_looking(void)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = 0 };
	struct timespec ts = { 0, 100000 };

	while (!stop_sig && pipe_unread() > 0) {
		if (ppoll(&pfd, 1, &ts, &wait_mask) > 0 &&
		    (pfd.revents & (POLLERR | POLLHUP)))
			return EPIPE;
		ts.tv_nsec = ts.tv_nsec * 2 < 10000000 ? ts.tv_nsec * 2 :
		    10000000;
	}
	if (stop_sig)
		return EINTR;
	room = page;
	return 0;
}

/*
 * Into a pipe without --batch: wait until the reader has read all of it,
 * which delivers the message in it.  A gone reader ends mqrecv through
 * reader_left(); a stop signal ends it at once, the message left in the
 * pipe for the reader.
 */
static void
await_read(void)
{
	int r = one_page ? await_room() : await_empty_by_looking();

	if (r == EPIPE || (r == EINTR && reader_gone()))
		reader_left();
	if (r == EINTR)
		finish(stop_sig);
	chunk_clear();
}

/* Write the chunk, each piece no larger than the output takes at once,
 * waiting for room in between; a stop signal while waiting puts back
 * what is not written.  Not full_write(): the waits must let the stop
 * signals in, and a socket is sent to without blocking. */
static void
flush(void)
{
	while (chunk.written < chunk.len) {
		size_t left = chunk.len - chunk.written;
		ssize_t n;
		int r = room > 0 ? 0 : await_room();

		if (r == EPIPE)
			reader_left();
		if (r == EINTR) {
			put_back_from(chunk.written);
			finish(stop_sig);
		}
		if (left > room)
			left = room;
		if (out_kind == OUT_SOCKET)
			n = send(STDOUT_FILENO, chunk.buf + chunk.written, left,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			n = write(STDOUT_FILENO, chunk.buf + chunk.written,
			    left);
		if (n > 0) {
			chunk.written += (size_t)n;
			if (room != SIZE_MAX)
				room -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			room = 0;
		} else if (n == 0 || errno != EINTR) {
			write_failed(n == 0 ? EIO : errno);
		}
	}
	if (!exact)
		chunk_clear();
}

/* Add a received message to the chunk as a record. */
static void
hold(const char *data, size_t len, long prio)
{
	char prefix[24] = "";
	size_t plen = 0, need;
	struct held *h;

	if (opt_show_prio)
		plen = (size_t)snprintf(prefix, sizeof prefix, "%ld\t", prio);
	need = chunk.len + plen + len + 1;
	if (need > chunk.size) {
		/* A System V message longer than kernel.msgmax is now. */
		char *p = realloc(chunk.buf, need);
		if (!p) {
			int e = errno;
			put_back_one(data, len, prio);
			errno = e;
			err(EXIT_FAIL, "%s", queue.text);
		}
		chunk.buf = p;
		chunk.size = need;
	}
	h = &chunk.msgs[chunk.n++];
	memcpy(chunk.buf + chunk.len, prefix, plen);
	h->off = chunk.len + plen;
	h->len = len;
	h->prio = prio;
	memcpy(chunk.buf + h->off, data, len);
	chunk.buf[h->off + len] = (char)delim;
	h->end = chunk.len = h->off + len + 1;
}

/* Whether the chunk should take another message before it is written. */
static bool
chunk_takes_more(void)
{
	size_t limit = room < page ? room : page;

	return !exact && chunk.len < limit && chunk.n < chunk.max;
}

/*
 * Receive the first message of a chunk, waiting until DL.  Return 1, or 0
 * when DL expired; a stop signal, a gone reader or an error end mqrecv.
 */
static int
receive_first(const struct deadline *dl)
{
	struct msgq_wait w = { .dl = dl, .mask = &wait_mask,
	    .stop = &stop_sig, .watch = out_kind == OUT_FILE ? -1 :
	    STDOUT_FILENO };
	const char *data;
	long prio;
	ssize_t n = msgq_receive(&queue, type, &data, &prio, &w);

	if (n >= 0) {
		hold(data, (size_t)n, prio);
		return 1;
	}
	if (errno == ETIMEDOUT)
		return 0;
	if (errno == EINTR)
		finish(stop_sig);
	if (errno == EPIPE)
		reader_left();
	if (errno == EIDRM)
		errx(EXIT_FAIL, "%s: the queue was removed", queue.text);
	err(EXIT_FAIL, "%s", queue.text);
}

/* Take the messages that are ready, without waiting, while the chunk has
 * room and LEFT allows; return how many. */
static unsigned long
receive_more(unsigned long left)
{
	unsigned long got = 0;
	const char *data;
	long prio;

	while (got < left && chunk_takes_more()) {
		ssize_t n = msgq_receive(&queue, type, &data, &prio, NULL);
		if (n < 0) {
			int e = errno;
			if (e == EAGAIN)
				break;
			flush();
			if (e == EIDRM)
				errx(EXIT_FAIL, "%s: the queue was removed",
				    queue.text);
			errno = e;
			err(EXIT_FAIL, "%s", queue.text);
		}
		hold(data, (size_t)n, prio);
		got++;
	}
	return got;
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
	unsigned long limit = ULONG_MAX, got = 0;
	struct timespec timeout;
	struct deadline dl;
	int status = EXIT_OK;

	if (opt_count)
		limit = (unsigned long)number_or_err("-n", opt_count, 1,
		    ULONG_MAX);
	if (opt_timeout)
		timeout = duration_or_err("-t", opt_timeout);
	while (got < limit) {
		int r = 0;

		if (exact)
			await_read();
		else if (room == 0 || out_kind == OUT_FILE)
			r = await_room();
		if (r == EINTR)
			finish(stop_sig);
		if (r == EPIPE)
			reader_left();
		deadline_start(&dl, opt_timeout ? &timeout : NULL);
		if (!receive_first(&dl)) {
			status = got ? EXIT_OK : EXIT_TIMEOUT;
			break;
		}
		got++;
		got += receive_more(limit - got);
		flush();
	}
	if (exact)
		await_read();
	return status;
}

/* Shrink the pipe on standard output to one page, so that poll(2) says
 * POLLOUT exactly when its reader has emptied it; say so if it cannot. */
static void
shrink_pipe(void)
{
	int was = fcntl(STDOUT_FILENO, F_GETPIPE_SZ);

	if (fcntl(STDOUT_FILENO, F_SETPIPE_SZ, (int)page) < 0) {
		warn("standard output: cannot shrink the pipe to one page, "
		    "so it is watched every 10 ms for its reader to empty it");
		return;
	}
	one_page = true;
	if (was > (int)page)
		pipe_size_was = was;
	atexit(restore_pipe);
}

/* Find out what standard output is and how writes to it can wait. */
static void
setup_output(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) < 0)
		err(EXIT_FAIL, "standard output");
	page = (size_t)sysconf(_SC_PAGESIZE);
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		out_kind = OUT_FILE;
	else if (S_ISFIFO(st.st_mode))
		out_kind = OUT_PIPE;
	else if (S_ISSOCK(st.st_mode))
		out_kind = OUT_SOCKET;
	else
		out_kind = OUT_OTHER;
	exact = out_kind == OUT_PIPE && !opt_batch;
	if (exact)
		shrink_pipe();
}

/* Exit 1 if descriptor FD, standard input or output, is closed: the
 * queue's descriptor would take its place. */
static void
open_or_err(int fd, const char *name)
{
	if (fcntl(fd, F_GETFD) < 0)
		err(EXIT_FAIL, "%s", name);
}

/* Exit 2 when an option of one mode is given in the other: COMMAND is
 * the worker mode's, and its options need it. */
static void
check_mode_or_err(char **command)
{
	const char *w = worker_option_given();

	if (command && !command[0])
		usage_error("missing COMMAND after '--'");
	if (!command && w)
		usage_error("%s needs a COMMAND: mqrecv [OPTION]... QUEUE -- "
		    "COMMAND [ARG]...", w);
	if (command && (opt_null || opt_show_prio || opt_batch || opt_stat ||
	    opt_unlink))
		usage_error("%s writes no records: it has no meaning with a "
		    "COMMAND", opt_null ? "-0" : opt_show_prio ? "-P" :
		    opt_batch ? "--batch" : opt_stat ? "--stat" : "--unlink");
}

/* Parse the command line into the options, operand and COMMAND (NULL
 * without one), or exit 2. */
static void
parse_or_err(int argc, const char **argv, struct msgq_create *create,
    char ***command)
{
	const char **args, *qarg;

	argc = cmdline_split_command(argc, (char **)argv, command);
	args = cmdline_parse_or_err(argc, argv, options, &help);
	qarg = args[0];
	if (!qarg)
		usage_error("missing QUEUE operand");
	if (args[1])
		usage_error("extra operand '%s'", args[1]);
	check_mode_or_err(*command);
	ipc_operand_or_err(qarg, MSGQ_NAME_MAX, &operand);
	if (opt_type) {
		if (operand.flavor == IPC_POSIX)
			usage_error("-T: types are for System V queues; %s is "
			    "POSIX", qarg);
		type = type_or_err(opt_type);
	}
	*create = msgq_create_or_err(&operand, &opt_create);
	/* Values of -n and -t are checked here too, before any queue opens. */
	if (opt_count)
		number_or_err("-n", opt_count, 1, ULONG_MAX);
	if (opt_timeout)
		duration_or_err("-t", opt_timeout);
	if (*command)
		worker_check_or_err(&operand);
}

/* The worker mode: run COMMAND on each message (worker.c). */
static int
run_worker(const struct msgq_create *create, char **command)
{
	struct worker_setup s = { .queue = &operand, .create = create,
	    .type = type, .count = opt_count, .timeout = opt_timeout,
	    .command = command };
	return worker_run(&s);
}

int
main(int argc, const char **argv)
{
	struct msgq_create create;
	char **command;
	bool receiving;
	int status = EXIT_OK;

	atexit(close_stdout);
	parse_or_err(argc, argv, &create, &command);
	open_or_err(STDIN_FILENO, "standard input");
	open_or_err(STDOUT_FILENO, "standard output");
	if (command)
		return run_worker(&create, command);
	delim = opt_null ? '\0' : '\n';
	/* --unlink alone (or with --stat) receives nothing. */
	receiving = !opt_stat && (!opt_unlink || opt_count || opt_timeout);
	if (receiving || opt_stat) {
		setup_signals();
		msgq_open_or_err(&queue, &operand, receiving ? MSGQ_RECEIVE :
		    MSGQ_INSPECT, &create);
	}
	if (opt_stat && msgq_print_stat(&queue, stdout) < 0)
		err(EXIT_FAIL, "%s", queue.text);
	if (receiving) {
		setup_output();
		chunk_init(queue.msgsize);
		status = receive_loop();
	}
	if (opt_unlink && msgq_remove(&operand) < 0) {
		if (errno == ENOENT)
			errx(EXIT_FAIL, "%s: no such message queue", operand.text);
		err(EXIT_FAIL, "%s", operand.text);
	}
	if (receiving || opt_stat)
		msgq_close(&queue);
	free(chunk.buf);
	free(chunk.msgs);
	return status;
}
