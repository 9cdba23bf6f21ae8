/* SPDX-License-Identifier: MIT */
/*
 * sigwaitfor: wait for signals from the shell, with no race.
 *
 * Blocks the SIGNALs given as operands before anything else happens, then
 * writes the pidfile (-p) and starts COMMAND (after "--"), so a signal sent
 * as soon as either is visible is never lost.  Each signal that arrives is
 * written to standard output as one flushed line: its name (-N: number),
 * with -i its si_code, sender and sigqueue value.  Reads nothing.  Exits 0
 * once -n signals came (or --pid's process exited, printing "exited"), 124
 * when -t expired first, 1 when COMMAND exited first or something failed,
 * 2 on a usage error, 126/127 when COMMAND could not be run; with -n 0 and
 * a COMMAND, COMMAND's own status when it ends.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <popt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_PIDFD_OPEN
#include <sys/pidfd.h>
#endif
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline.h"
#include "deadline.h"
#include "diag.h"
#include "fullio.h"
#include "parse.h"
#include "process.h"

static char *opt_count;		/* -n: signals to wait for, 0 = forever */
static int opt_numeric;		/* -N: print numbers, not names */
static int opt_info;		/* -i: print code, sender and value */
static char *opt_timeout;	/* -t: give up after this long */
static char *opt_pidfile;	/* -p: where to write our pid once ready */
static char *opt_pid;		/* --pid: also stop when it exits */
static int opt_kill;		/* --kill: TERM COMMAND on timeout */
static int opt_list;		/* -l: list the signals and exit */

static struct poptOption options[] = {
	{ "count", 'n', POPT_ARG_STRING, &opt_count, 0,
	  "wait for N signals, one line each (0: for ever)", "N" },
	{ "numeric", 'N', POPT_ARG_NONE, &opt_numeric, 0,
	  "print signal numbers instead of names", NULL },
	{ "info", 'i', POPT_ARG_NONE, &opt_info, 0,
	  "also print sender pid and uid, si_code and value", NULL },
	{ "timeout", 't', POPT_ARG_STRING, &opt_timeout, 0,
	  "give up after DURATION (exit 124)", "DURATION" },
	{ "pidfile", 'p', POPT_ARG_STRING, &opt_pidfile, 0,
	  "write our pid to FILE once the signals are blocked",
	  "FILE" },
	{ "pid", '\0', POPT_ARG_STRING, &opt_pid, 0,
	  "also stop, printing \"exited\", when process PID exits",
	  "PID" },
	{ "kill", '\0', POPT_ARG_NONE, &opt_kill, 0,
	  "send TERM to COMMAND on timeout and wait for it", NULL },
	{ "list", 'l', POPT_ARG_NONE, &opt_list, 0,
	  "list signal numbers, names and meanings", NULL },
	CMDLINE_COMMON_OPTIONS
	POPT_TABLEEND
};

static const struct cmdline_help help = {
	.synopsis = "[OPTION]... SIGNAL... [-- COMMAND [ARG]...]\n"
	    "-l [SIGNAL]...",
	.forms = "Wait for a SIGNAL and print its name; COMMAND starts once "
	    "they are blocked.\n"
	    "SIGNAL: USR1, SIGUSR1, usr1, 10, RTMIN, RTMIN+3, RTMAX-1 "
	    "(-l lists them)\n"
	    "DURATION: 1.5 (seconds), 250ms, 2m, 1h\n",
	.example = "sigwaitfor -t 5 USR1 -- sh -c 'kill -USR1 $PPID'",
	.command = 1,
};

/* Values of the options above, once parsed. */
static uint64_t count = 1;		/* -n */
static struct timespec timeout;		/* -t */
static pid_t watch_pid;			/* --pid */

static struct inherited_signals inherited;	/* for COMMAND */
static sigset_t fatal_set;	/* signals that end us after cleaning up */
static bool pipe_kills;		/* SIGPIPE neither ignored nor blocked at
				 * start: EPIPE ends us by it */
