/* SPDX-License-Identifier: MIT */
/*
 * shmcat: copy shared memory objects to standard output, or standard input
 * into one.
 *
 * Reads each SHM operand (a POSIX object or a System V segment, see
 * ipcutils(7); "-" is standard input) and writes its bytes, or the -o/-s
 * window of them, to standard output; with -w copies standard input into
 * one SHM.  Reading never creates, changes or removes anything (System V
 * segments are attached read-only).  POSIX objects go through the kernel
 * with splice(2) or sendfile(2) from the descriptor, never a mapping, so an
 * object shrunk under us just ends the copy.  With -L SEM the copy happens
 * while holding the semaphore SEM.  Exits 0 on success, 1 on failure, 2 on
 * a usage error (nothing changed), 124 when -t expires waiting for SEM.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <popt.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "deadline.h"
#include "diag.h"
#include "ipcobj.h"
#include "ipcsem.h"
#include "parse.h"
#include "process.h"

static int opt_write;			/* -w: standard input into SHM */
static char *opt_offset;		/* -o: start here */
static char *opt_size;			/* -s: at most this much / new size */
static int opt_create;			/* -c: create SHM (and SEM) */
static int opt_truncate;		/* --truncate: size = what was written */
static char *opt_mode;			/* --mode: permissions of new objects */
static char *opt_lock;			/* -L: hold this semaphore */
static char *opt_timeout;		/* -t: bound on the wait for SEM */
static int opt_stat;			/* --stat: attributes, not contents */
static int opt_unlink;			/* --unlink: remove after the copy */

static struct poptOption options[] = {
	{ "write", 'w', POPT_ARG_NONE, &opt_write, 0,
	  "copy standard input into SHM", NULL },
	{ "offset", 'o', POPT_ARG_STRING, &opt_offset, 0,
	  "start at byte OFFSET of each object", "OFFSET" },
	{ "size", 's', POPT_ARG_STRING, &opt_size, 0,
	  "copy at most SIZE bytes; -w -c: size of a new object", "SIZE" },
	{ "create", 'c', POPT_ARG_NONE, &opt_create, 0,
	  "create SHM (with -w) and the -L semaphore if missing", NULL },
	{ "truncate", '\0', POPT_ARG_NONE, &opt_truncate, 0,
	  "with -w, make a POSIX object end where the input did", NULL },
	{ "mode", '\0', POPT_ARG_STRING, &opt_mode, 0,
	  "permissions of new objects (default 0600)", "MODE" },
	{ "lock", 'L', POPT_ARG_STRING, &opt_lock, 0,
	  "hold semaphore SEM during the copy", "SEM" },
	{ "timeout", 't', POPT_ARG_STRING, &opt_timeout, 0,
	  "give up waiting for SEM after DURATION (exit 124)",
	  "DURATION" },
	{ "stat", '\0', POPT_ARG_NONE, &opt_stat, 0,
	  "print attributes as key=value lines, not contents",
	  NULL },
	{ "unlink", '\0', POPT_ARG_NONE, &opt_unlink, 0,
	  "remove each object after the copy", NULL },
	CMDLINE_COMMON_OPTIONS
	POPT_TABLEEND
};

static const struct cmdline_help help = {
	.synopsis = "[OPTION]... SHM...\n"
	    "-w [OPTION]... SHM",
	.forms = "Copy each SHM to standard output, or with -w standard input "
	    "into SHM.\n"
	    IPC_OPERAND_FORMS("SHM")
	    "SEM (-L): the same forms, as semop(1) takes them\n"
	    "SIZE, OFFSET: bytes, or with K, M, G; DURATION: 1.5, 250ms, 2m\n",
	.example = "date | shmcat -w -c --truncate status; shmcat status",
};

#define BUF_SIZE (128 * 1024)		/* fallback copy buffer */
#define CHUNK ((size_t)1 << 30)		/* most one splice/sendfile moves */
#define WINDOW ((size_t)8 << 20)	/* System V pages dropped behind us */
#define PIPE_SIZE (1024 * 1024)		/* output pipe capacity we ask for */

