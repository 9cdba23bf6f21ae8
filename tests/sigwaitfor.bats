#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# sigwaitfor: race-free waiting, inherited signal state, -n/-i/-t, --pid,
# COMMAND, --list, bad input, write errors, and the man page's EXAMPLES.

load lib/common
load lib/waiting
bats_require_minimum_version 1.5.0

setup() {
	dir=${BATS_TMPDIR:-/tmp}/$(uniq_name sigwaitfor)
	mkdir "$dir"
	cleanup_add rm -rf "$dir"
}

# Signal number of a name, as bash (and glibc) count them.
num() { kill -l "$1"; }

# Run "$@" with the signals numbered in the comma list $1 blocked.
with_blocked() {
	perl -e 'use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(split /,/, shift))
	    or die "sigprocmask: $!"; exec { $ARGV[0] } @ARGV or die "$ARGV[0]: $!"' "$@"
}

# Run "$@" with signal number $1 blocked and already pending.
with_pending() {
	perl -e 'use POSIX; my $n = shift; sigprocmask(SIG_BLOCK, POSIX::SigSet->new($n))
	    or die "sigprocmask: $!"; kill $n, $$; exec { $ARGV[0] } @ARGV or die "$ARGV[0]: $!"' "$@"
}

# Start sigwaitfor -p $dir/pid "$@" in the background, output in $dir/out,
# and wait until its pidfile says it is ready.  Sets wpid.
start_waiter() {
	sigwaitfor -p "$dir/pid" "$@" >"$dir/out" 2>"$dir/err" &
	wpid=$!
	cleanup_kill "$wpid"
	wait_until test -s "$dir/pid"
}

# Wait for the waiter and set wstatus to its exit status.
reap_waiter() {
	wstatus=0
	wait "$wpid" || wstatus=$?
}

