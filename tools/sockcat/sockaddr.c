/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sockaddr.h"

static const struct {
	const char *prefix;
	enum sock_kind kind;
	int family;
} kinds[] = {
	{ "tcp", SOCK_KIND_TCP, AF_UNSPEC },
	{ "tcp4", SOCK_KIND_TCP, AF_INET },
	{ "tcp6", SOCK_KIND_TCP, AF_INET6 },
	{ "udp", SOCK_KIND_UDP, AF_UNSPEC },
	{ "udp4", SOCK_KIND_UDP, AF_INET },
	{ "udp6", SOCK_KIND_UDP, AF_INET6 },
	{ "unix", SOCK_KIND_UNIX, AF_UNIX },
	{ "unix-dgram", SOCK_KIND_UNIX_DGRAM, AF_UNIX },
	{ "unix-seqpacket", SOCK_KIND_UNIX_SEQPACKET, AF_UNIX },
};

bool
sock_kind_is_unix(enum sock_kind kind)
{
	return kind == SOCK_KIND_UNIX || kind == SOCK_KIND_UNIX_DGRAM ||
	    kind == SOCK_KIND_UNIX_SEQPACKET;
}

bool
sock_kind_is_records(enum sock_kind kind)
{
	return kind == SOCK_KIND_UDP || kind == SOCK_KIND_UNIX_DGRAM ||
	    kind == SOCK_KIND_UNIX_SEQPACKET;
}

const char *
sock_kind_name(enum sock_kind kind)
{
	switch (kind) {
	case SOCK_KIND_TCP:
		return "tcp";
	case SOCK_KIND_UDP:
		return "udp";
	case SOCK_KIND_UNIX:
		return "unix";
	case SOCK_KIND_UNIX_DGRAM:
		return "unix-dgram";
	case SOCK_KIND_UNIX_SEQPACKET:
		return "unix-seqpacket";
	}
	return "?";
}

static int
socktype_of(enum sock_kind kind)
{
	switch (kind) {
	case SOCK_KIND_UDP:
	case SOCK_KIND_UNIX_DGRAM:
		return SOCK_DGRAM;
	case SOCK_KIND_UNIX_SEQPACKET:
		return SOCK_SEQPACKET;
	default:
		return SOCK_STREAM;
	}
}

/* Parse a decimal port 0-65535 from S (LEN bytes); -1 if it is not one. */
static long
parse_port(const char *s, size_t len)
{
	long v = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v > 65535 ? -2 : v;
}

/* Parse PORT or LO-HI into SA. */
static int
parse_ports(const char *s, struct sock_address *sa, const char **why)
{
	const char *dash = strchr(s, '-');
	long lo, hi;

	if (*s == '\0') {
		*why = "missing port";
		return -1;
	}
	if (dash) {
		lo = parse_port(s, (size_t)(dash - s));
		hi = parse_port(dash + 1, strlen(dash + 1));
	} else {
		lo = hi = parse_port(s, strlen(s));
	}
	if (lo == -2 || hi == -2) {
		*why = "port out of range (0-65535)";
		return -1;
	}
	if (lo < 0 || hi < 0) {
		*why = "invalid port (a number 0-65535 or a range LO-HI)";
		return -1;
	}
	if (lo > hi) {
		*why = "invalid port range (LO is above HI)";
		return -1;
	}
	sa->port_lo = (unsigned)lo;
	sa->port_hi = (unsigned)hi;
	return 0;
}

