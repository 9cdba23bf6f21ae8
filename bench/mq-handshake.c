/* SPDX-License-Identifier: MIT */
/*
 * mq-handshake: reference (b) of bench/mq, the least a receiver can do to
 * keep one message at a time in the pipe on its standard output.
 *
 *   mq-handshake posix|sysv QUEUE COUNT
 *
 * Shrink the pipe to one page, then COUNT times: wait with poll(2) until
 * the pipe is writable (a one-page pipe is writable exactly when its reader
 * has emptied it), receive one message with blocking mq_receive(3) or
 * msgrcv(2), write it with a newline in one write(2).  Then wait for the
 * reader to read the last one.  QUEUE is a POSIX name ("/x") or a System V
 * key (decimal or 0x hex); it must exist.  No signals, no put-back, no
 * error recovery: the rate such a loop reaches into `| wc -l` is the limit
 * of exactness, which mqrecv's default mode is measured against.
 */
#include "config.h"

#include <err.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

/* Wait until the reader has emptied the one-page pipe. */
static void
await_read(void)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = POLLOUT };

	if (poll(&pfd, 1, -1) < 0 || (pfd.revents & POLLERR))
		errx(1, "the reader went away");
}

int
main(int argc, char **argv)
{
	static char buf[65536 + sizeof(long)];
	mqd_t mq = (mqd_t)-1;
	int id = -1, posix;
	long count;
	ssize_t n;

	if (argc != 4)
		errx(2, "usage: mq-handshake posix|sysv QUEUE COUNT");
	posix = strcmp(argv[1], "posix") == 0;
	count = strtol(argv[3], NULL, 10);
	if (fcntl(STDOUT_FILENO, F_SETPIPE_SZ, (int)sysconf(_SC_PAGESIZE)) < 0)
		err(1, "F_SETPIPE_SZ");
	if (posix)
		mq = mq_open(argv[2], O_RDONLY);
	else
		id = msgget((key_t)strtoul(argv[2], NULL, 0), 0);
	if (mq == (mqd_t)-1 && id < 0)
		err(1, "%s", argv[2]);
	for (long i = 0; i < count; i++) {
		await_read();
		if (posix)
			n = mq_receive(mq, buf, sizeof buf - 1, NULL);
		else
			n = msgrcv(id, buf, sizeof buf - 1 - sizeof(long), 0, 0);
		if (n < 0)
			err(1, "%s", argv[2]);
		/* System V: the text follows the type. */
		char *text = posix ? buf : buf + sizeof(long);
		text[n] = '\n';
		if (write(STDOUT_FILENO, text, (size_t)n + 1) != n + 1)
			err(1, "write");
	}
	await_read();
	return 0;
}
