/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "diag.h"

/* What poptGetNextOpt() returns for them; --usage has no letter. */
enum { OPT_VERSION = 'V', OPT_HELP = 'h', OPT_USAGE = 256 };

/* -? is popt's and GNU's old spelling of -h: it still works, unlisted. */
struct poptOption cmdline_common_options[] = {
	{ "help", 'h', POPT_ARG_NONE, NULL, OPT_HELP,
	  "print this help and exit", NULL },
	{ NULL, '?', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL, OPT_HELP,
	  NULL, NULL },
	{ "usage", '\0', POPT_ARG_NONE, NULL, OPT_USAGE,
	  "print a short usage message and exit", NULL },
	{ "version", 'V', POPT_ARG_NONE, NULL, OPT_VERSION,
	  "print the version and exit", NULL },
	POPT_TABLEEND
};

/* The widest line --help writes; one column short of the screen, so that
 * no terminal wraps it. */
enum { HELP_WIDTH = 79, LABEL_MAX = 30 };

/* Whether OPT ends its table. */
static int
table_end(const struct poptOption *opt)
{
	return !opt->longName && !opt->shortName && !opt->arg;
}

/* Whether OPT is listed by --help as an option of its own. */
static int
listed(const struct poptOption *opt)
{
	unsigned type = opt->argInfo & POPT_ARG_MASK;

	return type != POPT_ARG_CALLBACK && type != POPT_ARG_INCLUDE_TABLE &&
	    !(opt->argInfo & POPT_ARGFLAG_DOC_HIDDEN) &&
	    (opt->longName || opt->shortName);
}

/* Write OPT's left column, "  -x, --long=ARG", into BUF (SIZE bytes);
 * return its length. */
static int
option_label(const struct poptOption *opt, char *buf, size_t size)
{
	unsigned type = opt->argInfo & POPT_ARG_MASK;
	const char *arg = NULL;
	int optional = (opt->argInfo & POPT_ARGFLAG_OPTIONAL) != 0;
	int n;

	if (type != POPT_ARG_NONE && type != POPT_ARG_VAL)
		arg = opt->argDescrip ? opt->argDescrip : "ARG";
	if (!opt->longName)
		n = snprintf(buf, size, "  -%c%s%s", opt->shortName,
		    arg ? " " : "", arg ? arg : "");
	else
		n = snprintf(buf, size, "  %c%c%c --%s%s%s%s",
		    opt->shortName ? '-' : ' ',
		    opt->shortName ? opt->shortName : ' ',
		    opt->shortName ? ',' : ' ', opt->longName,
		    arg && optional ? "[=" : arg ? "=" : "", arg ? arg : "",
		    arg && optional ? "]" : "");
	return n < (int)size ? n : (int)size - 1;
}

