/* SPDX-License-Identifier: MIT */
/*
 * semop: operate on a POSIX named semaphore or a System V semaphore set.
 *
 * Reads the OPs on the command line and applies them in order: "wait",
 * "post", "get" (prints the value on standard output), "zero" (System V),
 * and runs of "N:+K", "N:-K", "N:0" that go to the kernel as one atomic
 * semop(2).  With "-- COMMAND" it takes one unit, runs COMMAND, gives the
 * unit back however COMMAND ends and exits with COMMAND's status (128+N
 * when a signal N killed it, 126/127 when it could not be run).  Exits 0
 * on success, 1 on failure, 2 on a usage error with nothing changed, and
 * 124 (or the -E code) when -t expired first, again with nothing changed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <popt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "deadline.h"
#include "diag.h"
#include "ipcobj.h"
#include "parse.h"
#include "ipcsem.h"

static int opt_create;			/* -c: create if missing */
static char *opt_create_value;		/* --create=VALUE (also -c N) */
static char *opt_nsems;			/* --nsems: semaphores in a new set */
static char *opt_mode;			/* --mode: permissions of a new one */
static char *opt_timeout;		/* -t: bound on every wait */
static char *opt_conflict;		/* -E: exit status on timeout */
static int opt_no_fork;			/* -F: exec COMMAND in place */
static int opt_verbose;			/* -v: report wait times */
static int opt_stat;			/* --stat: print attributes */
static int opt_unlink;			/* --unlink: remove at the end */

enum op_kind { OP_WAIT, OP_POST, OP_GET, OP_ZERO, OP_LIST };

struct op {
	enum op_kind kind;
	const char *text;		/* the first word, for messages */
	struct sembuf *sops;		/* OP_LIST: the atomic run */
	size_t nsops;
};

static volatile sig_atomic_t got_signal;	/* last signal received */
static volatile pid_t child_pid;		/* COMMAND, to forward to */

/* Forward INT, TERM and HUP to COMMAND, which decides what they mean. */
static void
forward_signal(int sig)
{
	got_signal = sig;
	if (child_pid > 0)
		kill(child_pid, sig);
}

/* Return the kernel's SEMOPM, the most operations one semop(2) takes. */
static size_t
semopm(void)
{
	unsigned long msl, mns, opm = 0, mni;
	FILE *f = fopen("/proc/sys/kernel/sem", "re");

	if (f) {
		if (fscanf(f, "%lu %lu %lu %lu", &msl, &mns, &opm, &mni) != 4)
			opm = 0;
		fclose(f);
	}
	return opm ? (size_t)opm : 500;
}

/* Parse one "N:+K", "N:-K" or "N:0" word into SOP or exit 2. */
static void
parse_list_op(const char *w, struct sembuf *sop)
{
	const char *colon = strchr(w, ':');
	char num[16];
	uint64_t n, k = 0;
	size_t len = colon ? (size_t)(colon - w) : 0;
	int sign = 0;

	if (!colon || len == 0 || len >= sizeof num)
		usage_error("invalid OP '%s': expected wait, post, get, zero, "
		    "N:+K, N:-K or N:0", w);
	memcpy(num, w, len);
	num[len] = '\0';
	if (parse_number(num, 10, 0, USHRT_MAX, &n) < 0)
		usage_error("invalid OP '%s': bad semaphore number", w);
	if (colon[1] == '+' || colon[1] == '-')
		sign = colon[1] == '+' ? 1 : -1;
	if (parse_number(colon + 1 + (sign != 0), 10, 0, UINT64_MAX, &k) < 0)
		usage_error("invalid OP '%s': expected N:+K, N:-K or N:0", w);
	if ((sign == 0) != (k == 0) || (k == 0 && colon[2] != '\0'))
		usage_error("invalid OP '%s': expected N:+K, N:-K or N:0", w);
	if (k > IPCU_SEMVMX)
		usage_error("OP '%s': %llu is over the largest semaphore value "
		    "%d", w, (unsigned long long)k, IPCU_SEMVMX);
	sop->sem_num = (unsigned short)n;
	sop->sem_op = (short)(sign * (int)k);
	sop->sem_flg = 0;
}