static dev_t pidfile_dev;	/* identity of the pidfile we renamed */
static ino_t pidfile_ino;
static bool pidfile_made;

/* One received signal, from sigwaitinfo(2) or signalfd(2). */
struct event {
	int signo, code, value, status;
	pid_t pid;
	uid_t uid;
};

/* Do nothing: installed so an awaited signal is neither ignored nor fatal
 * and shows in SigCgt; it never runs, as the signal stays blocked. */
static void
noop_handler(int sig)
{
	(void)sig;
}

/* Remove the pidfile if it is still the one we created. */
static void
remove_pidfile(void)
{
	struct stat st;

	if (pidfile_made && lstat(opt_pidfile, &st) == 0 &&
	    st.st_dev == pidfile_dev && st.st_ino == pidfile_ino)
		unlink(opt_pidfile);
	pidfile_made = false;
}

/* Clean up, then end by SIG as if it had never been caught. */
static void __attribute__((noreturn))
cleanup_and_die(int sig)
{
	remove_pidfile();
	die_by_signal(sig);
}

/* Whether SIGPIPE would end us, had we not blocked it: neither ignored
 * nor blocked by our parent. */
static bool
sigpipe_would_kill(void)
{
	return !sigismember(&inherited.mask, SIGPIPE) &&
	    !sigismember(&inherited.ignored, SIGPIPE);
}

/*
 * At exit, before close_stdout(): when the reader of standard output has
 * gone (--help | true, --list | head -1), end quietly by SIGPIPE as any
 * filter would.  Every signal being blocked from the start, the write got
 * EPIPE instead of the signal.
 */
static void
flush_stdout(void)
{
	if (fflush(stdout) != EOF)
		return;
	if (errno == EPIPE && pipe_kills)
		cleanup_and_die(SIGPIPE);
	/* As close_stdout() would have said, had the data still been there. */
	warn("write error");
	_exit(EXIT_FAIL);
}

/* Write our pid to PIDFILE atomically (temporary file, then rename), or
 * exit 1 leaving nothing behind. */
static void
write_pidfile(void)
{
	size_t len = strlen(opt_pidfile);
	char *tmp = malloc(len + sizeof ".XXXXXX");
	char line[32];
	struct stat st;
	int fd, n, saved;
	bool ok;

	if (tmp == NULL)
		err(EXIT_FAIL, "%s", opt_pidfile);
	memcpy(tmp, opt_pidfile, len);
	memcpy(tmp + len, ".XXXXXX", sizeof ".XXXXXX");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		err(EXIT_FAIL, "%s", opt_pidfile);
	n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
	ok = full_write(fd, line, (size_t)n) == (size_t)n &&
	    fstat(fd, &st) == 0;
	saved = errno;
	if (close(fd) < 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (ok && rename(tmp, opt_pidfile) < 0) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		unlink(tmp);
		errno = saved;
		err(EXIT_FAIL, "%s", opt_pidfile);
	}
	free(tmp);
	pidfile_dev = st.st_dev;
	pidfile_ino = st.st_ino;
	pidfile_made = true;
}

/* The si_code of a signal as a word, or NULL when it has none. */
static const char *
code_word(int sig, int code)
{
	switch (code) {
	case SI_USER: return "user";
	case SI_QUEUE: return "queue";
	case SI_TIMER: return "timer";
	case SI_MESGQ: return "mesgq";
	case SI_ASYNCIO: return "asyncio";
	case SI_SIGIO: return "sigio";
	case SI_TKILL: return "tkill";
	case SI_KERNEL: return "kernel";
	case SI_ASYNCNL: return "asyncnl";
	}
	if (sig == SIGCHLD) {
		switch (code) {
		case CLD_EXITED: return "exited";
		case CLD_KILLED: return "killed";
		case CLD_DUMPED: return "dumped";
		case CLD_TRAPPED: return "trapped";
		case CLD_STOPPED: return "stopped";
		case CLD_CONTINUED: return "continued";
		}
	}
	return NULL;
}

