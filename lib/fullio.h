/* SPDX-License-Identifier: MIT */
/*
 * fullio: read and write loops that finish the job.
 *
 * write(2) and read(2) may move fewer bytes than asked, fail with EINTR,
 * or, on a non-blocking descriptor, fail with EAGAIN.  These loops retry
 * all three (waiting with poll(2) on EAGAIN), so callers see either the
 * whole transfer or a real error.
 */
#ifndef IPCU_FULLIO_H
#define IPCU_FULLIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Write all LEN bytes of BUF to FD.  Return LEN, or -1 with errno set
 * (a write(2) returning 0 is reported as EIO).  On error some bytes may
 * have been written.
 */
ssize_t full_write(int fd, const void *buf, size_t len);

/*
 * Read once into BUF, retrying EINTR and waiting out EAGAIN.  Return what
 * read(2) returns: a byte count, 0 at end of file, or -1 with errno set.
 */
ssize_t read_some(int fd, void *buf, size_t len);

#endif
