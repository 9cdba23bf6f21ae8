/* SPDX-License-Identifier: MIT */
/*
 * semop: operate on a POSIX named semaphore or a System V semaphore set.
 *
 * Reads the OPs on the command line and applies them in order: "wait",
 * "post", "get" (prints the value on standard output), "zero" (System V),
 * and runs of "N:+K", "N:-K", "N:0" that go to the kernel as one atomic
 * semop(2).  With "-- COMMAND" it runs COMMAND holding one unit for
 * exactly as long as COMMAND runs, and exits with COMMAND's status (128+N
 * when a signal N killed it, 126/127 when it could not be run).  Reads
 * nothing; writes only what "get" and --stat print.  Exits 0 on success, 1
 * on failure, 2 on a usage error with nothing changed, and 124 (or the -E
 * code) when -t expired first, again with nothing changed.
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
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "deadline.h"
#include "diag.h"
#include "ipcobj.h"
#include "parse.h"
#include "ipcsem.h"
#include "process.h"

static int opt_create;			/* -c: create if missing */
static char *opt_create_value;		/* -c's VALUE, if given */
static char *opt_nsems;			/* --nsems: semaphores in a new set */
static char *opt_mode;			/* --mode: permissions of a new one */
static char *opt_timeout;		/* -t: bound on every wait */
static char *opt_conflict;		/* -E: exit status on timeout */
static int opt_no_fork;			/* -F: exec COMMAND in place */
static int opt_verbose;			/* -v: report wait times */
static int opt_stat;			/* --stat: print attributes */
static int opt_unlink;			/* --unlink: remove at the end */

static void on_option(poptContext pc, enum poptCallbackReason why,
    const struct poptOption *opt, const char *arg, const void *data);

static struct poptOption options[] = {
	{ NULL, '\0', POPT_ARG_CALLBACK, (void *)on_option, 0, NULL, NULL },
	{ "create", 'c', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, 0,
	  "create SEM if missing, with VALUE (default 1)", "VALUE" },
	{ "nsems", '\0', POPT_ARG_STRING, &opt_nsems, 0,
	  "semaphores in a new System V set (default 1)", "N" },
	{ "mode", '\0', POPT_ARG_STRING, &opt_mode, 0,
	  "permissions of a new semaphore (default 0600)", "MODE" },
	{ "timeout", 't', POPT_ARG_STRING, &opt_timeout, 0,
	  "give up any wait after DURATION (exit 124)", "DURATION" },
	{ "conflict-exit-code", 'E', POPT_ARG_STRING, &opt_conflict, 0,
	  "exit status when the timeout expires (124)", "N" },
	{ "no-fork", 'F', POPT_ARG_NONE, &opt_no_fork, 0,
	  "exec COMMAND in place (System V: undo survives)", NULL },
	{ "verbose", 'v', POPT_ARG_NONE, &opt_verbose, 0,
	  "report how long each wait took", NULL },
	{ "stat", '\0', POPT_ARG_NONE, &opt_stat, 0,
	  "print the semaphore's attributes, key=value lines", NULL },
	{ "unlink", '\0', POPT_ARG_NONE, &opt_unlink, 0,
	  "remove the semaphore at the end", NULL },
	CMDLINE_COMMON_OPTIONS
	POPT_TABLEEND
};

static const struct cmdline_help help = {
	.synopsis = "[OPTION]... SEM [OP]...\n"
	    "[OPTION]... SEM -- COMMAND [ARG]...",
	.forms = IPC_OPERAND_FORMS("SEM")
	    "OP: wait (take 1), post (give 1), get (print), zero (wait for "
	    "0, System V);\n"
	    "    N:+K, N:-K, N:0 on semaphore N of a System V set, in one "
	    "atomic step\n"
	    "COMMAND: run holding one unit, released when it ends\n",
	.example = "semop -c 2 key:0x52 -- make -j1 build",
	.command = 1,
};

enum op_kind { OP_WAIT, OP_POST, OP_GET, OP_ZERO, OP_LIST };

struct op {
	enum op_kind kind;
	const char **words;		/* its words, for messages: one, or
					 * one per operation of a run */
	struct sembuf *sops;		/* OP_LIST: the atomic run */
	size_t nsops;
};

static volatile sig_atomic_t got_signal;	/* INT, TERM or HUP came */
static volatile pid_t child_pid;		/* COMMAND, to forward to */
static struct inherited_signals inherited;	/* COMMAND gets them back */

