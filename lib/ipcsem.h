/* SPDX-License-Identifier: MIT */
/*
 * ipcsem: a POSIX named semaphore or a System V semaphore set, named by
 * an ipc_operand, as semop and shmcat's --lock use it.
 *
 * Opening may create, race-free: the creator is whoever wins O_EXCL (POSIX,
 * where glibc publishes the semaphore only once it is initialised) or
 * IPC_EXCL (System V, where the creator then sets every value with one
 * semop(2), which also sets sem_otime).  A System V opener that finds a set
 * whose sem_otime is still 0 and whose sem_ctime is under two seconds old
 * waits until the creator has initialised it, so nobody ever operates on a
 * half-made set.  An old set with sem_otime 0 (made by ipcmk(1), say) is
 * used as it is.
 *
 * Every wait ends at a deadline on CLOCK_MONOTONIC (semtimedop(2) with the
 * time left; sem_clockwait(3) with CLOCK_MONOTONIC), and sleeps in the
 * kernel until it can go on: no CPU is used while waiting for a unit.  The
 * one exception is the wait for a System V creator's initialisation, which
 * the kernel gives nothing to block on: it polls, backing off from 1 ms to
 * 64 ms, about 35 looks in its two seconds at most.
 *
 * A wait that times out changes nothing and fails with ETIMEDOUT.  A
 * signal handler that sets *STOP makes a wait fail with EINTR, also when
 * it ran before the wait began (but not in the few instructions between
 * the last look at *STOP and the system call, which takes no signal mask);
 * other EINTRs are retried with the time left.
 */
#ifndef IPCU_IPCSEM_H
#define IPCU_IPCSEM_H

#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/sem.h>

#include "deadline.h"
#include "ipcobj.h"

/* Longest POSIX semaphore name: sem_open(3) files it as "sem.NAME". */
#define SEM_NAME_MAX (NAME_MAX - 4)

/* Largest System V semaphore value (SEMVMX; not exported by glibc). */
#define IPCU_SEMVMX 32767

struct ipc_sem {
	const struct ipc_operand *op;
	sem_t *posix;		/* POSIX: the mapped semaphore */
	int id;			/* System V: the set's identifier */
	int nsems;		/* System V: semaphores in the set; POSIX: 1 */
};

/* How to create the semaphore when it does not exist. */
struct ipc_sem_create {
	bool create;		/* create if missing */
	unsigned value;		/* initial value of every semaphore */
	int nsems;		/* System V: semaphores in a new set */
	mode_t mode;		/* permissions, exactly (no umask) */
};

/* Largest value a semaphore of FLAVOR can hold. */
unsigned ipc_sem_value_max(enum ipc_flavor flavor);

/*
 * Open the semaphore OP names into S, creating it as C says (C may be
 * NULL: open only).  *CREATED (may be NULL) tells whether this call made
 * it.  The wait for another creator's initialisation ends at DL (NULL:
 * two seconds at most).  Return 0, or -1 with errno set (ENOENT when it
 * is missing and not to be created).
 */
int ipc_sem_open(struct ipc_sem *s, const struct ipc_operand *op,
    const struct ipc_sem_create *c, const struct deadline *dl,
    bool *created);

/* Release what ipc_sem_open() took (not the semaphore itself). */
void ipc_sem_close(struct ipc_sem *s);

/*
 * System V: apply the NOPS operations OPS atomically with one semop(2),
 * waiting until DL.  Return 0, or -1 with errno ETIMEDOUT (nothing
 * changed), EINTR (*STOP was set; nothing changed), or semop's error.
 */
int ipc_sem_apply(struct ipc_sem *s, struct sembuf *ops, size_t nops,
    const struct deadline *dl, const volatile sig_atomic_t *stop);

/*
 * Take one unit of semaphore 0 (POSIX sem_wait), waiting until DL (NULL:
 * forever).  UNDO (System V) makes the kernel give it back when the
 * process exits, even by SIGKILL, and across execve(2).  Errors as for
 * ipc_sem_apply().
 */
int ipc_sem_acquire(struct ipc_sem *s, bool undo, const struct deadline *dl,
    const volatile sig_atomic_t *stop);

/* Give one unit back to semaphore 0; UNDO must match the acquire.  Return
 * 0, or -1 with errno set (EOVERFLOW/ERANGE past the largest value). */
int ipc_sem_release(struct ipc_sem *s, bool undo);

/* Store the value of semaphore SEMNUM in *VALUE.  Return 0 or -1. */
int ipc_sem_getvalue(struct ipc_sem *s, int semnum, int *value);

/* Remove the semaphore (sem_unlink / IPC_RMID).  Return 0 or -1. */
int ipc_sem_remove(struct ipc_sem *s);

#endif