/* The widest label of the options OPTIONS lists, tables included. */
static int
widest_label(const struct poptOption *options)
{
	char label[128];
	int w = 0, n;

	for (const struct poptOption *o = options; !table_end(o); o++) {
		if ((o->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE &&
		    !o->descrip)
			n = widest_label(o->arg);
		else if (listed(o))
			n = option_label(o, label, sizeof label);
		else
			continue;
		if (n > w)
			w = n;
	}
	return w;
}

/* Write the words of TEXT, the first at column AT (where the line stands),
 * folded at blanks so that no line passes HELP_WIDTH; continuation lines
 * start at column INDENT. */
static void
print_folded(const char *text, int at, int indent)
{
	for (int first = 1; *text; first = 0) {
		int len = (int)strcspn(text, " ");

		if (!first && at + 1 + len > HELP_WIDTH) {
			printf("\n%*s", indent, "");
			at = indent;
		} else if (!first) {
			putchar(' ');
			at++;
		}
		printf("%.*s", len, text);
		at += len;
		text += len;
		text += strspn(text, " ");
	}
	putchar('\n');
}

/* List OPTIONS, each description starting at column COL. */
static void
print_options(const struct poptOption *options, int col)
{
	char label[128];
	int n, at;

	for (const struct poptOption *o = options; !table_end(o); o++) {
		if ((o->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			if (o->descrip) {
				printf("  ");
				print_folded(o->descrip, 2, col);
			} else {
				print_options(o->arg, col);
			}
			continue;
		}
		if (!listed(o))
			continue;
		/* A label too wide for the column keeps two blanks after it. */
		n = option_label(o, label, sizeof label);
		at = n + 2 > col ? n + 2 : col;
		printf("%s%*s", label, at - n, "");
		print_folded(o->descrip ? o->descrip : "", at, col);
	}
}

/* Print the synopsis lines of HELP as "Usage: prog ..." and "  or:  prog
 * ...", starting with line FROM (0 or 1). */
static void
print_synopsis(const struct cmdline_help *help, int from)
{
	const char *s = help->synopsis;
	int i = 0;

	for (; *s; i++) {
		int len = (int)strcspn(s, "\n");

		if (i >= from)
			printf("%s%s %.*s\n", i == 0 ? "Usage: " : "  or:  ",
			    program_invocation_short_name, len, s);
		s += len;
		s += *s == '\n';
	}
}

/* Print the --help screen of a tool with OPTIONS and HELP. */
static void
print_help(const struct poptOption *options, const struct cmdline_help *help)
{
	int col = widest_label(options) + 2;

	if (col > LABEL_MAX)
		col = LABEL_MAX;
	print_synopsis(help, 0);
	printf("%s%s", help->forms,
	    help->forms[strlen(help->forms) - 1] == '\n' ? "" : "\n");
	print_options(options, col);
	printf("Example: %s\nSee %s(1).\n", help->example,
	    program_invocation_short_name);
}

/* Answer an option of cmdline_common_options (RC) by printing what it asks
 * for, and exit 0; return if RC is none of them. */
static void
answer_common(poptContext pc, int rc, const struct poptOption *options,
    const struct cmdline_help *help)
{
	if (rc == OPT_VERSION) {
		poptFreeContext(pc);
		print_version_and_exit();
	}
	if (rc == OPT_HELP)
		print_help(options, help);
	else if (rc == OPT_USAGE) {
		poptPrintUsage(pc, stdout, 0);
		print_synopsis(help, 1);
	} else
		return;
	poptFreeContext(pc);
	exit(EXIT_OK);
}

/* The word of ARGV (ARGC words) that S is, or else one it is a copy of. */
static const char *
argv_word(int argc, const char **argv, const char *s)
{
	for (int i = 1; i < argc; i++)
		if (argv[i] == s)
			return argv[i];
	for (int i = 1; i < argc; i++)
		if (argv[i] && strcmp(argv[i], s) == 0)
			return argv[i];
	return s;
}

/*
 * Move the operands PC has left to the front of ARGV, NULL-terminated.
 * Operand K comes from ARGV[K + 1] or later, so writing ARGV[K + 1]
 * never overwrites a word a later operand still has to be found in.
 */
static const char **
take_operands(poptContext pc, int argc, const char **argv)
{
	const char **left = poptGetArgs(pc);
	int n = 0;

	while (left && left[n]) {
		argv[n + 1] = argv_word(argc, argv, left[n]);
		n++;
	}
	argv[n + 1] = NULL;
	return argv + 1;
}

/* Report the bad option popt stopped at with RC, and exit 2.  After an
 * operand, an unknown option of a tool that runs a COMMAND is most likely
 * the COMMAND's own ("sigwaitfor USR1 sh -c ..."): say where it goes. */
static void __attribute__((noreturn))
bad_option(poptContext pc, int rc, const struct cmdline_help *help)
{
	const char *hint = "";
	char bad[256];

	if (rc == POPT_ERROR_BADOPT && help->command && poptGetArgs(pc))
		hint = " (a COMMAND goes after '--')";
	/* Free the context first: a leak at exit turns exit 2 into 1 under
	 * LeakSanitizer.  The option's text lives in it. */
	snprintf(bad, sizeof bad, "%s",
	    poptBadOption(pc, POPT_BADOPTION_NOALIAS));
	poptFreeContext(pc);
	usage_error("%s: %s%s", bad, poptStrerror(rc), hint);
}

const char **
cmdline_parse_or_err(int argc, const char **argv,
    const struct poptOption *options, const struct cmdline_help *help)
{
	poptContext pc = poptGetContext(NULL, argc, argv, options, 0);
	/* --usage's last words: the first synopsis line. */
	char first[256];
	const char **args;
	int rc;

	if (!pc)
		err(EXIT_FAIL, "out of memory");
	snprintf(first, sizeof first, "%.*s",
	    (int)strcspn(help->synopsis, "\n"), help->synopsis);
	poptSetOtherOptionHelp(pc, first);
	while ((rc = poptGetNextOpt(pc)) > 0)
		answer_common(pc, rc, options, help);
	if (rc < -1)
		bad_option(pc, rc, help);
	args = take_operands(pc, argc, argv);
	poptFreeContext(pc);
	return args;
}

int
cmdline_split_command(int argc, char **argv, char ***command)
{
	*command = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			*command = argv + i + 1;
			return i;
		}
	}
	return argc;
}
