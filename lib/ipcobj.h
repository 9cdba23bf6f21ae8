/* SPDX-License-Identifier: MIT */
/*
 * ipcobj: the IPC operand of ipcutils(7), shared by mqsend, mqrecv, shmcat
 * and semop.
 *
 *   NAME, /NAME         POSIX object "/NAME" (one path component)
 *   key:KEY             System V object by key (decimal or 0x hex)
 *   id:ID               System V object by identifier, as ipcs prints it
 *   ftok:PATH[:PROJ]    System V object by ftok(PATH, PROJ), PROJ 1-255,
 *                       default 1
 *
 * A leading "/" always means POSIX.  Key 0 (IPC_PRIVATE) is refused: such
 * an object is reachable only by id.  After the last colon of an ftok:
 * operand, anything that starts like a number (a digit, or a sign and a
 * digit) is PROJ, never part of PATH.
 */
#ifndef IPCU_IPCOBJ_H
#define IPCU_IPCOBJ_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

/* The operand forms above as one line of --help, for an operand WHAT (a
 * string literal: "QUEUE", "SEM", ...). */
#define IPC_OPERAND_FORMS(WHAT) WHAT ": NAME or /NAME (POSIX), " \
	"key:KEY, id:ID, ftok:PATH[:PROJ] (System V)\n"

enum ipc_flavor { IPC_POSIX, IPC_SYSV };

struct ipc_operand {
	const char *text;		/* as the user typed it, for messages */
	enum ipc_flavor flavor;
	char name[NAME_MAX + 2];	/* POSIX: "/NAME" */
	bool by_id;			/* System V: id given, not a key */
	key_t key;			/* System V, unless by_id */
	int id;				/* System V, when by_id */
};

/*
 * Parse TEXT into OP.  NAME_MAX_LEN is the longest POSIX name the kind of
 * object allows, without the slash (semaphores lose 4 bytes to "sem.").
 * Return 0, or -1 with errno EINVAL (bad syntax), ERANGE (KEY 0 or past
 * 32 bits, PROJ not a number from 1 to 255), ENAMETOOLONG, or what ftok(3)
 * failed with (ENOENT for a missing path).
 */
int ipc_operand_parse(const char *text, size_t name_max_len,
    struct ipc_operand *op);

/* Parse TEXT or exit 2 with a message naming it. */
void ipc_operand_or_err(const char *text, size_t name_max_len,
    struct ipc_operand *op);

#endif
