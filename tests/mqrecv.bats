#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# mqrecv: messages to records, waiting, put-back, signals and bad input.

load lib/common
load lib/waiting

setup() {
	T=$BATS_TEST_TMPDIR
	# Release any reader still gated (see lib/waiting.bash).
	cleanup_add touch "$T/go"
	q=$(uniq_name mqrecv)
	# A System V key of our own: 0x32 prefix, the pid and the test number.
	k=key:$(( (0x32 << 24) | (($$ & 0xffff) << 8) | BATS_TEST_NUMBER ))
	cleanup_add mqrecv --unlink --stat "$q"
	cleanup_add mqrecv --unlink --stat "$k"
	# A second System V key, 0x34 prefix, for tests that need two.
	k2=key:$(( (0x34 << 24) | (($$ & 0xffff) << 8) | BATS_TEST_NUMBER ))
	cleanup_add mqrecv --unlink --stat "$k2"
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
	# The one written into the pipe goes back behind the others.
	run mqrecv -t 0 "$q"
	[ "$(sort <<<"$output")" = "$(printf 'a\nb\nc')" ]
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

@test "closed standard input or output: exit 1, nothing received or created" {
	mkq "$q"
	mqsend "$q" a
	run bash -c "mqrecv -t 0 '$q' >&-"
	assert_status_msg 1 "^mqrecv: standard output: Bad file descriptor$"
	holds "$q" 1
	run bash -c "mqrecv -t 0 '$q' <&-"
	assert_status_msg 1 "^mqrecv: standard input: Bad file descriptor$"
	holds "$q" 1
	cleanup_add mqrecv --unlink --stat "$q-new"
	run bash -c "mqrecv -c -t 0 '$q-new' <&-"
	assert_status_msg 1 "standard input"
	run bash -c "mqrecv -c -t 0 '$k' >&-"
	assert_status_msg 1 "standard output"
	run mqrecv --stat "$q-new"
	assert_status_msg 1 "no such message queue"
	run mqrecv --stat "$k"
	assert_status_msg 1 "no such message queue"
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

# --- Issue 11: nothing lost to readers that stop early, to SIGKILL, to a
# missing permission or a full queue; every wait heeds the stop signals.

# An awk that reads no further than the line it is at: mawk, Debian's awk,
# fills its whole buffer before it looks at a line unless told otherwise.
awk_linewise() {
	if awk -W version 2>&1 | grep -q mawk; then
		echo "awk -W interactive"
	else
		echo awk
	fi
}

# A message of 16 bytes made of the letter $1: two fill a System V queue
# made by `mqsend -c --max-messages 2 --message-size 16`.
m16() {
	printf "$1%.0s" {1..16}
}

@test "into a pipe, head -n K for any K leaves exactly the rest (POSIX and System V)" {
	for queue in "$q" "$k"; do
		mkq "$queue"
		for n in 1 2 3 7; do
			seq 10 | mqsend "$queue"
			run bash -c "mqrecv '$queue' | head -n $n"
			[ "$output" = "$(seq "$n")" ]
			holds "$queue" $((10 - n))
			run mqrecv -t 0 "$queue"
			[ "$(sort -n <<<"$output")" = "$(seq $((n + 1)) 10)" ]
		done
	done
}

@test "sed Nq, awk with exit and a read loop that breaks leave exactly the rest" {
	mkq "$q"
	local readers=("sed 4q" "$(awk_linewise) 'NR == 4 { print; exit } { print }'"
	    'while read -r l; do echo "$l"; [ "$l" = 4 ] && break; done')
	for r in "${readers[@]}"; do
		seq 10 | mqsend "$q"
		run bash -c "mqrecv '$q' | $r"
		[ "$output" = "$(seq 4)" ] || { echo "$r: $output"; return 1; }
		holds "$q" 6 || { echo "$r left $(count "$q")"; return 1; }
		mqrecv -t 0 "$q" >/dev/null
	done
}

@test "a waiting mqrecv | head -n 3 and a producer that comes later: 7 stay queued" {
	for queue in "$q" "$k"; do
		mkq "$queue"
		fresh r
		spawn r mqrecv "$queue" | head -n 3 >"$T/out" &
		local pipeline=$!
		spawned r
		wait_until asleep "$pid"
		seq 10 | mqsend "$queue"
		wait "$pipeline"
		[ "$(cat "$T/out")" = "$(seq 3)" ]
		wait_until test -s "$T/r.status"
		[ "$(cat "$T/r.status")" -eq 141 ]
		holds "$queue" 7
	done
}

@test "--batch: as fast as the pipe takes, one write for what is ready" {
	mkq "$q"
	seq 10 | mqsend "$q"
	run bash -c "mqrecv --batch -t 0 '$q' | wc -l"
	[ "$output" -eq 10 ]
	holds "$q" 0
	seq 10 | mqsend "$q"
	ASAN_OPTIONS=detect_leaks=0 strace -qq -o "$T/batch" -e trace=write \
	    mqrecv --batch -t 0 "$q" | cat >"$T/out"
	[ "$(cat "$T/out")" = "$(seq 10)" ]
	[ "$(grep -c '^write(1,' "$T/batch")" -eq 1 ]
	# Without it, one message in the pipe at a time: a write each.
	seq 10 | mqsend "$q"
	ASAN_OPTIONS=detect_leaks=0 strace -qq -o "$T/exact" -e trace=write \
	    mqrecv -t 0 "$q" | cat >"$T/out"
	[ "$(cat "$T/out")" = "$(seq 10)" ]
	[ "$(grep -c '^write(1,' "$T/exact")" -eq 10 ]
}

@test "into a pipe too full to shrink to a page: says so, and stays exact" {
	mkq "$q"
	seq 10 | mqsend "$q"
	# 10,000 bytes already in the pipe: F_SETPIPE_SZ refuses (EBUSY).
	bash -c "{ head -c 10000 /dev/zero | tr '\\0' x; echo; mqrecv '$q' 2>'$T/err'; } |
	    { until [ -e '$T/go' ]; do sleep 0.02; done; head -n 3 >'$T/out'; }" &
	local pipeline=$!
	cleanup_kill "$pipeline"
	wait_until test -s "$T/err"
	touch "$T/go"
	wait "$pipeline"
	cat "$T/err"
	grep -q "^mqrecv: standard output: cannot shrink the pipe to one page" "$T/err"
	[ "$(tail -n 2 "$T/out")" = "$(seq 2)" ]
	holds "$q" 8
	run mqrecv -t 0 "$q"
	[ "$(sort -n <<<"$output")" = "$(seq 3 10)" ]
}

@test "behind a slow pipe reader mqrecv holds nothing: SIGKILL costs none of the queue" {
	for queue in "$q" "$k"; do
		mkq "$queue"
		seq 10 | mqsend "$queue"
		rm -f "$T/go"
		fresh r
		spawn r mqrecv "$queue" | gated "$T/go" cat >"$T/out" &
		local pipeline=$! pid
		spawned r
		wait_until holds "$queue" 9
		wait_until asleep "$pid"
		# Other workers see the nine it has not written.
		holds "$queue" 9
		kill -KILL "$pid"
		touch "$T/go"
		wait "$pipeline"
		# The one in the pipe was the reader's.
		[ "$(cat "$T/out")" = 1 ]
		holds "$queue" 9
		mqrecv -t 0 "$queue" >/dev/null
	done
}

@test "into a socket whose reader stalls, mqrecv holds at most a page of records" {
	# System V: a queue of 160 records, so that messages come in bursts
	# larger than a page.  100-byte records numbered from 1: a page holds
	# 40 of them.
	mqsend -c --max-messages 160 --message-size 100 "$k" </dev/null
	seq -f '%099.0f' 1 20000 >"$T/in"
	python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1] + ".tmp")
s.listen(1)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c, _ = s.accept()
open(sys.argv[2] + ".accepted", "w").close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.02)
with open(sys.argv[3], "wb") as f:
    while True:
        d = c.recv(65536)
        if not d:
            break
        f.write(d)' "$T/sock" "$T/go" "$T/got" &
	local reader=$!
	cleanup_kill "$reader"
	wait_until test -S "$T/sock"
	spawn r python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
