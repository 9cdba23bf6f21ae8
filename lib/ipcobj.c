/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/ipc.h>

#include "diag.h"
#include "ipcobj.h"
#include "parse.h"

/* Parse "PATH[:PROJ]" through ftok(3). */
static int
parse_ftok(const char *spec, struct ipc_operand *op)
{
	char path[PATH_MAX];
	const char *colon = strrchr(spec, ':');
	uint64_t proj = 1;
	size_t len = strlen(spec);
	key_t key;

	if (colon && parse_number(colon + 1, 0, 1, 255, &proj) == 0)
		len = (size_t)(colon - spec);
	if (len == 0)
		return errno = EINVAL, -1;
	if (len >= sizeof path)
		return errno = ENAMETOOLONG, -1;
	memcpy(path, spec, len);
	path[len] = '\0';
	key = ftok(path, (int)proj);
	if (key == -1)
		return -1;
	op->key = key;
	return 0;
}

int
ipc_operand_parse(const char *text, size_t name_max_len,
    struct ipc_operand *op)
{
	uint64_t v;
	const char *name;

	memset(op, 0, sizeof *op);
	op->text = text;
	if (text[0] != '/' && strncmp(text, "key:", 4) == 0) {
		op->flavor = IPC_SYSV;
		if (parse_number(text + 4, 0, 1, UINT32_MAX, &v) < 0)
			return errno = EINVAL, -1;
		op->key = (key_t)(uint32_t)v;
		return 0;
	}
	if (text[0] != '/' && strncmp(text, "id:", 3) == 0) {
		op->flavor = IPC_SYSV;
		op->by_id = true;
		if (parse_number(text + 3, 10, 0, INT_MAX, &v) < 0)
			return errno = EINVAL, -1;
		op->id = (int)v;
		return 0;
	}
	if (text[0] != '/' && strncmp(text, "ftok:", 5) == 0) {
		op->flavor = IPC_SYSV;
		return parse_ftok(text + 5, op);
	}
	op->flavor = IPC_POSIX;
	name = text[0] == '/' ? text + 1 : text;
	if (*name == '\0' || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return errno = EINVAL, -1;
	if (strlen(name) > name_max_len)
		return errno = ENAMETOOLONG, -1;
	op->name[0] = '/';
	strcpy(op->name + 1, name);
	return 0;
}

void
ipc_operand_or_err(const char *text, size_t name_max_len,
    struct ipc_operand *op)
{
	if (ipc_operand_parse(text, name_max_len, op) == 0)
		return;
	switch (errno) {
	case EINVAL:
		usage_error("invalid object '%s': expected NAME, key:KEY, "
		    "id:ID or ftok:PATH[:PROJ]", text);
	case ENAMETOOLONG:
		usage_error("%s: name longer than %zu bytes", text,
		    name_max_len);
	default:
		usage_error("%s: %s", text, strerror(errno));
	}
}
