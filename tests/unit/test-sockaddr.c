/* SPDX-License-Identifier: MIT */
/* Unit tests of tools/sockcat/sockaddr: the address operand of sockcat(1), and the
 * source address of -s. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "sockaddr.h"
#include "tap.h"

/* Parse TEXT and return 0 or -1, setting *WHY. */
static int
parse(const char *text, struct sock_address *sa, const char **why)
{
	*why = NULL;
	return sock_address_parse(text, sa, why);
}

int
main(void)
{
	struct sock_address sa;
	const char *why;
	char buf[SOCK_ADDRSTR_MAX], longpath[200], longhost[SOCK_HOST_MAX + 2];
	struct sockaddr_in in = { .sin_family = AF_INET,
	    .sin_port = htons(8080) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
	    .sin6_port = htons(53) };

	TAP_OK(parse("tcp:example.org:80", &sa, &why) == 0 &&
	    sa.kind == SOCK_KIND_TCP && sa.family == AF_UNSPEC &&
	    strcmp(sa.host, "example.org") == 0 && sa.port_lo == 80 &&
	    sa.port_hi == 80 && sa.socktype == SOCK_STREAM,
	    "tcp:HOST:PORT");
	TAP_OK(parse("tcp4:1.2.3.4:0", &sa, &why) == 0 &&
	    sa.family == AF_INET && sa.port_lo == 0, "tcp4 with port 0");
	TAP_OK(parse("tcp6:[::1]:65535", &sa, &why) == 0 &&
	    sa.family == AF_INET6 && strcmp(sa.host, "::1") == 0 &&
	    sa.numeric_host && sa.port_lo == 65535, "tcp6 bracketed literal");
	TAP_OK(parse("tcp::8000", &sa, &why) == 0 && sa.host[0] == '\0' &&
	    sa.port_lo == 8000, "tcp::PORT means every address");
	TAP_OK(parse("localhost:22", &sa, &why) == 0 &&
	    sa.kind == SOCK_KIND_TCP && strcmp(sa.host, "localhost") == 0,
	    "HOST:PORT alone is TCP");
	TAP_OK(parse("[::1]:22", &sa, &why) == 0 && sa.kind == SOCK_KIND_TCP &&
	    strcmp(sa.host, "::1") == 0, "[IPv6]:PORT alone is TCP");
	TAP_OK(parse(":9", &sa, &why) == 0 && sa.host[0] == '\0',
	    ":PORT alone is TCP on every address");
	TAP_OK(parse("udp:127.0.0.1:53", &sa, &why) == 0 &&
	    sa.kind == SOCK_KIND_UDP && sa.socktype == SOCK_DGRAM, "udp");
	TAP_OK(parse("tcp:h:8000-8010", &sa, &why) == 0 &&
	    sa.port_lo == 8000 && sa.port_hi == 8010, "port range");
	TAP_OK(parse("tcp:h:9-8", &sa, &why) == -1 && why, "reversed range");
	TAP_OK(parse("tcp:h:70000", &sa, &why) == -1 &&
	    strstr(why, "out of range"), "port 70000 is out of range");
	TAP_OK(parse("tcp:h:", &sa, &why) == -1 && strstr(why, "missing port"),
	    "empty port");
	TAP_OK(parse("tcp:h", &sa, &why) == -1 && strstr(why, "missing port"),
	    "tcp:HOST without port");
	TAP_OK(parse("tcp:h:8x", &sa, &why) == -1 && strstr(why, "invalid port"),
	    "junk in port");
	TAP_OK(parse("tcp:h:+80", &sa, &why) == -1, "signed port");
	TAP_OK(parse("tcp:h:000080", &sa, &why) == -1, "six-digit port");
	TAP_OK(parse("tcp:::1:80", &sa, &why) == -1 && strstr(why, "brackets"),
	    "unbracketed IPv6 is refused");
	TAP_OK(parse("fe80::1:80", &sa, &why) == -1 && strstr(why, "brackets"),
	    "unbracketed IPv6 alone is refused");
	TAP_OK(parse("tcp:[::1:80", &sa, &why) == -1 && strstr(why, "']'"),
	    "missing ]");
	TAP_OK(parse("tcp:[]:80", &sa, &why) == -1, "empty brackets");
	TAP_OK(parse("tcp:[::1]", &sa, &why) == -1, "brackets without port");
	TAP_OK(parse("tcp:[::1]x80", &sa, &why) == -1, "junk after ]");
	TAP_OK(parse("sctp:h:80", &sa, &why) == -1 &&
	    strstr(why, "unknown address kind"), "unknown kind");
	TAP_OK(parse("localhost", &sa, &why) == -1 && why, "no port at all");
	TAP_OK(parse("", &sa, &why) == -1 && why, "empty address");
	TAP_OK(parse("unix:/run/x.sock", &sa, &why) == 0 &&
	    sa.kind == SOCK_KIND_UNIX && sa.family == AF_UNIX &&
	    strcmp(sa.un.sun_path, "/run/x.sock") == 0 && !sa.abstract &&
	    sa.un_len == offsetof(struct sockaddr_un, sun_path) + 12,
	    "unix:PATH");
	TAP_OK(parse("unix-dgram:rel", &sa, &why) == 0 &&
	    sa.socktype == SOCK_DGRAM, "unix-dgram");
	TAP_OK(parse("unix-seqpacket:p", &sa, &why) == 0 &&
	    sa.socktype == SOCK_SEQPACKET, "unix-seqpacket");
	TAP_OK(parse("unix:@abc", &sa, &why) == 0 && sa.abstract &&
	    sa.un.sun_path[0] == '\0' && memcmp(sa.un.sun_path + 1, "abc", 3) == 0 &&
	    sa.un_len == offsetof(struct sockaddr_un, sun_path) + 4,
	    "abstract name");
	TAP_OK(parse("unix:@", &sa, &why) == -1, "empty abstract name");
	TAP_OK(parse("unix:", &sa, &why) == -1 && strstr(why, "missing path"),
	    "empty path");
	memset(longpath, 'a', sizeof longpath);
	memcpy(longpath, "unix:", 5);
	longpath[5 + 107] = '\0';
	TAP_OK(parse(longpath, &sa, &why) == 0, "a 107-byte path fits");
	longpath[5 + 107] = 'a';
	longpath[5 + 108] = '\0';
	TAP_OK(parse(longpath, &sa, &why) == -1 && strstr(why, "too long"),
	    "a 108-byte path is refused, not truncated");

	/* -s: the same host and port rules, the port optional. */
	TAP_OK(sock_source_parse("127.0.0.2", SOCK_KIND_TCP, &sa, &why) == 0 &&
	    strcmp(sa.host, "127.0.0.2") == 0 && sa.port_lo == 0 &&
	    sa.kind == SOCK_KIND_TCP, "source HOST: port 0");
	TAP_OK(sock_source_parse("h:4000", SOCK_KIND_UDP, &sa, &why) == 0 &&
	    sa.port_lo == 4000 && sa.port_hi == 4000 &&
	    sa.socktype == SOCK_DGRAM, "source HOST:PORT");
	TAP_OK(sock_source_parse("[::1]", SOCK_KIND_TCP, &sa, &why) == 0 &&
	    strcmp(sa.host, "::1") == 0 && sa.numeric_host && sa.port_lo == 0,
	    "source [IPv6]");
	TAP_OK(sock_source_parse("[::1]:7", SOCK_KIND_TCP, &sa, &why) == 0 &&
	    sa.port_lo == 7, "source [IPv6]:PORT");
	TAP_OK(sock_source_parse("127.0.0.1:70000", SOCK_KIND_TCP, &sa,
	    &why) == -1 && strstr(why, "out of range"),
	    "source port 70000 is out of range, not wrapped");
	TAP_OK(sock_source_parse("h:1-2", SOCK_KIND_TCP, &sa, &why) == -1 &&
	    strstr(why, "range"), "a source port range is refused");
	TAP_OK(sock_source_parse("::1", SOCK_KIND_TCP, &sa, &why) == -1 &&
	    strstr(why, "brackets"), "an unbracketed IPv6 source is refused");
	TAP_OK(sock_source_parse("h:", SOCK_KIND_TCP, &sa, &why) == -1 &&
	    strstr(why, "missing port"), "source HOST: with an empty port");
	TAP_OK(sock_source_parse("", SOCK_KIND_TCP, &sa, &why) == -1 && why,
	    "an empty source");
	memset(longhost, 'h', sizeof longhost);
	longhost[sizeof longhost - 1] = '\0';
	TAP_OK(sock_source_parse(longhost, SOCK_KIND_TCP, &sa, &why) == -1 &&
	    strstr(why, "too long"), "a source host too long");

	inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
	TAP_OK(strcmp(sock_address_format(SOCK_KIND_TCP, (void *)&in,
	    sizeof in, buf, sizeof buf), "tcp:127.0.0.1:8080") == 0,
	    "format IPv4: %s", buf);
	inet_pton(AF_INET6, "::1", &in6.sin6_addr);
	TAP_OK(strcmp(sock_address_format(SOCK_KIND_UDP, (void *)&in6,
	    sizeof in6, buf, sizeof buf), "udp:[::1]:53") == 0,
	    "format IPv6: %s", buf);
	parse("unix:@abc", &sa, &why);
	TAP_OK(strcmp(sock_address_format(SOCK_KIND_UNIX, (void *)&sa.un,
	    sa.un_len, buf, sizeof buf), "unix:@abc") == 0,
	    "format abstract: %s", buf);
	parse("unix-dgram:/tmp/s", &sa, &why);
	TAP_OK(strcmp(sock_address_format(SOCK_KIND_UNIX_DGRAM, (void *)&sa.un,
	    sa.un_len, buf, sizeof buf), "unix-dgram:/tmp/s") == 0,
	    "format path: %s", buf);
	/* TLS over a stream address. */
	TAP_OK(parse("tls:localhost:443", &sa, &why) == 0 && sa.tls &&
	    sa.kind == SOCK_KIND_TCP && sa.family == AF_UNSPEC &&
	    strcmp(sa.host, "localhost") == 0 && sa.port_lo == 443,
	    "tls:HOST:PORT is TCP with TLS");
	TAP_OK(parse("tls6:[::1]:443", &sa, &why) == 0 && sa.tls &&
	    sa.family == AF_INET6 && sa.numeric_host, "tls6:[IPv6]:PORT");
	TAP_OK(parse("tls4:1.2.3.4:1", &sa, &why) == 0 && sa.tls &&
	    sa.family == AF_INET, "tls4:");
	TAP_OK(parse("tls:tcp6:h:1", &sa, &why) == 0 && sa.tls &&
	    sa.family == AF_INET6, "tls:tcp6: names the kind");
	TAP_OK(parse("tls:unix:/run/s", &sa, &why) == 0 && sa.tls &&
	    sa.kind == SOCK_KIND_UNIX && strcmp(sa.un.sun_path, "/run/s") == 0,
	    "tls:unix:PATH");
	TAP_OK(parse("tls:unix:443", &sa, &why) == 0 &&
	    sa.kind == SOCK_KIND_UNIX, "after tls:, unix is the kind");
	TAP_OK(parse("tls:tcp:unix:443", &sa, &why) == 0 &&
	    sa.kind == SOCK_KIND_TCP && strcmp(sa.host, "unix") == 0,
	    "a host named unix is tls:tcp:unix:PORT");
	TAP_OK(parse("tls:udp:h:53", &sa, &why) == -1 &&
	    strstr(why, "stream"), "tls:udp: refused");
	TAP_OK(parse("tls:unix-dgram:/x", &sa, &why) == -1 &&
	    strstr(why, "stream"), "tls:unix-dgram: refused");
	TAP_OK(parse("tls:tls:h:1", &sa, &why) == -1 &&
	    strstr(why, "twice"), "tls:tls: refused");
	TAP_OK(parse("tls4:unix:/x", &sa, &why) == -1, "tls4: takes HOST:PORT");
	TAP_OK(parse("tls:", &sa, &why) == -1 && why, "tls: alone");
	TAP_OK(parse("tcp:h:1", &sa, &why) == 0 && !sa.tls, "tcp: is plain");
	return tap_done();
}