/* Format EV as the line -N and -i ask for, newline included, into BUF. */
static void
format_event(const struct event *ev, char *buf, size_t size)
{
	char name[SIGNAL_NAME_MAX];
	const char *word = code_word(ev->signo, ev->code);
	bool child = ev->signo == SIGCHLD && ev->code > 0;
	bool sender = ev->code == SI_USER || ev->code == SI_QUEUE ||
	    ev->code == SI_TKILL || ev->code == SI_MESGQ || child;
	bool value = ev->code == SI_QUEUE || ev->code == SI_TIMER ||
	    ev->code == SI_MESGQ || ev->code == SI_ASYNCIO;
	size_t n;

	if (opt_numeric)
		n = (size_t)snprintf(buf, size, "%d", ev->signo);
	else
		n = (size_t)snprintf(buf, size, "%s",
		    signal_name(ev->signo, name, sizeof name));
	if (opt_info) {
		if (sender)
			n += (size_t)snprintf(buf + n, size - n,
			    " pid=%ld uid=%lu", (long)ev->pid,
			    (unsigned long)ev->uid);
		if (word)
			n += (size_t)snprintf(buf + n, size - n, " code=%s",
			    word);
		else
			n += (size_t)snprintf(buf + n, size - n, " code=%d",
			    ev->code);
		if (value)
			n += (size_t)snprintf(buf + n, size - n, " value=%d",
			    ev->value);
		if (child)
			n += (size_t)snprintf(buf + n, size - n, " status=%d",
			    ev->status);
	}
	snprintf(buf + n, size - n, "\n");
}

/* Write LINE at once with one write(2) (stdio would hold it back in a
 * pipe); a broken pipe ends us by SIGPIPE, another write error exits 1
 * with "write error". */
static void
print_line(const char *line)
{
	size_t len = strlen(line);

	if (full_write(STDOUT_FILENO, line, len) == len)
		return;
	if (errno == EPIPE && pipe_kills)
		cleanup_and_die(SIGPIPE);
	warn("write error");
	exit(EXIT_FAIL);
}

/* Print every signal (or those named in SIGS) as number, name, meaning. */
static void
list_signals(const char **sigs)
{
	char line[128], name[SIGNAL_NAME_MAX];

	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		const char *what = NULL;

		if (sigs != NULL) {
			bool named = false;
			for (const char **s = sigs; *s; s++)
				named |= parse_signal(*s) == sig;
			if (!named)
				continue;
		} else if (parse_signal(signal_name(sig, name,
		    sizeof name)) != sig) {
			continue;	/* reserved by glibc */
		}
		if (sig >= SIGRTMIN)
			what = "Real-time signal (queued, may carry a value)";
#ifdef HAVE_SIGDESCR_NP
		if (what == NULL)
			what = sigdescr_np(sig);
#endif
		if (what == NULL)
			what = strsignal(sig);
		snprintf(line, sizeof line, "%2d %-8s %s\n", sig,
		    signal_name(sig, name, sizeof name), what);
		print_line(line);
	}
}

/* Open a pidfd for PID, or return -1 with errno set. */
static int
open_pidfd(pid_t pid)
{
#ifdef HAVE_PIDFD_OPEN
	return pidfd_open(pid, 0);
#else
	return (int)syscall(SYS_pidfd_open, pid, 0);
#endif
}

/* Start ARGV with the inherited mask and dispositions, or exit 126/127
 * with the reason; return its pid. */
