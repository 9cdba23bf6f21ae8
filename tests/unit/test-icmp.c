/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of tools/rawping/icmp: echo requests built right, replies and errors
 * parsed, and hostile input (truncated, lying lengths) refused without
 * reading past the buffer.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icmp.h"
#include "tap.h"

/* Wrap an ICMP message of LEN bytes at ICMP in a 20-byte IPv4 header. */
static size_t
ip4_wrap(uint8_t *out, const uint8_t *icmp, size_t len, uint8_t ttl)
{
	memset(out, 0, 20);
	out[0] = 0x45;
	out[8] = ttl;
	out[9] = 1;
	memcpy(out + 20, icmp, len);
	return 20 + len;
}

/* Turn the echo request at P into a reply of type TYPE, fixing the sum. */
static void
make_reply(uint8_t *p, size_t len, uint8_t type)
{
	p[0] = type;
	p[2] = p[3] = 0;
	if (type == 0) {
		uint16_t c = icmp_checksum(p, len);
		p[2] = (uint8_t)(c >> 8);
		p[3] = (uint8_t)c;
	}
}

static void
test_build(void)
{
	uint8_t pkt[8 + 64];
	size_t n = icmp_build_echo(pkt, false, 0x1234, 1, 64);

	TAP_OK(n == 72 && pkt[0] == 8 && pkt[4] == 0x12 && pkt[5] == 0x34 &&
	    pkt[7] == 1, "IPv4 echo request header");
	TAP_OK(icmp_checksum(pkt, n) == 0, "IPv4 echo request checksum");
	TAP_OK(icmp_payload_check(pkt + 8, 64) == -1, "payload is the pattern");
	icmp_set_seq(pkt, false, 0xfffe);
	TAP_OK(pkt[6] == 0xff && pkt[7] == 0xfe && icmp_checksum(pkt, n) == 0,
	    "incremental checksum after a new sequence");
	icmp_set_seq(pkt, false, 0);
	TAP_OK(icmp_checksum(pkt, n) == 0, "incremental checksum at 0");
	n = icmp_build_echo(pkt, true, 7, 9, 0);
	TAP_OK(n == 8 && pkt[0] == 128 && pkt[5] == 7 && pkt[7] == 9,
	    "ICMPv6 echo request with no payload");
	pkt[8 + 5] = 0;
	icmp_build_echo(pkt, false, 1, 1, 10);
	pkt[8 + 5] ^= 0xff;
	TAP_OK(icmp_payload_check(pkt + 8, 10) == 5, "wrong byte found");
}

static void
test_reply4(void)
{
	uint8_t req[8 + 56], wire[20 + 8 + 56];
	struct icmp_msg m;
	size_t n;

	icmp_build_echo(req, false, 0xbeef, 42, 56);
	make_reply(req, sizeof req, 0);
	n = ip4_wrap(wire, req, sizeof req, 63);
	TAP_OK(icmp4_parse(wire, n, true, &m) == ICMPK_REPLY &&
	    m.id == 0xbeef && m.seq == 42 && m.ttl == 63 &&
	    m.icmp_len == 64 && m.payload_len == 56 && !m.cksum_bad,
	    "raw IPv4 reply parsed");
	wire[20 + 30] ^= 1;
	TAP_OK(icmp4_parse(wire, n, true, &m) == ICMPK_REPLY && m.cksum_bad,
	    "bad checksum detected");
	TAP_OK(icmp4_parse(req, sizeof req, false, &m) == ICMPK_REPLY &&
	    m.ttl == -1 && !m.cksum_bad, "datagram reply parsed");
	for (size_t cut = 0; cut < 28; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, wire, cut);
		if (icmp4_parse(copy, cut, true, &m) != ICMPK_IGNORE)
			TAP_OK(0, "packet cut to %zu bytes refused", cut);
		free(copy);
	}
	TAP_OK(1, "packets cut short of a header are ignored");
	wire[0] = 0x4f;		/* IHL 60 > length */
	TAP_OK(icmp4_parse(wire, 40, true, &m) == ICMPK_IGNORE,
	    "header length past the end ignored");
	wire[0] = 0x45;
	wire[9] = 6;
	TAP_OK(icmp4_parse(wire, n, true, &m) == ICMPK_IGNORE,
	    "non-ICMP protocol ignored");
	wire[9] = 1;
	wire[20] = 8;
	TAP_OK(icmp4_parse(wire, n, true, &m) == ICMPK_IGNORE,
	    "echo request ignored");
}