/* Parse HOST:PORT (HOST possibly "[v6]" or empty) into SA. */
static int
parse_inet(const char *s, struct sock_address *sa, const char **why)
{
	const char *colon;
	size_t hlen;

	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close) {
			*why = "missing ']' after an IPv6 address";
			return -1;
		}
		hlen = (size_t)(close - s - 1);
		if (hlen == 0) {
			*why = "empty IPv6 address in brackets";
			return -1;
		}
		if (close[1] != ':') {
			*why = close[1] ? "expected ':PORT' after ']'" :
			    "missing port";
			return -1;
		}
		if (memchr(s + 1, '[', hlen)) {
			*why = "invalid IPv6 address";
			return -1;
		}
		if (hlen > SOCK_HOST_MAX) {
			*why = "host name too long";
			return -1;
		}
		memcpy(sa->host, s + 1, hlen);
		sa->host[hlen] = '\0';
		sa->numeric_host = true;
		return parse_ports(close + 2, sa, why);
	}
	colon = strrchr(s, ':');
	if (!colon) {
		*why = "missing port";
		return -1;
	}
	hlen = (size_t)(colon - s);
	if (memchr(s, ':', hlen)) {
		*why = "an IPv6 address needs brackets, as in [::1]:PORT";
		return -1;
	}
	if (memchr(s, ']', hlen)) {
		*why = "unbalanced ']'";
		return -1;
	}
	if (hlen > SOCK_HOST_MAX) {
		*why = "host name too long";
		return -1;
	}
	memcpy(sa->host, s, hlen);
	sa->host[hlen] = '\0';
	return parse_ports(colon + 1, sa, why);
}

/* Parse a UNIX PATH or @NAME into SA. */
static int
parse_unix(const char *s, struct sock_address *sa, const char **why)
{
	size_t len = strlen(s);

	if (len == 0) {
		*why = "missing path";
		return -1;
	}
	sa->un.sun_family = AF_UNIX;
	if (s[0] == '@') {
		if (len == 1) {
			*why = "missing abstract socket name after '@'";
			return -1;
		}
		/* The name fills sun_path after the leading NUL, unterminated. */
		if (len > sizeof sa->un.sun_path) {
			*why = "abstract socket name too long";
			return -1;
		}
		sa->un.sun_path[0] = '\0';
		memcpy(sa->un.sun_path + 1, s + 1, len - 1);
		sa->abstract = true;
		sa->un_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    len);
		return 0;
	}
	if (len >= sizeof sa->un.sun_path) {
		*why = "socket path too long";
		return -1;
	}
	memcpy(sa->un.sun_path, s, len + 1);
	sa->un_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    len + 1);
	return 0;
}

/* Parse an operand without TLS: all of one, or what follows "tls:". */
static int
parse_plain(const char *text, struct sock_address *sa, const char **why)
{
	const char *colon = strchr(text, ':');

	memset(sa, 0, sizeof *sa);
	if (*text == '\0') {
		*why = "empty address";
		return -1;
	}
	if (colon) {
		size_t plen = (size_t)(colon - text);
		for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
			if (strlen(kinds[i].prefix) != plen ||
			    strncmp(kinds[i].prefix, text, plen) != 0)
				continue;
			sa->kind = kinds[i].kind;
			sa->family = kinds[i].family;
			sa->socktype = socktype_of(sa->kind);
			if (sock_kind_is_unix(sa->kind))
				return parse_unix(colon + 1, sa, why);
			return parse_inet(colon + 1, sa, why);
		}
		/* KIND:HOST:PORT with an unknown KIND. */
		if (plen > 0 && text[0] != '[' && strchr(colon + 1, ':')) {
			if (strspn(text, "0123456789abcdefABCDEF") == plen) {
				*why = "an IPv6 address needs brackets, as in "
				    "[::1]:PORT";
				return -1;
			}
			*why = "unknown address kind (tcp, tcp4, tcp6, udp, "
			    "udp4, udp6, unix, unix-dgram, unix-seqpacket, tls, "
			    "tls4, tls6)";
			return -1;
		}
	}
	/* HOST:PORT alone means TCP. */
	sa->kind = SOCK_KIND_TCP;
	sa->family = AF_UNSPEC;
	sa->socktype = SOCK_STREAM;
	if (!colon && text[0] != '[') {
		*why = "not an address (KIND:..., HOST:PORT or [IPv6]:PORT)";
		return -1;
	}
	return parse_inet(text, sa, why);
}

/* Whether TEXT starts with "KIND:" for a kind of the table. */
static bool
starts_with_kind(const char *text)
{
	const char *colon = strchr(text, ':');

	for (size_t i = 0; colon && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strlen(kinds[i].prefix) == (size_t)(colon - text) &&
		    strncmp(kinds[i].prefix, text, (size_t)(colon - text)) == 0)
			return true;
	return false;
}