static volatile sig_atomic_t got_signal;	/* INT, TERM or HUP, under -L */
static bool pipe_fatal;		/* SIGPIPE was ours to ignore */
static struct ipc_sem lock;			/* -L's semaphore */
static bool lock_held;

/* Remember a terminating signal, for the loops to obey between two
 * transfers or after an interrupted one. */
static void
on_signal(int sig)
{
	got_signal = sig;
}

/*
 * Under -L, catch INT, TERM and HUP, and ignore SIGPIPE, so that a POSIX
 * lock, which has no undo, is given back before shmcat ends by the signal
 * (or by SIGPIPE, on EPIPE).  A signal ignored at start (nohup, a script's
 * & job) stays ignored, and with SIGPIPE ignored EPIPE is a write error.
 */
static void
catch_signals(void)
{
	catch_stop_signals(on_signal);
	pipe_fatal = signal(SIGPIPE, SIG_IGN) != SIG_IGN;
}

/* Give the lock back (if held) and die of SIG as if never caught. */
static void __attribute__((noreturn))
release_and_die(int sig)
{
	if (lock_held)
		ipc_sem_release(&lock, lock.op->flavor == IPC_SYSV);
	lock_held = false;
	die_by_signal(sig);
}

/* Die of the signal that came, if one did, after giving the lock back:
 * called between two transfers, as a transfer interrupted after moving
 * some bytes reports them, not EINTR. */
static void
obey_signal(void)
{
	if (got_signal)
		release_and_die(got_signal);
}

/* Release the lock, then err(3) out: a POSIX lock has no undo. */
static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (lock_held)
		ipc_sem_release(&lock, lock.op->flavor == IPC_SYSV);
	lock_held = false;
	va_start(ap, fmt);
	errno = saved;
	verr(EXIT_FAIL, fmt, ap);
}

/* Release the lock and exit 1, the reason already told. */
static void __attribute__((noreturn))
bail(void)
{
	if (lock_held)
		ipc_sem_release(&lock, lock.op->flavor == IPC_SYSV);
	lock_held = false;
	exit(EXIT_FAIL);
}

/* As fail(), without errno. */
static void __attribute__((noreturn, format(printf, 1, 2)))
failx(const char *fmt, ...)
{
	va_list ap;

	if (lock_held)
		ipc_sem_release(&lock, lock.op->flavor == IPC_SYSV);
	lock_held = false;
	va_start(ap, fmt);
	verrx(EXIT_FAIL, fmt, ap);
}

/* After a failed transfer call: return true to retry (EINTR without a
 * signal to obey, EAGAIN after waiting for FD), die of SIGPIPE on EPIPE,
 * return false on any other error. */
static bool
retry_after(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	obey_signal();
	if (errno == EINTR)
		return true;
	if (errno == EAGAIN) {
		while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
			obey_signal();
		return true;
	}
	if (errno == EPIPE && pipe_fatal)
		release_and_die(SIGPIPE);
	return false;
}

/* Read standard input once into BUF, as read(2) does, retrying EINTR and
 * EAGAIN unless a signal is to be obeyed. */
static ssize_t
read_input(void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, len);
		if (n >= 0 || !retry_after(STDIN_FILENO, POLLIN))
			return n;
	}
}

/* Write LEN bytes of BUF to FD (short writes, EINTR, EAGAIN handled).
 * Return 0 or -1 with errno set.  Not full_write(): a signal under -L
 * must end the copy between two write(2) calls, which it goes on with. */
static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n;

		obey_signal();
		n = write(fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n == 0) {
			return errno = EIO, -1;
		} else if (!retry_after(fd, POLLOUT)) {
			return -1;
		}
	}
	return 0;
}

/* Ask for a 1 MiB pipe on OUT if it is a smaller pipe: measured, it
 * triples splice's throughput to a reader by cutting the wake-ups on both
 * sides; pipe-max-size allows 1 MiB to anyone by default.  Failure is
 * harmless. */
static void
grow_pipe(int out)
{
	int size = fcntl(out, F_GETPIPE_SZ);

	if (size > 0 && size < PIPE_SIZE)
		fcntl(out, F_SETPIPE_SZ, PIPE_SIZE);
}

