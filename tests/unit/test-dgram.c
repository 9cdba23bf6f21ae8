/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of tools/sockcat/dgram over a seqpacket socket pair: lines become
 * records and records lines, both ways, and the ends; an empty record is
 * refused on seqpacket; a record too long is refused; a peer gone while
 * input goes on costs no CPU and refuses the next record.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dgram.h"
#include "fullio.h"
#include "tap.h"

/* A pipe holding TEXT, its writing end closed; the reading end. */
static int
pipe_of(const char *text)
{
	int p[2];

	if (pipe(p) < 0 ||
	    full_write(p[1], text, strlen(text)) != strlen(text))
		exit(99);
	close(p[1]);
	return p[0];
}

int
main(void)
{
	char name[] = "/tmp/test-dgram-XXXXXX", buf[64];
	struct relay_opts o = { .eof_shut_fd = -1 };
	struct dgram_relay st;
	int sv[2], in, out = mkstemp(name);
	ssize_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (out < 0)
		return 99;
	unlink(name);

	/* Both ways at once over seqpacket. */
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	send(sv[1], "r1", 2, 0);
	send(sv[1], "r2", 2, 0);
	shutdown(sv[1], SHUT_WR);
	in = pipe_of("one\ntwo");
	if (dgram_relay_init(&st, in, out, '\n') < 0)
		return 99;
	TAP_OK(dgram_relay(sv[0], true, false, &st, &o) == RELAY_EOF,
	    "seqpacket relay ends at EOF");
	TAP_OK(st.sent == 2 && st.received == 2, "2 records each way");
	n = pread(out, buf, sizeof buf, 0);
	TAP_OK(n == 6 && memcmp(buf, "r1\nr2\n", 6) == 0,
	    "received records written as lines");
	n = recv(sv[1], buf, sizeof buf, 0);
	TAP_OK(n == 3 && memcmp(buf, "one", 3) == 0, "first line sent");
	n = recv(sv[1], buf, sizeof buf, 0);
	TAP_OK(n == 3 && memcmp(buf, "two", 3) == 0,
	    "a last line without newline sent");
	close(sv[0]);
	TAP_OK(recv(sv[1], buf, sizeof buf, 0) == 0, "then the end");
	dgram_relay_free(&st);
	close(in);
	close(sv[1]);

	/* An empty record cannot go on seqpacket. */
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	in = pipe_of("a\n\nb\n");
	dgram_relay_init(&st, in, out, '\n');
	TAP_OK(dgram_relay(sv[0], true, false, &st, &o) == RELAY_ERROR &&
	    st.fail == DGRAM_FAIL_RECORD && strstr(st.why, "record 2 is empty"),
	    "an empty seqpacket record is refused: %s", st.why);
	dgram_relay_free(&st);
	close(in);
	close(sv[0]);
	close(sv[1]);

	/*
	 * The peer reads one record and closes while input goes on: the
	 * relay waits for input without spinning on the peer's hangup
	 * (under 50 ms of CPU over a 400 ms wait), then the next record is
	 * refused: an error, not success.
	 */
	{
		struct timespec t0, t1, later = { 0, 400000000 };
		int p[2];
		pid_t kid;
		double cpu;

		socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
		if (pipe(p) < 0 || full_write(p[1], "a\n", 2) != 2)
			return 99;
		if ((kid = fork()) == 0) {
			close(sv[0]);
			recv(sv[1], buf, sizeof buf, 0);
			close(sv[1]);
			nanosleep(&later, NULL);
			_exit(full_write(p[1], "b\n", 2) != 2);
		}
		close(sv[1]);
		close(p[1]);
		dgram_relay_init(&st, p[0], out, '\n');
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		TAP_OK(dgram_relay(sv[0], true, false, &st, &o) ==
		    RELAY_ERROR && st.fail == DGRAM_FAIL_SOCKET &&
		    errno == EPIPE && st.sent == 1, "seqpacket: a record after "
		    "the peer closed is refused (EPIPE)");
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
		cpu = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		TAP_OK(cpu < 0.05, "no spinning while input is silent: %.3f s "
		    "of CPU", cpu);
		waitpid(kid, NULL, 0);
		dgram_relay_free(&st);
		close(p[0]);
		close(sv[0]);
	}

	/* A datagram socket: the idle timeout ends it; an empty record is
	 * fine there. */
	{
		struct timespec idle = { 0, 100000000 };
		socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
		in = pipe_of("x\n\n");
		dgram_relay_init(&st, in, out, '\n');
		o.idle = &idle;
		TAP_OK(dgram_relay(sv[0], false, false, &st, &o) ==
		    RELAY_IDLE && st.sent == 2, "datagrams: 2 sent, then idle");
		TAP_OK(recv(sv[1], buf, sizeof buf, 0) == 1 &&
		    recv(sv[1], buf, sizeof buf, 0) == 0, "x, then empty");
		dgram_relay_free(&st);
		close(in);
		close(sv[0]);
		close(sv[1]);
	}
	return tap_done();
}