static void
test_error4(void)
{
	uint8_t req[8 + 56], err[8 + 20 + 8], wire[20 + sizeof err];
	struct icmp_msg m;
	char text[128];
	size_t n;

	icmp_build_echo(req, false, 0x0102, 7, 56);
	memset(err, 0, sizeof err);
	err[0] = 11;		/* time exceeded, TTL */
	err[8] = 0x45;
	err[8 + 9] = 1;
	memcpy(err + 8 + 16, "\x0a\x00\x00\x02", 4);
	memcpy(err + 28, req, 8);
	n = ip4_wrap(wire, err, sizeof err, 64);
	TAP_OK(icmp4_parse(wire, n, true, &m) == ICMPK_ERROR &&
	    m.id == 0x0102 && m.seq == 7 && m.have_dst &&
	    memcmp(m.dst, "\x0a\x00\x00\x02", 4) == 0,
	    "time exceeded quoting our request");
	TAP_OK(strcmp(icmp_error_text(&m, false, text, sizeof text),
	    "Time to live exceeded") == 0, "text: %s", text);
	wire[20] = 3;
	wire[21] = 1;
	icmp4_parse(wire, n, true, &m);
	TAP_OK(strcmp(icmp_error_text(&m, false, text, sizeof text),
	    "Destination Host Unreachable") == 0, "text: %s", text);
	wire[21] = 99;
	icmp4_parse(wire, n, true, &m);
	TAP_OK(strcmp(icmp_error_text(&m, false, text, sizeof text),
	    "Dest Unreachable, Bad Code: 99") == 0, "text: %s", text);
	TAP_OK(icmp4_parse(wire, n - 1, true, &m) == ICMPK_IGNORE,
	    "error quoting fewer than 8 bytes ignored");
	wire[20 + 8] = 0x4f;	/* quoted IHL past the end */
	TAP_OK(icmp4_parse(wire, n, true, &m) == ICMPK_IGNORE,
	    "quoted header length past the end ignored");
}

static void
test_v6(void)
{
	uint8_t req[8 + 16], err[8 + 40 + 8];
	struct icmp_msg m;
	char text[128];
	uint16_t id, seq;

	icmp_build_echo(req, true, 0xabcd, 3, 16);
	TAP_OK(icmp_quoted_echo(req, sizeof req, true, &id, &seq) == 0 &&
	    id == 0xabcd && seq == 3, "quoted echo of the error queue");
	TAP_OK(icmp_quoted_echo(req, 7, true, &id, &seq) == -1,
	    "short quoted echo refused");
	req[0] = 129;
	TAP_OK(icmp6_parse(req, sizeof req, &m) == ICMPK_REPLY &&
	    m.id == 0xabcd && m.seq == 3 && m.payload_len == 16,
	    "ICMPv6 reply parsed");
	req[0] = 128;
	TAP_OK(icmp6_parse(req, sizeof req, &m) == ICMPK_IGNORE,
	    "ICMPv6 request ignored");
	memset(err, 0, sizeof err);
	err[0] = 3;
	err[8] = 0x60;
	err[8 + 6] = 58;
	err[8 + 39] = 1;
	memcpy(err + 48, req, 8);
	TAP_OK(icmp6_parse(err, sizeof err, &m) == ICMPK_ERROR &&
	    m.seq == 3 && m.have_dst && m.dst[15] == 1,
	    "ICMPv6 time exceeded parsed");
	TAP_OK(strcmp(icmp_error_text(&m, true, text, sizeof text),
	    "Time exceeded: Hop limit") == 0, "text: %s", text);
	TAP_OK(icmp6_parse(err, sizeof err - 1, &m) == ICMPK_IGNORE,
	    "short ICMPv6 error ignored");
	err[8 + 6] = 0;		/* hop-by-hop header first: not ours */
	TAP_OK(icmp6_parse(err, sizeof err, &m) == ICMPK_IGNORE,
	    "ICMPv6 error quoting extension headers ignored");
}

/*
 * Feed the parsers random and half-valid packets, each in a buffer of
 * exactly its length, so that under AddressSanitizer a read past the end
 * fails the test.
 */
static void
test_random(void)
{
	uint32_t x = 12345;
	int ok = 1;

	for (int round = 0; round < 20000; round++) {
		size_t len, i;
		uint8_t *p;
		struct icmp_msg m;

		x = x * 1103515245 + 12345;
		len = (x >> 8) % 120;
		p = malloc(len ? len : 1);
		for (i = 0; i < len; i++) {
			x = x * 1103515245 + 12345;
			p[i] = (uint8_t)(x >> 16);
		}
		/* Make half of them look like IPv4 errors quoting an echo. */
		if (round % 2 && len > 20) {
			p[0] = (uint8_t)(0x40 | (5 + round % 3));
			p[9] = 1;
			if (len > 28)
				p[20] = (uint8_t)(round % 4 ? 11 : 3);
		}
		icmp4_parse(p, len, true, &m);
		if (m.kind == ICMPK_REPLY && m.payload + m.payload_len > p + len)
			ok = 0;
		icmp4_parse(p, len, false, &m);
		if (len && round % 3 == 0)
			p[0] = (uint8_t)(round % 2 ? 1 : 129);
		icmp6_parse(p, len, &m);
		if (m.kind == ICMPK_REPLY && m.payload + m.payload_len > p + len)
			ok = 0;
		free(p);
	}
	TAP_OK(ok, "20000 random packets parsed within their bounds");
}

int
main(void)
{
	test_build();
	test_reply4();
	test_error4();
	test_v6();
	test_random();
	return tap_done();
}