/* How the kernel moves bytes to standard output, chosen by its type. */
enum path { PATH_SPLICE, PATH_SENDFILE, PATH_COPY };

/*
 * Choose the path for OUT: splice(2) into a pipe, sendfile(2) into
 * anything else.  Both hand a pipe or a socket references to the object's
 * pages, which a writer may change before the reader gets them; under a
 * lock only a regular file or a device, which copy at once, may have them.
 */
static enum path
choose_path(int out, bool locked)
{
	struct stat st;

	if (fstat(out, &st) < 0)
		return PATH_COPY;
	if (S_ISFIFO(st.st_mode)) {
		grow_pipe(out);
		return locked ? PATH_COPY : PATH_SPLICE;
	}
	if (S_ISSOCK(st.st_mode))
		return locked ? PATH_COPY : PATH_SENDFILE;
	return PATH_SENDFILE;
}

/*
 * Copy LEN bytes (UINT64_MAX: to the end) of IN from *OFF (NULL: IN's own
 * position, for streams) to OUT by PATH, falling back to a buffer when the
 * kernel refuses the path.  Stops early, quietly, at end of input: an
 * object shrunk under us.  Return bytes copied; errors exit via fail(),
 * naming OUT_WHAT when only writing can cause them (a full file system)
 * and WHAT otherwise.
 */
static uint64_t
copy_fd(int in, off_t *off, uint64_t len, int out, enum path path,
    const char *what, const char *out_what)
{
	uint64_t done = 0;
	char *buf = NULL;

	while (done < len) {
		size_t want = len - done > CHUNK ? CHUNK : (size_t)(len - done);
		ssize_t n;

		obey_signal();
		if (path == PATH_SPLICE)
			n = splice(in, off, out, NULL, want, SPLICE_F_MORE);
		else if (path == PATH_SENDFILE)
			n = sendfile(out, in, off, want);
		else {
			if (!buf && !(buf = malloc(BUF_SIZE)))
				fail("out of memory");
			if (want > BUF_SIZE)
				want = BUF_SIZE;
			n = off ? pread(in, buf, want, *off) : read(in, buf, want);
			if (n > 0 && write_all(out, buf, (size_t)n) < 0)
				fail("%s", out_what);
			if (n > 0 && off)
				*off += n;
		}
		if (n == 0)
			break;
		if (n > 0) {
			done += (uint64_t)n;
			continue;
		}
		if ((errno == EINVAL || errno == ENOSYS || errno == EXDEV ||
		    errno == EOPNOTSUPP) && path != PATH_COPY && done == 0) {
			path = path == PATH_SPLICE ? PATH_SENDFILE : PATH_COPY;
			continue;
		}
		if (retry_after(path == PATH_COPY ? in : out,
		    path == PATH_COPY ? POLLIN : POLLOUT))
			continue;
		free(buf);
		if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG)
			what = out_what;
		fail("%s", what);
	}
	free(buf);
	return done;
}

/*
 * With --unlink into a pipe, an object counts as copied only once its
 * reader has read it all: wait until the pipe is empty (FIONREAD),
 * looking every 1 to 100 ms since a pipe wakes its writer only when it
 * was full, or until the reader leaves (POLLERR, at once).  A reader that
 * left with bytes unread keeps the object, and shmcat ends as a write to
 * that pipe would have ended it: by SIGPIPE, or a write error when
 * SIGPIPE is ignored.
 */
static void
wait_until_read(int out)
{
	struct stat st;
	struct sigaction pipe_action;
	int ms = 1, queued;

	if (fstat(out, &st) < 0 || !S_ISFIFO(st.st_mode))
		return;
	while (ioctl(out, FIONREAD, &queued) == 0 && queued > 0) {
		struct pollfd pfd = { .fd = out, .events = 0 };

		obey_signal();
		if (poll(&pfd, 1, ms) > 0 && (pfd.revents & POLLERR)) {
			if (pipe_fatal || (sigaction(SIGPIPE, NULL,
			    &pipe_action) == 0 &&
			    pipe_action.sa_handler == SIG_DFL))
				release_and_die(SIGPIPE);
			errno = EPIPE;
			fail("write error");
		}
		ms = ms < 100 ? ms * 2 : 100;
	}
}

