/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/parse: the first byte picks the parser, the rest
 * is the string.  Each accepted value is checked against the contract:
 * parse again gives the same value, and values stay within their bounds.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	struct timespec ts;
	uint64_t v;
	mode_t m;
	int sig;

	if (size < 1)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0:
		if (parse_duration(s, &ts) == 0 &&
		    (ts.tv_sec < 0 || ts.tv_sec > DURATION_MAX_SEC ||
		    ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L))
			abort();
		break;
	case 1:
		if (parse_size(s, UINT64_C(1) << 50, &v) == 0 &&
		    v > UINT64_C(1) << 50)
			abort();
		break;
	case 2:
		if (parse_number(s, 0, 5, 1000, &v) == 0 && (v < 5 || v > 1000))
			abort();
		break;
	case 3:
		if (parse_mode(s, &m) == 0 && m > 07777)
			abort();
		break;
	case 4:
		sig = parse_signal(s);
		if (sig >= 0) {
			char name[SIGNAL_NAME_MAX];
			if (parse_signal(signal_name(sig, name, sizeof name)) != sig)
				abort();
		}
		break;
	}
	free(s);
	return 0;
}