/* Parse the OP words into OPS (runs of N: words merged), exit 2 on any
 * bad one; FLAVOR decides which OPs exist.  Return the count. */
static size_t
parse_ops(const char **words, size_t n, enum ipc_flavor flavor,
    struct op *ops)
{
	size_t count = 0, max = semopm();

	for (size_t i = 0; i < n; i++) {
		const char *w = words[i];
		struct op *op = &ops[count];

		op->text = w;
		op->sops = NULL;
		op->nsops = 0;
		if (strcmp(w, "wait") == 0)
			op->kind = OP_WAIT;
		else if (strcmp(w, "post") == 0)
			op->kind = OP_POST;
		else if (strcmp(w, "get") == 0)
			op->kind = OP_GET;
		else if (strcmp(w, "zero") == 0)
			op->kind = OP_ZERO;
		else
			op->kind = OP_LIST;
		if (flavor == IPC_POSIX &&
		    (op->kind == OP_ZERO || op->kind == OP_LIST))
			usage_error("OP '%s' needs a System V semaphore set "
			    "(key:, id: or ftok:)", w);
		if (op->kind != OP_LIST) {
			count++;
			continue;
		}
		/* Merge this run of N: words into one atomic operation. */
		size_t j = i;
		while (j < n && strchr(words[j], ':'))
			j++;
		if (j == i)
			j = i + 1;
		if (j - i > max)
			usage_error("%zu operations in one atomic run; the "
			    "kernel takes at most %zu (SEMOPM)", j - i, max);
		op->sops = calloc(j - i, sizeof *op->sops);
		if (!op->sops)
			err(EXIT_FAIL, "out of memory");
		for (size_t k = i; k < j; k++)
			parse_list_op(words[k], &op->sops[op->nsops++]);
		i = j - 1;
		count++;
	}
	return count;
}

/* Exit 2 unless every semaphore number in OPS is below NSEMS. */
static void
check_semnums(const struct op *ops, size_t nops, int nsems, const char *sem)
{
	for (size_t i = 0; i < nops; i++)
		for (size_t k = 0; k < ops[i].nsops; k++)
			if (ops[i].sops[k].sem_num >= nsems)
				usage_error("OP '%s': semaphore %u is out of "
				    "range: %s has %d (0 to %d)",
				    ops[i].text, ops[i].sops[k].sem_num, sem,
				    nsems, nsems - 1);
}

/* Print "semop: SEM: waited S" on stderr, the time since START. */
static void
report_wait(const char *sem, const struct timespec *start)
{
	struct timespec now;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &now);
	s = (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
	warnx("%s: waited %.6f s", sem, s);
}

/* Exit with the conflict status after a timeout, telling with -v. */
static void __attribute__((noreturn))
timed_out(const char *sem, int code)
{
	if (opt_verbose)
		warnx("%s: timed out", sem);
	exit(code);
}

/* Print the semaphore's attributes as key=value lines. */
static void
print_stat(struct ipc_sem *s)
{
	const struct ipc_operand *op = s->op;
	int v;

	if (op->flavor == IPC_POSIX) {
		char path[NAME_MAX + 16];
		struct stat st;

		snprintf(path, sizeof path, "/dev/shm/sem.%s", op->name + 1);
		if (ipc_sem_getvalue(s, 0, &v) < 0)
			err(EXIT_FAIL, "%s", op->text);
		printf("name=%s\nvalue=%d\n", op->name, v);
		if (stat(path, &st) == 0)
			printf("mode=%04o\nuid=%u\ngid=%u\nctime=%lld\n",
			    (unsigned)(st.st_mode & 07777), st.st_uid,
			    st.st_gid, (long long)st.st_ctime);
		return;
	}
	struct semid_ds ds;
	union { int val; struct semid_ds *buf; } arg = { .buf = &ds };

	if (semctl(s->id, 0, IPC_STAT, arg) < 0)
		err(EXIT_FAIL, "%s", op->text);
	printf("key=0x%08x\nid=%d\nnsems=%lu\nmode=%04o\nuid=%u\ngid=%u\n"
	    "cuid=%u\ncgid=%u\notime=%lld\nctime=%lld\n",
	    (unsigned)ds.sem_perm.__key, s->id, (unsigned long)ds.sem_nsems,
	    (unsigned)(ds.sem_perm.mode & 0777), ds.sem_perm.uid,
	    ds.sem_perm.gid, ds.sem_perm.cuid, ds.sem_perm.cgid,
	    (long long)ds.sem_otime, (long long)ds.sem_ctime);
	for (int i = 0; i < (int)ds.sem_nsems; i++) {
		if (ipc_sem_getvalue(s, i, &v) < 0)
			err(EXIT_FAIL, "%s", op->text);
		if (i == 0)
			printf("value=%d\n", v);
		printf("value%d=%d\n", i, v);
	}
}

