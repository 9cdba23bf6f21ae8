#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# mqsend: records to messages, POSIX and System V, limits and bad input.

load lib/common
load lib/waiting

setup() {
	T=$BATS_TEST_TMPDIR
	q=$(uniq_name mqsend)
	# A System V key of our own: 0x31 prefix, the pid and the test number.
	k=key:$(( (0x31 << 24) | (($$ & 0xffff) << 8) | BATS_TEST_NUMBER ))
	cleanup_add mqrecv --unlink --stat "$q"
	cleanup_add mqrecv --unlink --stat "$k"
}

# A small POSIX or System V queue: 10 messages of 256 bytes (small, as
# RLIMIT_MSGQUEUE is shared by every root process on the machine).
mkq() {
	mqsend -c --max-messages 10 --message-size 256 "$@" </dev/null
}

# Whether the queue $1 exists.
exists() {
	mqrecv --stat "$1" >/dev/null 2>&1
}

# The number of messages in queue $1.
count() {
	mqrecv --stat "$1" | sed -n 's/^messages=//p'
}

@test "--help shows the synopsis and options" {
	run mqsend --help
	assert_status_msg 0 'Usage: mqsend \[OPTION\]\.\.\. QUEUE \[MESSAGE\]\.\.\.'
	[[ $output == *--priority* && $output == *--max-messages* ]]
	run mqsend -h
	assert_status_msg 0 '^Usage: mqsend \[OPTION\]\.\.\. QUEUE \[MESSAGE\]\.\.\.'
}

@test "man page: mqsend -t 0 q hello || echo \"queue full\"" {
	mqsend -c --max-messages 1 --message-size 16 "$q" </dev/null
	run bash -c "mqsend -t 0 '$q' hello || echo 'queue full'"
	[ "$output" = "" ]
	run bash -c "mqsend -t 0 '$q' hello 2>/dev/null || echo 'queue full'"
	[ "$output" = "queue full" ]
}

@test "-V prints the version" {
	run mqsend -V
	assert_status_msg 0 "^mqsend \\(ipcutils\\) $IPCU_VERSION\$"
}

@test "POSIX: lines become messages, empty and unterminated ones too" {
	mkq "$q"
	printf 'one\n\ntwo words\nlast' | mqsend "$q"
	run mqrecv -t 0 "$q"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'one\n\ntwo words\nlast')" ]
	[ "$(count "$q")" -eq 0 ]
}

@test "MESSAGE operands are sent in order, stdin is not read" {
	mkq "$q"
	echo never | mqsend "$q" alpha '' 'be ta'
	run mqrecv -P -t 0 "$q"
	[ "$output" = "$(printf '0\talpha\n0\t\n0\tbe ta')" ]
}

@test "-0: NUL-terminated records, newlines inside are data" {
	mkq "$q"
	printf 'a\nb\0\0c' | mqsend -0 "$q"
	[ "$(count "$q")" -eq 3 ]
	run bash -c "mqrecv -0 -t 0 '$q' | od -An -c | tr -s ' '"
	[ "$output" = " a \\n b \\0 \\0 c \\0" ]
}

@test "POSIX -p: higher priorities first, -P shows them" {
	mkq "$q"
	mqsend "$q" low
	mqsend -p 7 "$q" high
	mqsend -p 32767 "$q" top
	run mqrecv -P -t 0 "$q"
	[ "$output" = "$(printf '32767\ttop\n7\thigh\n0\tlow')" ]
}

@test "System V key: -T sets the type (default 1)" {
	mkq "$k"
	printf 'x\ny\n' | mqsend -T 42 "$k"
	mqsend "$k" z
	run mqrecv -P -t 0 "$k"
	[ "$output" = "$(printf '42\tx\n42\ty\n1\tz')" ]
}

@test "System V key: -p is the type too, as mqrecv -P shows it; -p 0 refused" {
	mkq "$k"
	mqsend "$k" first
	mqsend -p 9 "$k" urgent
	run mqrecv -P -t 0 "$k"
	[ "$output" = "$(printf '1\tfirst\n9\turgent')" ]
	# mqrecv -T selects what -p sent.
	mqsend -p 9 "$k" again
	mqsend -p 2 "$k" other
	run mqrecv -T 9 -t 0 "$k"
	[ "$output" = again ]
	run mqsend -p 0 "$k" zero
	assert_status_msg 2 "^mqsend: -p: '0' is no System V message type: types start at 1 \\($k is System V\\)"
	run mqrecv -t 0 "$k"
	[ "$output" = other ]
}

