/* SPDX-License-Identifier: MIT */
/*
 * pingout: rawping's text lines in ping's format and its JSON
 * Lines, as pingout.h describes them.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "icmp.h"
#include "pingout.h"

#define NS 1000000000LL

static bool o_json;		/* --json */
static bool o_quiet;		/* -q */
static bool o_stamp;		/* -D */
static bool o_report_lost;	/* -O */
static bool o_several;		/* more than one host */
static bool dirty;		/* printed since the last flush */

void
output_init(bool json, bool quiet, bool stamp, bool report_lost,
    bool several)
{
	o_json = json;
	o_quiet = quiet;
	o_stamp = stamp;
	o_report_lost = report_lost;
	o_several = several;
}

/* The wall-clock time in nanoseconds. */
static int64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

void
output_flush(void)
{
	if (!dirty)
		return;
	dirty = false;
	if (fflush(stdout) != 0) {
		warn("write error");
		_exit(EXIT_FAIL);
	}
}

/* printf to standard output, remembering that a flush is due. */
static void __attribute__((format(printf, 1, 2)))
out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	dirty = true;
}

/*
 * The length of the well-formed UTF-8 sequence at S (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0.
 */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * Write S as a JSON string, quoted and escaped; a byte that is not part
 * of well-formed UTF-8 (a host name from a Latin-1 hosts file) becomes
 * U+FFFD, so that every line stays valid JSON.
 */
static void
json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	putchar('"');
	while (*s) {
		size_t n;
		if (*s == '"' || *s == '\\') {
			printf("\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			printf("\\u%04x", *s++);
		} else if (*s < 0x80) {
			putchar(*s++);
		} else if ((n = utf8_len(s)) > 0) {
			fwrite(s, 1, n, stdout);
			s += n;
		} else {
			fputs("\\ufffd", stdout);
			s++;
		}
	}
	putchar('"');
	dirty = true;
}

/* Start a JSON object of TYPE for host H: {"type":..,"host":..,"addr":.. */
static void
json_begin(const char *type, const struct out_host *h)
{
	out("{\"type\":\"%s\",\"host\":", type);
	json_str(h->name);
	out(",\"addr\":");
	json_str(h->addr);
}

/* Print the -D stamp for wall-clock time T (ns), in text mode. */
static void
print_stamp(int64_t t)
{
	if (o_stamp && !o_json)
		out("[%lld.%06lld] ", (long long)(t / NS),
		    (long long)(t % NS / 1000));
}

/* Print an RTT of NS nanoseconds as ping does: 3 significant decimals. */
static void
print_rtt(int64_t ns)
{
	long long us = ns / 1000;

	if (us >= 100000 - 50)
		out("%lld", (us + 500) / 1000);
	else if (us >= 10000 - 5)
		out("%lld.%01lld", (us + 50) / 1000, (us + 50) % 1000 / 100);
	else if (us >= 1000)
		out("%lld.%02lld", (us + 5) / 1000, (us + 5) % 1000 / 10);
	else
		out("%lld.%03lld", us / 1000, us % 1000);
}

/* End a line; with several hosts, name the target of H first. */
static void
print_target(const struct out_host *h)
{
	if (o_several)
		out(" (probe to %s)", h->addr);
	out("\n");
}

void
output_header(const struct out_host *h, bool v6, size_t datalen)
{
	if (o_json)
		return;
	if (v6)
		out("PING %s(%s) %zu data bytes\n", h->name, h->addr, datalen);
	else
		out("PING %s (%s) %zu(%zu) bytes of data.\n", h->name, h->addr,
		    datalen, datalen + ICMP_HDR_LEN + 20);
}

void
output_reply(const struct out_host *h, const struct out_reply *r)
{
	if (o_quiet)
		return;
	if (o_json) {
		json_begin("reply", h);
		out(",\"seq\":%u,\"from\":", r->seq);
		json_str(r->from);
		out(",\"bytes\":%zu,\"ttl\":", r->bytes);
		if (r->ttl >= 0)
			out("%d", r->ttl);
		else
			out("null");
		out(",\"time_ms\":%.3f,\"dup\":%s,\"bad_checksum\":%s,"
		    "\"bad_data\":%s,\"truncated\":%s,"
		    "\"different_address\":%s,\"ts\":%.6f}\n",
		    (double)r->rtt / 1e6, r->dup ? "true" : "false",
		    r->cksum_bad ? "true" : "false",
		    r->bad >= 0 ? "true" : "false",
		    r->truncated ? "true" : "false",
		    r->other ? "true" : "false", (double)r->rx / NS);
		return;
	}
	print_stamp(r->rx);
	out("%zu bytes from %s: icmp_seq=%u", r->bytes, r->from, r->seq);
	if (r->ttl >= 0)
		out(" ttl=%d", r->ttl);
	out(" time=");
	print_rtt(r->rtt);
	out(" ms");
	if (r->dup)
		out(" (DUP!)");
	if (r->cksum_bad)
		out(" (BAD CHECKSUM!)");
	if (r->truncated)
		out(" (truncated)");
	if (r->other)
		out(" (DIFFERENT ADDRESS!)");
	out("\n");
	if (r->bad >= 0)
		out("wrong data byte #%ld should be 0x%x but was 0x%x\n",
		    r->bad, icmp_pattern((size_t)r->bad), r->bad_byte);
}

