/* SPDX-License-Identifier: MIT */
/*
 * sig-pingpong: time a signal ping-pong for bench/sigwaitfor.
 *
 * Usage: sig-pingpong N COMMAND [ARG]...
 * Starts COMMAND with SIGRTMIN already blocked (so no signal is lost while
 * it starts) and its standard output on a pipe, then N times: send
 * SIGRTMIN, read until COMMAND has printed a line.  Prints the rate in
 * signals per second on standard output; exits 1 if a line is missing.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	sigset_t set;
	long n, lines = 0;
	int pfd[2];
	pid_t pid;
	char buf[4096];

	if (argc < 3 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: sig-pingpong N COMMAND [ARG]...\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pipe(pfd) < 0 || (pid = fork()) < 0) {
		perror("sig-pingpong");
		return 1;
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	close(pfd[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		kill(pid, SIGRTMIN);
		for (;;) {
			ssize_t r = read(pfd[0], buf, sizeof buf);
			if (r <= 0) {
				fprintf(stderr, "sig-pingpong: %s stopped after "
				    "%ld lines\n", argv[2], lines);
				return 1;
			}
			if (memchr(buf, '\n', (size_t)r)) {
				lines++;
				break;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	printf("%.0f\n", (double)n / ((double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9));
	return 0;
}
