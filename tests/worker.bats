#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# mqrecv's worker mode, QUEUE -- COMMAND: each message on COMMAND's
# standard input, consumed only when COMMAND exits 0; -j, retries with a
# growing delay, --max-attempts and --dead-letter, signals, SIGKILL,
# two workers, System V types, and an MQTT broker's client as COMMAND.

load lib/common
load lib/waiting

bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	q=$(uniq_name worker)
	dlq=$(uniq_name worker-dead)
	# System V keys of our own: 0x57 and 0x58 prefixes, pid, test number.
	k=key:$(( (0x57 << 24) | (($$ & 0xffff) << 8) | BATS_TEST_NUMBER ))
	k2=key:$(( (0x58 << 24) | (($$ & 0xffff) << 8) | BATS_TEST_NUMBER ))
	for o in "$q" "$dlq" "$k" "$k2"; do
		cleanup_add mqrecv --unlink "$o"
	done
	mkdir -p "$T/done"
}

# A small POSIX queue (RLIMIT_MSGQUEUE is shared by every root process
# here), or a System V queue for a key: operand.
mkq() {
	case $1 in
	key:*) mqsend -c "$1" </dev/null ;;
	*) mqsend -c --max-messages 10 --message-size 256 "$@" </dev/null ;;
	esac
}

count() {
	mqrecv --stat "$1" | sed -n 's/^messages=//p'
}

# A job script: record the message and its attempt as a file under done/
# (one file per run, so concurrent runs never share a write), then exit
# with $FAIL_UNTIL: fail while the attempt is below it.
job() {
	cat >"$T/job" <<'EOF'
#!/bin/sh
m=$(cat)
echo "$MQRECV_ATTEMPT" > "$DONE/$m.$$"
[ "$MQRECV_ATTEMPT" -ge "${FAIL_UNTIL:-0}" ]
EOF
	chmod +x "$T/job"
	export DONE=$T/done
}

# has_lines FILE N: FILE has at least N lines.
has_lines() {
	[ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]
}

# runs MESSAGE: how many times a job ran MESSAGE.
runs() {
	find "$T/done" -name "$1.*" | wc -l
}

@test "--help shows both forms and the worker's options" {
	run mqrecv --help
	assert_status_msg 0 'or:  mqrecv \[OPTION\]\.\.\. QUEUE -- COMMAND \[ARG\]\.\.\.'
	[[ $output == *--jobs=N* && $output == *--max-attempts=K* &&
	    $output == *--dead-letter=QUEUE* ]]
}

@test "bad input: exit 2, a message naming it, nothing created" {
	run mqrecv -c "$q" --
	assert_status_msg 2 "missing COMMAND after '--'"
	run mqrecv -c -j 2 "$q"
	assert_status_msg 2 '-j needs a COMMAND'
	run mqrecv -c --max-attempts 2 "$q"
	assert_status_msg 2 '--max-attempts needs a COMMAND'
	run mqrecv -c -j 0 "$q" -- true
	assert_status_msg 2 "-j.*'0'"
	run mqrecv -c -j 1025 "$q" -- true
	assert_status_msg 2 "-j.*'1025'"
	run mqrecv -c --max-attempts 0 "$q" -- true
	assert_status_msg 2 "--max-attempts.*'0'"
	run mqrecv -c --dead-letter "$dlq" "$q" -- true
	assert_status_msg 2 '--dead-letter needs --max-attempts'
	run mqrecv -c --max-attempts 2 --dead-letter "/$q" "$q" -- true
	assert_status_msg 2 "--dead-letter: /$q is QUEUE itself"
	run mqrecv -c --max-attempts 2 --dead-letter 'a/b' "$q" -- true
	assert_status_msg 2 "a/b"
	for opt in -0 -P --batch --stat --unlink; do
		run mqrecv -c "$opt" "$q" -- true
		assert_status_msg 2 "^mqrecv: $opt writes no records"
	done
	run mqrecv -c "$q" true
	assert_status_msg 2 "extra operand 'true'"
	run mqrecv --stat "$q"
	assert_status_msg 1 'no such message queue'
	run mqrecv --stat "$dlq"
	assert_status_msg 1 'no such message queue'
}

