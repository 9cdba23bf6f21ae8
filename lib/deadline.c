/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <limits.h>

#include "deadline.h"

static struct timespec
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

void
deadline_start(struct deadline *d, const struct timespec *timeout)
{
	d->forever = timeout == NULL;
	if (d->forever)
		return;
	d->end = now();
	d->end.tv_sec += timeout->tv_sec;
	d->end.tv_nsec += timeout->tv_nsec;
	if (d->end.tv_nsec >= 1000000000L) {
		d->end.tv_sec++;
		d->end.tv_nsec -= 1000000000L;
	}
}

struct timespec
deadline_left(const struct deadline *d)
{
	struct timespec t = now(), left = { 0, 0 };

	if (t.tv_sec > d->end.tv_sec ||
	    (t.tv_sec == d->end.tv_sec && t.tv_nsec >= d->end.tv_nsec))
		return left;
	left.tv_sec = d->end.tv_sec - t.tv_sec;
	left.tv_nsec = d->end.tv_nsec - t.tv_nsec;
	if (left.tv_nsec < 0) {
		left.tv_sec--;
		left.tv_nsec += 1000000000L;
	}
	return left;
}

bool
deadline_expired(const struct deadline *d)
{
	struct timespec left;

	if (d->forever)
		return false;
	left = deadline_left(d);
	return left.tv_sec == 0 && left.tv_nsec == 0;
}

int
deadline_poll_ms(const struct deadline *d)
{
	struct timespec left;
	long long ms;

	if (d->forever)
		return -1;
	left = deadline_left(d);
	ms = (long long)left.tv_sec * 1000 + (left.tv_nsec + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}