/* Remember INT, TERM or HUP, and pass it on to COMMAND once it runs: the
 * signal is COMMAND's to act on. */
static void
on_signal(int sig)
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

/* The kind of OP word W; exit 2 when there is no such OP for FLAVOR. */
static enum op_kind
op_kind(const char *w, enum ipc_flavor flavor)
{
	static const char *const names[] = {
		[OP_WAIT] = "wait", [OP_POST] = "post", [OP_GET] = "get",
		[OP_ZERO] = "zero",
	};
	enum op_kind kind = OP_LIST;

	for (size_t k = 0; k < sizeof names / sizeof *names; k++)
		if (strcmp(w, names[k]) == 0)
			kind = (enum op_kind)k;
	if (kind == OP_LIST && !strchr(w, ':'))
		usage_error("invalid OP '%s': expected %s", w,
		    flavor == IPC_POSIX ? "wait, post or get" :
		    "wait, post, get, zero, N:+K, N:-K or N:0");
	if (flavor == IPC_POSIX && (kind == OP_ZERO || kind == OP_LIST))
		usage_error("OP '%s' needs a System V semaphore set (key:, "
		    "id: or ftok:)", w);
	return kind;
}

/* Parse the OP words into OPS (runs of N: words merged), exit 2 on any
 * bad one; FLAVOR decides which OPs exist.  Return the count. */
static size_t
parse_ops(const char **words, size_t n, enum ipc_flavor flavor,
    struct op *ops)
{
	size_t count = 0, max = semopm();

	for (size_t i = 0; i < n; i++) {
		struct op *op = &ops[count++];
		size_t j = i + 1;

		op->kind = op_kind(words[i], flavor);
		op->words = &words[i];
		op->sops = NULL;
		op->nsops = 0;
		if (op->kind != OP_LIST)
			continue;
		/* Merge this run of N: words into one atomic operation. */
		while (j < n && strchr(words[j], ':'))
			j++;
		if (j - i > max)
			usage_error("%zu operations in one atomic run; the "
			    "kernel takes at most %zu (SEMOPM)", j - i, max);
		op->sops = calloc(j - i, sizeof *op->sops);
		if (!op->sops)
			err(EXIT_FAIL, "out of memory");
		for (size_t k = i; k < j; k++)
			parse_list_op(words[k], &op->sops[op->nsops++]);
		i = j - 1;
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
				    ops[i].words[k], ops[i].sops[k].sem_num,
				    sem, nsems, nsems - 1);
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
			    s->op->text, op->words[0],
			    ipc_sem_value_max(s->op->flavor));
		if (rc < 0 && errno == EIDRM)
			errx(EXIT_FAIL, "%s: removed while waiting", s->op->text);
		if (rc < 0)
			err(EXIT_FAIL, "%s: %s", s->op->text, op->words[0]);
		if (opt_verbose && op->kind != OP_POST)
			report_wait(s->op->text, &start);
	}
}

/* Take one unit of S for COMMAND, with SEM_UNDO when UNDO, waiting until
 * DL and telling with -v how long it took since START.  Exit CONFLICT on
 * timeout, 1 on failure, and by the signal that interrupts the wait. */
static void
take_unit(struct ipc_sem *s, bool undo, const struct deadline *dl,
    int conflict, const struct timespec *start)
{
	if (ipc_sem_acquire(s, undo, dl, &got_signal) < 0) {
		if (errno == ETIMEDOUT)
			timed_out(s->op->text, conflict);
		if (errno == EINTR)
			die_by_signal(got_signal);
		err(EXIT_FAIL, "%s", s->op->text);
	}
	if (opt_verbose)
		report_wait(s->op->text, start);
}

/* In the child that becomes COMMAND: take the unit with SEM_UNDO, which
 * execve(2) keeps, as take_unit() does.  Until it is taken the child dies
 * with PARENT, so that a semop killed while waiting starts nothing. */
static void
take_unit_for_exec(struct ipc_sem *s, const struct deadline *dl,
    int conflict, const struct timespec *start, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(EXIT_FAIL);
	take_unit(s, true, dl, conflict, start);
	prctl(PR_SET_PDEATHSIG, 0);
}

