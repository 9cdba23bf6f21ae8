/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/msgq: the backoff, sysctl reading, and a round trip
 * through a small POSIX and System V queue of our own. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msgq.h"
#include "tap.h"

static void
test_backoff(void)
{
	struct backoff b;
	struct deadline dl;
	struct timespec t, zero = { 0, 0 }, tenth = { 0, 100000 };
	long last = 0;
	int grew = 1;

	backoff_reset(&b);
	for (int i = 0; i < 12; i++) {
		t = backoff_next(&b, NULL);
		if (t.tv_sec != 0 || t.tv_nsec < last ||
		    t.tv_nsec > BACKOFF_MAX_NS)
			grew = 0;
		last = t.tv_nsec;
	}
	TAP_OK(grew, "backoff grows and never passes the cap");
	TAP_OK(last == BACKOFF_MAX_NS, "backoff reaches the cap (%ld)", last);
	backoff_reset(&b);
	t = backoff_next(&b, NULL);
	TAP_OK(t.tv_nsec == BACKOFF_MIN_NS, "reset starts at the minimum");
	deadline_start(&dl, &zero);
	t = backoff_next(&b, &dl);
	TAP_OK(t.tv_sec == 0 && t.tv_nsec == 0, "an expired deadline: no sleep");
	deadline_start(&dl, &tenth);
	for (int i = 0; i < 10; i++)
		t = backoff_next(&b, &dl);
	TAP_OK(t.tv_nsec <= 100000, "a sleep never passes the deadline");
}

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
	n = msgq_receive(&q, 0, &data, &prio);
	if (q.flavor == IPC_POSIX)	/* higher priority first */
		TAP_OK(n == 0 && prio == 4, "%s: empty one first", operand);
	else
		TAP_OK(n == 5 && prio == 3 && memcmp(data, "hello", 5) == 0,
		    "%s: first in, first out", operand);
	n = msgq_receive(&q, 0, &data, &prio);
	TAP_OK(n >= 0, "%s: second message", operand);
	errno = 0;
	TAP_OK(msgq_receive(&q, 0, &data, &prio) < 0 && errno == EAGAIN,
	    "%s: empty queue gives EAGAIN", operand);
	TAP_OK(msgq_unlink(&q) == 0, "%s: removed", operand);
	msgq_close(&q);
}

int
main(void)
{
	char posix[64], sysv[64];

	test_backoff();
	test_sysctl();
	snprintf(posix, sizeof posix, "ipcu-test-msgq-%ld", (long)getpid());
	snprintf(sysv, sizeof sysv, "key:0x%x",
	    0x33000000u | ((unsigned)getpid() & 0xffffff));
	round_trip(posix);
	round_trip(sysv);
	return tap_done();
}
