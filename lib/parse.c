/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "parse.h"

/*
 * Read the digits at *P in BASE into *OUT, advancing *P.  Fail with EINVAL
 * when there is no digit and ERANGE when the value passes UINT64_MAX.
 */
static int
scan_digits(const char **p, int base, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int any = 0, overflow = 0;

	for (;; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			break;
		any = 1;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = 1;
		else
			v = v * (uint64_t)base + (uint64_t)d;
	}
	*p = s;
	if (!any)
		return errno = EINVAL, -1;
	if (overflow)
		return errno = ERANGE, -1;
	*out = v;
	return 0;
}

int
parse_number(const char *s, int base, uint64_t min, uint64_t max,
    uint64_t *out)
{
	uint64_t v;

	if (base == 0) {
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			s += 2;
			base = 16;
		} else {
			base = 10;
		}
	}
	if (scan_digits(&s, base, &v) < 0)
		return -1;
	if (*s != '\0')
		return errno = EINVAL, -1;
	if (v < min || v > max)
		return errno = ERANGE, -1;
	*out = v;
	return 0;
}

int
parse_duration(const char *s, struct timespec *out)
{
	static const struct {
		const char *suffix;
		uint64_t sec;	/* seconds per unit; 0 means milliseconds */
	} units[] = {
		{ "", 1 }, { "s", 1 }, { "ms", 0 }, { "m", 60 }, { "h", 3600 },
	};
	uint64_t whole = 0, frac_ns = 0, scale = 100000000;
	const char *p = s;
	int have_whole = 0, have_frac = 0;

	if (*p >= '0' && *p <= '9') {
		if (scan_digits(&p, 10, &whole) < 0)
			return -1;
		have_whole = 1;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			frac_ns += (uint64_t)(*p - '0') * scale;
			scale /= 10;
			have_frac = 1;
		}
		if (!have_frac)
			return errno = EINVAL, -1;
	}
	if (!have_whole && !have_frac)
		return errno = EINVAL, -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(p, units[i].suffix) != 0)
			continue;
		if (units[i].sec == 0) {
			/* Milliseconds: whole ms plus a fraction of one. */
			if (whole / 1000 > (uint64_t)DURATION_MAX_SEC)
				return errno = ERANGE, -1;
			out->tv_sec = (time_t)(whole / 1000);
			out->tv_nsec = (long)((whole % 1000) * 1000000 +
			    frac_ns / 1000);
		} else {
			uint64_t ns = frac_ns * units[i].sec;
			if (whole > (uint64_t)DURATION_MAX_SEC / units[i].sec)
				return errno = ERANGE, -1;
			whole = whole * units[i].sec + ns / 1000000000;
			if (whole > (uint64_t)DURATION_MAX_SEC)
				return errno = ERANGE, -1;
			out->tv_sec = (time_t)whole;
			out->tv_nsec = (long)(ns % 1000000000);
		}
		return 0;
	}
	return errno = EINVAL, -1;
}

int
parse_size(const char *s, uint64_t max, uint64_t *out)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {
		{ "", 0 }, { "K", 10 }, { "KiB", 10 }, { "M", 20 },
		{ "MiB", 20 }, { "G", 30 }, { "GiB", 30 }, { "T", 40 },
		{ "TiB", 40 },
	};
	const char *p = s;
	uint64_t v;

	if (scan_digits(&p, 10, &v) < 0)
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(p, units[i].suffix) != 0)
			continue;
		if (v > (UINT64_MAX >> units[i].shift))
			return errno = ERANGE, -1;
		v <<= units[i].shift;
		if (v > max)
			return errno = ERANGE, -1;
		*out = v;
		return 0;
	}
	return errno = EINVAL, -1;
}

int
parse_mode(const char *s, mode_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return errno = EINVAL, -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '7')
			return errno = EINVAL, -1;
		v = v * 8 + (uint64_t)(*p - '0');
		if (v > 07777)
			return errno = ERANGE, -1;
	}
	*out = (mode_t)v;
	return 0;
}

