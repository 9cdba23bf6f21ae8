/* SPDX-License-Identifier: MIT */
/*
 * mqrecv's worker mode: mqrecv [OPTION]... QUEUE -- COMMAND [ARG]...
 *
 * For each message, run COMMAND (no shell) with the message's bytes as
 * its standard input (a memfd(2) file holding them whole) and
 * MQRECV_QUEUE, MQRECV_PRIORITY or MQRECV_TYPE, and MQRECV_ATTEMPT in its
 * environment; up to -j COMMANDs at once.  A message is consumed when its
 * COMMAND exits 0; otherwise it goes back on the queue (with its priority
 * or type) after a delay that doubles with each failure, counted in this
 * process's memory under a hash of the message's bytes and priority or
 * type.  Up to -n successful jobs, until -t passes with no message while
 * a job slot is free, or for ever.  Exit 0; 1 when a message went to the
 * dead-letter queue, failed --max-attempts times or could not be put
 * back, or when a keeper (below) died holding messages or could not
 * start; 124 when -t passed with no message at all; 126/127 when COMMAND
 * could not be run; death by SIGINT, SIGTERM or SIGHUP, which are passed
 * on to the running COMMANDs first.
 *
 * Nothing a SIGKILL of mqrecv could lose is ever only in its memory.  The
 * job's own process receives its message: mqrecv clones a child that
 * shares its memory and stops mqrecv until it execs (CLONE_VM and
 * CLONE_VFORK, as posix_spawn(3) does), the child takes the message with
 * a call that does not wait, writes it into the memfd that becomes
 * COMMAND's standard input, and execs COMMAND, or puts the message back
 * if it cannot; mqrecv keeps a copy for the put-back should COMMAND fail.
 * mqrecv itself only looks whether a message is there: poll(2) on a POSIX
 * queue, msgrcv(2) with room for no byte on a System V queue (E2BIG leaves
 * the message where it is).  A message that must wait (its delay after a
 * failure, room in a full queue, the end of this mqrecv) is handed to the
 * keeper, a process of mqrecv's that puts it back when due, at once when
 * mqrecv ends or dies, through an AF_UNIX SOCK_SEQPACKET socket whose
 * records arrive whole or not at all.  A keeper that dies (SIGKILL, the
 * OOM killer) loses what it held: mqrecv counts it, says so, and starts
 * another for what comes next; if none can start, it takes no more
 * messages, so that no message runs again before its time.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <popt.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "diag.h"
#include "fullio.h"
#include "ipcobj.h"
#include "msgq.h"
#include "parse.h"
#include "process.h"
#include "worker.h"

extern char **environ;

static char *opt_jobs;		/* -j: COMMANDs at once */
static char *opt_max_attempts;	/* --max-attempts: failures before giving up */
static char *opt_dead_letter;	/* --dead-letter: where those messages go */

struct poptOption worker_options[] = {
	{ "jobs", 'j', POPT_ARG_STRING, &opt_jobs, 0,
	  "with COMMAND: run up to N at once (default 1)", "N" },
	{ "max-attempts", '\0', POPT_ARG_STRING, &opt_max_attempts, 0,
	  "with COMMAND: give a message up after K failures", "K" },
	{ "dead-letter", '\0', POPT_ARG_STRING, &opt_dead_letter, 0,
	  "with COMMAND: send the messages given up to QUEUE", "QUEUE" },
	POPT_TABLEEND
};

/* The delay before a failed message is run again: RETRY_FIRST_MS after
 * its first failure, doubling up to RETRY_MAX_MS. */
#define RETRY_FIRST_MS 100
#define RETRY_MAX_MS 60000
/* While a message waits for room in a full queue: how often the keeper
 * tries again.  Also how often a wait in msgrcv(2) looks at the flags. */
#define TICK_MS 50
#define JOBS_MAX 1024
/* The stack of the child that takes a message and execs COMMAND: only
 * touched pages cost memory, and a sanitizer build needs more. */
#define CHILD_STACK (1024 * 1024)
/* A keeper's record due when mqrecv ends. */
#define AT_END INT64_MAX

/* A running COMMAND and a copy of its message, for the put-back. */
struct job {
	pid_t pid;		/* 0: the slot is free */
	char *data;		/* the message */
	size_t len, cap;	/* cap: what data holds */
	long prio;
	uint64_t hash;
};

/* What mqrecv remembers of a message that failed. */
struct failure {
	uint64_t hash;		/* 0: an empty slot of the table */
	unsigned count;		/* its failures */
};

/* Failures by hash: open addressing, linear probing, a power of 2. */
struct table {
	struct failure *slots;
	size_t size, used;
};

/* What the child that takes a message tells mqrecv, in the memory they
 * share, before it execs (or exits). */
struct handoff {
	bool got;		/* it took a message */
	const char *data;	/* the message, in QUEUE's receive buffer */
	size_t len;
	long prio;
	uint64_t hash;
	int err;		/* why it took none (EAGAIN: there was none), or
				 * why COMMAND could not run */
	bool put_back;		/* it put the message back itself */
	bool stale;		/* COMMAND's file was gone: search PATH again */
};

/* A record to the keeper: this header, then the message's bytes. */
struct keep_header {
	int64_t due;		/* CLOCK_MONOTONIC ms, or AT_END */
	long prio;
	int to_dead;		/* for the dead-letter queue */
};

