/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "deadline.h"
#include "sockconn.h"

/* Close FD keeping errno; return -1. */
static int
close_keep_errno(int fd)
{
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

/* Wait for a non-blocking connect(2) on FD; 0, or -1 with errno
 * (ETIMEDOUT when TIMEOUT passed). */
static int
finish_connect(int fd, const struct timespec *timeout)
{
	struct deadline d;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int soerr = 0, r;
	socklen_t len = sizeof soerr;

	deadline_start(&d, timeout);
	do
		r = poll(&pfd, 1, deadline_poll_ms(&d));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -1;
	if (soerr) {
		errno = soerr;
		return -1;
	}
	return 0;
}

/* Bind FD to the source address SRC in FAMILY; 0, or -1 with errno, or
 * with *GAI set when SRC's host does not resolve in FAMILY. */
static int
bind_source(int fd, const struct sock_address *src, int family,
    int socktype, int *gai)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = socktype,
	    .ai_flags = AI_PASSIVE | AI_NUMERICSERV |
	    (src->numeric_host ? AI_NUMERICHOST : 0) }, *res;
	char service[8];
	int r, one = 1;

	snprintf(service, sizeof service, "%u", src->port_lo);
	*gai = getaddrinfo(src->host[0] ? src->host : NULL, service, &hints,
	    &res);
	if (*gai != 0) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	r = bind(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return r;
}

/* Connect to a UNIX address; see sock_connect(). */
static int
connect_unix(const struct sock_address *sa, const struct sock_conn_opts *o)
{
	struct timeval zero = { 0, 0 };
	int fd = socket(AF_UNIX, sa->socktype | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -1;
	if (sa->kind == SOCK_KIND_UNIX_DGRAM) {
		struct sockaddr_un un = { .sun_family = AF_UNIX };
		if (bind(fd, (void *)&un, sizeof(sa_family_t)) < 0)
			return close_keep_errno(fd);
	}
	/* A UNIX connect waits on a full backlog; SO_SNDTIMEO bounds it. */
	if (o->timeout) {
		struct timeval tv = { o->timeout->tv_sec,
		    o->timeout->tv_nsec / 1000 };
		if (tv.tv_sec == 0 && tv.tv_usec == 0)
			tv.tv_usec = 1;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
	do
		r = connect(fd, (const void *)&sa->un, sa->un_len);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINPROGRESS)
			errno = ETIMEDOUT;
		return close_keep_errno(fd);
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &zero, sizeof zero);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return close_keep_errno(fd);
	return fd;
}

/* Connect FD to AI's address from O's source; 0, or -1 with errno and
 * FAIL->at_source (and gai) when the source failed. */
static int
connect_from(int fd, const struct addrinfo *ai, const struct sock_address *sa,
    const struct sock_conn_opts *o, struct sock_fail *fail)
{
	int r, one = 1;

	if (o->nodelay && sa->kind == SOCK_KIND_TCP)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	fail->at_source = false;
	fail->gai = 0;
	if (o->source && bind_source(fd, o->source, ai->ai_family,
	    ai->ai_socktype, &fail->gai) < 0) {
		fail->at_source = true;
		return -1;
	}
	r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	if (r < 0 && errno == EINPROGRESS)
		r = finish_connect(fd, o->timeout);
	return r;
}

int
sock_connect(const struct sock_address *sa, unsigned port,
    const struct sock_conn_opts *o, struct sock_fail *fail)
{
	struct addrinfo hints, *res, *ai;
	char service[8], name[SOCK_ADDRSTR_MAX];
	int fd = -1, r, e = ECONNREFUSED;

	memset(fail, 0, sizeof *fail);
	if (sock_kind_is_unix(sa->kind))
		return connect_unix(sa, o);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = o->family != AF_UNSPEC ? o->family : sa->family;
	hints.ai_socktype = sa->socktype;
	hints.ai_flags = AI_NUMERICSERV |
	    (sa->numeric_host ? AI_NUMERICHOST : 0);
	snprintf(service, sizeof service, "%u", port);
	r = getaddrinfo(sa->host[0] ? sa->host : NULL, service, &hints, &res);
	if (r != 0) {
		fail->gai = r;
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect_from(fd, ai, sa, o, fail) == 0)
			break;
		e = errno;
		if (o->on_fail && !fail->at_source)
			o->on_fail(sock_address_format(sa->kind, ai->ai_addr,
			    ai->ai_addrlen, name, sizeof name), e, o->arg);
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		errno = e;
	return fd;
}

/* Bind FD to SA's UNIX path safely (see the header); 0, or -1 with errno
 * and *WHY when a file is in the way. */
