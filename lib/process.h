/* SPDX-License-Identifier: MIT */
/*
 * process: how a tool runs a COMMAND and how it ends by a signal, the same
 * way in every tool, as ipcutils(7) describes it.
 *
 * A COMMAND is run with the signal state the tool inherited: a signal
 * that whoever started the tool ignored (nohup's SIGHUP, the SIGINT of a
 * script's & job) stays ignored, every other signal gets its default
 * action, and the signal mask is the one the tool started with.  A COMMAND
 * that cannot be run makes 126, one that is not found 127; a COMMAND's
 * wait status becomes its exit status, or 128+N when signal N killed it.
 *
 * A tool that catches SIGINT, SIGTERM or SIGHUP to finish cleanly
 * (catch_stop_signals()), or that meets EPIPE where SIGPIPE would have
 * killed it, ends by the same signal once it has cleaned up, so that its
 * parent sees what it would have seen had the signal not been caught:
 * die_by_signal().
 */
#ifndef IPCU_PROCESS_H
#define IPCU_PROCESS_H

#include <signal.h>
#include <sys/types.h>

/* The signal state a process started with: all a COMMAND gets back, as
 * execve(2) keeps only the mask and the ignored signals. */
struct inherited_signals {
	sigset_t mask;		/* the signal mask */
	sigset_t ignored;	/* the signals whose action was SIG_IGN */
};

/* Record this process's signal state in S: first thing in main(), before
 * any signal's action or the mask changes. */
void inherited_signals_save(struct inherited_signals *s);

/*
 * Give this process back the state S recorded (in a child about to run a
 * COMMAND): every signal ignored in S ignored, every other at its default
 * action, S's mask.  S NULL: every signal at its default, nothing blocked.
 */
void inherited_signals_restore(const struct inherited_signals *s);

/*
 * Run ARGV (its first word searched in PATH) in place of this process.
 * Never returns: on failure, print "prog: ARGV[0]: reason" and end with
 * _exit(command_exec_status(errno)).
 */
void command_exec(char *const argv[]) __attribute__((noreturn));

/* The exit status for a COMMAND that exec(3) refused with errno E: 127
 * when it was not found, else 126. */
int command_exec_status(int e);

/* Wait for the child PID to end, retrying EINTR.  Return its wait(2)
 * status, or -1 with errno set. */
int command_wait(pid_t pid);

/* The exit status a shell shows for the wait(2) status STATUS: the exit
 * status, or 128+N when signal N killed the process. */
int command_status(int status);

/*
 * Catch SIGINT, SIGTERM and SIGHUP with HANDLER (without SA_RESTART, so
 * that a wait they interrupt ends with EINTR, and with the other two
 * blocked while it runs), each one that is not ignored: a signal that
 * whoever started the tool ignored (nohup, a script's & job) stays
 * ignored.  Return the set of the signals caught.
 */
sigset_t catch_stop_signals(void (*handler)(int));

/*
 * The same with sigaction FLAGS: SA_RESTART, for a tool whose stdio
 * writes must not fail with EINTR and whose one wait that a stop must
 * end is never restarted anyway (ppoll(2), as signal(7) lists).
 */
sigset_t catch_stop_signals_flags(void (*handler)(int), int flags);

/*
 * End this process by SIG as if it had never been caught: its default
 * action restored, the signal unblocked and raised.  If the process
 * survives it (a signal whose default is to be ignored), _exit(128+SIG).
 */
void die_by_signal(int sig) __attribute__((noreturn));

#endif
