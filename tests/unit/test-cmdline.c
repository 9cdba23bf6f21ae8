/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of lib/cmdline: options parsed, operands handed back as
 * ARGV's own words, the split at "--", and an unknown option ends in exit
 * 2 with the usage message -- also under LeakSanitizer, which turns an
 * exit with the popt context still allocated into exit 1.  --help lists
 * what it should, folded under 80 columns.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline.h"
#include "tap.h"

static int flag, hidden, grouped;
static char *value;

static struct poptOption group[] = {
	{ "grouped", '\0', POPT_ARG_NONE, &grouped, 0, "not listed", NULL },
	POPT_TABLEEND
};

static struct poptOption options[] = {
	{ "flag", 'f', POPT_ARG_NONE, &flag, 0, "a flag", NULL },
	{ "value", '\0', POPT_ARG_STRING, &value, 0,
	  "a description long enough that it cannot stay on one line of "
	  "eighty columns beside its label", "WORD" },
	{ "hidden", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &hidden, 0,
	  "never shown", NULL },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, group, 0,
	  "--grouped: see the manual", NULL },
	CMDLINE_COMMON_OPTIONS
	POPT_TABLEEND
};

static const struct cmdline_help help = {
	.synopsis = "X", .forms = "X: forms", .example = "test X",
};

/* Run cmdline_parse_or_err() on ARGV in a child; its exit status, and
 * what it wrote on descriptor FD (2 or 1) in BUF. */
static int
run_in_child(const char **argv, int argc, int fd, char *buf, size_t size)
{
	int p[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(p[1], fd);
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

/* The same, with its standard error in BUF. */
static int
parse_in_child(const char **argv, int argc, char *buf, size_t size)
{
	return run_in_child(argv, argc, 2, buf, size);
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

/* --help: the usage line, the forms, each listed option, a group as its
 * one line, nothing hidden, no line over 79 columns, the example. */
static void
test_help(void)
{
	const char *argv[] = { "test-cmdline", "--help", NULL };
	char buf[4096], *line;
	int longest = 0, status = run_in_child(argv, 2, 1, buf, sizeof buf);

	TAP_OK(status == 0, "--help exits 0");
	TAP_OK(strstr(buf, "Usage: test-cmdline X\nX: forms\n") &&
	    strstr(buf, "  -f, --flag ") && strstr(buf, "      --value=WORD ") &&
	    strstr(buf, "  --grouped: see the manual\n") &&
	    strstr(buf, "  -h, --help ") && strstr(buf, "      --usage ") &&
	    strstr(buf, "Example: test X\nSee test-cmdline(1).\n"),
	    "--help lists the synopsis, forms, options, group and example");
	TAP_OK(!strstr(buf, "hidden") && !strstr(buf, "not listed") &&
	    !strstr(buf, "-?"), "hidden options, a group's options, -? unlisted");
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if ((int)strlen(line) > longest)
			longest = (int)strlen(line);
	TAP_OK(longest <= 79, "no line over 79 columns (longest %d)", longest);
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
	test_help();
	test_split();
	return tap_done();
}
