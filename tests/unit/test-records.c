/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/records: framing both ways, through real pipes. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "records.h"
#include "tap.h"

/* A pipe holding INPUT, its write end closed, so reads see end of input. */
static int
pipe_with(const char *input, size_t len)
{
	int fds[2];

	if (pipe(fds) < 0 || write(fds[1], input, len) != (ssize_t)len)
		abort();
	close(fds[1]);
	return fds[0];
}

/* Read every record of INPUT and join them as "[rec]" strings. */
static const char *
frame(const char *input, size_t len, int delim, size_t max)
{
	static char out[4096];
	struct record_reader rr;
	const char *rec;
	size_t rlen;
	int fd = pipe_with(input, len), rc;

	out[0] = '\0';
	record_reader_init(&rr, fd, delim, max);
	while ((rc = record_read(&rr, &rec, &rlen)) != 0) {
		if (rc < 0) {
			snprintf(out + strlen(out), sizeof out - strlen(out),
			    "<%s %zu>", errno == EMSGSIZE ? "long" : "err",
			    rlen);
			if (errno != EMSGSIZE)
				break;
			continue;
		}
		snprintf(out + strlen(out), sizeof out - strlen(out), "[%.*s]",
		    (int)rlen, rec);
	}
	record_reader_free(&rr);
	close(fd);
	return out;
}

static void
frame_case(const char *input, int delim, size_t max, const char *want)
{
	const char *got = frame(input, strlen(input), delim, max);

	TAP_OK(strcmp(got, want) == 0, "records of '%s' are %s (got %s)",
	    input, want, got);
}

int
main(void)
{
	struct record_writer rw;
	int fds[2];
	char buf[256];
	ssize_t n;
	const char nul_input[] = "a\0\0bc";
	const char *got;
	char *big;

	frame_case("", '\n', 100, "");
	frame_case("a\nb\n", '\n', 100, "[a][b]");
	frame_case("a\nb", '\n', 100, "[a][b]");
	frame_case("\n\n", '\n', 100, "[][]");
	frame_case("abc\n", '\n', 3, "[abc]");
	frame_case("abcd\nx\n", '\n', 3, "<long 4>[x]");
	frame_case("abcd", '\n', 3, "<long 4>");
	frame_case("a\tb\n", '\n', 100, "[a\tb]");
	got = frame(nul_input, sizeof nul_input - 1, '\0', 100);
	TAP_OK(strcmp(got, "[a][][bc]") == 0, "NUL-terminated records (got %s)",
	    got);

	/* A record longer than a read chunk, then a short one. */
	big = malloc(200001);
	memset(big, 'x', 200000);
	big[200000] = '\n';
	if (pipe(fds) < 0)
		abort();
	if (fork() == 0) {
		close(fds[0]);
		if (write(fds[1], big, 200001) != 200001 ||
		    write(fds[1], "y\n", 2) != 2)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	{
		struct record_reader rr;
		const char *rec;
		size_t len = 0;
		int rc;

		record_reader_init(&rr, fds[0], '\n', 100000);
		rc = record_read(&rr, &rec, &len);
		TAP_OK(rc == -1 && errno == EMSGSIZE && len == 200000,
		    "over-long record reported with its full length (%zu)", len);
		rc = record_read(&rr, &rec, &len);
		TAP_OK(rc == 1 && len == 1 && rec[0] == 'y',
		    "the record after it is intact");
		TAP_OK(record_read(&rr, &rec, &len) == 0, "then end of input");
		record_reader_free(&rr);
	}
	close(fds[0]);
	free(big);

	/* Writer: prefixes, terminators, flush, and a record past the buffer. */
	if (pipe(fds) < 0)
		abort();
	record_writer_init(&rw, fds[1], '\n', 8);
	TAP_OK(record_write(&rw, "1\t", 2, "ab", 2) == 0, "write a record");
	TAP_OK(record_write(&rw, NULL, 0, "", 0) == 0, "write an empty record");
	TAP_OK(record_write(&rw, NULL, 0, "0123456789", 10) == 0,
	    "write a record larger than the buffer");
	TAP_OK(record_flush(&rw) == 0, "flush");
	close(fds[1]);
	n = read(fds[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	TAP_OK(strcmp(buf, "1\tab\n\n0123456789\n") == 0,
	    "writer output is exact");
	record_writer_free(&rw);
	close(fds[0]);

	/* A write error surfaces from flush. */
	if (pipe(fds) < 0)
		abort();
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	record_writer_init(&rw, fds[1], '\n', 64);
	record_write(&rw, NULL, 0, "x", 1);
	errno = 0;
	TAP_OK(record_flush(&rw) == -1 && errno == EPIPE,
	    "EPIPE reported by flush");
	record_writer_free(&rw);
	close(fds[1]);
	return tap_done();
}