/* What the keeper tells mqrecv in memory they share, read once it has
 * ended however it ended: only the keeper writes, and waitpid(2) orders
 * its writes before mqrecv's reads. */
struct keeper_tally {
	volatile uint64_t done;		/* records put back or spilled */
	volatile sig_atomic_t spilled;	/* one was spilled */
};

/* A message the keeper holds. */
struct kept {
	struct keep_header h;
	char *data;
	size_t len;
};

static const struct worker_setup *setup;
static struct msgq queue;		/* QUEUE */
static struct msgq dead;		/* --dead-letter, when given */
static bool have_dead;
static struct job *jobs;		/* -j slots */
static size_t njobs, running;
static unsigned long count_max = ULONG_MAX;	/* -n */
static unsigned long succeeded;
static unsigned max_attempts;		/* 0: no limit */
static struct timespec idle_timeout;	/* -t */
static struct deadline idle_dl;		/* -t, from the last start or end */
static struct table failures;
static bool taking = true;		/* still receiving */
static bool queue_ready = true;		/* a message may be there */
static bool took_any;			/* some message was received */
static bool timed_out;			/* -t ended the taking */
static bool gave_up;			/* dead letter, given up or spilled */
static bool spilled;			/* a message went to standard error */
static int run_error;			/* 126 or 127: COMMAND cannot run */
static char *command_path;		/* COMMAND's file, or NULL: search */
static char *child_stack;		/* CHILD_STACK bytes */
static struct handoff handoff;		/* from the last child */
static bool zero_taken;			/* System V: the wait took an */
static long zero_prio;			/* empty message of this type */
static pid_t keeper_pid;		/* 0: none running */
static int keeper_fd = -1;		/* mqrecv's end of its socket */
static struct keeper_tally *tally;	/* shared with the keeper */
static uint64_t keeper_sent;		/* records sent to this keeper */
static bool lost;			/* a dead keeper held messages */
static size_t record_max;		/* the longest record to the keeper */
static char **job_env;			/* environ with our four variables */
static char env_queue[32 + NAME_MAX], env_prio[48], env_attempt[40];
static sigset_t orig_mask;		/* the mask COMMAND gets */
static sigset_t wait_mask;		/* the mask inside waits */
static volatile sig_atomic_t stop_sig;	/* the last INT, TERM or HUP */
static volatile sig_atomic_t stops;	/* how many came */
static volatile sig_atomic_t woken;	/* a signal or a child's end */
static sig_atomic_t stops_passed;	/* how many were passed on */
static volatile sig_atomic_t keeper_stop;	/* in the keeper: give up */

/* Milliseconds on CLOCK_MONOTONIC. */
static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

const char *
worker_option_given(void)
{
	return opt_jobs ? "-j" : opt_max_attempts ? "--max-attempts" :
	    opt_dead_letter ? "--dead-letter" : NULL;
}

void
worker_check_or_err(const struct ipc_operand *q)
{
	struct ipc_operand d;

	if (opt_jobs)
		number_or_err("-j", opt_jobs, 1, JOBS_MAX);
	if (opt_max_attempts)
		number_or_err("--max-attempts", opt_max_attempts, 1,
		    1000000);
	if (!opt_dead_letter)
		return;
	ipc_operand_or_err(opt_dead_letter, MSGQ_NAME_MAX, &d);
	if (d.flavor == q->flavor && (d.flavor == IPC_POSIX ?
	    strcmp(d.name, q->name) == 0 : d.by_id == q->by_id &&
	    (d.by_id ? d.id == q->id : d.key == q->key)))
		usage_error("--dead-letter: %s is QUEUE itself", d.text);
	if (!opt_max_attempts)
		usage_error("--dead-letter needs --max-attempts");
}

/* --- signals ----------------------------------------------------------- */

static void
on_stop(int sig)
{
	stop_sig = sig;
	stops++;
	woken = 1;
}

static void
on_child(int sig)
{
	(void)sig;
	woken = 1;
}

/* SIGALRM only has to interrupt a msgrcv(2) that waits. */
static void
on_tick(int sig)
{
	(void)sig;
}

/*
 * Handle INT, TERM and HUP (those not ignored at start), CHLD and ALRM,
 * and block them and PIPE outside waits: a COMMAND that leaves its input
 * unread is EPIPE, not the end of mqrecv.  COMMAND gets the mask mqrecv
 * started with; execve(2) gives every handled signal back its default
 * action, and an ignored stop signal stays ignored, as it came.
 */
static void
setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_child,
	    .sa_flags = SA_NOCLDSTOP };
	sigset_t caught = catch_stop_signals(on_stop), block = caught;

	sigaddset(&block, SIGPIPE);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGALRM);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sa = (struct sigaction){ .sa_handler = on_tick };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigprocmask(SIG_BLOCK, &block, &orig_mask);
	wait_mask = orig_mask;
	sigaddset(&wait_mask, SIGPIPE);
	sigdelset(&wait_mask, SIGCHLD);
	sigdelset(&wait_mask, SIGALRM);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&caught, sig))
			sigdelset(&wait_mask, sig);
}

/* Pass each stop signal that came since the last call on to every
 * running COMMAND; from the second on, to the keeper too, which then
 * waits no more for room. */