@test "System V id: and ftok: name the same queue" {
	local f=$BATS_TEST_TMPDIR/ftok-file
	touch "$f"
	mqsend -c "ftok:$f:7" first </dev/null
	cleanup_add mqrecv --unlink --stat "ftok:$f:7"
	id=$(mqrecv --stat "ftok:$f:7" | sed -n 's/^id=//p')
	mqsend "id:$id" second
	run mqrecv -t 0 "ftok:$f:7"
	[ "$output" = "$(printf 'first\nsecond')" ]
}

@test "-c creates mode 0600 by default, --mode and sizes as asked" {
	mqsend -c "$q" </dev/null
	run mqrecv --stat "$q"
	[[ $output == *$'\nmode=0600\n'* ]]
	mqsend -c --mode 640 --max-messages 4 --message-size 100 "$k" </dev/null
	run mqrecv --stat "$k"
	[[ $output == *$'\nmode=0640\n'* && $output == *$'\nmax_bytes=400\n'* ]]
	q2=$(uniq_name mqsend2)
	cleanup_add mqrecv --unlink --stat "$q2"
	(umask 077 && mqsend -c --mode 0644 --max-messages 3 --message-size 50 "$q2" </dev/null)
	run mqrecv --stat "$q2"
	[[ $output == *$'\nmax_messages=3\nmessage_size=50\nmode=0644\n'* ]]
}

@test "-c on an existing queue keeps its mode and size" {
	mkq --mode 0600 "$q"
	mqsend -c --mode 0666 --max-messages 5 --message-size 10 "$q" hi
	run mqrecv --stat "$q"
	[[ $output == *$'\nmax_messages=10\nmessage_size=256\nmode=0600\n'* ]]
}

@test "a message over the size limit is refused by number; earlier stay sent" {
	mkq "$q"
	big=$(head -c 300 /dev/zero | tr '\0' x)
	run bash -c "printf 'a\nb\n%s\nd\n' '$big' | mqsend '$q'"
	assert_status_msg 1 "mqsend: $q: message 3 is 300 bytes; the queue takes at most 256"
	run mqrecv -t 0 "$q"
	[ "$output" = "$(printf 'a\nb')" ]
}

@test "System V: over-size message refused the same way" {
	mqsend -c "$k" </dev/null
	run mqsend "$k" ok "$(head -c 8193 /dev/zero | tr '\0' y)"
	assert_status_msg 1 "message 2 is 8193 bytes; the queue takes at most 8192"
	[ "$(count "$k")" -eq 1 ]
}

@test "-t on a full POSIX queue: exit 124, the ones before stay sent" {
	mqsend -c --max-messages 2 --message-size 16 "$q" </dev/null
	run mqsend -t 0.2 "$q" 1 2 3
	assert_status_msg 124 "message 3 not sent: the queue stayed full"
	[ "$(count "$q")" -eq 2 ]
	run mqsend -t 0 "$q" 4
	assert_status_msg 124 "message 1 not sent"
}

@test "-t on a full System V queue: exit 124" {
	mqsend -c --max-messages 2 --message-size 8 "$k" </dev/null
	run mqsend -t 150ms "$k" aaaaaaaa bbbbbbbb cccccccc
	assert_status_msg 124 "message 3 not sent"
	[ "$(count "$k")" -eq 2 ]
}

@test "without -t a full queue waits, then the send completes" {
	mqsend -c --max-messages 1 --message-size 16 "$q" first </dev/null
	mqsend "$q" second &
	local pid=$!
	cleanup_kill $pid
	# Asleep on the full queue (wq_sleep), not finished and not spinning.
	wait_until blocked $pid wq_sleep
	[ "$(count "$q")" -eq 1 ]
	run mqrecv -n 1 "$q"
	[ "$output" = first ]
	wait_until bash -c "[ \$(mqrecv --stat '$q' | sed -n 's/^messages=//p') -eq 1 ]"
	run mqrecv -t 0 "$q"
	[ "$output" = second ]
}

