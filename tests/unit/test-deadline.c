/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/deadline. */
#include "config.h"

#include <limits.h>

#include "deadline.h"
#include "tap.h"

int
main(void)
{
	struct deadline d;
	struct timespec zero = { 0, 0 }, ms5 = { 0, 5000000 };
	struct timespec huge = { 2147483647L, 0 }, left;

	deadline_start(&d, NULL);
	TAP_OK(!deadline_expired(&d) && deadline_poll_ms(&d) == -1,
	    "no timeout never expires and polls with -1");
	deadline_start(&d, &zero);
	TAP_OK(deadline_expired(&d) && deadline_poll_ms(&d) == 0,
	    "a zero timeout has expired at once");
	deadline_start(&d, &ms5);
	TAP_OK(!deadline_expired(&d), "5 ms has not expired at once");
	TAP_OK(deadline_poll_ms(&d) >= 1 && deadline_poll_ms(&d) <= 5,
	    "5 ms polls between 1 and 5 ms (rounded up)");
	nanosleep(&ms5, NULL);
	TAP_OK(deadline_expired(&d) && deadline_poll_ms(&d) == 0,
	    "5 ms has expired after 5 ms");
	deadline_start(&d, &huge);
	TAP_OK(deadline_poll_ms(&d) == INT_MAX, "a huge timeout polls INT_MAX");
	left = deadline_left(&d);
	TAP_OK(left.tv_sec > 2147483000L, "a huge timeout leaves its seconds");
	return tap_done();
}
