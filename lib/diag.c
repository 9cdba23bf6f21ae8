/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

void
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n",
	    program_invocation_short_name);
	exit(EXIT_USAGE);
}

/* Whether stdout had something buffered or written (glibc's FILE state). */
static int
stdout_was_used(void)
{
	return __fpending(stdout) > 0 || ferror(stdout);
}

void
close_stdout(void)
{
	int pending = stdout_was_used();
	/* A flush that failed earlier (an fflush() whose result went
	 * unchecked) left the error flag but may have left nothing for
	 * fclose() to fail on. */
	int failed_before = ferror(stdout);

	errno = 0;
	if (fclose(stdout) != 0 || failed_before) {
		/* EBADF on a closed stdout only matters if data was lost. */
		if (!(errno == EBADF && !pending)) {
			int saved = errno;
			if (saved)
				fprintf(stderr, "%s: write error: %s\n",
				    program_invocation_short_name, strerror(saved));
			else
				fprintf(stderr, "%s: write error\n",
				    program_invocation_short_name);
			_exit(EXIT_FAIL);
		}
	}
	if (fclose(stderr) != 0 && errno != EBADF)
		_exit(EXIT_FAIL);
}

void
print_version_and_exit(void)
{
	printf("%s (%s) %s\n", program_invocation_short_name, PACKAGE_NAME,
	    PACKAGE_VERSION);
	exit(EXIT_OK);
}
