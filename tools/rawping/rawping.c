/* SPDX-License-Identifier: MIT */
/*
 * rawping: send ICMP or ICMPv6 echo requests to one or more HOSTs at once
 * and report the replies in iputils ping's format (or as JSON Lines with
 * --json) on standard output, with one statistics block per host.  It
 * opens its raw sockets (or, without CAP_NET_RAW, ICMP datagram sockets)
 * first, drops every privilege, and only then resolves names and sends.
 * Exit 0 when every host replied, 1 when some did not, 2 on a usage or
 * system error.
 *
 * This file holds the options, sending and timing out probes, the main
 * loop and main(); beside it, pingsock.c opens the sockets and drops
 * privilege, pingrecv.c takes apart what comes back (with icmp.c, the
 * wire format), pingout.c prints ping's lines and the JSON objects, and
 * pingstate.h has the state they share.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <popt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "diag.h"
#include "icmp.h"
#include "parse.h"
#include "process.h"
#include "pingstate.h"
#include "pingout.h"
#include "pingrecv.h"
#include "pingsock.h"

static char *opt_count;		/* -c: probes per host */
static char *opt_interval;	/* -i: time between probes */
static char *opt_timeout;	/* -W: how long to wait for each reply */
static char *opt_deadline;	/* -w: how long to run at most */
static char *opt_size;		/* -s: payload bytes */
static char *opt_ttl;		/* -t: IP time to live / hop limit */
static int opt_ip_versions;	/* -4 sets bit 1, -6 bit 2 */
static int opt_quiet;		/* -q: only the header and statistics */
static int opt_stamp;		/* -D: wall-clock time before each line */
static int opt_report_lost;	/* -O: "no answer yet" as the next goes */
static int opt_numeric;		/* -n: accepted; output is always numeric */
static int opt_json;		/* --json: JSON Lines instead of text */

static struct poptOption options[] = {
	{ "count", 'c', POPT_ARG_STRING, &opt_count, 0,
	  "stop after COUNT probes per host", "COUNT" },
	{ "interval", 'i', POPT_ARG_STRING, &opt_interval, 0,
	  "wait INTERVAL between probes (default 1 s; 0 floods)",
	  "INTERVAL" },
	{ "timeout", 'W', POPT_ARG_STRING, &opt_timeout, 0,
	  "count a probe lost after TIMEOUT (default 10 s)",
	  "TIMEOUT" },
	{ "deadline", 'w', POPT_ARG_STRING, &opt_deadline, 0,
	  "stop after DEADLINE whatever happens", "DEADLINE" },
	{ "size", 's', POPT_ARG_STRING, &opt_size, 0,
	  "send SIZE payload bytes (default 56)", "SIZE" },
	{ "ttl", 't', POPT_ARG_STRING, &opt_ttl, 0,
	  "set the IP time to live (hop limit)", "TTL" },
	{ NULL, '4', POPT_ARG_VAL | POPT_ARGFLAG_OR, &opt_ip_versions, 1,
	  "use IPv4 only", NULL },
	{ NULL, '6', POPT_ARG_VAL | POPT_ARGFLAG_OR, &opt_ip_versions, 2,
	  "use IPv6 only", NULL },
	{ "quiet", 'q', POPT_ARG_NONE, &opt_quiet, 0,
	  "print only the header and the statistics", NULL },
	{ "timestamp", 'D', POPT_ARG_NONE, &opt_stamp, 0,
	  "print the wall-clock time before each line", NULL },
	{ "report-lost", 'O', POPT_ARG_NONE, &opt_report_lost, 0,
	  "report a probe unanswered when the next goes out", NULL },
	{ "numeric", 'n', POPT_ARG_NONE, &opt_numeric, 0,
	  "numeric output (always so; for ping compatibility)", NULL },
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0,
	  "print JSON Lines instead of text", NULL },
	CMDLINE_COMMON_OPTIONS
	POPT_TABLEEND
};

static const struct cmdline_help help = {
	.synopsis = "[OPTION]... HOST...",
	.forms = "Send ICMP echo requests to every HOST at once, as ping does.\n"
	    "HOST: a name, or an IPv4 or IPv6 address\n"
	    "INTERVAL, TIMEOUT, DEADLINE: 1.5 (seconds), 200ms, 2m\n",
	.example = "rawping -c 3 -i 0.2 localhost ::1",
};