/* Apply OPS in order; exit CONFLICT on timeout, 1 on failure. */
static void
run_ops(struct ipc_sem *s, struct op *ops, size_t nops,
    const struct deadline *dl, int conflict)
{
	for (size_t i = 0; i < nops; i++) {
		struct op *op = &ops[i];
		struct sembuf zero = { 0, 0, 0 };
		struct timespec start;
		int rc = 0, v;

		clock_gettime(CLOCK_MONOTONIC, &start);
		switch (op->kind) {
		case OP_WAIT:
			rc = ipc_sem_acquire(s, false, dl, NULL);
			break;
		case OP_POST:
			rc = ipc_sem_release(s, false);
			break;
		case OP_ZERO:
			rc = ipc_sem_apply(s, &zero, 1, dl, NULL);
			break;
		case OP_LIST:
			rc = ipc_sem_apply(s, op->sops, op->nsops, dl, NULL);
			break;
		case OP_GET:
			for (int k = 0; k < s->nsems; k++) {
				if (ipc_sem_getvalue(s, k, &v) < 0)
					err(EXIT_FAIL, "%s", s->op->text);
				printf(k ? " %d" : "%d", v);
			}
			putchar('\n');
			continue;
		}
		if (rc < 0 && errno == ETIMEDOUT)
			timed_out(s->op->text, conflict);
		if (rc < 0 && (errno == EOVERFLOW || errno == ERANGE))
			errx(EXIT_FAIL, "%s: %s: the value would pass %u",
			    s->op->text, op->text,
			    ipc_sem_value_max(s->op->flavor));
		if (rc < 0 && errno == EIDRM)
			errx(EXIT_FAIL, "%s: removed while waiting", s->op->text);
		if (rc < 0)
			err(EXIT_FAIL, "%s: %s", s->op->text, op->text);
		if (opt_verbose && op->kind != OP_POST)
			report_wait(s->op->text, &start);
	}
}

/* Exec ARGV in this process; on failure exit 127 if it was not found,
 * else 126. */
