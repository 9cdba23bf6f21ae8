/* SPDX-License-Identifier: MIT */
/* Unit tests of tools/sockcat/sockconn: listening, connecting, the source address,
 * UNIX path safety (a full backlog included). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sockconn.h"
#include "tap.h"

int
main(void)
{
	char dir[] = "/tmp/test-sockconn-XXXXXX", text[256], buf[8];
	struct sock_conn_opts o = { .family = AF_UNSPEC, .unix_mode = 0600 };
	struct sock_owned_path owned;
	struct sock_address sa;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct stat st;
	struct sock_fail fail;
	const char *why;
	int lfd, fd, conn, file;

	if (!mkdtemp(dir))
		return 99;

	/* TCP on loopback, port 0, and a connection to it. */
	sock_address_parse("tcp:127.0.0.1:0", &sa, &why);
	lfd = sock_listen(&sa, &o, &owned, &fail);
	TAP_OK(lfd >= 0, "listen on tcp:127.0.0.1:0");
	getsockname(lfd, (void *)&ss, &len);
	snprintf(text, sizeof text, "tcp:127.0.0.1:%u",
	    ntohs(((struct sockaddr_in *)&ss)->sin_port));
	sock_address_parse(text, &sa, &why);
	fd = sock_connect(&sa, sa.port_lo, &o, &fail);
	TAP_OK(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) &&
	    (fcntl(fd, F_GETFD) & FD_CLOEXEC), "connect: non-blocking, cloexec");
	conn = accept(lfd, NULL, NULL);
	TAP_OK(conn >= 0 && write(fd, "hi", 2) == 2 && read(conn, buf, 2) == 2 &&
	    memcmp(buf, "hi", 2) == 0, "bytes cross the connection");
	close(conn);
	close(fd);
	close(lfd);
	fd = sock_connect(&sa, sa.port_lo, &o, &fail);
	TAP_OK(fd < 0 && errno == ECONNREFUSED && fail.gai == 0,
	    "a closed port: ECONNREFUSED");
	sock_address_parse("tcp:no-such-host.invalid:80", &sa, &why);
	TAP_OK(sock_connect(&sa, 80, &o, &fail) < 0 && fail.gai != 0 &&
	    !fail.at_source,
	    "an unresolvable name: a getaddrinfo error");

	/* A source address that cannot be bound, or does not resolve, is
	 * named as the failure, not the target. */
	{
		struct sock_address src;
		o.source = &src;
		sock_address_parse("tcp:127.0.0.1:9", &sa, &why);
		sock_source_parse("192.0.2.1", sa.kind, &src, &why);
		TAP_OK(sock_connect(&sa, 9, &o, &fail) < 0 &&
		    errno == EADDRNOTAVAIL && fail.at_source && !fail.gai,
		    "a source not of this host: at_source, EADDRNOTAVAIL");
		sock_source_parse("no-such-host.invalid", sa.kind, &src, &why);
		TAP_OK(sock_connect(&sa, 9, &o, &fail) < 0 && fail.at_source &&
		    fail.gai != 0, "an unresolvable source: at_source, gai");
		o.source = NULL;
	}

	/* UNIX: a regular file at the path is never removed. */
	snprintf(text, sizeof text, "unix:%s/f", dir);
	file = open(text + 5, O_CREAT | O_WRONLY, 0600);
	close(file);
	sock_address_parse(text, &sa, &why);
	memset(&owned, 0, sizeof owned);
	TAP_OK(sock_listen(&sa, &o, &owned, &fail) < 0 && fail.why &&
	    strstr(fail.why, "not a socket") && stat(text + 5, &st) == 0 &&
	    S_ISREG(st.st_mode), "a regular file is refused and kept");

	/* A live socket is refused; once closed (stale) it is replaced. */
	snprintf(text, sizeof text, "unix:%s/s", dir);
	sock_address_parse(text, &sa, &why);
	memset(&owned, 0, sizeof owned);
	lfd = sock_listen(&sa, &o, &owned, &fail);
	TAP_OK(lfd >= 0 && owned.bound && stat(text + 5, &st) == 0 &&
	    (st.st_mode & 0777) == 0600, "bound mode 0600 and owned");
	{
		struct sock_owned_path other = { 0 };
		TAP_OK(sock_listen(&sa, &o, &other, &fail) < 0 && fail.why &&
		    strstr(fail.why, "in use"), "a socket in use is refused");
	}
	/* A live socket whose backlog is full: in use, found without
	 * waiting (a blocking probe would wait for ever; SIGALRM ends the
	 * test then). */
	{
		struct sock_owned_path other = { 0 };
		int filler = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		/* A backlog of 0 holds one connection: the probe's above,
		 * or else the filler's. */
		listen(lfd, 0);
		connect(filler, (const void *)&sa.un, sa.un_len);
		alarm(10);
		TAP_OK(sock_listen(&sa, &o, &other, &fail) < 0 && fail.why &&
		    strstr(fail.why, "in use"),
		    "a socket with a full backlog is in use, found at once");
		alarm(0);
		close(filler);
	}
	close(lfd);
	{
		struct sock_owned_path again = { 0 };
		lfd = sock_listen(&sa, &o, &again, &fail);
		TAP_OK(lfd >= 0 && again.replaced_stale,
		    "a stale socket is replaced");
		/* Someone else's file at the path by now: left alone. */
		unlink(text + 5);
		file = open(text + 5, O_CREAT | O_WRONLY, 0600);
		close(file);
		sock_owned_path_remove(&again);
		TAP_OK(stat(text + 5, &st) == 0,
		    "removal spares a file that is no longer ours");
		unlink(text + 5);
		close(lfd);
	}
	memset(&owned, 0, sizeof owned);
	lfd = sock_listen(&sa, &o, &owned, &fail);
	sock_owned_path_remove(&owned);
	TAP_OK(lfd >= 0 && stat(text + 5, &st) < 0 && errno == ENOENT,
	    "our own socket file is removed");
	close(lfd);
	snprintf(text, sizeof text, "%s/f", dir);
	unlink(text);
	rmdir(dir);
	return tap_done();
}
