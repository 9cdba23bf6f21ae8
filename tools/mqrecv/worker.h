/* SPDX-License-Identifier: MIT */
/*
 * worker: mqrecv's worker mode, "mqrecv [OPTION]... QUEUE --
 * COMMAND [ARG]...", linked into mqrecv only.
 *
 * Each message runs COMMAND once, on its standard input; it is consumed
 * when COMMAND exits 0 and put back otherwise, to be tried again after a
 * growing delay.  mqrecv.c parses the shared options and the operand and
 * hands them over with worker_run(); the options only this mode has
 * (-j, --max-attempts, --dead-letter) live here, in a popt table that
 * mqrecv's own table includes.
 */
#ifndef IPCU_MQRECV_WORKER_H
#define IPCU_MQRECV_WORKER_H

#include <popt.h>

#include "ipcobj.h"
#include "msgq.h"

extern struct poptOption worker_options[];
#define WORKER_OPTIONS \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, worker_options, 0, \
	  NULL, NULL },

/* What mqrecv.c parsed for the worker. */
struct worker_setup {
	const struct ipc_operand *queue;	/* QUEUE */
	const struct msgq_create *create;	/* -c and its attributes */
	long type;				/* -T, System V */
	const char *count;			/* -n as typed, or NULL */
	const char *timeout;			/* -t as typed, or NULL */
	char **command;				/* COMMAND [ARG]... */
};

/* The first option of this mode that was given ("-j", ...), or NULL: for
 * the usage error of one given without a COMMAND. */
const char *worker_option_given(void);

/* Check the values of this mode's options against QUEUE, or exit 2. */
void worker_check_or_err(const struct ipc_operand *queue);

/* Run the worker.  Return its exit status, or die by the signal that
 * stopped it, as mqrecv(1) says. */
int worker_run(const struct worker_setup *s);

#endif
