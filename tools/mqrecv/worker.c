/* SPDX-License-Identifier: MIT */
/*
 * mqrecv's worker mode: mqrecv [OPTION]... QUEUE -- COMMAND [ARG]...
 *
 * For each message, run COMMAND (no shell) with the message's bytes on
 * its standard input, through a pipe that mqrecv fills and closes, and
 * MQRECV_QUEUE, MQRECV_PRIORITY or MQRECV_TYPE, and MQRECV_ATTEMPT in its
 * environment; up to -j COMMANDs at once.  A message is consumed when its
 * COMMAND exits 0; otherwise it goes back on the queue (with its priority
 * or type) and is run again after a delay that doubles with each failure,
 * counted in this process's memory under a hash of the message's bytes
 * and priority or type.  Up to -n successful jobs, until -t passes with
 * no message while a job slot is free, or for ever.  Exit 0; 1 when a
 * message went to the dead-letter queue, failed --max-attempts times or
 * could not be put back; 124 when -t passed with no message at all;
 * 126/127 when COMMAND could not be run; death by SIGINT, SIGTERM or SIGHUP,
 * which are passed on to the running COMMANDs first.
 *
 * A message is received only when a job slot is free, and written into
 * the pipe and COMMAND started at once, so that mqrecv holds nothing a
 * SIGKILL could lose but the message between mq_receive(3) and fork(2),
 * and those it looks past while they wait for their delay.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <popt.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/stat.h>
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
/* While every message is in its delay: how often the queue's attributes
 * are looked at for a message that came since. */
#define LOOK_MS 100
/* While a message waits for room in a full queue, or for its COMMAND to
 * read more of it: how often mqrecv tries again. */
#define TICK_MS 50
#define JOBS_MAX 1024

/* A running COMMAND and the message it was given. */
struct job {
	pid_t pid;		/* 0: the slot is free */
	int in;			/* the pipe to its standard input, or -1 */
	char *data;		/* the message */
	size_t len, written;	/* written: bytes in the pipe so far */
	long prio;
	uint64_t hash;
};

/* A message out of the queue that is not a running job's: one looked
 * past during a scan, or one that found its queue full. */
struct held {
	char *data;
	size_t len;
	long prio;
	struct msgq *dest;	/* where it goes */
};

/* What mqrecv remembers of a message that failed. */
struct failure {
	uint64_t hash;		/* 0: an empty slot of the table */
	unsigned count;		/* its failures */
	int64_t due;		/* CLOCK_MONOTONIC ms when it may run again */
	bool given_up;		/* --max-attempts without --dead-letter */
};

/* Failures by hash: open addressing, linear probing, a power of 2. */
struct table {
	struct failure *slots;
	size_t size, used;
};

/* A list of held messages. */
struct heldlist {
	struct held *v;
	size_t n, max;
};

/* What the queue's attributes said at a look: it changed when another
 * process sent or received since. */
struct look {
	long messages;
	struct timespec t1, t2;
	long pid1, pid2;
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
static struct heldlist backlog;		/* waiting for room in their queue */
static struct heldlist skipped;		/* looked past in this scan */
static bool taking = true;		/* still receiving */
static bool took_any;			/* some message was received */
static bool timed_out;			/* -t ended the taking */
static bool gave_up;			/* dead letter, given up or spilled */
static bool spilled;			/* a message went to standard error */
static int run_error;			/* 126 or 127: COMMAND cannot run */
static bool resting;			/* every message is in its delay */
static int64_t rest_until;		/* the first one due, or INT64_MAX */
static int64_t next_look;		/* when to look at the queue again */
static struct look rest_look;		/* the queue as the scan left it */
static char **job_env;			/* environ with our four variables */
static char env_queue[32 + NAME_MAX], env_prio[48], env_attempt[40];
static sigset_t orig_mask;		/* the mask COMMAND gets */
static sigset_t wait_mask;		/* the mask inside waits */
static volatile sig_atomic_t stop_sig;	/* the last INT, TERM or HUP */
static volatile sig_atomic_t stops;	/* how many came */
static volatile sig_atomic_t woken;	/* a signal or a child's end */
static volatile sig_atomic_t late_stop;	/* a stop signal, since it was 0 */
static sig_atomic_t stops_passed;	/* how many were passed on */

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
	late_stop = woken = 1;
}