void
output_loss(const struct out_host *h, unsigned seq)
{
	if (o_quiet || !o_json)
		return;
	json_begin("loss", h);
	out(",\"seq\":%u,\"ts\":%.6f}\n", seq, (double)wall_ns() / NS);
}

void
output_no_answer(const struct out_host *h, unsigned seq)
{
	if (o_quiet || o_json || !o_report_lost)
		return;
	print_stamp(wall_ns());
	out("no answer yet for icmp_seq=%u", seq);
	print_target(h);
}

void
output_error(const struct out_host *h, unsigned seq, const char *from,
    int type, int code, const char *text)
{
	int64_t t = wall_ns();

	if (o_quiet)
		return;
	if (o_json) {
		json_begin("error", h);
		out(",\"seq\":%u,\"from\":", seq);
		if (from)
			json_str(from);
		else
			out("null");
		if (type >= 0)
			out(",\"icmp_type\":%d,\"icmp_code\":%d", type, code);
		else
			out(",\"icmp_type\":null,\"icmp_code\":null");
		out(",\"error\":");
		json_str(text);
		out(",\"ts\":%.6f}\n", (double)t / NS);
		return;
	}
	print_stamp(t);
	if (from)
		out("From %s icmp_seq=%u %s", from, seq, text);
	else
		out("local error: icmp_seq=%u: %s", seq, text);
	print_target(h);
}

void
output_summary(const struct out_host *h, const struct out_stats *st,
    int64_t elapsed)
{
	double n = (double)st->nrx, avg = 0, mdev = 0;
	/* ping computes the loss in float and prints it with %g. */
	double loss = st->ntx ? (double)(float)((double)(st->ntx - st->nrx) *
	    100.0 / (double)st->ntx) : 0;

	if (st->nrx) {
		avg = st->rtt_sum / n;
		mdev = st->rtt_sum2 / n - avg * avg;
		mdev = mdev > 0 ? sqrt(mdev) : 0;
	}
	if (o_json) {
		json_begin("summary", h);
		out(",\"transmitted\":%llu,\"received\":%llu,"
		    "\"duplicates\":%llu,\"corrupted\":%llu,\"errors\":%llu,"
		    "\"loss_pct\":%g,\"time_ms\":%lld,",
		    (unsigned long long)st->ntx, (unsigned long long)st->nrx,
		    (unsigned long long)st->ndup,
		    (unsigned long long)st->ncksum,
		    (unsigned long long)st->nerr, loss,
		    (long long)(elapsed / 1000000));
		if (st->nrx)
			out("\"rtt_min_ms\":%.3f,\"rtt_avg_ms\":%.3f,"
			    "\"rtt_max_ms\":%.3f,\"rtt_mdev_ms\":%.3f}\n",
			    (double)st->rtt_min / 1e6, avg / 1e6,
			    (double)st->rtt_max / 1e6, mdev / 1e6);
		else
			out("\"rtt_min_ms\":null,\"rtt_avg_ms\":null,"
			    "\"rtt_max_ms\":null,\"rtt_mdev_ms\":null}\n");
		return;
	}
	out("\n--- %s ping statistics ---\n", h->name);
	out("%llu packets transmitted, %llu received",
	    (unsigned long long)st->ntx, (unsigned long long)st->nrx);
	if (st->ndup)
		out(", +%llu duplicates", (unsigned long long)st->ndup);
	if (st->ncksum)
		out(", +%llu corrupted", (unsigned long long)st->ncksum);
	if (st->nerr)
		out(", +%llu errors", (unsigned long long)st->nerr);
	out(", %g%% packet loss, time %lldms\n", loss,
	    (long long)(elapsed / 1000000));
	if (st->nrx) {
		/* Whole microseconds, truncated, as ping prints them. */
		long long us[4] = { st->rtt_min / 1000, (long long)(avg / 1000),
		    st->rtt_max / 1000, (long long)(mdev / 1000) };
		out("rtt min/avg/max/mdev = %lld.%03lld/%lld.%03lld/"
		    "%lld.%03lld/%lld.%03lld ms\n", us[0] / 1000, us[0] % 1000,
		    us[1] / 1000, us[1] % 1000, us[2] / 1000, us[2] % 1000,
		    us[3] / 1000, us[3] % 1000);
	}
}
