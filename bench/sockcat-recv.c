/* SPDX-License-Identifier: MIT */
/*
 * sockcat-recv: the minimal receiver of bench/sockcat.  Listens on
 * 127.0.0.1:PORT (tcp; 0 picks one) or on PATH (unix), prints the port
 * (or PATH) on standard error, accepts one connection and reads it to the
 * end in 128 KiB read(2) calls, discarding the bytes (or, with -o,
 * writing them to standard output).
 */
#include "config.h"

#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
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
	int lfd, fd, out = 0, one = 1;

	if (argc > 1 && strcmp(argv[1], "-o") == 0) {
		out = 1;
		argv++;
		argc--;
	}
	if (argc < 2)
		errx(2, "usage: sockcat-recv [-o] tcp PORT | unix PATH");
	if (argc < 3)
		errx(2, "%s needs an argument", argv[1]);
	if (strcmp(argv[1], "tcp") == 0) {
		struct sockaddr_in in = { .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)atoi(argv[2])) };
		socklen_t len = sizeof in;
		inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
		lfd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (lfd < 0 || bind(lfd, (void *)&in, sizeof in) < 0 ||
		    listen(lfd, 1) < 0 ||
		    getsockname(lfd, (void *)&in, &len) < 0)
			err(1, "listen");
		fprintf(stderr, "%u\n", ntohs(in.sin_port));
	} else {
		struct sockaddr_un un = { .sun_family = AF_UNIX };
		snprintf(un.sun_path, sizeof un.sun_path, "%s", argv[2]);
		lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (lfd < 0 || bind(lfd, (void *)&un, sizeof un) < 0 ||
		    listen(lfd, 1) < 0)
			err(1, "listen");
		fprintf(stderr, "%s\n", argv[2]);
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		err(1, "accept");
	for (;;) {
		ssize_t n = read(fd, buf, BUF);
		if (n < 0)
			err(1, "read");
		if (n == 0)
			break;
		if (out && write(1, buf, (size_t)n) != n)
			err(1, "write");
	}
	return 0;
}
