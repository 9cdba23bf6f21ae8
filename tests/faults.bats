#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Faults across the tools: a full queue, a full file system under shmcat
# and mqrecv, EMFILE, EAGAIN and short writes (a non-blocking pipe gives
# real ones; strace injects the rest), a reader that closes early, signals
# at random moments of a transfer, and a killed semaphore holder.  Every
# case checks that nothing was lost: what was delivered plus what is still
# in the object is exactly what was sent.  Namespaced objects (unshare -m
# for the small tmpfs mounts) vanish with their namespace.

load lib/common

setup() {
	p=$(uniq_name hbf)
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
}

# Run "$@" with standard output made a non-blocking pipe to a reader that
# starts late, so the tool meets EAGAIN and short writes for real.  The
# reader's copy goes to $BATS_TEST_TMPDIR/got.
nonblocking_out() {
	python3 -c '
import fcntl, os, sys
fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_NONBLOCK)
os.execvp(sys.argv[1], sys.argv[1:])' "$@" | { sleep 0.3; cat >"$BATS_TEST_TMPDIR/got"; }
}

@test "full queue: mqsend -t stops at the limit, exit 124, nothing before it lost" {
	cleanup_add mqrecv --unlink --stat "/$p"
	run mqsend -c --max-messages=3 -t 0.2 "/$p" m1 m2 m3 m4 m5
	assert_status_msg 124 "mqsend: "
	run mqrecv -t 0 "/$p"
	[[ $status -eq 0 && $output == $'m1\nm2\nm3' ]]
	# System V: msgmnb bytes, then the same.
	local k=$((0x48000 + $$ % 4096))
	cleanup_add ipcrm -Q "$k"
	run bash -c "head -c 8000 /dev/zero | tr '\0' x | sed 's/\$/\n/' > '$BATS_TEST_TMPDIR/big'
		for i in 1 2 3; do cat '$BATS_TEST_TMPDIR/big'; done | mqsend -c -t 0.2 key:$k"
	assert_status_msg 124 "mqsend: "
	run mqrecv -t 0 "key:$k"
	[[ $status -eq 0 && ${#lines[@]} -eq 2 ]]
}

@test "full /dev/shm under shmcat -w: exit 1 naming the object, no SIGBUS" {
	require_root
	run unshare -m bash -c '
		mount -t tmpfs -o size=64k none /dev/shm || exit 9
		head -c 200000 /dev/zero | shmcat -w -c /big
		echo "rc=$?"
		head -c 200000 /dev/zero | shmcat -w -c -s 100000 /big2
		echo "rc=$?"'
	echo "$output"
	[[ ${lines[1]} == rc=1 && ${lines[3]} == rc=1 ]]
	[[ ${lines[0]} == "shmcat: /big: No space left on device" ]]
	[[ ${lines[2]} == "shmcat: /big2: "* ]]
}

@test "full disk under shmcat's output: exit 1, write error, object unchanged" {
	require_root
	cleanup_add shmcat --unlink "/$p"
	head -c 200000 /dev/urandom >"$BATS_TEST_TMPDIR/data"
	shmcat -w -c "/$p" <"$BATS_TEST_TMPDIR/data"
	mkdir "$BATS_TEST_TMPDIR/small"
	run unshare -m bash -c '
		mount -t tmpfs -o size=64k none "$1" || exit 9
		shmcat "$2" >"$1/out"; echo "rc=$?"
		shmcat -L "$3" -c "$2" >"$1/out"; echo "rc=$?"
		cmp -n 65536 "$1/out" "$4" && echo same' _ "$BATS_TEST_TMPDIR/small" "/$p" "/$p-l" \
		"$BATS_TEST_TMPDIR/data"
	rm -f "/dev/shm/sem.$p-l"
	echo "$output"
	[[ $output == *"shmcat: write error: No space left on device"$'\n'"rc=1"$'\n'* ]]
	[[ ${lines[3]} == rc=1 && ${lines[4]} == same ]]
	# The object is still all there, and no lock is left held.
	cmp <(shmcat "/$p") "$BATS_TEST_TMPDIR/data"
}

@test "full disk under mqrecv's output: received plus left equals sent, in order" {
	require_root
	mkdir "$BATS_TEST_TMPDIR/small"
	run unshare -im bash -c '
		mount -t tmpfs -o size=64k none "$1" || exit 9
		for i in 0 1 2 3 4 5 6 7 8 9; do
			head -c 7999 /dev/zero | tr "\0" "$i" | mqsend -c /q || exit 8
		done
		mqrecv -t 0 /q >"$1/out"; echo "rc=$?"
		mqrecv -t 0 /q >"$2/left"
		# Complete records delivered, then those left, by their first byte.
		{ head -n "$(grep -c "" "$1/out" | awk "{print \$1 - 1}")" "$1/out"
		  cat "$2/left"; } | cut -c1 | tr -d "\n"; echo' _ "$BATS_TEST_TMPDIR/small" \
		"$BATS_TEST_TMPDIR"
	echo "$output"
	[[ ${lines[0]} == "mqrecv: write error: No space left on device" && ${lines[1]} == rc=1 ]]
	# Each digit once, in order, except that the one put back goes last.
	sorted=$(grep -o . <<<"${lines[2]}" | sort | tr -d '\n')
	[[ $sorted == 0123456789 ]]
}

@test "EMFILE: a clear message, exit 1 (2 for rawping, as ping)" {
	require_root
	# Real descriptor exhaustion: rawping needs two sockets for two families.
	run python3 -c '
import os, resource, sys
os.closerange(3, 65536)
resource.setrlimit(resource.RLIMIT_NOFILE, (4, 4))
os.execvp(sys.argv[1], sys.argv[1:])' rawping -c 1 -i 0.01 127.0.0.1 ::1
	assert_status_msg 2 "rawping: ::1: .*Too many open files"
	# Injected, with dup() failing too, as when descriptors run out.
	run strace -f -qq -o /dev/null -e inject=mq_open:error=EMFILE \
	    -e inject=dup:error=EMFILE mqsend -c "/$p" x
	assert_status_msg 1 "mqsend: /$p: Too many open files"
	run strace -f -qq -o /dev/null -e inject=mq_open:error=EMFILE mqsend -c "/$p" x
	assert_status_msg 1 "mqsend: /$p: .*RLIMIT_MSGQUEUE"
	shmcat -w -c "/$p" <<<hi
	cleanup_add shmcat --unlink "/$p"
	run strace -f -qq -o /dev/null -P "/dev/shm/$p" -e inject=openat:error=EMFILE shmcat "/$p"
	assert_status_msg 1 "shmcat: /$p: Too many open files"
	run strace -f -qq -o /dev/null -P "/dev/shm/sem.$p" -e inject=openat:error=EMFILE semop -c "/$p" get
	assert_status_msg 1 "semop: /$p: Too many open files"
	[[ ! -e /dev/shm/sem.$p ]]
}

@test "real short writes and EAGAIN on a non-blocking pipe: mqrecv and shmcat lose nothing" {
	cleanup_add mqrecv --unlink --stat "/$p"
	seq 100000 | sed 's/$/ padding to make the records longer/' >"$BATS_TEST_TMPDIR/in"
	# A queue of 10 messages: send in the background, receive in the pipe
	# (--batch: as much at a time as the pipe takes).
	mqsend -c "/$p" <"$BATS_TEST_TMPDIR/in" &
	cleanup_kill $!
	nonblocking_out mqrecv --batch -n 100000 "/$p"
	cmp "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/in"
	# One message in the pipe at a time, through the same non-blocking pipe.
	head -n 2000 "$BATS_TEST_TMPDIR/in" | mqsend "/$p" &
	nonblocking_out mqrecv -n 2000 "/$p"
	head -n 2000 "$BATS_TEST_TMPDIR/in" | cmp - "$BATS_TEST_TMPDIR/got"
	cleanup_add shmcat --unlink "/$p-s"
	shmcat -w -c "/$p-s" <"$BATS_TEST_TMPDIR/in"
	nonblocking_out shmcat "/$p-s"
	cmp "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/in"
}

@test "a message that cannot go back (System V queue removed) goes to stderr in full, exit 1" {
	local k=$((0x4a000 + $$ % 4096))
	cleanup_add ipcrm -Q "$k"
	cleanup_add touch "$BATS_TEST_TMPDIR/go"
	mqsend -c "key:$k" "only copy" "second"
	# mqrecv writes the first into the pipe; the reader leaves unread
	# once the queue is gone.
	bash -c 'mqrecv "$1" 2>"$2/err"; echo $? >"$2/rc"' _ "key:$k" "$BATS_TEST_TMPDIR" |
	    { until [[ -e $BATS_TEST_TMPDIR/go ]]; do sleep 0.02; done; } &
	wait_until bash -c "mqrecv --stat key:$k | grep -qx messages=1"
	ipcrm -Q "$k"
	touch "$BATS_TEST_TMPDIR/go"
	wait_until test -s "$BATS_TEST_TMPDIR/rc"
	cat "$BATS_TEST_TMPDIR/err"
	[[ $(cat "$BATS_TEST_TMPDIR/rc") == 1 ]]
	grep -q "^mqrecv: key:$k: could not put back a message of 9 bytes (type 1): the queue was removed; here it is:\$" "$BATS_TEST_TMPDIR/err"
	[[ $(tail -n 1 "$BATS_TEST_TMPDIR/err") == "only copy" ]]
}

@test "EAGAIN and EINTR injected all along a mqsend | mqrecv pipeline: exact output" {
	cleanup_add mqrecv --unlink --stat "/$p"
	seq 3000 >"$BATS_TEST_TMPDIR/in"
	mqsend -c "/$p" </dev/null
	# Each tool under its own strace, so the faults hit only the tools.
	# read's start after the 30th call: the dynamic loader (more libraries
	# under ASan) does not retry EINTR.  The input comes a line per write,
	# so mqsend makes many reads.
	run timeout 60 bash -c '
		awk "{ print; fflush() }" "$2" |
		    strace -qq -o /dev/null \
		    -e inject=mq_timedsend:error=EAGAIN:when=2+7 \
		    -e inject=read:error=EINTR:when=30+13 mqsend "$1" &
		strace -qq -o /dev/null \
		    -e inject=mq_timedreceive:error=EINTR:when=3+11 \
		    -e inject=write:error=EAGAIN:when=2+5 \
		    mqrecv -n 3000 "$1" >"$3"
		rc=$?; wait $! && exit $rc' _ \
	    "/$p" "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/got"
	echo "$output"
	[[ $status -eq 0 ]]
	cmp "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/in"
}

@test "a reader that closes early: quiet SIGPIPE, nothing lost" {
	cleanup_add mqrecv --unlink --stat "/$p"
	mqsend -c "/$p" m1 m2 m3 m4 m5
	run bash -c 'mqrecv -t 0 "$1" | head -n 1; echo "${PIPESTATUS[0]}"' _ "/$p"
	[[ ${lines[0]} == m1 && ${lines[1]} == 141 && ${#lines[@]} -eq 2 ]]
	# Every message not shown is still in the queue (a put-back goes last).
	run mqrecv -t 0 "/$p"
	[[ $(sort <<<"$output" | tr '\n' ' ') == "m2 m3 m4 m5 " ]]
	cleanup_add shmcat --unlink "/$p-s"
	head -c 3000000 /dev/zero | shmcat -w -c "/$p-s"
	run bash -c 'shmcat "$1" | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}"' _ "/$p-s"
	[[ $output == 141 ]]
}

@test "SIGTERM, SIGINT, SIGHUP at random moments of mqsend | mqrecv: nothing lost (4 x 2 x 20000)" {
	run bash "$IPCU_SRCDIR/tests/sigstorm.sh" 4 20000
	echo "$output"
	[[ $status -eq 0 && $output == *"4 rounds"*", 0 failed"* ]]
}

@test "SIGKILL of a semop holder: System V holds until COMMAND ends, POSIX keeps the unit (documented)" {
	local k=$((0x49000 + $$ % 4096))
	cleanup_add ipcrm -S "$k"
	semop -c "key:$k" get >/dev/null
	semop "key:$k" -- sleep 1000 &
	local holder=$!
	cleanup_kill "$holder"
	wait_until pgrep -P "$holder" sleep
	local child
	child=$(pgrep -P "$holder" sleep)
	cleanup_kill "$child"
	kill -KILL "$holder"
	wait "$holder" || true
	# The unit is COMMAND's: it runs on, and holds it until it ends.
	run semop -t 0.2 "key:$k" wait
	[[ $status -eq 124 ]]
	kill -KILL "$child"
	run semop -t 5 "key:$k" wait
	[[ $status -eq 0 ]]
	semop "key:$k" post
	# -F: the command itself holds; killing it releases too.
	semop -F "key:$k" -- sleep 1000 &
	holder=$!
	cleanup_kill "$holder"
	wait_until bash -c "[[ \$(semop key:$k get) == 0 ]]"
	kill -KILL "$holder"
	run semop -t 5 "key:$k" wait
	[[ $status -eq 0 ]]
	# POSIX has no undo: the unit is gone for good, as semop(1) says.
	cleanup_add semop --unlink "/$p" get
	semop -c "/$p" -- sleep 1000 &
	holder=$!
	cleanup_kill "$holder"
	wait_until bash -c "[[ \$(semop /$p get) == 0 ]]"
	wait_until pgrep -P "$holder" sleep
	child=$(pgrep -P "$holder" sleep)
	cleanup_kill "$child"
	kill -KILL "$holder"
	wait "$holder" || true
	kill "$child"
	run semop -t 0.1 "/$p" wait
	[[ $status -eq 124 ]]
	grep -q "POSIX semaphores have no undo" "$IPCU_SRCDIR/man/semop.1"
}

# Start sockcat -v -k -l tcp:127.0.0.1:0 -e cat under strace, accept4
# failing with EMFILE at the calls WHEN; set SRV (sockcat's pid) and PORT.
emfile_listener() {
	strace -f -o /dev/null -e trace=accept4 \
	    -e inject=accept4:error=EMFILE:when="$1" \
	    sockcat -v -k -l tcp:127.0.0.1:0 -e cat </dev/null 2>"$BATS_TEST_TMPDIR/err" &
	cleanup_kill $!
	wait_until grep -q 'listening on' "$BATS_TEST_TMPDIR/err"
	# Killing strace would leave sockcat running: end sockcat itself
	# (with SIGKILL: a traced process that spins may never see TERM).
	SRV=$(pgrep -P $!)
	cleanup_kill "$SRV"
	cleanup_add kill -KILL "$SRV"
	PORT=$(grep -o '[0-9]*$' "$BATS_TEST_TMPDIR/err" | head -1)
}

@test "sockcat -k -e: accept out of descriptors (EMFILE) is reported and retried, without spinning" {
	# LeakSanitizer cannot run under ptrace (sanitizer builds).
	export ASAN_OPTIONS=detect_leaks=0
	emfile_listener 1..2
	run timeout 10 sockcat "tcp:127.0.0.1:$PORT" <<<"still served"
	[[ $status -eq 0 && $output == "still served" ]]
	[[ $(grep -c 'accept: Too many open files' "$BATS_TEST_TMPDIR/err") -eq 2 ]]
	# Every accept fails: with no connection of its own to wait for,
	# sockcat tries again every 100 ms, not in a busy loop.
	emfile_listener 1+
	timeout 5 sockcat "tcp:127.0.0.1:$PORT" </dev/null &
	cleanup_kill $!
	wait_until grep -q 'accept: Too many open files' "$BATS_TEST_TMPDIR/err"
	local t0 t1 n
	t0=$(sed 's/.*) //' "/proc/$SRV/stat" | awk '{ print $12 + $13 }')
	sleep 2
	t1=$(sed 's/.*) //' "/proc/$SRV/stat" | awk '{ print $12 + $13 }')
	n=$(grep -c 'accept: Too many open files' "$BATS_TEST_TMPDIR/err")
	echo "# EMFILE for ever: $n reports, $((t1 - t0)) ticks of CPU in 2 s" >&3
	((n < 60 && (t1 - t0) * 50 < $(getconf CLK_TCK)))
}

@test "sockcat: a peer that resets mid-transfer: exit 1 naming it, what came is kept" {
	# The server resets while sockcat is still sending 100 MB.
	python3 "$IPCU_SRCDIR/tests/lib/rstpeer.py" server "$BATS_TEST_TMPDIR/port" &
	cleanup_kill $!
	wait_until test -s "$BATS_TEST_TMPDIR/port"
	run bash -c 'head -c 100000000 /dev/zero | timeout 20 sockcat "tcp:127.0.0.1:$1"' _ \
	    "$(cat "$BATS_TEST_TMPDIR/port")"
	assert_status_msg 1 "^sockcat: tcp:127\.0\.0\.1:[0-9]+: Connection reset by peer"
	# The client resets after sending 300,000 bytes: all are written out.
	sockcat -l -v tcp:127.0.0.1:0 </dev/null >"$BATS_TEST_TMPDIR/got" 2>"$BATS_TEST_TMPDIR/err" &
	local srv=$!
	cleanup_kill "$srv"
	wait_until grep -q 'listening on' "$BATS_TEST_TMPDIR/err"
	python3 "$IPCU_SRCDIR/tests/lib/rstpeer.py" client \
	    "$(grep -o '[0-9]*$' "$BATS_TEST_TMPDIR/err" | head -1)" 300000
	local rc=0
	wait "$srv" || rc=$?
	cat "$BATS_TEST_TMPDIR/err"
	[[ $rc -eq 1 && $(wc -c <"$BATS_TEST_TMPDIR/got") -eq 300000 ]]
	grep -q 'Connection reset by peer' "$BATS_TEST_TMPDIR/err"
}