static void __attribute__((noreturn))
exec_command(char **argv)
{
	execvp(argv[0], argv);
	warn("%s", argv[0]);
	_exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/* Run ARGV in a child with INT/TERM/HUP forwarded and return the exit
 * status the shell would report for it. */
static int
run_command(char **argv)
{
	static const int fwd[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = forward_signal }, old[3];
	sigset_t block, saved;
	int status;
	pid_t pid;

	/* Block first, so a signal before the handlers are in place is not
	 * lost and none kills us before we can forward it. */
	sigemptyset(&block);
	for (int i = 0; i < 3; i++)
		sigaddset(&block, fwd[i]);
	sigprocmask(SIG_BLOCK, &block, &saved);
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(fwd[i], &sa, &old[i]);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		warn("fork");
		status = EXIT_CANNOT_RUN;
		goto out;
	}
	if (pid == 0) {
		for (int i = 0; i < 3; i++)
			sigaction(fwd[i], &old[i], NULL);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		exec_command(argv);
	}
	child_pid = pid;
	sigprocmask(SIG_SETMASK, &saved, NULL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			err(EXIT_FAIL, "waitpid");
	child_pid = 0;
	if (WIFSIGNALED(status))
		status = 128 + WTERMSIG(status);
	else
		status = WEXITSTATUS(status);
out:
	for (int i = 0; i < 3; i++)
		sigaction(fwd[i], &old[i], NULL);
	return status;
}

/*
 * Split ARGV at the first "--" into popt's part and COMMAND, and turn
 * "-c N", "-cN", "--create N" and "--create=N" into the hidden
 * --create-value=N, as popt's optional arguments would swallow SEM.
 */
static int
prescan(int argc, char **argv, const char **out, char ***command)
{
	static const char *const takes_value[] = {
		"-t", "--timeout", "-E", "--conflict-exit-code", "--nsems",
		"--mode",
	};
	static char buf[64];
	int n = 0;
	uint64_t dummy;

	*command = NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool value_next = false;

		if (i > 0 && strcmp(a, "--") == 0) {
			*command = &argv[i + 1];
			break;
		}
		for (size_t k = 0; k < sizeof takes_value / sizeof *takes_value;
		    k++)
			if (strcmp(a, takes_value[k]) == 0)
				value_next = true;
		if ((strcmp(a, "-c") == 0 || strcmp(a, "--create") == 0) &&
		    i + 1 < argc &&
		    parse_number(argv[i + 1], 10, 0, UINT64_MAX, &dummy) == 0) {
			opt_create_value = argv[++i];
			a = "--create";
		} else if (strncmp(a, "--create=", 9) == 0) {
			opt_create_value = (char *)a + 9;
			a = "--create";
		} else if (strncmp(a, "-c", 2) == 0 && a[2] >= '0' &&
		    a[2] <= '9') {
			snprintf(buf, sizeof buf, "%s", a + 2);
			opt_create_value = buf;
			a = "--create";
		}
		out[n++] = a;
		if (value_next && i + 1 < argc)
			out[n++] = argv[++i];
	}
	out[n] = NULL;
	return n;
}

