/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <unistd.h>
#include <sys/wait.h>

#include "diag.h"
#include "process.h"

void
inherited_signals_save(struct inherited_signals *s)
{
	sigprocmask(SIG_SETMASK, NULL, &s->mask);
	sigemptyset(&s->ignored);
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction cur;
		if (sigaction(sig, NULL, &cur) == 0 &&
		    cur.sa_handler == SIG_IGN)
			sigaddset(&s->ignored, sig);
	}
}

void
inherited_signals_restore(const struct inherited_signals *s)
{
	sigset_t none;

	/* Every signal, not only those the tool changed: the few dozen
	 * calls cost microseconds beside a process start.  SIGKILL, SIGSTOP
	 * and glibc's own signals refuse, which is harmless. */
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa = { .sa_handler = SIG_DFL };
		if (s && sigismember(&s->ignored, sig))
			sa.sa_handler = SIG_IGN;
		sigemptyset(&sa.sa_mask);
		sigaction(sig, &sa, NULL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, s ? &s->mask : &none, NULL);
}

int
command_exec_status(int e)
{
	return e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
}

void
command_exec(char *const argv[])
{
	execvp(argv[0], argv);
	warn("%s", argv[0]);
	_exit(command_exec_status(errno));
}

int
command_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

int
command_status(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
	    WEXITSTATUS(status);
}

sigset_t
catch_stop_signals(void (*handler)(int))
{
	return catch_stop_signals_flags(handler, 0);
}

sigset_t
catch_stop_signals_flags(void (*handler)(int), int flags)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = handler, .sa_flags = flags }, old;
	sigset_t caught;

	/* One stop handler never interrupts another. */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
		sigaddset(&sa.sa_mask, stops[i]);
	sigemptyset(&caught);
	for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
		if (sigaction(stops[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(stops[i], &sa, NULL);
		sigaddset(&caught, stops[i]);
	}
	return caught;
}

void
die_by_signal(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}