@test "the message is COMMAND's standard input, byte for byte; the queue and priority in its environment; no shell" {
	mkq "$q"
	mqsend -p 7 "$q" 'a "quoted" $HOME `x`'
	mqsend "$q" ''
	run mqrecv -t 0 "$q" -- sh -c 'od -An -tx1 | tr -d " \n"; echo "|$MQRECV_QUEUE $MQRECV_PRIORITY $MQRECV_ATTEMPT ${MQRECV_TYPE-unset}"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf '%s' 'a "quoted" $HOME `x`' | od -An -tx1 | tr -d ' \n')|$q 7 1 unset" ]
	[ "${lines[1]}" = "|$q 0 1 unset" ]
	# Arguments are passed as they are: no shell parses them.
	mqsend "$q" x
	run mqrecv -t 0 "$q" -- printf '[%s]' 'two words' '$HOME' ';'
	[ "$output" = '[two words][$HOME][;]' ]
	[ "$(count "$q")" = 0 ]
}

@test "a COMMAND that does not read its input is no error" {
	mkq "$q"
	head -c 250 /dev/zero | tr '\0' x | mqsend "$q"
	mqsend "$q" short
	run mqrecv -t 0 "$q" -- true
	[[ "$status" -eq 0 && -z "$output" ]]
	[ "$(count "$q")" = 0 ]
}

@test "a message larger than a pipe reaches COMMAND whole, and one that is never read blocks nothing" {
	require_root
	# kernel.msgmax is per IPC namespace: a private one allows 200 KB.
	run unshare --ipc sh -c '
		echo 400000 > /proc/sys/kernel/msgmnb &&
		echo 300000 > /proc/sys/kernel/msgmax &&
		mqsend -c key:0x4242 </dev/null &&
		head -c 200000 /dev/zero | tr "\0" y | mqsend key:0x4242 &&
		mqsend key:0x4242 small &&
		mqrecv -t 0 key:0x4242 -- sh -c "sleep 0.2; wc -c" &&
		head -c 200000 /dev/zero | tr "\0" y | mqsend key:0x4242 &&
		mqrecv -t 0 key:0x4242 -- sleep 0.5 &&
		mqrecv --stat key:0x4242 | grep -x messages=0'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" = 200000 && "${lines[1]}" = 5 ]]
}

