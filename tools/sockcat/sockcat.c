/* SPDX-License-Identifier: MIT */
/*
 * sockcat: relay standard input and output over a socket.
 *
 * sockcat connects to ADDRESS (or, with -l, listens on it and takes a
 * connection) and copies standard input to the socket and the socket to
 * standard output, both at once.  Stream sockets carry bytes unchanged;
 * datagram and seqpacket sockets carry records, one line (or, with -0, one
 * NUL-terminated string) per datagram.  A tls: address speaks TLS over a
 * stream socket: the client verifies the server by default, the handshake
 * runs before any byte of standard input is read.  What happens when either side
 * ends is sockcat(1)'s EOF table, whose rules are the states of relay.c.
 * With -k, one connection's failure ends that connection, not the
 * listener.  With -e each connection is handed to a COMMAND instead, and
 * closed gracefully when it exits; with -z sockcat only probes.  Exit
 * status: 0 success, 1 failure (refused, reset, a peer that refused
 * input, write error, closed stdin/stdout), 2 usage, 124 a timeout ended
 * the tool, 126/127 COMMAND could not be run / was not found, else
 * COMMAND's own status.
 *
 * Beside this file, the tool's directory holds the address parser
 * (sockaddr), connecting and listening (sockconn), the relays of bytes
 * (relay) and of records (dgram), the -e children (children), the
 * signal loop (sigloop) and TLS through OpenSSL (tls); this file holds the command line, the messages
 * and the connect, listen and accept flow.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <popt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline.h"
#include "children.h"
#include "dgram.h"
#include "diag.h"
#include "parse.h"
#include "process.h"
#include "relay.h"
#include "sigloop.h"
#include "sockaddr.h"
#include "sockconn.h"
#include "tls.h"

static int opt_listen;		/* -l: listen instead of connecting */
static int opt_keep_open;	/* -k: go on accepting after a connection */
static char *opt_exec;		/* -e: COMMAND per connection, no shell */
static char *opt_sh_exec;	/* --sh-exec: STRING run by /bin/sh -c */
static char *opt_max_conns;	/* -m: concurrent -e children */
static char *opt_idle;		/* -w: idle timeout */
static char *opt_connect_timeout; /* --connect-timeout */
static int opt_probe;		/* -z: only see whether ADDRESS accepts */
static char *opt_source;	/* -s: local address to connect from */
static int opt_ipv4, opt_ipv6;	/* -4, -6 */
static int opt_nodelay;		/* --nodelay: TCP_NODELAY */
static int opt_verbose;		/* -v: connections and counts on stderr */
static int opt_null;		/* -0: records end in NUL, not newline */
static int opt_reuseport;	/* --reuseport: SO_REUSEPORT on listeners */
static char *opt_mode;		/* --mode: UNIX socket file permissions */
static char *opt_cafile;	/* --cafile: trust these CAs, not the system's */
static char *opt_capath;	/* --capath: ... or this hashed directory */
static char *opt_cert;		/* --cert: our certificate chain, PEM */
static char *opt_key;		/* --key: its private key, PEM */
static int opt_insecure;	/* --insecure: do not verify the server */
static char *opt_servername;	/* --servername: the name to verify, SNI */
static int opt_require_cert;	/* --require-client-cert */
static int opt_ignore_eof;	/* --ignore-unexpected-eof */
static char *opt_tls_min;	/* --tls-min: 1.2 or 1.3 */

/* Socket settings few need: --help names them in one line (cmdline.h). */
static struct poptOption socket_options[] = {
	{ NULL, '4', POPT_ARG_NONE, &opt_ipv4, 0, "use IPv4 only", NULL },
	{ NULL, '6', POPT_ARG_NONE, &opt_ipv6, 0, "use IPv6 only", NULL },
	{ "nodelay", '\0', POPT_ARG_NONE, &opt_nodelay, 0,
	  "set TCP_NODELAY", NULL },
	{ "reuseport", '\0', POPT_ARG_NONE, &opt_reuseport, 0,
	  "set SO_REUSEPORT on the listener", NULL },
	{ "mode", '\0', POPT_ARG_STRING, &opt_mode, 0,
	  "permissions of a UNIX socket file (0600)", "MODE" },
	POPT_TABLEEND
};

/* The TLS settings: --help names them in one line, sockcat(1) says more. */
static struct poptOption tls_options[] = {
	{ "cafile", '\0', POPT_ARG_STRING, &opt_cafile, 0,
	  "tls: trust the CAs in FILE", "FILE" },
	{ "capath", '\0', POPT_ARG_STRING, &opt_capath, 0,
	  "tls: trust the CAs in DIR (hashed)", "DIR" },
	{ "cert", '\0', POPT_ARG_STRING, &opt_cert, 0,
	  "tls: our certificate (chain)", "FILE" },
	{ "key", '\0', POPT_ARG_STRING, &opt_key, 0,
	  "tls: its private key", "FILE" },
	{ "insecure", '\0', POPT_ARG_NONE, &opt_insecure, 0,
	  "tls: do not verify the server", NULL },
	{ "servername", '\0', POPT_ARG_STRING, &opt_servername, 0,
	  "tls: verify and send NAME, not HOST", "NAME" },
	{ "require-client-cert", '\0', POPT_ARG_NONE, &opt_require_cert, 0,
	  "tls -l: refuse clients without one", NULL },
	{ "ignore-unexpected-eof", '\0', POPT_ARG_NONE, &opt_ignore_eof, 0,
	  "tls: a peer's end without close_notify is no error", NULL },
	{ "tls-min", '\0', POPT_ARG_STRING, &opt_tls_min, 0,
	  "tls: oldest protocol, 1.2 or 1.3", "V" },
	POPT_TABLEEND
};