/* The standard signals, by number, as kill -l names them. */
static const char *const std_signals[] = {
	[SIGHUP] = "HUP", [SIGINT] = "INT", [SIGQUIT] = "QUIT",
	[SIGILL] = "ILL", [SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",
	[SIGBUS] = "BUS", [SIGFPE] = "FPE", [SIGKILL] = "KILL",
	[SIGUSR1] = "USR1", [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM", [SIGTERM] = "TERM",
	[SIGSTKFLT] = "STKFLT", [SIGCHLD] = "CHLD", [SIGCONT] = "CONT",
	[SIGSTOP] = "STOP", [SIGTSTP] = "TSTP", [SIGTTIN] = "TTIN",
	[SIGTTOU] = "TTOU", [SIGURG] = "URG", [SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",
	[SIGWINCH] = "WINCH", [SIGIO] = "IO", [SIGPWR] = "PWR",
	[SIGSYS] = "SYS",
};
#define STD_SIGNALS_END ((int)(sizeof std_signals / sizeof std_signals[0]))

/* Aliases users type, beside the names above. */
static const struct {
	const char *name;
	int sig;
} signal_aliases[] = {
	{ "IOT", SIGABRT }, { "CLD", SIGCHLD }, { "POLL", SIGIO },
};

static int
is_valid_signal(int sig)
{
	return (sig > 0 && sig < STD_SIGNALS_END && std_signals[sig]) ||
	    (sig >= SIGRTMIN && sig <= SIGRTMAX);
}

/* Parse the offset after "RTMIN" or "RTMAX": empty, "+N" or "-N". */
static int
parse_rt_signal(const char *rest, int base, int sign_allowed)
{
	uint64_t off = 0;

	if (*rest != '\0') {
		if (*rest != sign_allowed)
			return errno = EINVAL, -1;
		if (parse_number(rest + 1, 10, 0, (uint64_t)(SIGRTMAX - SIGRTMIN),
		    &off) < 0)
			return errno = EINVAL, -1;
	}
	return sign_allowed == '+' ? base + (int)off : base - (int)off;
}

int
parse_signal(const char *s)
{
	uint64_t num;
	const char *name = s;

	if (*s >= '0' && *s <= '9') {
		if (parse_number(s, 10, 1, (uint64_t)SIGRTMAX, &num) < 0 ||
		    !is_valid_signal((int)num))
			return errno = EINVAL, -1;
		return (int)num;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	if (strncasecmp(name, "RTMIN", 5) == 0)
		return parse_rt_signal(name + 5, SIGRTMIN, '+');
	if (strncasecmp(name, "RTMAX", 5) == 0)
		return parse_rt_signal(name + 5, SIGRTMAX, '-');
	for (int sig = 1; sig < STD_SIGNALS_END; sig++)
		if (std_signals[sig] && strcasecmp(name, std_signals[sig]) == 0)
			return sig;
	for (size_t i = 0; i < sizeof signal_aliases / sizeof signal_aliases[0];
	    i++)
		if (strcasecmp(name, signal_aliases[i].name) == 0)
			return signal_aliases[i].sig;
	return errno = EINVAL, -1;
}

const char *
signal_name(int sig, char *buf, size_t size)
{
	if (sig > 0 && sig < STD_SIGNALS_END && std_signals[sig])
		snprintf(buf, size, "%s", std_signals[sig]);
	else if (sig == SIGRTMIN)
		snprintf(buf, size, "RTMIN");
	else if (sig == SIGRTMAX)
		snprintf(buf, size, "RTMAX");
	else if (sig > SIGRTMIN && sig - SIGRTMIN <= (SIGRTMAX - SIGRTMIN) / 2)
		snprintf(buf, size, "RTMIN+%d", sig - SIGRTMIN);
	else if (sig > SIGRTMIN && sig < SIGRTMAX)
		snprintf(buf, size, "RTMAX-%d", SIGRTMAX - sig);
	else
		snprintf(buf, size, "%d", sig);
	return buf;
}

/* Exit 2 naming WHAT, the KIND of value expected and the value S. */
static void __attribute__((noreturn))
bad_value(const char *what, const char *kind, const char *s)
{
	if (errno == ERANGE)
		usage_error("%s: %s out of range: '%s'", what, kind, s);
	usage_error("%s: invalid %s: '%s'", what, kind, s);
}

struct timespec
duration_or_err(const char *what, const char *s)
{
	struct timespec ts;

	if (parse_duration(s, &ts) < 0)
		bad_value(what, "duration", s);
	return ts;
}

uint64_t
size_or_err(const char *what, const char *s, uint64_t max)
{
	uint64_t v;

	if (parse_size(s, max, &v) < 0)
		bad_value(what, "size", s);
	return v;
}

uint64_t
number_or_err(const char *what, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (parse_number(s, 0, min, max, &v) < 0) {
		if (errno == ERANGE)
			usage_error("%s: '%s' is out of range (%llu to %llu)",
			    what, s, (unsigned long long)min,
			    (unsigned long long)max);
		bad_value(what, "number", s);
	}
	return v;
}

mode_t
mode_or_err(const char *what, const char *s)
{
	mode_t m;

	if (parse_mode(s, &m) < 0)
		bad_value(what, "mode", s);
	return m;
}
