/* SPDX-License-Identifier: MIT */
/*
 * fullio: read and write loops that finish the job.
 *
 * write(2) and read(2) may move fewer bytes than asked, fail with EINTR,
 * or, on a non-blocking descriptor, fail with EAGAIN.  These loops retry
 * all three (waiting with poll(2) on EAGAIN), so callers see either the
 * whole transfer or a real error.  They do not return for a signal: a
 * tool that must stop between two writes when one comes writes itself.
 */
#ifndef IPCU_FULLIO_H
#define IPCU_FULLIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Write the LEN bytes of BUF to FD.  Return how many were written: LEN,
 * or fewer when writing failed, with errno set (a write(2) that returns 0
 * counts as EIO).
 */
size_t full_write(int fd, const void *buf, size_t len);

/*
 * Read once into BUF, retrying EINTR and waiting out EAGAIN.  Return what
 * read(2) returns: a byte count, 0 at end of file, or -1 with errno set.
 */
ssize_t read_some(int fd, void *buf, size_t len);

#endif
