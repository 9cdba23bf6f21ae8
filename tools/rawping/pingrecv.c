/* SPDX-License-Identifier: MIT */
/*
 * pingrecv: take apart what rawping's sockets receive and settle the
 * probes it answers, as pingrecv.h describes.
 */
#include "config.h"

#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "icmp.h"
#include "pingstate.h"
#include "pingout.h"
#include "pingrecv.h"
#include "pingsock.h"

#define BATCH 16			/* messages per recvmmsg(2) */
#define CTLLEN 256

static struct host *hosts;		/* as given to recv_init() */
static size_t nhosts;
static size_t datalen;			/* payload bytes sent */
static bool flood;			/* -i 0 */
static bool quiet;			/* -q: nothing to print per reply */

/* Receive buffers, allocated once. */
static uint8_t *rxbuf;
static size_t rxbufsize;
static struct mmsghdr rxmsg[BATCH];
static struct iovec rxiov[BATCH];
static struct sockaddr_storage rxfrom[BATCH];
static union {
	struct cmsghdr align;
	uint8_t buf[CTLLEN];
} rxctl[BATCH];

void
recv_init(struct host *all, size_t n, size_t len, bool is_flood,
    bool is_quiet)
{
	size_t need;

	hosts = all;
	nhosts = n;
	datalen = len;
	flood = is_flood;
	quiet = is_quiet;
	need = ICMP_HDR_LEN + datalen + 60 + 64;
	rxbufsize = need < 2048 ? 2048 : need;
	rxbuf = malloc(rxbufsize * BATCH);
	if (!rxbuf)
		err(EXIT_USAGE, "allocating receive buffers");
	for (int i = 0; i < BATCH; i++) {
		rxiov[i] = (struct iovec){ rxbuf + rxbufsize * (size_t)i,
		    rxbufsize };
		rxmsg[i].msg_hdr = (struct msghdr){ .msg_name = &rxfrom[i],
		    .msg_iov = &rxiov[i], .msg_iovlen = 1,
		    .msg_control = rxctl[i].buf };
	}
}

/* Find the slot of H's probe with 16-bit sequence SEQ, or NULL. */
static struct slot *
find_slot(struct host *h, uint16_t seq)
{
	uint64_t last, k;
	struct slot *s;

	if (h->st.ntx == 0)
		return NULL;
	last = h->st.ntx - 1;
	k = last - ((last - ((uint64_t)seq - 1)) & 0xffff);
	if (k > last || last - k >= RING)
		return NULL;
	s = &h->ring[k % RING];
	return s->k == k && s->state != SLOT_EMPTY ? s : NULL;
}