static pid_t
start_command(char **argv)
{
	int pfd[2], child_errno;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		err(EXIT_CANNOT_RUN, "%s", argv[0]);
	pid = fork();
	if (pid < 0)
		err(EXIT_CANNOT_RUN, "%s", argv[0]);
	if (pid == 0) {
		close(pfd[0]);
		inherited_signals_restore(&inherited);
		execvp(argv[0], argv);
		child_errno = errno;
		(void)!write(pfd[1], &child_errno, sizeof child_errno);
		_exit(command_exec_status(child_errno));
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &child_errno, sizeof child_errno);
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n != 0) {
		/* exec failed: the child has exited, reap it. */
		if (n < 0)
			child_errno = errno;
		command_wait(pid);
		errno = child_errno;
		err(command_exec_status(errno), "%s", argv[0]);
	}
	return pid;
}

/* Reap the exited COMMAND PID and return its status as a shell shows it,
 * printing why it ended before a signal came when WARN is set. */
static int
reap_command(pid_t pid, const char *name, bool warn)
{
	char sname[SIGNAL_NAME_MAX];
	int status = command_wait(pid);

	if (status < 0)
		err(EXIT_FAIL, "%s", name);
	if (warn && WIFSIGNALED(status))
		warnx("%s: killed by signal %s before a signal came", name,
		    signal_name(WTERMSIG(status), sname, sizeof sname));
	else if (warn)
		warnx("%s: exited with status %d before a signal came", name,
		    WEXITSTATUS(status));
	return command_status(status);
}

/* Fill EV from the siginfo_t SI of sigwaitinfo(2) or sigtimedwait(2). */
static void
event_from_siginfo(const siginfo_t *si, struct event *ev)
{
	ev->signo = si->si_signo;
	ev->code = si->si_code;
	ev->pid = si->si_pid;
	ev->uid = si->si_uid;
	ev->value = si->si_value.sival_int;
	ev->status = si->si_status;
}

/* Take one pending signal of SET without waiting into EV; return whether
 * there was one. */
static bool
take_pending(const sigset_t *set, struct event *ev)
{
	static const struct timespec zero;
	siginfo_t si;

	if (sigtimedwait(set, &si, &zero) < 0)
		return false;
	event_from_siginfo(&si, ev);
	return true;
}

/* Wait for a signal of SET until DL, with nothing else to watch.  Return
 * 1 with EV filled, or 0 on timeout. */
static int
wait_signal(const sigset_t *set, const struct deadline *dl, struct event *ev)
{
	for (;;) {
		struct timespec left;
		siginfo_t si;
		int r;

		if (dl->forever) {
			r = sigwaitinfo(set, &si);
		} else {
			left = deadline_left(dl);
			r = sigtimedwait(set, &si, &left);
		}
		if (r >= 0) {
			event_from_siginfo(&si, ev);
			return 1;
		}
		if (errno == EAGAIN)
			return 0;
		if (errno != EINTR)
			err(EXIT_FAIL, "sigwaitinfo");
	}
}

/* Read one signal from the signalfd SFD into EV; return whether there
 * was one. */
static bool
read_signalfd(int sfd, struct event *ev)
{
	struct signalfd_siginfo ssi;
	ssize_t n = read(sfd, &ssi, sizeof ssi);

	if (n == (ssize_t)sizeof ssi) {
		ev->signo = (int)ssi.ssi_signo;
		ev->code = ssi.ssi_code;
		ev->pid = (pid_t)ssi.ssi_pid;
		ev->uid = ssi.ssi_uid;
		ev->value = ssi.ssi_int;
		ev->status = ssi.ssi_status;
		return true;
	}
	if (n >= 0 || (errno != EAGAIN && errno != EINTR))
		err(EXIT_FAIL, "signalfd");
	return false;
}

/* What sigwaitfor watches besides the signals: the signalfd of the set
 * waited for (pfd[0]), then the pidfds of --pid's process and COMMAND. */
struct watch {
	struct pollfd pfd[3];
	nfds_t n;		/* entries in use; 1: signals only */
	int cmd_slot;		/* COMMAND's entry, or -1 */
	pid_t cmd_pid;		/* COMMAND, or 0 */
};

