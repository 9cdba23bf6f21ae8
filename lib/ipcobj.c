/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ipc.h>

#include "diag.h"
#include "ipcobj.h"
#include "parse.h"

/* Whether S starts as a number does: a digit, or a sign and a digit. */
static bool
looks_numeric(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	return *s >= '0' && *s <= '9';
}

/* Parse "PATH[:PROJ]" through ftok(3).  What follows the last colon is
 * PROJ when it looks like a number, and must then be one from 1 to 255
 * (ERANGE): ftok(3) uses only its low 8 bits, and 0 is no project. */
static int
parse_ftok(const char *spec, struct ipc_operand *op)
{
	char path[PATH_MAX];
	const char *colon = strrchr(spec, ':');
	uint64_t proj = 1;
	size_t len = strlen(spec);
	key_t key;

	if (colon && looks_numeric(colon + 1)) {
		if (parse_number(colon + 1, 0, 1, 255, &proj) < 0)
			return errno = ERANGE, -1;
		len = (size_t)(colon - spec);
	}
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
			return -1;	/* ERANGE for 0 (IPC_PRIVATE) too */
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

/* Exit 2 naming the number of TEXT that is out of its range. */
static void __attribute__((noreturn))
range_error(const char *text)
{
	uint64_t v;

	if (strncmp(text, "ftok:", 5) == 0)
		usage_error("%s: PROJ '%s' is not a number from 1 to 255", text,
		    strrchr(text, ':') + 1);
	if (strncmp(text, "key:", 4) == 0 &&
	    parse_number(text + 4, 0, 0, 0, &v) == 0)
		usage_error("%s: key 0 (IPC_PRIVATE) is never allowed: such "
		    "an object is reached by its id:ID", text);
	usage_error("%s: KEY is out of range (1 to 0xffffffff)", text);
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
	case ERANGE:
		range_error(text);
	case ENAMETOOLONG:
		usage_error("%s: name longer than %zu bytes", text,
		    name_max_len);
	default:
		usage_error("%s: %s", text, strerror(errno));
	}
}
