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
#include <unistd.h>

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

static void
posix_open(struct msgq *q, enum msgq_dir dir, const struct msgq_create *c)
{
	/* A receiver also sends: it puts back what it could not deliver. */
	int flags = (dir == MSGQ_SEND ? O_WRONLY : O_RDWR) | O_NONBLOCK;
	struct mq_attr attr;

	if (c && c->create) {
		struct mq_attr *ap = NULL;
		mode_t old;

		memset(&attr, 0, sizeof attr);
		if (c->max_messages || c->message_size) {
			attr.mq_maxmsg = c->max_messages ? c->max_messages :
			    sysctl_or(MQ_SYSCTL "msg_default", 10);
			attr.mq_msgsize = c->message_size ? c->message_size :
			    sysctl_or(MQ_SYSCTL "msgsize_default", 8192);
			ap = &attr;
		}
		/* The mode asked for, not the umask's version of it. */
		old = umask(0);
		q->mqd = mq_open(q->name, flags | O_CREAT | O_EXCL, c->mode,
		    ap);
		umask(old);
		if (q->mqd != (mqd_t)-1)
			q->created = true;
		else if (errno == EEXIST)
			q->mqd = mq_open(q->name, flags);
		else {
			if (!ap) {
				attr.mq_maxmsg = sysctl_or(MQ_SYSCTL
				    "msg_default", 10);
				attr.mq_msgsize = sysctl_or(MQ_SYSCTL
				    "msgsize_default", 8192);
			}
			posix_create_failed(q, &attr);
		}
	} else {
		q->mqd = mq_open(q->name, flags);
	}
	if (q->mqd == (mqd_t)-1 && errno == EACCES && dir == MSGQ_RECEIVE)
		/* Readable only: receive anyway; a put-back will fail loudly. */
		q->mqd = mq_open(q->name, O_RDONLY | O_NONBLOCK);
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

static void
sysv_open(struct msgq *q, const struct ipc_operand *op,
    const struct msgq_create *c)
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

struct msgq_create_args msgq_create_args;

struct poptOption msgq_create_options[] = {
	{ "create", 'c', POPT_ARG_NONE, &msgq_create_args.create, 0,
	  "create the queue if it does not exist", NULL },
	{ "max-messages", '\0', POPT_ARG_STRING,
	  &msgq_create_args.max_messages, 0,
	  "capacity of a created queue", "N" },
	{ "message-size", '\0', POPT_ARG_STRING,
	  &msgq_create_args.message_size, 0,
	  "largest message of a created queue", "SIZE" },
	{ "mode", '\0', POPT_ARG_STRING, &msgq_create_args.mode, 0,
	  "permissions of a created queue (default 0600)", "MODE" },
	POPT_TABLEEND
};

void
msgq_create_or_err(struct msgq_create *c, const struct ipc_operand *op,
    bool create, const char *max_messages, const char *message_size,
    const char *mode)
{
	memset(c, 0, sizeof *c);
	c->create = create;
	c->mode = 0600;
	if (!create && (max_messages || message_size || mode))
		usage_error("--max-messages, --message-size and --mode need "
		    "-c");
	if (create && op->flavor == IPC_SYSV && op->by_id)
		usage_error("-c: %s names an existing queue; create by key: "
		    "or ftok:", op->text);
	if (max_messages)
		c->max_messages = (long)number_or_err("--max-messages",
		    max_messages, 1, INT_MAX);
	if (message_size) {
		c->message_size = (long)size_or_err("--message-size",
		    message_size, INT_MAX);
		if (c->message_size == 0)
			usage_error("--message-size: must be at least 1 byte: "
			    "'%s'", message_size);
	}
	if (mode)
		c->mode = mode_or_err("--mode", mode);
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
		sysv_open(q, op, c);
	}
	if (grow_buffer(q, q->msgsize) < 0) {
		if (q->flavor == IPC_POSIX && q->created)
			mq_unlink(q->name);
		sysv_undo_create(q);
		err(EXIT_FAIL, "%s", q->text);
	}
}

