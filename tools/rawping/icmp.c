/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "icmp.h"

/* ICMP and ICMPv6 types and codes this module looks at (RFC 792, 4443). */
enum {
	T4_ECHOREPLY = 0, T4_DEST_UNREACH = 3, T4_SOURCE_QUENCH = 4,
	T4_REDIRECT = 5, T4_ECHO = 8, T4_TIME_EXCEEDED = 11,
	T4_PARAMETERPROB = 12,
	T6_DST_UNREACH = 1, T6_PACKET_TOO_BIG = 2, T6_TIME_EXCEEDED = 3,
	T6_PARAM_PROB = 4, T6_ECHO_REQUEST = 128, T6_ECHO_REPLY = 129,
};

/* Read a big-endian 16-bit value at P. */
static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Read a big-endian 32-bit value at P. */
static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

uint16_t
icmp_checksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Store V big-endian at P. */
static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

size_t
icmp_build_echo(void *buf, bool v6, uint16_t id, uint16_t seq, size_t len)
{
	uint8_t *p = buf;

	p[0] = v6 ? T6_ECHO_REQUEST : T4_ECHO;
	p[1] = 0;
	put16(p + 2, 0);
	put16(p + 4, id);
	put16(p + 6, seq);
	for (size_t i = 0; i < len; i++)
		p[ICMP_HDR_LEN + i] = icmp_pattern(i);
	if (!v6)
		put16(p + 2, icmp_checksum(p, ICMP_HDR_LEN + len));
	return ICMP_HDR_LEN + len;
}

void
icmp_set_seq(void *buf, bool v6, uint16_t seq)
{
	uint8_t *p = buf;
	uint32_t sum;

	if (v6) {
		put16(p + 6, seq);
		return;
	}
	/* RFC 1624: HC' = ~(~HC + ~m + m'). */
	sum = (uint16_t)~get16(p + 2);
	sum += (uint16_t)~get16(p + 6);
	sum += seq;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(p + 2, (uint16_t)~sum);
	put16(p + 6, seq);
}

long
icmp_payload_check(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != icmp_pattern(i))
			return (long)i;
	return -1;
}

int
icmp_quoted_echo(const void *buf, size_t len, bool v6, uint16_t *id,
    uint16_t *seq)
{
	const uint8_t *p = buf;

	if (len < ICMP_HDR_LEN || p[0] != (v6 ? T6_ECHO_REQUEST : T4_ECHO))
		return -1;
	*id = get16(p + 4);
	*seq = get16(p + 6);
	return 0;
}

/* Reset *M to "ignore" before a parse. */
static void
msg_init(struct icmp_msg *m)
{
	memset(m, 0, sizeof *m);
	m->kind = ICMPK_IGNORE;
	m->ttl = -1;
}

/* Fill *M from the echo reply at P (LEN bytes, at least the header). */
static enum icmp_kind
echo_reply(const uint8_t *p, size_t len, struct icmp_msg *m)
{
	m->id = get16(p + 4);
	m->seq = get16(p + 6);
	m->payload = p + ICMP_HDR_LEN;
	m->payload_len = len - ICMP_HDR_LEN;
	return m->kind = ICMPK_REPLY;
}

enum icmp_kind
icmp4_parse(const void *buf, size_t len, bool iphdr, struct icmp_msg *m)
{
	const uint8_t *p = buf, *q;
	size_t hl = 0, qlen, qhl;

	msg_init(m);
	if (iphdr) {
		if (len < 20 || p[0] >> 4 != 4)
			return m->kind;
		hl = (size_t)(p[0] & 0x0f) * 4;
		if (hl < 20 || hl > len || p[9] != 1)
			return m->kind;
		m->ttl = p[8];
	}
	p += hl;
	len -= hl;
	if (len < ICMP_HDR_LEN)
		return m->kind;
	m->type = p[0];
	m->code = p[1];
	m->icmp_len = len;
	/* A datagram socket's kernel has verified the checksum already. */
	m->cksum_bad = iphdr && icmp_checksum(p, len) != 0;
	switch (m->type) {
	case T4_ECHOREPLY:
		return echo_reply(p, len, m);
	case T4_DEST_UNREACH:
	case T4_SOURCE_QUENCH:
	case T4_REDIRECT:
	case T4_TIME_EXCEEDED:
	case T4_PARAMETERPROB:
		break;
	default:
		return m->kind;
	}
	/* The quoted datagram: its IP header and at least 8 bytes of ICMP. */
	q = p + ICMP_HDR_LEN;
	qlen = len - ICMP_HDR_LEN;
	if (qlen < 20 || q[0] >> 4 != 4)
		return m->kind;
	qhl = (size_t)(q[0] & 0x0f) * 4;
	if (qhl < 20 || qlen < qhl + ICMP_HDR_LEN || q[9] != 1 ||
	    q[qhl] != T4_ECHO)
		return m->kind;
	memcpy(m->dst, q + 16, 4);
	m->have_dst = true;
	m->id = get16(q + qhl + 4);
	m->seq = get16(q + qhl + 6);
	if (m->type == T4_PARAMETERPROB)
		m->info = p[4];
	else if (m->type == T4_REDIRECT)
		m->info = get32(p + 4);
	else if (m->type == T4_DEST_UNREACH && m->code == 4)
		m->info = get16(p + 6);
	return m->kind = ICMPK_ERROR;
}

