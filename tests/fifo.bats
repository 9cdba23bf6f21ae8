#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Every tool with named pipes: a FIFO (mkfifo) as its standard input and as
# its standard output.  A FIFO differs from a file (no size, no seeking,
# data arrives in pieces, no end until the last writer closes) and from an
# anonymous pipe (opening it blocks until the other end is opened, and its
# reader may go away early): each tool must stream through it, lose
# nothing, and stop cleanly when the reader leaves.

load lib/common
load lib/examples

setup() {
	require_root
	d=$BATS_TEST_TMPDIR
	mkfifo "$d/in" "$d/out"
}

# need TOOL: skip on a branch where TOOL has not landed (never in CI,
# where every tool is built).
need() {
	[[ " $IPCU_TOOLS " == *" $1 "* ]] || skip "$1 is not built in this tree"
}

# qlen_is QUEUE N: QUEUE holds N messages.
qlen_is() {
	[ "$(mqrecv --stat "$1" | sed -n 's/^messages=//p')" = "$2" ]
}

# size_at_least FILE N: FILE has at least N bytes.
size_at_least() {
	[ "$(stat -c %s "$1")" -ge "$2" ]
}

# A System V key unique to this run and test.
uniq_key() {
	printf 'key:0x%x' $((0x7e000000 + ($$ % 0x10000) * 0x100 + BATS_TEST_NUMBER))
}

# reader: copy the output FIFO to $d/got in the background.
reader() {
	cat "$d/out" > "$d/got" 3>&- &
	reader_pid=$!
	cleanup_kill "$reader_pid"
}

# open_writer: open the input FIFO for writing on descriptor 7, once the
# tool (started before, in the background) opens its reading end.
open_writer() {
	exec 7> "$d/in"
}

# idle_writer: hold the input FIFO open for writing, never writing.
idle_writer() {
	sleep 60 > "$d/in" 3>&- &
	cleanup_kill $!
}

teardown() {
	exec 7>&-
	run_cleanup
}

@test "mqsend: records from a FIFO are sent as they arrive; --stat into a FIFO" {
	need mqsend
	q=/$(uniq_name fifo)
	mqsend -c "$q" </dev/null
	cleanup_add mqrecv -t 0 --unlink "$q"
	mqsend "$q" < "$d/in" 3>&- & pid=$!
	cleanup_kill "$pid"
	open_writer
	echo one >&7
	wait_until qlen_is "$q" 1
	printf 'two\nthree' >&7
	exec 7>&-
	wait "$pid"
	[ "$(mqrecv -t 0 "$q" | tr '\n' ' ')" = "one two three " ]
	reader
	mqsend --stat "$q" last > "$d/out"
	wait "$reader_pid"
	grep -qx messages=1 "$d/got"
}

@test "mqrecv: messages into a FIFO; a reader that leaves early loses none" {
	need mqrecv
	q=/$(uniq_name fifo)
	mqsend -c "$q" a b c
	cleanup_add mqrecv -t 0 --unlink "$q"
	reader
	# Standard input a FIFO whose writer never writes: not read.
	idle_writer
	mqrecv -n 1 "$q" < "$d/in" > "$d/out"
	wait "$reader_pid"
	[ "$(cat "$d/got")" = a ]
	# The reader takes one line and closes: the rest stays queued, and
	# mqrecv ends by SIGPIPE.
	head -n 1 "$d/out" > "$d/got" 3>&- &
	head_pid=$!
	cleanup_kill "$head_pid"
	run bash -c 'mqrecv "$0" > "$1"' "$q" "$d/out"
	[ "$status" -eq 141 ]
	wait "$head_pid"
	[ "$(cat "$d/got")" = b ]
	[ "$(mqrecv -t 0 "$q")" = c ]
}

