#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# rawping: loopback, hosts in network namespaces (C client, R router, H a
# host behind R, D a host on C's second link whose replies nft can drop or
# mangle), privilege drop, datagram sockets, bad input, the man page's
# examples.  Topology, all on private test addresses:
#   C vc 10.77.1.1 fd77:1::1 -- vr1 10.77.1.2 fd77:1::2 R
#   R vr2 10.77.2.1 fd77:2::1 -- vh 10.77.2.2 fd77:2::2 H
#   C vd0 10.77.3.1 -- vd1 10.77.3.2 D

load lib/common
load lib/waiting

# The sanitizers' leak checker cannot run under strace or in a process
# that has dropped its dumpable flag; the tests check exits, not leaks.
export ASAN_OPTIONS=detect_leaks=0

setup_file() {
	export RP="rawping-$$"
	[[ $(id -u) -eq 0 ]] || return 0
	local n
	for n in C R H D; do
		ip netns add "$RP-$n"
		ip -n "$RP-$n" link set lo up
	done
	ip link add vc netns "$RP-C" type veth peer name vr1 netns "$RP-R"
	ip link add vr2 netns "$RP-R" type veth peer name vh netns "$RP-H"
	ip link add vd0 netns "$RP-C" type veth peer name vd1 netns "$RP-D"
	ip -n "$RP-C" addr add 10.77.1.1/24 dev vc
	ip -n "$RP-C" addr add fd77:1::1/64 dev vc nodad
	ip -n "$RP-R" addr add 10.77.1.2/24 dev vr1
	ip -n "$RP-R" addr add fd77:1::2/64 dev vr1 nodad
	ip -n "$RP-R" addr add 10.77.2.1/24 dev vr2
	ip -n "$RP-R" addr add fd77:2::1/64 dev vr2 nodad
	ip -n "$RP-H" addr add 10.77.2.2/24 dev vh
	ip -n "$RP-H" addr add fd77:2::2/64 dev vh nodad
	ip -n "$RP-C" addr add 10.77.3.1/24 dev vd0
	ip -n "$RP-D" addr add 10.77.3.2/24 dev vd1
	ip -n "$RP-C" link set vc up
	ip -n "$RP-C" link set vd0 up
	ip -n "$RP-R" link set vr1 up
	ip -n "$RP-R" link set vr2 up
	ip -n "$RP-H" link set vh up
	ip -n "$RP-D" link set vd1 up
	ip -n "$RP-C" route add default via 10.77.1.2
	ip -n "$RP-C" -6 route add default via fd77:1::2
	ip -n "$RP-H" route add default via 10.77.2.1
	ip -n "$RP-H" -6 route add default via fd77:2::1
	ip netns exec "$RP-R" sysctl -qw net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1
	ip netns exec "$RP-D" nft 'add table inet rawping;
	    add chain inet rawping out { type filter hook output priority 0; }'
	# Neighbour discovery and router warm-up, before any timing matters.
	wait_until 10 ip netns exec "$RP-C" ping -c 1 -W 1 10.77.2.2
	wait_until 10 ip netns exec "$RP-C" ping -6 -c 1 -W 1 fd77:2::2
	wait_until 10 ip netns exec "$RP-C" ping -c 1 -W 1 10.77.3.2
}

teardown_file() {
	local n
	for n in C R H D P; do
		ip netns del "$RP-$n" 2>/dev/null || true
	done
}

# Run a command in namespace $1 of this file.
nsx() {
	local ns=$1
	shift
	ip netns exec "$RP-$ns" "$@"
}

