/* SPDX-License-Identifier: MIT */
/*
 * rawping-run: run COMMAND [ARG]..., then print "SECONDS MAXRSS_KIB
 * CPU_SECONDS" (wall time, peak resident size, user plus system time) on
 * standard error and exit with the command's status.  A forked C process is small, so the peak
 * resident size reported (which exec inherits from the parent's image)
 * is the command's own.  Used by bench/rawping.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 2)
		errx(2, "usage: rawping-run COMMAND [ARG]...");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		err(2, "fork");
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		err(127, "%s", argv[1]);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "%.6f %ld %.6f\n", (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, ru.ru_maxrss,
	    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