static void
pass_on_stops(void)
{
	if (stops == stops_passed)
		return;
	stops_passed = stops;
	for (size_t i = 0; i < njobs; i++)
		if (jobs[i].pid > 0)
			kill(jobs[i].pid, stop_sig);
	if (stops > 1 && keeper_pid > 0)
		kill(keeper_pid, stop_sig);
}

/* --- what failed: the table of failures ----------------------------------- */

/* A hash of the message and its priority or type (FNV-1a, 64 bits), never
 * 0, which marks an empty slot. */
static uint64_t
message_hash(const char *data, size_t len, long prio)
{
	uint64_t h = 14695981039346656037ULL;
	unsigned char p[sizeof prio];

	memcpy(p, &prio, sizeof prio);
	for (size_t i = 0; i < sizeof p; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)data[i]) * 1099511628211ULL;
	return h ? h : 1;
}

/* The slot of HASH in the table: its entry, or the empty slot where it
 * would go. */
static struct failure *
table_slot(uint64_t hash)
{
	size_t i = (size_t)hash & (failures.size - 1);

	while (failures.slots[i].hash && failures.slots[i].hash != hash)
		i = (i + 1) & (failures.size - 1);
	return &failures.slots[i];
}

/* The failures of the message HASH so far (0 if none). */
static unsigned
table_count(uint64_t hash)
{
	return failures.size ? table_slot(hash)->count : 0;
}

/* Double the table, or exit 1. */
static void
table_grow(void)
{
	struct table old = failures;

	failures.size = old.size ? old.size * 2 : 64;
	failures.slots = calloc(failures.size, sizeof *failures.slots);
	if (!failures.slots)
		err(EXIT_FAIL, "%s", queue.text);
	for (size_t i = 0; i < old.size; i++)
		if (old.slots[i].hash)
			*table_slot(old.slots[i].hash) = old.slots[i];
	free(old.slots);
}

/* Count one more failure of the message HASH; return its count. */
static unsigned
table_fail(uint64_t hash)
{
	struct failure *f;

	if ((failures.used + 1) * 4 > failures.size * 3)
		table_grow();
	f = table_slot(hash);
	if (!f->hash) {
		f->hash = hash;
		failures.used++;
	}
	return ++f->count;
}

/* Forget the message HASH: it succeeded or went to the dead letters.
 * The entries after it move back so that probing still finds them. */
