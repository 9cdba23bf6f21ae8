/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for tools/rawping/icmp, rawping's parser of packets from the
 * wire: every byte string is fed to each entry point (IPv4 from a raw
 * socket with its IP header, IPv4 from a datagram socket, ICMPv6, an echo
 * request quoted in a datagram socket's error queue) in a buffer of exactly
 * its size, so ASan catches any read past it, and the result must keep the
 * contract of icmp.h: lengths and pointers inside the buffer, the kind and
 * the fields it promises consistent.  A second part builds echo requests
 * from the input and checks their checksums.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless M, parsed from BUF of LEN bytes, keeps the contract. */
static void
check_msg(const struct icmp_msg *m, enum icmp_kind kind, const uint8_t *buf,
    size_t len, bool v6, bool iphdr)
{
	char text[160], tiny[8];
	const char *t;

	if (kind != m->kind)
		abort();
	if (iphdr ? m->ttl < -1 || m->ttl > 255 : m->ttl != -1)
		abort();
	if (v6 && m->cksum_bad)
		abort();
	if (m->kind == ICMPK_IGNORE) {
		if (m->payload || m->payload_len || m->have_dst)
			abort();
		return;
	}
	if (m->kind != ICMPK_REPLY && m->kind != ICMPK_ERROR)
		abort();
	/* The ICMP message is the tail of the buffer, at least a header. */
	if (m->icmp_len < ICMP_HDR_LEN || m->icmp_len > len)
		abort();
	if (!iphdr && m->icmp_len != len)
		abort();
	if (iphdr && m->ttl < 0)
		abort();
	if (m->kind == ICMPK_REPLY) {
		if (m->payload != buf + len - m->icmp_len + ICMP_HDR_LEN ||
		    m->payload_len != m->icmp_len - ICMP_HDR_LEN ||
		    m->have_dst)
			abort();
		/* Touch every payload byte: ASan objects if one is outside. */
		long bad = icmp_payload_check(m->payload, m->payload_len);
		if (bad < -1 || bad >= (long)m->payload_len)
			abort();
		if (bad >= 0 && m->payload[bad] == icmp_pattern((size_t)bad))
			abort();
		return;
	}
	if (!m->have_dst || m->payload || m->payload_len)
		abort();
	t = icmp_error_text(m, v6, text, sizeof text);
	if (t != text || strlen(text) == 0 || strlen(text) >= sizeof text)
		abort();
	/* A short buffer truncates the text, never overflows it. */
	t = icmp_error_text(m, v6, tiny, sizeof tiny);
	if (t != tiny || strlen(tiny) >= sizeof tiny)
		abort();
}

/* Build an echo request of the length and fields the input chooses and
 * check it: its checksum, and again after its sequence is rewritten. */
static void
check_build(const uint8_t *data, size_t size)
{
	uint16_t id, seq, seq2, qid, qseq;
	size_t len, n;
	uint8_t *pkt;
	bool v6;

	if (size < 7)
		return;
	v6 = data[0] & 1;
	id = (uint16_t)(data[1] << 8 | data[2]);
	seq = (uint16_t)(data[3] << 8 | data[4]);
	seq2 = (uint16_t)(data[5] << 8 | data[6]);
	len = size - 7;
	pkt = malloc(ICMP_HDR_LEN + len);
	if (!pkt)
		return;
	n = icmp_build_echo(pkt, v6, id, seq, len);
	if (n != ICMP_HDR_LEN + len)
		abort();
	if (!v6 && icmp_checksum(pkt, n) != 0)
		abort();
	if (icmp_payload_check(pkt + ICMP_HDR_LEN, len) != -1)
		abort();
	icmp_set_seq(pkt, v6, seq2);
	if (!v6 && icmp_checksum(pkt, n) != 0)
		abort();
	if (icmp_quoted_echo(pkt, n, v6, &qid, &qseq) != 0 || qid != id ||
	    qseq != seq2)
		abort();
	free(pkt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct icmp_msg m;
	uint16_t id, seq;
	uint8_t *buf;

	/* A copy of exactly SIZE bytes (malloc(0) may return NULL). */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	check_msg(&m, icmp4_parse(buf, size, true, &m), buf, size, false,
	    true);
	check_msg(&m, icmp4_parse(buf, size, false, &m), buf, size, false,
	    false);
	check_msg(&m, icmp6_parse(buf, size, &m), buf, size, true, false);
	for (int v6 = 0; v6 < 2; v6++)
		if (icmp_quoted_echo(buf, size, v6, &id, &seq) == 0 &&
		    (size < ICMP_HDR_LEN ||
		    buf[0] != (v6 ? 128 : 8)))
			abort();
	free(buf);
	check_build(data, size);
	return 0;
}
