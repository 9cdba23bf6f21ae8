#!/bin/bash
# SPDX-License-Identifier: MIT
# sigstorm.sh ROUNDS N: ROUNDS times, two mqsend writers (priorities 1 and
# 2, N numbered messages each) and one mqrecv reader share a POSIX queue;
# the reader writes to a file in odd rounds, through a pipe to cat (one
# message in the pipe at a time) in even ones.  At a random moment one of
# the three, chosen at random, gets SIGTERM, SIGINT or SIGHUP (chosen at
# random).  Then the survivors finish, the
# queue is drained, and the check is exact: per priority, the messages
# received followed by those left in the queue are 1, 2, ... K with no gap,
# no duplicate and no reordering, and K = N for a writer nobody signalled.
# Prints one line per round and a summary; exits 1 on any failure.
# Runs in a private IPC namespace when root (the queue is invisible to
# everyone else), else under a name with this PID; removes the queue.
set -u
rounds=${1:-5} n=${2:-20000}
if [[ $(id -u) -eq 0 && -z ${IPCU_STORM_INNER:-} ]]; then
	IPCU_STORM_INNER=1 exec unshare -i bash "$0" "$@"
fi
tmp=$(mktemp -d)
q=/sigstorm-$$
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	mqrecv --unlink --stat "$q" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
failed=0 start=$SECONDS
sigs=(TERM INT HUP)
names=(reader writer-a writer-b)
dfl="env --default-signal=INT,TERM,HUP"

# Wait up to $2 seconds for process $1 to end; its status in $waited.
wait_pid() {
	local end=$((SECONDS + $2))
	while kill -0 "$1" 2>/dev/null; do
		((SECONDS < end)) || return 1
		sleep 0.01
	done
	wait "$1" 2>/dev/null; waited=$?
}

for ((r = 1; r <= rounds; r++)); do
	rm -f "$tmp"/*
	mqsend -c "$q" </dev/null || { echo "round $r: cannot create $q"; exit 1; }
	seq "$n" | sed 's/^/a /' >"$tmp/in-a"
	seq "$n" | sed 's/^/b /' >"$tmp/in-b"
	# A script's background jobs start with SIGINT ignored, which the
	# tools rightly keep; give them the default back, as a terminal would.
	if ((r % 2)); then
		via=file
		$dfl mqrecv -P "$q" >"$tmp/out" 2>"$tmp/err-r" & rpid=$!
	else
		via=pipe
		{ $dfl mqrecv -P "$q" 2>"$tmp/err-r" & echo $! >"$tmp/rpid"; wait; } |
		    cat >"$tmp/out" & catpid=$!
		until [[ -s $tmp/rpid ]]; do sleep 0.01; done
		rpid=$(cat "$tmp/rpid")
	fi
	$dfl mqsend -p 1 "$q" <"$tmp/in-a" 2>"$tmp/err-a" & apid=$!
	$dfl mqsend -p 2 "$q" <"$tmp/in-b" 2>"$tmp/err-b" & bpid=$!
	pids=("$rpid" "$apid" "$bpid")
	victim=$((RANDOM % 3)) sig=${sigs[RANDOM % 3]}
	# A random moment within the transfer (about 1 s per 100,000 here).
	ms=$((RANDOM % 1000 * n / 100000))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	kill -s "$sig" "${pids[victim]}" 2>/dev/null
	why=
	wait_pid "${pids[victim]}" 10 || why+=" ${names[victim]} ignored SIG$sig;"
	if [[ $victim -eq 0 ]]; then
		# No reader now: drain beside the writers until they are done.
		mqrecv -P -t 2 "$q" >"$tmp/left" 2>>"$tmp/err-r" & dpid=$!
		pids+=("$dpid")
		wait_pid "$apid" 60 || why+=" writer-a hung;"
		wait_pid "$bpid" 60 || why+=" writer-b hung;"
		wait_pid "$dpid" 60 || why+=" drain hung;"
	else
		for w in 1 2; do
			[[ $w -eq $victim ]] || wait_pid "${pids[w]}" 60 || why+=" ${names[w]} hung;"
		done
		# Let the reader take what is there, then stop it gently.
		for _ in $(seq 300); do
			mqrecv --stat "$q" | grep -qx 'messages=0' && break
			sleep 0.01
		done
		kill -TERM "$rpid"
		wait_pid "$rpid" 10 || why+=" reader ignored SIGTERM;"
		mqrecv -P -t 0 "$q" >"$tmp/left" 2>>"$tmp/err-r"
	fi
	# Through a pipe, the output is complete once cat has ended.
	[[ $via == file ]] || wait "$catpid"
	mqrecv --unlink --stat "$q" >/dev/null
	# Check: per priority, consecutive from 1; a writer not signalled sent all.
	got=$(cat "$tmp/out" "$tmp/left" | awk -F'\t' -v n="$n" -v victim="$victim" '
		{
			split($2, f, " ")
			want = f[1] == "a" ? 1 : 2
			if ($1 != want) { printf "bad priority %s for %s;", $1, $2; bad = 1; exit }
			if (f[2] != last[f[1]] + 1) {
				printf "%s: %s after %d;", f[1], f[2], last[f[1]]; bad = 1; exit
			}
			last[f[1]] = f[2]
		}
		END {
			if (bad) exit 1
			if (victim != 1 && last["a"] != n) printf "a ended at %d;", last["a"]
			if (victim != 2 && last["b"] != n) printf "b ended at %d;", last["b"]
			printf " a=%d b=%d", last["a"], last["b"]
		}')
	[[ $got == *";"* ]] && why+=" $got"
	left=$(wc -l <"$tmp/left")
	if [[ -n $why ]]; then
		failed=$((failed + 1))
		echo "round $r: SIG$sig to ${names[victim]} (reader into a $via): FAIL:$why"
		sed 's/^/    /' "$tmp"/err-* | head -5
	else
		echo "round $r: SIG$sig to ${names[victim]} (reader into a $via):$got, $left left in the queue"
	fi
done
echo "sigstorm: $rounds rounds of 2 x $n messages, $failed failed, $((SECONDS - start)) s"
[[ $failed -eq 0 ]]