static void
table_forget(uint64_t hash)
{
	size_t mask = failures.size - 1, i, j;
	struct failure *f = failures.size ? table_slot(hash) : NULL;

	if (!f || !f->hash)
		return;
	i = (size_t)(f - failures.slots);
	f->hash = 0;
	f->count = 0;
	failures.used--;
	for (j = (i + 1) & mask; failures.slots[j].hash; j = (j + 1) & mask) {
		size_t home = (size_t)failures.slots[j].hash & mask;
		/* Move it into the hole unless its home lies in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			failures.slots[i] = failures.slots[j];
			failures.slots[j].hash = 0;
			failures.slots[j].count = 0;
			i = j;
		}
	}
}

/* The delay before a message that failed COUNT times runs again. */
static int64_t
retry_delay(unsigned count)
{
	int64_t delay = RETRY_FIRST_MS;

	for (unsigned i = 1; i < count && delay < RETRY_MAX_MS; i++)
		delay *= 2;
	return delay < RETRY_MAX_MS ? delay : RETRY_MAX_MS;
}

/* --- putting back, and the keeper ----------------------------------------- */

/* Write a message that cannot go back to DEST to standard error, in full,
 * after a line that says why (E), so that nothing disappears without a
 * trace. */
static void
spill(const struct msgq *dest, const char *data, size_t len, long prio,
    int e)
{
	char nl = '\n';

	warnx("%s: could not put back a message of %zu bytes (%s %ld): %s; "
	    "here it is:", dest->text, len, dest->flavor == IPC_POSIX ?
	    "priority" : "type", prio, e == EIDRM ? "the queue was removed" :
	    e == EINTR ? "the queue is full and a signal came" :
	    e == ETIMEDOUT ? "the queue is full" : strerror(e));
	full_write(STDERR_FILENO, data, len);
	full_write(STDERR_FILENO, &nl, 1);
	gave_up = spilled = true;
}

/* Send a message to DEST without waiting.  Return 0, or -1 with errno
 * (ETIMEDOUT: the queue is full). */
static int
send_now(struct msgq *dest, const char *data, size_t len, long prio)
{
	struct timespec zero = { 0, 0 };
	struct deadline dl;
	struct msgq_wait w = { .dl = &dl, .watch = -1 };

	deadline_start(&dl, &zero);
	return msgq_send(dest, data, len, prio, &w);
}

/* In the keeper: a record has left its hands, put back or spilled; tell
 * mqrecv, which counts as lost what a dead keeper had not let go. */
static void
keeper_let_go(void)
{
	tally->spilled = spilled;
	tally->done++;
}

/* In the keeper: put back K if its queue has room.  Return false when it
 * has none; a message that cannot go for another reason is spilled. */
static bool
keeper_send(const struct kept *k)
{
	struct msgq *dest = k->h.to_dead ? &dead : &queue;

	if (send_now(dest, k->data, k->len, k->h.prio) == 0)
		return true;
	if (errno == ETIMEDOUT)
		return false;
	spill(dest, k->data, k->len, k->h.prio, errno);
	return true;
}

/* In the keeper: put back, in the order they came, the messages of V (N
 * of them) that are due at NOW, all of them once mqrecv has ENDED; keep
 * the others.  Stop at the first that finds its queue full (*FULL).
 * Return how many are kept, and the first due of them in *NEXT. */
static size_t
keeper_flush(struct kept *v, size_t n, int64_t now, bool ended, bool *full,
    int64_t *next)
{
	size_t k = 0;

	*full = false;
	*next = AT_END;
	for (size_t i = 0; i < n; i++) {
		if (!*full && (ended || v[i].h.due <= now)) {
			if (keeper_send(&v[i])) {
				free(v[i].data);
				keeper_let_go();
				continue;
			}
			*full = true;
		}
		if (v[i].h.due < *next)
			*next = v[i].h.due;
		v[k++] = v[i];
	}
	return k;
}

/* In the keeper: read the records mqrecv sent into *V (*N of them, room
 * for *MAX).  Return false once mqrecv has closed its end (or died). */
static bool
keeper_read(int fd, struct kept **v, size_t *n, size_t *max, char *buf)
{
	struct keep_header h;
	ssize_t r;

	while ((r = recv(fd, buf, sizeof h + record_max, MSG_DONTWAIT)) > 0) {
		struct kept k = { .len = (size_t)r - sizeof h };
		if ((size_t)r < sizeof h)
			continue;
		memcpy(&h, buf, sizeof h);
		k.h = h;
		k.data = malloc(k.len ? k.len : 1);
		if (*n == *max) {
			size_t m = *max ? *max * 2 : 16;
			struct kept *nv = reallocarray(*v, m, sizeof *nv);
			if (nv) {
				*v = nv;
				*max = m;
			}
		}
		if (!k.data || *n == *max) {
			free(k.data);
			spill(h.to_dead ? &dead : &queue, buf + sizeof h,
			    k.len, h.prio, ENOMEM);
			keeper_let_go();
			continue;
		}
		memcpy(k.data, buf + sizeof h, k.len);
		(*v)[(*n)++] = k;
	}
	return r < 0 && (errno == EAGAIN || errno == EINTR);
}

static void
on_keeper_stop(int sig)
{
	(void)sig;
	keeper_stop = 1;
}

/* In the keeper, on the stop signal mqrecv passed on: put back what has
 * room now, spill the rest, and exit 1 if anything was spilled. */
static void __attribute__((noreturn))
keeper_give_up(struct kept *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct msgq *dest = v[i].h.to_dead ? &dead : &queue;
		if (send_now(dest, v[i].data, v[i].len, v[i].h.prio) < 0)
			spill(dest, v[i].data, v[i].len, v[i].h.prio,
			    errno == ETIMEDOUT ? EINTR : errno);
		keeper_let_go();
	}
	_exit(spilled ? EXIT_FAIL : EXIT_OK);
}

/*
 * The keeper: hold the messages mqrecv sends through FD until each is
 * due, then put it back, waiting for room as long as it takes (saying so
 * after a second, once mqrecv has ended); put back everything at once
 * when mqrecv closes its end or dies.  It runs in a process group of its
 * own, so that a signal to mqrecv's group (Control-C) does not end it:
 * only the signal mqrecv passes on does.  Exit 1 if something was
 * spilled.
 */
static void __attribute__((noreturn))
keeper_main(int fd)
{
	struct sigaction sa = { .sa_handler = on_keeper_stop };
	static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
	char *buf = malloc(sizeof(struct keep_header) + record_max);
	struct kept *v = NULL;
	size_t n = 0, max = 0;
	bool open = true, full, warned = false;
	int64_t now, next, full_since = 0;

	spilled = false;
	setpgid(0, 0);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < 3; i++)
		sigaction(stop_signals[i], &sa, NULL);
	if (!buf)
		err(EXIT_FAIL, "%s", queue.text);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct timespec ts;
		int64_t ms;

		if (keeper_stop)
			keeper_give_up(v, n);
		now = now_ms();
		n = keeper_flush(v, n, now, !open, &full, &next);
		if (!open && n == 0)
			_exit(spilled ? EXIT_FAIL : EXIT_OK);
		if (!open && full && !full_since)
			full_since = now;
		if (full_since && !warned && now - full_since >= 1000) {
			warnx("%s: the queue is full: waiting for room to put "
			    "back a message", queue.text);
			warned = true;
		}
		ms = full || !open ? TICK_MS : next == AT_END ? -1 : next - now;
		ts = (struct timespec){ ms / 1000, (ms % 1000) * 1000000L };
		if (ppoll(&pfd, open ? 1 : 0, ms < 0 ? NULL : &ts,
		    &wait_mask) > 0)
			open = keeper_read(fd, &v, &n, &max, buf);
	}
}

