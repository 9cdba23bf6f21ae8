/* SPDX-License-Identifier: MIT */
/*
 * tls: TLS over a connected non-blocking stream socket, through OpenSSL,
 * for sockcat's poll(2)-driven relay (relay.h: a pump whose socket end
 * speaks TLS reads and writes through this module).  Only sockcat links
 * OpenSSL.
 *
 * A context (struct tls_ctx) holds what the command line asked for: the
 * trust store (the system's by default; a CA file or directory instead),
 * our certificate and key, whether the peer is verified.  A client
 * verifies the server by default, against HOST (or the name given
 * instead): SNI is sent for a name, never for an IP literal, and the
 * certificate must match it.  A server may ask for a client certificate
 * and may require one.  The protocol is TLS 1.2 or later; renegotiation
 * is refused, so that a write never waits for a read (TLS 1.2) except
 * during the handshake.
 *
 * A connection (struct tls_conn) is driven by the caller's poll(2): each
 * call that cannot go on without blocking fails with errno EAGAIN and sets
 * *WANT to POLLIN or POLLOUT, the event to wait for on the socket before
 * calling again.  Records already decrypted are not seen by poll(2):
 * tls_pending() says when tls_read() can go on without waiting.
 *
 * Errors: -1 with errno.  A socket error keeps its errno (ECONNRESET,
 * EPIPE); a TLS failure is EPROTO, and c->why says what in words fit to
 * follow "ADDRESS: " (the verification result: "certificate has expired",
 * "hostname mismatch", "unable to get local issuer certificate"; an alert
 * from the peer; "the peer closed without close_notify").
 *
 * The end of a connection, as sockcat(1)'s EOF table has it:
 *   - tls_close_notify() sends close_notify and nothing else: one way, so
 *     that the peer can still answer (TLS 1.3 half-close; a TLS 1.2 peer
 *     may close at once instead); the caller then shuts down the socket's
 *     sending side and goes on reading.
 *   - tls_read() returns 0 at the peer's close_notify.  A plain end of
 *     the TCP stream without it (a truncation) is an error, EPROTO, unless
 *     the context was made with ignore_unexpected_eof.
 */
#ifndef IPCU_TLS_H
#define IPCU_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#define TLS_WHY_MAX	256	/* room for a message */

/* What a context is made of (the command line's options). */
struct tls_opts {
	bool server;		/* -l: accept, present CERT */
	const char *cafile;	/* trust these CAs instead of the system's */
	const char *capath;	/* ... or this hashed directory */
	const char *cert;	/* our certificate (chain), PEM; a server's must */
	const char *key;	/* its private key, PEM (NULL: in CERT) */
	bool insecure;		/* client: do not verify the server */
	bool verify_client;	/* server: ask for a client certificate */
	bool require_client;	/* server: and refuse a client without one */
	bool ignore_unexpected_eof;	/* a TCP end without close_notify is
					 * the end, not an error */
	int min_version;	/* TLS1_2_VERSION (0) or TLS1_3_VERSION */
};

struct tls_ctx {
	SSL_CTX *ctx;
	bool server, verify;
};

struct tls_conn {
	SSL *ssl;
	int fd;
	bool verify;		/* the peer's certificate is checked */
	bool handshaken;	/* the handshake is over */
	bool sent_close;	/* close_notify has gone out */
	bool got_close;		/* the peer's close_notify (or an allowed
				 * unexpected end) came */
	bool read_blocked;	/* the last read waits for the socket */
	char why[TLS_WHY_MAX];	/* the last failure, in words */
};

/*
 * Make T from O.  Return 0, or -1 with WHY (SIZE bytes) saying what went
 * wrong, naming the file at fault ("--cert server.pem: No such file or
 * directory", "--key k.pem: does not match the certificate").
 */
int tls_ctx_init(struct tls_ctx *t, const struct tls_opts *o, char *why,
    size_t size);

/* Free T's context. */
void tls_ctx_free(struct tls_ctx *t);

/*
 * Start a connection of T on the connected non-blocking socket FD.  A
 * client passes NAME, the host to verify and send as SNI (an IP literal is
 * verified as an address and sends no SNI; NULL only with insecure).
 * C must stay at its address until tls_conn_free(): the verification
 * callback finds it through the SSL.  Return 0, or -1 with errno ENOMEM
 * or EPROTO (c->why).
 */
int tls_conn_init(struct tls_conn *c, const struct tls_ctx *t, int fd,
    const char *name);

/* Free C's state; the socket is the caller's to close. */
void tls_conn_free(struct tls_conn *c);

/*
 * Go on with the handshake.  Return 0 when it is done, or -1 with errno:
 * EAGAIN (poll the socket for *WANT and call again), EPROTO (c->why: a
 * verification failure names the reason) or a socket error.
 */
int tls_handshake(struct tls_conn *c, short *want);

/*
 * Read up to N bytes into BUF.  Return the bytes read, 0 at the peer's
 * close_notify, or -1 with errno: EAGAIN (*WANT set), EPROTO (c->why; a
 * truncation among them), a socket error.
 */
ssize_t tls_read(struct tls_conn *c, void *buf, size_t n, short *want);

/*
 * Write up to N bytes of BUF (partial writes as send(2); a retry after
 * EAGAIN may pass the same bytes at another address).  Return the bytes
 * written, or -1 with errno: EAGAIN (*WANT set), EPIPE, ECONNRESET, EPROTO.
 */
ssize_t tls_write(struct tls_conn *c, const void *buf, size_t n, short *want);

/* Whether tls_read() has bytes (or an end) to give without waiting for
 * the socket. */
bool tls_pending(const struct tls_conn *c);

/*
 * Send close_notify, once; do not wait for the peer's.  Return 0 when it
 * has gone out, or -1 with errno EAGAIN (*WANT set) or another error.
 */
int tls_close_notify(struct tls_conn *c, short *want);

/*
 * Write the -v summary of C into BUF (SIZE bytes): the protocol, the
 * cipher and the peer certificate's subject, as "TLSv1.3,
 * TLS_AES_128_GCM_SHA256, peer CN=localhost (verified)".  Return BUF.
 */
const char *tls_summary(const struct tls_conn *c, char *buf, size_t size);

#endif
