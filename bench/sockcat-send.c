/* SPDX-License-Identifier: MIT */
/*
 * sockcat-send: the minimal sender of bench/sockcat.  Connects to
 * 127.0.0.1:PORT (tcp) or PATH (unix) and writes BYTES zero bytes in
 * 128 KiB write(2) calls, or, with BYTES "-", copies standard input in
 * 128 KiB read/write calls; then closes.  The raw system call loop that
 * sockcat is measured against.
 */
#include "config.h"

#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUF (128 * 1024)

int
main(int argc, char **argv)
{
	static char buf[BUF];
	int fd;
	long long left;
	bool from_stdin;

	if (argc != 4)
		errx(2, "usage: sockcat-send tcp PORT BYTES | unix PATH BYTES");
	if (strcmp(argv[1], "tcp") == 0) {
		struct sockaddr_in in = { .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)atoi(argv[2])) };
		inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (void *)&in, sizeof in) < 0)
			err(1, "connect");
	} else {
		struct sockaddr_un un = { .sun_family = AF_UNIX };
		snprintf(un.sun_path, sizeof un.sun_path, "%s", argv[2]);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (void *)&un, sizeof un) < 0)
			err(1, "connect");
	}
	from_stdin = strcmp(argv[3], "-") == 0;
	left = from_stdin ? 0 : atoll(argv[3]);
	for (;;) {
		ssize_t n = from_stdin ? read(0, buf, BUF) :
		    (left > BUF ? BUF : left);
		if (n < 0)
			err(1, "read");
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0)
				err(1, "write");
			off += w;
		}
		left -= n;
	}
	close(fd);
	return 0;
}