int
msgq_fd(const struct msgq *q)
{
	return q->flavor == IPC_POSIX ? (int)q->mqd : -1;
}

void
backoff_reset(struct backoff *b)
{
	b->ns = BACKOFF_MIN_NS;
}

struct timespec
backoff_next(struct backoff *b, const struct deadline *dl)
{
	struct timespec ts = { 0, b->ns };

	if (b->ns < BACKOFF_MIN_NS)
		ts.tv_nsec = b->ns = BACKOFF_MIN_NS;
	b->ns = b->ns * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : b->ns * 2;
	if (dl && !dl->forever) {
		struct timespec left = deadline_left(dl);
		if (left.tv_sec == 0 && left.tv_nsec < ts.tv_nsec)
			ts = left;
	}
	return ts;
}

/* Wait for room in a POSIX queue until DL; 0 or -1 with errno. */
static int
posix_wait_room(struct msgq *q, const struct deadline *dl)
{
	struct pollfd pfd = { .fd = (int)q->mqd, .events = POLLOUT };
	int n;

	for (;;) {
		n = poll(&pfd, 1, dl ? deadline_poll_ms(dl) : -1);
		if (n > 0)
			return 0;
		if (n == 0)
			return errno = ETIMEDOUT, -1;
		if (errno != EINTR)
			return -1;
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

int
msgq_send(struct msgq *q, const void *data, size_t len, long prio,
    const struct deadline *dl)
{
	struct backoff b;
	bool forever = !dl || dl->forever;

	if (len > q->msgsize)
		return errno = EMSGSIZE, -1;
	if (q->flavor == IPC_POSIX) {
		/* Without a deadline the kernel's own wait is the cheapest:
		 * one call per message, as the raw loop does. */
		if (posix_set_blocking(q, forever) < 0)
			return -1;
		for (;;) {
			if (mq_send(q->mqd, data, len, (unsigned)prio) == 0)
				return 0;
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -1;
			if (posix_wait_room(q, dl) < 0)
				return -1;
		}
	}
	if (grow_buffer(q, len) < 0)
		return -1;
	memcpy(q->buf, &prio, sizeof prio);
	memcpy(q->buf + sizeof(long), data, len);
	backoff_reset(&b);
	for (;;) {
		/* Without a deadline the kernel's own wait is the cheapest. */
		if (msgsnd(q->msqid, q->buf, len, forever ? 0 : IPC_NOWAIT)
		    == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -1;
		if (forever || deadline_expired(dl))
			return errno = forever ? EAGAIN : ETIMEDOUT, -1;
		struct timespec ts = backoff_next(&b, dl);
		nanosleep(&ts, NULL);
	}
}

ssize_t
msgq_receive(struct msgq *q, long type, const char **data, long *prio)
{
	ssize_t n;

	if (q->flavor == IPC_POSIX) {
		unsigned p;
		if (posix_set_blocking(q, false) < 0)
			return -1;
		do
			n = mq_receive(q->mqd, q->buf, q->bufsize, &p);
		while (n < 0 && errno == EINTR);
		if (n >= 0) {
			*data = q->buf;
			*prio = (long)p;
		}
		return n;
	}
	for (;;) {
		n = msgrcv(q->msqid, q->buf, q->bufsize - sizeof(long), type,
		    IPC_NOWAIT);
		if (n >= 0)
			break;
		if (errno == ENOMSG)
			return errno = EAGAIN, -1;
		if (errno == E2BIG) {
			/* A message sent when msgmax was larger. */
			if (grow_buffer(q, (q->bufsize - sizeof(long)) * 2) < 0)
				return -1;
			continue;
		}
		if (errno == EINVAL)
			errno = EIDRM;
		if (errno != EINTR)
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
msgq_unlink(struct msgq *q)
{
	if (q->flavor == IPC_POSIX)
		return mq_unlink(q->name);
	return msgctl(q->msqid, IPC_RMID, NULL);
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