int
main(int argc, char **argv)
{
	struct poptOption options[] = {
		{ "create", 'c', POPT_ARG_NONE, &opt_create, 0,
		  "create SEM if missing, with VALUE (default 1)", "[VALUE]" },
		{ "nsems", '\0', POPT_ARG_STRING, &opt_nsems, 0,
		  "semaphores in a new System V set (default 1)", "N" },
		{ "mode", '\0', POPT_ARG_STRING, &opt_mode, 0,
		  "permissions of a new semaphore (default 0600)", "MODE" },
		{ "timeout", 't', POPT_ARG_STRING, &opt_timeout, 0,
		  "give up any wait after DURATION (exit 124)", "DURATION" },
		{ "conflict-exit-code", 'E', POPT_ARG_STRING, &opt_conflict, 0,
		  "exit status when the timeout expires (default 124)", "N" },
		{ "no-fork", 'F', POPT_ARG_NONE, &opt_no_fork, 0,
		  "exec COMMAND in place (System V: the undo survives)", NULL },
		{ "verbose", 'v', POPT_ARG_NONE, &opt_verbose, 0,
		  "report how long each wait took", NULL },
		{ "stat", '\0', POPT_ARG_NONE, &opt_stat, 0,
		  "print the semaphore's attributes as key=value lines", NULL },
		{ "unlink", '\0', POPT_ARG_NONE, &opt_unlink, 0,
		  "remove the semaphore at the end", NULL },
		CMDLINE_COMMON_OPTIONS
		POPT_AUTOHELP
		POPT_TABLEEND
	};
	const char **pargv = calloc((size_t)argc + 1, sizeof *pargv);
	struct ipc_sem_create cr = { .value = 1, .nsems = 1, .mode = 0600 };
	struct ipc_operand operand;
	struct ipc_sem sem;
	struct deadline dl;
	struct timespec timeout, start;
	char **command;
	const char **args;
	struct op *ops;
	size_t nwords = 0, nops;
	int pargc, conflict = EXIT_TIMEOUT, status = EXIT_OK;

	atexit(close_stdout);
	if (!pargv)
		err(EXIT_FAIL, "out of memory");
	pargc = prescan(argc, argv, pargv, &command);
	poptContext ctx = cmdline_parse_or_err(pargc, pargv, options,
	    "[OPTION]... SEM [OP]...\n"
	    "  or:  semop [OPTION]... SEM -- COMMAND [ARG]...");
	args = poptGetArgs(ctx);
	if (!args || !args[0])
		usage_error("missing semaphore operand");
	ipc_operand_or_err(args[0], SEM_NAME_MAX, &operand);
	for (const char **a = args + 1; *a; a++)
		nwords++;

	if (opt_create_value) {
		uint64_t v;
		if (parse_number(opt_create_value, 10, 0, UINT32_MAX, &v) < 0 ||
		    v > ipc_sem_value_max(operand.flavor))
			usage_error("-c: invalid value '%s' (0 to %u for %s)",
			    opt_create_value,
			    ipc_sem_value_max(operand.flavor),
			    operand.flavor == IPC_POSIX ? "a POSIX semaphore" :
			    "System V");
		cr.value = (unsigned)v;
		opt_create = 1;
	}
	cr.create = opt_create;
	if (opt_nsems) {
		if (operand.flavor == IPC_POSIX)
			usage_error("--nsems: only a System V set has several "
			    "semaphores");
		cr.nsems = (int)number_or_err("--nsems", opt_nsems, 1, 32000);
	}
	if (opt_mode)
		cr.mode = mode_or_err("--mode", opt_mode) & 0777;
	if (opt_conflict)
		conflict = (int)number_or_err("-E", opt_conflict, 0, 255);
	if (opt_timeout)
		timeout = duration_or_err("-t", opt_timeout);
	if (command && !command[0])
		usage_error("missing COMMAND after '--'");
	if (command && nwords)
		usage_error("OPs and a COMMAND cannot be combined");
	if (opt_no_fork && !command)
		usage_error("-F needs a COMMAND");
	if (opt_no_fork && operand.flavor == IPC_POSIX)
		usage_error("-F needs a System V semaphore: a POSIX semaphore "
		    "has no undo, so nothing would release it");
	if (!command && !nwords && !opt_create && !opt_stat && !opt_unlink)
		usage_error("missing OP or COMMAND");
	ops = calloc(nwords + 1, sizeof *ops);
	if (!ops)
		err(EXIT_FAIL, "out of memory");
	nops = parse_ops(args + 1, nwords, operand.flavor, ops);

	/* One deadline for every wait, fixed before the first. */
	deadline_start(&dl, opt_timeout ? &timeout : NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (ipc_sem_open(&sem, &operand, NULL, &dl, NULL) < 0) {
		if (errno != ENOENT || !cr.create)
			goto open_failed;
		/* Missing: check the OPs against the set we would make. */
		check_semnums(ops, nops, cr.nsems, operand.text);
		if (ipc_sem_open(&sem, &operand, &cr, &dl, NULL) < 0)
			goto open_failed;
	}
	check_semnums(ops, nops, sem.nsems, operand.text);

	if (command) {
		bool undo = operand.flavor == IPC_SYSV;

		if (ipc_sem_acquire(&sem, undo, &dl, NULL) < 0) {
			if (errno == ETIMEDOUT)
				timed_out(operand.text, conflict);
			err(EXIT_FAIL, "%s", operand.text);
		}
		if (opt_verbose)
			report_wait(operand.text, &start);
		if (opt_no_fork)
			exec_command(command);
		status = run_command(command);
		if (ipc_sem_release(&sem, undo) < 0) {
			warn("%s: release", operand.text);
			status = EXIT_FAIL;
		}
	} else {
		run_ops(&sem, ops, nops, &dl, conflict);
	}
	if (opt_stat)
		print_stat(&sem);
	if (opt_unlink && ipc_sem_remove(&sem) < 0)
		err(EXIT_FAIL, "%s: unlink", operand.text);
	ipc_sem_close(&sem);
	for (size_t i = 0; i < nops; i++)
		free(ops[i].sops);
	free(ops);
	poptFreeContext(ctx);
	free(pargv);
	return status;

open_failed:
	if (errno == ETIMEDOUT)
		timed_out(operand.text, conflict);
	if (errno == ENOENT || errno == EINVAL)
		errx(EXIT_FAIL, "%s: no such semaphore%s", operand.text,
		    cr.create ? "" : " (use -c to create it)");
	err(EXIT_FAIL, "%s", operand.text);
}