enum icmp_kind
icmp6_parse(const void *buf, size_t len, struct icmp_msg *m)
{
	const uint8_t *p = buf, *q;

	msg_init(m);
	if (len < ICMP_HDR_LEN)
		return m->kind;
	m->type = p[0];
	m->code = p[1];
	m->icmp_len = len;
	switch (m->type) {
	case T6_ECHO_REPLY:
		return echo_reply(p, len, m);
	case T6_DST_UNREACH:
	case T6_PACKET_TOO_BIG:
	case T6_TIME_EXCEEDED:
	case T6_PARAM_PROB:
		break;
	default:
		return m->kind;
	}
	/* The quoted packet: a 40-byte IPv6 header, then our echo request
	 * (a request sent with extension headers is not ours). */
	q = p + ICMP_HDR_LEN;
	if (len < ICMP_HDR_LEN + 40 + ICMP_HDR_LEN || q[0] >> 4 != 6 ||
	    q[6] != 58 || q[40] != T6_ECHO_REQUEST)
		return m->kind;
	memcpy(m->dst, q + 24, 16);
	m->have_dst = true;
	m->id = get16(q + 44);
	m->seq = get16(q + 46);
	m->info = get32(p + 4);
	return m->kind = ICMPK_ERROR;
}

/* Texts of ping's pr_icmph() for IPv4 destination unreachable codes. */
static const char *const unreach4[] = {
	"Destination Net Unreachable", "Destination Host Unreachable",
	"Destination Protocol Unreachable", "Destination Port Unreachable",
	NULL, "Source Route Failed", "Destination Net Unknown",
	"Destination Host Unknown", "Source Host Isolated",
	"Destination Net Prohibited", "Destination Host Prohibited",
	"Destination Net Unreachable for Type of Service",
	"Destination Host Unreachable for Type of Service",
	"Packet filtered", "Precedence Violation", "Precedence Cutoff",
};

/* Describe IPv4 error M into BUF. */
static void
text4(const struct icmp_msg *m, char *buf, size_t size)
{
	static const char *const redirect[] = {
		"Redirect Network", "Redirect Host",
		"Redirect Type of Service and Network",
		"Redirect Type of Service and Host",
	};
	const uint8_t *g = (const uint8_t[]){ (uint8_t)(m->info >> 24),
	    (uint8_t)(m->info >> 16), (uint8_t)(m->info >> 8),
	    (uint8_t)m->info };

	switch (m->type) {
	case T4_DEST_UNREACH:
		if (m->code == 4)
			snprintf(buf, size, "Frag needed and DF set (mtu = %u)",
			    (unsigned)m->info);
		else if (m->code < sizeof unreach4 / sizeof unreach4[0])
			snprintf(buf, size, "%s", unreach4[m->code]);
		else
			snprintf(buf, size, "Dest Unreachable, Bad Code: %d",
			    m->code);
		break;
	case T4_SOURCE_QUENCH:
		snprintf(buf, size, "Source Quench");
		break;
	case T4_REDIRECT:
		if (m->code < 4)
			snprintf(buf, size, "%s(New nexthop: %u.%u.%u.%u)",
			    redirect[m->code], g[0], g[1], g[2], g[3]);
		else
			snprintf(buf, size, "Redirect, Bad Code: %d", m->code);
		break;
	case T4_TIME_EXCEEDED:
		if (m->code == 0)
			snprintf(buf, size, "Time to live exceeded");
		else if (m->code == 1)
			snprintf(buf, size, "Frag reassembly time exceeded");
		else
			snprintf(buf, size, "Time exceeded, Bad Code: %d",
			    m->code);
		break;
	case T4_PARAMETERPROB:
		snprintf(buf, size, "Parameter problem: pointer = %u",
		    (unsigned)m->info);
		break;
	default:
		snprintf(buf, size, "Bad ICMP type: %d", m->type);
		break;
	}
}

/* Describe ICMPv6 error M into BUF. */
static void
text6(const struct icmp_msg *m, char *buf, size_t size)
{
	static const char *const unreach[] = {
		"No route", "Administratively prohibited",
		"Beyond scope of source address", "Address unreachable",
		"Port unreachable",
	};
	static const char *const param[] = {
		"Wrong header field ", "Unknown header ", "Unknown option ",
	};

	switch (m->type) {
	case T6_DST_UNREACH:
		if (m->code < 5)
			snprintf(buf, size, "Destination unreachable: %s",
			    unreach[m->code]);
		else
			snprintf(buf, size,
			    "Destination unreachable: Unknown code %d",
			    m->code);
		break;
	case T6_PACKET_TOO_BIG:
		snprintf(buf, size, "Packet too big: mtu=%u",
		    (unsigned)m->info);
		break;
	case T6_TIME_EXCEEDED:
		if (m->code < 2)
			snprintf(buf, size, "Time exceeded: %s",
			    m->code ? "Defragmentation failure" : "Hop limit");
		else
			snprintf(buf, size, "Time exceeded: code %d", m->code);
		break;
	case T6_PARAM_PROB:
		if (m->code < 3)
			snprintf(buf, size, "Parameter problem: %sat %u",
			    param[m->code], (unsigned)m->info);
		else
			snprintf(buf, size, "Parameter problem: code %d at %u",
			    m->code, (unsigned)m->info);
		break;
	default:
		snprintf(buf, size, "Unknown ICMP type: %d", m->type);
		break;
	}
}

const char *
icmp_error_text(const struct icmp_msg *m, bool v6, char *buf, size_t size)
{
	if (v6)
		text6(m, buf, size);
	else
		text4(m, buf, size);
	return buf;
}
