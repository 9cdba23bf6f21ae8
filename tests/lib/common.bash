# SPDX-License-Identifier: MIT
# Helpers shared by the bats files: unique object names, waiting on a
# condition with a deadline, and cleanup that runs even when a test fails.
#
# Load with:  load lib/common
# A test registers what it creates with `cleanup_add COMMAND...`; the
# teardown this file defines runs those commands in reverse order.

# A name unique to this test run and test: prefix-PID-TESTNUMBER.
uniq_name() {
	echo "${1:-ipcu}-$$-${BATS_TEST_NUMBER:-0}"
}

# Run "$@" every 10 ms until it succeeds or SECONDS (default 5) pass.
wait_until() {
	local timeout=5
	if [[ $1 =~ ^[0-9]+$ ]]; then timeout=$1; shift; fi
	local end=$((SECONDS + timeout))
	until "$@"; do
		if ((SECONDS >= end)); then
			echo "wait_until: timed out after ${timeout}s: $*" >&2
			return 1
		fi
		sleep 0.01
	done
}

_cleanup_cmds=()
cleanup_add() {
	_cleanup_cmds+=("$(printf '%q ' "$@")")
}

# Kill a background process (and wait for it) at teardown.
cleanup_kill() {
	cleanup_add _kill_quietly "$@"
}
_kill_quietly() {
	kill "$@" 2>/dev/null || true
	for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

run_cleanup() {
	local i
	for ((i = ${#_cleanup_cmds[@]} - 1; i >= 0; i--)); do
		eval "${_cleanup_cmds[i]}" >/dev/null 2>&1 || true
	done
	_cleanup_cmds=()
}

teardown() {
	run_cleanup
}

# two_hosts A B NET: network namespaces A and B joined by a veth pair,
# A at NET.1/30 and B at NET.2/30 (NET is three octets and a dot), both
# with loopback up; teardown removes them (and so the pair).
two_hosts() {
	local a=$1 b=$2 net=$3 ifa=v$$a${#_cleanup_cmds[@]} ifb=v$$b${#_cleanup_cmds[@]}
	ip netns add "$a" && cleanup_add ip netns del "$a" &&
	ip netns add "$b" && cleanup_add ip netns del "$b" &&
	ip link add "$ifa" netns "$a" type veth peer name "$ifb" netns "$b" &&
	ip -n "$a" addr add "${net}1/30" dev "$ifa" &&
	ip -n "$b" addr add "${net}2/30" dev "$ifb" &&
	ip -n "$a" link set "$ifa" up && ip -n "$b" link set "$ifb" up &&
	ip -n "$a" link set lo up && ip -n "$b" link set lo up
}

# Skip outside CI when not root; in CI (IPCU_CI=1 or CI=true) a missing privilege
# is a failure, never a skip.
require_root() {
	if [[ $(id -u) -ne 0 ]]; then
		[[ ${IPCU_CI:-} || ${CI:-} == true ]] &&
			{ echo "CI must run as root" >&2; return 1; }
		skip "needs root"
	fi
}

# Assert that the last `run` exited with status $1 and printed, on its
# combined output, something matching the regex $2.
assert_status_msg() {
	if [[ $status -ne $1 ]]; then
		echo "expected status $1, got $status; output: $output" >&2
		return 1
	fi
	if [[ -n ${2:-} && ! $output =~ $2 ]]; then
		echo "output does not match /$2/: $output" >&2
		return 1
	fi
}
