/* SPDX-License-Identifier: MIT */
/*
 * tls: TLS over a non-blocking stream socket for a poll(2)-driven relay;
 * see tls.h for the rules.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls.h"

/* OpenSSL's reasons that say little to a user, said better. */
static const struct {
	int lib, reason;
	const char *text;
} clearer[] = {
	{ ERR_LIB_SSL, SSL_R_WRONG_VERSION_NUMBER,
	  "wrong version number: the peer does not speak TLS?" },
	{ ERR_LIB_SSL, SSL_R_HTTP_REQUEST,
	  "the peer sent a plain HTTP request, not TLS" },
	{ ERR_LIB_SSL, SSL_R_PACKET_LENGTH_TOO_LONG,
	  "packet length too long: the peer does not speak TLS?" },
	{ ERR_LIB_SSL, SSL_R_UNSUPPORTED_PROTOCOL,
	  "the peer offers no protocol we take (TLS 1.2 or later)" },
	{ ERR_LIB_X509, X509_R_KEY_VALUES_MISMATCH,
	  "does not match the certificate" },
	{ ERR_LIB_PEM, PEM_R_NO_START_LINE, "not in PEM format (no start line)" },
	{ ERR_LIB_OSSL_DECODER, ERR_R_UNSUPPORTED,
	  "not a private key in PEM format" },
};

/*
 * Put the oldest error of OpenSSL's queue into WHY (SIZE bytes) after
 * PREFIX ("" for none) and empty the queue.  A system error (a file that
 * cannot be opened) is said as strerror(3) says it.
 */
static void
ossl_why(char *why, size_t size, const char *prefix)
{
	unsigned long e = ERR_get_error();
	const char *reason = NULL;

	for (size_t i = 0; e && i < sizeof clearer / sizeof clearer[0]; i++)
		if (ERR_GET_LIB(e) == clearer[i].lib &&
		    ERR_GET_REASON(e) == clearer[i].reason)
			reason = clearer[i].text;
	if (!reason && e && ERR_GET_LIB(e) == ERR_LIB_SYS)
		reason = strerror(ERR_GET_REASON(e));
	else if (!reason && e)
		reason = ERR_reason_error_string(e);
	if (!reason)
		reason = "TLS library error";
	snprintf(why, size, "%s%s%s", prefix, *prefix ? ": " : "", reason);
	ERR_clear_error();
}

/* ossl_why() with the prefix "OPTION FILE". */
static void
file_why(char *why, size_t size, const char *option, const char *file)
{
	char prefix[PATH_MAX + 16];

	snprintf(prefix, sizeof prefix, "%s %s", option, file);
	ossl_why(why, size, prefix);
}

/* Write NAME into BUF (SIZE bytes) as RFC 2253 has it ("CN=localhost");
 * return BUF. */
static const char *
name_text(const X509_NAME *name, char *buf, size_t size)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *s;
	long n;

	buf[0] = '\0';
	if (!mem)
		return buf;
	X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253);
	n = BIO_get_mem_data(mem, &s);
	snprintf(buf, size, "%.*s", (int)n, s);
	BIO_free(mem);
	return buf;
}

/* Load the CAs to trust (O's file or directory, else the system's) into
 * CTX; 0, or -1 with WHY. */
static int
load_trust(SSL_CTX *ctx, const struct tls_opts *o, char *why, size_t size)
{
	if (o->cafile && !SSL_CTX_load_verify_file(ctx, o->cafile)) {
		file_why(why, size, "--cafile", o->cafile);
		return -1;
	}
	if (o->capath && !SSL_CTX_load_verify_dir(ctx, o->capath)) {
		file_why(why, size, "--capath", o->capath);
		return -1;
	}
	if (!o->cafile && !o->capath && !SSL_CTX_set_default_verify_paths(ctx)) {
		ossl_why(why, size, "the system's trusted certificates");
		return -1;
	}
	/* A server names the CAs it takes, so a client can pick its
	 * certificate. */
	if (o->server && o->cafile) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(o->cafile);
		if (names)
			SSL_CTX_set_client_CA_list(ctx, names);
	}
	return 0;
}

/* Load our certificate chain and key into CTX; 0, or -1 with WHY. */
static int
load_identity(SSL_CTX *ctx, const struct tls_opts *o, char *why,
    size_t size)
{
	const char *key = o->key ? o->key : o->cert;

	if (!SSL_CTX_use_certificate_chain_file(ctx, o->cert)) {
		file_why(why, size, "--cert", o->cert);
		return -1;
	}
	/* A key that does not match the certificate fails here too. */
	if (!SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM)) {
		file_why(why, size, "--key", key);
		return -1;
	}
	return 0;
}