os.dup2(s.fileno(), 1)
os.execvp("mqrecv", ["mqrecv", sys.argv[2]])' "$T/sock" "$k" &
	local pid receiver
	spawned r
	receiver=$pid
	wait_until test -e "$T/go.accepted"
	wait_until grep -qx mqrecv "/proc/$receiver/comm"
	spawn s mqsend "$k" <"$T/in" &
	spawned s
	# The socket is full, mqrecv waits, the queue fills up behind it.
	wait_until 20 bash -c "[ \$(mqrecv --stat '$k' | sed -n 's/^messages=//p') -ge 160 ]"
	wait_until asleep "$receiver"
	wait_until asleep "$pid"
	kill -KILL "$receiver"
	stops s TERM 143
	touch "$T/go"
	wait "$reader"
	mqrecv -t 0 "$k" >"$T/left"
	local got first held
	# What came through the socket is the start of the input; a record
	# cut short counts with the ones held.
	cmp -n "$(stat -c %s "$T/got")" "$T/in" "$T/got"
	got=$(wc -l <"$T/got")
	first=$(head -n 1 "$T/left" | sed 's/^0*//')
	held=$((first - got - 1))
	echo "# $got records in the socket, $held lost with mqrecv, next queued $first" >&3
	((held <= 41))
}

