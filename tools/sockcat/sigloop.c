/* SPDX-License-Identifier: MIT */
/*
 * sigloop: signals let in only inside ppoll(2); see sigloop.h.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>

#include "process.h"
#include "sigloop.h"

volatile sig_atomic_t sigloop_stop;
volatile sig_atomic_t sigloop_child;

static sigset_t wait_mask;	/* the mask inside ppoll: our signals open */
static bool armed;		/* handlers installed, signals blocked */
static struct inherited_signals inherited;	/* as the process started */
static bool saved;		/* sigloop_init() ran */

/* Handler for INT, TERM, HUP: remember it for the loops to act on. */
static void
on_stop(int sig)
{
	sigloop_stop = sig;
}

/* Handler for SIGCHLD: the caller reaps. */
static void
on_child(int sig)
{
	(void)sig;
	sigloop_child = 1;
}

void
sigloop_init(void)
{
	inherited_signals_save(&inherited);
	saved = true;
}

void
sigloop_restore(void)
{
	inherited_signals_restore(saved ? &inherited : NULL);
}

void
sigloop_arm(void)
{
	struct sigaction sa = { .sa_handler = on_child };
	sigset_t caught = catch_stop_signals(on_stop);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigaddset(&caught, SIGCHLD);
	sigprocmask(SIG_BLOCK, &caught, &wait_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&caught, sig))
			sigdelset(&wait_mask, sig);
	armed = true;
}

const sigset_t *
sigloop_mask(void)
{
	return armed ? &wait_mask : NULL;
}

int
sigloop_ppoll(struct pollfd *pfd, nfds_t n, int timeout_ms,
    const sigset_t *mask)
{
	struct timespec ts, *tsp = NULL;
	int r;

	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	r = ppoll(pfd, n, tsp, mask);
	if (r < 0 && errno == EINTR)
		return 0;
	return r;
}

int
sigloop_poll(struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	return sigloop_ppoll(pfd, n, timeout_ms, sigloop_mask());
}
