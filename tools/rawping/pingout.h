/* SPDX-License-Identifier: MIT */
/*
 * pingout: what rawping prints on standard output, in iputils
 * ping's text format or as JSON Lines (--json).
 *
 * Text: the "PING host (addr) 56(84) bytes of data." header, one line per
 * reply ("64 bytes from a: icmp_seq=1 ttl=64 time=0.045 ms" with ping's
 * (DUP!), (BAD CHECKSUM!), (truncated) and (DIFFERENT ADDRESS!) marks and
 * its "wrong data byte" line), "From a icmp_seq=N <error>" and "local
 * error" lines, -O's "no answer yet for icmp_seq=N", and the statistics
 * block ending in "rtt min/avg/max/mdev".  With several hosts, a line
 * that does not name its target ends in " (probe to ADDR)"; -D starts each
 * line with "[seconds.micros] ".
 *
 * JSON: one object per line, of type "reply", "loss", "error" or
 * "summary", each with "host" and "addr"; numbers are JSON numbers,
 * strings are escaped, an absent value is null.  Losses are JSON objects
 * only: text shows them in the statistics, as ping does.
 *
 * Output goes through stdio; output_flush() writes it out, and a write
 * error there ends the process with "write error" and status 1, as
 * close_stdout() does at exit.  Everything here only formats: the caller
 * decides what happened.
 */
#ifndef IPCU_PINGOUT_H
#define IPCU_PINGOUT_H

#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How the output names a host. */
struct out_host {
	const char *name;		/* as the user typed it */
	char addr[NI_MAXHOST];		/* numeric address */
};

/* A host's statistics, kept by the caller, printed by output_summary(). */
struct out_stats {
	uint64_t ntx, nrx;		/* probes sent, distinct replies */
	uint64_t ndup, ncksum, nerr;	/* duplicates, bad checksums, errors */
	int64_t rtt_min, rtt_max;	/* in ns */
	double rtt_sum, rtt_sum2;	/* in ns and ns^2 */
};

/* One echo reply, as output_reply() prints it. */
struct out_reply {
	unsigned seq;			/* its 16-bit sequence number */
	const char *from;		/* numeric address of the sender */
	size_t bytes;			/* ICMP bytes received */
	int ttl;			/* TTL or hop limit, -1 if unknown */
	int64_t rtt;			/* round-trip time in ns */
	int64_t rx;			/* CLOCK_REALTIME ns of arrival */
	bool dup, cksum_bad, truncated;
	bool other;			/* FROM is not the host's address */
	long bad;			/* index of a wrong payload byte, or -1 */
	uint8_t bad_byte;		/* the value found there */
};

/*
 * Choose the format once, before anything is printed: JSON or text, QUIET
 * (headers and statistics only), STAMP (-D), REPORT_LOST (-O) and SEVERAL
 * (more than one host, so lines name their target).
 */
void output_init(bool json, bool quiet, bool stamp, bool report_lost,
    bool several);

/* Write out what is buffered; on failure print "write error", _exit(1). */
void output_flush(void);

/* Print ping's header for host H (IPv6 if V6) sending DATALEN bytes. */
void output_header(const struct out_host *h, bool v6, size_t datalen);

/* Print reply R of host H. */
void output_reply(const struct out_host *h, const struct out_reply *r);

/* JSON only: probe SEQ of H is lost (its timeout passed, or the run ended). */
void output_loss(const struct out_host *h, unsigned seq);

/* Text with -O only: probe SEQ of H has no answer yet (the next goes out). */
void output_no_answer(const struct out_host *h, unsigned seq);

/*
 * Print an error for probe SEQ of H: an ICMP error of TYPE and CODE sent
 * by FROM, or with FROM NULL and TYPE -1 a local error; TEXT describes it.
 */
void output_error(const struct out_host *h, unsigned seq, const char *from,
    int type, int code, const char *text);

/* Print the statistics ST of H after ELAPSED ns. */
void output_summary(const struct out_host *h, const struct out_stats *st,
    int64_t elapsed);

#endif
