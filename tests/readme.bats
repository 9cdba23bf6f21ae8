#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Every ```sh block of README.md run as written, each in fresh IPC, mount,
# network and PID namespaces, with the objects it needs set up by the
# table below (see tests/lib/examples.bash).  A block with no entry, or an
# entry with no block, fails the first test.

load lib/common
load lib/examples

declare -gA SETUP=() EDIT=() LIMIT=() CHECK=()

# Quick start.  The two commands are what produced this tree and what runs
# this test, so here bootstrap is only parsed and check only planned
# (make -n); the demo runs for real.  The release checklist runs both for
# real in a fresh clone.
EDIT[e53d11af]='s|^\./bootstrap && make demo$|sh -n "$IPCU_SRCDIR/bootstrap" \&\& make -s -C "$IPCU_BUILDDIR" demo|
s|^make check$|make -n -C "$IPCU_BUILDDIR" check >/dev/null|'
LIMIT[e53d11af]=60
CHECK[e53d11af]='[ $rc = 0 ] && grep -qx "demo finished: every tool above worked" out'
# The PATH line, from a directory holding the built tools.
SETUP[d78b24b6]='for t in $IPCU_TOOLS; do ln -s "$IPCU_BUILDDIR/bin/$t" bin/; done
echo "command -v mqsend" >> example.sh'
CHECK[d78b24b6]='[ $rc = 0 ] && [ "$(cat out)" = "$PWD/bin/mqsend" ]'

# One example per tool.
CHECK[9ca6a053]='[ $rc = 0 ] && printf "urgent\nfirst\nsecond\n" | diff - out'
CHECK[582fd6d7]='[ $rc = 0 ] && [ "$(wc -l < out)" = 2 ]
date -d "$(head -n 1 out)" >/dev/null
[ "$(tail -n 1 out)" = "size=$(head -n 1 out | wc -c)" ]'
CHECK[ca78ef11]='[ $rc = 0 ] && printf "I hold the lock; it is now 0\n1\n" | diff - out'
CHECK[e530a761]='[ $rc = 0 ] && [ "$(cat out)" = USR1 ]'
LIMIT[e1598c4e]=10
CHECK[804d1ebc]='[ $rc = 0 ] && [ "$(cat out)" = SHOUT ]'
CHECK[dd842748]='[ $rc = 0 ]
[ "$(grep -c "^3 packets transmitted, 3 received, 0% packet loss" out)" = 2 ]
tail -n 1 out | grep -Eqx "[0-9]+(\.[0-9]+)?"'

# Pipelines.
CHECK[70d39bb7]='[ $rc = 0 ] && printf "%s\n" four one three two | diff - <(sort out)
[ "$(qlen work)" = 0 ]'
CHECK[212c5438]='[ $rc = 0 ] && printf "job %s ran\n" 1 2 3 4 5 | diff - <(sort out)
[ "$(semop key:0x51 get)" = 2 ]'
CHECK[1b49a688]='[ $rc = 0 ] && grep -Eqx "daemon [0-9]+ is ready" out
if kill -0 "$(cat daemon.pid)" 2>/dev/null; then exit 1; fi'
CHECK[fcdc1e8b]='[ $rc = 0 ] && [ "$(cat out)" = 1000 ] && seq 1000 | cmp - state.snapshot
[ "$(semop statelock get)" = 1 ]'
# Two hosts built from namespaces; each half runs verbatim on its host.
SETUP[685d3e66]='bridge_hosts example.sh'
LIMIT[685d3e66]=30
CHECK[685d3e66]='[ $rc = 0 ] && printf "job 1\njob 2\n" | diff - recv.out'
# The clean-up removes everything the examples created, and only that.
SETUP[6003c21d]='mqsend -c jobs a; mqsend -c work b
echo x | shmcat -w -c status; echo y | shmcat -w -c state
semop -c statelock; semop -c key:0x51; semop -c key:0x52
semop -c other; touch daemon.pid state.snapshot keep'
CHECK[6003c21d]='for q in jobs work; do mqrecv --stat $q 2>/dev/null && exit 1; done
for o in status state; do shmcat --stat $o 2>/dev/null && exit 1; done
for s in statelock key:0x51 key:0x52; do semop --stat $s 2>/dev/null && exit 1; done
semop --stat other >/dev/null
[ ! -e daemon.pid ] && [ ! -e state.snapshot ] && [ -e keep ]'

@test "every sh block of README.md has exactly one setup entry" {
	check_table_covers readme "$IPCU_SRCDIR/README.md"
}

@test "README.md names every tool and gives each one an example" {
	local t blocks
	blocks=$(readme_examples "$IPCU_SRCDIR/README.md" | tr '\0' '\n')
	for t in mqsend mqrecv shmcat semop sigwaitfor sockcat rawping; do
		grep -q "^$t \|[|(] *$t \|^	*$t " <<<"$blocks" ||
			{ echo "no example of $t"; return 1; }
	done
}

@test "the README's commands run as written" {
	require_root
	local ex failed=0 t
	while IFS= read -r -d '' ex; do
		if t=$(missing_tool "$ex"); then
			echo "# example $(example_key "$ex") needs $t, not built here" >&3
			continue
		fi
		run_example "$ex" || failed=1
	done < <(readme_examples "$IPCU_SRCDIR/README.md")
	return $failed
}

@test "a newcomer's session: the blocks in order in one shell, the clean-up leaves nothing" {
	require_root
	local ex key box=$BATS_TEST_TMPDIR/box
	mkdir -p "$box/bin"
	: > "$box/session.sh"
	while IFS= read -r -d '' ex; do
		key=$(example_key "$ex")
		# Not the quick start (it runs make) nor the two-host bridge.
		[[ $key == e53d11af || $key == 685d3e66 ]] && continue
		printf '%s\n' "$ex" >> "$box/session.sh"
	done < <(readme_examples "$IPCU_SRCDIR/README.md")
	for t in mqsend mqrecv shmcat semop sigwaitfor sockcat rawping; do
		[[ " $IPCU_TOOLS " == *" $t "* ]] || skip "$t is not built in this tree"
	done
	for t in $IPCU_TOOLS; do ln -s "$IPCU_BUILDDIR/bin/$t" "$box/bin/"; done
	sandbox 'mkdir mq && mount -t mqueue none mq
timeout 60 bash session.sh > out 2> err < /dev/null || { cat out err; exit 1; }
[ -z "$(ls mq)" ] || { echo "queues left: $(ls mq)"; exit 1; }
[ -z "$(ls /dev/shm)" ] || { echo "left in /dev/shm: $(ls /dev/shm)"; exit 1; }
for f in msg shm sem; do
	[ "$(wc -l < /proc/sysvipc/$f)" = 1 ] || { cat /proc/sysvipc/$f; exit 1; }
done
[ -z "$(ls | grep -v -x -e bin -e mq -e out -e err -e session.sh)" ] ||
	{ echo "files left: $(ls)"; exit 1; }'
}