/* Parse -o/-s value S for OPT, refusing what off_t cannot hold. */
static uint64_t
size_arg(const char *opt, const char *s)
{
	return size_or_err(opt, s, (uint64_t)INT64_MAX);
}

/* Open the System V segment OP names and fill DS.  Return its id, or
 * -1 after saying why not. */
static int
sysv_open(const struct ipc_operand *op, struct shmid_ds *ds)
{
	int id = op->by_id ? op->id : shmget(op->key, 0, 0);

	if (id >= 0 && shmctl(id, IPC_STAT, ds) == 0)
		return id;
	if (errno == ENOENT || errno == EINVAL || errno == EIDRM)
		warnx("%s: no such segment", op->text);
	else
		warn("%s", op->text);
	return -1;
}

/* Print a POSIX object's attributes as key=value lines. */
static void
stat_posix(const struct ipc_operand *op, int fd)
{
	struct stat st;
	struct passwd *pw;

	if (fstat(fd, &st) < 0)
		fail("%s", op->text);
	pw = getpwuid(st.st_uid);
	printf("name=%s\nsize=%lld\nmode=%04o\nuid=%u\ngid=%u\nowner=%s\n"
	    "mtime=%lld\n", op->name, (long long)st.st_size,
	    (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid,
	    pw ? pw->pw_name : "", (long long)st.st_mtime);
}

/* Print a System V segment's attributes as key=value lines. */
static void
stat_sysv(int id, const struct shmid_ds *ds)
{
	struct passwd *pw = getpwuid(ds->shm_perm.uid);

	printf("key=0x%08x\nid=%d\nsize=%zu\nmode=%04o\nuid=%u\ngid=%u\n"
	    "owner=%s\ncuid=%u\ncgid=%u\ncpid=%d\nlpid=%d\nnattch=%lu\n"
	    "atime=%lld\ndtime=%lld\nctime=%lld\n",
	    (unsigned)ds->shm_perm.__key, id, (size_t)ds->shm_segsz,
	    (unsigned)(ds->shm_perm.mode & 0777), ds->shm_perm.uid,
	    ds->shm_perm.gid, pw ? pw->pw_name : "", ds->shm_perm.cuid,
	    ds->shm_perm.cgid, ds->shm_cpid, ds->shm_lpid,
	    (unsigned long)ds->shm_nattch, (long long)ds->shm_atime,
	    (long long)ds->shm_dtime, (long long)ds->shm_ctime);
}

/* Clip the -o/-s window *MAX to an object of SIZE bytes.  Return
 * false, after saying so, when the offset lies beyond its end. */
static bool
window(const char *what, uint64_t size, uint64_t off, uint64_t *max)
{
	if (off > size) {
		warnx("%s: offset %llu is beyond the end (%llu bytes)", what,
		    (unsigned long long)off, (unsigned long long)size);
		return false;
	}
	if (size - off < *max)
		*max = size - off;
	return true;
}

/* Copy the POSIX object OP to OUT (or print its attributes).  Return
 * false, after saying why, when this object cannot be read; write errors
 * end the program. */
static bool
read_posix(const struct ipc_operand *op, uint64_t off, uint64_t max,
    int out)
{
	int fd = shm_open(op->name, O_RDONLY, 0);
	struct stat st;

	if (fd < 0 && errno == ENOENT) {
		warnx("%s: no such object", op->text);
		return false;
	}
	if (fd < 0) {
		warn("%s", op->text);
		return false;
	}
	if (opt_stat) {
		stat_posix(op, fd);
	} else {
		off_t pos = (off_t)off;

		if (fstat(fd, &st) < 0)
			fail("%s", op->text);
		if (!window(op->text, (uint64_t)st.st_size, off, &max)) {
			close(fd);
			return false;
		}
		if (max > 0)
			copy_fd(fd, &pos, max, out, choose_path(out, lock_held),
			    "write error", "write error");
	}
	close(fd);
	if (opt_unlink)
		wait_until_read(out);
	if (opt_unlink && shm_unlink(op->name) < 0) {
		warn("%s: unlink", op->text);
		return false;
	}
	return true;
}

/* Copy the System V segment OP to OUT from a read-only attachment,
 * dropping the pages behind us so memory use stays flat.  Return as
 * read_posix() does. */
static bool
read_sysv(const struct ipc_operand *op, uint64_t off, uint64_t max, int out)
{
	struct shmid_ds ds;
	int id = sysv_open(op, &ds);
	char *map;

	if (id < 0)
		return false;
	if (opt_stat) {
		stat_sysv(id, &ds);
	} else {
		if (!window(op->text, ds.shm_segsz, off, &max))
			return false;
		grow_pipe(out);
		map = shmat(id, NULL, SHM_RDONLY);
		if (map == (void *)-1) {
			warn("%s", op->text);
			return false;
		}
		for (uint64_t done = 0; done < max;) {
			size_t n = max - done > WINDOW ? WINDOW :
			    (size_t)(max - done);
			char *p = map + off + done;
#ifdef MADV_POPULATE_READ
			/* Fault the window in with one call, not per page. */
			uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095;
			madvise((void *)a, (uintptr_t)p + n - a,
			    MADV_POPULATE_READ);
#endif
			if (write_all(out, p, n) < 0)
				fail("write error");
			done += n;
			/* Zap our page table entries for the pages done; the
			 * segment keeps them. */
			uintptr_t lo = (uintptr_t)p & ~(uintptr_t)4095;
			uintptr_t hi = ((uintptr_t)p + n) & ~(uintptr_t)4095;
			if (hi > lo)
				madvise((void *)lo, hi - lo, MADV_DONTNEED);
		}
		shmdt(map);
	}
	if (opt_unlink)
		wait_until_read(out);
	if (opt_unlink && shmctl(id, IPC_RMID, NULL) < 0) {
		warn("%s: unlink", op->text);
		return false;
	}
	return true;
}

/* Copy standard input into the POSIX object OP at OFF. */
static void
write_posix(const struct ipc_operand *op, uint64_t off, mode_t mode,
    bool have_size, uint64_t size)
{
	int flags = O_RDWR | (opt_create ? O_CREAT : 0);
	mode_t old = umask(0);
	int fd = shm_open(op->name, flags, mode);
	struct stat st;
	off_t pos = (off_t)off;
	uint64_t done;

	umask(old);
	if (fd < 0 && errno == ENOENT)
		failx("%s: no such object (use -c to create it)", op->text);
	if (fd < 0)
		fail("%s", op->text);
	if (fstat(fd, &st) < 0)
		fail("%s", op->text);
	if (have_size && (uint64_t)st.st_size < size &&
	    ftruncate(fd, (off_t)size) < 0)
		fail("%s: resize to %llu bytes", op->text,
		    (unsigned long long)size);
	if (lseek(fd, pos, SEEK_SET) < 0)
		fail("%s", op->text);
	/* Through the file position: sendfile(2) has no output offset. */
	done = copy_fd(STDIN_FILENO, NULL, UINT64_MAX, fd, PATH_SPLICE,
	    "standard input", op->text);
	if (opt_truncate && ftruncate(fd, (off_t)(off + done)) < 0)
		fail("%s: truncate", op->text);
	if (close(fd) < 0)
		fail("%s", op->text);
	if (opt_unlink && shm_unlink(op->name) < 0)
		fail("%s: unlink", op->text);
}

/* Read standard input to its end, counting; for the "too large" error. */
static uint64_t
drain_stdin(void)
{
	char buf[4096];
	uint64_t total = 0;
	ssize_t n;

	while ((n = read_input(buf, sizeof buf)) > 0)
		total += (uint64_t)n;
	return total;
}

/* Copy standard input into the System V segment OP at OFF, creating it
 * with SIZE bytes under -c; input that does not fit is an error. */
static void
write_sysv(const struct ipc_operand *op, uint64_t off, mode_t mode,
    uint64_t size)
{
	struct shmid_ds ds;
	struct stat st;
	uint64_t room, done = 0;
	char *map, extra;
	int id = -1;

	if (opt_create && !op->by_id) {
		id = shmget(op->key, size, IPC_CREAT | IPC_EXCL | (int)mode);
		if (id < 0 && errno != EEXIST)
			fail("%s: create %llu bytes", op->text,
			    (unsigned long long)size);
	}
	if (id < 0 && (id = sysv_open(op, &ds)) < 0)
		bail();
	if (shmctl(id, IPC_STAT, &ds) < 0)
		fail("%s", op->text);
	if (off > ds.shm_segsz)
		failx("%s: offset %llu is beyond the end (%zu bytes)",
		    op->text, (unsigned long long)off, (size_t)ds.shm_segsz);
	room = ds.shm_segsz - off;
	/* A regular file's size is known: refuse before writing a byte. */
	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t at = lseek(STDIN_FILENO, 0, SEEK_CUR);
		uint64_t in = (uint64_t)(st.st_size - (at > 0 ? at : 0));
		if (in > room)
			failx("%s: input is %llu bytes; the segment holds "
			    "%llu from offset %llu (%zu bytes in all)",
			    op->text, (unsigned long long)in,
			    (unsigned long long)room, (unsigned long long)off,
			    (size_t)ds.shm_segsz);
	}
	map = shmat(id, NULL, 0);
	if (map == (void *)-1)
		fail("%s", op->text);
	/* Straight into the segment: no buffer of our own. */
	while (done < room) {
		size_t want = room - done > CHUNK ? CHUNK : (size_t)(room - done);
		ssize_t n = read_input(map + off + done, want);
		if (n == 0)
			break;
		if (n < 0)
			fail("standard input");
		done += (uint64_t)n;
	}
	shmdt(map);
	if (done == room && read_input(&extra, 1) == 1)
		failx("%s: input is %llu bytes; the segment holds %llu from "
		    "offset %llu (%zu bytes in all); the first %llu were "
		    "written", op->text,
		    (unsigned long long)(room + 1 + drain_stdin()),
		    (unsigned long long)room, (unsigned long long)off,
		    (size_t)ds.shm_segsz, (unsigned long long)room);
	if (opt_unlink && shmctl(id, IPC_RMID, NULL) < 0)
		fail("%s: unlink", op->text);
}