static int
bind_unix(int fd, const struct sock_address *sa,
    const struct sock_conn_opts *o, struct sock_owned_path *owned,
    const char **why)
{
	struct stat st;
	mode_t old;
	int r;

	if (!sa->abstract && lstat(sa->un.sun_path, &st) == 0) {
		int probe;
		if (!S_ISSOCK(st.st_mode)) {
			*why = "the path exists and is not a socket; not "
			    "removed";
			errno = EEXIST;
			return -1;
		}
		/* Non-blocking: a full backlog (EAGAIN) is a live socket,
		 * and a blocking connect would wait on it for ever. */
		probe = socket(AF_UNIX, sa->socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (probe < 0)
			return -1;
		do
			r = connect(probe, (const void *)&sa->un, sa->un_len);
		while (r < 0 && errno == EINTR);
		close_keep_errno(probe);
		if (r == 0 || errno != ECONNREFUSED) {
			*why = "a socket at the path is in use; not removed";
			errno = EADDRINUSE;
			return -1;
		}
		if (unlink(sa->un.sun_path) < 0 && errno != ENOENT)
			return -1;
		owned->replaced_stale = true;
	}
	old = umask(~o->unix_mode & 0777);
	r = bind(fd, (const void *)&sa->un, sa->un_len);
	umask(old);
	if (r < 0)
		return -1;
	if (!sa->abstract && lstat(sa->un.sun_path, &st) == 0) {
		snprintf(owned->path, sizeof owned->path, "%s",
		    sa->un.sun_path);
		owned->dev = st.st_dev;
		owned->ino = st.st_ino;
		owned->bound = true;
	}
	return 0;
}

/* Set the listener options on FD for SOCKTYPE. */
static void
listener_options(int fd, int socktype, const struct sock_conn_opts *o)
{
	int on = 1;

	if (socktype == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (o->reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
}

/* A socket bound to every address of FAMILY at PORT (AF_INET6
 * dual-stack unless V6ONLY); -1 with errno on failure. */
static int
any_socket(int family, int socktype, bool v6only, unsigned port,
    const struct sock_conn_opts *o)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_ANY) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
	    .sin6_port = htons((uint16_t)port), .sin6_addr = in6addr_any };
	int fd = socket(family, socktype | SOCK_CLOEXEC, 0), only = v6only;

	if (fd < 0)
		return -1;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only);
	listener_options(fd, socktype, o);
	if ((family == AF_INET6 ? bind(fd, (void *)&in6, sizeof in6) :
	    bind(fd, (void *)&in, sizeof in)) == 0)
		return fd;
	return close_keep_errno(fd);
}

/* A socket bound to the first address SA's host resolves to. */
static int
host_socket(const struct sock_address *sa, int family,
    const struct sock_conn_opts *o, int *gai)
{
	struct addrinfo hints = { .ai_family = family,
	    .ai_socktype = sa->socktype,
	    .ai_flags = AI_PASSIVE | AI_NUMERICSERV |
	    (sa->numeric_host ? AI_NUMERICHOST : 0) }, *res, *ai;
	char service[8];
	int fd = -1, e = EADDRNOTAVAIL;

	snprintf(service, sizeof service, "%u", sa->port_lo);
	*gai = getaddrinfo(sa->host, service, &hints, &res);
	if (*gai != 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		listener_options(fd, sa->socktype, o);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		errno = e;
	return fd;
}

int
sock_listen(const struct sock_address *sa, const struct sock_conn_opts *o,
    struct sock_owned_path *owned, struct sock_fail *fail)
{
	int fd, family = o->family != AF_UNSPEC ? o->family : sa->family;

	memset(fail, 0, sizeof *fail);
	if (sock_kind_is_unix(sa->kind)) {
		fd = socket(AF_UNIX, sa->socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (bind_unix(fd, sa, o, owned, &fail->why) < 0)
			return close_keep_errno(fd);
	} else if (sa->host[0] == '\0') {
		if (family == AF_UNSPEC) {
			fd = any_socket(AF_INET6, sa->socktype, false,
			    sa->port_lo, o);
			if (fd < 0 && errno == EAFNOSUPPORT)
				fd = any_socket(AF_INET, sa->socktype, false,
				    sa->port_lo, o);
		} else {
			fd = any_socket(family, sa->socktype, true,
			    sa->port_lo, o);
		}
	} else {
		fd = host_socket(sa, family, o, &fail->gai);
	}
	if (fd < 0)
		return -1;
	if (sa->socktype != SOCK_DGRAM && listen(fd, SOMAXCONN) < 0)
		return close_keep_errno(fd);
	return fd;
}

void
sock_owned_path_remove(struct sock_owned_path *owned)
{
	struct stat st;

	if (!owned->bound)
		return;
	owned->bound = false;
	if (lstat(owned->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == owned->dev && st.st_ino == owned->ino)
		unlink(owned->path);
}

const char *
sock_fd_address(int fd, bool peer, enum sock_kind kind, char *buf,
    size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int r = peer ? getpeername(fd, (void *)&ss, &len) :
	    getsockname(fd, (void *)&ss, &len);

	if (r < 0) {
		snprintf(buf, size, "%s:?", sock_kind_name(kind));
		return buf;
	}
	return sock_address_format(kind, (void *)&ss, len, buf, size);
}