/* Values of the options above, once parsed. */
static int family;		/* AF_INET, AF_INET6, or 0 for any */
static uint64_t count;		/* 0: until interrupted or the deadline */
static int64_t interval_ns = 1000000000;
static int64_t timeout_ns = 10000000000;
static int64_t deadline_ns = -1;	/* -1: none */
static size_t datalen = 56;
static int ttl = -1;

#define MIN_USER_INTERVAL_NS 2000000LL	/* below: root only, as ping */
#define HOSTS_MAX 65536			/* 16-bit echo identifiers */

static struct host *hosts;
static size_t nhosts;
static struct sock *socks;		/* raw4, raw6, then datagram sockets */
static size_t nsocks;
static volatile sig_atomic_t stop;
static int64_t start_mono;

/* Stop the run at the next chance: the signal handler. */
static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Whether host H has probes left to send. */
static bool
sending(const struct host *h)
{
	if (stop)
		return false;
	if (count == 0)
		return true;
	if (deadline_ns >= 0)
		return h->st.nrx < count;
	return h->st.ntx < count;
}

/* Whether host H has nothing left to do. */
static bool
finished(const struct host *h)
{
	if (count && deadline_ns >= 0 && h->st.nrx >= count)
		return true;
	return !sending(h) && h->resolved == h->st.ntx;
}

/* Whether host H passed: it replied, and with -w and -c, COUNT times. */
static bool
passed(const struct host *h)
{
	return h->st.nrx > 0 && !(deadline_ns >= 0 && count &&
	    h->st.nrx < count);
}

/*
 * The time the statistics of H show, as ping's: up to its last probe when
 * COUNT of them ended its run (not the -W wait for the last reply), else
 * up to END, the end of the run.
 */
static int64_t
elapsed(const struct host *h, int64_t end)
{
	bool counted = count && (deadline_ns >= 0 ? h->st.nrx >= count :
	    h->st.ntx >= count);

	return (counted ? h->last_send : end) - start_mono;
}

/* Send the next probe of host H at monotonic time NOW. */
static void
send_probe(struct host *h, int64_t now)
{
	uint64_t k = h->st.ntx;
	struct slot *s = &h->ring[k % RING];
	uint16_t seq = (uint16_t)(k + 1);
	int64_t tx;
	ssize_t n;

	if (s->state == SLOT_PENDING) {
		/* The ring wrapped on a probe still unanswered. */
		output_loss(&h->id, (uint16_t)(s->k + 1));
		s->state = SLOT_DONE;
	}
	icmp_set_seq(h->pkt, h->v6, seq);
	tx = now_ns(CLOCK_REALTIME);
	n = sendto(h->sock->fd, h->pkt, h->pktlen, 0,
	    (struct sockaddr *)&h->addr, h->addrlen);
	if (n < 0 && (errno == EAGAIN || errno == ENOBUFS ||
	    errno == EINTR)) {
		h->next_send = now + FLOOD_WAIT_NS;	/* full: retry later */
		return;
	}
	h->last_send = now;
	if (k > 0) {
		struct slot *prev = &h->ring[(k - 1) % RING];
		if (prev->k == k - 1 && prev->state != SLOT_ANSWERED)
			output_no_answer(&h->id, (uint16_t)k);
	}
	s->k = k;
	s->tx_real = tx;
	s->tx_kern = 0;
	s->tx_mono = now;
	s->state = SLOT_PENDING;
	h->st.ntx++;
	if (interval_ns == 0) {
		h->next_send = now + FLOOD_WAIT_NS;
	} else {
		/* On schedule, without drift; after a stall (a stopped
		 * process, a loaded machine) skip the missed turns rather
		 * than send a burst. */
		h->next_send += interval_ns;
		if (h->next_send <= now)
			h->next_send = now + interval_ns;
	}
	if (n >= 0 && h->sock->txmap) {
		/* On most links the transmit timestamp is queued by now. */
		h->sock->txmap[h->sock->txkey++ % RING] =
		    (struct txref){ h, k };
		recv_errqueue(h->sock, 1);
	}
	if (n < 0) {
		int e = errno;
		h->st.nerr++;
		s->state = SLOT_DONE;
		output_error(&h->id, seq, NULL, -1, 0, strerror(e));
		if (h->sock->dgram)
			recv_errqueue(h->sock, 0);
	}
}