/* Open (or with -c create, value 1) the -L semaphore and take it,
 * waiting until DL; exit 124 if it passes first, and by the signal that
 * comes while waiting. */
static void
take_lock(const struct ipc_operand *op, mode_t mode, const struct deadline *dl)
{
	struct ipc_sem_create cr = {
		.create = opt_create, .value = 1, .nsems = 1, .mode = mode,
	};

	if (ipc_sem_open(&lock, op, &cr, dl, NULL) < 0) {
		if (errno == ETIMEDOUT)
			exit(EXIT_TIMEOUT);
		if (errno == ENOENT || errno == EINVAL)
			errx(EXIT_FAIL, "%s: no such semaphore (use -c to "
			    "create it)", op->text);
		err(EXIT_FAIL, "%s", op->text);
	}
	catch_signals();
	if (ipc_sem_acquire(&lock, op->flavor == IPC_SYSV, dl,
	    &got_signal) < 0) {
		if (errno == ETIMEDOUT)
			exit(EXIT_TIMEOUT);
		if (errno == EINTR)
			die_by_signal(got_signal);
		err(EXIT_FAIL, "%s", op->text);
	}
	lock_held = true;
	obey_signal();
}

/* Exit 1 before anything changes when the standard input or output this
 * run uses (of the N operands ARGS) is closed: the first object opened
 * would take its descriptor, and be copied onto itself. */