# Whether /proc/$1/status line $2 (SigCgt, SigIgn, SigBlk) has signal $3.
has_bit() {
	local mask
	mask=$(awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status")
	(( (0x$mask >> ($(num "$3") - 1)) & 1 ))
}

# kill --require-handler as util-linux does it: send only when SigCgt
# shows a handler.  Uses util-linux kill when this system has it.
kill_require_handler() {
	if /usr/bin/kill --version 2>/dev/null | grep -q util-linux; then
		/usr/bin/kill --require-handler -s "$1" "$2"
	else
		has_bit "$2" SigCgt "$1" && kill -s "$1" "$2"
	fi
}

# Whether sigwaitfor $1 waits for USR1: asleep, its handler for USR1 in
# place and the start over (where it blocks every signal, WINCH included).
waiting() {
	blocked "$1" && has_bit "$1" SigCgt USR1 && ! has_bit "$1" SigBlk WINCH
}

# Run "$@" with standard output a pipe whose reader has already gone; print
# the status as Python gives it (-13: killed by SIGPIPE), then what it said
# on standard error.
into_closed_pipe() {
	python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
print(p.returncode)
sys.stdout.write(p.stderr.decode())' "$@"
}

# Line count of a file.
lines_are() { [[ $(wc -l <"$1") -eq $2 ]]; }

# Print literal block $1 (from 1) of the man page's EXAMPLES as sh text.
example() {
	awk -v n="$1" '/^\.Bd -literal/ { i++; next } /^\.Ed/ { if (i == n) exit; next }
	    i == n' "$IPCU_SRCDIR/man/sigwaitfor.1" | sed 's/\\e/\\/g'
}

@test "--help shows the synopsis, --version the version" {
	run sigwaitfor --help
	assert_status_msg 0 'Usage: sigwaitfor \[OPTION\]\.\.\. SIGNAL\.\.\. \[-- COMMAND \[ARG\]\.\.\.\]'
	[[ $output == *"--pidfile=FILE"* && $output == *"--list"* ]]
	run sigwaitfor --version
	assert_status_msg 0 "^sigwaitfor \(ipcutils\) "
}

@test "a signal sent once the pidfile exists is printed; the pidfile goes" {
	start_waiter USR1
	[[ $(cat "$dir/pid") == "$wpid" ]]
	[[ $(stat -c %a "$dir/pid") == 600 ]]
	kill -USR1 "$wpid"
	reap_waiter
	[[ $wstatus -eq 0 ]]
	[[ $(cat "$dir/out") == USR1 ]]
	[[ ! -e $dir/pid ]]
	[[ $(ls "$dir") == $'err\nout' ]]
}

@test "200 rounds: signal sent as soon as the pidfile exists is never lost" {
	local i lost=0 st
	for ((i = 0; i < 200; i++)); do
		sigwaitfor -p "$dir/p$i" USR1 >"$dir/o" &
		wpid=$!
		# Poll without sleeping, to send as soon as the file appears.
		end=$((SECONDS + 10))
		until [[ -s $dir/p$i ]] || ((SECONDS > end)); do
			kill -0 "$wpid" 2>/dev/null || break
		done
		kill -USR1 "$(cat "$dir/p$i")"
		st=0
		wait "$wpid" || st=$?
		if [[ $st -ne 0 || $(cat "$dir/o") != USR1 ]]; then
			echo "round $i: status $st, output '$(cat "$dir/o")'" >&2
			lost=$((lost + 1))
		fi
	done
	[[ $lost -eq 0 ]]
	[[ $(ls "$dir") == o ]]
}

@test "signal spellings, real-time names and -N numbers" {
	run with_pending "$(num USR1)" sigwaitfor -t 0 sigusr1
	assert_status_msg 0 '^USR1$'
	run with_pending "$(num USR2)" sigwaitfor -t 0 HUP "$(num USR2)"
	assert_status_msg 0 '^USR2$'
	run with_pending "$(num RTMIN+3)" sigwaitfor -t 0 rtmin+3
	assert_status_msg 0 '^RTMIN\+3$'
	run with_pending "$(num RTMAX-1)" sigwaitfor -t 0 SIGRTMAX-1
	assert_status_msg 0 '^RTMAX-1$'
	run with_pending "$(num RTMIN+3)" sigwaitfor -N -t 0 RTMIN+3
	assert_status_msg 0 "^$(num RTMIN+3)\$"
}

@test "timeout: -t 0 and -t expiring exit 124 with no output" {
	run sigwaitfor -t 0 USR1
	assert_status_msg 124 '^$'
	run sigwaitfor -t 200ms USR1 HUP
	assert_status_msg 124 '^$'
	run sigwaitfor -n 0 -t 0.1 USR1
	assert_status_msg 124 '^$'
}

@test "-n N and -n 0: one flushed line per signal; TERM removes the pidfile" {
	start_waiter -n 0 HUP USR1
	for i in 1 2 3; do
		kill -HUP "$wpid"
		wait_until lines_are "$dir/out" "$i"
	done
	kill -USR1 "$wpid"
	wait_until lines_are "$dir/out" 4
	kill -TERM "$wpid"
	reap_waiter
	[[ $wstatus -eq $((128 + $(num TERM))) ]]
	[[ $(cat "$dir/out") == $'HUP\nHUP\nHUP\nUSR1' ]]
	[[ ! -e $dir/pid ]]

	start_waiter -n 2 USR2
	kill -USR2 "$wpid"
	wait_until lines_are "$dir/out" 1
	kill -USR2 "$wpid"
	reap_waiter
	[[ $wstatus -eq 0 && $(cat "$dir/out") == $'USR2\nUSR2' ]]
}

@test "standard signals merge and come lowest first (CAVEATS)" {
	start_waiter -n 3 -t 1 USR1 USR2
	kill -STOP "$wpid"
	wait_until grep -q '^State:.*T' "/proc/$wpid/status"
	kill -USR2 "$wpid"
	kill -USR1 "$wpid"
	kill -USR1 "$wpid"
	kill -CONT "$wpid"
	reap_waiter
	[[ $wstatus -eq 124 ]]
	[[ $(cat "$dir/out") == $'USR1\nUSR2' ]]
}

@test "100 sigqueue'd RTMIN values give 100 lines in order" {
	start_waiter -n 100 -i RTMIN
	kill -STOP "$wpid"
	wait_until grep -q '^State:.*T' "/proc/$wpid/status"
	for ((i = 1; i <= 100; i++)); do
		/usr/bin/kill -q "$i" -s "$(num RTMIN)" "$wpid"
	done
	kill -CONT "$wpid"
	reap_waiter
	[[ $wstatus -eq 0 ]]
	lines_are "$dir/out" 100
	i=0
	while read -r line; do
		i=$((i + 1))
		[[ $line =~ ^RTMIN\ pid=[0-9]+\ uid=$(id -u)\ code=queue\ value=$i$ ]] ||
			{ echo "line $i: $line" >&2; false; }
	done <"$dir/out"
}

@test "-i: sender pid and uid, code, and the value only when there is one" {
	start_waiter -i USR1
	kill -USR1 "$wpid"
	reap_waiter
	[[ $wstatus -eq 0 ]]
	[[ $(cat "$dir/out") == "USR1 pid=$BASHPID uid=$(id -u) code=user" ]]

	start_waiter -i -N USR2
	sh -c 'echo $$ >"$0"; exec /usr/bin/kill -q 42 -s USR2 "$1"' "$dir/sender" "$wpid"
	reap_waiter
	[[ $wstatus -eq 0 ]]
	[[ $(cat "$dir/out") == "$(num USR2) pid=$(cat "$dir/sender") uid=$(id -u) code=queue value=42" ]]
}

@test "INT and QUIT ignored by a non-interactive shell's & job are received" {
	bash -c 'sigwaitfor -p "$1" -n 2 INT QUIT >"$2" & echo $! >"$3"; wait $!; echo $? >"$4"' \
		bash "$dir/pid" "$dir/out" "$dir/wpid" "$dir/status" &
	cleanup_kill $!
	wait_until test -s "$dir/pid"
	wpid=$(cat "$dir/wpid")
	cleanup_kill "$wpid"
	run ! has_bit "$wpid" SigIgn INT
	run ! has_bit "$wpid" SigIgn QUIT
	kill -INT "$wpid"
	wait_until lines_are "$dir/out" 1
	kill -QUIT "$wpid"
	wait_until test -s "$dir/status"
	[[ $(cat "$dir/status") == 0 ]]
	[[ $(cat "$dir/out") == $'INT\nQUIT' ]]
}

@test "COMMAND gets the dispositions and mask sigwaitfor inherited" {
	# INT and QUIT come ignored to a non-interactive shell's & job.
	bash -c 'sigwaitfor -n 0 USR1 -- grep -E "^Sig(Ign|Blk):" /proc/self/status >"$1" &
		wait $!' bash "$dir/child"
	ign=$(awk '$1 == "SigIgn:" { print $2 }' "$dir/child")
	(( (0x$ign >> ($(num INT) - 1)) & 1 && (0x$ign >> ($(num QUIT) - 1)) & 1 ))
	[[ $(awk '$1 == "SigBlk:" { print $2 }' "$dir/child") == 0000000000000000 ]]
	# A mask blocking USR2: COMMAND has USR2 blocked, and not USR1.
	run with_blocked "$(num USR2)" sigwaitfor -n 0 USR1 -- grep ^SigBlk: /proc/self/status
	assert_status_msg 0 '^SigBlk:'
	blk=$(awk '{ print $2 }' <<<"$output")
	[[ $((0x$blk)) -eq $((1 << ($(num USR2) - 1))) ]]
}

@test "a signal left blocked by the parent is still received" {
	with_blocked "$(num USR1),$(num TERM)" sigwaitfor -p "$dir/pid" USR1 >"$dir/out" &
	wpid=$!
	cleanup_kill "$wpid"
	wait_until test -s "$dir/pid"
	cleanup_kill -KILL "$(cat "$dir/pid")"
	kill -USR1 "$(cat "$dir/pid")"
	reap_waiter
	[[ $wstatus -eq 0 && $(cat "$dir/out") == USR1 ]]
}

@test "kill --require-handler sends to it: SigCgt shows each awaited signal" {
	start_waiter -n 2 HUP RTMIN+1
	has_bit "$wpid" SigCgt HUP
	has_bit "$wpid" SigCgt RTMIN+1
	run ! has_bit "$wpid" SigCgt USR2
	run ! kill_require_handler USR2 "$wpid"
	kill_require_handler HUP "$wpid"
	wait_until lines_are "$dir/out" 1
	kill_require_handler RTMIN+1 "$wpid"
	reap_waiter
	[[ $wstatus -eq 0 && $(cat "$dir/out") == $'HUP\nRTMIN+1' ]]
}

@test "COMMAND signals its parent when ready and is left running" {
	run sigwaitfor -t 10 USR1 -- sh -c 'echo $$ >"$0"; kill -USR1 $PPID; exec sleep 600 >/dev/null 2>&1' "$dir/d"
	cleanup_kill "$(cat "$dir/d")"
	assert_status_msg 0 '^USR1$'
	kill -0 "$(cat "$dir/d")"
}

@test "COMMAND that exits first: exit 1 with its status; 126, 127" {
	run sigwaitfor -t 10 USR1 -- sh -c 'exit 3'
	assert_status_msg 1 '^sigwaitfor: sh: exited with status 3 before a signal came$'
	run sigwaitfor -t 10 USR1 -- sh -c 'kill -TERM $$'
	assert_status_msg 1 '^sigwaitfor: sh: killed by signal TERM before a signal came$'
	run -127 sigwaitfor -t 10 USR1 -- "$dir/missing"
	assert_status_msg 127 "^sigwaitfor: $dir/missing: No such file or directory\$"
	run -126 sigwaitfor -t 10 USR1 -- "$dir"
	assert_status_msg 126 "^sigwaitfor: $dir: Permission denied\$"
	# With -n 0 the stream ends with COMMAND, and its status is ours.
	run sigwaitfor -n 0 USR1 -- sh -c 'kill -USR1 $PPID; kill -USR1 $PPID; exit 7'
	[[ $status -eq 7 && ( $output == USR1 || $output == $'USR1\nUSR1' ) ]]
}

@test "timeout leaves COMMAND running; --kill sends it TERM" {
	run sigwaitfor -t 0.2 USR1 -- sh -c 'echo $$ >"$0"; exec sleep 600 >/dev/null 2>&1' "$dir/c1"
	cleanup_kill "$(cat "$dir/c1")"
	assert_status_msg 124 '^$'
	kill -0 "$(cat "$dir/c1")"
	run sigwaitfor -t 0.2 --kill USR1 -- sh -c 'echo $$ >"$0"; exec sleep 600 >/dev/null 2>&1' "$dir/c2"
	cleanup_kill "$(cat "$dir/c2")"
	assert_status_msg 124 '^$'
	run ! kill -0 "$(cat "$dir/c2")"
}

@test "--pid: 'exited' when it ends, a signal sent before first, missing pid" {
	sleep 600 &
	spid=$!
	cleanup_kill "$spid"
	start_waiter --pid "$spid" USR1
	kill "$spid"
	reap_waiter
	[[ $wstatus -eq 0 && $(cat "$dir/out") == exited ]]

	sleep 600 &
	spid=$!
	cleanup_kill "$spid"
	start_waiter --pid "$spid" USR1
	kill -STOP "$wpid"
	wait_until grep -q '^State:.*T' "/proc/$wpid/status"
	kill -USR1 "$wpid"
	kill "$spid"
	wait "$spid" || true
	kill -CONT "$wpid"
	reap_waiter
	[[ $wstatus -eq 0 && $(cat "$dir/out") == USR1 ]]

	true &
	gone=$!
	wait "$gone"
	run sigwaitfor --pid "$gone" USR1
	assert_status_msg 1 "^sigwaitfor: --pid $gone: no such process\$"
}

@test "an unknown option after a signal: the COMMAND goes after '--'" {
	# The issue's case: the COMMAND has options of its own.
	run sigwaitfor USR1 sh -c 'kill -USR1 $PPID'
	assert_status_msg 2 "^sigwaitfor: -c: unknown option \\(a COMMAND goes after '--'\\)"$'\n'"Try 'sigwaitfor --help'"
	run sigwaitfor -t 1 USR1 HUP ls --all
	assert_status_msg 2 "^sigwaitfor: --all: unknown option \\(a COMMAND goes after '--'\\)"
	# Before any operand an unknown option is only that.
	run sigwaitfor -x USR1
	assert_status_msg 2 "^sigwaitfor: -x: unknown option"$'\n'"Try"
	# The other tools that run a COMMAND say it too.
	run semop "$(uniq_name sem)" sh -x script
	assert_status_msg 2 "^semop: -x: unknown option \\(a COMMAND goes after '--'\\)"
	run mqrecv "$(uniq_name q)" cat -x
	assert_status_msg 2 "^mqrecv: -x: unknown option \\(a COMMAND goes after '--'\\)"
}

@test "bad input: exit 2, a message naming the value, nothing created" {
	local -a cases=(
		"no signal to wait for|"
		"unknown signal: 'FOO'|FOO"
		"'KILL' cannot be waited for|KILL"
		"'SIGSTOP' cannot be waited for|USR1 SIGSTOP"
		"unknown signal: 'RTMIN\+99'|RTMIN+99"
		"-n: invalid number: '-1'|-n -1 USR1"
		"-t: invalid duration: '5x'|-t 5x USR1"
		"--pid: invalid number: 'abc'|--pid abc USR1"
		"--bogus: unknown option|--bogus USR1"
		"unknown signal: 'touch' \\(a COMMAND goes after '--'\\)|USR1 touch"
		"-c: unknown option \\(a COMMAND goes after '--'\\)|USR1 sh -c true"
	)
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086
		run sigwaitfor -p "$dir/pid" ${c#*|} -- touch "$dir/marker"
		assert_status_msg 2 "^sigwaitfor: ${c%%|*}"$'\n'"Try 'sigwaitfor --help' for more information.\$"
		[[ $(ls "$dir") == "" ]]
	done
	run sigwaitfor USR1 --
	assert_status_msg 2 "^sigwaitfor: no COMMAND after '--'"
	run sigwaitfor -p "$dir/pid" --kill USR1
	assert_status_msg 2 "^sigwaitfor: --kill needs a COMMAND"
	[[ $(ls "$dir") == "" ]]
}

@test "unwritable pidfile: exit 1, nothing left, COMMAND not started" {
	run sigwaitfor -p "$dir/nodir/pid" USR1 -- touch "$dir/marker"
	assert_status_msg 1 "^sigwaitfor: $dir/nodir/pid: No such file or directory\$"
	mkdir "$dir/isdir"
	run sigwaitfor -p "$dir/isdir" USR1 -- touch "$dir/marker"
	assert_status_msg 1 "^sigwaitfor: $dir/isdir: Is a directory\$"
	[[ $(ls -A "$dir") == isdir && $(ls -A "$dir/isdir") == "" ]]
}

@test "a pidfile replaced by someone else is not removed" {
	start_waiter USR1
	echo other >"$dir/other"
	mv "$dir/other" "$dir/pid"
	kill -USR1 "$wpid"
	reap_waiter
	[[ $wstatus -eq 0 && $(cat "$dir/pid") == other ]]
}

@test "write errors: >/dev/full and >&- exit 1 with 'write error'" {
	run with_pending "$(num USR1)" bash -c 'exec sigwaitfor USR1 >/dev/full'
	assert_status_msg 1 '^sigwaitfor: write error: No space left on device$'
	run with_pending "$(num USR1)" bash -c 'exec sigwaitfor USR1 >&-'
	assert_status_msg 1 '^sigwaitfor: write error: Bad file descriptor$'
	run bash -c 'sigwaitfor --list >/dev/full'
	assert_status_msg 1 '^sigwaitfor: write error: No space left on device$'
}

@test "EAGAIN and EINTR on standard output are retried" {
	# LeakSanitizer cannot work under ptrace: keep it out of this one.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	for e in EAGAIN EINTR; do
		run strace -f -o "$dir/trace" -e trace=write -e inject=write:error=$e:when=1 \
			perl -e 'use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(shift));
			    kill USR1 => $$; exec @ARGV' "$(num USR1)" sigwaitfor -i USR1
		assert_status_msg 0 "^USR1 pid=[0-9]+ uid=$(id -u) code=user\$"
		grep -q "$e.*INJECTED" "$dir/trace"
	done
}

@test "--list: every signal kill -l knows, with number, name and meaning" {
	run sigwaitfor --list
	assert_status_msg 0
	[[ $(awk '{ print $2 }' <<<"$output") == $(kill -l | tr -s '\t ' '\n\n' | sed -n 's/^SIG//p') ]]
	while read -r n name meaning; do
		[[ $(num "$name") == "$n" && -n $meaning ]]
	done <<<"$output"
	run sigwaitfor -l usr1 RTMIN+3
	assert_status_msg 0
	[[ $(awk '{ print $1 " " $2 }' <<<"$output") == "$(num USR1) USR1"$'\n'"$(num RTMIN+3) RTMIN+3" ]]
}

@test "EXAMPLES: readiness notification" {
	run sh -c "$(example 1 | sed "s|/tmp/|$dir/|g")"
	cleanup_kill "$(cat "$dir/daemon.pid")"
	assert_status_msg 0 "^USR1"$'\n'"ready: $(cat "$dir/daemon.pid")\$"
	kill -0 "$(cat "$dir/daemon.pid")"
}

@test "EXAMPLES: reload on HUP, stop on TERM" {
	run timeout 20 sh -c "$(example 2 | sed "s|/tmp/|$dir/|g")"
	assert_status_msg 0 '^reloading configuration$'
	[[ ! -e $dir/job.pid ]]
}

@test "EXAMPLES: wait with a timeout" {
	run sh -c "$(example 3)"
	assert_status_msg 0 '^nothing came \(status 124\)$'
}

@test "EXAMPLES: a stream of signals into a loop" {
	run timeout 20 sh -c "$(example 4)"
	assert_status_msg 0 '^progress 25%'$'\n''progress 50%'$'\n''progress 75%'$'\n''progress 100%$'
}

@test "--list and --help into a closed pipe die quietly by SIGPIPE" {
	run into_closed_pipe sigwaitfor -l
	[[ $output == -13 ]]
	run into_closed_pipe sigwaitfor --help
	[[ $output == -13 ]]
	# A signal printed once the reader has gone (with_pending, inline).
	run into_closed_pipe perl -e 'use POSIX; my $n = shift;
	    sigprocmask(SIG_BLOCK, POSIX::SigSet->new($n)); kill $n, $$;
	    exec { $ARGV[0] } @ARGV' "$(num USR1)" sigwaitfor USR1
	[[ $output == -13 ]]
	# SIGPIPE ignored by the caller: EPIPE is then a write error.
	run into_closed_pipe perl -e '$SIG{PIPE} = "IGNORE"; exec @ARGV' sigwaitfor -l
	[[ $output == $'1\nsigwaitfor: write error: Broken pipe' ]]
}

@test "a closed standard output is an error before COMMAND or the pidfile" {
	run bash -c "sigwaitfor -t 5 USR1 -- sh -c 'touch \"\$0\"; kill -USR1 \$PPID' '$dir/ran' >&-"
	assert_status_msg 1 '^sigwaitfor: write error: Bad file descriptor$'
	[[ ! -e $dir/ran ]]
	run bash -c "sigwaitfor -p '$dir/pid' -t 0 USR1 >&-"
	assert_status_msg 1 '^sigwaitfor: write error: Bad file descriptor$'
	[[ ! -e $dir/pid ]]
}

@test "waiting: INT, TERM, HUP end sigwaitfor at once, with or without -t, -n 0, -p" {
	for sig in INT TERM HUP; do
		for opts in "" "-t 60" "-n 0" "-p $dir/pid"; do
			"${DEFAULT_SIGNALS[@]}" sigwaitfor $opts USR1 >"$dir/out" &
			wpid=$!
			cleanup_kill "$wpid"
			wait_until waiting "$wpid"
			assert_ends_on "$wpid" "$sig" $((128 + $(num "$sig")))
			[[ ! -s $dir/out && ! -e $dir/pid ]]
		done
	done
}

@test "waiting beside COMMAND or --pid: INT, TERM, HUP end sigwaitfor at once" {
	sleep 600 &
	spid=$!
	cleanup_kill "$spid"
	for sig in INT TERM HUP; do
		rm -f "$dir/c"
		"${DEFAULT_SIGNALS[@]}" sigwaitfor USR1 -- sh -c 'echo $$ >"$0"; exec sleep 600' "$dir/c" >"$dir/out" &
		wpid=$!
		cleanup_kill "$wpid"
		wait_until test -s "$dir/c"
		cleanup_add kill "$(cat "$dir/c")"
		wait_until waiting "$wpid"
		assert_ends_on "$wpid" "$sig" $((128 + $(num "$sig")))
		kill -0 "$(cat "$dir/c")"		# COMMAND is left running
		"${DEFAULT_SIGNALS[@]}" sigwaitfor --pid "$spid" USR1 >"$dir/out" &
		wpid=$!
		cleanup_kill "$wpid"
		wait_until waiting "$wpid"
		assert_ends_on "$wpid" "$sig" $((128 + $(num "$sig")))
	done
	[[ ! -s $dir/out ]]
}

@test "a waiting sigwaitfor uses no CPU" {
	sleep 600 &
	spid=$!
	cleanup_kill "$spid"
	pids=()
	for opts in "" "-t 60" "-n 0 -p $dir/pid" "--pid $spid"; do
		sigwaitfor $opts USR1 >/dev/null &
		pids+=($!)
		cleanup_kill "$!"
	done
	sigwaitfor USR1 -- sh -c 'echo $$ >"$0"; exec sleep 600' "$dir/c" >/dev/null &
	pids+=($!)
	cleanup_kill "$!"
	wait_until test -s "$dir/c"
	cleanup_add kill "$(cat "$dir/c")"
	for p in "${pids[@]}"; do wait_until waiting "$p"; done
	idle "${pids[@]}"
}

@test "CAVEATS: a COMMAND that keeps standard output holds \$( ) until it exits" {
	# As sigwaitfor(1) says: the daemon's own output keeps the pipe of
	# $( ) open, so the shell waits for the daemon, not for the signal.
	local sig
	sig=$(sigwaitfor -t 5 USR1 -- sh -c 'echo $$ >"$0"; kill -USR1 $PPID
		exec sleep 1' "$dir/kept")
	[[ $sig == USR1 ]]
	gone "$(cat "$dir/kept")"
	sig=$(sigwaitfor -t 5 USR1 -- sh -c 'echo $$ >"$0"; kill -USR1 $PPID
		exec sleep 30 >/dev/null 2>&1' "$dir/redirected")
	cleanup_kill "$(cat "$dir/redirected")"
	[[ $sig == USR1 ]]
	kill -0 "$(cat "$dir/redirected")"
}