static void
on_child(int sig)
{
	(void)sig;
	woken = 1;
}

/*
 * Handle INT, TERM and HUP (those not ignored at start) and CHLD, and
 * block them and PIPE outside waits: a COMMAND that leaves its input
 * unread is EPIPE, not the end of mqrecv.  COMMAND gets the mask mqrecv
 * started with; an ignored stop signal stays ignored for it too.
 */
static void
setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_child,
	    .sa_flags = SA_NOCLDSTOP };
	sigset_t caught = catch_stop_signals(on_stop), block = caught;

	sigaddset(&block, SIGPIPE);
	sigaddset(&block, SIGCHLD);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_BLOCK, &block, &orig_mask);
	wait_mask = orig_mask;
	sigaddset(&wait_mask, SIGPIPE);
	sigdelset(&wait_mask, SIGCHLD);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&caught, sig))
			sigdelset(&wait_mask, sig);
}

/* Pass each stop signal that came since the last call on to every
 * running COMMAND. */
static void
pass_on_stops(void)
{
	if (stops == stops_passed)
		return;
	stops_passed = stops;
	for (size_t i = 0; i < njobs; i++)
		if (jobs[i].pid > 0)
			kill(jobs[i].pid, stop_sig);
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

/* The failures of the message HASH, or NULL if it never failed. */
static struct failure *
table_find(uint64_t hash)
{
	struct failure *f = table_slot(hash);

	return f->hash ? f : NULL;
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

/* Count one more failure of the message HASH and set when it is due. */
static struct failure *
table_fail(uint64_t hash)
{
	struct failure *f;
	int64_t delay = RETRY_FIRST_MS;

	if ((failures.used + 1) * 4 > failures.size * 3)
		table_grow();
	f = table_slot(hash);
	if (!f->hash) {
		f->hash = hash;
		failures.used++;
	}
	f->count++;
	for (unsigned i = 1; i < f->count && delay < RETRY_MAX_MS; i++)
		delay *= 2;
	f->due = now_ms() + (delay < RETRY_MAX_MS ? delay : RETRY_MAX_MS);
	return f;
}

/* Forget the message HASH: it succeeded or went to the dead letters.
 * The entries after it move back so that probing still finds them. */
static void
table_forget(uint64_t hash)
{
	size_t mask = failures.size - 1, i, j;
	struct failure *f = failures.size ? table_find(hash) : NULL;

	if (!f)
		return;
	i = (size_t)(f - failures.slots);
	f->hash = 0;
	failures.used--;
	for (j = (i + 1) & mask; failures.slots[j].hash; j = (j + 1) & mask) {
		size_t home = (size_t)failures.slots[j].hash & mask;
		/* Move it into the hole unless its home lies in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			failures.slots[i] = failures.slots[j];
			failures.slots[j].hash = 0;
			i = j;
		}
	}
}

/* Whether the message HASH must wait: its delay has not passed, or it
 * was given up. */
static bool
in_delay(uint64_t hash, int64_t now)
{
	struct failure *f = failures.size ? table_find(hash) : NULL;

	return f && (f->given_up || now < f->due);
}

/* --- messages held and put back ------------------------------------------ */

/* Write a message that cannot go back to standard error, in full, after a
 * line that says why (E), so that nothing disappears without a trace. */
static void
spill(const struct held *h, int e)
{
	char nl = '\n';

	warnx("%s: could not put back a message of %zu bytes (%s %ld): %s; "
	    "here it is:", h->dest->text, h->len, h->dest->flavor == IPC_POSIX ?
	    "priority" : "type", h->prio, e == EIDRM ? "the queue was removed" :
	    e == EINTR ? "the queue is full and a signal came" : strerror(e));
	full_write(STDERR_FILENO, h->data, h->len);
	full_write(STDERR_FILENO, &nl, 1);
	gave_up = spilled = true;
}

/*
 * Send H to its queue.  WAIT false: try once, return false if the queue is
 * full.  WAIT true (at the end, no COMMAND left): wait for room, saying so
 * after a second, until a stop signal comes; after that signal, wait no
 * more for any message.  What cannot go is spilled.
 * Return true when H is dealt with.
 */
static bool
send_held(const struct held *h, bool wait)
{
	struct timespec zero = { 0, 0 }, second = { 1, 0 };
	static volatile sig_atomic_t never;
	static bool signalled;	/* a signal ended such a wait: no more */
	struct deadline dl;
	struct msgq_wait w = { .dl = &dl, .mask = &wait_mask,
	    .stop = wait ? &late_stop : &never, .watch = -1 };

	/* A signal that came before (the one that stopped the work) does
	 * not end this wait; only one that comes during it (and not the
	 * SIGCHLD of a COMMAND reaped already). */
	if (wait)
		late_stop = 0;
	deadline_start(&dl, wait && !signalled ? &second : &zero);
	if (msgq_send(h->dest, h->data, h->len, h->prio, &w) == 0)
		return true;
	if (errno == ETIMEDOUT && !wait)
		return false;
	signalled |= errno == EINTR;
	if (errno == ETIMEDOUT && !signalled) {
		warnx("%s: the queue is full: waiting for room to put back a "
		    "message", h->dest->text);
		w.dl = NULL;
		if (msgq_send(h->dest, h->data, h->len, h->prio, &w) == 0)
			return true;
		signalled |= errno == EINTR;
	}
	spill(h, errno == ETIMEDOUT ? EINTR : errno);
	return true;
}

/* Send the messages of LIST, in order, as send_held() with WAIT; keep
 * those that found their queue full. */
static void
send_list(struct heldlist *list, bool wait)
{
	size_t kept = 0;

	for (size_t i = 0; i < list->n; i++) {
		if (send_held(&list->v[i], wait))
			free(list->v[i].data);
		else
			list->v[kept++] = list->v[i];
	}
	list->n = kept;
}

/* Add a copy of a message for DEST to LIST, or exit 1 (the message back
 * in its queue first, if it can go). */
static void
hold(struct heldlist *list, const char *data, size_t len, long prio,
    struct msgq *dest)
{
	struct held *h;
	char *copy = malloc(len ? len : 1);

	if (list->n == list->max) {
		size_t max = list->max ? list->max * 2 : 16;
		struct held *v = copy ? realloc(list->v, max * sizeof *v) :
		    NULL;
		if (v) {
			list->v = v;
			list->max = max;
		}
	}
	if (!copy || list->n == list->max) {
		struct held lost = { (char *)data, len, prio, dest };
		free(copy);
		if (!send_held(&lost, false))
			spill(&lost, ENOMEM);
		errno = ENOMEM;
		err(EXIT_FAIL, "%s", queue.text);
	}
	memcpy(copy, data, len);
	h = &list->v[list->n++];
	*h = (struct held){ copy, len, prio, dest };
}

/* Put back a message, or keep it in the backlog if its queue is full. */
static void
put_back(const char *data, size_t len, long prio, struct msgq *dest)
{
	struct held h = { (char *)data, len, prio, dest };

	if (!send_held(&h, false))
		hold(&backlog, data, len, prio, dest);
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

/* Write what the pipe of J takes of its message without waiting; close
 * it once all is in, or when COMMAND will read no more (EPIPE, which is
 * not an error: COMMAND may ignore its input). */
static void
feed(struct job *j)
{
	while (j->in >= 0 && j->written < j->len) {
		ssize_t n = write(j->in, j->data + j->written,
		    j->len - j->written);
		if (n > 0)
			j->written += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else if (n < 0 && errno == EAGAIN)
			return;
		else
			break;
	}
	if (j->in >= 0)
		close(j->in);
	j->in = -1;
}

/*
 * Start COMMAND in slot J for the message in it, attempt ATTEMPT: the
 * message goes into a pipe first, so that the child holds it from
 * fork(2) on.  Return 0, or the errno of a COMMAND that cannot be run.
 */
static int
spawn(struct job *j, unsigned attempt)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int p[2], e;

	if (pipe2(p, O_CLOEXEC) < 0)
		return errno;
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	if (j->len > (size_t)fcntl(p[1], F_GETPIPE_SZ) && j->len < INT_MAX)
		fcntl(p[1], F_SETPIPE_SZ, (int)j->len);
	j->in = p[1];
	j->written = 0;
	feed(j);
	snprintf(env_prio, sizeof env_prio, "MQRECV_%s=%ld",
	    queue.flavor == IPC_POSIX ? "PRIORITY" : "TYPE", j->prio);
	snprintf(env_attempt, sizeof env_attempt, "MQRECV_ATTEMPT=%u",
	    attempt);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], STDIN_FILENO);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &orig_mask);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	e = posix_spawnp(&j->pid, setup->command[0], &fa, &attr,
	    setup->command, job_env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(p[0]);
	if (e) {
		if (j->in >= 0)
			close(j->in);
		j->in = -1;
		j->pid = 0;
	}
	return e;
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

/*
 * Run COMMAND on a message just received.  If it cannot be run, put the
 * message back, stop taking and remember the status (126 or 127).
 */
static void
start_job(struct job *j, const char *data, size_t len, long prio)
{
	uint64_t hash = message_hash(data, len, prio);
	struct failure *f = failures.size ? table_find(hash) : NULL;
	int e;

	j->data = malloc(len ? len : 1);
	if (!j->data) {
		put_back(data, len, prio, &queue);
		err(EXIT_FAIL, "%s", queue.text);
	}
	memcpy(j->data, data, len);
	j->len = len;
	j->prio = prio;
	j->hash = hash;
	e = spawn(j, f ? f->count + 1 : 1);
	if (e == 0) {
		running++;
		took_any = true;
		deadline_start(&idle_dl, setup->timeout ? &idle_timeout : NULL);
		return;
	}
	errno = e;
	warn("%s", setup->command[0]);
	put_back(j->data, len, prio, &queue);
	free(j->data);
	run_error = command_exec_status(e);
	taking = false;
}

/* A job's COMMAND failed: count it, and put the message back, or give it
 * up (to the dead letters, or back but never run again here). */
static void
job_failed(struct job *j, int code)
{
	struct failure *f;

	if (stops) {
		put_back(j->data, j->len, j->prio, &queue);
		return;
	}
	f = table_fail(j->hash);
	if (max_attempts == 0 || f->count < max_attempts) {
		put_back(j->data, j->len, j->prio, &queue);
		return;
	}
	gave_up = true;
	if (have_dead) {
		warnx("%s: a message of %zu bytes failed %u times (last status "
		    "%d): sent to %s", queue.text, j->len, f->count, code,
		    dead.text);
		table_forget(j->hash);
		put_back(j->data, j->len, j->prio, &dead);
		return;
	}
	warnx("%s: a message of %zu bytes failed %u times (last status %d): "
	    "put back, not to be run again by this mqrecv", queue.text,
	    j->len, f->count, code);
	f->given_up = true;
	put_back(j->data, j->len, j->prio, &queue);
}

/* Reap the COMMANDs that ended: consume or put back their messages. */
static void
reap_jobs(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < njobs; i++) {
			struct job *j = &jobs[i];
			if (j->pid != pid)
				continue;
			if (j->in >= 0)
				close(j->in);
			j->in = -1;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
				succeeded++;
				if (failures.size)
					table_forget(j->hash);
			} else {
				job_failed(j, command_status(status));
			}
			free(j->data);
			j->pid = 0;
			running--;
			deadline_start(&idle_dl, setup->timeout ?
			    &idle_timeout : NULL);
		}
	}
}

