/* SPDX-License-Identifier: MIT */
/*
 * sigloop: signals let in only inside ppoll(2); see sigloop.h.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "sigloop.h"

volatile sig_atomic_t sigloop_stop;
volatile sig_atomic_t sigloop_child;

/* The signals whose inherited disposition a COMMAND gets back. */
static const int kept[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE };

static sigset_t wait_mask;	/* the mask inside ppoll: our signals open */
static bool armed;		/* handlers installed, signals blocked */
static sigset_t inherited_mask;	/* as the process started */
static bool inherited_ignored[sizeof kept / sizeof kept[0]];
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
	sigprocmask(SIG_SETMASK, NULL, &inherited_mask);
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
		struct sigaction old;
		sigaction(kept[i], NULL, &old);
		inherited_ignored[i] = old.sa_handler == SIG_IGN;
	}
	saved = true;
}

void
sigloop_restore(void)
{
	sigset_t none;

	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
		signal(kept[i], saved && inherited_ignored[i] ? SIG_IGN :
		    SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, saved ? &inherited_mask : &none, NULL);
}

void
sigloop_arm(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		sigdelset(&wait_mask, sigs[i]);
		/* An ignored INT/QUIT (a script's & job) stays ignored. */
		if (sigs[i] != SIGCHLD) {
			struct sigaction old;
			sigaction(sigs[i], NULL, &old);
			if (old.sa_handler == SIG_IGN)
				continue;
		}
		sa.sa_handler = sigs[i] == SIGCHLD ? on_child : on_stop;
		sigaction(sigs[i], &sa, NULL);
	}
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

void
sigloop_die(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}