@test "shmcat: -w from a FIFO in pieces; a 1 MiB object into a FIFO" {
	need shmcat
	name=$(uniq_name fifo)
	head -c 1M /dev/urandom > "$d/data"
	shmcat -w -c --truncate "$name" < "$d/in" 3>&- & pid=$!
	cleanup_kill "$pid"
	cleanup_add shmcat --unlink --stat "$name"
	open_writer
	head -c 100000 "$d/data" >&7
	tail -c +100001 "$d/data" >&7
	exec 7>&-
	wait "$pid"
	reader
	shmcat "$name" > "$d/out"
	wait "$reader_pid"
	cmp "$d/data" "$d/got"
	# System V, written from and read into FIFOs.
	key=$(uniq_key)
	shmcat -w -c -s 1M "$key" < "$d/in" 3>&- & pid=$!
	cleanup_add shmcat --unlink --stat "$key"
	cat "$d/data" > "$d/in"
	wait "$pid"
	reader
	shmcat "$key" > "$d/out"
	wait "$reader_pid"
	cmp "$d/data" "$d/got"
}

@test "semop: get into a FIFO; a COMMAND reads and writes FIFOs" {
	need semop
	sem=$(uniq_name fifo)
	semop -c 3 "$sem"
	cleanup_add semop --unlink "$sem"
	reader
	semop "$sem" get > "$d/out"
	wait "$reader_pid"
	[ "$(cat "$d/got")" = 3 ]
	reader
	seq 1000 > "$d/in" 3>&- &
	semop "$sem" -- cat < "$d/in" > "$d/out"
	wait "$reader_pid"
	seq 1000 | cmp - "$d/got"
	[ "$(semop "$sem" get)" = 3 ]
}

@test "rawping: replies and statistics into a FIFO; a FIFO on stdin is not read" {
	need rawping
	reader
	idle_writer
	rawping -c 2 -i 0.2 127.0.0.1 < "$d/in" > "$d/out"
	wait "$reader_pid"
	[ "$(grep -c '^64 bytes from 127.0.0.1: icmp_seq=[12] ttl=64 time=' "$d/got")" = 2 ]
	grep -q '^2 packets transmitted, 2 received, 0% packet loss' "$d/got"
}

@test "sigwaitfor: a stream of signal names into a FIFO; a COMMAND reads a FIFO" {
	need sigwaitfor
	reader
	sigwaitfor -n 2 -p "$d/pid" USR1 > "$d/out" 3>&- & pid=$!
	cleanup_kill "$pid"
	wait_until test -s "$d/pid"
	kill -USR1 "$(cat "$d/pid")"
	wait_until grep -q USR1 "$d/got"
	kill -USR1 "$(cat "$d/pid")"
	wait "$pid"
	wait "$reader_pid"
	[ "$(cat "$d/got")" = "USR1
USR1" ]
	# The COMMAND signals once it has read all of a FIFO.
	seq 100 > "$d/in" 3>&- &
	run sigwaitfor -t 10 USR2 -- sh -c 'cat > "$0"; kill -USR2 $PPID' "$d/copy" < "$d/in"
	[ "$status" -eq 0 ] && [ "$output" = USR2 ]
	seq 100 | cmp - "$d/copy"
}

@test "sockcat: a FIFO into a UNIX stream socket and out into a FIFO" {
	need sockcat
	head -c 300000 /dev/urandom > "$d/data"
	mkfifo "$d/out2"
	cat "$d/out2" > "$d/got2" 3>&- &
	cleanup_kill $!
	sockcat -l "unix:$d/sock" > "$d/out2" < /dev/null 3>&- & lpid=$!
	cleanup_kill "$lpid"
	wait_until test -S "$d/sock"
	reader
	sockcat "unix:$d/sock" < "$d/in" > "$d/out" 3>&- & cpid=$!
	cleanup_kill "$cpid"
	open_writer
	head -c 1000 "$d/data" >&7
	wait_until size_at_least "$d/got2" 1000
	tail -c +1001 "$d/data" >&7
	exec 7>&-
	wait "$cpid"
	wait "$lpid"
	wait "$reader_pid"
	cmp "$d/data" "$d/got2"
	[ ! -s "$d/got" ]
}
