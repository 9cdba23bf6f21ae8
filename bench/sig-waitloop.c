/* SPDX-License-Identifier: MIT */
/*
 * sig-waitloop: the minimal C peer of "sigwaitfor -n 0 RTMIN" for
 * bench/sigwaitfor: block SIGRTMIN, then for ever sigwaitinfo(2) and write
 * one "RTMIN" line per signal with one write(2).
 */
#include "config.h"

#include <signal.h>
#include <unistd.h>

int
main(void)
{
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		if (sigwaitinfo(&set, &si) < 0)
			continue;
		if (write(1, "RTMIN\n", 6) != 6)
			return 1;
	}
}
