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
 * --version and -h, and turns a bad option into the usage-error shape of
 * diag.h.  popt configuration files are never read, so ~/.popt cannot
 * change how a script's command line is parsed.
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
 * popt itself refuses.  Return the context, its operands left for
 * poptGetArg(); free it with poptFreeContext().
 */
poptContext cmdline_parse_or_err(int argc, const char **argv,
    const struct poptOption *options, const char *operands);

/*
 * The context cmdline_parse_or_err() last returned.  A tool keeps its
 * context to the end (its operands live in it); this reference keeps it
 * reachable for LeakSanitizer even where the compiler has turned the
 * tool's own variable into a register, so that an exit is not a leak.
 */
extern poptContext cmdline_context;

#endif