/* Set the protocol floor of CTX; 0, or -1 with WHY.  Ciphers are
 * OpenSSL's defaults (its configuration file, OPENSSL_CONF, may change
 * them). */
static int
set_protocol(SSL_CTX *ctx, const struct tls_opts *o, char *why,
    size_t size)
{
	int min = o->min_version ? o->min_version : TLS1_2_VERSION;

	if (!SSL_CTX_set_min_proto_version(ctx, min)) {
		ossl_why(why, size, "--tls-min");
		return -1;
	}
	return 0;
}

/*
 * OpenSSL's verification callback: let its verdict PREVERIFY_OK stand, and
 * keep the first failure in words, with the certificate it concerns, in
 * the connection's why (the peer's certificate is not kept after a failed
 * handshake, so this is the one place to see it).
 */
static int
note_verify_failure(int preverify_ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn *c = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(store);
	char subject[128] = "?";

	if (preverify_ok || !c || c->why[0])
		return preverify_ok;
	if (cert)
		name_text(X509_get_subject_name(cert), subject, sizeof subject);
	snprintf(c->why, sizeof c->why,
	    "certificate verification failed: %s (depth %d, subject %s)",
	    X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)),
	    X509_STORE_CTX_get_error_depth(store), subject);
	return preverify_ok;
}

int
tls_ctx_init(struct tls_ctx *t, const struct tls_opts *o, char *why,
    size_t size)
{
	SSL_CTX *ctx;
	int mode = SSL_VERIFY_NONE;

	memset(t, 0, sizeof *t);
	ctx = SSL_CTX_new(o->server ? TLS_server_method() :
	    TLS_client_method());
	if (!ctx) {
		ossl_why(why, size, "");
		return -1;
	}
	/* Refusing renegotiation means a write never waits for a read once
	 * the handshake is over (TLS 1.2; TLS 1.3 has none). */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    (o->ignore_unexpected_eof ? SSL_OP_IGNORE_UNEXPECTED_EOF : 0));
	/* SSL_write() as send(2): partial writes, and a retry may pass the
	 * rest of a buffer at another address. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* Read what the socket has in one read(2), not 5 bytes then the
	 * record; tls_pending() then tells of the records read ahead. */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_default_read_buffer_len(ctx, 64 * 1024);
	if (set_protocol(ctx, o, why, size) < 0)
		goto fail;
	if (o->server && !o->cert) {
		snprintf(why, size, "a server needs --cert and --key");
		goto fail;
	}
	if (o->cert && load_identity(ctx, o, why, size) < 0)
		goto fail;
	t->verify = o->server ? o->verify_client || o->require_client :
	    !o->insecure;
	if (t->verify && load_trust(ctx, o, why, size) < 0)
		goto fail;
	if (t->verify)
		mode = SSL_VERIFY_PEER | (o->require_client ?
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
	SSL_CTX_set_verify(ctx, mode, note_verify_failure);
	t->ctx = ctx;
	t->server = o->server;
	return 0;
fail:
	SSL_CTX_free(ctx);
	return -1;
}

void
tls_ctx_free(struct tls_ctx *t)
{
	SSL_CTX_free(t->ctx);
	t->ctx = NULL;
}

/* Whether NAME is an IPv4 or IPv6 address literal (no brackets). */
static bool
is_ip_literal(const char *name)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, name, buf) == 1 ||
	    inet_pton(AF_INET6, name, buf) == 1;
}

/* Make C's client verify the server as NAME and send it as SNI (not an
 * IP literal: RFC 6066 forbids it); 0, or -1. */
