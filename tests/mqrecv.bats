#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# mqrecv: messages to records, waiting, put-back, signals and bad input.

load lib/common

setup() {
	q=$(uniq_name mqrecv)
	# A System V key of our own: 0x32 prefix, the pid and the test number.
	k=key:$(( (0x32 << 24) | (($$ & 0xffff) << 8) | BATS_TEST_NUMBER ))
	cleanup_add mqrecv --unlink --stat "$q"
	cleanup_add mqrecv --unlink --stat "$k"
}

# A small queue (RLIMIT_MSGQUEUE is shared by every root process here).
mkq() {
	mqsend -c --max-messages 10 --message-size 256 "$@" </dev/null
}

# The number of messages in queue $1.
count() {
	mqrecv --stat "$1" | sed -n 's/^messages=//p'
}

# Whether the queue $1 holds $2 messages.
holds() {
	[ "$(count "$1")" -eq "$2" ]
}

@test "--help shows the synopsis and options" {
	run mqrecv --help
	assert_status_msg 0 'Usage: mqrecv \[OPTION\]\.\.\. QUEUE'
	[[ $output == *--show-priority* && $output == *--unlink* ]]
	run mqrecv -h
	assert_status_msg 0 '^Usage: mqrecv \[OPTION\]\.\.\. QUEUE'
}

@test "-n: exactly N messages, exact output, the rest stays" {
	mkq "$q"
	mqsend "$q" a '' 'c d' e
	run mqrecv -n 3 "$q"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\n\nc d')" ]
	holds "$q" 1
}

@test "-t 0 drains and never waits; on an empty queue exits 124" {
	mkq "$q"
	run mqrecv -t 0 "$q"
	assert_status_msg 124 '^$'
	mqsend "$q" x y
	run mqrecv -t 0 "$q"
	[ "$status" -eq 0 ] && [ "$output" = "$(printf 'x\ny')" ]
}

@test "-t: 124 after the timeout with no message, System V too" {
	mkq "$q"
	mkq "$k"
	SECONDS=0
	run mqrecv -t 300ms "$q"
	assert_status_msg 124 '^$'
	run mqrecv -t 0.3 "$k"
	assert_status_msg 124 '^$'
	run mqrecv -n 2 -t 0.2 "$k"
	assert_status_msg 124 '^$'
}

@test "waiting on an empty queue costs little CPU (System V polls)" {
	mkq "$q"
	mkq "$k"
	for queue in "$q" "$k"; do
		TIMEFORMAT='%3U %3S'
		{ time mqrecv -t 1 "$queue"; } 2>"$BATS_TEST_TMPDIR/cpu" || :
		read -r user sys <"$BATS_TEST_TMPDIR/cpu"
		echo "$queue: ${user}s user ${sys}s system in 1s" >&3
		# A busy loop would take about a second of CPU.
		awk -v u="$user" -v s="$sys" 'BEGIN { exit !(u + s < 0.3) }'
	done
}

@test "-t is the wait for the next message: exit 0 when some came" {
	mkq "$k"
	mqsend "$k" one
	run mqrecv -t 0.2 "$k"
	[ "$status" -eq 0 ] && [ "$output" = one ]
}

@test "a waiting mqrecv gets a message sent later (POSIX and System V)" {
	for queue in "$q" "$k"; do
		mkq "$queue"
		out=$BATS_TEST_TMPDIR/out
		mqrecv -n 2 "$queue" >"$out" &
		pid=$!
		cleanup_kill $pid
		mqsend "$queue" late
		mqsend "$queue" later
		wait $pid
		[ "$(cat "$out")" = "$(printf 'late\nlater')" ]
	done
}

@test "-P shows POSIX priorities, -T selects System V types" {
	mkq "$q"
	mqsend -p 3 "$q" three
	mqsend "$q" zero
	run mqrecv -P -t 0 "$q"
	[ "$output" = "$(printf '3\tthree\n0\tzero')" ]
	mkq "$k"
	mqsend -T 5 "$k" five
	mqsend -T 2 "$k" two
	mqsend -T 9 "$k" nine
	mqsend -T 2 "$k" two-again
	run mqrecv -P -T 9 -t 0 "$k"
	[ "$output" = "$(printf '9\tnine')" ]
	run mqrecv -P -T -5 -n 1 "$k"
	[ "$output" = "$(printf '2\ttwo')" ]
	run mqrecv -P -T 0 -t 0 "$k"
	[ "$output" = "$(printf '5\tfive\n2\ttwo-again')" ]
}

