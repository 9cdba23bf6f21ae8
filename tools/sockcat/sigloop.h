/* SPDX-License-Identifier: MIT */
/*
 * sigloop: the signals a serving tool acts on, let in only where it waits.
 *
 * sigloop_init(), first thing in main(), records the signal state the
 * process inherited (process.h), so that a COMMAND it runs gets it back
 * (sigloop_restore()): a signal ignored by whoever started the tool
 * (nohup's SIGHUP, a script's & job's SIGINT) stays ignored in the
 * COMMAND, as semop(1) and sigwaitfor(1) do.
 *
 * sigloop_arm() catches SIGINT, SIGTERM and SIGHUP (sigloop_stop becomes
 * the signal's number) and SIGCHLD (sigloop_child becomes 1), and blocks
 * them; sigloop_poll() lets them in only inside ppoll(2), so a flag set
 * just before a wait is never missed and no other call sees EINTR.  A
 * stop signal ignored at start stays ignored.
 *
 * The flags are process-wide state: a signal handler can reach nothing
 * else, and a process has one set of signal dispositions anyway.
 */
#ifndef IPCU_SIGLOOP_H
#define IPCU_SIGLOOP_H

#include <poll.h>
#include <signal.h>

extern volatile sig_atomic_t sigloop_stop;	/* INT, TERM or HUP came */
extern volatile sig_atomic_t sigloop_child;	/* SIGCHLD came */

/* Record the inherited signal state; call it before changing any
 * signal's action or the mask. */
void sigloop_init(void);

/* In a child about to exec: give back the state sigloop_init() recorded
 * (without it: every signal at its default, nothing blocked). */
void sigloop_restore(void);

/* Install the handlers and block the four signals (see above). */
void sigloop_arm(void);

/* The signal mask inside sigloop_poll(), for ppoll(2) elsewhere; NULL
 * before sigloop_arm(). */
const sigset_t *sigloop_mask(void);

/*
 * poll(2) PFD (N entries) for TIMEOUT_MS (-1: forever) with the signals
 * let in.  Return the number of ready entries, 0 on timeout or when a
 * signal came (check the flags), or -1 with errno set on failure.
 */
int sigloop_poll(struct pollfd *pfd, nfds_t n, int timeout_ms);

/* The same with MASK in force inside ppoll(2) (NULL: the mask as it is). */
int sigloop_ppoll(struct pollfd *pfd, nfds_t n, int timeout_ms,
    const sigset_t *mask);

#endif
