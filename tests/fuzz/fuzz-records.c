/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/records: the input, read through a pipe in
 * records of at most 16 bytes, must come back byte for byte when each
 * record is written out with its terminator (over-long records aside).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record_reader rr;
	const char *rec;
	size_t len, pos = 0;
	int fds[2], rc;

	/* Keep the whole input within one pipe buffer. */
	if (size > 4096 || pipe(fds) < 0)
		return 0;
	if (write(fds[1], data, size) != (ssize_t)size)
		abort();
	close(fds[1]);
	record_reader_init(&rr, fds[0], '\n', 16);
	while ((rc = record_read(&rr, &rec, &len)) != 0) {
		if (rc < 0 && errno != EMSGSIZE)
			abort();
		if (rc > 0 && (len > 16 || memcmp(data + pos, rec, len) != 0))
			abort();
		pos += len;
		if (pos < size) {
			if (data[pos] != '\n')
				abort();
			pos++;
		}
	}
	if (pos != size)
		abort();
	record_reader_free(&rr);
	close(fds[0]);
	return 0;
}
