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

@test "a receiver killed mid-stream: what arrived is in order, none twice, only what was in flight is lost" {
	# As README says of the bridge: a message leaves the sending queue
	# once sockcat has taken it, so a failure loses the messages in
	# flight, and no other; none arrives twice.  One host (loopback), its
	# own IPC namespace, where the sending queue can hold all N messages.
	timeout 60 unshare -i bash -c '
		set -e
		T=$1 N=200000
		echo 4194304 >/proc/sys/kernel/msgmnb
		mqsend -c key:0x5352 </dev/null; mqsend -c key:0x4453 </dev/null
		seq "$N" | mqsend key:0x5352
		mqrecv key:0x4453 >"$T/received" & drain=$!
		sockcat -v -l tcp:127.0.0.1:0 </dev/null 2>"$T/l.err" |
			mqsend key:0x4453 &
		until grep -q "listening on" "$T/l.err"; do sleep 0.01; done
		port=$(sed -n "s/.*listening on .*:\([0-9]*\)$/\1/p" "$T/l.err")
		mqrecv --batch -t 1 key:0x5352 | sockcat "tcp:127.0.0.1:$port" \
			2>"$T/s.err" & sender=$!
		until [ "$(wc -l <"$T/received")" -ge 2000 ]; do sleep 0.01; done
		pkill -KILL -P $$ -f "sockcat -v -l"
		wait $sender || true
		mqrecv -t 0 key:0x5352 >"$T/left" || true
		kill $drain; wait $drain || true
		mqrecv -t 0 key:0x4453 >>"$T/received" || true
	' bridge "$T"
	# The record being relayed when sockcat died may arrive cut short
	# (mqsend queues an unterminated last record, as ipcutils(7) says).
	# A message taken but not written goes back behind the others: what
	# is left is a whole range, not always in order.
	local r s last
	r=$(wc -l <"$T/received")
	last=$(tail -n 1 "$T/received")
	s=$(sort -n "$T/left" | head -n 1)
	echo "received 1..$r (the last as '$last'), left $s..200000, lost $((s - r - 1))"
	cmp <(head -n -1 "$T/received") <(seq $((r - 1)))
	[[ $r == "$last"* ]]
	cmp <(sort -n "$T/left") <(seq "$s" 200000)
	((s > r))
}