@test "-0 and zero-length messages round-trip" {
	mkq "$q"
	printf 'x\ny\0\0z\0' | mqsend -0 "$q"
	holds "$q" 3
	run bash -c "mqrecv -0 -t 0 '$q' | od -An -c | tr -s ' '"
	[ "$output" = " x \\n y \\0 \\0 z \\0" ]
}

@test "--stat prints key=value lines a shell can read; receives nothing" {
	mkq "$q"
	mqsend "$q" a
	run mqrecv --stat "$q"
	[ "$output" = "$(printf 'flavor=posix\nname=/%s\nmessages=1\nmax_messages=10\nmessage_size=256\nmode=0600\nuid=%s\ngid=%s' "$q" "$(id -u)" "$(id -g)")" ]
	eval "$(mqrecv --stat "$q" | grep -E '^(messages|max_messages)=')"
	[ "$messages" -eq 1 ] && [ "$max_messages" -eq 10 ]
	mkq "$k"
	run mqrecv --stat "$k"
	[[ $output == flavor=sysv$'\n'key=$(printf '0x%08x' "${k#key:}")$'\n'id=*$'\nmessages=0\n'* ]]
}

@test "--unlink removes the queue at the end" {
	mkq "$q"
	mqsend "$q" last
	run mqrecv --unlink -t 0 "$q"
	[ "$output" = last ]
	run mqrecv --stat "$q"
	assert_status_msg 1 "no such message queue"
	mkq "$k"
	run mqrecv --unlink -t 0 "$k"
	[ "$status" -eq 124 ]
	run mqrecv --stat "$k"
	assert_status_msg 1 "no such message queue"
}

@test "-c creates the queue to wait on, mode 0600" {
	mqrecv -c --max-messages 5 --message-size 64 -n 1 "$q" >"$BATS_TEST_TMPDIR/out" &
	cleanup_kill $!
	wait_until mqrecv --stat "$q"
	[[ $(mqrecv --stat "$q") == *$'\nmax_messages=5\nmessage_size=64\nmode=0600\n'* ]]
	mqsend "$q" hi
	wait $!
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = hi ]
}

@test "mqrecv q | head -n 1 leaves the other messages in the queue" {
	# A message taken while head was exiting is put back at the end of
	# the queue, so only the set of messages is certain, not their order.
	for queue in "$q" "$k"; do
		mkq "$queue"
		mqsend "$queue" 1 2 3 4 5
		run bash -c "mqrecv '$queue' | head -n 1"
		[ "$output" = 1 ]
		holds "$queue" 4
		run bash -c "mqrecv -t 0 '$queue' | head -n 1"
		first=$output
		holds "$queue" 3
		run mqrecv -t 0 "$queue"
		[ "$(printf '%s\n' "$first" "$output" | sort)" = "$(seq 2 5)" ]
	done
}

@test "a reader that leaves without reading: every message goes back" {
	mkq "$q"
	mqsend "$q" a b c
	run bash -c "mqrecv '$q' | (sleep 0.2; exit 3); echo \${PIPESTATUS[*]}"
	[ "$output" = "141 3" ]
	run mqrecv -t 0 "$q"
	[ "$output" = "$(printf 'a\nb\nc')" ]
}

@test ">/dev/full: write error, exit 1, the messages stay queued" {
	for queue in "$q" "$k"; do
		mkq "$queue"
		mqsend "$queue" a b c
		run bash -c "mqrecv -t 0 '$queue' >/dev/full"
		assert_status_msg 1 "mqrecv: write error: No space left on device"
		holds "$queue" 3
		run mqrecv -P -t 0 "$queue"
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 3 ]
	done
}

@test ">&-: write error, exit 1, nothing received" {
	mkq "$q"
	mqsend "$q" a
	run bash -c "mqrecv -t 0 '$q' >&-"
	assert_status_msg 1 "mqrecv: write error: Bad file descriptor"
	holds "$q" 1
}

