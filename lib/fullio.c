/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "fullio.h"

/* Block until FD is ready for EVENTS; used after EAGAIN. */
static int
wait_ready(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		int n = poll(&pfd, 1, -1);
		if (n >= 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

size_t
full_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n > 0) {
			done += (size_t)n;
		} else if (n == 0) {
			errno = EIO;
			break;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (wait_ready(fd, POLLOUT) < 0)
				break;
		} else if (errno != EINTR) {
			break;
		}
	}
	return done;
}

ssize_t
read_some(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (wait_ready(fd, POLLIN) < 0)
				return -1;
		} else if (errno != EINTR) {
			return -1;
		}
	}
}
