/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cmdline.h"
#include "diag.h"

enum { OPT_VERSION = 'V', OPT_HELP = 'h' };

poptContext cmdline_context;

struct poptOption cmdline_common_options[] = {
	{ "version", 'V', POPT_ARG_NONE, NULL, OPT_VERSION,
	  "print the version and exit", NULL },
	{ NULL, 'h', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL, OPT_HELP,
	  "show this help message", NULL },
	POPT_TABLEEND
};

poptContext
cmdline_parse_or_err(int argc, const char **argv,
    const struct poptOption *options, const char *operands)
{
	poptContext pc = poptGetContext(NULL, argc, argv, options, 0);
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
	cmdline_context = pc;
	return pc;
}
