/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fullio.h"
#include "records.h"

/* Read at least this much at a time, whatever the record size. */
#define READ_CHUNK (64 * 1024)

int
record_reader_init(struct record_reader *rr, int fd, int delim,
    size_t max_len)
{
	memset(rr, 0, sizeof *rr);
	rr->fd = fd;
	rr->delim = delim;
	rr->max_len = max_len;
	/* Room for a longest record, its terminator and a read chunk. */
	rr->size = max_len + 1 + READ_CHUNK;
	rr->buf = malloc(rr->size);
	return rr->buf ? 0 : -1;
}

void
record_reader_free(struct record_reader *rr)
{
	free(rr->buf);
	rr->buf = NULL;
}

/* Find the delimiter in the unconsumed bytes; remember how far we looked. */
static char *
find_delim(struct record_reader *rr)
{
	char *d = memchr(rr->buf + rr->scanned, rr->delim,
	    rr->end - rr->scanned);

	rr->scanned = d ? (size_t)(d - rr->buf) : rr->end;
	return d;
}

ssize_t
record_fill(struct record_reader *rr)
{
	ssize_t n;

	if (rr->start > 0 && rr->size - rr->end < READ_CHUNK) {
		memmove(rr->buf, rr->buf + rr->start, rr->end - rr->start);
		rr->end -= rr->start;
		rr->scanned -= rr->start;
		rr->start = 0;
	}
	n = read_some(rr->fd, rr->buf + rr->end, rr->size - rr->end);
	if (n > 0)
		rr->end += (size_t)n;
	else if (n == 0)
		rr->eof = true;
	return n;
}

/* Consume an over-long record to its end, counting its bytes. */
static int
skip_long_record(struct record_reader *rr, size_t *len)
{
	size_t total = 0;

	for (;;) {
		char *d = find_delim(rr);
		if (d) {
			total += (size_t)(d - (rr->buf + rr->start));
			rr->start = rr->scanned = (size_t)(d - rr->buf) + 1;
			break;
		}
		total += rr->end - rr->start;
		rr->start = rr->end = rr->scanned = 0;
		if (rr->eof)
			break;
		if (record_fill(rr) < 0)
			return -1;
	}
	*len = total;
	errno = EMSGSIZE;
	return -1;
}

int
record_read(struct record_reader *rr, const char **rec, size_t *len)
{
	for (;;) {
		char *d = find_delim(rr);
		size_t have = rr->end - rr->start;

		if (d) {
			*rec = rr->buf + rr->start;
			*len = (size_t)(d - *rec);
			rr->start = rr->scanned = (size_t)(d - rr->buf) + 1;
			if (*len > rr->max_len) {
				errno = EMSGSIZE;
				return -1;
			}
			return 1;
		}
		if (have > rr->max_len)
			return skip_long_record(rr, len);
		if (rr->eof) {
			if (have == 0)
				return 0;
			*rec = rr->buf + rr->start;
			*len = have;
			rr->start = rr->scanned = rr->end;
			return 1;
		}
		if (record_fill(rr) < 0)
			return -1;
	}
}

bool
record_ready(struct record_reader *rr)
{
	return rr->eof || find_delim(rr) != NULL;
}

int
record_writer_init(struct record_writer *rw, int fd, int delim, size_t size)
{
	memset(rw, 0, sizeof *rw);
	rw->fd = fd;
	rw->delim = delim;
	rw->size = size;
	rw->buf = malloc(size);
	return rw->buf ? 0 : -1;
}

void
record_writer_free(struct record_writer *rw)
{
	free(rw->buf);
	rw->buf = NULL;
}

int
record_flush(struct record_writer *rw)
{
	size_t want = rw->len;

	rw->len = 0;
	return full_write(rw->fd, rw->buf, want) == want ? 0 : -1;
}

/* Write a record too large for the buffer straight out, in three writes:
 * its prefix, its bytes, its terminator. */
static int
write_direct(struct record_writer *rw, const void *prefix, size_t prefix_len,
    const void *data, size_t len)
{
	char delim = (char)rw->delim;

	if (full_write(rw->fd, prefix, prefix_len) != prefix_len ||
	    full_write(rw->fd, data, len) != len ||
	    full_write(rw->fd, &delim, 1) != 1)
		return -1;
	return 0;
}

int
record_write(struct record_writer *rw, const void *prefix, size_t prefix_len,
    const void *data, size_t len)
{
	size_t need = prefix_len + len + 1;

	if (rw->size - rw->len < need && record_flush(rw) < 0)
		return -1;
	if (need > rw->size)
		return write_direct(rw, prefix, prefix_len, data, len);
	if (prefix_len)
		memcpy(rw->buf + rw->len, prefix, prefix_len);
	if (len)
		memcpy(rw->buf + rw->len + prefix_len, data, len);
	rw->buf[rw->len + prefix_len + len] = (char)rw->delim;
	rw->len += need;
	return 0;
}