/* Settle H's probes whose timeout passed by NOW; return the next expiry. */
static int64_t
expire(struct host *h, int64_t now, bool all)
{
	while (h->resolved < h->st.ntx) {
		struct slot *s = &h->ring[h->resolved % RING];
		if (s->k == h->resolved && s->state == SLOT_PENDING) {
			if (!all && now < s->tx_mono + timeout_ns)
				return s->tx_mono + timeout_ns;
			output_loss(&h->id, (uint16_t)(s->k + 1));
			s->state = SLOT_DONE;
		}
		h->resolved++;
	}
	return INT64_MAX;
}

/* Configure socket SK; outside floods, with the kernel's transmit times. */
static void
setup_socket(struct sock *sk)
{
	/* Reading transmit times costs a system call a probe: not in floods. */
	if (setup_icmp_socket_or_err(sk->fd, sk->v6, sk->dgram, ttl,
	    interval_ns != 0)) {
		sk->txmap = calloc(RING, sizeof *sk->txmap);
		if (!sk->txmap)
			err(EXIT_USAGE, "allocating the timestamp map");
	}
}

/* Resolve host H (once, numerically formatted) and pick its socket. */
static void
resolve(struct host *h, int errs[2])
{
	struct addrinfo hints = { .ai_family = family,
	    .ai_socktype = SOCK_DGRAM }, *res, *ai;
	int rc;

	rc = getaddrinfo(h->id.name, NULL, &hints, &res);
	if (rc == EAI_SYSTEM)
		err(EXIT_USAGE, "%s", h->id.name);
	if (rc != 0)
		errx(EXIT_USAGE, "%s: %s", h->id.name, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		int v6 = ai->ai_family == AF_INET6;
		if ((ai->ai_family == AF_INET || v6) && socks[v6].fd >= 0 &&
		    ai->ai_addrlen <= sizeof h->addr)
			break;
	}
	if (!ai) {
		bool v6 = res->ai_family == AF_INET6;
		freeaddrinfo(res);
		no_icmp_socket_err(h->id.name, v6, errs[v6]);
	}
	h->v6 = ai->ai_family == AF_INET6;
	memcpy(&h->addr, ai->ai_addr, ai->ai_addrlen);
	h->addrlen = ai->ai_addrlen;
	freeaddrinfo(res);
	numeric_addr((struct sockaddr *)&h->addr, h->addrlen, h->id.addr);
}

