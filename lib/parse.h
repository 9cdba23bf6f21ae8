/* SPDX-License-Identifier: MIT */
/*
 * parse: the value syntaxes of ipcutils(7).
 *
 * Every parser takes the whole string: no leading or trailing space, no
 * sign, no junk suffix.  The plain forms return 0, or -1 with errno EINVAL
 * (not of the syntax) or ERANGE (too large).  The _or_err forms print
 * "prog: WHAT: invalid ... 'VALUE'" with the usage hint and exit 2, WHAT
 * being what the user typed it for (an option such as "-t", or an
 * operand's role).
 */
#ifndef IPCU_PARSE_H
#define IPCU_PARSE_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Longest duration accepted: about 68 years, so any deadline fits. */
#define DURATION_MAX_SEC 2147483647L

/*
 * Parse a duration: a decimal number ("1", "0.25", ".5") with an optional
 * unit "ms", "s" (the default), "m" or "h".  Digits below a nanosecond are
 * dropped.
 */
int parse_duration(const char *s, struct timespec *out);
struct timespec duration_or_err(const char *what, const char *s);

/*
 * Parse a size: a decimal integer with an optional binary suffix K, M, G,
 * T (also KiB, MiB, GiB, TiB), at most MAX.
 */
int parse_size(const char *s, uint64_t max, uint64_t *out);
uint64_t size_or_err(const char *what, const char *s, uint64_t max);

/*
 * Parse an unsigned integer in BASE (0 accepts decimal and 0x hex, never
 * octal), between MIN and MAX.
 */
int parse_number(const char *s, int base, uint64_t min, uint64_t max,
    uint64_t *out);
uint64_t number_or_err(const char *what, const char *s, uint64_t min,
    uint64_t max);

/* Parse an octal permission mode such as 600 or 0640 (at most 07777). */
int parse_mode(const char *s, mode_t *out);
mode_t mode_or_err(const char *what, const char *s);

/*
 * Parse a signal: a name with or without "SIG" in any case ("USR1",
 * "sigusr1"), a number, or a real-time signal as "RTMIN", "RTMIN+N",
 * "RTMAX-N" relative to glibc's SIGRTMIN and SIGRTMAX.  Numbers of the
 * signals glibc reserves (between the last standard signal and SIGRTMIN)
 * are refused.  Return the signal number, or -1 with errno EINVAL.
 */
int parse_signal(const char *s);

/*
 * Write SIG's name without "SIG" ("USR1", "RTMIN+3", "RTMAX") into BUF of
 * SIZE bytes and return BUF; an unknown number is written as digits.
 */
const char *signal_name(int sig, char *buf, size_t size);

/* Room for any signal_name(). */
#define SIGNAL_NAME_MAX 16

#endif
