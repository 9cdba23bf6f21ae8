# SPDX-License-Identifier: MIT
# Helpers for the tests of a tool in a waiting state (for a semaphore, a
# message, room, a reader, input, a signal, the next probe), and for two
# promises of ipcutils(7) about it:
#  - SIGINT, SIGTERM and SIGHUP end it within 100 ms, with 128+N or death
#    by the signal (both show as 128+N to the shell);
#  - it uses no CPU: under 1 % over two seconds, from /proc/PID/stat.
# The tests allow 2 s for the 100 ms, as the build machine is shared and
# loaded; each prints the time it measured.
#
# A tool is started either as a background job of the test (with
# "${DEFAULT_SIGNALS[@]}" tool &) or with spawn, which keeps its pid and
# exit status in files of $T, a directory.
#
# Load with:  load lib/waiting   (after lib/common)

# A command prefix that runs a tool with INT, TERM and HUP at their
# default action: a background job of a non-interactive shell (bats)
# starts with INT ignored, and the tools keep a signal ignored at start
# ignored.  An array, not a function, so that "${DEFAULT_SIGNALS[@]}" tool &
# sets $! to the tool itself (env execs it).
DEFAULT_SIGNALS=(env --default-signal=INT,TERM,HUP)

# State letter (R, S, D, Z, ...) of process $1 from /proc/$1/stat.
proc_state() {
	local stat
	{ stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
	stat=${stat##*) }
	echo "${stat%% *}"
}

# blocked PID [WCHAN-REGEX]: PID is asleep inside a system call (and, with
# WCHAN-REGEX, in a kernel function matching it: wq_sleep for a full POSIX
# queue, futex for a POSIX semaphore's sem_wait).  With wait_until, this
# replaces a sleep that "gives the process a chance": it waits until the
# process has reached its wait.
blocked() {
	local nr wchan
	[[ $(proc_state "$1") == S ]] || return 1
	read -r nr _ <"/proc/$1/syscall" 2>/dev/null || return 1
	[[ $nr =~ ^[0-9]+$ ]] || return 1
	[[ -z ${2:-} ]] && return 0
	wchan=$(cat "/proc/$1/wchan" 2>/dev/null)
	[[ $wchan =~ $2 ]]
}

# asleep PID: blocked, under the name the queue tests use.
asleep() {
	blocked "$1"
}

# gone PID: the process has ended (reaped, or a zombie not yet reaped).
gone() {
	local s
	s=$(proc_state "$1") || return 0
	[[ $s == Z || $s == X ]]
}

# CPU time of process $1 (user + system) in clock ticks.
cpu_ticks() {
	local stat
	stat=$(<"/proc/$1/stat") || return 1
	stat=${stat##*) }
	# After the command name: state is field 1, utime 12, stime 13.
	awk '{ print $12 + $13 }' <<<"$stat"
}

# idle [LABEL=]PID...: over the same two seconds, each process must use
# under 1 % of a CPU (at most one clock tick of the 2 * CLK_TCK), as it
# does when it sleeps in the kernel instead of polling on a timer.  What
# each used goes to the TAP output, under LABEL (default: its pid).
idle() {
	local hz pair failed=0
	local -A before=()
	hz=$(getconf CLK_TCK)
	for pair in "$@"; do
		before[$pair]=$(cpu_ticks "${pair#*=}") || return 1
	done
	sleep 2
	for pair in "$@"; do
		local used=$(($(cpu_ticks "${pair#*=}") - ${before[$pair]}))
		echo "# ${pair%=*}: $used of $((2 * hz)) clock ticks in 2 s" >&3
		((used * 100 < 2 * hz)) ||
			{ echo "${pair%=*} used $used ticks in 2 s" >&2; failed=1; }
	done
	return $failed
}

# assert_ends_on PID SIGNAL STATUS [MAX_MS]: send SIGNAL to PID, a
# background job of this shell, which must end within MAX_MS (default
# 2000) with STATUS (death by signal N also shows as 128+N); print the
# time it took.  The process is reaped.
assert_ends_on() {
	local pid=$1 sig=$2 want=$3 max=${4:-2000} t0 t1 ms rc=0
	t0=$(date +%s%N)
	kill -s "$sig" "$pid"
	wait_until $(((max + 999) / 1000 + 3)) gone "$pid" || return 1
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	wait "$pid" || rc=$?
	echo "# SIG$sig: ended in $ms ms with status $rc" >&3
	[[ $rc -eq $want ]] || { echo "SIG$sig: status $rc, not $want" >&2; return 1; }
	((ms < max)) || { echo "SIG$sig took $ms ms" >&2; return 1; }
}

# spawn NAME COMMAND...: run COMMAND with SIGINT, SIGTERM and SIGHUP at
# their defaults, its standard streams as the caller redirects them.  Its
# pid goes to $T/NAME.pid and, once it has ended, its exit status (128+N
# when signal N killed it) to $T/NAME.status.  Run it in the background;
# it blocks until COMMAND ends.  A NAME used before must be made fresh
# first, or spawned could see the old pid.
spawn() {
	local name=$T/$1
	shift
	# <&0: a background job would otherwise read /dev/null.
	bash -c '"$@" <&0 & echo $! >"$0.pid"
		wait $! 2>/dev/null; echo $? >"$0.status"' \
	    "$name" "${DEFAULT_SIGNALS[@]}" "$@"
}

# fresh NAME: forget a process spawned as NAME before.
fresh() {
	rm -f "$T/$1.pid" "$T/$1.status"
}

# spawned NAME: wait until the process spawned as NAME has started, have
# the teardown kill it (with SIGKILL: the tool may be the one that fails
# to heed SIGTERM), and set $pid to its pid.
spawned() {
	wait_until test -s "$T/$1.pid" || return 1
	pid=$(cat "$T/$1.pid")
	cleanup_add kill -KILL "$pid"
}

# gated FILE COMMAND...: wait until FILE exists (at most a minute, should
# the test fail first), then run COMMAND: a reader that reads nothing
# until the test lets it.  Have the teardown create FILE.
gated() {
	local file=$1 end=$((SECONDS + 60))
	shift
	until [[ -e $file ]] || ((SECONDS > end)); do sleep 0.02; done
	"$@"
}

# stops NAME SIGNAL STATUS: send SIGNAL to the process spawned as NAME;
# it must end with STATUS within 2 s (the contract is 100 ms; the machine
# is shared with other builds).  The time it took goes to the TAP output.
stops() {
	local pid t0 t1 got
	pid=$(cat "$T/$1.pid")
	t0=$(date +%s%N)
	kill -s "$2" "$pid"
	wait_until 2 test -s "$T/$1.status" || return 1
	t1=$(date +%s%N)
	got=$(cat "$T/$1.status")
	echo "# $1: SIG$2 ended it in $(((t1 - t0) / 1000000)) ms, status $got" >&3
	[[ $got -eq $3 ]] || { echo "$1: status $got, not $3" >&2; return 1; }
}