/* --- taking messages -------------------------------------------------------- */

/* Look at the queue's attributes (see struct look). */
static void
look_at_queue(struct look *l)
{
	memset(l, 0, sizeof *l);
	if (queue.flavor == IPC_POSIX) {
		struct mq_attr a;
		struct stat st;
		if (mq_getattr(queue.mqd, &a) == 0)
			l->messages = a.mq_curmsgs;
		if (fstat((int)queue.mqd, &st) == 0) {
			l->t1 = st.st_mtim;
			l->t2 = st.st_ctim;
		}
	} else {
		struct msqid_ds ds;
		if (msgctl(queue.msqid, IPC_STAT, &ds) == 0) {
			l->messages = (long)ds.msg_qnum;
			l->t1.tv_sec = ds.msg_stime;
			l->t2.tv_sec = ds.msg_rtime;
			l->pid1 = ds.msg_lspid;
			l->pid2 = ds.msg_lrpid;
		}
	}
}

/* A scan put back only messages in their delay: rest until the first is
 * due, looking at the queue every LOOK_MS for one that came since. */
static void
start_rest(void)
{
	int64_t now = now_ms();

	rest_until = INT64_MAX;
	for (size_t i = 0; i < skipped.n; i++) {
		struct failure *f = table_find(message_hash(skipped.v[i].data,
		    skipped.v[i].len, skipped.v[i].prio));
		if (f && !f->given_up && f->due < rest_until)
			rest_until = f->due;
	}
	look_at_queue(&rest_look);
	resting = true;
	/* More messages than were put back: one came during the scan. */
	next_look = now + (rest_look.messages > (long)skipped.n ? 0 : LOOK_MS);
	if (rest_look.messages > (long)skipped.n)
		rest_look.messages = -1;
}