static struct poptOption options[] = {
	{ "listen", 'l', POPT_ARG_NONE, &opt_listen, 0,
	  "listen on ADDRESS instead of connecting", NULL },
	{ "keep-open", 'k', POPT_ARG_NONE, &opt_keep_open, 0,
	  "go on accepting connections after the first", NULL },
	{ "exec", 'e', POPT_ARG_STRING, &opt_exec, 0,
	  "run COMMAND per connection (split at blanks)",
	  "COMMAND" },
	{ "sh-exec", '\0', POPT_ARG_STRING, &opt_sh_exec, 0,
	  "run STRING with /bin/sh -c per connection", "STRING" },
	{ "max-conns", 'm', POPT_ARG_STRING, &opt_max_conns, 0,
	  "at most N connections at once with -e (100)", "N" },
	{ "idle-timeout", 'w', POPT_ARG_STRING, &opt_idle, 0,
	  "close a connection idle for DURATION", "DURATION" },
	{ "connect-timeout", '\0', POPT_ARG_STRING,
	  &opt_connect_timeout, 0,
	  "give up connecting after DURATION", "DURATION" },
	{ "probe", 'z', POPT_ARG_NONE, &opt_probe, 0,
	  "only probe whether ADDRESS accepts connections", NULL },
	{ "source", 's', POPT_ARG_STRING, &opt_source, 0,
	  "connect from local address HOST[:PORT]", "HOST" },
	{ "null", '0', POPT_ARG_NONE, &opt_null, 0,
	  "records end in NUL, not newline", NULL },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, socket_options, 0,
	  "-4, -6 (IPv4, IPv6 only), --nodelay, --reuseport, --mode=MODE",
	  NULL },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, tls_options, 0,
	  "TLS: --cafile, --cert, --key, --insecure, --servername, ...: "
	  "see sockcat(1)", NULL },
	{ "verbose", 'v', POPT_ARG_NONE, &opt_verbose, 0,
	  "report connections and byte counts on stderr", NULL },
	CMDLINE_COMMON_OPTIONS
	POPT_TABLEEND
};

static const struct cmdline_help help = {
	.synopsis = "[OPTION]... ADDRESS",
	.forms = "ADDRESS: [tcp:]HOST:PORT, tcp4:, tcp6:, udp:HOST:PORT, "
	    "udp4:, udp6:, unix:PATH,\n"
	    "  unix-dgram:PATH, unix-seqpacket:PATH, unix:@NAME (abstract); "
	    "[::1]:PORT;\n"
	    "  tls:HOST:PORT, tls4:, tls6:, tls:unix:PATH (TLS over a stream "
	    "address)\n",
	.example = "sockcat -l tcp::8000 >received; elsewhere: "
	    "sockcat HOST:8000 <file",
};

static struct timespec idle_ts, connect_ts;	/* parsed -w, timeout */
static struct sock_address source;	/* parsed -s */
static unsigned long max_conns = 100;
/* How long a connection whose COMMAND has exited may drain (see
 * children.h): the peer closes at once when it gets our end. */
static const struct timespec linger_bound = { 1, 0 };
static mode_t sock_mode = 0600;
static const char *addr_text;	/* ADDRESS as typed, for messages */
static char **exec_argv;	/* COMMAND split, or sh -c STRING */
/* TLS: the context, made once before any connection (-e children
 * inherit it), and the name a client verifies. */
static struct tls_ctx tls_ctx;
static const char *tls_peer_name;

/* State that exit and the signal path must undo. */
static struct {
	struct sock_owned_path path;	/* a UNIX socket file we bound */
	struct children kids;	/* live -e children (max_conns slots) */
} owned;

/* Remove the UNIX socket file if it is still the one we bound. */
static void
remove_owned_path(void)
{
	sock_owned_path_remove(&owned.path);
}

/* Reap exited children without waiting (their connections start their
 * graceful close); -v reports each.  Return the status of WANT if it was
 * among them, else -1. */
static int
reap_children(pid_t want)
{
	int status, code = -1;
	pid_t pid;

	sigloop_child = 0;
	while ((pid = children_reap(&owned.kids, &status)) > 0) {
		if (opt_verbose)
			warnx("child %ld ended with status %d", (long)pid,
			    command_status(status));
		if (pid == want)
			code = command_status(status);
	}
	return code;
}

/* Terminate and reap every live child: TERM, then KILL after 2 s. */
static void
end_children(void)
{
	static const struct timespec two = { 2, 0 };

	children_end(&owned.kids, &two);
}

/* atexit(3) hook: leave nothing behind. */
static void
cleanup(void)
{
	end_children();
	remove_owned_path();
}

/* Clean up after INT/TERM/HUP and die by that signal, as a shell expects. */
static void __attribute__((noreturn))
cleanup_and_die(int sig)
{
	cleanup();
	close_stdout();
	die_by_signal(sig);
}

/* sigloop_poll(), exiting on failure; 0 when a signal came. */
static int
wait_events(struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	int r = sigloop_poll(pfd, n, timeout_ms);

	if (r < 0)
		err(EXIT_FAIL, "poll");
	return r;
}

/* Make sure descriptors 0-2 exist, so that no socket lands on them;
 * return the set of those that were closed (bit N for descriptor N). */
static unsigned
reserve_std_fds(void)
{
	unsigned closed = 0;

	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		closed |= 1U << fd;
		int nfd = open("/dev/null", fd == 2 ? O_WRONLY : O_RDONLY);
		if (nfd < 0)
			err(EXIT_FAIL, "/dev/null");
		if (nfd != fd)
			errx(EXIT_FAIL, "cannot reserve descriptor %d", fd);
	}
	return closed;
}

/* Refuse to start with a closed standard input or output that this run
 * uses (CLOSED from reserve_std_fds(); RANGE: -z prints open ports): a
 * closed input is no empty input, and nothing may be sent or received
 * for output that cannot be written. */
