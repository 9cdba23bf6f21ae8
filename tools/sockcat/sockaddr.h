/* SPDX-License-Identifier: MIT */
/*
 * sockaddr: the socket address operand of sockcat(1), parsed and printed.
 *
 *   tcp:HOST:PORT  tcp4:HOST:PORT  tcp6:HOST:PORT  HOST:PORT (TCP)
 *   udp:HOST:PORT  udp4:HOST:PORT  udp6:HOST:PORT
 *   unix:PATH  unix-dgram:PATH  unix-seqpacket:PATH
 *   unix:@NAME (and the other unix kinds): the abstract namespace
 *   tls:HOST:PORT  tls4:HOST:PORT  tls6:HOST:PORT  (TCP, with TLS)
 *   tls:ADDRESS    TLS over a stream address: tls:tcp:..., tls:unix:PATH
 *
 * After "tls:", a word naming a kind ("unix", "tcp", ...) is always that
 * kind, as at the start of an operand: "tls:unix:443" is the UNIX socket
 * "443", and a host named "unix" is written "tls:tcp:unix:443".  TLS
 * needs a byte stream: tls: over udp, unix-dgram or unix-seqpacket, or
 * over tls: again, is refused.  tls4: and tls6: take HOST:PORT only.
 *
 * HOST is a name, an IPv4 literal, an IPv6 literal in brackets ("[::1]"),
 * or empty (every local address, for listening).  PORT is a decimal number
 * 0-65535, or a range LO-HI (for probing).  A PATH must fit sun_path with
 * its terminating NUL; it is never truncated.
 *
 * Parsing is pure: no name resolution, no system state, so that it can be
 * fuzzed.  Resolving the host is the caller's business (getaddrinfo(3)).
 */
#ifndef IPCU_SOCKADDR_H
#define IPCU_SOCKADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

enum sock_kind {
	SOCK_KIND_TCP,
	SOCK_KIND_UDP,
	SOCK_KIND_UNIX,			/* SOCK_STREAM */
	SOCK_KIND_UNIX_DGRAM,
	SOCK_KIND_UNIX_SEQPACKET,
};

/* Longest HOST accepted (a DNS name is at most 253 characters). */
#define SOCK_HOST_MAX 255

struct sock_address {
	enum sock_kind kind;
	int family;		/* AF_UNSPEC, AF_INET, AF_INET6 or AF_UNIX */
	int socktype;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	char host[SOCK_HOST_MAX + 1];	/* "" means every address */
	bool numeric_host;	/* HOST was a bracketed IPv6 literal */
	unsigned port_lo, port_hi;	/* equal unless a range was given */
	struct sockaddr_un un;	/* UNIX kinds */
	socklen_t un_len;	/* bytes of un that bind(2)/connect(2) take */
	bool abstract;		/* UNIX path in the abstract namespace */
	bool tls;		/* tls:, tls4:, tls6: over this address */
};

/*
 * Parse TEXT into SA.  Return 0, or -1 with *WHY set to a static phrase
 * saying what is wrong ("missing port", "port out of range", ...), fit to
 * follow "ADDRESS: ".  A port range is accepted here; callers that want a
 * single port check port_lo == port_hi.
 */
int sock_address_parse(const char *text, struct sock_address *sa,
    const char **why);

/*
 * Parse the local address TEXT to connect from (sockcat -s) into SRC:
 * HOST, HOST:PORT, [IPv6] or [IPv6]:PORT, with HOST and PORT read as in
 * an ADDRESS (the same bounds: a port 0-65535, no range; an IPv6 literal
 * in brackets).  No PORT means 0: the kernel picks one.  SRC's kind is
 * KIND's.  Return 0, or -1 with *WHY set as sock_address_parse() does.
 */
int sock_source_parse(const char *text, enum sock_kind kind,
    struct sock_address *src, const char **why);

/* Whether the kind is one of the UNIX kinds. */
bool sock_kind_is_unix(enum sock_kind kind);

/* Whether the kind carries records (datagram or seqpacket) rather than a
 * byte stream. */
bool sock_kind_is_records(enum sock_kind kind);

/* The kind's prefix as sockcat spells it ("tcp", "unix-dgram", ...). */
const char *sock_kind_name(enum sock_kind kind);

/* Room for any sock_address_format() result. */
#define SOCK_ADDRSTR_MAX (16 + sizeof(((struct sockaddr_un *)0)->sun_path) + 64)

/*
 * Write the socket address SA (LEN bytes) as an operand of KIND into BUF
 * of SIZE bytes: "tcp:127.0.0.1:80", "udp:[::1]:53", "unix:/run/x",
 * "unix:@name"; an unnamed UNIX socket is "unix:" followed by nothing.
 * Return BUF.
 */
const char *sock_address_format(enum sock_kind kind,
    const struct sockaddr *sa, socklen_t len, char *buf, size_t size);

#endif
