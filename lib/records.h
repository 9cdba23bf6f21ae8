/* SPDX-License-Identifier: MIT */
/*
 * records: the record framing of ipcutils(7).
 *
 * A byte stream becomes records split at a terminator (newline, or NUL with
 * -0): the terminator is not part of the record, an empty line is an empty
 * record, and a last record without terminator still counts.  A record is
 * handed out as soon as its terminator has been read, never held back
 * waiting for more input, so `tail -f log | mqsend q` streams.
 *
 * The other way, records are written each followed by the terminator,
 * gathered in a buffer so that a burst costs few write(2) calls; the
 * caller flushes whenever no further record is ready at once.
 */
#ifndef IPCU_RECORDS_H
#define IPCU_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct record_reader {
	int fd;
	int delim;
	size_t max_len;		/* longest record accepted */
	char *buf;
	size_t size;		/* allocated bytes */
	size_t start, end;	/* unconsumed bytes are buf[start, end) */
	size_t scanned;		/* buf[start, scanned) holds no delimiter */
	bool eof;
};

/*
 * Prepare RR to read records from FD ending in DELIM, each at most MAX_LEN
 * bytes.  Return 0, or -1 with errno ENOMEM.
 */
int record_reader_init(struct record_reader *rr, int fd, int delim,
    size_t max_len);
void record_reader_free(struct record_reader *rr);

/*
 * Read the next record.  Return 1 with *REC and *LEN set (valid until the
 * next call), 0 at end of input, or -1 with errno set: EMSGSIZE when the
 * record is longer than MAX_LEN (*LEN then holds its full length and the
 * record has been consumed), else the read(2) error.
 */
int record_read(struct record_reader *rr, const char **rec, size_t *len);

/*
 * Read once more input after the buffered bytes, so a caller that polls
 * the descriptor can take in what is there without blocking on a partial
 * record; then record_ready() says whether record_read() will not block.
 * Return read(2)'s result: a byte count, 0 at end of input (eof is set),
 * or -1 with errno set.
 */
ssize_t record_fill(struct record_reader *rr);

/* Whether a whole record (or end of input) is buffered, so record_read()
 * will not block. */
bool record_ready(struct record_reader *rr);

struct record_writer {
	int fd;
	int delim;
	char *buf;
	size_t size;
	size_t len;		/* bytes buffered, not yet written */
};

/* Prepare RW to write records to FD followed by DELIM, buffering up to
 * SIZE bytes.  Return 0, or -1 with errno ENOMEM. */
int record_writer_init(struct record_writer *rw, int fd, int delim,
    size_t size);
void record_writer_free(struct record_writer *rw);

/*
 * Append PREFIX (PREFIX_LEN bytes, may be 0), then DATA and the
 * terminator.  Flushes first when the buffer lacks room; a record larger
 * than the buffer is written directly.  Return 0, or -1 with errno set by
 * write(2).  After a failure the buffer is empty and any of the records
 * appended since the last successful flush may be missing from the output:
 * a caller that must not lose them keeps them until it has flushed.
 */
int record_write(struct record_writer *rw, const void *prefix,
    size_t prefix_len, const void *data, size_t len);

/* Write out everything buffered.  Return 0, or -1 with errno set. */
int record_flush(struct record_writer *rw);

#endif
