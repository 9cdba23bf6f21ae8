/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for tools/sockcat/sockaddr: any string is either refused with a
 * reason, or gives a well-formed address: a known kind with its socket
 * type, ports within 0-65535 and in order, a host that fits and is
 * terminated, a UNIX path within sun_path whose length bind(2) would take.
 * The formatter gives the operand back where it should: a UNIX address
 * as typed, a numeric IP address as an operand that parses to the same.
 * A tls: prefix is followed by a plain stream operand.
 * The same string read as a source address (-s) is refused with a reason
 * or reads as the ADDRESS parser reads HOST:PORT.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

/* Check the UNIX part of SA, parsed from TEXT (whose ':' is at COLON). */
static void
check_unix(const char *text, const char *colon, const struct sock_address *sa)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	const char *path = colon + 1;
	char buf[SOCK_ADDRSTR_MAX];
	struct sock_address again;
	const char *why;

	CHECK(sa->family == AF_UNIX && sa->un.sun_family == AF_UNIX);
	CHECK(sa->un_len > off && sa->un_len <= sizeof sa->un);
	CHECK(sa->port_lo == 0 && sa->port_hi == 0 && sa->host[0] == '\0');
	if (sa->abstract) {
		CHECK(path[0] == '@' && sa->un.sun_path[0] == '\0');
		CHECK(sa->un_len - off == strlen(path));
		CHECK(memcmp(sa->un.sun_path + 1, path + 1,
		    strlen(path) - 1) == 0);
	} else {
		CHECK(path[0] != '\0');
		CHECK(memchr(sa->un.sun_path, '\0', sizeof sa->un.sun_path));
		CHECK(strcmp(sa->un.sun_path, path) == 0);
		CHECK(sa->un_len - off == strlen(path) + 1);
	}
	/* Formatting gives the operand as typed, and it parses the same. */
	sock_address_format(sa->kind, (const void *)&sa->un, sa->un_len, buf,
	    sizeof buf);
	if (!sa->abstract || !memchr(sa->un.sun_path + 1, '@',
	    sa->un_len - off - 1))
		CHECK(strcmp(buf, text) == 0);
	CHECK(sock_address_parse(buf, &again, &why) == 0);
	CHECK(again.kind == sa->kind && again.un_len == sa->un_len &&
	    memcmp(&again.un, &sa->un, sa->un_len) == 0);
}

/* Check the IP part of SA; round-trip a numeric host through the
 * formatter. */
static void
check_inet(const struct sock_address *sa)
{
	size_t hlen = strnlen(sa->host, sizeof sa->host);
	char buf[SOCK_ADDRSTR_MAX];
	struct sock_address again;
	const char *why;
	union {
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	socklen_t len;

	CHECK(hlen <= SOCK_HOST_MAX);
	CHECK(sa->port_lo <= sa->port_hi && sa->port_hi <= 65535);
	CHECK(sa->family == AF_UNSPEC || sa->family == AF_INET ||
	    sa->family == AF_INET6);
	CHECK(sa->un_len == 0 && !sa->abstract);
	/* A ':' in HOST only inside brackets; never a bracket in HOST. */
	CHECK(sa->numeric_host || !memchr(sa->host, ':', hlen));
	CHECK(!memchr(sa->host, ']', hlen));
	memset(&u, 0, sizeof u);
	if (!sa->numeric_host && inet_pton(AF_INET, sa->host,
	    &u.in.sin_addr) == 1) {
		u.in.sin_family = AF_INET;
		u.in.sin_port = htons((uint16_t)sa->port_lo);
		len = sizeof u.in;
	} else if (sa->numeric_host && inet_pton(AF_INET6, sa->host,
	    &u.in6.sin6_addr) == 1) {
		u.in6.sin6_family = AF_INET6;
		u.in6.sin6_port = htons((uint16_t)sa->port_lo);
		len = sizeof u.in6;
	} else {
		return;
	}
	sock_address_format(sa->kind, (const void *)&u, len, buf, sizeof buf);
	CHECK(sock_address_parse(buf, &again, &why) == 0);
	CHECK(again.kind == sa->kind && again.port_lo == sa->port_lo &&
	    again.port_hi == again.port_lo &&
	    again.numeric_host == sa->numeric_host);
	if (len == sizeof u.in) {
		struct in_addr a;
		CHECK(inet_pton(AF_INET, again.host, &a) == 1 &&
		    a.s_addr == u.in.sin_addr.s_addr);
	} else {
		struct in6_addr a;
		CHECK(inet_pton(AF_INET6, again.host, &a) == 1 &&
		    memcmp(&a, &u.in6.sin6_addr, sizeof a) == 0);
	}
}

/* Check the source address (-s) parsed from TEXT: one port in range, a
 * host as an ADDRESS has it; the same host and port as the ADDRESS
 * "tcp:TEXT" (with ":0" when TEXT has no port) would give. */
static void
check_source(const char *text)
{
	struct sock_address src, as_addr;
	const char *why = NULL;
	size_t len = strlen(text);
	char *addr = malloc(len + 8);
	const char *close = text[0] == '[' ? strchr(text, ']') : NULL;
	bool has_port = close ? close[1] != '\0' : strchr(text, ':') != NULL;

	if (!addr)
		return;
	if (sock_source_parse(text, SOCK_KIND_UDP, &src, &why) < 0) {
		CHECK(why && why[0] != '\0');
		free(addr);
		return;
	}
	CHECK(src.kind == SOCK_KIND_UDP && src.socktype == SOCK_DGRAM);
	CHECK(src.port_lo == src.port_hi && src.port_hi <= 65535);
	CHECK(strnlen(src.host, sizeof src.host) <= SOCK_HOST_MAX);
	CHECK(src.numeric_host || !strchr(src.host, ':'));
	snprintf(addr, len + 8, "tcp:%s%s", text, has_port ? "" : ":0");
	CHECK(sock_address_parse(addr, &as_addr, &why) == 0);
	CHECK(strcmp(as_addr.host, src.host) == 0 &&
	    as_addr.port_lo == src.port_lo &&
	    as_addr.numeric_host == src.numeric_host);
	free(addr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_address sa;
	const char *why = NULL;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (sock_address_parse(s, &sa, &why) < 0) {
		CHECK(why && why[0] != '\0');
	} else {
		switch (sa.kind) {
		case SOCK_KIND_TCP:
		case SOCK_KIND_UNIX:
			CHECK(sa.socktype == SOCK_STREAM);
			break;
		case SOCK_KIND_UDP:
		case SOCK_KIND_UNIX_DGRAM:
			CHECK(sa.socktype == SOCK_DGRAM);
			break;
		case SOCK_KIND_UNIX_SEQPACKET:
			CHECK(sa.socktype == SOCK_SEQPACKET);
			break;
		default:
			abort();
		}
		/* After a "tls:" prefix the operand is a plain one (TLS
		 * needs a byte stream). */
		const char *plain = sa.tls ? strchr(s, ':') + 1 : s;
		CHECK(!sa.tls || sa.socktype == SOCK_STREAM);
		if (sa.tls && sock_kind_is_unix(sa.kind))
			CHECK(strncmp(s, "tls:", 4) == 0);
		if (sock_kind_is_unix(sa.kind))
			check_unix(plain, strchr(plain, ':'), &sa);
		else
			check_inet(&sa);
	}
	check_source(s);
	free(s);
	return 0;
}
