/* SPDX-License-Identifier: MIT */
/*
 * raw-mq: the baseline of bench/mq, the raw system call loop.
 *
 *   raw-mq send posix|sysv QUEUE COUNT SIZE
 *   raw-mq recv posix|sysv QUEUE COUNT
 *   raw-mq rss COMMAND [ARG]...
 *
 * "send" sends COUNT messages of SIZE bytes with blocking mq_send(3) or
 * msgsnd(2); "recv" receives COUNT with blocking mq_receive(3) or
 * msgrcv(2).  QUEUE is a POSIX name ("/x") or a System V key (decimal or
 * 0x hex); it must exist.  Run one of each in two processes.  "rss" runs
 * COMMAND and prints on standard error its peak resident memory in KiB
 * (ru_maxrss), as /usr/bin/time -f %M does, from a process small enough
 * not to count, then the CPU time it used in milliseconds (user + system).
 */
#include "config.h"

#include <err.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <stdio.h>
#include <unistd.h>

/* Run ARGV, print its peak RSS on stderr; return its exit status. */
static int
rss(char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		execvp(argv[0], argv);
		err(127, "%s", argv[0]);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		err(1, "wait4");
	fprintf(stderr, "%ld %ld\n", ru.ru_maxrss,
	    (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int
main(int argc, char **argv)
{
	static char buf[65536 + sizeof(long)];
	long count, size = 0, mtype = 1;
	int sending, posix;

	if (argc > 2 && strcmp(argv[1], "rss") == 0)
		return rss(argv + 2);
	if (argc < 5 || (strcmp(argv[1], "send") == 0 && argc < 6))
		errx(2, "usage: raw-mq send|recv posix|sysv QUEUE COUNT [SIZE]");
	sending = strcmp(argv[1], "send") == 0;
	posix = strcmp(argv[2], "posix") == 0;
	count = strtol(argv[4], NULL, 10);
	if (sending)
		size = strtol(argv[5], NULL, 10);
	if (size < 0 || size > 65536)
		errx(2, "bad size");
	memset(buf, 'x', sizeof buf);
	if (posix) {
		mqd_t q = mq_open(argv[3], sending ? O_WRONLY : O_RDONLY);
		if (q == (mqd_t)-1)
			err(1, "%s", argv[3]);
		for (long i = 0; i < count; i++) {
			if ((sending ? mq_send(q, buf, (size_t)size, 0) :
			    (int)mq_receive(q, buf, sizeof buf, NULL)) < 0)
				err(1, "%s", argv[3]);
		}
	} else {
		int id = msgget((key_t)strtoul(argv[3], NULL, 0), 0);
		if (id < 0)
			err(1, "%s", argv[3]);
		memcpy(buf, &mtype, sizeof mtype);
		for (long i = 0; i < count; i++) {
			if ((sending ? msgsnd(id, buf, (size_t)size, 0) :
			    (int)msgrcv(id, buf, sizeof buf - sizeof(long), 0,
			    0)) < 0)
				err(1, "%s", argv[3]);
		}
	}
	return 0;
}