@test "a reader without write permission is refused up front: EACCES, nothing received" {
	require_root
	# The user runs a copy that it can reach wherever the build tree is
	# (a checkout under /root is not).
	local bin
	bin=$(mktemp -d /tmp/ipcu-nobody.XXXXXX)
	cleanup_add rm -rf "$bin"
	cp "$(command -v mqrecv)" "$bin/"
	chmod 755 "$bin"
	for queue in "$q" "$k"; do
		mqsend -c --mode 0644 "$queue" a b c
		run setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    bash -c "'$bin/mqrecv' -t 0 '$queue' >/dev/full"
		assert_status_msg 1 "^mqrecv: $queue: Permission denied: "
		[[ $output == *"write permission"* && $output != *"Bad file descriptor"* ]]
		[ "${#lines[@]}" -eq 1 ]
		holds "$queue" 3
		run setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    "$bin/mqrecv" -t 0 "$queue"
		assert_status_msg 1 "Permission denied"
		holds "$queue" 3
		# Looking needs no more than reading.
		run setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    "$bin/mqrecv" --stat "$queue"
		assert_status_msg 0 "messages=3"
	done
}

# Leave mqrecv putting a message back into a full queue: it wrote A into
# the pipe, B and C filled the queue (of two), and the reader left without
# reading A.  The process is spawned as "r", its standard error in $T/err.
putting_back() {
	local queue=$1
	mqsend -c --max-messages 2 --message-size 16 "$queue" </dev/null
	rm -f "$T/go"
	fresh r
	spawn r mqrecv "$queue" 2>"$T/err" | gated "$T/go" true &
	local reader=$!
	spawned r
	mqsend "$queue" "$(m16 A)"
	wait_until holds "$queue" 0
	wait_until asleep "$pid"
	mqsend "$queue" "$(m16 B)" "$(m16 C)"
	touch "$T/go"
	# Not `wait`: that would wait for mqrecv too, which waits for room.
	wait_until gone "$reader"
	wait_until asleep "$pid"
}

@test "putting back into a full queue heeds SIGINT, SIGTERM, SIGHUP: the message goes to stderr, exit 1" {
	for queue in "$q" "$k"; do
		for sig in INT TERM HUP; do
			putting_back "$queue"
			stops r "$sig" 1
			cat "$T/err"
			grep -q "^mqrecv: $queue: could not put back a message of 16 bytes" "$T/err"
			[ "$(tail -n 1 "$T/err")" = "$(m16 A)" ]
			run mqrecv -t 0 "$queue"
			[ "$output" = "$(m16 B)"$'\n'"$(m16 C)" ]
			mqrecv --unlink "$queue"
		done
	done
}

@test "a message for a full queue waits for room, says so, and goes back" {
	putting_back "$q"
	wait_until grep -q "waiting for room" "$T/err"
	run mqrecv -n 1 "$q"
	[ "$output" = "$(m16 B)" ]
	wait_until test -s "$T/r.status"
	[ "$(cat "$T/r.status")" -eq 141 ]
	run mqrecv -t 0 "$q"
	[ "$output" = "$(m16 C)"$'\n'"$(m16 A)" ]
}

@test "--unlink alone removes the queue without receiving, exit 0" {
	for queue in "$q" "$k"; do
		mkq "$queue"
		mqsend "$queue" a b
		run timeout 5 mqrecv --unlink "$queue"
		assert_status_msg 0 '^$'
		run mqrecv --stat "$queue"
		assert_status_msg 1 "no such message queue"
		run mqrecv --unlink "$queue"
		assert_status_msg 1 "mqrecv: $queue: no such message queue"
	done
}

