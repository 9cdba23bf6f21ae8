/* SPDX-License-Identifier: MIT */
/*
 * icmp: build ICMP and ICMPv6 echo requests and take apart what comes back.
 *
 * Everything here treats received bytes as hostile wire input: a parser
 * never reads outside the LEN bytes it is given, whatever the lengths and
 * header fields inside claim.  It links on its own, so that its parser is
 * unit-tested (tests/unit/test-icmp) and fuzzed (tests/fuzz/fuzz-icmp).
 *
 * The echo payload is the pattern byte i = i & 0xff (as ping fills the
 * bytes after its timestamp); icmp_payload_check() finds the first byte of
 * a reply that differs from it.
 */
#ifndef IPCU_ICMP_H
#define IPCU_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest echo payload: 65535 - 20 (IPv4 header) - 8 (ICMP header). */
#define ICMP_PAYLOAD_MAX 65507
#define ICMP_HDR_LEN 8

enum icmp_kind {
	ICMPK_IGNORE,	/* not for us: a request, too short, unknown type */
	ICMPK_REPLY,	/* an echo reply */
	ICMPK_ERROR,	/* an error that quotes one of our echo requests */
};

struct icmp_msg {
	enum icmp_kind kind;
	uint8_t type, code;	/* of the message itself */
	uint16_t id, seq;	/* of the reply, or of the quoted request */
	int ttl;		/* IPv4 header TTL, or -1 if unknown */
	bool cksum_bad;		/* IPv4 checksum did not verify */
	size_t icmp_len;	/* bytes from the ICMP header on */
	const uint8_t *payload;	/* reply: the echo data */
	size_t payload_len;
	uint32_t info;		/* error: MTU, pointer or new gateway */
	bool have_dst;		/* error: the quoted request's destination */
	uint8_t dst[16];	/* 4 bytes for IPv4, 16 for IPv6 */
};

/*
 * Parse an IPv4 packet in BUF of LEN bytes: with IPHDR the bytes start
 * with the IP header (raw sockets), else with the ICMP header (datagram
 * sockets).  Fill *M and return M->kind; never fails otherwise.
 */
enum icmp_kind icmp4_parse(const void *buf, size_t len, bool iphdr,
    struct icmp_msg *m);

/*
 * Parse an ICMPv6 message in BUF of LEN bytes (no IPv6 header: the kernel
 * strips it).  The kernel verifies ICMPv6 checksums, so cksum_bad stays
 * false.  Return M->kind.
 */
enum icmp_kind icmp6_parse(const void *buf, size_t len, struct icmp_msg *m);

/*
 * Write an echo request (IPv6 if V6) with ID, SEQ and LEN payload bytes of
 * the pattern into BUF, which holds ICMP_HDR_LEN + LEN bytes.  The IPv4
 * checksum is filled in; the kernel fills the ICMPv6 one.  Return the
 * message length.
 */
size_t icmp_build_echo(void *buf, bool v6, uint16_t id, uint16_t seq,
    size_t len);

/* Rewrite the sequence number of an echo request built above, fixing up
 * the IPv4 checksum incrementally. */
void icmp_set_seq(void *buf, bool v6, uint16_t seq);

/*
 * Read the identifier and sequence of the echo request at BUF of LEN bytes
 * (as the error queue of a datagram socket returns it).  Return 0, or -1
 * if it is not an echo request.
 */
int icmp_quoted_echo(const void *buf, size_t len, bool v6, uint16_t *id,
    uint16_t *seq);

/* The Internet checksum of LEN bytes at BUF. */
uint16_t icmp_checksum(const void *buf, size_t len);

/*
 * Compare the LEN payload bytes at P with the pattern.  Return -1 if they
 * all match, else the index of the first that differs.
 */
long icmp_payload_check(const uint8_t *p, size_t len);

/* The pattern byte at payload index I. */
static inline uint8_t
icmp_pattern(size_t i)
{
	return (uint8_t)i;
}

/*
 * Describe error M as ping does ("Time to live exceeded", "Destination
 * Host Unreachable", "Time exceeded: Hop limit") into BUF of SIZE bytes;
 * return BUF.
 */
const char *icmp_error_text(const struct icmp_msg *m, bool v6, char *buf,
    size_t size);

#endif