/*
 * Run ARGV holding one unit of S and return its status as the shell shows
 * it.  System V: the child takes the unit with SEM_UNDO before it becomes
 * COMMAND, so the kernel gives it back exactly when COMMAND ends, even
 * when semop or COMMAND is killed; an undo belongs to the process that
 * made it, so a unit semop itself took would come back when semop died,
 * COMMAND still running.  POSIX, which has no undo: semop takes the unit
 * and gives it back once COMMAND has ended.  INT, TERM and HUP are passed
 * on to COMMAND; before it runs, they end semop.
 */
static int
run_command(struct ipc_sem *s, char **argv, const struct deadline *dl,
    int conflict, const struct timespec *start)
{
	bool sysv = s->op->flavor == IPC_SYSV;
	sigset_t block = catch_stop_signals(on_signal), saved;
	pid_t parent = getpid(), pid;
	int status;

	if (!sysv)
		take_unit(s, false, dl, conflict, start);
	/* Held back until child_pid is set, so each one reaches COMMAND. */
	sigprocmask(SIG_BLOCK, &block, &saved);
	if (got_signal) {
		if (!sysv)
			ipc_sem_release(s, false);
		die_by_signal(got_signal);
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		inherited_signals_restore(&inherited);
		if (sysv)
			take_unit_for_exec(s, dl, conflict, start, parent);
		command_exec(argv);
	}
	if (pid < 0) {
		warn("fork");
		status = EXIT_CANNOT_RUN;
	} else {
		child_pid = pid;
		sigprocmask(SIG_SETMASK, &saved, NULL);
		status = command_wait(pid);
		if (status < 0)
			err(EXIT_FAIL, "waitpid");
		status = command_status(status);
		child_pid = 0;
	}
	inherited_signals_restore(&inherited);
	if (!sysv && ipc_sem_release(s, false) < 0) {
		warn("%s: release", s->op->text);
		status = EXIT_FAIL;
	}
	return status;
}

/* Exit 1, before anything happens, when a "get" in OPS or --stat would
 * print to a closed standard output. */
static void
check_stdout(const struct op *ops, size_t nops)
{
	bool prints = opt_stat;

	for (size_t i = 0; i < nops; i++)
		prints |= ops[i].kind == OP_GET;
	if (prints && fcntl(STDOUT_FILENO, F_GETFD) < 0)
		err(EXIT_FAIL, "write error");
}

/*
 * popt's callback for the options above: -c takes an optional VALUE,
 * attached (-c3, --create=3) or as the next word, which popt takes for it
 * unless it starts with '-'.  Such a word is VALUE only when it starts as
 * a number does; any other is SEM or an OP, handed back to popt as an
 * operand.  -vc 3 thus works as -v -c 3 does.
 */
static void
on_option(poptContext pc, enum poptCallbackReason why,
    const struct poptOption *opt, const char *arg, const void *data)
{
	(void)why;
	(void)data;
	if (opt->shortName != 'c')
		return;
	opt_create = 1;
	if (arg && *arg && !(*arg >= '0' && *arg <= '9') && *arg != '-' &&
	    *arg != '+') {
		const char *back[] = { arg, NULL };
		poptStuffArgs(pc, back);
		return;
	}
	free(opt_create_value);
	opt_create_value = arg ? strdup(arg) : NULL;
	if (arg && !opt_create_value)
		err(EXIT_FAIL, "out of memory");
}

/* The creation that -c, --nsems and --mode ask for SEM (OP); exit 2 on a
 * bad value. */
static struct ipc_sem_create
create_or_err(const struct ipc_operand *op)
{
	struct ipc_sem_create cr = { .create = opt_create, .value = 1,
	    .nsems = 1, .mode = 0600 };
	uint64_t v;

	if (opt_create_value) {
		if (parse_number(opt_create_value, 10, 0, UINT32_MAX, &v) < 0 ||
		    v > ipc_sem_value_max(op->flavor))
			usage_error("-c: invalid value '%s' (0 to %u for %s)",
			    opt_create_value, ipc_sem_value_max(op->flavor),
			    op->flavor == IPC_POSIX ? "a POSIX semaphore" :
			    "System V");
		cr.value = (unsigned)v;
	}
	if (opt_nsems) {
		if (op->flavor == IPC_POSIX)
			usage_error("--nsems: only a System V set has several "
			    "semaphores");
		cr.nsems = (int)number_or_err("--nsems", opt_nsems, 1, 32000);
	}
	if (opt_mode)
		cr.mode = mode_or_err("--mode", opt_mode) & 0777;
	return cr;
}

