/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/ipcsem: creation, timed waits, undo, removal. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipcsem.h"
#include "tap.h"

static volatile sig_atomic_t stop;

static void
on_usr1(int sig)
{
	stop = sig;
}

/* Fork a child that sends SIGUSR1 to us after 50 ms; return its pid. */
static pid_t
usr1_soon(void)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		struct timespec ms50 = { 0, 50000000 };
		nanosleep(&ms50, NULL);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	return pid;
}

/* Whether a wait for S's taken unit, with no deadline, ends with EINTR
 * once a signal handler has set the stop flag. */
static bool
stopped_by_signal(struct ipc_sem *s)
{
	pid_t pid;
	int rc, status;

	stop = 0;
	pid = usr1_soon();
	rc = ipc_sem_acquire(s, false, NULL, &stop);
	waitpid(pid, &status, 0);
	return rc < 0 && errno == EINTR && stop == SIGUSR1;
}

/* Create the System V set KEY (one semaphore) without initialising it,
 * then, after 30 ms, set it to 2 and stamp sem_otime, as a slow creator
 * would; return the child's pid. */
static pid_t
slow_creator(key_t key)
{
	int id = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec ms30 = { 0, 30000000 };
		struct sembuf stamp = { 0, 2, 0 };
		nanosleep(&ms30, NULL);
		_exit(semop(id, &stamp, 1) == 0 ? 0 : 1);
	}
	return pid;
}

int
main(void)
{
	char name[64], keytext[64];
	struct ipc_operand op, kop;
	struct ipc_sem s, k;
	struct ipc_sem_create cr = { true, 1, 1, 0600 };
	struct timespec zero = { 0, 0 }, ms20 = { 0, 20000000 };
	struct deadline dl;
	bool created;
	int v = -1;
	pid_t pid;

	snprintf(name, sizeof name, "test-ipcsem-%d", (int)getpid());
	snprintf(keytext, sizeof keytext, "key:0x%x",
	    0x5a000000 + (int)(getpid() & 0xffff));
	ipc_operand_parse(name, SEM_NAME_MAX, &op);
	ipc_operand_parse(keytext, SEM_NAME_MAX, &kop);

	TAP_OK(ipc_sem_open(&s, &op, NULL, NULL, NULL) < 0 && errno == ENOENT,
	    "a missing POSIX semaphore is ENOENT");
	TAP_OK(ipc_sem_open(&s, &op, &cr, NULL, &created) == 0 && created,
	    "-c creates it");
	ipc_sem_close(&s);
	cr.value = 5;
	TAP_OK(ipc_sem_open(&s, &op, &cr, NULL, &created) == 0 && !created,
	    "a second create opens the existing one");
	TAP_OK(ipc_sem_getvalue(&s, 0, &v) == 0 && v == 1,
	    "and leaves its value (1) alone");
	deadline_start(&dl, &zero);
	TAP_OK(ipc_sem_acquire(&s, false, &dl, NULL) == 0,
	    "a free unit is taken even with a zero timeout");
	deadline_start(&dl, &ms20);
	TAP_OK(ipc_sem_acquire(&s, false, &dl, NULL) < 0 && errno == ETIMEDOUT,
	    "a taken one times out with ETIMEDOUT");
	TAP_OK(ipc_sem_getvalue(&s, 0, &v) == 0 && v == 0,
	    "the timeout changed nothing");
	{
		struct sigaction sa = { .sa_handler = on_usr1 };
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
	}
	TAP_OK(stopped_by_signal(&s), "POSIX: a signal that sets *STOP ends "
	    "the wait with EINTR");
	TAP_OK(ipc_sem_release(&s, false) == 0 && ipc_sem_getvalue(&s, 0, &v)
	    == 0 && v == 1, "release gives it back");
	TAP_OK(ipc_sem_remove(&s) == 0, "remove unlinks it");
	ipc_sem_close(&s);

	cr.value = 40000;
	TAP_OK(ipc_sem_open(&k, &kop, &cr, NULL, NULL) < 0 && errno == ERANGE,
	    "a System V value over SEMVMX is ERANGE");
	cr.value = 3;
	cr.nsems = 2;
	TAP_OK(ipc_sem_open(&k, &kop, &cr, NULL, &created) == 0 && created &&
	    k.nsems == 2, "a System V set of 2 is created");
	TAP_OK(ipc_sem_getvalue(&k, 1, &v) == 0 && v == 3,
	    "every semaphore starts at the value");
	/* A child takes a unit with undo and exits: the unit comes back. */
	pid = fork();
	if (pid == 0)
		_exit(ipc_sem_acquire(&k, true, NULL, NULL) == 0 ? 0 : 1);
	waitpid(pid, &v, 0);
	TAP_OK(WIFEXITED(v) && WEXITSTATUS(v) == 0 &&
	    ipc_sem_getvalue(&k, 0, &v) == 0 && v == 3,
	    "SEM_UNDO returns a dead holder's unit");
	{
		struct sembuf two[2] = { { 0, -3, 0 }, { 1, -4, 0 } };
		deadline_start(&dl, &zero);
		TAP_OK(ipc_sem_apply(&k, two, 2, &dl, NULL) < 0 &&
		    errno == ETIMEDOUT && ipc_sem_getvalue(&k, 0, &v) == 0 &&
		    v == 3, "an atomic pair that must wait changes nothing");
	}
	{
		struct sembuf all[2] = { { 0, -3, 0 }, { 1, -3, 0 } };
		ipc_sem_apply(&k, all, 2, NULL, NULL);
	}
	TAP_OK(stopped_by_signal(&k), "System V: a signal that sets *STOP "
	    "ends the wait with EINTR");
	TAP_OK(ipc_sem_remove(&k) == 0, "IPC_RMID removes the set");

	/* A creator that has not initialised its new set yet is waited for. */
	pid = slow_creator(kop.key);
	TAP_OK(ipc_sem_open(&k, &kop, NULL, NULL, NULL) == 0 &&
	    ipc_sem_getvalue(&k, 0, &v) == 0 && v == 2,
	    "a young set is used once its creator has initialised it");
	waitpid(pid, &v, 0);
	TAP_OK(ipc_sem_remove(&k) == 0, "and removed");
	pid = slow_creator(kop.key);
	deadline_start(&dl, &zero);
	TAP_OK(ipc_sem_open(&k, &kop, NULL, &dl, NULL) < 0 &&
	    errno == ETIMEDOUT, "with a deadline that passes first: ETIMEDOUT");
	waitpid(pid, &v, 0);
	ipc_sem_open(&k, &kop, NULL, NULL, NULL);
	ipc_sem_remove(&k);
	return tap_done();
}
