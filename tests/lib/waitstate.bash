# SPDX-License-Identifier: MIT
# Helpers for two promises of ipcutils(7) about a tool that waits (for a
# semaphore, a reader, input, a signal, the next probe):
#  - SIGINT, SIGTERM and SIGHUP end it within 100 ms, with 128+N or death
#    by the signal (both show as 128+N to the shell);
#  - it uses no CPU: under 1 % over two seconds, from /proc/PID/stat.
# The tests allow 2 s for the 100 ms, as the build machine is shared and
# loaded; each prints the time it measured.
#
# Load with:  load lib/waitstate   (after lib/common)

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

# Whether process $1 sleeps (state S): it is blocked in a system call.
sleeping() {
	[[ $(proc_state "$1") == S ]]
}

# Whether process $1 sleeps on a futex: a POSIX semaphore's sem_wait.
in_sem_wait() {
	sleeping "$1" && [[ $(<"/proc/$1/wchan") == futex* ]]
}

# Whether process $1 has ended: gone, or a zombie not yet reaped.
ended() {
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

# Fail unless each process "$@" uses under 1 % of a CPU over the same two
# seconds; print what each used.
assert_idle() {
	local hz pid i before=() after=() bad=0
	hz=$(getconf CLK_TCK)
	for pid in "$@"; do before+=("$(cpu_ticks "$pid")") || return 1; done
	sleep 2
	for pid in "$@"; do after+=("$(cpu_ticks "$pid")") || return 1; done
	for i in "${!before[@]}"; do
		local used=$((after[i] - before[i]))
		echo "pid ${*:i+1:1}: $used ticks of 1/$hz s in 2 s"
		# under 1 % of 2 s: used / hz < 0.02
		((used * 100 < 2 * hz)) || bad=1
	done
	((bad == 0))
}

# Send signal $2 to background process $1 of this shell, which must end
# within 2 s with status $3 (death by signal N also shows as 128+N); print
# the time it took.  The process is reaped.
assert_ends_on() {
	local pid=$1 sig=$2 want=$3 t0 t1 rc=0
	t0=$(date +%s%N)
	kill -s "$sig" "$pid"
	wait_until 2 ended "$pid" || return 1
	t1=$(date +%s%N)
	wait "$pid" || rc=$?
	echo "SIG$sig: ended in $(((t1 - t0) / 1000000)) ms with status $rc"
	[[ $rc -eq $want ]]
}
