/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/msgq: sysctl reading, and a round trip through a
 * small POSIX and System V queue of our own, with waits that end. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msgq.h"
#include "tap.h"

static void
test_sysctl(void)
{
	char path[] = "/tmp/ipcu-test-msgq-XXXXXX";
	int fd = mkstemp(path);

	TAP_OK(fd >= 0 && write(fd, "8192\n", 5) == 5, "temp file written");
	TAP_OK(msgq_sysctl(path) == 8192, "sysctl value read");
	TAP_OK(ftruncate(fd, 0) == 0 && msgq_sysctl(path) == -1,
	    "an empty file reads as -1");
	close(fd);
	unlink(path);
	TAP_OK(msgq_sysctl("/nonexistent/ipcu") == -1, "a missing file is -1");
}

/* The milliseconds since T0 on the monotonic clock. */
static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* On the empty queue Q: a receive waits until its deadline, a set stop
 * flag ends it at once; once Q is full a send waits until its deadline. */
static void
waits_end(struct msgq *q, const char *operand)
{
	struct timespec t0, tenth = { 0, 100000000 };
	struct deadline dl;
	volatile sig_atomic_t stop = 0;
	struct msgq_wait w = { .dl = &dl, .stop = &stop, .watch = -1 };
	const char *data;
	long prio, ms;
	int sent = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	deadline_start(&dl, &tenth);
	errno = 0;
	TAP_OK(msgq_receive(q, 0, &data, &prio, &w) < 0 &&
	    errno == ETIMEDOUT, "%s: receive waits until the deadline",
	    operand);
	ms = ms_since(&t0);
	TAP_OK(ms >= 100 && ms < 2000, "%s: ... of 100 ms (%ld ms)", operand,
	    ms);
	stop = 1;
	deadline_start(&dl, NULL);
	errno = 0;
	TAP_OK(msgq_receive(q, 0, &data, &prio, &w) < 0 && errno == EINTR,
	    "%s: the stop flag ends a wait", operand);
	stop = 0;
	deadline_start(&dl, &tenth);
	while (sent < 1000 && msgq_send(q, "0123456789abcdef", 16, 1, &w) == 0)
		sent++;
	TAP_OK(sent > 0 && sent < 1000 && errno == ETIMEDOUT,
	    "%s: a send to the full queue waits until the deadline (%d sent)",
	    operand, sent);
}

/* Send two messages through OPERAND and receive them back. */
static void
round_trip(const char *operand)
{
	struct ipc_operand op;
	struct msgq_create c = { .create = true, .max_messages = 4,
	    .message_size = 32, .mode = 0600 };
	struct msgq q;
	static char big[256];
	const char *data;
	long prio;
	ssize_t n;

	if (ipc_operand_parse(operand, MSGQ_NAME_MAX, &op) < 0) {
		TAP_OK(0, "%s parses", operand);
		return;
	}
	msgq_open_or_err(&q, &op, MSGQ_RECEIVE, &c);
	TAP_OK(q.created, "%s created", operand);
	/* System V has no per-queue message size: the queue's 4 x 32 bytes
	 * bound one message. */
	size_t want = q.flavor == IPC_POSIX ? 32 : 128;
	TAP_OK(q.msgsize == want, "%s takes %zu-byte messages (%zu)", operand,
	    want, q.msgsize);
	TAP_OK(msgq_send(&q, "hello", 5, 3, NULL) == 0, "%s: send", operand);
	TAP_OK(msgq_send(&q, "", 0, 4, NULL) == 0, "%s: send empty", operand);
	errno = 0;
	TAP_OK(msgq_send(&q, big, want + 1, 1, NULL) < 0 && errno == EMSGSIZE,
	    "%s: over-size send fails with EMSGSIZE", operand);
	n = msgq_receive(&q, 0, &data, &prio, NULL);
	if (q.flavor == IPC_POSIX)	/* higher priority first */
		TAP_OK(n == 0 && prio == 4, "%s: empty one first", operand);
	else
		TAP_OK(n == 5 && prio == 3 && memcmp(data, "hello", 5) == 0,
		    "%s: first in, first out", operand);
	n = msgq_receive(&q, 0, &data, &prio, NULL);
	TAP_OK(n >= 0, "%s: second message", operand);
	errno = 0;
	TAP_OK(msgq_receive(&q, 0, &data, &prio, NULL) < 0 && errno == EAGAIN,
	    "%s: empty queue gives EAGAIN", operand);
	waits_end(&q, operand);
	msgq_close(&q);
	TAP_OK(msgq_remove(&op) == 0, "%s: removed", operand);
	errno = 0;
	TAP_OK(msgq_remove(&op) < 0 && errno == ENOENT,
	    "%s: removing it again gives ENOENT", operand);
}

int
main(void)
{
	char posix[64], sysv[64];

	test_sysctl();
	snprintf(posix, sizeof posix, "ipcu-test-msgq-%ld", (long)getpid());
	snprintf(sysv, sizeof sysv, "key:0x%x",
	    0x33000000u | ((unsigned)getpid() & 0xffffff));
	round_trip(posix);
	round_trip(sysv);
	return tap_done();
}