static void
check_std_fds(const char **args, size_t n)
{
	bool reads_stdin = opt_write;

	for (size_t i = 0; i < n; i++)
		reads_stdin |= strcmp(args[i], "-") == 0;
	if (reads_stdin && fcntl(STDIN_FILENO, F_GETFD) < 0)
		err(EXIT_FAIL, "standard input");
	if (!opt_write && fcntl(STDOUT_FILENO, F_GETFD) < 0)
		err(EXIT_FAIL, "write error");
}

/*
 * Parse the N operands ARGS ("-" is standard input) and check them
 * against the options (MAX: -s's value); return them, or exit 2.
 */
static struct ipc_operand *
operands_or_err(const char **args, size_t n, uint64_t max)
{
	struct ipc_operand *ops;

	if (n == 0)
		usage_error("missing SHM operand");
	if (opt_write && n != 1)
		usage_error("-w writes one SHM, not %zu", n);
	if (opt_write && strcmp(args[0], "-") == 0)
		usage_error("-w needs a SHM, not '-'");
	if (opt_write && opt_stat)
		usage_error("--stat cannot be combined with -w");
	if (opt_truncate && !opt_write)
		usage_error("--truncate needs -w");
	ops = calloc(n, sizeof *ops);
	if (!ops)
		err(EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (strcmp(args[i], "-") != 0)
			ipc_operand_or_err(args[i], NAME_MAX, &ops[i]);
	if (opt_write && ops[0].flavor == IPC_SYSV) {
		if (opt_truncate)
			usage_error("--truncate: a System V segment cannot "
			    "be resized");
		if (opt_create && !opt_size && !ops[0].by_id)
			usage_error("-c needs --size for a System V segment");
		if (opt_create && opt_size && max == 0)
			usage_error("--size: a System V segment needs at "
			    "least 1 byte");
	}
	return ops;
}

/* Copy the N objects OPS (ARGS as typed; "-" is standard input) to
 * standard output, going on after one that cannot be read, as cat does.
 * Return the exit status. */
static int
read_all(const char **args, const struct ipc_operand *ops, size_t n,
    uint64_t off, uint64_t max)
{
	int status = EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(args[i], "-") == 0)
			copy_fd(STDIN_FILENO, NULL, UINT64_MAX, STDOUT_FILENO,
			    choose_path(STDOUT_FILENO, lock_held), "write error",
			    "write error");
		else if (ops[i].flavor == IPC_POSIX ?
		    !read_posix(&ops[i], off, max, STDOUT_FILENO) :
		    !read_sysv(&ops[i], off, max, STDOUT_FILENO))
			status = EXIT_FAIL;
	}
	return status;
}