/* Exit 2 unless SEM (OP), its NWORDS OPs and COMMAND (NULL: none) go
 * together with the options. */
static void
check_usage(const struct ipc_operand *op, size_t nwords, char **command)
{
	if (command && !command[0])
		usage_error("missing COMMAND after '--'");
	if (command && nwords)
		usage_error("OPs and a COMMAND cannot be combined");
	if (opt_no_fork && !command)
		usage_error("-F needs a COMMAND");
	if (opt_no_fork && op->flavor == IPC_POSIX)
		usage_error("-F needs a System V semaphore: a POSIX semaphore "
		    "has no undo, so nothing would release it");
	if (!command && !nwords && !opt_create && !opt_stat && !opt_unlink)
		usage_error("missing OP or COMMAND");
}

/*
 * Open SEM (OP) into S, creating it as CR says when it is missing, and
 * check the semaphore numbers of OPS against the set it is (or would
 * be): exit 2 on one out of range, CONFLICT when DL passes while another
 * creator initialises it, 1 when it cannot be opened.
 */
static void
open_or_err(struct ipc_sem *s, const struct ipc_operand *op,
    const struct ipc_sem_create *cr, const struct op *ops, size_t nops,
    const struct deadline *dl, int conflict)
{
	int rc = ipc_sem_open(s, op, NULL, dl, NULL);

	if (rc < 0 && errno == ENOENT && cr->create) {
		/* Missing: check the OPs against the set we would make. */
		check_semnums(ops, nops, cr->nsems, op->text);
		rc = ipc_sem_open(s, op, cr, dl, NULL);
	}
	if (rc < 0 && errno == ETIMEDOUT)
		timed_out(op->text, conflict);
	if (rc < 0 && (errno == ENOENT || errno == EINVAL))
		errx(EXIT_FAIL, "%s: no such semaphore%s", op->text,
		    cr->create ? "" : " (use -c to create it)");
	if (rc < 0)
		err(EXIT_FAIL, "%s", op->text);
	check_semnums(ops, nops, s->nsems, op->text);
}

int
main(int argc, char **argv)
{
	struct ipc_sem_create cr;
	struct ipc_operand operand;
	struct ipc_sem sem;
	struct deadline dl;
	struct timespec timeout, start;
	char **command;
	const char **args;
	struct op *ops;
	size_t nwords = 0, nops;
	int conflict = EXIT_TIMEOUT, status = EXIT_OK;

	atexit(close_stdout);
	inherited_signals_save(&inherited);
	args = cmdline_parse_or_err(cmdline_split_command(argc, argv, &command),
	    (const char **)argv, options, &help);
	if (!args[0])
		usage_error("missing semaphore operand");
	ipc_operand_or_err(args[0], SEM_NAME_MAX, &operand);
	while (args[nwords + 1])
		nwords++;
	cr = create_or_err(&operand);
	if (opt_conflict)
		conflict = (int)number_or_err("-E", opt_conflict, 0, 255);
	if (opt_timeout)
		timeout = duration_or_err("-t", opt_timeout);
	check_usage(&operand, nwords, command);
	ops = calloc(nwords + 1, sizeof *ops);
	if (!ops)
		err(EXIT_FAIL, "out of memory");
	nops = parse_ops(args + 1, nwords, operand.flavor, ops);
	check_stdout(ops, nops);

	/* One deadline for every wait, fixed before the first. */
	deadline_start(&dl, opt_timeout ? &timeout : NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	open_or_err(&sem, &operand, &cr, ops, nops, &dl, conflict);
	if (command && opt_no_fork) {
		take_unit(&sem, true, &dl, conflict, &start);
		command_exec(command);
	}
	if (command)
		status = run_command(&sem, command, &dl, conflict, &start);
	else
		run_ops(&sem, ops, nops, &dl, conflict);
	if (opt_stat)
		print_stat(&sem);
	if (opt_unlink && ipc_sem_remove(&sem) < 0)
		err(EXIT_FAIL, "%s: unlink", operand.text);
	ipc_sem_close(&sem);
	for (size_t i = 0; i < nops; i++)
		free(ops[i].sops);
	free(ops);
	free(opt_create_value);
	return status;
}