static int
set_peer_name(struct tls_conn *c, const char *name)
{
	X509_VERIFY_PARAM *param = SSL_get0_param(c->ssl);

	if (is_ip_literal(name))
		return X509_VERIFY_PARAM_set1_ip_asc(param, name) ? 0 : -1;
	if (!SSL_set_tlsext_host_name(c->ssl, name))
		return -1;
	X509_VERIFY_PARAM_set_hostflags(param,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	return SSL_set1_host(c->ssl, name) ? 0 : -1;
}

int
tls_conn_init(struct tls_conn *c, const struct tls_ctx *t, int fd,
    const char *name)
{
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->verify = t->verify;
	c->ssl = SSL_new(t->ctx);
	if (!c->ssl) {
		errno = ENOMEM;
		return -1;
	}
	SSL_set_app_data(c->ssl, c);
	if (!SSL_set_fd(c->ssl, fd) ||
	    (!t->server && name && set_peer_name(c, name) < 0)) {
		ossl_why(c->why, sizeof c->why, name ? name : "");
		SSL_free(c->ssl);
		c->ssl = NULL;
		errno = EPROTO;
		return -1;
	}
	if (t->server)
		SSL_set_accept_state(c->ssl);
	else
		SSL_set_connect_state(c->ssl);
	return 0;
}

void
tls_conn_free(struct tls_conn *c)
{
	SSL_free(c->ssl);
	c->ssl = NULL;
}

/* Say in C's why what failed inside OpenSSL (SSL_ERROR_SSL). */
static void
describe_failure(struct tls_conn *c)
{
	unsigned long e = ERR_peek_error();
	long v = c->verify ? SSL_get_verify_result(c->ssl) : X509_V_OK;

	if (!c->handshaken && v != X509_V_OK) {
		/* note_verify_failure() has said it, with the certificate. */
		if (!c->why[0])
			snprintf(c->why, sizeof c->why,
			    "certificate verification failed: %s",
			    X509_verify_cert_error_string(v));
		ERR_clear_error();
		return;
	}
	if (ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		snprintf(c->why, sizeof c->why, c->handshaken ?
		    "the peer closed without close_notify: the data may be "
		    "truncated" : "the peer closed during the TLS handshake");
		ERR_clear_error();
		return;
	}
	ossl_why(c->why, sizeof c->why, c->handshaken ? "TLS" :
	    "TLS handshake");
}

/*
 * Map the failed OpenSSL call's result R to our convention: 0 for the
 * peer's close_notify, else -1 with errno (EAGAIN and *WANT, EPROTO and
 * c->why, or the socket's errno).
 */
static int
map_error(struct tls_conn *c, int r, short *want)
{
	int e = errno;

	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		*want = POLLIN;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		*want = POLLOUT;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		c->got_close = true;
		return 0;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		if (e == 0 || e == EAGAIN) {
			snprintf(c->why, sizeof c->why, "TLS: lost the socket");
			e = EPROTO;
		}
		errno = e;
		return -1;
	default:
		describe_failure(c);
		errno = EPROTO;
		return -1;
	}
}

int
tls_handshake(struct tls_conn *c, short *want)
{
	int r;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		c->handshaken = true;
		return 0;
	}
	if (map_error(c, r, want) == 0) {
		/* close_notify before the handshake ended. */
		snprintf(c->why, sizeof c->why,
		    "the peer closed during the TLS handshake");
		errno = EPROTO;
	}
	return -1;
}

ssize_t
tls_read(struct tls_conn *c, void *buf, size_t n, short *want)
{
	int r;

	if (c->got_close)
		return 0;
	c->read_blocked = false;
	ERR_clear_error();
	errno = 0;
	r = SSL_read(c->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
	if (r > 0)
		return r;
	r = map_error(c, r, want);
	/* What is buffered is part of a record: wait for the socket. */
	c->read_blocked = r < 0 && errno == EAGAIN;
	return r;
}

ssize_t
tls_write(struct tls_conn *c, const void *buf, size_t n, short *want)
{
	int r;

	ERR_clear_error();
	errno = 0;
	r = SSL_write(c->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
	if (r > 0)
		return r;
	if (map_error(c, r, want) == 0) {
		/* SSL_write() has no end of file: the connection is gone. */
		errno = EPIPE;
	}
	return -1;
}

bool
tls_pending(const struct tls_conn *c)
{
	return !c->got_close && !c->read_blocked && SSL_has_pending(c->ssl);
}

int
tls_close_notify(struct tls_conn *c, short *want)
{
	int r;

	if (c->sent_close)
		return 0;
	ERR_clear_error();
	errno = 0;
	r = SSL_shutdown(c->ssl);
	if (r >= 0) {
		c->sent_close = true;
		return 0;
	}
	if (map_error(c, r, want) == 0)
		errno = EPIPE;
	return -1;
}

const char *
tls_summary(const struct tls_conn *c, char *buf, size_t size)
{
	const char *state = !c->verify ? "not verified" :
	    SSL_get_verify_result(c->ssl) == X509_V_OK ? "verified" :
	    "verification failed";
	X509 *peer = SSL_get0_peer_certificate(c->ssl);
	char subject[256];

	if (peer && *name_text(X509_get_subject_name(peer), subject,
	    sizeof subject))
		snprintf(buf, size, "%s, %s, peer %s (%s)",
		    SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl),
		    subject, state);
	else
		snprintf(buf, size, "%s, %s, no peer certificate",
		    SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl));
	return buf;
}
