/* SPDX-License-Identifier: MIT */
/*
 * sig-spawntime: median wall time of starting a command, for
 * bench/sigwaitfor.
 *
 * Usage: sig-spawntime N COMMAND [ARG]...
 * Runs COMMAND N times (posix_spawn, then waitpid; its exit status does not
 * matter, only that it exited) and prints the median time of one run in
 * microseconds.
 */
#include "config.h"

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	long n;
	double *t;

	if (argc < 3 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: sig-spawntime N COMMAND [ARG]...\n");
		return 2;
	}
	if ((t = calloc((size_t)n, sizeof *t)) == NULL)
		return 1;
	for (long i = 0; i < n; i++) {
		struct timespec t0, t1;
		pid_t pid;
		int status;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2,
		    environ) != 0 || waitpid(pid, &status, 0) < 0 ||
		    !WIFEXITED(status)) {
			fprintf(stderr, "sig-spawntime: %s failed\n", argv[2]);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		t[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
	}
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	printf("%.1f\n", t[n / 2]);
	free(t);
	return 0;
}
