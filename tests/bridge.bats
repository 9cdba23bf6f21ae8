#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Tools combined across hosts: a message queue bridged between two network
# namespaces joined by a veth pair, each side in its own IPC namespace too,
# so the two queues are truly separate objects.

load lib/common

setup() {
	require_root
	T=$BATS_TEST_TMPDIR
	A=bridge-$$-a B=bridge-$$-b
	NET=10.232.$(($$ % 250)).
	two_hosts "$A" "$B" "$NET"
}

# Run the receiving host: listen and feed the queue while a reader drains
# it into $T/received (a System V queue holds only msgmnb bytes, and the
# IPC namespace dies with this shell).  A third argument, -0, makes every
# tool frame records with NUL.
start_receiver() {
	local queue=$1 count=$2 framing=${3:-}
	timeout 60 ip netns exec "$B" unshare -i sh -c '
		mqrecv $4 -c -n "$3" -t 20 "$2" >"$1/received" &
		sockcat -v -l tcp::0 </dev/null 2>"$1/l.err" |
			mqsend $4 -c "$2"
		wait $!
	' receiver "$T" "$queue" "$count" "$framing" &
	RPID=$!
	cleanup_kill "$RPID"
	wait_until 10 grep -q 'listening on' "$T/l.err"
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$T/l.err")
}

@test "a POSIX queue bridged to a System V queue on another host (--batch): every message once, in order" {
	seq 1 5000 | sed 's/^/job /' >"$T/sent"
	start_receiver key:0x6272 5000
	timeout 60 ip netns exec "$A" unshare -i sh -c '
		mqsend -c /bridge <"$1/sent" &
		mqrecv --batch -c -n 5000 /bridge | sockcat "tcp:$2:$3"
		wait
	' sender "$T" "${NET}2" "$PORT"
	wait "$RPID"
	cmp "$T/sent" "$T/received"
}

@test "the bridge carries binary records with -0, byte for byte" {
	# Three records: one with a tab, an empty one, one with a newline.
	printf 'a\tb\0\0line\nbreak\0' >"$T/sent"
	start_receiver /bin0 3 -0
	timeout 60 ip netns exec "$A" unshare -i sh -c '
		mqsend -0 -c /bridge <"$1/sent" &&
		mqrecv -0 -t 0 /bridge | sockcat "tcp:$2:$3"
	' sender "$T" "${NET}2" "$PORT"
	wait "$RPID"
	cmp "$T/sent" "$T/received"
}