/* While resting: whether a message may be ready now. */
static bool
rest_over(void)
{
	int64_t now = now_ms();
	struct look l;

	if (now >= rest_until)
		return true;
	if (now < next_look)
		return false;
	next_look = now + LOOK_MS;
	look_at_queue(&l);
	return memcmp(&l, &rest_look, sizeof l) != 0;
}

/* The messages end of the queue is gone or failing: stop taking. */
static void
queue_failed(int e)
{
	if (e == EIDRM)
		warnx("%s: the queue was removed", queue.text);
	else
		warn("%s", queue.text);
	gave_up = true;
	taking = false;
}

/*
 * Take the first message that is not in its delay and start it in slot
 * J.  FIRST, when not NULL, is a message already received (N bytes,
 * priority PRIO); the others are received without waiting.  Messages in
 * their delay are held while the scan goes on, then put back in their
 * order.  Return true when a job started.
 */
static bool
take(struct job *j, const char *first, ssize_t n, long prio)
{
	const char *data = first;
	bool started = false;
	int64_t now = now_ms();

	for (;;) {
		if (!data)
			n = msgq_receive(&queue, setup->type, &data, &prio,
			    NULL);
		if (n < 0) {
			if (errno != EAGAIN)
				queue_failed(errno);
			break;
		}
		if (!in_delay(message_hash(data, (size_t)n, prio), now)) {
			start_job(j, data, (size_t)n, prio);
			started = true;
			break;
		}
		hold(&skipped, data, (size_t)n, prio, &queue);
		data = NULL;
	}
	if (!started && skipped.n > 0 && taking)
		start_rest();
	send_list(&skipped, false);
	/* Those that found the queue full (others sent meanwhile) wait in
	 * the backlog. */
	for (size_t i = 0; i < skipped.n; i++) {
		hold(&backlog, skipped.v[i].data, skipped.v[i].len,
		    skipped.v[i].prio, &queue);
		free(skipped.v[i].data);
	}
	skipped.n = 0;
	return started;
}