static void
require_std_fds(unsigned closed, bool range)
{
	bool relays = !exec_argv && !opt_probe;

	errno = EBADF;
	if (relays && (closed & 1U))
		err(EXIT_FAIL, "standard input");
	if ((relays || (opt_probe && range)) && (closed & 2U))
		err(EXIT_FAIL, "standard output");
}

/* Report a failed write on standard output: SIGPIPE for a vanished reader
 * (the shell sees the usual status), else "write error" and exit 1. */
static void __attribute__((noreturn))
stdout_failed(void)
{
	if (errno == EPIPE) {
		cleanup();
		die_by_signal(SIGPIPE);
	}
	warn("write error");
	exit(EXIT_FAIL);
}

/* The relay options of the command line: -w, and the signals. */
static struct relay_opts
relay_opts(void)
{
	struct relay_opts o = {
		.idle = opt_idle ? &idle_ts : NULL,
		.wait_for_peer = opt_listen,
		.eof_shut_fd = -1,
		.sigmask = sigloop_mask(),
		.stop = &sigloop_stop,
	};
	return o;
}

/* Whether the error of pump P (errno) is the socket's (a reset, a peer
 * gone) rather than standard input's or output's, or poll's (P NULL). */
static bool
failed_at_socket(const struct pump *p)
{
	if (!p)
		return false;
	if (p->to_sock)
		return p->failed_out ||
		    ((p->splice || p->sendfile) && errno != EIO);
	/* splice into a pipe says EPIPE when the pipe's reader is gone. */
	if (p->splice)
		return errno != EPIPE;
	return !p->failed_out;
}

/* Report the error in errno of the socket NAME: a TLS failure (EPROTO)
 * in the words of T (NULL: plain). */
static void
warn_socket(const char *name, const struct tls_conn *t)
{
	if (t && errno == EPROTO && t->why[0])
		warnx("%s: %s", name, t->why);
	else
		warn("%s", name);
}

/* Fail on an error of pump P (NULL: of poll) of the connection T (NULL:
 * plain): a socket error names the address, a failed write on standard
 * output is a write error (or SIGPIPE). */
static void __attribute__((noreturn))
pump_failed(const struct pump *p, const char *name, const struct tls_conn *t)
{
	if (!p)
		err(EXIT_FAIL, "poll");
	if (failed_at_socket(p)) {
		warn_socket(name, t);
		exit(EXIT_FAIL);
	}
	if (p->to_sock)
		err(EXIT_FAIL, "standard input");
	stdout_failed();
}

/* Fail on the error of record relay ST on the socket NAME. */
static void __attribute__((noreturn))
records_failed(const struct dgram_relay *st, const char *name)
{
	switch (st->fail) {
	case DGRAM_FAIL_IN:
		err(EXIT_FAIL, "standard input");
	case DGRAM_FAIL_OUT:
		stdout_failed();
	case DGRAM_FAIL_RECORD:
		errx(EXIT_FAIL, "%s: %s", name, st->why);
	case DGRAM_FAIL_SOCKET:
	default:
		err(EXIT_FAIL, "%s", name);
	}
}

/* Relay records between standard input/output and SOCK (see dgram.h);
 * fail on errors (with LENIENT, report a socket's error with -v and
 * return RELAY_ERROR instead), else return how it ended. */
static enum relay_end
relay_records(int sock, enum sock_kind kind, bool listener,
    struct dgram_relay *st, const char *name, bool lenient)
{
	struct relay_opts o = relay_opts();
	enum relay_end end = dgram_relay(sock,
	    kind == SOCK_KIND_UNIX_SEQPACKET, listener, st, &o);

	if (end != RELAY_ERROR)
		return end;
	if (lenient && st->fail == DGRAM_FAIL_SOCKET) {
		if (opt_verbose)
			warn("%s", name);
		return end;
	}
	records_failed(st, name);
}

/* Relay the stream SOCK (over TLS connection T, or NULL) with UP and
 * DOWN (see relay.h); fail on errors (with LENIENT, report a socket's
 * error with -v and return RELAY_ERROR instead), else return how it
 * ended. */
static enum relay_end
relay_stream_or_err(int sock, const char *name, struct pump *up,
    struct pump *down, bool lenient, struct tls_conn *t)
{
	struct relay_opts o = relay_opts();
	struct pump *bad = NULL;
	enum relay_end end;

	o.tls = t;
	end = relay_stream(sock, up, down, &o, &bad);
	if (end != RELAY_ERROR)
		return end;
	if (lenient && failed_at_socket(bad)) {
		if (opt_verbose)
			warn_socket(name, t);
		/* Input read but not sent yet goes to the next connection. */
		up->failed_out = false;
		up->wait_out = false;
		return end;
	}
	pump_failed(bad, name, t);
}

/* Prepare the record relay of standard input and output; exit on
 * ENOMEM. */
static void
records_init(struct dgram_relay *st)
{
	if (dgram_relay_init(st, STDIN_FILENO, STDOUT_FILENO,
	    opt_null ? 0 : '\n') < 0)
		err(EXIT_FAIL, "malloc");
}

/* -v: report an address that failed before the next is tried. */
static void
warn_attempt(const char *addr, int e, void *arg)
{
	(void)arg;
	if (opt_verbose)
		warnx("%s: %s", addr, strerror(e));
}

/* The connection options of the command line for SA, for sockconn.c.
 * TLS over TCP always sets TCP_NODELAY: OpenSSL writes each record with
 * its own write(2), and Nagle's algorithm then waits for acknowledgements
 * the peer delays (measured: 30 % of the throughput, and 40 ms per
 * connection after the session tickets). */
static struct sock_conn_opts
conn_opts(const struct sock_address *sa)
{
	struct sock_conn_opts o = {
		.family = opt_ipv4 ? AF_INET : opt_ipv6 ? AF_INET6 : AF_UNSPEC,
		.source = opt_source ? &source : NULL,
		.nodelay = opt_nodelay || sa->tls,
		.reuseport = opt_reuseport,
		.timeout = opt_connect_timeout ? &connect_ts : NULL,
		.unix_mode = sock_mode,
		.on_fail = warn_attempt,
	};
	return o;
}