int
main(int argc, const char **argv)
{
	struct ipc_operand *ops, lock_op;
	struct deadline dl;
	struct timespec timeout;
	uint64_t off = 0, max = UINT64_MAX;
	mode_t mode = 0600;
	const char **args;
	size_t n = 0;
	int status = EXIT_OK;

	atexit(close_stdout);
	args = cmdline_parse_or_err(argc, argv, options, &help);
	if (opt_offset)
		off = size_arg("-o", opt_offset);
	if (opt_size)
		max = size_arg("-s", opt_size);
	if (opt_mode)
		mode = mode_or_err("--mode", opt_mode) & 0777;
	if (opt_timeout)
		timeout = duration_or_err("-t", opt_timeout);
	while (args[n])
		n++;
	ops = operands_or_err(args, n, max);
	if (opt_lock)
		ipc_operand_or_err(opt_lock, SEM_NAME_MAX, &lock_op);
	check_std_fds(args, n);

	deadline_start(&dl, opt_timeout ? &timeout : NULL);
	if (opt_lock)
		take_lock(&lock_op, mode, &dl);
	if (opt_write && ops[0].flavor == IPC_POSIX)
		write_posix(&ops[0], off, mode, opt_size != NULL, max);
	else if (opt_write)
		write_sysv(&ops[0], off, mode, max);
	else
		status = read_all(args, ops, n, off, max);
	if (lock_held && ipc_sem_release(&lock, lock_op.flavor == IPC_SYSV) < 0)
		err(EXIT_FAIL, "%s: release", lock_op.text);
	lock_held = false;
	if (opt_lock)
		ipc_sem_close(&lock);
	free(ops);
	return status;
}