/* --- waiting ------------------------------------------------------------ */

/* Whether some COMMAND has not been given all of its message yet. */
static bool
inputs_pending(void)
{
	for (size_t i = 0; i < njobs; i++)
		if (jobs[i].pid > 0 && jobs[i].in >= 0)
			return true;
	return false;
}

/* How long the next wait may last, in ms (-1: until something happens),
 * OPEN telling whether a job could start now. */
static int
wait_ms(bool open)
{
	int64_t now = now_ms(), until = INT64_MAX, left;

	if (taking && open && setup->timeout)
		until = now + deadline_poll_ms(&idle_dl);
	if (taking && open && resting) {
		left = rest_until < next_look ? rest_until : next_look;
		until = left < until ? left : until;
	}
	if (backlog.n && now + TICK_MS < until)
		until = now + TICK_MS;
	if (until == INT64_MAX)
		return -1;
	left = until - now;
	return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/*
 * Wait until something may have happened: a message came (for the free
 * slot SLOT, if any), a COMMAND ended or read its input, a stop signal,
 * a deadline.  A System V queue has nothing to poll: there the wait for
 * a message is msgrcv(2) itself (see msgq.h), and the message it returns
 * is taken at once.
 */
static void
wait_event(struct job *slot)
{
	static struct pollfd pfd[JOBS_MAX + 1];
	bool open = slot && count_allows_more();
	bool want = taking && open && !resting;
	int ms = wait_ms(open);
	struct timespec ts;
	nfds_t n = 0;

	if (want && queue.flavor == IPC_SYSV && !backlog.n &&
	    !inputs_pending()) {
		struct deadline dl;
		struct msgq_wait w = { .dl = ms < 0 ? NULL : &dl,
		    .mask = &wait_mask, .stop = &woken, .watch = -1 };
		const char *data;
		long prio;
		ssize_t got;

		ts = (struct timespec){ ms / 1000, (ms % 1000) * 1000000L };
		deadline_start(&dl, &ts);
		got = msgq_receive(&queue, setup->type, &data, &prio, &w);
		if (got >= 0)
			take(slot, data, got, prio);
		else if (errno != ETIMEDOUT && errno != EINTR)
			queue_failed(errno);
		return;
	}
	if (want && queue.flavor == IPC_POSIX)
		pfd[n++] = (struct pollfd){ .fd = (int)queue.mqd,
		    .events = POLLIN };
	else if (want && (ms < 0 || ms > TICK_MS))
		ms = TICK_MS;	/* System V, while input or room is awaited */
	for (size_t i = 0; i < njobs; i++)
		if (jobs[i].pid > 0 && jobs[i].in >= 0)
			pfd[n++] = (struct pollfd){ .fd = jobs[i].in,
			    .events = POLLOUT };
	ts = (struct timespec){ ms / 1000, (ms % 1000) * 1000000L };
	ppoll(pfd, n, ms < 0 ? NULL : &ts, &wait_mask);
}

/* --- the worker ---------------------------------------------------------- */

/* Take messages and run them until -n, -t, a stop signal or an error
 * ends the taking and every running COMMAND has ended. */
static void
work(void)
{
	for (;;) {
		struct job *slot;

		woken = 0;
		reap_jobs();
		if (stops) {
			taking = false;
			pass_on_stops();
		}
		for (size_t i = 0; i < njobs; i++)
			if (jobs[i].pid > 0)
				feed(&jobs[i]);
		if (backlog.n)
			send_list(&backlog, false);
		if (resting && rest_over())
			resting = false;
		slot = free_slot();
		if (taking && slot && count_allows_more() && !resting &&
		    take(slot, NULL, 0, 0))
			continue;
		if (succeeded >= count_max)
			taking = false;
		if (taking && slot && count_allows_more() && setup->timeout &&
		    deadline_expired(&idle_dl)) {
			taking = false;
			timed_out = true;
		}
		if (!taking && running == 0)
			return;
		wait_event(slot);
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
	if (!opt_dead_letter)
		return;
	ipc_operand_or_err(opt_dead_letter, MSGQ_NAME_MAX, &dead_op);
	msgq_open_or_err(&dead, &dead_op, MSGQ_SEND, setup->create);
	if (dead.flavor == IPC_POSIX)
		fcntl((int)dead.mqd, F_SETFD, FD_CLOEXEC);
	have_dead = true;
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
	jobs = calloc(njobs, sizeof *jobs);
	if (!jobs)
		err(EXIT_FAIL, "%s", s->queue->text);
	for (size_t i = 0; i < njobs; i++)
		jobs[i].in = -1;
	setup_signals();
	open_queues();
	setup_env();
	deadline_start(&idle_dl, s->timeout ? &idle_timeout : NULL);
	work();
	send_list(&backlog, true);
	status = exit_status();
	msgq_close(&queue);
	if (have_dead)
		msgq_close(&dead);
	free(backlog.v);
	free(skipped.v);
	free(failures.slots);
	free(job_env);
	free(jobs);
	if (stops && !spilled)
		die_by_signal(stop_sig);
	return stops ? EXIT_FAIL : status;
}