/* Fail for CONTEXT, a name that did not resolve (getaddrinfo error GAI). */
static void __attribute__((noreturn))
resolve_failed(const char *context, int gai)
{
	if (gai == EAI_SYSTEM)
		err(EXIT_FAIL, "%s", context);
	errx(EXIT_FAIL, "%s: %s", context, gai_strerror(gai));
}

/* Connect to SA at PORT: the socket, or -1 with errno; exits when a
 * name does not resolve or the source address (-s) fails.  QUIET mutes
 * the per-address -v reports. */
static int
connect_to(const struct sock_address *sa, unsigned port, bool quiet)
{
	struct sock_conn_opts o = conn_opts(sa);
	struct sock_fail fail;
	char context[SOCK_HOST_MAX + 16];
	int fd;

	if (quiet)
		o.on_fail = NULL;
	fd = sock_connect(sa, port, &o, &fail);
	if (fd >= 0 || !(fail.at_source || fail.gai))
		return fd;
	if (!fail.at_source)
		resolve_failed(addr_text, fail.gai);
	snprintf(context, sizeof context, "-s %s", opt_source);
	if (fail.gai)
		resolve_failed(context, fail.gai);
	err(EXIT_FAIL, "%s", context);
}

/* Put "tls:" before NAME (SIZE bytes), an operand of SA's kind, when SA
 * speaks TLS and NAME does not say so yet ("tls:tcp:127.0.0.1:443"). */
static void
name_tls(const struct sock_address *sa, char *name, size_t size)
{
	size_t len = strlen(name);

	if (!sa->tls || strncmp(name, "tls", 3) == 0 || len + 5 > size)
		return;
	memmove(name + 4, name, len + 1);
	memcpy(name, "tls:", 4);
}

/* Bind (and for stream kinds listen on) SA; exit 1 on failure. */
static int
listen_on(const struct sock_address *sa)
{
	struct sock_conn_opts o = conn_opts(sa);
	char name[SOCK_ADDRSTR_MAX];
	struct sock_fail fail;
	int fd = sock_listen(sa, &o, &owned.path, &fail);

	if (fd < 0 && fail.why)
		errx(EXIT_FAIL, "%s: %s", addr_text, fail.why);
	if (fd < 0 && fail.gai)
		resolve_failed(addr_text, fail.gai);
	if (fd < 0)
		err(EXIT_FAIL, "%s", addr_text);
	if (opt_verbose && owned.path.replaced_stale)
		warnx("%s: replaced a stale socket", addr_text);
	if (opt_verbose) {
		sock_fd_address(fd, false, sa->kind, name, sizeof name);
		name_tls(sa, name, sizeof name);
		warnx("listening on %s", name);
	}
	return fd;
}

/*
 * Accept a connection on LFD (accept4(2) FLAGS) and name it in NAME: by
 * the peer's address as accept gives it, which stays right even when the
 * peer resets at once (getpeername(2) then fails), or for UNIX kinds,
 * whose clients are mostly unnamed, by ADDRESS.  Return the socket, or
 * -1 with errno.
 */
static int
accept_named(int lfd, const struct sock_address *sa, int flags, char *name,
    size_t size)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof peer;
	int conn = accept4(lfd, (void *)&peer, &len, flags);

	if (conn < 0)
		return -1;
	if (sock_kind_is_unix(sa->kind))
		snprintf(name, size, "%s", addr_text);
	else
		sock_address_format(sa->kind, (void *)&peer, len, name, size);
	name_tls(sa, name, size);
	if (opt_verbose)
		warnx("connection from %s", name);
	return conn;
}

/* Whether accept(2)'s error is one to try again after at once. */
static bool
accept_retry(void)
{
	return errno == EINTR || errno == EAGAIN || errno == ECONNABORTED;
}

/*
 * Make T the TLS connection of the socket FD and run its handshake
 * within BOUND (NULL: no bound); INT/TERM/HUP end the tool.  Return 0,
 * or -1 with errno (ETIMEDOUT when BOUND passed, EPROTO with T's why).
 */
