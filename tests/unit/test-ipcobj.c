/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/ipcobj: the IPC operand syntax. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/ipc.h>

#include "ipcobj.h"
#include "tap.h"

static void
posix_ok(const char *text, const char *name)
{
	struct ipc_operand op;

	TAP_OK(ipc_operand_parse(text, NAME_MAX, &op) == 0 &&
	    op.flavor == IPC_POSIX && strcmp(op.name, name) == 0,
	    "'%s' is POSIX %s", text, name);
}

static void
bad(const char *text, size_t max, int err)
{
	struct ipc_operand op;

	errno = 0;
	TAP_OK(ipc_operand_parse(text, max, &op) == -1 && errno == err,
	    "'%s' refused with %s", text, strerror(err));
}

int
main(void)
{
	struct ipc_operand op;
	char longname[NAME_MAX + 2];

	posix_ok("jobs", "/jobs");
	posix_ok("/jobs", "/jobs");
	posix_ok("/key:x", "/key:x");
	posix_ok("a.b-c_d", "/a.b-c_d");

	TAP_OK(ipc_operand_parse("key:0x51", NAME_MAX, &op) == 0 &&
	    op.flavor == IPC_SYSV && !op.by_id && op.key == 0x51, "key:0x51");
	TAP_OK(ipc_operand_parse("key:81", NAME_MAX, &op) == 0 && op.key == 81,
	    "key:81 is decimal");
	TAP_OK(ipc_operand_parse("key:0xffffffff", NAME_MAX, &op) == 0 &&
	    op.key == (key_t)-1, "key:0xffffffff is the full 32 bits");
	TAP_OK(ipc_operand_parse("id:0", NAME_MAX, &op) == 0 && op.by_id &&
	    op.id == 0, "id:0");
	TAP_OK(ipc_operand_parse("id:32768", NAME_MAX, &op) == 0 &&
	    op.id == 32768, "id:32768");
	TAP_OK(ipc_operand_parse("ftok:/:7", NAME_MAX, &op) == 0 &&
	    op.key == ftok("/", 7), "ftok:/:7");
	TAP_OK(ipc_operand_parse("ftok:/", NAME_MAX, &op) == 0 &&
	    op.key == ftok("/", 1), "ftok:/ defaults PROJ to 1");
	TAP_OK(ipc_operand_parse("ftok:/:255", NAME_MAX, &op) == 0 &&
	    op.key == ftok("/", 255), "ftok:/:255, the largest PROJ");
	TAP_OK(ipc_operand_parse("ftok:/:0x10", NAME_MAX, &op) == 0 &&
	    op.key == ftok("/", 16), "ftok:/:0x10 is hexadecimal");

	bad("", NAME_MAX, EINVAL);
	bad("/", NAME_MAX, EINVAL);
	bad("a/b", NAME_MAX, EINVAL);
	bad("/a/b", NAME_MAX, EINVAL);
	bad("..", NAME_MAX, EINVAL);
	bad("key:", NAME_MAX, EINVAL);
	bad("key:xyz", NAME_MAX, EINVAL);
	bad("key:0", NAME_MAX, ERANGE);
	bad("key:0x0", NAME_MAX, ERANGE);
	bad("key:-1", NAME_MAX, EINVAL);
	bad("key: 1", NAME_MAX, EINVAL);
	bad("key:1 ", NAME_MAX, EINVAL);
	bad("key:0x100000000", NAME_MAX, ERANGE);
	bad("id:-1", NAME_MAX, EINVAL);
	bad("id:", NAME_MAX, EINVAL);
	bad("id:2147483648", NAME_MAX, EINVAL);
	bad("id:0x10", NAME_MAX, EINVAL);
	bad("ftok:", NAME_MAX, EINVAL);
	bad("ftok:/nonexistent/ipcutils-test", NAME_MAX, ENOENT);
	bad("ftok:/tmp:0", NAME_MAX, ERANGE);
	bad("ftok:/tmp:256", NAME_MAX, ERANGE);
	bad("ftok:/tmp:-1", NAME_MAX, ERANGE);
	bad("ftok:/tmp:9x", NAME_MAX, ERANGE);
	bad("ftok::7", NAME_MAX, EINVAL);
	/* Only what looks like a number is PROJ; the rest is PATH. */
	bad("ftok:/nonexistent:x", NAME_MAX, ENOENT);
	memset(longname, 'n', NAME_MAX + 1);
	longname[NAME_MAX + 1] = '\0';
	bad(longname, NAME_MAX, ENAMETOOLONG);
	bad("abcdefgh", 4, ENAMETOOLONG);
	return tap_done();
}