@test "a send waiting 1 s on a full queue says so once, when stderr is a terminal" {
	mqsend -c --max-messages 2 --message-size 16 "$q" a b </dev/null
	# script(1) gives mqsend a terminal; what mqsend writes on it lands
	# in $T/tty.
	script -qefc "echo \$\$ >'$T/pid'; exec mqsend '$q' c d" /dev/null \
	    >"$T/tty" 2>&1 </dev/null &
	local sc=$! pid
	cleanup_kill $sc
	wait_until test -s "$T/pid"
	pid=$(cat "$T/pid")
	cleanup_add kill -KILL "$pid"
	wait_until 10 grep -q "queue full" "$T/tty"
	grep -q "^mqsend: $q: queue full (2 of 2 messages), waiting; -t to give up" "$T/tty" ||
		{ cat -A "$T/tty"; return 1; }
	idle "mqsend=$pid"
	# c goes in, d waits in its turn, over a second: no second notice.
	mqrecv -n 1 "$q" >/dev/null
	wait_until bash -c "[ \$(mqrecv --stat '$q' | sed -n 's/^messages=//p') -eq 2 ]"
	idle "mqsend=$pid"
	run mqrecv -n 3 "$q"
	[ "$output" = "$(printf 'b\nc\nd')" ]
	wait "$sc"
	[ "$(grep -c 'queue full' "$T/tty")" -eq 1 ] || { cat -A "$T/tty"; return 1; }
}

@test "-v tells of a full queue off a terminal too (System V: bytes); without it nothing is said" {
	fill_both
	run mqsend -t 1.5 "$q" "$(m16)"
	assert_status_msg 124 "^mqsend: $q: message 1 not sent: the queue stayed full\$"
	run mqsend -v -t 1.5 "$q" "$(m16)"
	assert_status_msg 124 "^mqsend: $q: queue full \\(1 of 1 messages\\), waiting until -t 1.5 runs out"$'\n'"mqsend: $q: message 1 not sent"
	run mqsend -v -t 1.5 "$k" "$(m16)"
	assert_status_msg 124 "^mqsend: $k: queue full \\(16 of 16 bytes\\), waiting until -t 1.5 runs out"
	# Given up within the second: nothing to tell.
	run mqsend -v -t 0.5 "$k" "$(m16)"
	assert_status_msg 124 "^mqsend: $k: message 1 not sent: the queue stayed full\$"
	# Told, then sent once there is room.
	mqsend -v "$q" last 2>"$T/err" &
	local pid=$!
	cleanup_kill $pid
	wait_until 10 grep -q "queue full" "$T/err"
	mqrecv -n 1 "$q" >/dev/null
	wait "$pid"
	run mqrecv -t 0 "$q"
	[ "$output" = last ]
	[ "$(cat "$T/err")" = "mqsend: $q: queue full (1 of 1 messages), waiting; -t to give up" ]
}

@test "streaming: each record is sent while input stays open" {
	mkq "$q"
	mkfifo "$BATS_TEST_TMPDIR/in"
	mqsend "$q" <"$BATS_TEST_TMPDIR/in" &
	cleanup_kill $!
	exec 5>"$BATS_TEST_TMPDIR/in"
	echo first >&5
	run mqrecv -t 5 -n 1 "$q"
	[ "$output" = first ]
	echo second >&5
	run mqrecv -t 5 -n 1 "$q"
	[ "$output" = second ]
	exec 5>&-
}

@test "a round trip through mqrecv, System V, 1000 records" {
	mqsend -c "$k" </dev/null
	seq 1000 | mqsend "$k" &
	run mqrecv -n 1000 "$k"
	wait $!
	[ "$output" = "$(seq 1000)" ]
}

@test "bad input: exit 2 with a message, nothing created or sent" {
	local cases=(
		"--bogus|--bogus: unknown option"
		"-p 32768|-p: '32768' is out of range \\(0 to 32767\\)"
		"-p x|-p: invalid number: 'x'"
		"-p -1|-p: invalid number: '-1'"
		"-t soon|-t: invalid duration: 'soon'"
		"-c --message-size 0|--message-size: must be at least 1 byte: '0'"
		"-c --message-size 1Q|--message-size: invalid size: '1Q'"
		"-c --max-messages 0|--max-messages: '0' is out of range"
		"-c --mode 999|--mode: invalid mode: '999'"
		"--max-messages 5|need -c"
	)
	for c in "${cases[@]}"; do
		run mqsend ${c%%|*} "$q" hello
		assert_status_msg 2 "${c#*|}"
		[[ $output == *"Try 'mqsend --help'"* ]]
		run ! exists "$q"
	done
	for t in -1 x; do
		run mqsend -c -T "$t" "$k" hello
		assert_status_msg 2 "-T: System V message type must be a number from 1 to [0-9]+: '$t'"
		run ! exists "$k"
	done
	run mqsend -c -T 0 "$k" hello
	assert_status_msg 2 "-T: '0' is no System V message type: types start at 1"
	run mqsend -c -T 3 "$q" hello
	assert_status_msg 2 "types are for System V queues"
	run mqsend -c -p 3 -T 3 "$k" hello
	assert_status_msg 2 "-p and -T both set the type of a System V message"
	run ! exists "$q"
	run ! exists "$k"
}