@test "a write that fails midway puts back only the undelivered ones" {
	mkq "$q"
	mqsend "$q" 1 2 3 4
	# The first write fails after the first two records went out.
	ASAN_OPTIONS=detect_leaks=0 run strace -qq -o /dev/null -P "$BATS_TEST_TMPDIR/out" \
	    -e inject=write:error=ENOSPC:when=2 \
	    bash -c "exec mqrecv -n 2 '$q' >'$BATS_TEST_TMPDIR/out'; "
	[ "$status" -eq 0 ]
	ASAN_OPTIONS=detect_leaks=0 run strace -qq -o /dev/null -P "$BATS_TEST_TMPDIR/out2" \
	    -e inject=write:error=ENOSPC:when=1 \
	    bash -c "exec mqrecv -t 0 '$q' >'$BATS_TEST_TMPDIR/out2'"
	assert_status_msg 1 "write error: No space left on device"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf '1\n2')" ]
	[ ! -s "$BATS_TEST_TMPDIR/out2" ]
	run mqrecv -t 0 "$q"
	[ "$output" = "$(printf '3\n4')" ]
}

@test "EAGAIN and EINTR injected into write are retried" {
	mkq "$q"
	mqsend "$q" 1 2 3
	ASAN_OPTIONS=detect_leaks=0 run strace -qq -o /dev/null -P "$BATS_TEST_TMPDIR/out" \
	    -e inject=write:error=EAGAIN:when=1 -e inject=write:error=EINTR:when=2 \
	    bash -c "exec mqrecv -t 0 '$q' >'$BATS_TEST_TMPDIR/out'"
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf '1\n2\n3')" ]
}

# Send 10,000 numbered messages while mqrecv receives them; stop it with
# SIGNAL at a random point; every number must be received or still queued.
stop_midstream() {
	local queue=$1 sig=$2 via_pipe=$3 out=$BATS_TEST_TMPDIR/out.$2
	mqsend -c --max-messages 10 --message-size 16 "$queue" </dev/null
	# A shell loop feeds the records slowly enough to be stopped midway.
	bash -c 'for ((i = 1; i <= 10000; i++)); do echo $i; done' |
	    mqsend "$queue" &
	local sender=$!
	cleanup_kill $sender
	# The receiver writes its pid, then becomes mqrecv.
	# Background jobs start with SIGINT ignored, and mqrecv respects
	# that; python restores the default so that SIGINT can be tested.
	local start="echo \$\$ >'$out.pid'; exec python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(\"mqrecv\", sys.argv[1:])' mqrecv '$queue' 2>'$out.err'"
	if [[ $via_pipe ]]; then
		bash -c "$start" | cat >"$out" &
	else
		bash -c "$start" >"$out" &
	fi
	wait_until bash -c "[ -s '$out.pid' ] && [ -s '$out' ]"
	local pid
	pid=$(cat "$out.pid")
	cleanup_kill "$pid"
	sleep "0.00$((RANDOM % 10))"
	kill -"$sig" "$pid"
	wait_until bash -c "! kill -0 $pid 2>/dev/null"
	# Drain the rest while the sender finishes.
	mqrecv -t 1 "$queue" >"$out.rest" || [ $? -eq 124 ]
	wait $sender
	[ ! -s "$out.err" ]
	local got rest
	got=$(wc -l <"$out")
	rest=$(wc -l <"$out.rest")
	echo "$queue $sig: received $got, remaining $rest" >&3
	[ $((got + rest)) -eq 10000 ]
	[ "$(sort -n "$out" "$out.rest" | uniq | wc -l)" -eq 10000 ]
}

@test "SIGTERM midway through 10,000 messages loses none (POSIX)" {
	stop_midstream "$q" TERM ""
}

@test "SIGTERM midway through 10,000 messages loses none (System V)" {
	stop_midstream "$k" TERM ""
}

@test "SIGINT and SIGHUP midway, output through a pipe, lose none" {
	stop_midstream "$q" INT yes
	q=$q-hup
	cleanup_add mqrecv --unlink --stat "$q"
	stop_midstream "$k" HUP yes
}

@test "a signal ends a waiting mqrecv with the signal's status" {
	mkq "$k"
	mqrecv "$k" &
	pid=$!
	cleanup_kill $pid
	# The signal must reach it in its wait, not before its set-up.
	wait_until blocked $pid
	kill -TERM $pid
	status=0
	wait $pid || status=$?
	[ "$status" -eq 143 ]
}

