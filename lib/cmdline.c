/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "diag.h"

enum { OPT_VERSION = 'V', OPT_HELP = 'h' };

struct poptOption cmdline_common_options[] = {
	{ "version", 'V', POPT_ARG_NONE, NULL, OPT_VERSION,
	  "print the version and exit", NULL },
	{ NULL, 'h', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL, OPT_HELP,
	  "show this help message", NULL },
	POPT_TABLEEND
};

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

const char **
cmdline_parse_or_err(int argc, const char **argv,
    const struct poptOption *options, const char *operands)
{
	poptContext pc = poptGetContext(NULL, argc, argv, options, 0);
	const char **args;
	int rc;

	if (!pc)
		err(EXIT_FAIL, "out of memory");
	poptSetOtherOptionHelp(pc, operands);
	while ((rc = poptGetNextOpt(pc)) > 0) {
		if (rc == OPT_VERSION) {
			poptFreeContext(pc);
			print_version_and_exit();
		}
		if (rc == OPT_HELP) {
			poptPrintHelp(pc, stdout, 0);
			poptFreeContext(pc);
			exit(EXIT_OK);
		}
	}
	if (rc < -1) {
		/* Free the context first: a leak at exit turns exit 2 into 1
		 * under LeakSanitizer.  The option's text lives in it. */
		char bad[256];
		snprintf(bad, sizeof bad, "%s",
		    poptBadOption(pc, POPT_BADOPTION_NOALIAS));
		poptFreeContext(pc);
		usage_error("%s: %s", bad, poptStrerror(rc));
	}
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