@test "bad operands: exit 2 naming them, nothing created" {
	for op in a/b "" key:xyz key: id:-1 id:x "ftok:$BATS_TEST_TMPDIR/missing"; do
		run mqsend -c "$op" hello
		assert_status_msg 2 "mqsend: .*$(printf '%q' "$op" | sed 's/[][\.*^$/]/\\&/g')"
	done
	run mqsend
	assert_status_msg 2 "missing QUEUE operand"
	run mqsend -c id:5 hello
	assert_status_msg 2 "-c: id:5 names an existing queue"
	[ -z "$(ipcs -q | awk -v k="$(printf '0x%08x' "${k#key:}")" '$1 == k')" ]
}

@test "a missing queue: exit 1 naming it" {
	run mqsend "$q" hello
	assert_status_msg 1 "mqsend: $q: no such message queue \\(use -c to create it\\)"
	run mqsend "$k" hello
	assert_status_msg 1 "mqsend: $k: no such message queue"
}

@test "kernel limits are named: msg_max, msgsize_max (POSIX)" {
	require_root
	local mm ms
	mm=$(cat /proc/sys/fs/mqueue/msg_max)
	ms=$(cat /proc/sys/fs/mqueue/msgsize_max)
	# Without CAP_SYS_RESOURCE, as ipcutils' CI runs: drop it if we have it.
	run capsh --drop=cap_sys_resource -- -c "mqsend -c --max-messages $((mm + 1)) --message-size 64 '$q' x"
	assert_status_msg 1 "cannot create a queue of $((mm + 1)) messages: the limit is fs.mqueue.msg_max=$mm"
	run capsh --drop=cap_sys_resource -- -c "mqsend -c --message-size $((ms + 1)) '$q' x"
	assert_status_msg 1 "messages: the limit is fs.mqueue.msgsize_max=$ms"
	run ! exists "$q"
}

@test "kernel limits are named: RLIMIT_MSGQUEUE, queues_max" {
	require_root
	run prlimit --msgqueue=1000 mqsend -c "$q" x
	assert_status_msg 1 "would pass RLIMIT_MSGQUEUE=1000 bytes"
	run ! exists "$q"
	# queues_max in a private IPC namespace, so no one else is affected.
	run unshare -i capsh --drop=cap_sys_resource -- -c \
	    "echo 0 >/proc/sys/fs/mqueue/queues_max && mqsend -c '$q' x"
	assert_status_msg 1 "the system already has fs.mqueue.queues_max=0 queues"
}

@test "kernel limits are named: System V msgmax, msgmnb, msgmni" {
	require_root
	local max mnb
	max=$(cat /proc/sys/kernel/msgmax)
	mnb=$(cat /proc/sys/kernel/msgmnb)
	run mqsend -c --message-size $((max + 1)) "$k" x
	assert_status_msg 1 "the limit is kernel.msgmax=$max"
	run capsh --drop=cap_sys_resource -- -c \
	    "mqsend -c --max-messages 3 --message-size $((mnb / 3 + 1)) '$k' x"
	assert_status_msg 1 "cannot create a queue of $((mnb / 3 * 3 + 3)) bytes: the limit is kernel.msgmnb=$mnb"
	run ! exists "$k"
	run unshare -i sh -c "echo 0 >/proc/sys/kernel/msgmni && mqsend -c '$k' x"
	assert_status_msg 1 "the system already has kernel.msgmni=0 queues"
}

@test "stdout: nothing written, so >/dev/full succeeds; --stat fails" {
	mkq "$q"
	run bash -c "mqsend '$q' a >/dev/full"
	[ "$status" -eq 0 ]
	run bash -c "mqsend --stat '$q' c >/dev/full"
	assert_status_msg 1 "mqsend: write error"
	[ "$(count "$q")" -eq 2 ]
}