/* Start the keeper.  Return false if it cannot be. */
static bool
keeper_start(void)
{
	int sv[2], size = (int)(2 * (sizeof(struct keep_header) +
	    record_max));
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return false;
	tally->done = 0;
	tally->spilled = 0;
	keeper_sent = 0;
	/* Best effort: a longer record than the socket takes is put back
	 * at once, or spilled (see keep()). */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		errno = e;
		return false;
	}
	if (pid == 0) {
		/* Nothing of mqrecv's output stays open here: a pipeline
		 * ends with mqrecv, not with the keeper. */
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			if (null > STDERR_FILENO)
				close(null);
		}
		close(sv[0]);
		keeper_main(sv[1]);
	}
	close(sv[1]);
	keeper_fd = sv[0];
	keeper_pid = pid;
	return true;
}

/*
 * The keeper ended with STATUS.  What it spilled makes mqrecv exit 1;
 * what it had not let go is lost, and makes mqrecv exit 1 too (even on a
 * stop signal).  A keeper that was killed (SIGKILL, the OOM killer) is
 * named once, with what it took with it.  The next message that must wait
 * starts another keeper.
 */
static void
keeper_reaped(int status)
{
	uint64_t held = keeper_sent - tally->done;
	pid_t pid = keeper_pid;
	char how[48];

	keeper_pid = 0;
	if (keeper_fd >= 0)
		close(keeper_fd);
	keeper_fd = -1;
	if (tally->spilled)
		gave_up = spilled = true;
	if (held)
		gave_up = lost = true;
	if (!WIFSIGNALED(status) && !held)
		return;
	if (WIFSIGNALED(status) && sigabbrev_np(WTERMSIG(status)))
		snprintf(how, sizeof how, "was killed by SIG%s",
		    sigabbrev_np(WTERMSIG(status)));
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "was killed by signal %d",
		    WTERMSIG(status));
	else
		snprintf(how, sizeof how, "exited with status %d",
		    command_status(status));
	if (held)
		warnx("%s: the keeper (process %ld) %s; the %" PRIu64
		    " message%s it held %s lost", queue.text, (long)pid, how,
		    held, held == 1 ? "" : "s", held == 1 ? "is" : "are");
	else
		warnx("%s: the keeper (process %ld) %s; it held no message",
		    queue.text, (long)pid, how);
}

/*
 * Hand a message to the keeper, starting one if need be (a new one if
 * the last died), but none once a second stop signal said that nothing
 * waits any more.  Return false, with errno, if none can take it.
 */