# Replace D's output rule with the nft rule "$@" (none: accept all).
d_rule() {
	nsx D nft flush chain inet rawping out
	if (($#)); then nsx D nft add rule inet rawping out "$@"; fi
	cleanup_add nsx D nft flush chain inet rawping out
}

# A directory nobody can read, removed at teardown, in $tmp.
make_tmp() {
	tmp=$(mktemp -d "/tmp/$(uniq_name rawping).XXXX")
	chmod 755 "$tmp"
	cleanup_add rm -rf "$tmp"
}

# Replace the varying figures of rawping/ping output by X.
mask_times() {
	sed -E -e 's/time=[0-9.]+ ms/time=X ms/' \
	    -e 's/time [0-9]+ms/time Xms/' \
	    -e 's|= [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms.*|= X ms|'
}

# The received count of a ping statistics block in $output.
received() {
	sed -nE 's/.* ([0-9]+) received.*/\1/p' <<<"$output"
}

# The Nth example block of rawping(1), one command per line.
man_example() {
	mandoc -T ascii "$IPCU_SRCDIR/man/rawping.1" | col -b |
	    awk -v want="$1" '
		/^EXAMPLES/ { on = 1; next }
		/^SEE ALSO/ { on = 0 }
		on && /^\t/ { if (!inblk) { n++; inblk = 1 }
		    if (n == want) { sub(/^\t+/, ""); print } ; next }
		{ inblk = 0 }'
}

@test "rawping: 127.0.0.1 prints ping's lines exactly" {
	require_root
	# -O adds nothing when every probe is answered in time.
	run rawping -c 2 -i 0.2 -O 127.0.0.1
	assert_status_msg 0
	expected="PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=X ms
64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=X ms

--- 127.0.0.1 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time Xms
rtt min/avg/max/mdev = X ms"
	[[ $(mask_times <<<"$output") == "$expected" ]]
	[[ $output =~ rtt\ min/avg/max/mdev\ =\ [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}\ ms$ ]]
}

@test "rawping: ::1 prints ping6's header and lines" {
	require_root
	run rawping -c 2 -i 0.2 -D ::1
	assert_status_msg 0
	[[ ${lines[0]} == "PING ::1(::1) 56 data bytes" ]]
	[[ ${lines[1]} =~ ^\[[0-9]+\.[0-9]{6}\]\ 64\ bytes\ from\ ::1:\ icmp_seq=1\ ttl=64\ time=[0-9.]+\ ms$ ]]
	[[ $output == *"2 packets transmitted, 2 received, 0% packet loss"* ]]
}

@test "rawping: several hosts at once, one statistics block each" {
	require_root
	run rawping -c 3 -i 0.2 127.0.0.1 ::1 localhost
	assert_status_msg 0
	[[ $(grep -c '^PING ' <<<"$output") -eq 3 ]]
	[[ $(grep -c 'ping statistics ---$' <<<"$output") -eq 3 ]]
	[[ $(grep -c '^3 packets transmitted, 3 received, 0% packet loss' \
	    <<<"$output") -eq 3 ]]
	# localhost is 127.0.0.1 or ::1, as /etc/hosts says: nine replies in
	# all, each probe answered once per host.
	[[ $(grep -c '^64 bytes from ::1: icmp_seq=' <<<"$output") -ge 3 ]]
	[[ $(grep -c '^64 bytes from 127.0.0.1: icmp_seq=' <<<"$output") -ge 3 ]]
	[[ $(grep -c '^64 bytes from .*: icmp_seq=2 ' <<<"$output") -eq 3 ]]
	[[ $output != *DUP* ]]
}

@test "rawping: --json gives one object per probe and numbers as numbers" {
	require_root
	run rawping --json -c 2 -i 0.2 127.0.0.1 ::1
	assert_status_msg 0
	[[ $(jq -s '[.[] | select(.type == "reply")] | length' <<<"$output") -eq 4 ]]
	[[ $(jq -s '[.[] | select(.type == "summary")] | length' <<<"$output") -eq 2 ]]
	run jq -e 'if .type == "reply" then (.seq|type) == "number" and
	    (.time_ms|type) == "number" and (.ttl|type) == "number" and
	    (.bytes == 64) and (.dup == false)
	    else (.received == 2) and (.loss_pct == 0) and
	    (.rtt_avg_ms|type) == "number" end' <<<"$output"
	[[ $status -eq 0 && $output != *false* ]]
}

@test "rawping: --json stays valid UTF-8 whatever bytes a host name has" {
	require_root
	make_tmp
	# A Latin-1 name in a hosts file seen only by this mount namespace.
	printf '127.0.0.1 caf\xe9-%s\n' "$RP" >"$tmp/hosts"
	run unshare -m bash -c 'mount --bind "$1/hosts" /etc/hosts &&
	    rawping --json -c 1 "$2"' _ "$tmp" "$(printf 'caf\xe9-%s' "$RP")"
	assert_status_msg 0
	run python3 -c '
import json, sys
for line in sys.stdin.buffer.read().decode("utf-8").splitlines():
    print(json.loads(line)["host"])' <<<"$output"
	[[ $status -eq 0 ]]
	[[ ${lines[0]} == "caf"$'\xef\xbf\xbd'"-$RP" ]]
}

@test "rawping: a host across a veth pair and a router, IPv4 and IPv6" {
	require_root
	run nsx C rawping -c 2 -i 0.2 10.77.2.2 fd77:2::2
	assert_status_msg 0
	[[ $output == *"64 bytes from 10.77.2.2: icmp_seq=2 ttl=63 time="* ]]
	[[ $output == *"64 bytes from fd77:2::2: icmp_seq=2 ttl=63 time="* ]]
	[[ $(grep -c '2 received, 0% packet loss' <<<"$output") -eq 2 ]]
}

@test "rawping: replies dropped give loss lines and exit 1" {
	require_root
	d_rule icmp type echo-reply drop
	# -O as ping: a line when the next probe goes out unanswered, long
	# before -W counts the loss; none for the last probe.
	run nsx C rawping -c 3 -i 0.2 -W 2 -O 10.77.3.2
	assert_status_msg 1
	[[ $(grep '^no answer yet' <<<"$output") == "no answer yet for icmp_seq=1
no answer yet for icmp_seq=2" ]]
	# ping's time: up to the last probe, not the -W wait after it.
	[[ $output =~ time\ ([0-9]+)ms && ${BASH_REMATCH[1]} -lt 1500 ]]
	[[ $output == *"3 packets transmitted, 0 received, 100% packet loss"* ]]
	[[ $output != *rtt* ]]
	run nsx C rawping --json -c 2 -i 0.2 -W 0.3 10.77.3.2
	assert_status_msg 1
	[[ $(jq -s '[.[] | select(.type == "loss")] | length' <<<"$output") -eq 2 ]]
	[[ $(jq -s '.[-1].rtt_avg_ms' <<<"$output") == null ]]
}

@test "rawping: one host down among several: exit 1, the others counted" {
	require_root
	d_rule icmp type echo-reply drop
	run nsx C rawping -c 2 -i 0.2 -W 0.3 10.77.2.2 10.77.3.2
	assert_status_msg 1
	[[ $output == *"2 packets transmitted, 2 received, 0% packet loss"* ]]
	[[ $output == *"2 packets transmitted, 0 received, 100% packet loss"* ]]
}

@test "rawping: no route gives an error line" {
	require_root
	# D has no default route: the kernel refuses the send.
	run nsx D rawping -c 2 -i 0.2 198.51.100.1
	assert_status_msg 1
	[[ ${lines[1]} == "local error: icmp_seq=1: Network is unreachable" ]]
	[[ $output == *"2 packets transmitted, 0 received, +2 errors, 100% packet loss"* ]]
	# The router has no route: it answers destination unreachable.
	run nsx C rawping -c 1 -W 1 192.0.2.1
	assert_status_msg 1
	[[ ${lines[1]} == "From 10.77.1.2 icmp_seq=1 Destination Net Unreachable" ]]
}

@test "rawping: TTL 1 through a router gives time exceeded from it" {
	require_root
	run nsx C rawping -c 2 -i 0.2 -t 1 10.77.2.2
	assert_status_msg 1
	[[ ${lines[1]} == "From 10.77.1.2 icmp_seq=1 Time to live exceeded" ]]
	[[ ${lines[2]} == "From 10.77.1.2 icmp_seq=2 Time to live exceeded" ]]
	run nsx C rawping --json -c 1 -t 1 fd77:2::2
	echo "$output"
	assert_status_msg 1
	run jq 'select(.type == "error") | .from == "fd77:1::2" and
	    .icmp_type == 3 and .error == "Time exceeded: Hop limit"' <<<"$output"
	echo "$output"
	[[ $status -eq 0 && $output == true ]]
}

@test "rawping: payload sizes 0, 56, 1472 and 65507 come back whole" {
	require_root
	local size
	for size in 0 56 1472 65507; do
		run nsx C rawping -c 2 -i 0.2 -s "$size" 10.77.2.2
		assert_status_msg 0
		[[ $output == *"$((size + 8)) bytes from 10.77.2.2: icmp_seq=2 ttl=63"* ]]
		[[ $output != *wrong* && $output != *truncated* && $output != *BAD* ]]
		run rawping -6 -c 1 -s "$size" ::1
		assert_status_msg 0 "$((size + 8)) bytes from ::1: icmp_seq=1"
	done
}

@test "rawping: the same counts received as iputils ping" {
	require_root
	local target got want
	d_rule icmp type echo-reply drop
	for target in 10.77.2.2 fd77:2::2 10.77.3.2 192.0.2.1; do
		run nsx C ping -n -q -c 3 -i 0.2 -W 1 "$target"
		want=$(received)
		run nsx C rawping -q -c 3 -i 0.2 -W 1 "$target"
		got=$(received)
		echo "$target: ping $want rawping $got"
		[[ -n $want && $got == "$want" ]]
	done
}

@test "rawping: duplicates, bad checksums, wrong bytes, other addresses" {
	require_root
	nsx D nft add table ip rawping
	cleanup_add nsx D nft delete table ip rawping
	nsx D nft 'add chain ip rawping out { type filter hook output priority 0; }'
	nsx D nft add rule ip rawping out icmp type echo-reply dup to 10.77.3.1 device vd1
	run nsx C rawping -c 2 -i 0.2 10.77.3.2
	assert_status_msg 0
	[[ $(grep -c '^64 bytes from 10.77.3.2: icmp_seq=1 .* (DUP!)$' <<<"$output") -eq 1 ]]
	[[ $output == *"2 received, +2 duplicates, 0% packet loss"* ]]
	nsx D nft flush chain ip rawping out
	# Byte 4 of the payload (bit 96 of the ICMP header on) set to 0x41.
	d_rule icmp type echo-reply @th,96,8 set 0x41
	run nsx C rawping -c 1 10.77.3.2
	assert_status_msg 0
	[[ ${lines[1]} == *" (BAD CHECKSUM!)" ]]
	[[ ${lines[2]} == "wrong data byte #4 should be 0x4 but was 0x41" ]]
	[[ $output == *"+1 corrupted"* ]]
	nsx D nft flush chain inet rawping out
	nsx D nft add rule ip rawping out icmp type echo-reply ip saddr set 10.77.3.9
	run nsx C rawping -c 1 10.77.3.2
	[[ ${lines[1]} =~ ^64\ bytes\ from\ 10\.77\.3\.9:\ icmp_seq=1\ .*\ \(DIFFERENT\ ADDRESS!\)$ ]]
}

@test "rawping: with the file capability an ordinary user holds no privilege" {
	require_root
	make_tmp
	cp "$(command -v rawping)" "$tmp/rawping"
	setcap cap_net_raw+ep "$tmp/rawping"
	"${DEFAULT_SIGNALS[@]}" setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$tmp/rawping" -c 30 -i 0.1 127.0.0.1 ::1 >"$tmp/out" 2>&1 &
	local pid=$!
	cleanup_kill "$pid"
	wait_until grep -q 'icmp_seq=1 ' "$tmp/out"
	local st
	st=$(cat "/proc/$pid/status")
	echo "$st"
	grep -Eq '^CapEff:[[:space:]]0+$' <<<"$st"
	grep -Eq '^CapPrm:[[:space:]]0+$' <<<"$st"
	grep -Eq '^CapInh:[[:space:]]0+$' <<<"$st"
	grep -Eq '^Uid:[[:space:]]65534[[:space:]]65534[[:space:]]65534' <<<"$st"
	grep -Eq '^NoNewPrivs:[[:space:]]1$' <<<"$st"
	kill -INT "$pid"
	wait "$pid"
	grep -q '^64 bytes from ::1: icmp_seq=1 ' "$tmp/out"
	grep -q 'packets transmitted' "$tmp/out"
	# The capability does not make an ordinary user a flooder.
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$tmp/rawping" -i 0.001 -c 1 127.0.0.1
	assert_status_msg 2 "cannot flood; minimal interval allowed for user is 2ms"
}

# The line number in $tmp/trace of the first line matching ERE $1 (0: none).
trace_line() {
	grep -nE -m 1 -- "$1" "$tmp/trace" | cut -d: -f1 || echo 0
}

@test "rawping: raw sockets, then the privilege drop, then names and packets" {
	require_root
	make_tmp
	run strace -f -o "$tmp/trace" -e trace=socket,setresgid,setresuid,capset,prctl,openat,sendto \
	    rawping -c 1 localhost
	assert_status_msg 0
	local raw gid uid cap nnp hosts send
	raw=$(trace_line 'socket\(AF_INET, SOCK_RAW')
	gid=$(trace_line 'setresgid\(')
	uid=$(trace_line 'setresuid\(')
	cap=$(trace_line 'capset\(.*effective=0, permitted=0, inheritable=0')
	nnp=$(trace_line 'prctl\(PR_SET_NO_NEW_PRIVS, 1')
	hosts=$(trace_line 'openat\(.*"/etc/hosts"')
	send=$(trace_line 'sendto\(')
	echo "raw=$raw gid=$gid uid=$uid cap=$cap nnp=$nnp hosts=$hosts send=$send"
	((raw > 0 && raw < gid && gid < uid && uid < cap && cap < nnp &&
	    nnp < hosts && hosts < send))
	# No raw IP socket is opened once the privileges are gone (the
	# resolver's netlink socket is SOCK_RAW too, and harmless).
	run ! grep -Eq 'AF_INET6?, SOCK_RAW' <(tail -n "+$nnp" "$tmp/trace")
}

@test "rawping: without privilege: datagram sockets, or what is missing" {
	require_root
	make_tmp
	cp "$(command -v rawping)" "$tmp/rawping"
	ip netns add "$RP-P"
	cleanup_add ip netns del "$RP-P"
	nsx P ip link set lo up
	run nsx P setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$tmp/rawping" -c 1 127.0.0.1
	assert_status_msg 2 "127.0.0.1: cannot open an ICMP socket: .*CAP_NET_RAW.*group 65534 inside net.ipv4.ping_group_range \(now 1 0\)"
	nsx P sysctl -qw net.ipv4.ping_group_range="65534 65534"
	run nsx P setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$tmp/rawping" -c 2 -i 0.2 127.0.0.1 ::1 127.0.0.1
	assert_status_msg 0
	[[ $(grep -c '2 packets transmitted, 2 received, 0% packet loss' <<<"$output") -eq 3 ]]
	run nsx P setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$tmp/rawping" -c 1 198.51.100.1
	assert_status_msg 1 "local error: icmp_seq=1: Network is unreachable"
	# ICMP errors reach datagram sockets through their error queue.
	nsx C sysctl -qw net.ipv4.ping_group_range="65534 65534"
	cleanup_add nsx C sysctl -qw net.ipv4.ping_group_range="1 0"
	run nsx C setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$tmp/rawping" -c 1 -t 1 10.77.2.2 fd77:2::2
	assert_status_msg 1
	[[ $output == *"From 10.77.1.2 icmp_seq=1 Time to live exceeded (probe to 10.77.2.2)"* ]]
	[[ $output == *"From fd77:1::2 icmp_seq=1 Time exceeded: Hop limit (probe to fd77:2::2)"* ]]
	run nsx C setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$tmp/rawping" -c 2 -i 0.2 10.77.2.2 fd77:2::2
	assert_status_msg 0
	[[ $(grep -c ' 2 received, 0% packet loss' <<<"$output") -eq 2 ]]
}

@test "rawping: bad input exits 2 with a message naming the value" {
	run rawping -c 0 127.0.0.1
	assert_status_msg 2 "rawping: -c: '0' is out of range"
	run rawping -c many 127.0.0.1
	assert_status_msg 2 "rawping: -c: invalid number: 'many'"
	run rawping -i fast 127.0.0.1
	assert_status_msg 2 "rawping: -i: invalid duration: 'fast'"
	run rawping -s 70000 127.0.0.1
	assert_status_msg 2 "rawping: -s: '70000' is out of range \(0 to 65507\)"
	run rawping -t 0 127.0.0.1
	assert_status_msg 2 "rawping: -t: '0' is out of range \(1 to 255\)"
	run rawping -t 256 127.0.0.1
	assert_status_msg 2 "rawping: -t: '256' is out of range \(1 to 255\)"
	run rawping -W 0 127.0.0.1
	assert_status_msg 2 "rawping: -W: the timeout must be more than 0"
	run rawping --bogus 127.0.0.1
	assert_status_msg 2 "rawping: --bogus: unknown option.*Try 'rawping --help'"
	run rawping -4 -6 127.0.0.1
	assert_status_msg 2 "rawping: only one of -4 and -6 may be given"
	run rawping
	assert_status_msg 2 "rawping: no HOST given"
	run rawping -c 1 "$(uniq_name rawping).invalid"
	assert_status_msg 2 "rawping: rawping-[0-9]+-[0-9]+\.invalid: Name or service not known"
	[[ $output != *PING* ]]
	run rawping -6 -c 1 127.0.0.1
	assert_status_msg 2 "rawping: 127.0.0.1: Address family"
}

@test "rawping: more HOSTs than echo identifiers is a usage error" {
	require_root
	local many
	many=$(printf '127.0.0.1 %.0s' {1..65537})
	# shellcheck disable=SC2086
	run timeout 60 rawping -c 1 $many
	assert_status_msg 2 "rawping: too many HOSTs: 65537; at most 65536"
}

@test "rawping: --help matches the man page synopsis; --version" {
	run rawping --help
	assert_status_msg 0 "Usage: rawping \[OPTION\]\.\.\. HOST\.\.\."
	[[ $output == *"--json"* && $output == *"-W, --timeout=TIMEOUT"* ]]
	mandoc -T ascii "$IPCU_SRCDIR/man/rawping.1" | col -b |
	    grep -q 'rawping \[OPTION \.\.\.\] HOST \.\.\.'
	run rawping --version
	assert_status_msg 0 "^rawping \(ipcutils\) "
}

@test "rawping: -q prints the header and statistics only; -w ends the run" {
	require_root
	run rawping -q -i 0.1 -w 0.5 127.0.0.1
	assert_status_msg 0
	[[ ${#lines[@]} -eq 4 && ${lines[0]} == PING* ]]
	local sent
	sent=$(sed -nE 's/^([0-9]+) packets transmitted.*/\1/p' <<<"$output")
	((sent >= 2 && sent <= 6))
	# -c with -w waits for COUNT replies: a silent host fails at the deadline.
	d_rule icmp type echo-reply drop
	run nsx C rawping -q -c 1 -w 0.5 -i 0.1 10.77.3.2
	assert_status_msg 1
	[[ ! $(received) -gt 0 ]]
}

@test "rawping: SIGINT ends the run with statistics" {
	require_root
	make_tmp
	"${DEFAULT_SIGNALS[@]}" rawping -i 0.1 127.0.0.1 >"$tmp/out" &
	local pid=$!
	cleanup_kill "$pid"
	wait_until grep -q 'icmp_seq=2 ' "$tmp/out"
	kill -INT "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[[ $rc -eq 0 ]]
	grep -q -- '--- 127.0.0.1 ping statistics ---' "$tmp/out"
}

@test "rawping: INT, TERM or HUP ignored at start (nohup, a script's & job) stays ignored" {
	require_root
	make_tmp
	local sig pid rc
	for sig in HUP INT TERM; do
		bash -c "trap '' $sig; exec rawping -c 3 -i 0.3 127.0.0.1" \
		    >"$tmp/out.$sig" &
		pid=$! rc=0
		cleanup_kill "$pid"
		wait_until grep -q 'icmp_seq=1 ' "$tmp/out.$sig"
		kill -"$sig" "$pid"
		wait "$pid" || rc=$?
		[[ $rc -eq 0 ]] || { echo "SIG$sig: status $rc" >&2; return 1; }
		grep -q '^3 packets transmitted, 3 received' "$tmp/out.$sig" ||
			{ echo "SIG$sig ended the run early" >&2; return 1; }
	done
}

# Whether process $1 is blocked in write(2).
in_write() {
	local nr
	read -r nr _ 2>/dev/null <"/proc/$1/syscall" && [[ $nr == 1 ]]
}

@test "rawping: SIGINT while a slow reader holds output back loses nothing" {
	require_root
	make_tmp
	mkfifo "$tmp/fifo"
	"${DEFAULT_SIGNALS[@]}" rawping -i 0 127.0.0.1 >"$tmp/fifo" 2>"$tmp/err" &
	local pid=$! rfd rc=0
	cleanup_kill "$pid"
	exec {rfd}<"$tmp/fifo"
	# The pipe fills: rawping waits in write(2) when the signals come, a
	# second one (^C twice, or TERM after INT) when nothing of the write
	# got through, so the write must be restarted, not fail with EINTR.
	wait_until 10 in_write "$pid"
	kill -INT "$pid"
	wait_until in_write "$pid"
	kill -TERM "$pid"
	wait_until in_write "$pid"
	cat <&"$rfd" >"$tmp/out"
	exec {rfd}<&-
	wait "$pid" || rc=$?
	[[ $rc -eq 0 && ! -s $tmp/err ]] || { cat "$tmp/err"; false; }
	grep -q -- '--- 127.0.0.1 ping statistics ---' "$tmp/out"
}

@test "rawping: between probes, INT, TERM, HUP end the run at once with statistics" {
	require_root
	make_tmp
	local sig pid
	for sig in INT TERM HUP; do
		"${DEFAULT_SIGNALS[@]}" rawping -i 60 127.0.0.1 >"$tmp/out" &
		pid=$!
		cleanup_kill "$pid"
		wait_until grep -q 'icmp_seq=1 ' "$tmp/out"
		wait_until blocked "$pid"
		assert_ends_on "$pid" "$sig" 0
		grep -q '^1 packets transmitted, 1 received' "$tmp/out"
	done
}

@test "rawping: between probes it uses no CPU" {
	require_root
	make_tmp
	rawping -i 60 127.0.0.1 ::1 >"$tmp/out" &
	local pid=$!
	cleanup_kill "$pid"
	wait_until grep -q 'icmp_seq=1 .*' "$tmp/out"
	wait_until blocked "$pid"
	idle "$pid"
}

@test "rawping: write errors: /dev/full and closed stdout exit 1" {
	require_root
	run bash -c 'rawping -c 1 127.0.0.1 >/dev/full'
	assert_status_msg 1 "rawping: write error: No space left on device"
	run bash -c 'rawping -c 1 127.0.0.1 >&-'
	assert_status_msg 1 "rawping: write error"
}

@test "rawping: short writes, a full send buffer and EINTR are survived" {
	require_root
	run strace -f -o /dev/null -e inject=write:retval=7:when=1 \
	    rawping -c 2 -i 0.2 127.0.0.1
	assert_status_msg 0
	# strace skips the write and reports 7 bytes done: only those are lost.
	[[ ${lines[0]} == "7.0.0.1 (127.0.0.1) 56(84) bytes of data." ]]
	[[ $output == *"2 packets transmitted, 2 received, 0% packet loss"* ]]
	run strace -f -o /dev/null -e inject=sendto:error=ENOBUFS:when=1 \
	    -e inject=recvmmsg:error=EINTR:when=1 rawping -c 2 -i 0.2 127.0.0.1
	assert_status_msg 0
	[[ $output == *"2 packets transmitted, 2 received, 0% packet loss"* ]]
}

@test "rawping: the man page examples work" {
	require_root
	local ex
	ex=$(man_example 1)
	[[ $ex == *"rawping -q -c 1"* ]]
	run bash -c "$ex"
	assert_status_msg 0
	[[ $output == up ]]
	ex=$(man_example 2)
	run bash -c "$ex"
	assert_status_msg 0
	[[ $(grep -c '5 received, 0% packet loss' <<<"$output") -eq 2 ]]
	ex=$(man_example 3)
	[[ $ex == *jq* ]]
	run bash -c "$ex"
	assert_status_msg 0
	[[ ${lines[0]} =~ ^127\.0\.0\.1\ [0-9.]+$ && ${lines[1]} =~ ^::1\ [0-9.]+$ ]]
	make_tmp
	cp "$(command -v rawping)" "$tmp/rawping"
	ex=$(man_example 4)
	run bash -c "${ex//\/usr\/local\/bin\/rawping/$tmp/rawping}"
	assert_status_msg 0 "cap_net_raw[=+]ep"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$tmp/rawping" -c 1 127.0.0.1
	assert_status_msg 0
}
