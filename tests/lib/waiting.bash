# SPDX-License-Identifier: MIT
# Helpers for the tests of a tool in a waiting state: start it in the
# background with the stop signals at their defaults, wait until it is
# asleep in the kernel, then check that a signal ends it at once and that
# it uses no CPU while it waits.
#
# Load with:  load lib/waiting   (after lib/common); uses $T, a directory.

# spawn NAME COMMAND...: run COMMAND with SIGINT, SIGTERM and SIGHUP at
# their defaults (a script's background jobs start with SIGINT ignored,
# which the tools rightly keep), its standard streams as the caller
# redirects them.  Its pid goes to $T/NAME.pid and, once it has ended, its
# exit status (128+N when signal N killed it) to $T/NAME.status.  Run it
# in the background; it blocks until COMMAND ends.  A NAME used before
# must be made fresh first, or spawned could see the old pid.
spawn() {
	local name=$T/$1
	shift
	# <&0: a background job would otherwise read /dev/null.
	bash -c 'env --default-signal=INT,TERM,HUP "$@" <&0 & echo $! >"$0.pid"
		wait $! 2>/dev/null; echo $? >"$0.status"' "$name" "$@"
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

# asleep PID: the process is asleep in the kernel (state S with a wait
# channel), as it is while it waits.
asleep() {
	local state wchan
	state=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
	wchan=$(cat "/proc/$1/wchan" 2>/dev/null) || return 1
	[[ $state == S && -n $wchan && $wchan != 0 ]]
}

# gone PID: the process has ended (and been reaped, or is a zombie).
gone() {
	[[ ! -e /proc/$1/stat || $(cut -d' ' -f3 "/proc/$1/stat") == Z ]]
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

# cpu_ticks PID: the CPU time the process has used, user plus system, in
# clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# idle LABEL=PID...: over the same two seconds, each process must use
# under 1 % of a CPU (at most one clock tick of the 2 * CLK_TCK), as it
# does when it sleeps in the kernel instead of polling on a timer.
idle() {
	local hz pair failed=0
	local -A before=()
	hz=$(getconf CLK_TCK)
	for pair in "$@"; do before[$pair]=$(cpu_ticks "${pair#*=}"); done
	sleep 2
	for pair in "$@"; do
		local used=$(($(cpu_ticks "${pair#*=}") - ${before[$pair]}))
		echo "# ${pair%=*}: $used of $((2 * hz)) clock ticks in 2 s" >&3
		((used * 100 < 2 * hz)) || failed=1
	done
	return $failed
}