static bool
keep(const char *data, size_t len, long prio, bool to_dead, int64_t due)
{
	struct keep_header h = { .due = due, .prio = prio,
	    .to_dead = to_dead };
	struct iovec iov[2] = { { &h, sizeof h }, { (char *)data, len } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

	if (stops > 1) {
		errno = EINTR;
		return false;
	}
	for (int tries = 0;; tries++) {
		ssize_t n;
		int status;

		if (keeper_fd < 0 && !keeper_start())
			return false;
		while ((n = sendmsg(keeper_fd, &m, MSG_NOSIGNAL)) < 0 &&
		    errno == EINTR)
			continue;
		if (n >= 0) {
			keeper_sent++;
			return true;
		}
		if ((errno != EPIPE && errno != ECONNRESET) || tries > 0)
			return false;
		/* The keeper died, and its SIGCHLD is not handled yet. */
		status = command_wait(keeper_pid);
		keeper_reaped(status < 0 ? 0 : status);
	}
}

/*
 * A message that must wait (its delay, or set aside until the end) cannot
 * be kept (E says why): take no more messages, so that none runs again
 * before its time; the message goes back now, as the keeper would have
 * put it back at the end.  Said once; mqrecv will exit 1.
 */
static void
cannot_keep(int e)
{
	static bool said;

	if (!said)
		warnx("%s: no keeper can hold a failed message: %s; taking "
		    "no more messages", queue.text, strerror(e));
	said = gave_up = true;
	taking = false;
}

/*
 * Put a message back on its queue (the dead-letter queue: TO_DEAD) at
 * DUE: at once when it is due and there is room, else through the
 * keeper; spill it when neither can take it.
 */
static void
put_back(const char *data, size_t len, long prio, bool to_dead, int64_t due)
{
	struct msgq *dest = to_dead ? &dead : &queue;
	bool waits = due > now_ms();
	int e = ETIMEDOUT;

	if (!waits) {
		if (send_now(dest, data, len, prio) == 0)
			return;
		e = errno;
	}
	if (e == ETIMEDOUT && keep(data, len, prio, to_dead, due))
		return;
	if (waits)
		cannot_keep(errno);
	if (e == ETIMEDOUT && send_now(dest, data, len, prio) == 0)
		return;
	spill(dest, data, len, prio, e == ETIMEDOUT ? errno : e);
}

/* --- running COMMAND ---------------------------------------------------- */

/* Whether environment entry E is one of the variables mqrecv sets. */
static bool
our_variable(const char *e)
{
	static const char *const names[] = { "MQRECV_QUEUE=",
	    "MQRECV_PRIORITY=", "MQRECV_TYPE=", "MQRECV_ATTEMPT=" };

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strncmp(e, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

/* Build COMMAND's environment: ours, less any MQRECV_ variable, plus the
 * three that each job fills in. */
static void
setup_env(void)
{
	size_t n = 0, k = 0;

	while (environ[n])
		n++;
	job_env = calloc(n + 4, sizeof *job_env);
	if (!job_env)
		err(EXIT_FAIL, "%s", queue.text);
	for (size_t i = 0; i < n; i++)
		if (!our_variable(environ[i]))
			job_env[k++] = environ[i];
	snprintf(env_queue, sizeof env_queue, "MQRECV_QUEUE=%s", queue.text);
	job_env[k++] = env_queue;
	job_env[k++] = env_prio;
	job_env[k++] = env_attempt;
}

/*
 * Find COMMAND's file once, as execvp(3) would for each job: a name with
 * a slash as it is, else the first regular executable file of that name
 * in PATH.  None found: command_path stays NULL, and each job's
 * execvpe(3) searches and fails with the right error.
 */
static void
resolve_command(void)
{
	const char *name = setup->command[0], *dir = getenv("PATH"), *end;
	struct stat st;

	free(command_path);
	command_path = NULL;
	if (strchr(name, '/')) {
		command_path = strdup(name);
		return;
	}
	if (!dir)
		dir = "/bin:/usr/bin";	/* glibc's default, confstr(_CS_PATH) */
	for (;; dir = end + 1) {
		char *file;
		end = strchrnul(dir, ':');
		if (asprintf(&file, "%.*s%s%s", (int)(end - dir), dir,
		    end > dir ? "/" : "", name) < 0)
			return;
		if (access(file, X_OK) == 0 && stat(file, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			command_path = file;
			return;
		}
		free(file);
		if (!*end)
			return;
	}
}

/* In the child, when COMMAND cannot run: put its message back without
 * waiting, straight from the receive buffer.  Return true if it went. */
static bool
child_put_back(void)
{
	long type = handoff.prio;

	if (queue.flavor == IPC_POSIX)
		return mq_send(queue.mqd, handoff.data, handoff.len,
		    (unsigned)handoff.prio) == 0;
	/* The buffer holds the type and the text, as msgsnd(2) wants. */
	return msgsnd(queue.msqid, handoff.len ? (void *)queue.buf :
	    (void *)&type, handoff.len, IPC_NOWAIT) == 0;
}

/*
 * In the child, with the message taken: make it COMMAND's standard input
 * (a memfd holding it whole, so that nobody has to feed a pipe), set the
 * variables, give back the signal mask, and exec COMMAND.  If that fails,
 * put the message back, tell mqrecv why, and exit 126 or 127.
 */
static void __attribute__((noreturn, no_sanitize_address))
child_exec(void)
{
	int fd = memfd_create("mqrecv-job", 0);

	if (fd < 0 || full_write(fd, handoff.data, handoff.len) < handoff.len ||
	    lseek(fd, 0, SEEK_SET) < 0 ||
	    (fd != STDIN_FILENO && dup2(fd, STDIN_FILENO) < 0))
		goto fail;
	if (fd != STDIN_FILENO)
		close(fd);
	snprintf(env_prio, sizeof env_prio, "MQRECV_%s=%ld",
	    queue.flavor == IPC_POSIX ? "PRIORITY" : "TYPE", handoff.prio);
	snprintf(env_attempt, sizeof env_attempt, "MQRECV_ATTEMPT=%u",
	    table_count(handoff.hash) + 1);
	sigprocmask(SIG_SETMASK, &orig_mask, NULL);
	if (command_path) {
		execve(command_path, setup->command, job_env);
		if (errno != ENOENT)
			goto fail;
		handoff.stale = true;
	}
	execvpe(setup->command[0], setup->command, job_env);
fail:
	handoff.err = errno;
	handoff.put_back = child_put_back();
	_exit(command_exec_status(handoff.err));
}

/*
 * The child of take(): it shares mqrecv's memory, and mqrecv waits until
 * it execs or exits.  Take a message without waiting (or the empty one
 * the System V wait took), say so in handoff, and run COMMAND on it.
 * AddressSanitizer does not know the child's stack: it would warn before
 * each call that does not return, so these two functions are left out of
 * its instrumentation (the functions they call are checked).
 */
static int __attribute__((no_sanitize_address))
child_main(void *unused)
{
	ssize_t n;

	(void)unused;
	if (zero_taken) {
		handoff.data = "";
		handoff.prio = zero_prio;
		n = 0;
	} else {
		n = msgq_receive(&queue, setup->type, &handoff.data,
		    &handoff.prio, NULL);
	}
	if (n < 0) {
		handoff.err = errno;
		_exit(EXIT_OK);
	}
	handoff.len = (size_t)n;
	handoff.hash = message_hash(handoff.data, handoff.len, handoff.prio);
	handoff.got = true;
	child_exec();
}

/* Keep a copy of the message the child took in slot J, for the
 * put-back, or exit 1 if there is no memory for it (COMMAND has it, and
 * runs on). */
static void
copy_message(struct job *j)
{
	if (handoff.len > j->cap) {
		char *p = realloc(j->data, handoff.len);
		if (!p) {
			errno = ENOMEM;
			err(EXIT_FAIL, "%s", queue.text);
		}
		j->data = p;
		j->cap = handoff.len;
	}
	memcpy(j->data, handoff.data, handoff.len);
	j->len = handoff.len;
	j->prio = handoff.prio;
	j->hash = handoff.hash;
}

/* A free job slot, or NULL. */
static struct job *
free_slot(void)
{
	for (size_t i = 0; i < njobs; i++)
		if (jobs[i].pid == 0)
			return &jobs[i];
	return NULL;
}

/* Whether -n allows one more job: the running ones may all succeed. */
static bool
count_allows_more(void)
{
	return succeeded + running < count_max;
}

/* The messages end of the queue is gone or failing: stop taking. */
static void
queue_failed(int e)
{
	if (e == EIDRM || e == EINVAL)
		warnx("%s: the queue was removed", queue.text);
	else
		warn("%s", queue.text);
	gave_up = true;
	taking = false;
}

/* Wait for the child PID that has exited or is about to. */
static void
reap_now(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
}

/*
 * Start a job in slot J: a child takes the next message and runs COMMAND
 * on it (child_main()).  Return true when it did; false when the queue
 * had none, or when COMMAND could not run (the message went back, and
 * the taking stops with the status 126 or 127).
 */
static bool
take(struct job *j)
{
	pid_t pid;

	memset(&handoff, 0, sizeof handoff);
	pid = clone(child_main, child_stack + CHILD_STACK,
	    CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	if (pid < 0) {
		warn("%s", setup->command[0]);
		if (zero_taken)
			put_back("", 0, zero_prio, false, 0);
		zero_taken = false;
		gave_up = true;
		taking = false;
		return false;
	}
	zero_taken = false;
	if (!handoff.got) {
		reap_now(pid);
		queue_ready = false;
		if (handoff.err != EAGAIN)
			queue_failed(handoff.err);
		return false;
	}
	copy_message(j);
	if (handoff.stale)
		resolve_command();
	if (handoff.err) {
		reap_now(pid);
		errno = handoff.err;
		warn("%s", setup->command[0]);
		if (!handoff.put_back)
			put_back(j->data, j->len, j->prio, false, 0);
		run_error = command_exec_status(handoff.err);
		taking = false;
		return false;
	}
	j->pid = pid;
	running++;
	took_any = true;
	deadline_start(&idle_dl, setup->timeout ? &idle_timeout : NULL);
	return true;
}

/* A job's COMMAND failed: count it, and put the message back after its
 * delay, or give it up (to the dead letters, or aside until the end). */
static void
job_failed(struct job *j, int code)
{
	unsigned count;

	if (stops) {
		put_back(j->data, j->len, j->prio, false, 0);
		return;
	}
	count = table_fail(j->hash);
	if (max_attempts == 0 || count < max_attempts) {
		put_back(j->data, j->len, j->prio, false,
		    now_ms() + retry_delay(count));
		return;
	}
	gave_up = true;
	if (have_dead) {
		warnx("%s: a message of %zu bytes failed %u times (last status "
		    "%d): sent to %s", queue.text, j->len, count, code,
		    dead.text);
		table_forget(j->hash);
		put_back(j->data, j->len, j->prio, true, 0);
		return;
	}
	warnx("%s: a message of %zu bytes failed %u times (last status %d): "
	    "set aside, put back when this mqrecv ends", queue.text, j->len,
	    count, code);
	put_back(j->data, j->len, j->prio, false, AT_END);
}

/* Reap the COMMANDs that ended, consuming or putting back their
 * messages, and the keeper. */
static void
reap_jobs(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == keeper_pid)
			keeper_reaped(status);
		for (size_t i = 0; i < njobs; i++) {
			struct job *j = &jobs[i];
			if (j->pid != pid)
				continue;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
				succeeded++;
				if (failures.used)
					table_forget(j->hash);
			} else {
				job_failed(j, command_status(status));
			}
			j->pid = 0;
			running--;
			deadline_start(&idle_dl, setup->timeout ?
			    &idle_timeout : NULL);
		}
	}
}

/* --- waiting ------------------------------------------------------------ */

/* How long the next wait may last, in ms (-1: until something happens),
 * OPEN telling whether a job could start now. */
static int
wait_ms(bool open)
{
	if (!open || !setup->timeout)
		return -1;
	return deadline_poll_ms(&idle_dl);
}

/*
 * System V: wait up to MS (-1: no limit) for a message of our type,
 * without taking it: msgrcv(2) with room for no byte fails with E2BIG
 * and leaves the message on the queue.  An empty message fits, and is
 * taken: it is kept in zero_taken for the next child, mqrecv's only
 * hold of a message (a few instructions).  The interval timer's SIGALRM
 * ends the call every TICK_MS, so that a signal that came just before it
 * blocked is seen.
 */
static void
sysv_wait_message(int ms)
{
	struct itimerval it = { { 0, TICK_MS * 1000L },
	    { 0, TICK_MS * 1000L } }, off = { { 0, 0 }, { 0, 0 } };
	long type = 0;
	sigset_t old;
	ssize_t n = -1;
	int e = EINTR;

	if (ms >= 0 && ms < TICK_MS)
		it.it_value.tv_usec = ms * 1000L + 1;
	setitimer(ITIMER_REAL, &it, NULL);
	sigprocmask(SIG_SETMASK, &wait_mask, &old);
	if (!woken) {
		n = msgrcv(queue.msqid, &type, 0, setup->type, 0);
		e = errno;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	setitimer(ITIMER_REAL, &off, NULL);
	if (n == 0) {
		zero_taken = true;
		zero_prio = type;
	}
	if (n == 0 || e == E2BIG)
		queue_ready = true;
	else if (n < 0 && e != EINTR)
		queue_failed(e);
}

/* Wait until something may have happened: a message came (when WANT, a
 * job could start), a COMMAND or the keeper ended, a stop signal, the
 * -t deadline. */
static void
wait_event(bool want)
{
	struct pollfd pfd = { .fd = (int)queue.mqd, .events = POLLIN };
	int ms = wait_ms(want);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (want && queue.flavor == IPC_SYSV) {
		sysv_wait_message(ms);
		return;
	}
	if (ppoll(&pfd, want ? 1 : 0, ms < 0 ? NULL : &ts, &wait_mask) > 0)
		queue_ready = true;
}

/* --- the worker ---------------------------------------------------------- */

/* Take messages and run them until -n, -t, a stop signal or an error
 * ends the taking and every running COMMAND has ended. */
static void
work(void)
{
	for (;;) {
		struct job *slot;
		bool open;

		woken = 0;
		reap_jobs();
		if (stops) {
			taking = false;
			pass_on_stops();
		}
		slot = free_slot();
		open = taking && slot && count_allows_more();
		if (zero_taken && !open) {
			/* The empty message the wait took will not run now. */
			put_back("", 0, zero_prio, false, 0);
			zero_taken = false;
		}
		if (open && queue_ready && take(slot))
			continue;
		if (succeeded >= count_max)
			taking = false;
		open = taking && slot && count_allows_more();
		if (open && setup->timeout && deadline_expired(&idle_dl)) {
			taking = false;
			timed_out = true;
		}
		if (!taking && running == 0)
			return;
		wait_event(open && taking && !queue_ready);
	}
}

/* The work is over: let the keeper put back everything it holds, and
 * wait for it, passing on the stop signals that come meanwhile. */
static void
finish_keeper(void)
{
	if (keeper_fd >= 0)
		close(keeper_fd);
	keeper_fd = -1;
	while (keeper_pid > 0) {
		woken = 0;
		reap_jobs();
		pass_on_stops();
		if (keeper_pid > 0 && !woken)
			sigsuspend(&wait_mask);
	}
}

/* Open QUEUE, and the dead-letter queue if any, or exit 1; keep their
 * descriptors from COMMAND. */
static void
open_queues(void)
{
	static struct ipc_operand dead_op;

	msgq_open_or_err(&queue, setup->queue, MSGQ_RECEIVE, setup->create);
	if (queue.flavor == IPC_POSIX)
		fcntl((int)queue.mqd, F_SETFD, FD_CLOEXEC);
	record_max = queue.msgsize;
	if (!opt_dead_letter)
		return;
	ipc_operand_or_err(opt_dead_letter, MSGQ_NAME_MAX, &dead_op);
	msgq_open_or_err(&dead, &dead_op, MSGQ_SEND, setup->create);
	if (dead.flavor == IPC_POSIX)
		fcntl((int)dead.mqd, F_SETFD, FD_CLOEXEC);
	if (dead.msgsize > record_max)
		record_max = dead.msgsize;
	have_dead = true;
}

/* Make the job slots, each with room for a message of QUEUE, the
 * children's stack and the tally the keepers share, or exit 1. */
static void
setup_jobs(void)
{
	jobs = calloc(njobs, sizeof *jobs);
	if (!jobs)
		err(EXIT_FAIL, "%s", queue.text);
	for (size_t i = 0; i < njobs; i++) {
		jobs[i].cap = queue.msgsize;
		jobs[i].data = malloc(jobs[i].cap ? jobs[i].cap : 1);
		if (!jobs[i].data)
			err(EXIT_FAIL, "%s", queue.text);
	}
	child_stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	tally = mmap(NULL, sizeof *tally, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (child_stack == MAP_FAILED || tally == MAP_FAILED)
		err(EXIT_FAIL, "%s", queue.text);
}

/* The exit status once the work is over, without a signal. */
static int
exit_status(void)
{
	if (run_error)
		return run_error;
	if (gave_up)
		return EXIT_FAIL;
	if (timed_out && !took_any)
		return EXIT_TIMEOUT;
	return EXIT_OK;
}

int
worker_run(const struct worker_setup *s)
{
	int status;

	setup = s;
	njobs = opt_jobs ? (size_t)number_or_err("-j", opt_jobs, 1, JOBS_MAX) :
	    1;
	if (opt_max_attempts)
		max_attempts = (unsigned)number_or_err("--max-attempts",
		    opt_max_attempts, 1, 1000000);
	if (s->count)
		count_max = (unsigned long)number_or_err("-n", s->count, 1,
		    ULONG_MAX);
	if (s->timeout)
		idle_timeout = duration_or_err("-t", s->timeout);
	setup_signals();
	open_queues();
	setup_jobs();
	setup_env();
	resolve_command();
	deadline_start(&idle_dl, s->timeout ? &idle_timeout : NULL);
	work();
	finish_keeper();
	status = exit_status();
	msgq_close(&queue);
	if (have_dead)
		msgq_close(&dead);
	for (size_t i = 0; i < njobs; i++)
		free(jobs[i].data);
	free(jobs);
	free(failures.slots);
	free(job_env);
	free(command_path);
	munmap(child_stack, CHILD_STACK);
	munmap(tally, sizeof *tally);
	if (stops && !spilled && !lost)
		die_by_signal(stop_sig);
	return stops ? EXIT_FAIL : status;
}
