/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/parse: every parser at its edges. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "parse.h"
#include "tap.h"

static void
duration_ok(const char *s, long sec, long nsec)
{
	struct timespec ts = { -1, -1 };
	int rc = parse_duration(s, &ts);

	TAP_OK(rc == 0 && ts.tv_sec == sec && ts.tv_nsec == nsec,
	    "duration '%s' is %ld.%09ld s", s, sec, nsec);
}

static void
duration_bad(const char *s, int err)
{
	struct timespec ts;

	errno = 0;
	TAP_OK(parse_duration(s, &ts) == -1 && errno == err,
	    "duration '%s' refused with %s", s, strerror(err));
}

static void
size_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;

	TAP_OK(parse_size(s, UINT64_MAX, &v) == 0 && v == want,
	    "size '%s' is %llu", s, (unsigned long long)want);
}

static void
size_bad(const char *s, uint64_t max, int err)
{
	uint64_t v;

	errno = 0;
	TAP_OK(parse_size(s, max, &v) == -1 && errno == err,
	    "size '%s' refused with %s", s, strerror(err));
}

static void
number_case(const char *s, uint64_t min, uint64_t max, int err, uint64_t want)
{
	uint64_t v = 0;
	int rc;

	errno = 0;
	rc = parse_number(s, 0, min, max, &v);
	if (err)
		TAP_OK(rc == -1 && errno == err, "number '%s' refused with %s",
		    s, strerror(err));
	else
		TAP_OK(rc == 0 && v == want, "number '%s' is %llu", s,
		    (unsigned long long)want);
}

static void
signal_case(const char *s, int want)
{
	int sig = parse_signal(s);

	if (want < 0)
		TAP_OK(sig == -1 && errno == EINVAL, "signal '%s' refused", s);
	else
		TAP_OK(sig == want, "signal '%s' is %d (got %d)", s, want, sig);
}

static void
signal_name_case(int sig, const char *want)
{
	char buf[SIGNAL_NAME_MAX];

	TAP_OK(strcmp(signal_name(sig, buf, sizeof buf), want) == 0,
	    "signal %d is named %s (got %s)", sig, want, buf);
}

int
main(void)
{
	mode_t m = 0;

	duration_ok("0", 0, 0);
	duration_ok("1", 1, 0);
	duration_ok("0.25", 0, 250000000);
	duration_ok(".5", 0, 500000000);
	duration_ok("250ms", 0, 250000000);
	duration_ok("1.5ms", 0, 1500000);
	duration_ok("2m", 120, 0);
	duration_ok("1.5h", 5400, 0);
	duration_ok("3s", 3, 0);
	duration_ok("0.0000000019", 0, 1);
	duration_ok("2147483647", 2147483647L, 0);
	duration_bad("", EINVAL);
	duration_bad("-1", EINVAL);
	duration_bad("+1", EINVAL);
	duration_bad(" 1", EINVAL);
	duration_bad("1 ", EINVAL);
	duration_bad("1x", EINVAL);
	duration_bad("1sec", EINVAL);
	duration_bad(".", EINVAL);
	duration_bad("1.", EINVAL);
	duration_bad("ms", EINVAL);
	duration_bad("2147483648", ERANGE);
	duration_bad("99999999999999999999", ERANGE);
	duration_bad("999999999999h", ERANGE);

	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("1K", 1024);
	size_ok("1KiB", 1024);
	size_ok("3M", 3u << 20);
	size_ok("2G", 2ull << 30);
	size_ok("1TiB", 1ull << 40);
	size_bad("", UINT64_MAX, EINVAL);
	size_bad("-1", UINT64_MAX, EINVAL);
	size_bad(" 1", UINT64_MAX, EINVAL);
	size_bad("1 ", UINT64_MAX, EINVAL);
	size_bad("1k", UINT64_MAX, EINVAL);
	size_bad("1KB", UINT64_MAX, EINVAL);
	size_bad("1.5M", UINT64_MAX, EINVAL);
	size_bad("99999999999G", UINT64_MAX, ERANGE);
	size_bad("18446744073709551616", UINT64_MAX, ERANGE);
	size_bad("2K", 2047, ERANGE);

	number_case("0", 0, 10, 0, 0);
	number_case("10", 0, 10, 0, 10);
	number_case("0x1F", 0, 100, 0, 31);
	number_case("010", 0, 100, 0, 10);
	number_case("11", 0, 10, ERANGE, 0);
	number_case("0", 1, 10, ERANGE, 0);
	number_case("", 0, 10, EINVAL, 0);
	number_case("-1", 0, 10, EINVAL, 0);
	number_case(" 1", 0, 10, EINVAL, 0);
	number_case("1 ", 0, 10, EINVAL, 0);
	number_case("1a", 0, 10, EINVAL, 0);
	number_case("0x", 0, 10, EINVAL, 0);
	number_case("18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX);
	number_case("18446744073709551616", 0, UINT64_MAX, ERANGE, 0);

	TAP_OK(parse_mode("600", &m) == 0 && m == 0600, "mode 600");
	TAP_OK(parse_mode("0640", &m) == 0 && m == 0640, "mode 0640");
	TAP_OK(parse_mode("8", &m) == -1 && errno == EINVAL, "mode 8 refused");
	TAP_OK(parse_mode("", &m) == -1 && errno == EINVAL, "empty mode refused");
	TAP_OK(parse_mode("17777", &m) == -1 && errno == ERANGE,
	    "mode 17777 refused");
	TAP_OK(parse_mode("-600", &m) == -1, "mode -600 refused");

	signal_case("USR1", SIGUSR1);
	signal_case("SIGUSR1", SIGUSR1);
	signal_case("usr1", SIGUSR1);
	signal_case("sigterm", SIGTERM);
	signal_case("10", 10);
	signal_case("HUP", SIGHUP);
	signal_case("IOT", SIGABRT);
	signal_case("RTMIN", SIGRTMIN);
	signal_case("RTMIN+3", SIGRTMIN + 3);
	signal_case("SIGRTMAX-1", SIGRTMAX - 1);
	signal_case("RTMAX", SIGRTMAX);
	signal_case("rtmin+0", SIGRTMIN);
	signal_case("", -1);
	signal_case("0", -1);
	signal_case("-1", -1);
	signal_case("32", -1);
	signal_case("65", -1);
	signal_case("USR3", -1);
	signal_case("RTMIN-1", -1);
	signal_case("RTMAX+1", -1);
	signal_case("RTMIN+99", -1);
	signal_case("RTMIN+", -1);
	signal_case(" USR1", -1);
	signal_case("USR1 ", -1);
	signal_case("SIG", -1);

	signal_name_case(SIGUSR1, "USR1");
	signal_name_case(SIGRTMIN, "RTMIN");
	signal_name_case(SIGRTMIN + 3, "RTMIN+3");
	signal_name_case(SIGRTMAX - 1, "RTMAX-1");
	signal_name_case(SIGRTMAX, "RTMAX");
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		char buf[SIGNAL_NAME_MAX];
		if (sig > SIGSYS && sig < SIGRTMIN)
			continue;
		if (parse_signal(signal_name(sig, buf, sizeof buf)) != sig)
			TAP_OK(0, "signal %d round-trips through %s", sig, buf);
	}
	TAP_OK(1, "every signal's name parses back to it");
	return tap_done();
}
