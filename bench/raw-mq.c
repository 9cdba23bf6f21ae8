/* SPDX-License-Identifier: MIT */
/*
 * raw-mq: the baseline of bench/mq, the raw system call loop.
 *
 *   raw-mq send posix|sysv QUEUE COUNT SIZE
 *   raw-mq recv posix|sysv QUEUE COUNT
 *
 * "send" sends COUNT messages of SIZE bytes with blocking mq_send(3) or
 * msgsnd(2); "recv" receives COUNT with blocking mq_receive(3) or
 * msgrcv(2).  QUEUE is a POSIX name ("/x") or a System V key (decimal or
 * 0x hex); it must exist.  Run one of each in two processes.
 */
#include "config.h"

#include <err.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

int
main(int argc, char **argv)
{
	static char buf[65536 + sizeof(long)];
	long count, size = 0, mtype = 1;
	int sending, posix;

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