@test "SIGINT, SIGTERM, SIGHUP end mqrecv waiting for a message (POSIX and System V)" {
	mkq "$q"
	mkq "$k"
	for queue in "$q" "$k"; do
		for sig in INT TERM HUP; do
			fresh r
			spawn r mqrecv "$queue" >"$T/out" &
			spawned r
			wait_until asleep "$pid"
			stops r "$sig" $((128 + $(kill -l "$sig")))
			[ ! -s "$T/out" ]
		done
	done
}

@test "SIGINT, SIGTERM, SIGHUP end mqrecv waiting for a slow pipe reader; nothing lost" {
	mkq "$q"
	for sig in INT TERM HUP; do
		seq 3 | mqsend "$q"
		rm -f "$T/go"
		fresh r
		spawn r mqrecv "$q" | gated "$T/go" cat >"$T/out" &
		local reader=$!
		wait_until holds "$q" 2
		spawned r
		wait_until asleep "$pid"
		stops r "$sig" $((128 + $(kill -l "$sig")))
		touch "$T/go"
		wait "$reader"
		[ "$(cat "$T/out")" = 1 ]
		run mqrecv -t 0 "$q"
		[ "$output" = "$(seq 2 3)" ]
	done
}

@test "SIGTERM ends mqrecv --batch behind a full pipe; nothing lost" {
	mqsend -c --max-messages 10 --message-size 8000 "$q" </dev/null
	for i in 0 1 2 3 4 5 6 7 8 9; do
		head -c 7999 /dev/zero | tr '\0' "$i" | mqsend "$q"
	done
	spawn r mqrecv --batch "$q" | gated "$T/go" cat >"$T/out" &
	local reader=$!
	# Eight fill the 64 KiB pipe; mqrecv waits with the ninth.
	wait_until bash -c "[ \$(mqrecv --stat '$q' | sed -n 's/^messages=//p') -le 2 ]"
	spawned r
	wait_until asleep "$pid"
	stops r TERM 143
	touch "$T/go"
	wait "$reader"
	# The records the reader got whole (the one being written may have
	# come in part: it went back), then what is left in the queue.
	head -c $(($(wc -c <"$T/out") / 8000 * 8000)) "$T/out" >"$T/all"
	mqrecv -t 0 "$q" >>"$T/all"
	[ "$(wc -l <"$T/all")" -eq 10 ]
	[ "$(cut -c1 "$T/all" | sort | tr -d '\n')" = 0123456789 ]
	[ "$(awk 'length != 7999' "$T/all" | wc -l)" -eq 0 ]
}

@test "waiting, mqrecv uses no CPU: for a message, for the reader, to put back" {
	mkq "$q"
	mkq "$k"
	spawn posix mqrecv "$q" >/dev/null &
	spawn sysv mqrecv "$k" >/dev/null &
	local q2=$q-2
	cleanup_add mqrecv --unlink --stat "$q2"
	mkq "$q2"
	seq 3 | mqsend "$q2"
	cleanup_add touch "$T/never"
	spawn reader mqrecv "$q2" | gated "$T/never" cat >/dev/null &
	local pids=() name
	for name in posix sysv reader; do spawned "$name"; pids+=("$name=$pid"); done
	wait_until holds "$q2" 2
	putting_back "$k2"
	pids+=("putback=$(cat "$T/r.pid")")
	for name in "${pids[@]}"; do wait_until asleep "${name#*=}"; done
	idle "${pids[@]}"
}

@test "a message longer than the one-page pipe arrives whole; the pipe gets its size back" {
	mqsend -c --max-messages 10 --message-size 8000 "$q" </dev/null
	for i in 0 1 2 3 4 5 6 7 8 9; do
		head -c 7999 /dev/zero | tr '\0' "$i" | mqsend "$q"
	done
	run bash -c "mqrecv -n 3 '$q' | wc -c"
	[ "$output" -eq 24000 ]
	run bash -c "mqrecv '$q' | head -n 2 | cut -c1-3"
	[ "$output" = "$(printf '333\n444')" ]
	holds "$q" 5
	# The pipe's size (F_GETPIPE_SZ, 1032) after mqrecv, in the same pipe.
	run bash -c "{ mqrecv -n 1 '$q'; python3 -c 'import fcntl, sys
print(fcntl.fcntl(1, 1032), file=sys.stderr)' 2>'$T/size'; } | wc -c"
	[ "$output" -eq 8000 ]
	[ "$(cat "$T/size")" -eq 65536 ]
}