/*
 * Wait for a signal of SET until DL, watching W's pidfds too.  Return 1
 * with EV filled, 0 on timeout, or -1 - i when W's entry i (a process)
 * has ended.  A signal sent before an exit wins over the exit.
 */
static int
wait_event(const sigset_t *set, const struct deadline *dl,
    struct watch *w, struct event *ev)
{
	if (w->n == 1)
		return wait_signal(set, dl, ev);
	for (;;) {
		int r = poll(w->pfd, w->n, deadline_poll_ms(dl));

		if (r < 0 && errno != EINTR)
			err(EXIT_FAIL, "poll");
		if (r == 0 && deadline_expired(dl))
			return 0;
		if (r <= 0)
			continue;
		if (w->pfd[0].revents && read_signalfd(w->pfd[0].fd, ev))
			return 1;
		for (nfds_t i = 1; i < w->n; i++)
			if (w->pfd[i].revents)
				return take_pending(set, ev) ? 1 : -1 - (int)i;
	}
}

/* Add PID's pidfd to W, naming it WHAT on failure; return its entry. */
static int
watch_process(struct watch *w, pid_t pid, const char *what)
{
	int fd = open_pidfd(pid);

	if (fd < 0 && errno == ESRCH)
		errx(EXIT_FAIL, "%s: no such process", what);
	if (fd < 0)
		err(EXIT_FAIL, "%s", what);
	w->pfd[w->n] = (struct pollfd){ .fd = fd, .events = POLLIN };
	return (int)w->n++;
}

/*
 * Parse the command line into the options, *COMMAND (after "--") and
 * the SIGNAL operands, which are returned; exit 2 on a bad one.  With
 * --list, list the signals and exit 0.
 */
static const char **
parse_or_err(int argc, char **argv, char ***command)
{
	const char **sigs = cmdline_parse_or_err(
	    cmdline_split_command(argc, argv, command), (const char **)argv,
	    options, &help);

	if (*command && !(*command)[0])
		usage_error("no COMMAND after '--'");
	for (const char **s = sigs; *s; s++) {
		if (parse_signal(*s) >= 0)
			continue;
		/* After a signal, an unknown word is likely a COMMAND. */
		if (s > sigs)
			usage_error("unknown signal: '%s' (a COMMAND goes after "
			    "'--')", *s);
		usage_error("unknown signal: '%s'", *s);
	}
	/* Before the pidfile or COMMAND: a signal could not be reported. */
	if (fcntl(STDOUT_FILENO, F_GETFD) < 0)
		err(EXIT_FAIL, "write error");
	if (opt_list && *command)
		usage_error("--list takes no COMMAND");
	if (opt_list) {
		list_signals(sigs[0] ? sigs : NULL);
		exit(EXIT_OK);
	}
	if (!sigs[0])
		usage_error("no signal to wait for");
	if (opt_count)
		count = number_or_err("-n", opt_count, 0, UINT64_MAX);
	if (opt_timeout)
		timeout = duration_or_err("-t", opt_timeout);
	if (opt_pid)
		watch_pid = (pid_t)number_or_err("--pid", opt_pid, 1, INT_MAX);
	if (opt_kill && !*command)
		usage_error("--kill needs a COMMAND");
	for (const char **s = sigs; *s; s++)
		if (parse_signal(*s) == SIGKILL || parse_signal(*s) == SIGSTOP)
			usage_error("'%s' cannot be waited for", *s);
	return sigs;
}

/*
 * Make the signals SIGS name the set waited for, returned: each gets a
 * handler that never runs (an ignored signal would be discarded once
 * unblocked, and kill --require-handler looks for one), and with a
 * pidfile to remove, the usual fatal signals (unless ignored, blocked or
 * awaited) join the set as fatal_set, to end us after removing it.
 * Every other signal gets back the mask it had.
 */