static const struct {
	const char *prefix;
	int family;
} tls_kinds[] = {
	{ "tls:", AF_UNSPEC }, { "tls4:", AF_INET }, { "tls6:", AF_INET6 },
};

/* The length of TEXT's "tls:", "tls4:" or "tls6:" prefix (its family in
 * *FAMILY), or 0. */
static size_t
tls_prefix(const char *text, int *family)
{
	for (size_t i = 0; i < sizeof tls_kinds / sizeof tls_kinds[0]; i++) {
		size_t n = strlen(tls_kinds[i].prefix);
		if (strncmp(text, tls_kinds[i].prefix, n) == 0) {
			*family = tls_kinds[i].family;
			return n;
		}
	}
	return 0;
}

/* Parse what follows "tls:" (FAMILY AF_UNSPEC), "tls4:" or "tls6:": a
 * stream address of a named kind after "tls:", else HOST:PORT (TCP). */
static int
parse_tls(const char *rest, int family, struct sock_address *sa,
    const char **why)
{
	int f;

	if (family == AF_UNSPEC && tls_prefix(rest, &f) > 0) {
		*why = "tls: given twice";
		return -1;
	}
	if (family == AF_UNSPEC && starts_with_kind(rest)) {
		if (parse_plain(rest, sa, why) < 0)
			return -1;
		if (sa->socktype != SOCK_STREAM) {
			*why = "TLS needs a stream address (tcp or unix)";
			return -1;
		}
	} else {
		memset(sa, 0, sizeof *sa);
		sa->kind = SOCK_KIND_TCP;
		sa->family = family;
		sa->socktype = SOCK_STREAM;
		if (*rest == '\0') {
			*why = "empty address";
			return -1;
		}
		if (parse_inet(rest, sa, why) < 0)
			return -1;
	}
	sa->tls = true;
	return 0;
}

int
sock_address_parse(const char *text, struct sock_address *sa,
    const char **why)
{
	int family;
	size_t n = tls_prefix(text, &family);

	if (n > 0)
		return parse_tls(text + n, family, sa, why);
	return parse_plain(text, sa, why);
}

int
sock_source_parse(const char *text, enum sock_kind kind,
    struct sock_address *src, const char **why)
{
	char with_port[SOCK_HOST_MAX + 16];
	const char *close = text[0] == '[' ? strchr(text, ']') : NULL;
	bool has_port = close ? close[1] != '\0' : strchr(text, ':') != NULL;

	memset(src, 0, sizeof *src);
	if (*text == '\0') {
		*why = "empty address";
		return -1;
	}
	/* Without a port, read it as HOST:0, through the ADDRESS parser. */
	if (!has_port) {
		if (strlen(text) > SOCK_HOST_MAX + 2) {
			*why = "host name too long";
			return -1;
		}
		snprintf(with_port, sizeof with_port, "%s:0", text);
		text = with_port;
	}
	if (parse_inet(text, src, why) < 0)
		return -1;
	if (src->port_lo != src->port_hi) {
		*why = "a source takes one port, not a range";
		return -1;
	}
	src->kind = kind;
	src->socktype = socktype_of(kind);
	src->family = AF_UNSPEC;
	return 0;
}

const char *
sock_address_format(enum sock_kind kind, const struct sockaddr *sa,
    socklen_t len, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		snprintf(buf, size, "%s:%s:%u", sock_kind_name(kind), host,
		    ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6 &&
	    len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		snprintf(buf, size, "%s:[%s]:%u", sock_kind_name(kind), host,
		    ntohs(in6->sin6_port));
	} else if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = (const void *)sa;
		size_t off = offsetof(struct sockaddr_un, sun_path);
		size_t n = len > off ? len - off : 0, o;

		o = (size_t)snprintf(buf, size, "%s:", sock_kind_name(kind));
		if (o >= size)
			return buf;
		if (n > 0 && un->sun_path[0] != '\0')
			n = strnlen(un->sun_path, n);
		for (size_t i = 0; i < n && o + 1 < size; i++, o++)
			buf[o] = un->sun_path[i] == '\0' ? '@' : un->sun_path[i];
		if (o < size)
			buf[o] = '\0';
	} else {
		snprintf(buf, size, "%s:?", sock_kind_name(kind));
	}
	return buf;
}