@test "a closed standard input or output is an error: nothing sent or created" {
	mkq "$q"
	run bash -c "mqsend '$q' <&-"
	assert_status_msg 1 "^mqsend: standard input: Bad file descriptor$"
	run bash -c "mqsend '$q' a <&-"
	assert_status_msg 1 "^mqsend: standard input: Bad file descriptor$"
	run bash -c "mqsend '$q' b >&-"
	assert_status_msg 1 "^mqsend: standard output: Bad file descriptor$"
	[ "$(count "$q")" -eq 0 ]
	run bash -c "mqsend -c '$k' c >&-"
	assert_status_msg 1 "standard output"
	run bash -c "mqsend -c '$k' c <&-"
	assert_status_msg 1 "standard input"
	run mqrecv --stat "$k"
	assert_status_msg 1 "no such message queue"
}

@test "EAGAIN and EINTR injected into read and mq_send are retried" {
	mkq "$q"
	seq 5 >"$BATS_TEST_TMPDIR/in"
	# -P: only the reads of standard input, not the dynamic loader's.
	ASAN_OPTIONS=detect_leaks=0 run strace -qq -o /dev/null -P "$BATS_TEST_TMPDIR/in" \
	    -e inject=read:error=EAGAIN:when=1 mqsend "$q" <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	ASAN_OPTIONS=detect_leaks=0 run bash -c "seq 6 8 | strace -qq -o /dev/null \
	    -e inject=mq_timedsend:error=EAGAIN:when=2 \
	    -e inject=mq_timedsend:error=EINTR:when=3 mqsend '$q'"
	[ "$status" -eq 0 ]
	run mqrecv -t 0 "$q"
	[ "$output" = "$(seq 8)" ]
}

@test "--stat after sending prints key=value lines" {
	mkq "$k"
	run mqsend --stat "$k" abc de
	[ "$status" -eq 0 ]
	[[ $output == flavor=sysv$'\n'key=0x*$'\n'id=*$'\nmessages=2\nbytes=5\nmax_bytes=2560\n'* ]]
}

# --- Issue 11: every wait heeds SIGINT, SIGTERM and SIGHUP and costs no CPU.

# A message of 16 bytes: one fills a queue made by
# `mqsend -c --max-messages 1 --message-size 16`, POSIX or System V.
m16() {
	printf 'x%.0s' {1..16}
}

# Fill $q and $k: one message of 16 bytes each.
fill_both() {
	mqsend -c --max-messages 1 --message-size 16 "$q" "$(m16)" </dev/null
	mqsend -c --max-messages 1 --message-size 16 "$k" "$(m16)" </dev/null
}

@test "SIGINT, SIGTERM, SIGHUP end mqsend waiting for room (POSIX, System V, with and without -t)" {
	fill_both
	for queue in "$q" "$k"; do
		for t in "" "-t 60"; do
			for sig in INT TERM HUP; do
				fresh s
				spawn s mqsend $t "$queue" "$(m16)" &
				spawned s
				wait_until asleep "$pid"
				stops s "$sig" $((128 + $(kill -l "$sig")))
				[ "$(count "$queue")" -eq 1 ]
			done
		done
	done
}

@test "SIGINT, SIGTERM, SIGHUP end mqsend waiting for input; what was sent stays" {
	mkq "$q"
	mkfifo "$T/in"
	for sig in INT TERM HUP; do
		exec 5<>"$T/in"
		fresh s
		spawn s mqsend "$q" <"$T/in" &
		echo first >&5
		wait_until bash -c "[ \$(mqrecv --stat '$q' | sed -n 's/^messages=//p') -eq 1 ]"
		spawned s
		wait_until asleep "$pid"
		stops s "$sig" $((128 + $(kill -l "$sig")))
		exec 5>&-
		run mqrecv -t 0 "$q"
		[ "$output" = first ]
	done
}

@test "waiting, mqsend uses no CPU: for room (POSIX, System V, with and without -t), for input" {
	fill_both
	spawn posix mqsend "$q" "$(m16)" &
	spawn posix-t mqsend -t 60 "$q" "$(m16)" &
	spawn sysv mqsend "$k" "$(m16)" &
	spawn sysv-t mqsend -t 60 "$k" "$(m16)" &
	# -v: the first second is a bounded wait, then the notice.
	spawn posix-v mqsend -v "$q" "$(m16)" 2>/dev/null &
	spawn sysv-v mqsend -v -t 60 "$k" "$(m16)" 2>/dev/null &
	mkfifo "$T/in"
	exec 5<>"$T/in"
	spawn input mqsend "$q" <"$T/in" &
	local name pids=()
	for name in posix posix-t sysv sysv-t posix-v sysv-v input; do
		spawned "$name"; pids+=("$name=$pid")
	done
	for name in "${pids[@]}"; do wait_until asleep "${name#*=}"; done
	idle "${pids[@]}"
	exec 5>&-
}