/* Whether SA carries the same address as host H. */
static bool
same_addr(const struct host *h, const struct sockaddr_storage *sa)
{
	if (sa->ss_family != h->addr.ss_family)
		return false;
	if (h->v6)
		return memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
		    &((const struct sockaddr_in6 *)&h->addr)->sin6_addr,
		    16) == 0;
	return ((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
	    ((const struct sockaddr_in *)&h->addr)->sin_addr.s_addr;
}

/* Whether the quoted destination of error M is host H's address. */
static bool
error_for(const struct host *h, const struct icmp_msg *m)
{
	if (!m->have_dst)
		return false;
	if (h->v6)
		return memcmp(m->dst,
		    &((const struct sockaddr_in6 *)&h->addr)->sin6_addr,
		    16) == 0;
	return memcmp(m->dst,
	    &((const struct sockaddr_in *)&h->addr)->sin_addr, 4) == 0;
}

/* Settle the probe of slot S of host H as answered or failed. */
static void
settle(struct host *h, struct slot *s, enum slot_state state)
{
	s->state = (uint8_t)state;
	if (s->k == h->st.ntx - 1 && flood)
		h->next_send = 0;	/* flood: the next probe may go now */
}

/* Handle echo reply M for host H, received at RX (realtime ns). */
static void
handle_reply(struct host *h, const struct icmp_msg *m, int64_t rx, int ttl_in,
    const struct sockaddr_storage *from, socklen_t fromlen, bool trunc)
{
	char fbuf[NI_MAXHOST];
	struct slot *s = find_slot(h, m->seq);
	struct out_reply r = { .seq = m->seq, .from = h->id.addr,
	    .bytes = m->icmp_len, .ttl = ttl_in, .rx = rx,
	    .cksum_bad = m->cksum_bad };
	size_t n;

	if (!s || s->state == SLOT_DONE)
		return;		/* not ours any more: lost, or very old */
	r.dup = s->state == SLOT_ANSWERED;
	r.rtt = rx - (s->tx_kern ? s->tx_kern : s->tx_real);
	if (r.rtt < 0)
		r.rtt = 0;	/* the wall clock stepped back */
	if (r.dup) {
		h->st.ndup++;
	} else {
		h->st.nrx++;
		if (m->cksum_bad)
			h->st.ncksum++;
		if (h->st.nrx == 1 || r.rtt < h->st.rtt_min)
			h->st.rtt_min = r.rtt;
		if (r.rtt > h->st.rtt_max)
			h->st.rtt_max = r.rtt;
		h->st.rtt_sum += (double)r.rtt;
		h->st.rtt_sum2 += (double)r.rtt * (double)r.rtt;
		settle(h, s, SLOT_ANSWERED);
	}
	if (quiet)
		return;		/* a flood -q need not look at the bytes */
	n = m->payload_len < datalen ? m->payload_len : datalen;
	r.bad = icmp_payload_check(m->payload, n);
	if (r.bad >= 0)
		r.bad_byte = m->payload[r.bad];
	r.truncated = trunc || m->payload_len < datalen;
	r.other = !same_addr(h, from);
	if (r.other)
		r.from = numeric_addr((const struct sockaddr *)from, fromlen,
		    fbuf);
	output_reply(&h->id, &r);
}

/* Handle ICMP error M about probe SEQ of H, sent back by FROM. */
static void
handle_error(struct host *h, const struct icmp_msg *m, const char *from)
{
	struct slot *s = find_slot(h, m->seq);
	char text[128];

	/* A redirect or source quench is advice: the probe went on. */
	bool advisory = !h->v6 && (m->type == ICMP_REDIRECT ||
	    m->type == ICMP_SOURCE_QUENCH);

	if (!s)
		return;
	if (s->state == SLOT_PENDING && !advisory) {
		h->st.nerr++;
		settle(h, s, SLOT_DONE);
	}
	output_error(&h->id, m->seq, from, m->type, m->code,
	    icmp_error_text(m, h->v6, text, sizeof text));
}

/* The host of raw socket SK whose echo identifier is ID, or NULL. */
static struct host *
host_by_ident(const struct sock *sk, uint16_t id)
{
	for (size_t i = 0; i < nhosts; i++)
		if (hosts[i].sock == sk && hosts[i].ident == id)
			return &hosts[i];
	return NULL;
}

/* Take apart one received message I of socket SK. */
static void
handle_message(struct sock *sk, int i, size_t len)
{
	struct msghdr *mh = &rxmsg[i].msg_hdr;
	int64_t rx = -1;
	int ttl_in = -1;
	struct icmp_msg m;
	struct host *h;
	char from[NI_MAXHOST];

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof ts);
			rx = (int64_t)ts.tv_sec * NS + ts.tv_nsec;
		} else if ((c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_TTL) || (c->cmsg_level ==
		    IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
			memcpy(&ttl_in, CMSG_DATA(c), sizeof ttl_in);
		}
	}
	if (rx < 0)
		rx = now_ns(CLOCK_REALTIME);
	if (sk->v6)
		icmp6_parse(mh->msg_iov->iov_base, len, &m);
	else
		icmp4_parse(mh->msg_iov->iov_base, len, !sk->dgram, &m);
	if (m.ttl >= 0)
		ttl_in = m.ttl;
	if (m.kind == ICMPK_IGNORE)
		return;
	h = sk->dgram ? sk->owner : host_by_ident(sk, m.id);
	if (!h)
		return;
	if (m.kind == ICMPK_REPLY) {
		handle_reply(h, &m, rx, ttl_in, &rxfrom[i], mh->msg_namelen,
		    (rxmsg[i].msg_hdr.msg_flags & MSG_TRUNC) != 0);
	} else if (error_for(h, &m)) {
		handle_error(h, &m, numeric_addr((struct sockaddr *)&rxfrom[i],
		    mh->msg_namelen, from));
	}
}

/*
 * Give the probe that transmit key KEY of socket SK stands for the
 * kernel's send time T, if T is plausible for it (a key counted out of
 * step with the probes would give a time before the send or long after).
 */
