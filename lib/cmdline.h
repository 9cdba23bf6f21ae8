/* SPDX-License-Identifier: MIT */
/*
 * cmdline: the command line every tool parses the same way, with popt.
 *
 * Each tool's option table ends with
 *
 *	CMDLINE_COMMON_OPTIONS
 *	POPT_AUTOHELP
 *	POPT_TABLEEND
 *
 * which adds -V, --version and -h (popt's POPT_AUTOHELP gives --help, -?
 * and --usage).  cmdline_parse_or_err() then parses the options, answers
 * --version and -h, turns a bad option into the usage-error shape of
 * diag.h, and hands back the operands; the popt context lives only inside
 * it.  popt configuration files are never read, so ~/.popt cannot change
 * how a script's command line is parsed.
 */
#ifndef IPCU_CMDLINE_H
#define IPCU_CMDLINE_H

#include <popt.h>

extern struct poptOption cmdline_common_options[];

#define CMDLINE_COMMON_OPTIONS \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, cmdline_common_options, 0, \
	  NULL, NULL },

/*
 * Parse ARGC/ARGV against OPTIONS; OPERANDS is the usage text after
 * "[OPTION]..." (further lines start "  or:  prog ...").  Print the version
 * or the help and exit 0 when asked; exit 2 on a bad option or value that
 * popt itself refuses.  Return the operands in their order, NULL-terminated:
 * ARGV's own words, moved to the front of ARGV's array (from ARGV[1] on),
 * so that nothing of the parse is left to free.  A word that a popt
 * callback handed back with poptStuffArgs() is returned as the word of
 * ARGV it copies.
 */
const char **cmdline_parse_or_err(int argc, const char **argv,
    const struct poptOption *options, const char *operands);

/*
 * Split ARGV (ARGC words) at its first "--" after ARGV[0], for a tool
 * that runs a COMMAND: return how many words come before it (ARGC when
 * there is none) and set *COMMAND to the words after it (NULL when there
 * is no "--"; an empty list when "--" ends ARGV).
 */
int cmdline_split_command(int argc, char **argv, char ***command);

#endif
