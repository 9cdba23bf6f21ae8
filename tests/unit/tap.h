/* SPDX-License-Identifier: MIT */
/*
 * tap.h: the smallest TAP producer, for the C unit tests.  Each
 * check prints "ok N - what" or "not ok N - what"; tap_done() prints the
 * plan and returns the exit status.
 */
#ifndef IPCU_TAP_H
#define IPCU_TAP_H

#include <stdio.h>

static int tap_count, tap_failed;

#define TAP_OK(cond, ...) do { \
	int tap_ok_ = (cond); \
	tap_count++; \
	if (!tap_ok_) \
		tap_failed++; \
	printf("%sok %d - ", tap_ok_ ? "" : "not ", tap_count); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	if (!tap_ok_) \
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
} while (0)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