static int
handshake(struct tls_conn *t, int fd, const struct timespec *bound)
{
	struct relay_opts o = relay_opts();
	struct deadline d;
	short want = POLLOUT;

	if (tls_conn_init(t, &tls_ctx, fd, tls_peer_name) < 0)
		return -1;
	deadline_start(&d, bound);
	while (tls_handshake(t, &want) < 0) {
		struct pollfd pfd = { .fd = fd, .events = want };

		if (errno != EAGAIN ||
		    relay_poll(&pfd, 1, deadline_poll_ms(&d), &o) < 0)
			return -1;
		if (sigloop_stop)
			cleanup_and_die(sigloop_stop);
		if (deadline_expired(&d)) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

/*
 * Start TLS on the connection FD named NAME, as handshake() does; -v
 * reports the protocol, cipher and peer.  Return EXIT_OK, or
 * EXIT_TIMEOUT or EXIT_FAIL after saying why (with LENIENT, only with
 * -v: one connection of a -k server).  T is to be freed either way.
 */
static int
tls_start(struct tls_conn *t, int fd, const char *name,
    const struct timespec *bound, bool lenient)
{
	char summary[512];
	bool timeout;

	if (handshake(t, fd, bound) == 0) {
		if (opt_verbose)
			warnx("%s: %s", name, tls_summary(t, summary,
			    sizeof summary));
		return EXIT_OK;
	}
	timeout = errno == ETIMEDOUT;
	if (!lenient || opt_verbose) {
		if (timeout)
			warnx("%s: TLS handshake timed out", name);
		else
			warn_socket(name, t);
	}
	return timeout ? EXIT_TIMEOUT : EXIT_FAIL;
}

/* Print the -v summary of a connection. */
static void
report_counts(const char *name, uint64_t sent, uint64_t received,
    const char *unit)
{
	if (opt_verbose)
		warnx("%s: closed; sent %llu %s, received %llu %s", name,
		    (unsigned long long)sent, unit,
		    (unsigned long long)received, unit);
}

/* Exit 124 with a message for an idle timeout that ends the tool. */
static void __attribute__((noreturn))
idle_exit(const char *name)
{
	warnx("%s: idle for %s; closing", name, opt_idle);
	exit(EXIT_TIMEOUT);
}

/* Relay one stream (over T if not NULL) or seqpacket connection of a
 * listener; return its end.  With -k an error of the connection itself
 * ends only it. */
static enum relay_end
serve_connection(int sock, const struct sock_address *sa, const char *name,
    struct pump *up, struct dgram_relay *rs, struct tls_conn *t)
{
	enum relay_end end;

	if (sa->kind == SOCK_KIND_UNIX_SEQPACKET) {
		uint64_t s0 = rs->sent, r0 = rs->received;
		end = relay_records(sock, sa->kind, false, rs, name,
		    opt_keep_open);
		report_counts(name, rs->sent - s0, rs->received - r0,
		    "records");
	} else {
		struct pump down;
		uint64_t s0 = up->bytes;
		pump_init(&down, sock, STDOUT_FILENO, true);
		end = relay_stream_or_err(sock, name, up, &down, opt_keep_open,
		    t);
		pump_free(&down);
		report_counts(name, up->bytes - s0, down.bytes, "bytes");
	}
	return end;
}

/*
 * Serve the -e connection CONN (named NAME) under -w or over TLS (T, the
 * handshake done; else NULL), in a listener's fork or in a client: run
 * the COMMAND on one end of a socket pair and relay between CONN and the
 * other end, so that a connection idle for -w is closed (and its COMMAND
 * ended) while the listener and other connections go on, and so that
 * the COMMAND, which cannot speak TLS, gets the plain bytes.  Exit with
 * the COMMAND's status, or 124 when the connection went idle.
 */
static void __attribute__((noreturn))
supervise_exec(int conn, int socktype, const char *name, struct tls_conn *t)
{
	static const struct timespec grace = { 1, 0 };
	struct relay_opts o = relay_opts();
	enum relay_end end;
	int status;

	o.tls = t;
	end = children_exec_relayed(&owned.kids, conn, socktype, exec_argv,
	    &o, &grace, &status);
	switch (end) {
	case RELAY_EOF:
		relay_linger_close(conn, &linger_bound, &o);
		exit(command_status(status));
	case RELAY_SIGNAL:
		cleanup_and_die(sigloop_stop);
	case RELAY_IDLE:
		close(conn);
		/* The idle end of the one connection ends the tool. */
		if (!opt_keep_open)
			idle_exit(name);
		if (opt_verbose)
			warnx("%s: idle for %s; closed", name, opt_idle);
		exit(EXIT_TIMEOUT);
	case RELAY_ERROR:
	default:
		/* With -k, one connection's failure is reported with -v,
		 * as the listener reports its own connections'. */
		if (opt_keep_open && !opt_verbose)
			exit(EXIT_FAIL);
		warn_socket(name, t);
		exit(EXIT_FAIL);
	}
}

/* In the child of a listener that serves CONN (named NAME) of SA: start
 * TLS if SA has it (the handshake here, so that a slow client holds one
 * -m slot, not the accept loop; bounded by -w), then supervise_exec(). */
static void __attribute__((noreturn))
serve_child(int conn, const struct sock_address *sa, const char *name)
{
	struct tls_conn t;
	int code;

	/* A listener's fork is not the server: its exit must not undo the
	 * server's state (the socket file, the other children and the
	 * connections they serve). */
	children_forget(&owned.kids);
	memset(&owned.path, 0, sizeof owned.path);
	if (!sa->tls)
		supervise_exec(conn, sa->socktype, name, NULL);
	fcntl(conn, F_SETFL, fcntl(conn, F_GETFL) | O_NONBLOCK);
	code = tls_start(&t, conn, name, opt_idle ? &idle_ts : NULL,
	    opt_keep_open);
	if (code != EXIT_OK)
		exit(code);
	supervise_exec(conn, sa->socktype, name, &t);
}

/* Set TCP_NODELAY on the accepted TCP connection CONN of SA with
 * --nodelay, and always with TLS (see conn_opts()). */
static void
set_nodelay(int conn, const struct sock_address *sa)
{
	if ((opt_nodelay || sa->tls) && sa->kind == SOCK_KIND_TCP)
		setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
		    sizeof(int));
}

/* Start the child that serves CONN (named NAME) of SA: the COMMAND on
 * the socket itself, the server holding CONN for its graceful close, or
 * with -w or TLS a process that relays and watches it.  Its pid, or -1. */
static pid_t
start_child(int conn, int lfd, const struct sock_address *sa,
    const char *name)
{
	bool relayed = opt_idle != NULL || sa->tls;
	pid_t pid = children_fork(&owned.kids, relayed ? -1 : conn);

	if (pid < 0) {
		warn("fork");
		close(conn);
		return -1;
	}
	if (pid == 0) {
		close(lfd);
		if (relayed)
			serve_child(conn, sa, name);
		children_exec(conn, exec_argv);
	}
	if (relayed)
		close(conn);
	return pid;
}

/* Wait for the child PID and the graceful close of its connection,
 * letting INT/TERM/HUP end it all; exit with the child's status. */
static void __attribute__((noreturn))
finish_children(pid_t pid)
{
	int code = EXIT_FAIL, r;

	for (;;) {
		if (sigloop_stop)
			cleanup_and_die(sigloop_stop);
		if ((r = reap_children(pid)) >= 0)
			code = r;
		if (owned.kids.n == 0)
			exit(code);
		if (children_poll(&owned.kids, NULL, 0, sigloop_mask()) < 0)
			err(EXIT_FAIL, "poll");
	}
}

/* Accept on LFD, running a child per connection (-e) up to -m at once;
 * with -k for ever, else once (exit with the child's status). */
static void __attribute__((noreturn))
accept_exec_loop(int lfd, const struct sock_address *sa)
{
	char name[SOCK_ADDRSTR_MAX];
	size_t starved = 0;	/* accept(2) lacked descriptors at this many */

	if (children_init(&owned.kids, max_conns, &linger_bound) < 0)
		err(EXIT_FAIL, "calloc");
	for (;;) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		bool take;
		int conn;
		pid_t pid;

		if (sigloop_child)
			reap_children(0);
		if (sigloop_stop)
			cleanup_and_die(sigloop_stop);
		/* At the cap, or out of descriptors until a slot frees,
		 * leave further clients in the backlog. */
		if (starved > owned.kids.n)
			starved = 0;
		take = !children_full(&owned.kids) && !starved;
		if (children_poll(&owned.kids, &pfd, take, sigloop_mask()) < 0)
			err(EXIT_FAIL, "poll");
		if (!take || !pfd.revents)
			continue;
		conn = accept_named(lfd, sa, SOCK_CLOEXEC, name, sizeof name);
		if (conn < 0 && accept_retry())
			continue;
		if (conn < 0 && (errno == EMFILE || errno == ENFILE)) {
			/* Try again once a connection of ours ends, or after
			 * 100 ms when none is open: never in a busy loop. */
			warn("%s: accept", addr_text);
			starved = owned.kids.n;
			if (!starved)
				wait_events(NULL, 0, 100);
			continue;
		}
		if (conn < 0)
			err(EXIT_FAIL, "%s: accept", addr_text);
		set_nodelay(conn, sa);
		pid = start_child(conn, lfd, sa, name);
		if (!opt_keep_open && pid > 0) {
			close(lfd);
			remove_owned_path();
			finish_children(pid);
		}
	}
}

