/* SPDX-License-Identifier: MIT */
/*
 * cmdline: the command line every tool parses the same way, with popt.
 *
 * Each tool's option table ends with
 *
 *	CMDLINE_COMMON_OPTIONS
 *	POPT_TABLEEND
 *
 * which adds -h, --help (and -?, not shown), --usage and -V, --version.
 * cmdline_parse_or_err() then parses the options, answers those three,
 * turns a bad option into the usage-error shape of diag.h, and hands back
 * the operands; the popt context lives only inside it.  popt
 * configuration files are never read, so ~/.popt cannot change how a
 * script's command line is parsed.
 *
 * --help is written here, not by popt's auto-help, so that every tool's
 * fits one 80x24 screen in the same shape:
 *
 *	Usage: prog SYNOPSIS-LINE-1
 *	  or:  prog SYNOPSIS-LINE-2
 *	FORMS (the operand forms, a few lines)
 *	  -x, --long=ARG   description    (each option of the table)
 *	Example: EXAMPLE
 *	See prog(1).
 *
 * An option flagged POPT_ARGFLAG_DOC_HIDDEN is not listed.  An included
 * table (POPT_ARG_INCLUDE_TABLE) without a description is listed option
 * by option; one with a description is listed as that one line, indented
 * as an option, for a group of options that only the man page details
 * (e.g. "TLS: --cafile, --cert, ...: see sockcat(1)").  Keep
 * descriptions short: one that does not fit the line is folded onto the
 * next, which costs a line of the screen.
 */
#ifndef IPCU_CMDLINE_H
#define IPCU_CMDLINE_H

#include <popt.h>

extern struct poptOption cmdline_common_options[];

#define CMDLINE_COMMON_OPTIONS \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, cmdline_common_options, 0, \
	  NULL, NULL },

/* What a tool's --help says besides its options. */
struct cmdline_help {
	/* The forms of the man page's SYNOPSIS, without the program's
	 * name, one per line: "[OPTION]... QUEUE\n[OPTION]... QUEUE -- ..." */
	const char *synopsis;
	/* The operand forms, one or more lines, each under 80 columns. */
	const char *forms;
	/* One command line, printed after "Example: ". */
	const char *example;
	/* The tool runs a COMMAND given after "--": an unknown option
	 * after an operand gets the hint that COMMAND goes after "--". */
	int command;
};

/*
 * Parse ARGC/ARGV against OPTIONS.  Print the version, the help or the
 * usage (from HELP) and exit 0 when asked; exit 2 on a bad option or value
 * that popt itself refuses.  Return the operands in their order, NULL-terminated:
 * ARGV's own words, moved to the front of ARGV's array (from ARGV[1] on),
 * so that nothing of the parse is left to free.  A word that a popt
 * callback handed back with poptStuffArgs() is returned as the word of
 * ARGV it copies.
 */
const char **cmdline_parse_or_err(int argc, const char **argv,
    const struct poptOption *options, const struct cmdline_help *help);

/*
 * Split ARGV (ARGC words) at its first "--" after ARGV[0], for a tool
 * that runs a COMMAND: return how many words come before it (ARGC when
 * there is none) and set *COMMAND to the words after it (NULL when there
 * is no "--"; an empty list when "--" ends ARGV).
 */
int cmdline_split_command(int argc, char **argv, char ***command);

#endif
