/* SPDX-License-Identifier: MIT */
/*
 * sockconn: connect to and listen on a parsed socket address (sockaddr.h).
 *
 * Names are resolved with getaddrinfo(3) and each address is tried in
 * turn.  Listening on an empty host means every address: IPv6 dual-stack
 * (IPV6_V6ONLY off) where the kernel has IPv6, else IPv4.  TCP listeners
 * set SO_REUSEADDR; SO_REUSEPORT only on request.
 *
 * A UNIX path is bound safely: an existing file there is replaced only
 * when it is a socket that nobody accepts on (lstat(2), then a
 * non-blocking connect(2) probe refused); any other file is left alone.
 * The file bound is remembered by device and inode so that it is removed
 * at the end only if it is still ours.
 */
#ifndef IPCU_SOCKCONN_H
#define IPCU_SOCKCONN_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "sockaddr.h"

struct sock_conn_opts {
	int family;		/* AF_UNSPEC, or AF_INET / AF_INET6 only */
	const struct sock_address *source;	/* connect from (-s), or NULL */
	bool nodelay;		/* TCP_NODELAY on TCP sockets */
	bool reuseport;		/* SO_REUSEPORT on listeners */
	const struct timespec *timeout;	/* per connect attempt, or NULL */
	mode_t unix_mode;	/* permissions of a UNIX socket file bound */
	/* Called for each resolved address that failed (for -v), or NULL. */
	void (*on_fail)(const char *addr, int err, void *arg);
	void *arg;
};

/* Why sock_connect() or sock_listen() failed, beyond errno. */
struct sock_fail {
	int gai;		/* a getaddrinfo(3) error, else 0 */
	bool at_source;		/* the source address failed, not the target */
	const char *why;	/* a static phrase (a file in the way), or NULL */
};

/* A UNIX socket file bound by sock_listen(). */
struct sock_owned_path {
	bool bound;		/* a file was bound and not yet removed */
	bool replaced_stale;	/* a stale socket was removed first */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
};

/*
 * Connect to SA at PORT.  Return the connected socket (non-blocking,
 * close-on-exec), or -1 with errno of the last failure (ETIMEDOUT when
 * the timeout passed) and *FAIL saying more: gai when a name did not
 * resolve, at_source when the source address (O->source) could not be
 * resolved or bound.  A unix-dgram socket is first bound to an automatic
 * abstract address, so that the peer can answer.
 */
int sock_connect(const struct sock_address *sa, unsigned port,
    const struct sock_conn_opts *o, struct sock_fail *fail);

/*
 * Bind SA (and for stream and seqpacket kinds, listen).  Return the
 * socket (close-on-exec), or -1 with errno set and, where it says more,
 * FAIL->why set to a static phrase (a file in the way, a socket in use)
 * or FAIL->gai to a getaddrinfo(3) error.  A UNIX file bound is recorded
 * in OWNED.  A socket file already at the path is probed without
 * blocking: one whose backlog is full is in use, not a reason to wait.
 */
int sock_listen(const struct sock_address *sa, const struct sock_conn_opts *o,
    struct sock_owned_path *owned, struct sock_fail *fail);

/* Remove OWNED's file if it is still the socket we bound; forget it. */
void sock_owned_path_remove(struct sock_owned_path *owned);

/* Write the peer (PEER) or local address of the socket FD as an operand
 * of KIND into BUF of SIZE bytes ("KIND:?" when it cannot be had); return
 * BUF. */
const char *sock_fd_address(int fd, bool peer, enum sock_kind kind,
    char *buf, size_t size);

#endif