/* Serve datagrams on the unconnected socket LFD until -w or a signal
 * ends it; never returns. */
static void __attribute__((noreturn))
serve_datagrams(int lfd, const struct sock_address *sa)
{
	struct dgram_relay rs;
	enum relay_end end;

	records_init(&rs);
	end = relay_records(lfd, sa->kind, true, &rs, addr_text, false);
	if (end == RELAY_SIGNAL)
		cleanup_and_die(sigloop_stop);
	report_counts(addr_text, rs.sent, rs.received, "records");
	/* An idle listener: 0 if anything came, as mqrecv -t. */
	if (rs.received == 0)
		idle_exit(addr_text);
	exit(EXIT_OK);
}

/* Serve the connection CONN (named NAME) of SA that a listener without
 * -e accepted: TLS first if SA has it, then the relay of UP or RS; close
 * CONN.  Return how it ended (RELAY_ERROR for a failed handshake under
 * -k; without -k that exits). */
static enum relay_end
serve_accepted(int conn, const struct sock_address *sa, const char *name,
    struct pump *up, struct dgram_relay *rs)
{
	struct tls_conn t, *tp = sa->tls ? &t : NULL;
	enum relay_end end = RELAY_ERROR;
	int code = EXIT_OK;

	set_nodelay(conn, sa);
	if (tp)
		code = tls_start(tp, conn, name, opt_idle ? &idle_ts : NULL,
		    opt_keep_open);
	if (code != EXIT_OK && !opt_keep_open)
		exit(code);
	if (code == EXIT_OK) {
		up->to = conn;
		end = serve_connection(conn, sa, name, up, rs, tp);
	}
	if (tp)
		tls_conn_free(tp);
	close(conn);
	return end;
}

/* Listen on SA and serve connections or datagrams; never returns. */
static void __attribute__((noreturn))
run_listener(const struct sock_address *sa)
{
	int lfd;
	char name[SOCK_ADDRSTR_MAX];
	struct pump up;
	struct dgram_relay rs;

	sigloop_arm();
	lfd = listen_on(sa);
	if (exec_argv)
		accept_exec_loop(lfd, sa);
	if (sa->socktype == SOCK_DGRAM)
		serve_datagrams(lfd, sa);
	if (sock_kind_is_records(sa->kind))
		records_init(&rs);
	pump_init(&up, STDIN_FILENO, -1, false);
	for (;;) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		enum relay_end end;
		int conn;

		if (sigloop_stop)
			cleanup_and_die(sigloop_stop);
		if (wait_events(&pfd, 1, -1) <= 0)
			continue;
		conn = accept_named(lfd, sa, SOCK_CLOEXEC | SOCK_NONBLOCK,
		    name, sizeof name);
		if (conn < 0 && accept_retry())
			continue;
		if (conn < 0)
			err(EXIT_FAIL, "%s: accept", addr_text);
		if (!opt_keep_open) {
			close(lfd);
			lfd = -1;
		}
		end = serve_accepted(conn, sa, name, &up, &rs);
		if (end == RELAY_SIGNAL)
			cleanup_and_die(sigloop_stop);
		if (end == RELAY_IDLE) {
			if (!opt_keep_open)
				idle_exit(name);
			if (opt_verbose)
				warnx("%s: idle for %s; closed", name,
				    opt_idle);
		}
		if (!opt_keep_open)
			break;
	}
	exit(EXIT_OK);
}

