/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/ipcobj: any string is either refused or gives
 * an operand whose POSIX name is "/" plus one non-empty path component.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipcobj.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_operand op;
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	if (ipc_operand_parse(s, NAME_MAX, &op) == 0 && op.flavor == IPC_POSIX &&
	    (op.name[0] != '/' || op.name[1] == '\0' ||
	    strchr(op.name + 1, '/') || strlen(op.name) > NAME_MAX + 1))
		abort();
	free(s);
	return 0;
}