@test "1,000 jobs across -j 4: each succeeds exactly once, at most 4 at once" {
	mkq "$k"
	seq -f 'job-%g' 1000 | mqsend "$k"
	cat >"$T/conc" <<'EOF'
#!/bin/sh
m=$(cat)
: > "$RUN/$m"
ls "$RUN" | wc -l > "$DONE/$m.$$"
rm "$RUN/$m"
EOF
	chmod +x "$T/conc"
	mkdir "$T/run"
	DONE=$T/done RUN=$T/run run mqrecv -j 4 -n 1000 "$k" -- "$T/conc"
	[ "$status" -eq 0 ]
	[ "$(ls "$T/done" | wc -l)" = 1000 ]
	[ "$(ls "$T/done" | sed 's/\.[0-9]*$//' | sort -u | wc -l)" = 1000 ]
	[ "$(count "$k")" = 0 ]
	max=$(cat "$T"/done/* | sort -n | tail -n 1)
	echo "# at most $max jobs at once" >&3
	((max <= 4 && max >= 2))
}

@test "jobs that fail twice then succeed: each runs three times, with a growing delay, and is consumed once" {
	job
	mkq "$q"
	mqsend "$q" a b c
	SECONDS=0
	FAIL_UNTIL=3 run mqrecv -n 3 "$q" -- "$T/job"
	[ "$status" -eq 0 ]
	for m in a b c; do
		[ "$(runs $m)" = 3 ]
		[ "$(cat "$T"/done/$m.* | sort | tr '\n' ' ')" = "1 2 3 " ]
	done
	[ "$(count "$q")" = 0 ]
	# The delays before the second and third runs: 100 ms, then 200 ms.
	t=($(for n in 1 2 3; do
		stat -c %.3Y $(grep -lx $n "$T"/done/a.*)
	done))
	awk -v a="${t[0]}" -v b="${t[1]}" -v c="${t[2]}" \
	    'BEGIN { print "# gaps " b - a " s, " c - b " s"; exit !(b - a >= 0.09 && c - b >= 0.19) }' >&3
}

@test "-j 1 runs the messages in the queue's order" {
	mkq "$q"
	mqsend -p 1 "$q" low1
	mqsend -p 9 "$q" high1
	mqsend -p 5 "$q" mid
	mqsend -p 9 "$q" high2
	mqsend -p 1 "$q" low2
	run mqrecv -t 0 "$q" -- sh -c 'cat; echo'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' high1 high2 mid low1 low2)" ]
}

@test "a job that always fails goes to the dead-letter queue after K attempts, with its priority" {
	job
	mkq "$q"
	mkq "$dlq"
	mqsend -p 4 "$q" bad
	mqsend "$q" good
	FAIL_UNTIL=99 run mqrecv -t 1 --max-attempts 3 --dead-letter "$dlq" "$q" -- sh -c '
		m=$(cat); [ "$m" = good ] && exit 0
		printf "%s\n" "$m" | "$0"' "$T/job"
	assert_status_msg 1 "$q: a message of 3 bytes failed 3 times \\(last status 1\\): sent to $dlq"
	[ "$(runs bad)" = 3 ]
	[ "$(count "$q")" = 0 ]
	[ "$(mqrecv -P -t 0 "$dlq")" = "$(printf '4\tbad')" ]
}

@test "without --dead-letter a message that failed K times is set aside, put back at the end, not run again, and mqrecv exits 1" {
	job
	mkq "$q"
	mqsend "$q" bad
	FAIL_UNTIL=99 run mqrecv -t 1 --max-attempts 2 "$q" -- "$T/job"
	assert_status_msg 1 'failed 2 times \(last status 1\): set aside, put back when this mqrecv ends'
	[ "$(runs bad)" = 2 ]
	[ "$(mqrecv -t 0 "$q")" = bad ]
}

@test "a queue of failing messages in their delay costs no CPU, and a new message is still run at once, before lower priorities" {
	mkq "$q"
	for m in 1 2 3; do mqsend -p 5 "$q" "fail$m"; done
	mqrecv "$q" -- sh -c 'm=$(cat); echo "$m $MQRECV_ATTEMPT" >> "$0/log"
		case $m in fail*) exit 1;; esac' "$T" 2>/dev/null &
	pid=$!
	cleanup_kill $pid
	# Four failures each: the next delay is 1.6 s, then 3.2 s.
	wait_until 10 grep -qx 'fail3 4' "$T/log"
	idle $pid
	SECONDS=0
	mqsend "$q" good
	wait_until 2 grep -qx 'good 1' "$T/log"
	echo "# good ran after ${SECONDS}s" >&3
	# The failing ones are still there, and have not run more than once
	# since (their delay is 1.6 s, then 3.2 s).
	[ "$(grep -c '^fail1 ' "$T/log")" -le 6 ]
}

@test "-t: 124 when no message came at all; otherwise it waits for the running jobs" {
	mkq "$q"
	run mqrecv -t 0.2 "$q" -- true
	assert_status_msg 124 '^$'
	mqsend "$q" slow
	run mqrecv -t 0.1 "$q" -- sh -c 'sleep 0.5; cat'
	[[ "$status" -eq 0 && "$output" = slow ]]
	[ "$(count "$q")" = 0 ]
}

@test "-n counts successful jobs: failures are put back and do not count" {
	mkq "$q"
	mqsend "$q" ok1 bad1 ok2 bad2 ok3 ok4
	run mqrecv -n 3 "$q" -- sh -c 'case $(cat) in ok*) exit 0;; esac; exit 1'
	[ "$status" -eq 0 ]
	[ "$(mqrecv -t 0 "$q" | sort | tr '\n' ' ')" = "bad1 bad2 ok4 " ]
}

@test "COMMAND not found: 127; not executable: 126; the message stays" {
	mkq "$q"
	mqsend "$q" keep
	run -127 mqrecv -t 0 "$q" -- no-such-command-here
	assert_status_msg 127 '^mqrecv: no-such-command-here: No such file or directory'
	touch "$T/noexec"
	run -126 mqrecv -t 0 "$q" -- "$T/noexec"
	assert_status_msg 126 'Permission denied'
	[ "$(mqrecv -t 0 "$q")" = keep ]
}

@test "SIGTERM with 4 jobs running: passed on; the unfinished go back, the finished is consumed; death by SIGTERM" {
	mkq "$q"
	mqsend "$q" graceful j2 j3 j4 j5 j6 j7 j8
	cat >"$T/long" <<'EOF'
#!/bin/sh
m=$(cat)
if [ "$m" = graceful ]; then
	trap 'kill $!; echo "$m finished" >> "$LOG"; exit 0' TERM
	echo "$m started" >> "$LOG"
	sleep "$NAP" & wait
fi
echo "$m started" >> "$LOG"
exec sleep "$NAP"
EOF
	chmod +x "$T/long"
	LOG=$T/log NAP=29.$$ "${DEFAULT_SIGNALS[@]}" mqrecv -j 4 "$q" -- "$T/long" &
	pid=$!
	cleanup_kill -KILL $pid
	cleanup_add pkill -x -f "sleep 29.$$"
	wait_until has_lines "$T/log" 4
	assert_ends_on $pid TERM 143
	grep -qx 'graceful finished' "$T/log"
	[ "$(mqrecv -t 0 "$q" | sort | tr '\n' ' ')" = "j2 j3 j4 j5 j6 j7 j8 " ]
	# No COMMAND is left behind: each one got the signal.
	run pgrep -x -f "sleep 29.$$"
	[ "$status" -eq 1 ]
}

@test "SIGINT and SIGHUP are passed on too; a COMMAND that exits 0 on them is consumed" {
	for sig in INT HUP; do
		mkq "$q"
		mqsend "$q" "m-$sig"
		rm -f "$T/log"
		"${DEFAULT_SIGNALS[@]}" mqrecv "$q" -- sh -c \
		    'trap "echo got >> $0/log; exit 0" '"$sig"'; cat >/dev/null; echo up >> $0/log; sleep 30 & wait' "$T" &
		pid=$!
		cleanup_kill -KILL $pid
		wait_until grep -qx up "$T/log"
		assert_ends_on $pid $sig $((128 + $(kill -l $sig)))
		grep -qx got "$T/log"
		[ "$(count "$q")" = 0 ]
	done
}

# cleanup_kill_same PID: at teardown, kill PID only if it is still the
# process started now: the SIGKILL storms below start tens of thousands of
# processes, so PIDs wrap around and a bare cleanup_kill could hit a
# stranger.
cleanup_kill_same() {
	local start
	start=$(awk '{ print $22 }' "/proc/$1/stat" 2>/dev/null) || return 0
	cleanup_add _kill_if_same "$1" "$start"
}
_kill_if_same() {
	[ "$(awk '{ print $22 }' "/proc/$1/stat" 2>/dev/null)" = "$2" ] &&
	    kill "$1" 2>/dev/null
	return 0
}

# kill_storm KILLS QUEUE ARGS...: start "mqrecv ARGS... QUEUE -- job" and
# SIGKILL it 5 to 35 ms later, KILLS times (a new worker after each kill);
# then wait for the jobs started before a kill to end.
kill_storm() {
	local kills=$1 queue=$2 pid i
	shift 2
	# In a subshell whose standard error is closed to the shell's reports
	# of killed jobs.
	(
		for ((i = 0; i < kills; i++)); do
			mqrecv "$@" "$queue" -- "$T/job" &
			pid=$!
			sleep "0.0$((RANDOM % 30 + 5))"
			kill -KILL $pid
			wait $pid
		done
	) 2>/dev/null || :
	wait_until 20 bash -c '! pgrep -f "^/bin/sh $0/jo[b]$" >/dev/null' "$T"
}

# lost_and_twice PREFIX COUNT: once the queue is drained, the messages
# PREFIX1..PREFIXCOUNT that never ran (they are on no queue either), and
# those that ran twice, as "LOST TWICE".
lost_and_twice() {
	ls "$T/done" | sed 's/\.[0-9]*$//' | grep "^$1" | sort > "$T/ran"
	echo "$(seq -f "$1%g" "$2" | sort | comm -23 - <(sort -u "$T/ran") |
	    wc -l) $(uniq -d "$T/ran" | wc -l)"
}

@test "SIGKILL of the worker at random moments, -j 1 (POSIX) and -j 4 (System V): no message is lost, none runs twice" {
	# 150 kills of each worker while it runs a stream of quick jobs; each
	# kill is followed by a new worker.  mqrecv(1) says: a message is
	# always on the queue or in a process that runs its COMMAND (or puts
	# it back), so once the queue is drained every message has run, and
	# a COMMAND that succeeds consumes its message, so none runs twice.
	job
	mkq "$q"
	mkq "$k"
	seq -f 'p%g' 1000 | mqsend "$q" &
	producer=$!
	cleanup_kill_same $producer
	seq -f 's%g' 2500 | mqsend "$k"
	kill_storm 150 "$q" -j 1
	kill_storm 150 "$k" -j 4
	wait $producer
	mqrecv -j 4 -t 0 "$q" -- "$T/job" || [ $? = 124 ]
	mqrecv -j 4 -t 0 "$k" -- "$T/job" || [ $? = 124 ]
	read -r plost ptwice < <(lost_and_twice p 1000)
	read -r slost stwice < <(lost_and_twice s 2500)
	echo "# -j 1, POSIX: 150 SIGKILLs, $plost of 1000 lost, $ptwice run twice" >&3
	echo "# -j 4, System V: 150 SIGKILLs, $slost of 2500 lost, $stwice run twice" >&3
	[[ "$plost" = 0 && "$slost" = 0 ]]
	[[ "$ptwice" = 0 && "$stwice" = 0 ]]
}

@test "SIGKILL right after the message left the queue, before COMMAND runs: it still runs" {
	# strace holds the receiving call for 2 s after it took the message
	# off the queue; mqrecv is killed then.  The message must still run.
	job
	mkq "$q"
	mkq "$k"
	for queue in "$q" "$k"; do
		mqsend "$queue" "window-${queue//[^a-z0-9]/}"
		strace -f -qq -o /dev/null -e trace=mq_timedreceive,msgrcv \
		    -e inject=mq_timedreceive,msgrcv:delay_exit=2000000 \
		    mqrecv -t 5 "$queue" -- "$T/job" &
		tracer=$!
		cleanup_kill_same $tracer
		# Generous bounds: under strace, the sanitizer build and a
		# loaded CI machine, starting takes seconds.
		wait_until 20 pgrep -P $tracer -x mqrecv
		pid=$(pgrep -P $tracer -x mqrecv)
		wait_until 20 [ "$(count "$queue")" = 0 ]
		kill -KILL "$pid"
		wait_until 10 bash -c '! kill -0 "$0" 2>/dev/null' $tracer
		ran=$(runs "window-${queue//[^a-z0-9]/}")
		echo "# $queue: the message ran $ran times, $(count "$queue") on the queue" >&3
		[ "$ran" = 1 ]
	done
}

@test "two workers on one queue: each message runs exactly once" {
	job
	mkq "$k"
	seq -f 'w%g' 400 | mqsend "$k"
	mqrecv -j 2 -t 0.5 "$k" -- sh -c 'echo $$ >> "$0/w1"; exec "$0/job"' "$T" &
	p1=$!
	cleanup_kill $p1
	mqrecv -j 2 -t 0.5 "$k" -- sh -c 'echo $$ >> "$0/w2"; exec "$0/job"' "$T"
	wait $p1
	[ "$(ls "$T/done" | wc -l)" = 400 ]
	[ "$(ls "$T/done" | sed 's/\.[0-9]*$//' | sort -u | wc -l)" = 400 ]
	echo "# worker 1 ran $(wc -l < "$T/w1"), worker 2 $(wc -l < "$T/w2")" >&3
	[[ -s "$T/w1" && -s "$T/w2" ]]
}

@test "System V: -T selects, MQRECV_TYPE is set, a failed message keeps its type" {
	mkq "$k"
	mkq "$k2"
	mqsend -T 2 "$k" two
	mqsend -T 7 "$k" seven
	mqsend -T 7 "$k" seven-bad
	run mqrecv -T 7 -t 0.5 --max-attempts 1 --dead-letter "$k2" "$k" -- sh -c '
		m=$(cat); echo "$m $MQRECV_TYPE ${MQRECV_PRIORITY-unset}"; [ "$m" = seven ]'
	assert_status_msg 1 'seven 7 unset'
	[[ $output == *'seven-bad 7 unset'* ]]
	[ "$(mqrecv -P -t 0 "$k")" = "$(printf '2\ttwo')" ]
	[ "$(mqrecv -P -t 0 "$k2")" = "$(printf '7\tseven-bad')" ]
}

@test "System V: an empty message that comes while the worker waits runs once, and one that fails goes back" {
	# The wait takes an empty message (it fits in msgrcv(2)'s zero
	# bytes): it must reach a COMMAND, or go back.  (The sleeps only make
	# the message come during the wait, the case under test; one that
	# comes earlier passes too.)
	mkq "$k"
	mqrecv -n 1 -t 5 "$k" -- sh -c 'echo "[$(cat)] $MQRECV_TYPE" > "$0/out"' "$T" &
	pid=$!
	cleanup_kill $pid
	sleep 0.2
	mqsend -T 3 "$k" ''
	wait $pid
	[ "$(cat "$T/out")" = '[] 3' ]
	[ "$(count "$k")" = 0 ]
	mqrecv -t 0.5 "$k" -- false &
	pid=$!
	cleanup_kill $pid
	sleep 0.2
	mqsend -T 4 "$k" ''
	wait $pid || :
	[ "$(mqrecv -P -t 0 "$k")" = "$(printf '4\t')" ]
}

@test "a full queue: a failed message waits for room with mqrecv, nothing is lost or stuck" {
	# Capacity 2 and a producer that keeps it full: a put-back finds no
	# room until the producer is done.  Each message fails once.
	mqsend -c --max-messages 2 --message-size 64 "$q" </dev/null
	seq 30 | mqsend "$q" &
	cleanup_kill $!
	run timeout 30 mqrecv -n 30 "$q" -- sh -c '
		m=$(cat); [ "$MQRECV_ATTEMPT" -ge 2 ] || exit 1; echo "$m"'
	[ "$status" -eq 0 ]
	[ "$(sort -n <<<"$output" | tr '\n' ' ')" = "$(seq 30 | tr '\n' ' ')" ]
	[ "$(count "$q")" = 0 ]
}

@test "SIGTERM when the put-back finds the queue full: it waits for room until another signal, then writes the messages to standard error" {
	mqsend -c --max-messages 2 --message-size 64 "$q" </dev/null
	mqsend "$q" one two
	"${DEFAULT_SIGNALS[@]}" mqrecv -j 2 "$q" -- sh -c 'echo up >> "$0/log"; exec sleep 28.$$' "$T" 2>"$T/err" &
	pid=$!
	cleanup_kill -KILL $pid
	wait_until has_lines "$T/log" 2
	# A producer fills the queue again and waits with more.
	mqsend "$q" three four five &
	cleanup_kill $!
	wait_until [ -n "$(count "$q")" ]
	wait_until bash -c '[ "$(mqrecv --stat "$0" | sed -n s/^messages=//p)" = 2 ]' "$q"
	kill -TERM $pid
	wait_until grep -q 'waiting for room' "$T/err"
	assert_ends_on $pid TERM 1
	cat "$T/err"
	grep -q "could not put back a message of 3 bytes (priority 0): the queue is full and a signal came; here it is:" "$T/err"
	# Each message is somewhere: queued, spilled, or still with mqsend.
	got=$( (mqrecv -t 0 "$q"; grep -x -e one -e two "$T/err") | sort | tr '\n' ' ')
	[[ $got == *one* && $got == *two* && $got == *three* ]]
}

# The keeper of worker PID: its child that leads a process group of its
# own (a job's child stays in mqrecv's group).
keeper_of() {
	ps -o pid=,pgid= --ppid "$1" | awk '$1 == $2 { print $1 }'
}

# kill_keeper PID: SIGKILL the keeper of worker PID once it has one, wait
# until it has ended, and set $kp to its pid.
kill_keeper() {
	wait_until eval '[[ -n $(keeper_of '"$1"') ]]' || return 1
	kp=$(keeper_of "$1")
	kill -KILL "$kp"
	wait_until gone "$kp"
}

# Start a worker whose COMMAND always fails and records each run as a file
# under $T/runs; its first message "first" makes it start its keeper, which
# is then SIGKILLed.  Sets W (the worker's PID).  (From an outside review,
# issue 16, as the three tests after it.)
worker_with_dead_keeper() {
	mkq "$q"
	mkdir -p "$T/runs"
	echo first | mqsend "$q"
	mqrecv "$@" "$q" -- sh -c \
	    'x=$(cat); : >"$0/$x.$MQRECV_ATTEMPT.$$"; exit 3' "$T/runs" \
	    2>"$T/w.err" &
	W=$!
	cleanup_kill "$W"
	kill_keeper "$W"
}

# mqrecv.1 (Worker mode): "Otherwise it waits out a delay and then goes back
# on the queue ... 100 milliseconds after its first failure, doubling with
# each failure up to a minute."
@test "after the keeper died, a failing message still waits out its delay (no hot retry loop)" {
	worker_with_dead_keeper
	echo second | mqsend "$q"
	sleep 1.5
	local runs
	runs=$(find "$T/runs" -name 'second.*' | wc -l)
	# 100 + 200 + 400 + 800 ms: at most 4 runs (5 with noise) in 1.5 s.
	[[ $runs -le 5 ]] || { echo "second ran $runs times in 1.5 s" >&2; return 1; }
}

# mqrecv.1 (--max-attempts): "give a message up once it failed K times here:
# ... it is set aside, never to be run again by this mqrecv".
@test "after the keeper died, a message set aside by --max-attempts is never run again" {
	worker_with_dead_keeper --max-attempts 2
	echo second | mqsend "$q"
	wait_until grep -q 'failed 2 times' "$T/w.err"
	sleep 1
	local runs
	runs=$(find "$T/runs" -name 'second.*' | wc -l)
	[[ $runs -eq 2 ]] || { echo "second ran $runs times, --max-attempts 2" >&2; return 1; }
}

# mqrecv.1 (Worker mode): "SIGINT, SIGTERM and SIGHUP stop the taking of
# messages ... and dies by the signal"; EXIT STATUS 128+N.
@test "after the keeper died, SIGTERM still ends mqrecv by SIGTERM (143), or it says why not" {
	worker_with_dead_keeper
	kill -TERM "$W"
	local st=0
	wait "$W" || st=$?
	if [[ $st -ne 143 ]]; then
		# An exit 1 must at least name its reason.
		grep -qv '^$' "$T/w.err" ||
			{ echo "exit $st, nothing on stderr" >&2; return 1; }
		grep -qi 'keeper' "$T/w.err" ||
			{ echo "exit $st: $(cat "$T/w.err")" >&2; return 1; }
	fi
}

@test "the keeper killed when it holds nothing: mqrecv says so once, and SIGTERM still ends it by SIGTERM" {
	job
	mkq "$q"
	mqsend "$q" once
	FAIL_UNTIL=2 "${DEFAULT_SIGNALS[@]}" mqrecv "$q" -- "$T/job" 2>"$T/err" &
	pid=$!
	cleanup_kill -KILL $pid
	# Its second run means the keeper has put it back: it holds nothing.
	wait_until eval '[ "$(runs once)" = 2 ]'
	kill_keeper $pid
	wait_until grep -q keeper "$T/err"
	assert_ends_on $pid TERM 143
	cat "$T/err"
	[ "$(cat "$T/err")" = "mqrecv: $q: the keeper (process $kp) was killed by SIGKILL; it held no message" ]
	[ "$(count "$q")" = 0 ]
}

@test "the keeper killed when it holds a message set aside: mqrecv says it is lost, and SIGTERM ends it with 1" {
	job
	mkq "$q"
	mqsend "$q" aside
	FAIL_UNTIL=99 "${DEFAULT_SIGNALS[@]}" mqrecv --max-attempts 1 "$q" -- "$T/job" 2>"$T/err" &
	pid=$!
	cleanup_kill -KILL $pid
	wait_until grep -q 'set aside' "$T/err"
	# Both asleep: mqrecv has handed the message over, the keeper holds it.
	wait_until eval '[[ -n $(keeper_of '"$pid"') ]]'
	wait_until blocked $pid
	wait_until blocked "$(keeper_of $pid)"
	kill_keeper $pid
	wait_until grep -q 'lost' "$T/err"
	assert_ends_on $pid TERM 1
	cat "$T/err"
	grep -qx "mqrecv: $q: the keeper (process $kp) was killed by SIGKILL; the 1 message it held is lost" "$T/err"
	[ "$(count "$q")" = 0 ]
	[ "$(runs aside)" = 1 ]
}

@test "a new keeper cannot be started: mqrecv takes no more messages, puts the failed one back at once, and exits 1" {
	# strace makes every socketpair(2) after the first fail: the first
	# keeper starts, the one after its death cannot.
	mkq "$q"
	mqsend "$q" warm
	strace -f -qq -o /dev/null -e trace=socketpair \
	    -e inject=socketpair:error=ENFILE:when=2+ \
	    mqrecv "$q" -- sh -c 'm=$(cat); : >"$0/$m.$$"
		[ "$m" = warm ] && [ "$MQRECV_ATTEMPT" -ge 2 ]' "$T/done" \
	    2>"$T/err" &
	tracer=$!
	cleanup_kill $tracer
	wait_until pgrep -P $tracer -x mqrecv
	pid=$(pgrep -P $tracer -x mqrecv)
	cleanup_kill_same $pid
	wait_until eval '[ "$(runs warm)" = 2 ]'
	kill_keeper $pid
	mqsend "$q" bad
	wait_until 10 gone $tracer
	local st=0
	wait $tracer || st=$?
	cat "$T/err"
	[ "$st" = 1 ]
	grep -qx "mqrecv: $q: no keeper can hold a failed message: Too many open files in system; taking no more messages" "$T/err"
	[ "$(runs bad)" = 1 ]
	[ "$(mqrecv -t 0 "$q")" = bad ]
}

@test "MQTT: 1,000 messages to a mosquitto broker on loopback reach a QoS 1 subscriber, the broker stopped for 2 s mid-run" {
	# The suite builds no broker of its own: this is Debian's mosquitto,
	# started here on a free loopback port with a configuration written
	# here, and its clients as COMMAND and as the subscriber.
	command -v mosquitto >/dev/null || PATH=$PATH:/usr/sbin
	command -v mosquitto >/dev/null || skip "mosquitto is not installed (bootstrap installs it)"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir "$T/mqtt"
	cat >"$T/mqtt/conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $T/mqtt/
user $(id -un)
EOF
	broker() {
		mosquitto -c "$T/mqtt/conf" 2>>"$T/mqtt/log" &
		bpid=$!
		cleanup_kill $bpid
		wait_until 5 mosquitto_pub -h 127.0.0.1 -p "$port" -t probe -n
	}
	broker
	mosquitto_sub -h 127.0.0.1 -p "$port" -t jobs -q 1 -c -i "ipcu-sub-$$" >"$T/got" 2>/dev/null &
	sub=$!
	cleanup_kill $sub
	wait_until 5 grep -q "ipcu-sub-$$" "$T/mqtt/log"
	mkq "$k"
	seq -f 'mqtt-%g' 1000 | mqsend "$k"
	# The example of mqrecv(1), on this broker's port.
	mqrecv -j 4 -t 3 "$k" -- mosquitto_pub -h 127.0.0.1 -p "$port" -t jobs -q 1 -s 2>"$T/pub.err" &
	worker=$!
	cleanup_kill $worker
	wait_until 20 has_lines "$T/got" 300
	kill -TERM $bpid
	wait $bpid || :
	sleep 2
	broker
	wait $worker
	wait_until 30 bash -c '[ "$(sort -u "$0" | wc -l)" -ge 1000 ]' "$T/got"
	echo "# $(wc -l < "$T/got") received, $(sort -u "$T/got" | wc -l) distinct; $(grep -c . "$T/pub.err") client errors while the broker was down" >&3
	seq -f 'mqtt-%g' 1000 | sort | diff - <(sort -u "$T/got")
	[ "$(count "$k")" = 0 ]
}