/* Connect to SA and relay (or run -e on the socket); never returns. */
static void __attribute__((noreturn))
run_client(const struct sock_address *sa)
{
	int fd = connect_to(sa, sa->port_lo, false);
	char name[SOCK_ADDRSTR_MAX];
	enum relay_end end;
	struct pump up;
	struct dgram_relay rs;
	struct tls_conn t;
	int code;

	if (fd < 0) {
		if (errno == ETIMEDOUT && opt_connect_timeout) {
			warnx("%s: connection timed out after %s", addr_text,
			    opt_connect_timeout);
			exit(EXIT_TIMEOUT);
		}
		err(EXIT_FAIL, "%s", addr_text);
	}
	if (sock_kind_is_unix(sa->kind))
		snprintf(name, sizeof name, "%s", addr_text);
	else
		sock_fd_address(fd, true, sa->kind, name, sizeof name);
	name_tls(sa, name, sizeof name);
	if (opt_verbose)
		warnx("connected to %s", name);
	if (sa->tls && (code = tls_start(&t, fd, name, opt_connect_timeout ?
	    &connect_ts : NULL, false)) != EXIT_OK)
		exit(code);
	if (exec_argv && (opt_idle || sa->tls)) {
		sigloop_arm();
		if (children_init(&owned.kids, 1, &linger_bound) < 0)
			err(EXIT_FAIL, "calloc");
		supervise_exec(fd, sa->socktype, name, sa->tls ? &t : NULL);
	}
	if (exec_argv) {
		int flags = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
		fcntl(fd, F_SETFD, 0);
		children_exec(fd, exec_argv);
	}
	if (sock_kind_is_records(sa->kind)) {
		records_init(&rs);
		end = relay_records(fd, sa->kind, false, &rs, name, false);
		report_counts(name, rs.sent, rs.received, "records");
		/* Datagrams have no end: an idle timeout after replies is
		 * the normal finish, as mqrecv -t. */
		if (end == RELAY_IDLE && (sa->kind == SOCK_KIND_UNIX_SEQPACKET ||
		    rs.received == 0))
			idle_exit(name);
		exit(EXIT_OK);
	}
	pump_init(&up, STDIN_FILENO, fd, false);
	{
		struct pump down;
		pump_init(&down, fd, STDOUT_FILENO, true);
		end = relay_stream_or_err(fd, name, &up, &down, false,
		    sa->tls ? &t : NULL);
		report_counts(name, up.bytes, down.bytes, "bytes");
	}
	if (end == RELAY_IDLE)
		idle_exit(name);
	exit(EXIT_OK);
}

/* -z on a tls: address: whether the connection FD completes a verified
 * handshake (one that fails is said, for a RANGE only with -v); then
 * send close_notify, as a client that is done. */
static bool
probe_tls(int fd, bool range)
{
	struct tls_conn t;
	short want;
	bool ok = tls_start(&t, fd, addr_text, opt_connect_timeout ?
	    &connect_ts : NULL, range) == EXIT_OK;

	if (ok)
		(void)tls_close_notify(&t, &want);
	tls_conn_free(&t);
	return ok;
}

/* -z: see whether SA accepts connections (a tls: address: and completes
 * a verified handshake); print the open ports of a range.  Exit 0 if any
 * port is open, else 1. */
static void __attribute__((noreturn))
run_probe(const struct sock_address *sa)
{
	bool range = sa->port_lo != sa->port_hi, any = false;

	for (unsigned port = sa->port_lo; port <= sa->port_hi; port++) {
		int fd = connect_to(sa, port, true);
		if (fd >= 0 && sa->tls && !probe_tls(fd, range)) {
			close(fd);
			continue;
		}
		if (fd >= 0) {
			close(fd);
			any = true;
			if (range) {
				printf("%u\n", port);
				fflush(stdout);
			}
			if (opt_verbose)
				warnx("%s: port %u open", addr_text, port);
		} else if (opt_verbose || !range) {
			if (range)
				warn("%s: port %u", addr_text, port);
			else
				warn("%s", addr_text);
		}
	}
	exit(any ? EXIT_OK : EXIT_FAIL);
}

/* Whether S is a number, as a port alone would be. */
static bool
is_port(const char *s)
{
	return s[0] && strspn(s, "0123456789") == strlen(s);
}

/* Parse the ADDRESS operand of ARGS into SA, or exit 2. */
static void
address_or_err(const char **args, struct sock_address *sa)
{
	const char *why;

	addr_text = args[0];
	if (!addr_text)
		usage_error("missing ADDRESS");
	if (args[1]) {
		const char *extra = args[1];
		/* The nc habit: "HOST PORT" as two operands. */
		if (is_port(extra))
			usage_error("extra operand '%s': the port goes in "
			    "ADDRESS, as %s:%s", extra, addr_text, extra);
		usage_error("extra operand '%s'", extra);
	}
	if (sock_address_parse(addr_text, sa, &why) == 0)
		return;
	/* The nc habit again: "nc -l 8000". */
	if (is_port(addr_text) && opt_listen)
		usage_error("%s: a port alone is not an address; listen on "
		    "tcp::%s (every local address)", addr_text, addr_text);
	if (is_port(addr_text))
		usage_error("%s: a port alone is not an address; connect to "
		    "localhost:%s", addr_text, addr_text);
	usage_error("%s: %s", addr_text, why);
}

/* Parse the values of -w, --connect-timeout, -m and --mode; exit 2 on a
 * bad one. */
static void
values_or_err(void)
{
	if (opt_idle)
		idle_ts = duration_or_err("-w", opt_idle);
	if (opt_connect_timeout)
		connect_ts = duration_or_err("--connect-timeout",
		    opt_connect_timeout);
	if (opt_max_conns)
		max_conns = number_or_err("-m", opt_max_conns, 1, 100000);
	if (opt_mode)
		sock_mode = mode_or_err("--mode", opt_mode) & 0777;
}

