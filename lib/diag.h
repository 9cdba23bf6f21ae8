/* SPDX-License-Identifier: MIT */
/*
 * diag: exit statuses and diagnostics shared by every ipcutils tool.
 *
 * Messages go to standard error as "prog: context: reason" through err(3)
 * and warnx(3); this module adds what err(3) lacks: the usage-error shape
 * (one line, then "Try 'prog --help'", exit 2) and close_stdout(), which
 * turns a failed flush of standard output into "write error" and exit 1.
 */
#ifndef IPCU_DIAG_H
#define IPCU_DIAG_H

#include <err.h>

/* Exit statuses of ipcutils(7). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed */
	EXIT_USAGE = 2,		/* bad option, operand or value; nothing changed */
	EXIT_TIMEOUT = 124,	/* the timeout expired, or -t 0 found nothing */
	EXIT_CANNOT_RUN = 126,	/* COMMAND found but could not be run */
	EXIT_NOT_FOUND = 127,	/* COMMAND not found */
};

/* Print "prog: MESSAGE" and the --help hint on stderr, then exit 2. */
void usage_error(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/*
 * Flush and close standard output (and standard error); on failure print
 * "prog: write error: reason" and _exit(1).  Register it first thing in
 * main() with atexit(3).  A closed standard output (>&-) is not an error
 * unless something was written to it.
 */
void close_stdout(void);

/* Print the "prog (ipcutils) VERSION" line on stdout and exit 0. */
void print_version_and_exit(void) __attribute__((noreturn));

#endif