static sigset_t
await_signals(const char **sigs, bool command)
{
	static const int cleanup_sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM,
	    SIGPIPE };
	struct sigaction noop = { .sa_handler = noop_handler };
	sigset_t set, mask = inherited.mask;

	sigemptyset(&set);
	for (const char **s = sigs; *s; s++) {
		sigaddset(&set, parse_signal(*s));
		sigaction(parse_signal(*s), &noop, NULL);
	}
	/* COMMAND must not be reaped behind our back. */
	if (command && !sigismember(&set, SIGCHLD))
		signal(SIGCHLD, SIG_DFL);
	sigemptyset(&fatal_set);
	for (size_t i = 0; opt_pidfile &&
	    i < sizeof cleanup_sigs / sizeof *cleanup_sigs; i++) {
		int sig = cleanup_sigs[i];
		if (!sigismember(&set, sig) &&
		    !sigismember(&inherited.mask, sig) &&
		    !sigismember(&inherited.ignored, sig))
			sigaddset(&fatal_set, sig);
	}
	sigorset(&set, &set, &fatal_set);
	sigorset(&mask, &mask, &set);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	return set;
}

/*
 * Once the signals SET are blocked: watch --pid's process, write the
 * pidfile, start COMMAND, in that order, and open the signalfd when
 * there is a process to watch besides.
 */
static void
get_ready(const sigset_t *set, char **command, struct watch *w)
{
	char what[32];

	w->n = 1;
	w->cmd_slot = -1;
	w->cmd_pid = 0;
	if (watch_pid) {
		snprintf(what, sizeof what, "--pid %ld", (long)watch_pid);
		watch_process(w, watch_pid, what);
	}
	if (opt_pidfile) {
		write_pidfile();
		atexit(remove_pidfile);
	}
	if (command) {
		w->cmd_pid = start_command(command);
		w->cmd_slot = watch_process(w, w->cmd_pid, command[0]);
	}
	if (w->n > 1) {
		w->pfd[0].fd = signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC);
		if (w->pfd[0].fd < 0)
			err(EXIT_FAIL, "signalfd");
		w->pfd[0].events = POLLIN;
	}
}

/*
 * Print the signals of SET as they come, -n of them (0: for ever), until
 * the deadline DL, --pid's process or COMMAND (of W) ends it; return the
 * exit status.
 */
static int
report_signals(const sigset_t *set, const struct deadline *dl,
    struct watch *w, char **command)
{
	uint64_t received = 0;
	struct event ev;
	char line[160];
	int rc;

	while (count == 0 || received < count) {
		rc = wait_event(set, dl, w, &ev);
		if (rc == 0) {
			if (w->cmd_pid && opt_kill) {
				kill(w->cmd_pid, SIGTERM);
				reap_command(w->cmd_pid, command[0], false);
			}
			return received > 0 && count == 0 ? EXIT_OK :
			    EXIT_TIMEOUT;
		}
		if (rc < 0 && -1 - rc == w->cmd_slot) {
			int status = reap_command(w->cmd_pid, command[0],
			    count != 0);
			return count == 0 ? status : EXIT_FAIL;
		}
		if (rc < 0) {
			print_line("exited\n");
			return EXIT_OK;
		}
		if (sigismember(&fatal_set, ev.signo))
			cleanup_and_die(ev.signo);
		format_event(&ev, line, sizeof line);
		print_line(line);
		received++;
	}
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	sigset_t all, set;
	struct deadline dl;
	struct watch w;
	char **command;
	const char **sigs;

	atexit(close_stdout);
	inherited_signals_save(&inherited);
	/* Block every signal first, so none sent from now on is lost; the
	 * ones we do not wait for are unblocked again once parsed. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	pipe_kills = sigpipe_would_kill();
	atexit(flush_stdout);

	sigs = parse_or_err(argc, argv, &command);
	set = await_signals(sigs, command != NULL);
	get_ready(&set, command, &w);
	deadline_start(&dl, opt_timeout ? &timeout : NULL);
	return report_signals(&set, &dl, &w, command);
}
