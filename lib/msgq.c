/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "diag.h"
#include "msgq.h"
#include "parse.h"

#define MQ_SYSCTL "/proc/sys/fs/mqueue/"
#define SYSV_SYSCTL "/proc/sys/kernel/"

/* System V's compiled-in defaults, used when /proc/sys cannot be read. */
#define SYSV_MSGMAX_DEFAULT 8192
#define SYSV_MSGMNB_DEFAULT 16384

long
msgq_sysctl(const char *path)
{
	char line[64];
	long v;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (!fgets(line, sizeof line, f) || sscanf(line, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* A sysctl's value, or DEF when it cannot be read. */
static long
sysctl_or(const char *path, long def)
{
	long v = msgq_sysctl(path);

	return v < 0 ? def : v;
}

/* Make the receive buffer hold SIZE bytes of text (and a System V mtype). */
static int
grow_buffer(struct msgq *q, size_t size)
{
	size_t want = size + sizeof(long);
	char *p;

	if (want <= q->bufsize)
		return 0;
	p = realloc(q->buf, want);
	if (!p)
		return -1;
	q->buf = p;
	q->bufsize = want;
	return 0;
}

/* Explain a refused POSIX creation with attributes ATTR, then exit 1. */
static void __attribute__((noreturn))
posix_create_failed(const struct msgq *q, const struct mq_attr *attr)
{
	int e = errno;
	long lim;
	struct rlimit rl;

	if (e == EINVAL) {
		lim = msgq_sysctl(MQ_SYSCTL "msg_max");
		if (lim >= 0 && attr->mq_maxmsg > lim)
			errx(EXIT_FAIL, "%s: cannot create a queue of %ld "
			    "messages: the limit is fs.mqueue.msg_max=%ld",
			    q->text, (long)attr->mq_maxmsg, lim);
		lim = msgq_sysctl(MQ_SYSCTL "msgsize_max");
		if (lim >= 0 && attr->mq_msgsize > lim)
			errx(EXIT_FAIL, "%s: cannot create a queue of %ld-byte "
			    "messages: the limit is fs.mqueue.msgsize_max=%ld",
			    q->text, (long)attr->mq_msgsize, lim);
	} else if (e == EMFILE) {
		/* EMFILE is also the descriptor limit: tell them apart. */
		int fd = dup(STDERR_FILENO);
		if (fd >= 0 || errno != EMFILE) {
			unsigned long long need;
			if (fd >= 0)
				close(fd);
			getrlimit(RLIMIT_MSGQUEUE, &rl);
			need = (unsigned long long)attr->mq_maxmsg *
			    ((unsigned long long)attr->mq_msgsize + 2 *
			    sizeof(void *));
			errx(EXIT_FAIL, "%s: cannot create: this user's queues "
			    "would pass RLIMIT_MSGQUEUE=%llu bytes (ulimit -q); "
			    "this one needs about %llu", q->text,
			    (unsigned long long)rl.rlim_cur, need);
		}
	} else if (e == ENOSPC) {
		errx(EXIT_FAIL, "%s: cannot create: the system already has "
		    "fs.mqueue.queues_max=%ld queues", q->text,
		    msgq_sysctl(MQ_SYSCTL "queues_max"));
	}
	errno = e;
	err(EXIT_FAIL, "%s", q->text);
}

/* Report a failed open of an existing queue, then exit 1. */
static void __attribute__((noreturn))
open_failed(const struct msgq *q)
{
	/* Only a name or a key can be created; an id names what exists. */
	const char *hint = strncmp(q->text, "id:", 3) == 0 ? "" :
	    " (use -c to create it)";

	if (errno == ENOENT || (errno == EINVAL && q->flavor == IPC_SYSV))
		errx(EXIT_FAIL, "%s: no such message queue%s", q->text, hint);
	err(EXIT_FAIL, "%s", q->text);
}

/* Refuse a receiver that may read QUEUE but not write it: it could not
 * put back a message it failed to deliver.  Exit 1. */
static void __attribute__((noreturn))
no_put_back(const struct msgq *q)
{
	errx(EXIT_FAIL, "%s: %s: receiving needs write permission too, to put "
	    "back a message that cannot be delivered", q->text,
	    strerror(EACCES));
}

/* The open(2) flags for DIR. */
static int
posix_flags(enum msgq_dir dir)
{
	static const int flags[] = {
		[MSGQ_SEND] = O_WRONLY,
		[MSGQ_RECEIVE] = O_RDWR,
		[MSGQ_INSPECT] = O_RDONLY,
	};

	return flags[dir] | O_NONBLOCK;
}

/* Create the POSIX queue as C says, or open it if it exists; exit 1 with
 * the reason when the kernel refuses. */
static void
posix_create(struct msgq *q, int flags, const struct msgq_create *c)
{
	/* The sizes asked for, the defaults for the others: they also
	 * explain a refusal. */
	struct mq_attr attr = {
		.mq_maxmsg = c->max_messages ? c->max_messages :
		    sysctl_or(MQ_SYSCTL "msg_default", 10),
		.mq_msgsize = c->message_size ? c->message_size :
		    sysctl_or(MQ_SYSCTL "msgsize_default", 8192),
	};
	bool sized = c->max_messages || c->message_size;
	/* The mode asked for, not the umask's version of it. */
	mode_t old = umask(0);

	q->mqd = mq_open(q->name, flags | O_CREAT | O_EXCL, c->mode,
	    sized ? &attr : NULL);
	umask(old);
	if (q->mqd != (mqd_t)-1)
		q->created = true;
	else if (errno == EEXIST)
		q->mqd = mq_open(q->name, flags);
	else
		posix_create_failed(q, &attr);
}

static void
posix_open(struct msgq *q, enum msgq_dir dir, const struct msgq_create *c)
{
	int flags = posix_flags(dir);
	struct mq_attr attr;

	if (c && c->create)
		posix_create(q, flags, c);
	else
		q->mqd = mq_open(q->name, flags);
	if (q->mqd == (mqd_t)-1 && errno == EACCES && dir == MSGQ_RECEIVE) {
		q->mqd = mq_open(q->name, posix_flags(MSGQ_INSPECT));
		if (q->mqd != (mqd_t)-1)
			no_put_back(q);
		errno = EACCES;
	}
	if (q->mqd == (mqd_t)-1)
		open_failed(q);
	if (mq_getattr(q->mqd, &attr) < 0)
		err(EXIT_FAIL, "%s", q->text);
	q->msgsize = (size_t)attr.mq_msgsize;
}

/* Remove a System V queue this process has just created, keeping errno. */
static void
sysv_undo_create(struct msgq *q)
{
	int e = errno;

	if (q->created)
		msgctl(q->msqid, IPC_RMID, NULL);
	q->created = false;
	errno = e;
}

/* Whether this process holds CAP_IPC_OWNER, which bypasses the modes. */
static bool
ipc_owner_capable(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[CAP_TO_INDEX(CAP_IPC_OWNER)].effective &
	    CAP_TO_MASK(CAP_IPC_OWNER);
}

/* Whether this process is in group GID (effective or supplementary). */
static bool
in_group(gid_t gid)
{
	int n = getgroups(0, NULL);
	gid_t *groups = n > 0 ? calloc((size_t)n, sizeof *groups) : NULL;
	bool found = gid == getegid();

	if (groups)
		n = getgroups(n, groups);
	for (int i = 0; groups && i < n && !found; i++)
		found = groups[i] == gid;
	free(groups);
	return found;
}

/*
 * Whether the kernel lets this process do what BITS asks (4 read, 2 write)
 * on a System V object with permissions P: the owner's, the group's or
 * the others' bits, as ipcperms() in the kernel chooses them.
 */
static bool
sysv_may(const struct ipc_perm *p, unsigned bits)
{
	uid_t uid = geteuid();
	unsigned granted = p->mode;

	if (uid == p->uid || uid == p->cuid)
		granted >>= 6;
	else if (in_group(p->gid) || in_group(p->cgid))
		granted >>= 3;
	return (granted & bits) == bits || ipc_owner_capable();
}

/* Receiving needs read and write permission: check both up front, since
 * msgrcv(2) and msgsnd(2) would only tell once a message was taken. */
static void
sysv_check_receive(struct msgq *q, const struct ipc_perm *p)
{
	if (!sysv_may(p, 4)) {
		errno = EACCES;
		err(EXIT_FAIL, "%s", q->text);
	}
	if (!sysv_may(p, 2))
		no_put_back(q);
}

static void
sysv_open(struct msgq *q, const struct ipc_operand *op,
    enum msgq_dir dir, const struct msgq_create *c)
{
	long msgmax = sysctl_or(SYSV_SYSCTL "msgmax", SYSV_MSGMAX_DEFAULT);
	long msgmnb = sysctl_or(SYSV_SYSCTL "msgmnb", SYSV_MSGMNB_DEFAULT);
	struct msqid_ds ds;

	if (op->by_id) {
		q->msqid = op->id;
	} else if (c && c->create) {
		if (c->message_size > msgmax)
			errx(EXIT_FAIL, "%s: cannot create a queue of %ld-byte "
			    "messages: the limit is kernel.msgmax=%ld", q->text,
			    c->message_size, msgmax);
		q->msqid = msgget(op->key, IPC_CREAT | IPC_EXCL |
		    (int)(c->mode & 0777));
		if (q->msqid >= 0)
			q->created = true;
		else if (errno == EEXIST)
			q->msqid = msgget(op->key, 0);
		else if (errno == ENOSPC)
			errx(EXIT_FAIL, "%s: cannot create: the system already "
			    "has kernel.msgmni=%ld queues", q->text,
			    msgq_sysctl(SYSV_SYSCTL "msgmni"));
	} else {
		q->msqid = msgget(op->key, 0);
	}
	if (q->msqid < 0)
		open_failed(q);
	if (msgctl(q->msqid, IPC_STAT, &ds) < 0)
		open_failed(q);
	if (dir == MSGQ_RECEIVE)
		sysv_check_receive(q, &ds.msg_perm);
	if (q->created && (c->max_messages || c->message_size)) {
		unsigned long size = (unsigned long)(c->message_size ?
		    c->message_size : msgmax);
		unsigned long count = (unsigned long)(c->max_messages ?
		    c->max_messages : (long)((unsigned long)msgmnb / size));
		if (count == 0)
			count = 1;
		if (count > ULONG_MAX / size) {
			sysv_undo_create(q);
			errx(EXIT_FAIL, "%s: cannot create: %lu messages of %lu "
			    "bytes is too large", q->text, count, size);
		}
		ds.msg_qbytes = count * size;
		if (msgctl(q->msqid, IPC_SET, &ds) < 0) {
			sysv_undo_create(q);
			if (errno == EPERM)
				errx(EXIT_FAIL, "%s: cannot create a queue of "
				    "%lu bytes: the limit is kernel.msgmnb=%ld",
				    q->text, count * size, msgmnb);
			err(EXIT_FAIL, "%s", q->text);
		}
	}
	q->msgsize = (size_t)msgmax;
	if (ds.msg_qbytes < q->msgsize)
		q->msgsize = ds.msg_qbytes;
}

struct msgq_create
msgq_create_or_err(const struct ipc_operand *op,
    const struct msgq_create_args *typed)
{
	struct msgq_create c = { .create = typed->create, .mode = 0600 };

	if (!c.create && (typed->max_messages || typed->message_size ||
	    typed->mode))
		usage_error("--max-messages, --message-size and --mode need "
		    "-c");
	if (c.create && op->flavor == IPC_SYSV && op->by_id)
		usage_error("-c: %s names an existing queue; create by key: "
		    "or ftok:", op->text);
	if (typed->max_messages)
		c.max_messages = (long)number_or_err("--max-messages",
		    typed->max_messages, 1, INT_MAX);
	if (typed->message_size) {
		c.message_size = (long)size_or_err("--message-size",
		    typed->message_size, INT_MAX);
		if (c.message_size == 0)
			usage_error("--message-size: must be at least 1 byte: "
			    "'%s'", typed->message_size);
	}
	if (typed->mode)
		c.mode = mode_or_err("--mode", typed->mode);
	return c;
}

void
msgq_open_or_err(struct msgq *q, const struct ipc_operand *op,
    enum msgq_dir dir, const struct msgq_create *c)
{
	memset(q, 0, sizeof *q);
	q->text = op->text;
	q->flavor = op->flavor;
	q->mqd = (mqd_t)-1;
	q->msqid = -1;
	if (op->flavor == IPC_POSIX) {
		snprintf(q->name, sizeof q->name, "%s", op->name);
		posix_open(q, dir, c);
	} else {
		sysv_open(q, op, dir, c);
	}
	if (grow_buffer(q, q->msgsize) < 0) {
		if (q->flavor == IPC_POSIX && q->created)
			mq_unlink(q->name);
		sysv_undo_create(q);
		err(EXIT_FAIL, "%s", q->text);
	}
}

/* Make the POSIX descriptor blocking or not; a syscall only on a change. */
static int
posix_set_blocking(struct msgq *q, bool blocking)
{
	struct mq_attr attr = { .mq_flags = blocking ? 0 : O_NONBLOCK };

	if (q->blocking == blocking)
		return 0;
	if (mq_setattr(q->mqd, &attr, NULL) < 0)
		return -1;
	q->blocking = blocking;
	return 0;
}

/* Whether W lets the wait end before success: with none of its members
 * set the kernel's own blocking call is the cheapest wait. */
static bool
wait_bounded(const struct msgq_wait *w)
{
	return (w->dl && !w->dl->forever) || w->stop || w->watch >= 0;
}

/* Why W ends the wait now, as an errno value, or 0 to go on waiting.
 * LOOK: look at the watched descriptor too (a ppoll(2) that includes it
 * already has). */
static int
wait_over(const struct msgq_wait *w, bool look)
{
	struct pollfd pfd = { .fd = w->watch, .events = 0 };

	if (w->stop && *w->stop)
		return EINTR;
	if (w->dl && deadline_expired(w->dl))
		return ETIMEDOUT;
	if (look && w->watch >= 0 && poll(&pfd, 1, 0) > 0 &&
	    (pfd.revents & (POLLERR | POLLHUP)))
		return EPIPE;
	return 0;
}

/*
 * Wait until the POSIX queue is ready for EVENTS (POLLIN or POLLOUT) or W
 * ends the wait.  Return 0 when it may be ready, or -1 with errno.
 */
static int
posix_wait(struct msgq *q, short events, const struct msgq_wait *w)
{
	struct pollfd pfd[2] = {
		{ .fd = (int)q->mqd, .events = events },
		{ .fd = w->watch, .events = 0 },
	};
	struct timespec left, *tsp = NULL;
	int e, n;

	for (;;) {
		if ((e = wait_over(w, false)) != 0)
			return errno = e, -1;
		if (w->dl && !w->dl->forever) {
			left = deadline_left(w->dl);
			tsp = &left;
		}
		n = ppoll(pfd, w->watch >= 0 ? 2 : 1, tsp, w->mask);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0 && (pfd[1].revents & (POLLERR | POLLHUP)))
			return errno = EPIPE, -1;
		if (n > 0 && pfd[0].revents)
			return 0;
		/* Otherwise a signal or the deadline: wait_over() tells
		 * which, or that it was a stray signal. */
	}
}

/* Do nothing: SIGALRM only has to interrupt a System V call. */
static void
kick(int sig)
{
	(void)sig;
}

/* Set the interval timer: first after the shorter of MSGQ_KICK_MS and
 * what is left of DL, then every MSGQ_KICK_MS; ON false stops it. */
static void
kick_timer(const struct deadline *dl, bool on)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	if (on) {
		it.it_interval.tv_usec = MSGQ_KICK_MS * 1000L;
		it.it_value = it.it_interval;
		if (dl && !dl->forever) {
			struct timespec left = deadline_left(dl);
			if (left.tv_sec == 0 &&
			    left.tv_nsec / 1000 < it.it_value.tv_usec)
				it.it_value.tv_usec = left.tv_nsec / 1000 + 1;
		}
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

/* The kinds of System V call a wait blocks in. */
enum sysv_op { SYSV_SEND, SYSV_RECEIVE };

/* One System V call on Q's buffer (LEN bytes of text to send, or the
 * type to receive), blocking or not; msgsnd(2)'s or msgrcv(2)'s result. */
static ssize_t
sysv_call(struct msgq *q, enum sysv_op op, size_t len, long type,
    bool block)
{
	int flags = block ? 0 : IPC_NOWAIT;

	if (op == SYSV_SEND)
		return msgsnd(q->msqid, q->buf, len, flags);
	return msgrcv(q->msqid, q->buf, q->bufsize - sizeof(long), type,
	    flags);
}

/*
 * Block in the System V call until it succeeds or something interrupts
 * it: a signal W->mask lets in, or SIGALRM from the interval timer, after
 * which the caller looks at W again.  A signal that comes between the
 * look at W->stop and the call is noticed at the next SIGALRM.
 */
static ssize_t
sysv_block(struct msgq *q, enum sysv_op op, size_t len, long type,
    const struct msgq_wait *w)
{
	/* SA_RESTART: msgsnd(2) and msgrcv(2) are never restarted, but a
	 * late SIGALRM should not interrupt the caller's other calls. */
	struct sigaction sa = { .sa_handler = kick, .sa_flags = SA_RESTART };
	sigset_t mask, old;
	bool bounded = wait_bounded(w);
	ssize_t n = -1;
	int e = EINTR;

	if (!bounded)
		return sysv_call(q, op, len, type, true);
	sigprocmask(SIG_SETMASK, NULL, &old);
	mask = w->mask ? *w->mask : old;
	sigdelset(&mask, SIGALRM);
	sigaction(SIGALRM, &sa, NULL);
	kick_timer(w->dl, true);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	if (!(w->stop && *w->stop)) {
		n = sysv_call(q, op, len, type, true);
		e = errno;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	kick_timer(NULL, false);
	errno = e;
	return n;
}

/* Send or receive (OP) through the System V queue, waiting as W says
 * (W NULL: not at all); msgsnd(2)'s or msgrcv(2)'s result. */
static ssize_t
sysv_wait(struct msgq *q, enum sysv_op op, size_t len, long type,
    const struct msgq_wait *w)
{
	ssize_t n = sysv_call(q, op, len, type, false);
	int e;

	while (n < 0 && (errno == EAGAIN || errno == ENOMSG ||
	    errno == EINTR) && w) {
		if ((e = wait_over(w, true)) != 0)
			return errno = e, -1;
		n = sysv_block(q, op, len, type, w);
	}
	if (n < 0 && errno == ENOMSG)
		errno = EAGAIN;
	return n;
}

int
msgq_send(struct msgq *q, const void *data, size_t len, long prio,
    const struct msgq_wait *w)
{
	static const struct msgq_wait forever = { .watch = -1 };

	if (!w)
		w = &forever;
	if (len > q->msgsize)
		return errno = EMSGSIZE, -1;
	if (q->flavor == IPC_POSIX) {
		/* Without an end to the wait the kernel's own wait is the
		 * cheapest: one call per message, as the raw loop does. */
		if (posix_set_blocking(q, !wait_bounded(w)) < 0)
			return -1;
		for (;;) {
			if (mq_send(q->mqd, data, len, (unsigned)prio) == 0)
				return 0;
			if (errno != EINTR && errno != EAGAIN)
				return -1;
			if (errno == EAGAIN && posix_wait(q, POLLOUT, w) < 0)
				return -1;
		}
	}
	if (grow_buffer(q, len) < 0)
		return -1;
	memcpy(q->buf, &prio, sizeof prio);
	memcpy(q->buf + sizeof(long), data, len);
	if (sysv_wait(q, SYSV_SEND, len, 0, w) == 0)
		return 0;
	/* A removed queue's identifier is invalid. */
	if (errno == EINVAL)
		errno = EIDRM;
	return -1;
}

/* Receive from the POSIX queue, waiting as W says (NULL: not at all). */
static ssize_t
posix_receive(struct msgq *q, const char **data, long *prio,
    const struct msgq_wait *w)
{
	unsigned p;
	ssize_t n;

	if (posix_set_blocking(q, false) < 0)
		return -1;
	for (;;) {
		n = mq_receive(q->mqd, q->buf, q->bufsize, &p);
		if (n >= 0)
			break;
		if (errno == EAGAIN && !w)
			return -1;
		if (errno != EINTR && errno != EAGAIN)
			return -1;
		if (errno == EAGAIN && posix_wait(q, POLLIN, w) < 0)
			return -1;
	}
	*data = q->buf;
	*prio = (long)p;
	return n;
}

ssize_t
msgq_receive(struct msgq *q, long type, const char **data, long *prio,
    const struct msgq_wait *w)
{
	ssize_t n;

	if (q->flavor == IPC_POSIX)
		return posix_receive(q, data, prio, w);
	for (;;) {
		n = sysv_wait(q, SYSV_RECEIVE, 0, type, w);
		if (n >= 0 || errno != E2BIG)
			break;
		/* A message sent when msgmax was larger. */
		if (grow_buffer(q, (q->bufsize - sizeof(long)) * 2) < 0)
			return -1;
	}
	if (n < 0) {
		if (errno == EINVAL)
			errno = EIDRM;
		return -1;
	}
	memcpy(prio, q->buf, sizeof *prio);
	*data = q->buf + sizeof(long);
	return n;
}

/* Print the "mode=", "uid=" and "gid=" lines. */
static void
print_owner(FILE *out, mode_t mode, uid_t uid, gid_t gid)
{
	fprintf(out, "mode=%04o\nuid=%lu\ngid=%lu\n", (unsigned)(mode & 07777),
	    (unsigned long)uid, (unsigned long)gid);
}

int
msgq_print_stat(struct msgq *q, FILE *out)
{
	if (q->flavor == IPC_POSIX) {
		struct mq_attr attr;
		struct stat st;

		if (mq_getattr(q->mqd, &attr) < 0 ||
		    fstat((int)q->mqd, &st) < 0)
			return -1;
		fprintf(out, "flavor=posix\nname=%s\nmessages=%ld\n"
		    "max_messages=%ld\nmessage_size=%ld\n", q->name,
		    (long)attr.mq_curmsgs, (long)attr.mq_maxmsg,
		    (long)attr.mq_msgsize);
		print_owner(out, st.st_mode, st.st_uid, st.st_gid);
	} else {
		struct msqid_ds ds;

		if (msgctl(q->msqid, IPC_STAT, &ds) < 0)
			return -1;
		fprintf(out, "flavor=sysv\nkey=0x%08x\nid=%d\nmessages=%lu\n"
		    "bytes=%lu\nmax_bytes=%lu\nmessage_size=%zu\n",
		    (unsigned)ds.msg_perm.__key, q->msqid,
		    (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes,
		    (unsigned long)ds.msg_qbytes, q->msgsize);
		print_owner(out, ds.msg_perm.mode, ds.msg_perm.uid,
		    ds.msg_perm.gid);
		fprintf(out, "last_send_pid=%ld\nlast_receive_pid=%ld\n",
		    (long)ds.msg_lspid, (long)ds.msg_lrpid);
	}
	return 0;
}

int
msgq_remove(const struct ipc_operand *op)
{
	int id = op->id;

	if (op->flavor == IPC_POSIX)
		return mq_unlink(op->name);
	if (!op->by_id && (id = msgget(op->key, 0)) < 0)
		return -1;
	if (msgctl(id, IPC_RMID, NULL) == 0)
		return 0;
	/* A System V id that names nothing is EINVAL. */
	if (errno == EINVAL || errno == EIDRM)
		errno = ENOENT;
	return -1;
}

void
msgq_close(struct msgq *q)
{
	if (q->flavor == IPC_POSIX && q->mqd != (mqd_t)-1)
		mq_close(q->mqd);
	q->mqd = (mqd_t)-1;
	free(q->buf);
	q->buf = NULL;
	q->bufsize = 0;
}