@test "System V queue removed while waiting: exit 1" {
	mkq "$k"
	mqrecv "$k" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	cleanup_kill $pid
	wait_until bash -c "ps -o stat= -p $pid >/dev/null"
	ipcrm -Q "${k#key:}"
	status=0
	wait $pid || status=$?
	[ "$status" -eq 1 ]
	grep -q "mqrecv: $k: the queue was removed" "$BATS_TEST_TMPDIR/err"
}

@test "System V: a message longer than kernel.msgmax is now still arrives" {
	require_root
	# In a private IPC namespace, whose msgmax we may lower.
	run unshare -i bash -c "
	    mqsend -c '$k' \"\$(printf 'y%.0s' {1..5000})\" </dev/null &&
	    echo 100 >/proc/sys/kernel/msgmax &&
	    mqrecv -t 0 '$k' | wc -c"
	[ "$status" -eq 0 ]
	[ "$output" -eq 5001 ]
}

@test "bad input: exit 2 with a message, nothing created or received" {
	mkq "$k"
	mqsend "$k" keep
	local cases=(
		"--bogus|--bogus: unknown option"
		"-n 0|-n: '0' is out of range"
		"-n x|-n: invalid number: 'x'"
		"-t 5y|-t: invalid duration: '5y'"
		"-t -1|-t: invalid duration: '-1'"
		"-T x|-T: invalid System V message type: 'x'"
		"-c --message-size 0|--message-size: must be at least 1 byte: '0'"
		"--mode 600|need -c"
	)
	for c in "${cases[@]}"; do
		run mqrecv ${c%%|*} "$k"
		assert_status_msg 2 "${c#*|}"
		[[ $output == *"Try 'mqrecv --help'"* ]]
	done
	holds "$k" 1
	run mqrecv -c -T 1 "$q"
	assert_status_msg 2 "types are for System V queues"
	run mqrecv -c "$q" extra
	assert_status_msg 2 "extra operand 'extra'"
	for op in a/b "" key:xyz id:-1 "ftok:$BATS_TEST_TMPDIR/missing"; do
		run mqrecv -c "$op"
		assert_status_msg 2 "mqrecv: "
	done
	run mqrecv
	assert_status_msg 2 "missing QUEUE operand"
	run mqrecv --stat "$q"
	assert_status_msg 1 "mqrecv: $q: no such message queue"
}

@test "a missing queue: exit 1 naming it" {
	run mqrecv -t 0 "$q"
	assert_status_msg 1 "mqrecv: $q: no such message queue"
	run mqrecv -t 0 "$k"
	assert_status_msg 1 "mqrecv: $k: no such message queue"
	run mqrecv -t 0 id:2147483647
	assert_status_msg 1 "mqrecv: id:2147483647: no such message queue"
}

@test "man page: tail -f log | mqsend q streams to a waiting mqrecv" {
	mkq "$q"
	log=$BATS_TEST_TMPDIR/log
	: >"$log"
	bash -c "echo \$\$ >'$log.pid'; exec tail -f '$log'" | mqsend "$q" &
	cleanup_kill $!
	wait_until test -s "$log.pid"
	cleanup_kill "$(cat "$log.pid")"
	echo "first entry" >>"$log"
	run mqrecv -t 5 -n 1 "$q"
	[ "$output" = "first entry" ]
}

@test "man page: a job queue served by workers, one job each" {
	mkq "$k"
	printf 'job-%s\n' 1 2 3 4 | mqsend "$k"
	for w in 1 2; do
		(while job=$(mqrecv -n 1 -t 0 "$k"); do
			echo "$w $job"; done) >"$BATS_TEST_TMPDIR/w$w" &
	done
	wait
	run bash -c "cut -d' ' -f2 '$BATS_TEST_TMPDIR'/w* | sort"
	[ "$output" = "$(printf 'job-%s\n' 1 2 3 4)" ]
}

@test "man page: drain a queue, then remove it" {
	mkq "$q"
	mqsend -p 9 "$q" urgent
	mqsend "$q" normal
	run bash -c "mqrecv -P -t 0 --unlink '$q' | sort -rn | cut -f2"
	[ "$output" = "$(printf 'urgent\nnormal')" ]
	run ! mqrecv --stat "$q"
}
