/* SPDX-License-Identifier: MIT */
/*
 * deadline: timeouts measured on CLOCK_MONOTONIC.
 *
 * A deadline is fixed once, when the wait begins, so that a wait resumed
 * after EINTR or a lost race does not start over; a jump of the wall clock
 * neither shortens nor stretches it.
 */
#ifndef IPCU_DEADLINE_H
#define IPCU_DEADLINE_H

#include <stdbool.h>
#include <time.h>

struct deadline {
	bool forever;		/* no timeout was given */
	struct timespec end;	/* CLOCK_MONOTONIC time it expires */
};

/* Start a deadline TIMEOUT from now; NULL means it never expires. */
void deadline_start(struct deadline *d, const struct timespec *timeout);

/* Whether the deadline has passed (never for a forever deadline). */
bool deadline_expired(const struct deadline *d);

/*
 * Time left, for poll(2): -1 for forever, else milliseconds rounded up
 * (so a wait never ends early), 0 once expired, capped at INT_MAX.
 */
int deadline_poll_ms(const struct deadline *d);

/*
 * Time left as a relative timespec (zero once expired), for the calls that
 * take one: semtimedop(2), sigtimedwait(2).  Undefined for forever.
 */
struct timespec deadline_left(const struct deadline *d);

#endif