/* Exit 2 unless the options go together and with the address SA. */
static void
check_usage(const struct sock_address *sa)
{
	bool command = opt_exec || opt_sh_exec;

	if (opt_ipv4 && opt_ipv6)
		usage_error("-4 and -6 exclude each other");
	if ((opt_ipv4 && sa->family == AF_INET6) ||
	    (opt_ipv6 && sa->family == AF_INET))
		usage_error("%s: conflicts with -%c", addr_text,
		    opt_ipv4 ? '4' : '6');
	if (opt_listen && opt_probe)
		usage_error("-l and -z exclude each other");
	if (opt_exec && opt_sh_exec)
		usage_error("-e and --sh-exec exclude each other");
	if (command && sa->socktype == SOCK_DGRAM)
		usage_error("-e and --sh-exec need a stream or seqpacket "
		    "address, not %s", sock_kind_name(sa->kind));
	if (command && opt_probe)
		usage_error("-z does not run a COMMAND");
	if (opt_keep_open && !opt_listen)
		usage_error("-k needs -l");
	if (opt_max_conns && !command)
		usage_error("-m needs -e or --sh-exec");
}

/* Parse -s and check the ports of the address SA against what is asked;
 * exit 2 on a bad one. */
static void
check_target(const struct sock_address *sa)
{
	const char *why;

	if (opt_source && (opt_listen || sock_kind_is_unix(sa->kind)))
		usage_error("-s is for connecting over tcp or udp");
	if (opt_source && sock_source_parse(opt_source, sa->kind, &source,
	    &why) < 0)
		usage_error("-s %s: %s", opt_source, why);
	if (opt_probe && sa->socktype == SOCK_DGRAM)
		usage_error("-z probes stream and seqpacket addresses only");
	if (sa->port_lo != sa->port_hi && !opt_probe)
		usage_error("%s: a port range is for -z only", addr_text);
	if (!sock_kind_is_unix(sa->kind) && !opt_listen && sa->port_lo == 0)
		usage_error("%s: cannot connect to port 0", addr_text);
}

/* Exit 2 unless the TLS options go together and with the address SA. */
static void
check_tls(const struct sock_address *sa)
{
	bool any = opt_cafile || opt_capath || opt_cert || opt_key ||
	    opt_insecure || opt_servername || opt_require_cert ||
	    opt_ignore_eof || opt_tls_min;

	if (!sa->tls) {
		if (any)
			usage_error("%s: TLS options need a tls: address",
			    addr_text);
		return;
	}
	if (!opt_cert != !opt_key)
		usage_error("--cert and --key go together");
	if (opt_listen && !opt_cert)
		usage_error("-l %s needs --cert and --key", addr_text);
	if (opt_listen && (opt_insecure || opt_servername))
		usage_error("--insecure and --servername are for connecting");
	if (opt_servername && !opt_servername[0])
		usage_error("--servername: an empty name");
	if (opt_require_cert && (!opt_listen || !(opt_cafile || opt_capath)))
		usage_error("--require-client-cert needs -l and --cafile or "
		    "--capath");
	if (opt_insecure && (opt_cafile || opt_capath))
		usage_error("--insecure excludes --cafile and --capath");
	if (opt_tls_min && strcmp(opt_tls_min, "1.2") != 0 &&
	    strcmp(opt_tls_min, "1.3") != 0)
		usage_error("--tls-min: '%s': 1.2 or 1.3", opt_tls_min);
	if (!opt_listen && !opt_insecure && !opt_servername && !sa->host[0])
		usage_error("%s: no host name to verify: give --servername "
		    "(or --insecure)", addr_text);
}

/* Make the TLS context of the command line for SA (the name a client
 * verifies: --servername, else HOST); exit 1 naming a file at fault. */
static void
tls_setup_or_err(const struct sock_address *sa)
{
	struct tls_opts o = {
		.server = opt_listen,
		.cafile = opt_cafile,
		.capath = opt_capath,
		.cert = opt_cert,
		.key = opt_key,
		.insecure = opt_insecure,
		.verify_client = opt_listen && (opt_cafile || opt_capath),
		.require_client = opt_require_cert,
		.ignore_unexpected_eof = opt_ignore_eof,
		.min_version = opt_tls_min && strcmp(opt_tls_min, "1.3") == 0 ?
		    TLS1_3_VERSION : TLS1_2_VERSION,
	};
	char why[TLS_WHY_MAX + PATH_MAX];

	if (!sa->tls)
		return;
	if (!opt_listen)
		tls_peer_name = opt_servername ? opt_servername :
		    sa->host[0] ? sa->host : NULL;
	if (tls_ctx_init(&tls_ctx, &o, why, sizeof why) < 0)
		errx(EXIT_FAIL, "%s", why);
}

/* Split -e's COMMAND into exec_argv, or make it --sh-exec's sh -c. */
static void
command_or_err(void)
{
	static char *sh_argv[4] = { "/bin/sh", "-c", NULL, NULL };

	if (opt_exec && !(exec_argv = children_split_command(opt_exec))) {
		if (errno == EINVAL)
			usage_error("-e: empty COMMAND");
		err(EXIT_FAIL, "malloc");
	}
	if (opt_sh_exec) {
		sh_argv[2] = opt_sh_exec;
		exec_argv = sh_argv;
	}
}

int
main(int argc, char **argv)
{
	struct sock_address sa;
	unsigned closed;

	atexit(close_stdout);
	sigloop_init();
	closed = reserve_std_fds();
	address_or_err(cmdline_parse_or_err(argc, (const char **)argv, options,
	    &help), &sa);
	values_or_err();
	check_usage(&sa);
	check_target(&sa);
	check_tls(&sa);
	command_or_err();
	require_std_fds(closed, sa.port_lo != sa.port_hi);
	tls_setup_or_err(&sa);
	atexit(cleanup);
	/* EPIPE from writes, not death: stdout's EPIPE re-raises it. */
	signal(SIGPIPE, SIG_IGN);

	if (opt_probe)
		run_probe(&sa);
	if (opt_listen)
		run_listener(&sa);
	run_client(&sa);
}
