/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of lib/cmdline: options parsed, operands handed back as
 * ARGV's own words, the split at "--", and an unknown option ends in exit
 * 2 with the usage message -- also under LeakSanitizer, which turns an
 * exit with the popt context still allocated into exit 1.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline.h"
#include "tap.h"

static int flag;

static struct poptOption options[] = {
	{ "flag", 'f', POPT_ARG_NONE, &flag, 0, "a flag", NULL },
	CMDLINE_COMMON_OPTIONS
	POPT_TABLEEND
};

static const struct cmdline_help help = {
	.synopsis = "X", .forms = "X: forms", .example = "test X",
};

/* Run cmdline_parse_or_err() on ARGV in a child; its exit status, and
 * its standard error in BUF. */
static int
parse_in_child(const char **argv, int argc, char *buf, size_t size)
{
	int p[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(p[1], 2);
		close(p[0]);
		cmdline_parse_or_err(argc, argv, options, &help);
		_exit(flag ? 0 : 3);
	}
	close(p[1]);
	while ((n = read(p[0], buf + got, size - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The operands of a command line with options between them come back in
 * order, as ARGV's words, and nothing is left allocated. */
static void
test_operands(void)
{
	const char *argv[] = { "test", "a", "-f", "b", "--", "-c", NULL };
	const char *words[] = { argv[1], argv[3], argv[5] };
	const char **ops = cmdline_parse_or_err(6, argv, options, &help);

	TAP_OK(ops == argv + 1 && ops[0] == words[0] && ops[1] == words[1] &&
	    ops[2] == words[2] && !ops[3], "operands a, b, -c in order");
}

/* The split at the first "--" after ARGV[0]. */
static void
test_split(void)
{
	char *with[] = { "t", "-f", "--", "cmd", "--", NULL };
	char *bare[] = { "t", "x", "--", NULL };
	char *none[] = { "t", "x", NULL };
	char **command;

	TAP_OK(cmdline_split_command(5, with, &command) == 2 &&
	    command == with + 3, "COMMAND after the first --");
	TAP_OK(cmdline_split_command(3, bare, &command) == 2 && command &&
	    !command[0], "an empty COMMAND after a last --");
	TAP_OK(cmdline_split_command(2, none, &command) == 2 && !command,
	    "no --, no COMMAND");
}

int
main(void)
{
	const char *good[] = { "test-cmdline", "-f", NULL };
	const char *bogus[] = { "test-cmdline", "--bogus", NULL };
	char buf[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	TAP_OK(parse_in_child(good, 2, buf, sizeof buf) == 0,
	    "-f is parsed");
	TAP_OK(parse_in_child(bogus, 2, buf, sizeof buf) == 2,
	    "an unknown option exits 2");
	TAP_OK(strstr(buf, "--bogus: unknown option") &&
	    strstr(buf, "--help' for more information"),
	    "with the usage message: %.60s", buf);
	test_operands();
	test_split();
	return tap_done();
}
