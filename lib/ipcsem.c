/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <time.h>

#include "ipcsem.h"

/* semctl(2): the caller defines it. */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

/* How long an uninitialised new System V set may take to be set up. */
#define INIT_GRACE_SEC 2

/* The longest sleep between two looks at such a set. */
#define INIT_TICK_MAX_NS 64000000L

unsigned
ipc_sem_value_max(enum ipc_flavor flavor)
{
	return flavor == IPC_POSIX ? (unsigned)SEM_VALUE_MAX : IPCU_SEMVMX;
}

/* Open or create the POSIX semaphore; sem_open is atomic about it. */
static int
open_posix(struct ipc_sem *s, const struct ipc_sem_create *c, bool *created)
{
	if (c && c->create) {
		mode_t old = umask(0);

		s->posix = sem_open(s->op->name, O_CREAT | O_EXCL, c->mode,
		    c->value);
		umask(old);
		if (s->posix != SEM_FAILED) {
			*created = true;
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	s->posix = sem_open(s->op->name, 0);
	if (s->posix == SEM_FAILED) {
		s->posix = NULL;
		return -1;
	}
	return 0;
}

/* Set every semaphore of a set we just created to VALUE, then stamp
 * sem_otime for the waiters with a semop(2) that changes nothing. */
static int
init_sysv(struct ipc_sem *s, unsigned value)
{
	unsigned short *vals = calloc((size_t)s->nsems, sizeof *vals);
	struct sembuf stamp[2] = {
		{ 0, (short)-(int)value, 0 }, { 0, (short)value, 0 },
	};
	union semun arg = { .array = vals };
	int rc;

	if (!vals)
		return -1;
	for (int i = 0; i < s->nsems; i++)
		vals[i] = (unsigned short)value;
	rc = semctl(s->id, 0, SETALL, arg);
	free(vals);
	if (rc < 0)
		return -1;
	/* Take VALUE and give it back at once; with 0, wait for zero. */
	return semop(s->id, stamp, value ? 2 : 1);
}

/*
 * Wait until a young set's creator has initialised it, or DL passes.  The
 * kernel offers nothing to block on, so this polls, backing off: looks
 * after 1, 2, 4 ... ms, then every 64 ms, about 35 in the two seconds of
 * INIT_GRACE_SEC (a creator initialises within microseconds of creating,
 * so the first look nearly always succeeds).
 */
static int
await_init(struct ipc_sem *s, const struct deadline *dl)
{
	struct semid_ds ds;
	union semun arg = { .buf = &ds };
	struct timespec tick = { 0, 1000000 }, left;

	for (;;) {
		if (semctl(s->id, 0, IPC_STAT, arg) < 0)
			return -1;
		s->nsems = (int)ds.sem_nsems;
		if (ds.sem_otime != 0 ||
		    time(NULL) - ds.sem_ctime >= INIT_GRACE_SEC)
			return 0;
		if (dl && deadline_expired(dl))
			return errno = ETIMEDOUT, -1;
		left = dl && !dl->forever ? deadline_left(dl) : tick;
		/* Sleep TICK, but never past the deadline. */
		nanosleep(left.tv_sec == 0 && left.tv_nsec < tick.tv_nsec ?
		    &left : &tick, NULL);
		if (tick.tv_nsec < INIT_TICK_MAX_NS)
			tick.tv_nsec *= 2;
	}
}

/* Open or create the System V set. */
static int
open_sysv(struct ipc_sem *s, const struct ipc_sem_create *c,
    const struct deadline *dl, bool *created)
{
	const struct ipc_operand *op = s->op;

	if (op->by_id) {
		s->id = op->id;
		return await_init(s, dl);
	}
	if (c && c->create) {
		s->id = semget(op->key, c->nsems,
		    IPC_CREAT | IPC_EXCL | (int)(c->mode & 0777));
		if (s->id >= 0) {
			s->nsems = c->nsems;
			if (init_sysv(s, c->value) < 0) {
				int saved = errno;
				semctl(s->id, 0, IPC_RMID);
				return errno = saved, -1;
			}
			*created = true;
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	s->id = semget(op->key, 0, 0);
	if (s->id < 0)
		return -1;
	return await_init(s, dl);
}

int
ipc_sem_open(struct ipc_sem *s, const struct ipc_operand *op,
    const struct ipc_sem_create *c, const struct deadline *dl,
    bool *created)
{
	bool dummy;

	if (!created)
		created = &dummy;
	*created = false;
	s->op = op;
	s->posix = NULL;
	s->id = -1;
	s->nsems = 1;
	if (c && c->create && c->value > ipc_sem_value_max(op->flavor))
		return errno = ERANGE, -1;
	if (op->flavor == IPC_POSIX)
		return open_posix(s, c, created);
	return open_sysv(s, c, dl, created);
}

void
ipc_sem_close(struct ipc_sem *s)
{
	if (s->posix)
		sem_close(s->posix);
	s->posix = NULL;
}

int
ipc_sem_apply(struct ipc_sem *s, struct sembuf *ops, size_t nops,
    const struct deadline *dl, const volatile sig_atomic_t *stop)
{
	for (;;) {
		int rc;

		if (stop && *stop)
			return errno = EINTR, -1;
		if (dl && !dl->forever) {
			struct timespec left = deadline_left(dl);
			rc = semtimedop(s->id, ops, nops, &left);
		} else {
			rc = semop(s->id, ops, nops);
		}
		if (rc == 0)
			return 0;
		if (errno == EAGAIN)
			return errno = ETIMEDOUT, -1;
		if (errno != EINTR || (stop && *stop))
			return -1;
	}
}

/* POSIX sem_wait until DL on the monotonic clock. */
static int
posix_wait(sem_t *sem, const struct deadline *dl,
    const volatile sig_atomic_t *stop)
{
	for (;;) {
		int rc;

		if (stop && *stop)
			return errno = EINTR, -1;
		if (dl && !dl->forever)
			rc = sem_clockwait(sem, CLOCK_MONOTONIC, &dl->end);
		else
			rc = sem_wait(sem);
		if (rc == 0)
			return 0;
		if (errno == EAGAIN)
			errno = ETIMEDOUT;
		if (errno != EINTR || (stop && *stop))
			return -1;
	}
}

int
ipc_sem_acquire(struct ipc_sem *s, bool undo, const struct deadline *dl,
    const volatile sig_atomic_t *stop)
{
	struct sembuf op = { 0, -1, (short)(undo ? SEM_UNDO : 0) };

	if (s->posix)
		return posix_wait(s->posix, dl, stop);
	return ipc_sem_apply(s, &op, 1, dl, stop);
}

int
ipc_sem_release(struct ipc_sem *s, bool undo)
{
	struct sembuf op = { 0, 1, (short)(undo ? SEM_UNDO : 0) };

	if (s->posix)
		return sem_post(s->posix);
	for (;;) {
		if (semop(s->id, &op, 1) == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

int
ipc_sem_getvalue(struct ipc_sem *s, int semnum, int *value)
{
	int v;

	if (s->posix)
		return sem_getvalue(s->posix, value);
	v = semctl(s->id, semnum, GETVAL);
	if (v < 0)
		return -1;
	*value = v;
	return 0;
}

int
ipc_sem_remove(struct ipc_sem *s)
{
	if (s->op->flavor == IPC_POSIX)
		return sem_unlink(s->op->name);
	return semctl(s->id, 0, IPC_RMID);
}