/* Give host H its socket: the shared raw one, or a datagram one of its own. */
static void
attach_socket(struct host *h)
{
	struct sock *base = &socks[h->v6];

	if (!base->dgram) {
		h->sock = base;
		return;
	}
	/* Datagram sockets are demultiplexed by the kernel: one per host. */
	if (base->owner == NULL) {
		base->owner = h;
		h->sock = base;
		return;
	}
	h->sock = &socks[nsocks];
	h->sock->v6 = h->v6;
	h->sock->dgram = true;
	h->sock->owner = h;
	h->sock->fd = socket(h->v6 ? AF_INET6 : AF_INET,
	    SOCK_DGRAM | SOCK_CLOEXEC, h->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (h->sock->fd < 0)
		no_icmp_socket_err(h->id.name, h->v6, errno);
	setup_socket(h->sock);
	nsocks++;
}

/* Pick a random echo identifier for H, distinct from the other hosts'. */
static void
pick_ident(struct host *h)
{
	for (;;) {
		uint16_t id;
		bool taken = false;
		if (getrandom(&id, sizeof id, 0) != sizeof id)
			id = (uint16_t)(getpid() ^ now_ns(CLOCK_MONOTONIC));
		for (struct host *o = hosts; o < h; o++)
			taken |= o->ident == id;
		if (!taken) {
			h->ident = id;
			return;
		}
	}
}

/* Parse the option values; exit 2 with a message on a bad one. */
static void
parse_values(void)
{
	if (opt_count)
		count = number_or_err("-c", opt_count, 1, INT64_MAX);
	if (opt_interval)
		interval_ns = ts_ns(duration_or_err("-i", opt_interval));
	if (opt_timeout) {
		timeout_ns = ts_ns(duration_or_err("-W", opt_timeout));
		if (timeout_ns == 0)
			usage_error("-W: the timeout must be more than 0: '%s'",
			    opt_timeout);
	}
	if (opt_deadline)
		deadline_ns = ts_ns(duration_or_err("-w", opt_deadline));
	if (opt_size)
		datalen = number_or_err("-s", opt_size, 0, ICMP_PAYLOAD_MAX);
	if (opt_ttl)
		ttl = (int)number_or_err("-t", opt_ttl, 1, 255);
	if (interval_ns < MIN_USER_INTERVAL_NS && getuid() != 0)
		errx(EXIT_USAGE, "cannot flood; minimal interval allowed for "
		    "user is 2ms");
}

/* Wait for a packet on any socket until monotonic time UNTIL or a signal. */
static void
wait_packets(int64_t until)
{
	struct pollfd pfd[nsocks];
	sigset_t block, old;
	struct timespec ts;
	int64_t left = until - now_ns(CLOCK_MONOTONIC);
	int n;

	if (left < 0)
		left = 0;
	ts.tv_sec = (time_t)(left / NS);
	ts.tv_nsec = (long)(left % NS);
	for (size_t i = 0; i < nsocks; i++)
		pfd[i] = (struct pollfd){ socks[i].fd, POLLIN, 0 };
	output_flush();
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	n = stop ? 0 : ppoll(pfd, nsocks, until == INT64_MAX ? NULL : &ts,
	    &old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (n < 0 && errno != EINTR)
		err(EXIT_USAGE, "poll");
	for (size_t i = 0; n > 0 && i < nsocks; i++) {
		if (pfd[i].revents & POLLERR)
			recv_errqueue(&socks[i], 0);
		if (pfd[i].revents)
			recv_drain(&socks[i]);
	}
}

/* Probe every host until done; return the exit status. */
static int
run(void)
{
	int64_t deadline = deadline_ns >= 0 ? start_mono + deadline_ns :
	    INT64_MAX, end;
	int status = 0;

	for (size_t i = 0; i < nhosts; i++)
		hosts[i].next_send = start_mono;
	for (;;) {
		int64_t now = now_ns(CLOCK_MONOTONIC), next = deadline;
		bool done = true, got = false;

		if (stop || now >= deadline)
			break;
		for (size_t i = 0; i < nhosts; i++) {
			struct host *h = &hosts[i];
			int64_t e;
			if (sending(h) && now >= h->next_send)
				send_probe(h, now);
			e = expire(h, now, false);
			if (finished(h))
				continue;
			done = false;
			if (e < next)
				next = e;
			if (sending(h) && h->next_send < next)
				next = h->next_send;
		}
		if (done)
			break;
		for (size_t i = 0; i < nsocks; i++)
			got |= recv_drain(&socks[i]) > 0;
		if (!got && next > now_ns(CLOCK_MONOTONIC))
			wait_packets(next);
	}
	end = now_ns(CLOCK_MONOTONIC);
	for (size_t i = 0; i < nhosts; i++)
		expire(&hosts[i], end, true);
	for (size_t i = 0; i < nhosts; i++) {
		output_summary(&hosts[i].id, &hosts[i].st,
		    elapsed(&hosts[i], end));
		status |= passed(&hosts[i]) ? 0 : 1;
	}
	output_flush();
	return status;
}

/* Parse the command line; return the HOST operands, or exit 2. */
static const char **
parse_or_err(int argc, char **argv)
{
	const char **args = cmdline_parse_or_err(argc, (const char **)argv,
	    options, &help);

	if (opt_ip_versions == 3)
		usage_error("only one of -4 and -6 may be given");
	family = opt_ip_versions == 1 ? AF_INET :
	    opt_ip_versions == 2 ? AF_INET6 : 0;
	if (!args[0])
		usage_error("no HOST given");
	for (nhosts = 0; args[nhosts]; nhosts++)
		;
	/* Hosts sharing a raw socket need distinct echo identifiers. */
	if (nhosts > HOSTS_MAX)
		usage_error("too many HOSTs: %zu; at most %d", nhosts,
		    HOSTS_MAX);
	parse_values();
	if (fcntl(STDOUT_FILENO, F_GETFD) < 0) {
		/* Nothing could be reported: fail before sending anything. */
		warnx("write error: %s", strerror(EBADF));
		exit(EXIT_FAIL);
	}
	return args;
}

/*
 * Open the ICMP socket of each family asked for into RAW (ERRS: why one
 * could not be), while the privilege to do so is held; then drop every
 * privilege for good.
 */
static void
open_sockets(struct sock raw[2], int errs[2])
{
	for (int v6 = 0; v6 < 2; v6++) {
		raw[v6] = (struct sock){ .fd = -1, .v6 = v6 };
		errs[v6] = 0;
		if (family && family != (v6 ? AF_INET6 : AF_INET))
			continue;
		raw[v6].fd = open_icmp_socket(v6, &raw[v6].dgram);
		if (raw[v6].fd < 0)
			errs[v6] = errno;
	}
	drop_privileges_or_err();
}

/*
 * Make a host of each of the NHOSTS operands ARGS: resolved, with its
 * socket (one of RAW, or a datagram socket of its own), identifier and
 * echo request.
 */
static void
set_up_hosts(const char **args, const struct sock raw[2], int errs[2])
{
	hosts = calloc(nhosts, sizeof *hosts);
	socks = calloc(nhosts + 2, sizeof *socks);
	if (!hosts || !socks)
		err(EXIT_USAGE, "allocating %zu hosts", nhosts);
	socks[0] = raw[0];
	socks[1] = raw[1];
	nsocks = 2;
	for (size_t i = 0; i < nhosts; i++) {
		hosts[i].id.name = args[i];
		resolve(&hosts[i], errs);
	}
	for (int v6 = 0; v6 < 2; v6++)
		if (socks[v6].fd >= 0)
			setup_socket(&socks[v6]);
	for (size_t i = 0; i < nhosts; i++) {
		struct host *h = &hosts[i];
		attach_socket(h);
		pick_ident(h);
		h->pkt = malloc(ICMP_HDR_LEN + datalen);
		if (!h->pkt)
			err(EXIT_USAGE, "allocating the probe");
		h->pktlen = icmp_build_echo(h->pkt, h->v6, h->ident, 0,
		    datalen);
		h->sock->nhosts++;
	}
}

/* Close the raw sockets no host uses (they would only see noise) and
 * drop them from the poll set, the hosts following their socket. */
static void
close_unused_sockets(void)
{
	size_t j = 0;

	for (size_t i = 0; i < nsocks; i++) {
		if (socks[i].nhosts == 0 && socks[i].fd >= 0) {
			close(socks[i].fd);
			socks[i].fd = -1;
		}
		if (socks[i].fd < 0)
			continue;
		socks[j] = socks[i];
		for (size_t k = 0; k < nhosts; k++)
			if (hosts[k].sock == &socks[i])
				hosts[k].sock = &socks[j];
		if (socks[j].owner)
			socks[j].owner->sock = &socks[j];
		j++;
	}
	nsocks = j;
}

int
main(int argc, char **argv)
{
	struct sock raw[2];
	int errs[2];
	const char **args;

	atexit(close_stdout);
	args = parse_or_err(argc, argv);
	/* Sockets first, while the privilege to open them is still held. */
	open_sockets(raw, errs);
	set_up_hosts(args, raw, errs);
	close_unused_sockets();
	recv_init(hosts, nhosts, datalen, interval_ns == 0, opt_quiet);
	/*
	 * SIGINT, SIGTERM and SIGHUP (unless ignored at start) end the run
	 * with the statistics, as in ping.  SA_RESTART: a write(2) to a full
	 * pipe that a signal interrupts would else fail stdio with EINTR and
	 * lose them; ppoll(2), the one wait they must end, is never restarted.
	 */
	catch_stop_signals_flags(on_signal, SA_RESTART);
	output_init(opt_json, opt_quiet, opt_stamp, opt_report_lost,
	    nhosts > 1);
	for (size_t i = 0; i < nhosts; i++)
		output_header(&hosts[i].id, hosts[i].v6, datalen);
	output_flush();
	start_mono = now_ns(CLOCK_MONOTONIC);
	return run();
}
