/* SPDX-License-Identifier: MIT */
/*
 * spawn-loop: the floor of bench/worker, the raw system call loop.
 *
 *   spawn-loop COUNT FILE [ARG]...
 *
 * Run the program FILE (a path: no PATH search) COUNT times, one after
 * the other, each with vfork(2), execve(2) and waitpid(2) and nothing
 * else: no message, no standard input, no bookkeeping.  Exit 1 if a run
 * could not start or did not exit 0.  What a worker adds to each job is
 * its time beyond this loop's.
 */
#include "config.h"

#include <err.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int
main(int argc, char *argv[])
{
	long count;
	int status;
	pid_t pid;

	if (argc < 3 || (count = strtol(argv[1], NULL, 10)) < 1)
		errx(2, "usage: spawn-loop COUNT FILE [ARG]...");
	for (long i = 0; i < count; i++) {
		pid = vfork();
		if (pid == 0) {
			execve(argv[2], argv + 2, environ);
			_exit(127);
		}
		if (pid < 0)
			err(1, "vfork");
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			errx(1, "%s: run %ld failed", argv[2], i + 1);
	}
	return 0;
}