static void
tx_stamp(struct sock *sk, uint32_t key, int64_t t)
{
	struct txref *r = &sk->txmap[key % RING];
	struct slot *s;

	if (!r->h)
		return;
	s = &r->h->ring[r->k % RING];
	if (s->k == r->k && s->state != SLOT_EMPTY && t >= s->tx_real &&
	    t - s->tx_real < FLOOD_WAIT_NS)
		s->tx_kern = t;
}

/*
 * The error queue of SK: transmit timestamps, and on datagram sockets the
 * ICMP errors about our probes and local errors.
 */
void
recv_errqueue(struct sock *sk, int max)
{
	struct host *h = sk->owner;
	uint8_t data[576];
	union {
		struct cmsghdr align;
		uint8_t buf[CTLLEN];
	} ctl;
	struct sockaddr_storage from;
	struct iovec iov = { data, sizeof data };
	struct msghdr mh;
	char fromstr[NI_MAXHOST];

	for (int done = 0; max == 0 || done < max; done++) {
		struct sock_extended_err *ee = NULL;
		struct scm_timestamping *tss = NULL;
		struct icmp_msg m;
		ssize_t n;

		memset(&mh, 0, sizeof mh);
		mh.msg_name = &from;
		mh.msg_namelen = sizeof from;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof ctl.buf;
		n = recvmsg(sk->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
		    c = CMSG_NXTHDR(&mh, c)) {
			if ((c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == IPPROTO_IPV6 &&
			    c->cmsg_type == IPV6_RECVERR))
				ee = (struct sock_extended_err *)CMSG_DATA(c);
			else if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_TIMESTAMPING)
				tss = (struct scm_timestamping *)CMSG_DATA(c);
		}
		if (!ee)
			continue;
		if (ee->ee_origin == SO_EE_ORIGIN_TIMESTAMPING) {
			if (tss && sk->txmap)
				tx_stamp(sk, ee->ee_data, ts_ns(tss->ts[0]));
			continue;
		}
		memset(&m, 0, sizeof m);
		if (!h || icmp_quoted_echo(data, (size_t)n, sk->v6, &m.id,
		    &m.seq) < 0)
			continue;
		if (ee->ee_origin == SO_EE_ORIGIN_ICMP ||
		    ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
			struct sockaddr *off = SO_EE_OFFENDER(ee);
			m.type = ee->ee_type;
			m.code = ee->ee_code;
			m.info = ee->ee_info;
			numeric_addr(off, sk->v6 ? sizeof(struct sockaddr_in6) :
			    sizeof(struct sockaddr_in), fromstr);
			handle_error(h, &m, fromstr);
		} else {
			struct slot *s = find_slot(h, m.seq);
			if (s && s->state == SLOT_PENDING) {
				h->st.nerr++;
				settle(h, s, SLOT_DONE);
			}
			output_error(&h->id, m.seq, NULL, -1, 0,
			    strerror((int)ee->ee_errno));
		}
	}
}

int
recv_drain(struct sock *sk)
{
	/* A flood has one probe per host in flight: asking the kernel for
	 * more would cost a second, empty look at the queue per reply. */
	int vlen = flood && sk->nhosts < BATCH ? sk->nhosts : BATCH;
	int n;

	if (vlen < 1)
		vlen = 1;
	for (int i = 0; i < vlen; i++) {
		rxmsg[i].msg_hdr.msg_namelen = sizeof rxfrom[i];
		rxmsg[i].msg_hdr.msg_controllen = CTLLEN;
		rxmsg[i].msg_hdr.msg_flags = 0;
	}
	do {
		if (vlen == 1) {
			/* recvmsg(2) is the cheaper call for one message. */
			ssize_t len = recvmsg(sk->fd, &rxmsg[0].msg_hdr,
			    MSG_DONTWAIT);
			n = len < 0 ? -1 : 1;
			if (len >= 0)
				rxmsg[0].msg_len = (unsigned)len;
		} else {
			n = recvmmsg(sk->fd, rxmsg, (unsigned)vlen,
			    MSG_DONTWAIT, NULL);
		}
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (!sk->dgram)
			err(EXIT_USAGE, "receive");
		/* A pending ICMP error on a datagram socket: details queued. */
		recv_errqueue(sk, 0);
		return 1;
	}
	for (int i = 0; i < n; i++)
		handle_message(sk, i, rxmsg[i].msg_len);
	return n;
}
