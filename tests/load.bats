#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Load: many writers and readers on one queue, rawping at flood rate
# (and, once sockcat lands, many concurrent clients of one server).
# make check runs short versions; `make check-load` runs the long ones by
# setting IPCU_LOAD=long (8 x 50,000 messages, a 60 s flood, 20 s of 200
# echo clients).

load lib/common

setup() {
	p=$(uniq_name hbload)
	if [[ ${IPCU_LOAD:-} == long ]]; then
		per_writer=50000 flood_seconds=60 echo_seconds=20
	else
		per_writer=5000 flood_seconds=3 echo_seconds=3
	fi
}

@test "8 mqsend writers and 8 mqrecv readers on one queue: every message exactly once" {
	cleanup_add mqrecv --unlink --stat "/$p"
	mqsend -c "/$p" </dev/null
	local w r pids=() readers=()
	for r in $(seq 8); do
		mqrecv -t 2 "/$p" >"$BATS_TEST_TMPDIR/r$r" &
		readers+=($!)
	done
	cleanup_kill "${readers[@]}"
	for w in $(seq 8); do
		seq "$per_writer" | sed "s/^/w$w /" | mqsend "/$p" &
		pids+=($!)
	done
	cleanup_kill "${pids[@]}"
	for w in "${pids[@]}"; do wait "$w"; done
	for r in "${readers[@]}"; do wait "$r"; done
	# Every reader got some, each writer's messages in order within a reader.
	for r in $(seq 8); do
		awk '{ if ($2 <= last[$1]) { print "out of order: " $0; exit 1 } last[$1] = $2 }' \
		    "$BATS_TEST_TMPDIR/r$r"
	done
	# All of them, exactly once, and none left.
	cat "$BATS_TEST_TMPDIR"/r* | sort >"$BATS_TEST_TMPDIR/got"
	for w in $(seq 8); do seq "$per_writer" | sed "s/^/w$w /"; done | sort >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	run mqrecv --stat "/$p"
	[[ $output == *$'\nmessages=0\n'* ]]
	echo "# $((8 * per_writer)) messages, $(for r in $(seq 8); do wc -l <"$BATS_TEST_TMPDIR/r$r"; done | tr '\n' ' ')per reader" >&3
}

@test "rawping flood: no reply counted twice, statistics match the packets on the wire" {
	require_root
	# A private network namespace: nftables counts what really went out.
	run unshare -n bash -c '
		set -e
		ip link set lo up
		nft add table inet hbload
		nft add chain inet hbload out "{ type filter hook output priority 0; }"
		nft add rule inet hbload out icmp type echo-request counter
		nft add rule inet hbload out icmp type echo-reply counter
		rawping --json -i 0 -w "$1" 127.0.0.1 >"$2/json"
		nft list chain inet hbload out | awk "/counter/ { print \$3, \$6 }"' \
	    _ "$flood_seconds" "$BATS_TEST_TMPDIR"
	echo "$output"
	[[ $status -eq 0 ]]
	local sent_wire=${lines[0]#* } replies_wire=${lines[1]#* }
	[[ ${lines[0]} == echo-request* && ${lines[1]} == echo-reply* ]]
	# Replies: sequence numbers strictly increasing once unwrapped (16 bits).
	run awk -F'[:,]' '
		/"type":"reply"/ {
			for (i = 1; i < NF; i++) if ($i == "\"seq\"") seq = $(i + 1)
			if (/"dup":true/) { dup++; next }
			if (n && seq + base <= last) base += 65536
			if (n && seq + base <= last) { print "counted twice: " seq; exit 1 }
			last = seq + base; n++
		}
		/"type":"summary"/ {
			for (i = 1; i < NF; i++) {
				if ($i == "\"transmitted\"") tx = $(i + 1)
				if ($i == "\"received\"") rx = $(i + 1)
				if ($i == "\"duplicates\"") dups = $(i + 1)
			}
		}
		END { print n, dup + 0, tx, rx, dups }' "$BATS_TEST_TMPDIR/json"
	echo "replies dups transmitted received duplicates: $output; wire $sent_wire $replies_wire"
	[[ $status -eq 0 ]]
	read -r n dup tx rx dups <<<"$output"
	((n == rx && dup == dups && tx == sent_wire && rx + dups == replies_wire && rx <= tx && tx > 1000))
	echo "# flood ${flood_seconds}s: $tx sent, $rx received, $dups duplicates" >&3
}

@test "sockcat -l -k -e cat under 200 concurrent clients: every byte echoed, no zombie, memory flat" {
	sockcat -l -k -v -e cat tcp:127.0.0.1:0 </dev/null 2>"$BATS_TEST_TMPDIR/err" >/dev/null &
	local srv=$!
	cleanup_kill "$srv"
	wait_until grep -q 'listening on' "$BATS_TEST_TMPDIR/err"
	local port
	port=$(grep -o 'listening on [^ ]*' "$BATS_TEST_TMPDIR/err" | grep -o '[0-9]*$')
	# A first round to reach the steady state, then measure.
	python3 "$IPCU_SRCDIR/tests/lib/echoload.py" 127.0.0.1 "$port" 200 1 >/dev/null
	local rss0 rss1
	rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$srv/status")
	run python3 "$IPCU_SRCDIR/tests/lib/echoload.py" 127.0.0.1 "$port" 200 "$echo_seconds"
	echo "$output"
	[[ $status -eq 0 ]]
	read -r conns bytes errors <<<"${lines[0]}"
	((conns > 200 && errors == 0))
	rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$srv/status")
	# No child left, zombie or not, once the clients are gone.
	wait_until 10 bash -c "[[ -z \$(ps --ppid $srv -o pid=) ]]"
	kill -0 "$srv"
	echo "# echo ${echo_seconds}s x 200 clients: $conns connections, $bytes bytes, RSS ${rss0} -> ${rss1} KiB" >&3
	# Memory flat: under 25 % (and 2 MiB) of growth; ASan's allocator is
	# slower to settle, so it gets 8 MiB.
	local slack=2048
	nm -D "$(command -v sockcat)" 2>/dev/null | grep -q __asan_init && slack=8192
	((rss1 - rss0 < slack || rss1 * 4 < rss0 * 5))
}

@test "sockcat -l -k -e that answers before reading all, under 200 concurrent clients: no reset, every answer whole" {
	# The COMMAND reads one line, answers it and exits with the rest of
	# the request unread: each connection must still end with the answer
	# and a clean end (graceful close), never a reset.
	sockcat -l -k -v --sh-exec 'read -r l; echo "$l"' tcp:127.0.0.1:0 </dev/null \
		2>"$BATS_TEST_TMPDIR/err" >/dev/null &
	local srv=$!
	cleanup_kill "$srv"
	wait_until grep -q 'listening on' "$BATS_TEST_TMPDIR/err"
	local port
	port=$(grep -o 'listening on [^ ]*' "$BATS_TEST_TMPDIR/err" | grep -o '[0-9]*$')
	run python3 "$IPCU_SRCDIR/tests/lib/echoload.py" 127.0.0.1 "$port" 200 "$echo_seconds" firstline
	echo "$output"
	[[ $status -eq 0 ]]
	read -r conns bytes errors <<<"${lines[0]}"
	((conns > 200 && errors == 0))
	wait_until 10 bash -c "[[ -z \$(ps --ppid $srv -o pid=) ]]"
	kill -0 "$srv"
	echo "# first-line answers ${echo_seconds}s x 200 clients: $conns connections, no reset" >&3
}
