#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Tests of sockcat(1): addresses, the stream relay and its EOF table,
# records, listeners (-k, -e, -m), timeouts, probing, UNIX path safety,
# interop with socat, nc (OpenBSD) and ncat, and two hosts in namespaces.

load lib/common
load lib/waiting

setup() {
	T=$BATS_TEST_TMPDIR
	NAME=$(uniq_name sockcat)
}

# Start "$@" (a sockcat -v -l ...) in the background, stderr to $T/l.err;
# set LPID and PORT (or leave PORT empty for UNIX addresses).
start_listener() {
	# <&0: an & job would otherwise read /dev/null, not our stdin.
	"$@" 2>"$T/l.err" <&0 &
	LPID=$!
	cleanup_kill "$LPID"
	wait_until grep -q 'listening on' "$T/l.err"
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$T/l.err")
}

# The local port a process PID listens on (for peers that do not say).
port_of() {
	local proto=$1 pid=$2
	ss -Hln"$proto"p 2>/dev/null |
		sed -n "/pid=$pid,/s/.*:\([0-9][0-9]*\) .*/\1/p" | head -n1
}

# Wait for process PID to end (deadline), then reap it and set WSTATUS.
wait_pid() {
	wait_until 10 eval "! kill -0 $1 2>/dev/null || [[ \$(ps -o stat= -p $1) == Z* ]]"
	wait "$1" && WSTATUS=0 || WSTATUS=$?
}

sum() { sha256sum "$@" | cut -d' ' -f1; }

# Start an odd peer of tests/lib/rstpeer.py (MODE ARG...) in the
# background; wait until it is ready and set PEER to its port (or
# "ready").
start_peer() {
	local mode=$1
	shift
	rm -f "$T/peer.port"
	python3 "$IPCU_SRCDIR/tests/lib/rstpeer.py" "$mode" "$@" "$T/peer.port" \
		>"$T/peer.out" &
	cleanup_kill $!
	wait_until test -s "$T/peer.port"
	PEER=$(cat "$T/peer.port")
}

# --- Usage, help, bad input ------------------------------------------------

@test "--help shows the synopsis and the options" {
	run sockcat --help
	assert_status_msg 0 'Usage: sockcat \[OPTION\]\.\.\. ADDRESS'
	[[ $output == *--listen* && $output == *--max-conns* &&
	   $output == *--idle-timeout* && $output == *--sh-exec* ]]
}

@test "--version prints the package version" {
	run sockcat --version
	assert_status_msg 0 "^sockcat \\(ipcutils\\) ${IPCU_VERSION:-}"
}

@test "unknown option and bad values: exit 2 with a message" {
	run sockcat --bogus tcp:127.0.0.1:1
	assert_status_msg 2 "sockcat: --bogus: unknown option"
	[[ $output == *"Try 'sockcat --help'"* ]]
	run sockcat -w soon tcp:127.0.0.1:1
	assert_status_msg 2 "-w: invalid duration: 'soon'"
	run sockcat -l -k -e cat -m 0 tcp::0
	assert_status_msg 2 "-m: '0' is out of range"
	run sockcat
	assert_status_msg 2 'missing ADDRESS'
	run sockcat localhost 8000
	assert_status_msg 2 "extra operand '8000': the port goes in ADDRESS, as localhost:8000"
	run sockcat localhost:8000 more
	assert_status_msg 2 "sockcat: extra operand 'more'"
	[[ $output != *"port goes"* ]]
}

@test "a port alone, as nc takes it: the message gives the address to write" {
	run sockcat -l 8000
	assert_status_msg 2 "^sockcat: 8000: a port alone is not an address; listen on tcp::8000 \\(every local address\\)"$'\n'"Try 'sockcat --help'"
	run sockcat -l -k -e cat 8000
	assert_status_msg 2 "listen on tcp::8000"
	run sockcat 8000
	assert_status_msg 2 "^sockcat: 8000: a port alone is not an address; connect to localhost:8000"
	# What the messages suggest is an address.
	run timeout 0.5 sockcat -l tcp::0 </dev/null
	[[ $status -eq 124 ]] || { echo "$status: $output"; return 1; }
	run sockcat -z localhost:1
	[[ $status -eq 1 ]] || { echo "$status: $output"; return 1; }
	# Any other word keeps the general message.
	run sockcat -l bogus
	assert_status_msg 2 "^sockcat: bogus: not an address \\(KIND:"
	[[ $output != *"a port alone"* ]]
}

@test "bad addresses: kind, port 0, port 70000, no port, brackets, long path" {
	run sockcat sctp:host:80
	assert_status_msg 2 "sockcat: sctp:host:80: unknown address kind"
	run sockcat tcp:127.0.0.1:0
	assert_status_msg 2 "cannot connect to port 0"
	run sockcat tcp:127.0.0.1:70000
	assert_status_msg 2 "tcp:127.0.0.1:70000: port out of range"
	run sockcat tcp:localhost
	assert_status_msg 2 "tcp:localhost: missing port"
	run sockcat tcp:::1:80
	assert_status_msg 2 "needs brackets"
	run sockcat "unix:/tmp/$(printf 'x%.0s' {1..120})"
	assert_status_msg 2 "socket path too long"
	run sockcat tcp:127.0.0.1:8000-8010
	assert_status_msg 2 "a port range is for -z only"
}

@test "-l with -z is refused: exit 2, nothing bound" {
	run sockcat -l -z "unix:$T/$NAME.sock"
	assert_status_msg 2 "-l and -z exclude each other"
	[[ ! -e $T/$NAME.sock ]]
}

@test "an unresolvable host: exit 1, the address named" {
	run sockcat tcp:no-such-host.invalid:80 </dev/null
	assert_status_msg 1 "sockcat: tcp:no-such-host.invalid:80: "
}

@test "connection refused: exit 1, the address named" {
	start_listener sockcat -v -l tcp:127.0.0.1:0
	local port=$PORT
	kill "$LPID"; wait "$LPID" || true
	run sockcat "tcp:127.0.0.1:$port" </dev/null
	assert_status_msg 1 "sockcat: tcp:127.0.0.1:$port: Connection refused"
}

@test "a missing UNIX socket: exit 1, the path named" {
	run sockcat "unix:$T/$NAME.none" </dev/null
	assert_status_msg 1 "unix:$T/$NAME.none: No such file or directory"
}

# --- The stream relay -------------------------------------------------------

@test "TCP both ways with exact output, and -v counts" {
	printf 'from-server\n' >"$T/s.in"
	start_listener sockcat -v -l tcp:127.0.0.1:0 <"$T/s.in" >"$T/s.out"
	run sockcat -v "127.0.0.1:$PORT" <<<"from-client"
	[[ $status -eq 0 ]]
	[[ $output == *"from-server"* ]]
	[[ $output == *"connected to tcp:127.0.0.1:$PORT"* ]]
	[[ $output == *"sent 12 bytes, received 12 bytes"* ]]
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 && $(cat "$T/s.out") == from-client ]]
	grep -q 'connection from tcp:127.0.0.1:' "$T/l.err"
}

@test "all 256 byte values and random data survive, both directions at once" {
	for i in $(seq 0 255); do printf "\\$(printf %o "$i")"; done >"$T/bytes"
	head -c 3M /dev/urandom >>"$T/bytes"
	head -c 2M /dev/urandom >"$T/back"
	start_listener sockcat -v -l tcp:127.0.0.1:0 <"$T/back" >"$T/got"
	sockcat "127.0.0.1:$PORT" <"$T/bytes" >"$T/gotback"
	wait_pid "$LPID"
	[[ $(sum "$T/got") == $(sum "$T/bytes") ]]
	[[ $(sum "$T/gotback") == $(sum "$T/back") ]]
}

@test "64 MiB each way at the same time through pipes (splice) does not deadlock" {
	head -c 64M /dev/urandom >"$T/a"
	head -c 64M /dev/urandom >"$T/b"
	start_listener sockcat -v -l tcp:127.0.0.1:0 < <(cat "$T/a") \
		> >(cat >"$T/la")
	cat "$T/b" | timeout 60 sockcat "127.0.0.1:$PORT" | cat >"$T/cb"
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 ]]
	wait_until 10 eval "[[ \$(stat -c %s '$T/la') -eq 67108864 ]]"
	[[ $(sum "$T/cb") == $(sum "$T/a") && $(sum "$T/la") == $(sum "$T/b") ]]
}

@test "UNIX stream, abstract namespace, and IPv6 literals relay" {
	start_listener sockcat -v -l "unix:$T/$NAME.sock" </dev/null >"$T/u.out"
	echo unix-data | sockcat "unix:$T/$NAME.sock"
	wait_pid "$LPID"
	[[ $(cat "$T/u.out") == unix-data ]]
	[[ ! -e $T/$NAME.sock ]]
	start_listener sockcat -v -l "unix:@$NAME" </dev/null >"$T/a.out"
	grep -q "listening on unix:@$NAME" "$T/l.err"
	echo abstract-data | sockcat "unix:@$NAME"
	wait_pid "$LPID"
	[[ $(cat "$T/a.out") == abstract-data ]]
	if [[ -e /proc/net/if_inet6 ]]; then
		start_listener sockcat -v -l 'tcp6:[::1]:0' </dev/null >"$T/6.out"
		echo six | sockcat "[::1]:$PORT"
		wait_pid "$LPID"
		[[ $(cat "$T/6.out") == six ]]
	fi
}

@test "tcp::PORT listens dual-stack; -4 and tcp4 connect over IPv4" {
	start_listener sockcat -v -l tcp::0 </dev/null >"$T/d.out"
	grep -q 'listening on tcp:\[::\]:' "$T/l.err"
	echo v4 | sockcat -4 "localhost:$PORT"
	wait_pid "$LPID"
	[[ $(cat "$T/d.out") == v4 ]]
	grep -q 'connection from tcp:\[::ffff:127.0.0.1\]:' "$T/l.err"
}

# --- The EOF table of sockcat(1), one test per row --------------------------

@test "EOF 1: stdin ends -> sending side shut down, the reply after it is read" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 --sh-exec 'wc -c'
	run timeout 10 sockcat "127.0.0.1:$PORT" <<<"hello"
	[[ $status -eq 0 && $output =~ ^\ *6$ ]]
}

@test "EOF 2: a reply that comes 1 s after our EOF is not lost" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 \
		--sh-exec 'cat >/dev/null; sleep 1; echo late reply'
	run timeout 10 sockcat "127.0.0.1:$PORT" <<<"question"
	[[ $status -eq 0 && $output == "late reply" ]]
}

@test "EOF 3: the peer sends and closes while stdin is open -> its answer at once, input to its end" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 --sh-exec 'echo bye'
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	sockcat "127.0.0.1:$PORT" <"$T/fifo" >"$T/out" 7>&- &
	local pid=$!
	cleanup_kill "$pid"
	wait_until grep -qx bye "$T/out"
	# The peer may only have half-closed: sockcat waits for its input...
	wait_until asleep "$pid"
	kill -0 "$pid"
	# ... and once that ends (nothing more to send), it is done: 0.
	exec 7>&-
	wait_pid "$pid"
	[[ $WSTATUS -eq 0 && $(cat "$T/out") == bye ]]
}

@test "EOF 4: a listener with empty stdin receives a client that sends late" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 </dev/null >"$T/late"
	(sleep 0.5; echo late data) | timeout 10 sockcat "127.0.0.1:$PORT"
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 && $(cat "$T/late") == "late data" ]]
	# The same with nc (OpenBSD), which never half-closes.
	start_listener sockcat -v -l tcp:127.0.0.1:0 </dev/null >"$T/late2"
	(sleep 0.5; echo from nc) | timeout 10 nc.openbsd -N 127.0.0.1 "$PORT"
	wait_pid "$LPID"
	[[ $(cat "$T/late2") == "from nc" ]]
}

@test "EOF 4b: the peer half-closes while our input has data: all of it is sent" {
	head -c 5M /dev/urandom >"$T/up"
	start_listener sockcat -v -l tcp:127.0.0.1:0 <<<"short answer" >"$T/up.out"
	run timeout 20 sockcat "127.0.0.1:$PORT" <"$T/up"
	[[ $status -eq 0 && $output == "short answer" ]]
	wait_pid "$LPID"
	[[ $(sum "$T/up.out") == $(sum "$T/up") ]]
}

@test "EOF 4c: the peer closes for good while our input has data: exit 1" {
	# The peer reads one line and closes for good (no graceful drain).
	start_peer oneline
	run timeout 20 bash -c "{ echo line1; head -c 64M /dev/zero; } | sockcat 127.0.0.1:$PEER"
	assert_status_msg 1 "sockcat: tcp:127.0.0.1:$PEER: (Connection reset by peer|Broken pipe)"
}

@test "EOF 5: UDP to a closed port -> exit 1, Connection refused" {
	start_listener sockcat -v -l udp:127.0.0.1:0 </dev/null
	local port=$PORT
	kill "$LPID"; wait "$LPID" || true
	run timeout 10 sockcat "udp:127.0.0.1:$port" <<<"anyone"
	assert_status_msg 1 "udp:127.0.0.1:$port: Connection refused"
}

@test "EOF 6: a peer that stays silent: -w ends the tool with 124" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 --sh-exec 'sleep 5'
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	run timeout 10 sockcat -w 0.3 "127.0.0.1:$PORT" <"$T/fifo"
	exec 7>&-
	assert_status_msg 124 "idle for 0.3; closing"
}

@test "EOF 7: -k -w closes only the idle connection, the listener goes on" {
	start_listener sockcat -v -k -w 0.3 -l tcp:127.0.0.1:0 </dev/null \
		>"$T/k.out"
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	sockcat "127.0.0.1:$PORT" <"$T/fifo" 7>&- &
	local pid=$!
	cleanup_kill "$pid"
	wait_until grep -q 'idle for 0.3; closed' "$T/l.err"
	# The client's input ends with nothing sent: it is done, status 0.
	exec 7>&-
	wait_pid "$pid"
	[[ $WSTATUS -eq 0 ]]
	echo second | sockcat "127.0.0.1:$PORT"
	wait_until grep -qx second "$T/k.out"
	kill -0 "$LPID"
}

@test "EOF 7b: -k -e cat -w 1 closes only the idle connection" {
	start_listener sockcat -v -k -e cat -w 1 -l tcp:127.0.0.1:0 </dev/null
	# The active client speaks every 0.2 s for about 2.4 s.
	(for i in $(seq 12); do echo "line $i"; sleep 0.2; done) |
		sockcat "127.0.0.1:$PORT" >"$T/active.out" &
	APID=$!
	cleanup_kill "$APID"
	# The idle client (bash's own socket) is answered, then says nothing:
	# the server must close it, so reading it to its end finishes.
	exec 8<>"/dev/tcp/127.0.0.1/$PORT"
	echo hello >&8
	read -r -t 5 line <&8
	[[ $line == hello ]]
	run timeout 5 cat <&8
	exec 8<&-
	[[ $status -eq 0 && -z $output ]]
	wait_until grep -q 'idle for 1; closed' "$T/l.err"
	# ... while the active one was still being served.
	kill -0 "$APID"
	wait_pid "$APID"
	[[ $WSTATUS -eq 0 ]]
	[[ $(cat "$T/active.out") == "$(seq 12 | sed 's/^/line /')" ]]
	# The listener goes on accepting.
	[[ $(echo third | sockcat "127.0.0.1:$PORT") == third ]]
	kill -0 "$LPID"
}

@test "EOF 7c: -w -e watches a client's COMMAND too (and -l -e without -k)" {
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	start_listener sockcat -v -l tcp:127.0.0.1:0 <"$T/fifo" 7>&-
	run timeout 10 sockcat -w 0.3 -e cat "127.0.0.1:$PORT"
	assert_status_msg 124 "idle for 0.3; closing"
	# The listener has its client's end; its own input ends now.
	exec 7>&-
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 ]]
	# A one-shot -e listener: its idle connection ends it with 124.
	start_listener sockcat -v -w 0.3 -e cat -l tcp:127.0.0.1:0
	exec 8<>"/dev/tcp/127.0.0.1/$PORT"
	wait_pid "$LPID"
	exec 8<&-
	[[ $WSTATUS -eq 124 ]]
	grep -q 'idle for 0.3; closing' "$T/l.err"
}

@test "EOF 8: the reader of stdout goes away -> SIGPIPE, as a shell expects" {
	head -c 8M /dev/zero >"$T/z"
	start_listener sockcat -v -l tcp:127.0.0.1:0 <"$T/z"
	run bash -c "sockcat 127.0.0.1:$PORT </dev/null | head -c 10 >/dev/null; echo \${PIPESTATUS[0]}"
	[[ $output == 141 ]]
}

@test "EOF 9: stdout to /dev/full -> write error, exit 1" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 --sh-exec 'echo data'
	run bash -c "sockcat 127.0.0.1:$PORT </dev/null >/dev/full"
	assert_status_msg 1 'sockcat: write error: No space left on device'
}

@test "EOF 10: a closed stdin or stdout is an error: exit 1 before anything is sent" {
	# The listener counts connections: none may come.
	start_listener sockcat -v -k -l tcp:127.0.0.1:0 </dev/null >"$T/got"
	run bash -c "echo data | sockcat 127.0.0.1:$PORT >&-"
	assert_status_msg 1 '^sockcat: standard output: Bad file descriptor$'
	run bash -c "sockcat 127.0.0.1:$PORT <&-"
	assert_status_msg 1 '^sockcat: standard input: Bad file descriptor$'
	run bash -c "sockcat -l tcp:127.0.0.1:0 <&-"
	assert_status_msg 1 'standard input: Bad file descriptor'
	run bash -c "sockcat -z tcp:127.0.0.1:$PORT-$((PORT + 1)) >&-"
	assert_status_msg 1 'standard output: Bad file descriptor'
	[[ ! -s $T/got ]]
	run grep -c 'connection from' "$T/l.err"
	[[ $output == 0 ]]
	# -e and a single -z use neither: closed is fine there.
	run sockcat -z "127.0.0.1:$PORT" <&- >&-
	[[ $status -eq 0 ]]
}

# --- End of input: one rule, whatever the timing; peers gone for good --------

@test "a peer gone for good while input flows: exit 1 naming it, also when input ends right after" {
	# The peer reads one line and closes; line2 comes later, and input
	# ends right after it: only the reset that line2 draws says it was
	# lost, so success waits until the peer's stack has taken everything.
	# (ncat, socat and nc all exit 0 here.)
	start_peer oneline
	run timeout 10 bash -c "(echo line1; sleep 0.5; echo line2) | sockcat 127.0.0.1:$PEER"
	assert_status_msg 1 "^sockcat: tcp:127.0.0.1:$PEER: (Connection reset by peer|Broken pipe)$"
	# A peer that only half-closed takes it all: exit 0.
	start_peer oneline half
	run timeout 10 bash -c "(echo line1; sleep 0.5; echo line2) | sockcat 127.0.0.1:$PEER"
	[[ $status -eq 0 ]]
	wait_until grep -qx line2 "$T/peer.out"
}

@test "the EOF rule does not depend on timing: input after the peer's end is always sent" {
	# The peer says hello and ends; our input comes at once or later.
	# A peer that half-closed gets it (0), one gone for good refuses it
	# (1), the same at every delay.
	local d
	for d in 0 0.3 1; do
		start_peer hello half
		run timeout 10 bash -c "(sleep $d; echo late) | sockcat 127.0.0.1:$PEER"
		[[ $status -eq 0 && $output == hello ]] || { echo "half, delay $d: $status $output" >&2; return 1; }
		wait_until grep -qx late "$T/peer.out"
		start_peer hello
		run timeout 10 bash -c "(sleep $d; echo late) | sockcat 127.0.0.1:$PEER"
		assert_status_msg 1 "sockcat: tcp:127.0.0.1:$PEER: (Connection reset by peer|Broken pipe)"
	done
	# The rule has no exceptions in the code: no terminal test, no
	# "input happens to be ready now".
	run grep -nE 'isatty|readable_now' "$IPCU_SRCDIR/tools/sockcat/relay.c" "$IPCU_SRCDIR/tools/sockcat/dgram.c"
	[[ $status -eq 1 ]]
}

@test "unix-seqpacket: a peer gone while input is silent costs no CPU; the next record: exit 1" {
	start_peer seqone "$T/$NAME.sp"
	(echo a; sleep 3; echo b) | sockcat -v "unix-seqpacket:$T/$NAME.sp" 2>"$T/c.err" &
	local pid=$!
	cleanup_kill "$pid"
	wait_until grep -qx closed "$T/peer.out"
	wait_until asleep "$pid"
	idle "$pid"
	wait_pid "$pid"
	[[ $WSTATUS -eq 1 ]]
	grep -q "^sockcat: unix-seqpacket:$T/$NAME.sp: Broken pipe$" "$T/c.err"
}

# --- -e: the graceful close after COMMAND ------------------------------------

# An HTTP service that answers once it has the request's first line and
# exits with the rest unread (sh reads a line byte by byte).
HTTP_ANSWER='read -r line; printf "HTTP/1.0 200 OK\r\n\r\n"; seq 3000'

# http_rounds N CLIENT...: run CLIENT N times in a row; print how many
# exited 0 with the whole answer.
http_rounds() {
	local n=$1 ok=0 i
	shift
	seq 3000 >"$T/want"
	for ((i = 0; i < n; i++)); do
		if "$@" >"$T/got" 2>>"$T/client.err" && cmp -s "$T/got" "$T/want"; then
			ok=$((ok + 1))
		fi
	done
	echo "$ok"
}

@test "-e COMMAND exits with the request unread: curl and wget get 100 whole answers in a row, with and without -w" {
	local w
	for w in "" "-w 10"; do
		# shellcheck disable=SC2086
		start_listener sockcat -v -k $w -l tcp:127.0.0.1:0 --sh-exec "$HTTP_ANSWER"
		run http_rounds 100 curl -sS --max-time 10 "http://127.0.0.1:$PORT/"
		[[ $output == 100 ]] || { echo "curl, '$w': $output of 100" >&2; tail -3 "$T/client.err" >&2; return 1; }
		run http_rounds 100 wget -q -O - --tries=1 --timeout=10 "http://127.0.0.1:$PORT/"
		[[ $output == 100 ]] || { echo "wget, '$w': $output of 100" >&2; tail -3 "$T/client.err" >&2; return 1; }
		kill "$LPID"
		wait "$LPID" || true
	done
}

@test "-e over UNIX: curl --unix-socket gets 100 whole answers in a row, with and without -w" {
	local w s=$T/$NAME.http
	for w in "" "-w 10"; do
		# shellcheck disable=SC2086
		start_listener sockcat -v -k $w -l "unix:$s" --sh-exec "$HTTP_ANSWER"
		run http_rounds 100 curl -sS --max-time 10 --unix-socket "$s" http://localhost/
		[[ $output == 100 ]] || { echo "'$w': $output of 100" >&2; tail -3 "$T/client.err" >&2; return 1; }
		kill "$LPID"
		wait "$LPID" || true
	done
}

@test "-e graceful close: ncat -k --sh-exec and socat EXEC give curl the same 100 of 100" {
	local pid port
	ncat -k -l 127.0.0.1 0 --sh-exec "$HTTP_ANSWER" </dev/null &
	pid=$!
	cleanup_kill "$pid"
	wait_until eval "[[ -n \$(port_of t $pid) ]]"
	port=$(port_of t "$pid")
	run http_rounds 100 curl -sS --max-time 10 "http://127.0.0.1:$port/"
	[[ $output == 100 ]]
	# socat reads quotes and backslashes in an address: a script then.
	printf '%s\n' "$HTTP_ANSWER" >"$T/answer.sh"
	socat "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork" \
		"EXEC:sh $T/answer.sh" </dev/null &
	pid=$!
	cleanup_kill "$pid"
	wait_until eval "[[ -n \$(port_of t $pid) ]]"
	port=$(port_of t "$pid")
	run http_rounds 100 curl -sS --max-time 10 "http://127.0.0.1:$port/"
	[[ $output == 100 ]]
}

@test "-e graceful close: a one-shot listener too, and a peer that never closes is cut off at 1 s" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 --sh-exec "$HTTP_ANSWER"
	run http_rounds 1 curl -sS --max-time 10 "http://127.0.0.1:$PORT/"
	[[ $output == 1 ]]
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 ]]
	# A client that keeps its end open after the answer: the listener
	# lingers at most 1 s (plus slack), then closes; its status is the
	# COMMAND's.
	start_listener sockcat -v -l tcp:127.0.0.1:0 --sh-exec 'echo answer; exit 3'
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	sockcat "127.0.0.1:$PORT" <"$T/fifo" >"$T/out" 7>&- &
	cleanup_kill $!
	wait_until grep -qx answer "$T/out"
	wait_until 4 eval "! kill -0 $LPID 2>/dev/null || [[ \$(ps -o stat= -p $LPID) == Z* ]]"
	exec 7>&-
	wait "$LPID" && WSTATUS=0 || WSTATUS=$?
	[[ $WSTATUS -eq 3 ]]
}

# --- -k: one connection's failure ends only that connection -----------------

@test "-k: a client that resets ends only its connection, named as accepted; the next is served (as ncat -k)" {
	start_listener sockcat -v -k -l tcp:127.0.0.1:0 </dev/null >"$T/k.out"
	python3 "$IPCU_SRCDIR/tests/lib/rstpeer.py" client "$PORT" 300000
	wait_until grep -q 'Connection reset by peer' "$T/l.err"
	grep -qE "^sockcat: tcp:127\.0\.0\.1:[0-9]+: Connection reset by peer$" "$T/l.err"
	run grep -c 'tcp:?' "$T/l.err"
	[[ $output == 0 ]]
	echo next | sockcat "127.0.0.1:$PORT"
	wait_until eval "[[ \$(tail -c 5 '$T/k.out') == next ]]"
	kill -0 "$LPID"
	# A client that resets while it waits in the backlog (getpeername(2)
	# fails once it is accepted) is still named, by accept(2)'s address.
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	sockcat "127.0.0.1:$PORT" <"$T/fifo" 7>&- &
	local hold=$!
	cleanup_kill "$hold"
	wait_until eval "[[ \$(grep -c 'connection from' '$T/l.err') -eq 3 ]]"
	local bport
	bport=$(python3 -c 'import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print(s.getsockname()[1])
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()' "$PORT")
	exec 7>&-
	wait_pid "$hold"
	wait_until grep -q "connection from tcp:127.0.0.1:$bport\$" "$T/l.err"
	run grep -c 'tcp:?' "$T/l.err"
	[[ $output == 0 ]]
	kill -0 "$LPID"
	# ncat -k does the same.
	local pid port
	ncat -k -l 127.0.0.1 0 </dev/null >"$T/n.out" &
	pid=$!
	cleanup_kill "$pid"
	wait_until eval "[[ -n \$(port_of t $pid) ]]"
	port=$(port_of t "$pid")
	python3 "$IPCU_SRCDIR/tests/lib/rstpeer.py" client "$port" 300000
	echo next | sockcat "127.0.0.1:$port"
	wait_until eval "[[ \$(tail -c 5 '$T/n.out') == next ]]"
	kill -0 "$pid"
}

@test "-k: a client that leaves while stdin streams ends only its connection; the next gets what follows" {
	mkfifo "$T/ticks"
	(for i in $(seq 100); do echo "tick$i"; sleep 0.1; done) >"$T/ticks" &
	cleanup_kill $!
	start_listener sockcat -v -k -l tcp:127.0.0.1:0 <"$T/ticks"
	# The first client reads two lines and leaves.
	local a b
	exec 8<>"/dev/tcp/127.0.0.1/$PORT"
	read -r a <&8
	read -r b <&8
	exec 8<&-
	[[ $a == tick1 && $b == tick2 ]]
	wait_until grep -qE "^sockcat: tcp:127\.0\.0\.1:[0-9]+: (Broken pipe|Connection reset by peer)$" "$T/l.err"
	# The listener goes on: the next client gets the ticks that follow,
	# in order.
	run timeout 10 bash -c "sockcat 127.0.0.1:$PORT </dev/null | head -n 3"
	[[ $status -eq 0 && ${#lines[@]} -eq 3 ]]
	local n=${lines[0]#tick}
	((n > 2))
	[[ ${lines[1]} == "tick$((n + 1))" && ${lines[2]} == "tick$((n + 2))" ]]
	kill -0 "$LPID"
}

@test "EAGAIN injected on writes and sends loses nothing" {

	# LeakSanitizer cannot run under ptrace (sanitizer builds).
	export ASAN_OPTIONS=detect_leaks=0
	head -c 300000 /dev/urandom >"$T/r"
	start_listener sockcat -v -l tcp:127.0.0.1:0 <"$T/r"
	strace -f -o /dev/null -e trace=write \
		-e inject=write:error=EAGAIN:when=2+2 \
		sockcat "127.0.0.1:$PORT" </dev/null >"$T/r.out"
	[[ $(sum "$T/r.out") == $(sum "$T/r") ]]
	start_listener sockcat -v -l tcp:127.0.0.1:0 >"$T/r2.out"
	strace -f -o /dev/null -e trace=sendto \
		-e inject=sendto:error=EAGAIN:when=1+2 \
		sockcat "127.0.0.1:$PORT" <"$T/r"
	wait_pid "$LPID"
	[[ $(sum "$T/r2.out") == $(sum "$T/r") ]]
}

# --- Records ----------------------------------------------------------------

@test "UDP: one line is one datagram, the listener answers its last peer" {
	start_listener sockcat -v -l udp:127.0.0.1:0 <<<"answer" >"$T/u.out"
	run timeout 10 sockcat -w 1 "udp:127.0.0.1:$PORT" < <(printf 'one\n\nthree')
	[[ $status -eq 0 && $output == answer ]]
	wait_until eval "[[ \$(wc -l <'$T/u.out') -eq 3 ]]"
	[[ $(cat "$T/u.out") == $'one\n\nthree' ]]
}

@test "unix-dgram with -0 carries NUL-terminated records both ways" {
	start_listener sockcat -v -0 -l "unix-dgram:$T/$NAME.dg" \
		< <(printf 'r1\0') >"$T/d.out"
	run timeout 10 sockcat -0 -w 1 "unix-dgram:$T/$NAME.dg" \
		< <(printf 'a b\0c\nd\0')
	[[ $status -eq 0 && $output == r1 ]]
	wait_until eval "[[ \$(stat -c %s '$T/d.out') -eq 8 ]]"
	[[ $(od -An -c "$T/d.out" | tr -s ' ') == " a b \\0 c \\n d \\0" ]]
}

@test "unix-seqpacket carries records and ends like a stream" {
	start_listener sockcat -v -l "unix-seqpacket:$T/$NAME.sp" \
		< <(printf 'x\nyy\n') >"$T/s.out"
	run timeout 10 sockcat "unix-seqpacket:$T/$NAME.sp" <<<"hello"
	[[ $status -eq 0 && $output == $'x\nyy' ]]
	wait_pid "$LPID"
	[[ $(cat "$T/s.out") == hello ]]
}

@test "a record too large for a datagram is an error naming it" {
	start_listener sockcat -v -l udp:127.0.0.1:0 </dev/null
	head -c 70000 /dev/zero | tr '\0' x >"$T/big"
	run sockcat -w 1 "udp:127.0.0.1:$PORT" <"$T/big"
	assert_status_msg 1 "record 1 is 70000 bytes, too large"
}

# --- Listeners: -k, -e, --sh-exec, -m ----------------------------------------

@test "-k without -e serves one connection after another" {
	start_listener sockcat -v -k -l tcp:127.0.0.1:0 </dev/null >"$T/k.out"
	for i in 1 2 3; do echo "client $i" | sockcat "127.0.0.1:$PORT"; done
	wait_until eval "[[ \$(wc -l <'$T/k.out') -eq 3 ]]"
	[[ $(cat "$T/k.out") == $'client 1\nclient 2\nclient 3' ]]
}

@test "-k -e serves concurrently up to -m, reaps children, leaves none" {
	start_listener sockcat -v -k -m 2 -l tcp:127.0.0.1:0 -e 'sleep 30'
	sockcat "127.0.0.1:$PORT" </dev/null >/dev/null &
	cleanup_kill $!
	sockcat "127.0.0.1:$PORT" </dev/null >/dev/null &
	cleanup_kill $!
	wait_until eval "[[ \$(pgrep -c -P $LPID) -eq 2 ]]"
	# A third client waits in the backlog: no third child.  Once it is in
	# the accept queue and the listener is asleep, a listener that polled
	# its socket would have woken and accepted it.
	sockcat "127.0.0.1:$PORT" </dev/null >/dev/null &
	cleanup_kill $!
	wait_until eval "[[ \$(ss -Hltn 'sport = :$PORT' | awk '{ print \$2 }') == 1 ]]"
	wait_until blocked "$LPID"
	[[ $(ss -Hltn "sport = :$PORT" | awk '{ print $2 }') == 1 ]]
	[[ $(pgrep -c -P "$LPID") -eq 2 ]]
	local kids
	kids=$(pgrep -P "$LPID" | tr '\n' ' ')
	kill -TERM "$LPID"
	wait_pid "$LPID"
	[[ $WSTATUS -eq 143 ]]
	for k in $kids; do
		kill -0 "$k" 2>/dev/null && return 1
	done
	return 0
}

@test "-e runs COMMAND without a shell, fds closed, the socket as stdio" {
	exec 8<"$BATS_TEST_FILENAME"
	start_listener sockcat -v -l tcp:127.0.0.1:0 --sh-exec 'ls /proc/self/fd'
	exec 8<&-
	run sockcat "127.0.0.1:$PORT" </dev/null
	# ls' own fds: 0-2 and the directory it reads; nothing inherited.
	[[ $status -eq 0 ]]
	[[ $(echo "$output" | sort -n | tr '\n' ' ') == "0 1 2 3 " ]]
	start_listener sockcat -v -l tcp:127.0.0.1:0 -e 'echo $HOME;*'
	run sockcat "127.0.0.1:$PORT" </dev/null
	[[ $output == '$HOME;*' ]]
}

@test "-e COMMAND not found: 127 from a one-shot listener" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 -e "$NAME-no-such-cmd"
	sockcat "127.0.0.1:$PORT" </dev/null || true
	wait_pid "$LPID"
	[[ $WSTATUS -eq 127 ]]
	grep -q "$NAME-no-such-cmd: No such file" "$T/l.err"
}

@test "-e children keep the signals ignored when sockcat started (nohup, & jobs), as semop does" {
	local w mask
	for w in "" "-w 10"; do
		start_listener bash -c "trap '' HUP INT PIPE; exec sockcat -v $w -l tcp:127.0.0.1:0 -e 'grep ^SigIgn /proc/self/status'"
		run sockcat "127.0.0.1:$PORT" </dev/null
		mask=$((16#${output##*[[:space:]]}))
		# HUP, INT, PIPE: bits 0, 1, 12.
		(( (mask & 0x1003) == 0x1003 )) || { echo "'$w': SigIgn $output" >&2; return 1; }
	done
	# Started with the defaults, the child has the defaults: sockcat's
	# own SIG_IGN of SIGPIPE is not passed on.
	start_listener python3 -c 'import os, signal, sys
for s in (signal.SIGHUP, signal.SIGINT, signal.SIGPIPE):
	signal.signal(s, signal.SIG_DFL)
os.execvp("sockcat", sys.argv[1:])' sockcat -v -l tcp:127.0.0.1:0 -e 'grep ^SigIgn /proc/self/status'
	run sockcat "127.0.0.1:$PORT" </dev/null
	mask=$((16#${output##*[[:space:]]}))
	(( (mask & 0x1003) == 0 ))
	# semop gives its COMMAND the same.
	local sem
	sem=/$(uniq_name sem)
	cleanup_add semop --unlink "$sem"
	run bash -c "trap '' HUP INT PIPE; exec semop -c '$sem' -- grep ^SigIgn /proc/self/status"
	mask=$((16#${output##*[[:space:]]}))
	(( (mask & 0x1003) == 0x1003 ))
}

# Exec "$@" (only ever run with &) with SIGINT and SIGQUIT back to their
# defaults: bash starts a background job with both ignored, and an
# ignored signal stays ignored.
with_int() {
	exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGQUIT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

# Whether process PID has a `sleep` among its descendants.
runs_sleep() {
	pstree -p "$1" | grep -q 'sleep('
}

@test "every waiting state: no CPU, and INT, TERM or HUP end sockcat at once with 128+N, children too" {
	start_peer fullbacklog "$T/$NAME.full"
	mkfifo "$T/in"
	exec 7<>"$T/in"
	local pids=() k e port
	# Connecting: a UNIX connect that waits on a full backlog.
	with_int sockcat "unix:$T/$NAME.full" <"$T/in" >/dev/null &
	pids+=($!)
	# Listening.
	with_int sockcat -v -l tcp:127.0.0.1:0 <"$T/in" 2>"$T/l1.err" &
	pids+=($!)
	# Relaying, both ends silent: the listener and its client.
	with_int sockcat -v -l tcp:127.0.0.1:0 <"$T/in" 2>"$T/l2.err" >/dev/null &
	pids+=($!)
	wait_until grep -q 'listening on' "$T/l2.err"
	port=$(grep -o '[0-9]*$' "$T/l2.err")
	with_int sockcat -v "127.0.0.1:$port" <"$T/in" 2>"$T/c2.err" >/dev/null &
	pids+=($!)
	# Draining after our end of input, the peer (a listener) silent.
	sockcat -v -l tcp:127.0.0.1:0 <"$T/in" 2>"$T/l3.err" >/dev/null &
	cleanup_kill $!
	wait_until grep -q 'listening on' "$T/l3.err"
	port=$(grep -o '[0-9]*$' "$T/l3.err")
	with_int sockcat -v "127.0.0.1:$port" </dev/null 2>"$T/c3.err" >/dev/null &
	pids+=($!)
	# -k -e, -e one-shot, and -k -w -e (a relaying fork), a child each.
	for e in "-k" "" "-k -w 30"; do
		# shellcheck disable=SC2086
		with_int sockcat -v $e -l tcp:127.0.0.1:0 -e 'sleep 30' 2>"$T/e.err" &
		pids+=($!)
		cleanup_kill "${pids[-1]}"
		wait_until grep -q 'listening on' "$T/e.err"
		port=$(grep -o '[0-9]*$' "$T/e.err")
		rm "$T/e.err"
		sockcat "127.0.0.1:$port" <"$T/in" >/dev/null &
		cleanup_kill $!
		wait_until runs_sleep "${pids[-1]}"
	done
	for k in "${pids[@]}"; do cleanup_kill "$k"; done
	wait_until grep -q 'listening on' "$T/l1.err"
	wait_until grep -q 'connected to' "$T/c2.err"
	wait_until grep -q 'connected to' "$T/c3.err"
	for k in "${pids[@]}"; do wait_until asleep "$k"; done
	# The relaying fork of -w waits too.
	local fork
	fork=$(pgrep -P "${pids[-1]}")
	wait_until asleep "$fork"
	idle "${pids[@]}" "$fork"
	# Each ends at once by its signal, and its children with it.
	local sigs=(INT TERM HUP) i=0 all
	all=$(for k in "${pids[@]: -3}"; do pstree -pT "$k"; done |
		grep -o '([0-9]*)' | tr -d '()')
	for k in "${pids[@]}"; do
		local sig=${sigs[i++ % 3]}
		# 500 ms: this test has always asked more than the 2 s default.
		assert_ends_on "$k" "$sig" $((128 + $(kill -l "$sig"))) 500
	done
	for k in $all; do
		wait_until eval "! kill -0 $k 2>/dev/null"
	done
	exec 7>&-
}

# --- Probing ------------------------------------------------------------------

@test "-z probes: exit 0 open, 1 closed; a range prints the open ports" {
	start_listener sockcat -v -k -l tcp:127.0.0.1:0 </dev/null
	run sockcat -z "127.0.0.1:$PORT"
	[[ $status -eq 0 && -z $output ]]
	local lo=$((PORT - 1)) hi=$((PORT + 1))
	run sockcat -z "tcp:127.0.0.1:$lo-$hi"
	[[ $status -eq 0 && $output == *"$PORT"* ]]
	kill "$LPID"; wait "$LPID" || true
	run sockcat -z "127.0.0.1:$PORT"
	assert_status_msg 1 "Connection refused"
}

@test "-z over a range into /dev/full: the list of open ports is not lost silently, exit 1" {
	start_listener sockcat -v -k -l tcp:127.0.0.1:0 </dev/null
	run bash -c 'sockcat -z "$1" </dev/null >/dev/full' _ \
	    "tcp:127.0.0.1:$((PORT - 1))-$PORT"
	assert_status_msg 1 'write error'
	run bash -c 'sockcat -z "$1" </dev/null >/dev/full' _ \
	    "tcp:127.0.0.1:$PORT-$((PORT + 1))"
	assert_status_msg 1 'write error'
}

@test "-z uses up a one-shot listener (as nc -z does); a -k listener serves on; the man page says so twice" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 </dev/null
	run sockcat -z "127.0.0.1:$PORT"
	[[ $status -eq 0 ]]
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 ]]
	run sockcat "127.0.0.1:$PORT" </dev/null
	assert_status_msg 1 "Connection refused"
	start_listener sockcat -v -l tcp:127.0.0.1:0 </dev/null
	nc.openbsd -z 127.0.0.1 "$PORT"
	wait_pid "$LPID"
	start_listener sockcat -v -k -l tcp:127.0.0.1:0 </dev/null >"$T/k.out"
	sockcat -z "127.0.0.1:$PORT"
	echo after | sockcat "127.0.0.1:$PORT"
	wait_until grep -qx after "$T/k.out"
	# The -z entry and CAVEATS both warn of it.
	run bash -c "tr '\n' ' ' <'$IPCU_SRCDIR/man/sockcat.1' |
		grep -o 'uses up a listener that serves one connection' | wc -l"
	[[ $output == 2 ]]
}

@test "--connect-timeout ends a connect that waits on a full backlog with 124" {
	local s=$T/$NAME.full
	python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(0)
time.sleep(60)' "$s" &
	cleanup_kill $!
	wait_until test -S "$s"
	# Fill the backlog: with length 0 it holds one connection.
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	sockcat -v "unix:$s" <"$T/fifo" >/dev/null 2>"$T/filler" &
	cleanup_kill $!
	wait_until grep -q 'connected to' "$T/filler"
	run timeout 10 sockcat --connect-timeout 0.3 "unix:$s" </dev/null
	exec 7>&-
	assert_status_msg 124 "unix:$s: connection timed out after 0.3"
}

@test "-s binds the source address, --nodelay sets TCP_NODELAY" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 </dev/null >/dev/null
	echo x | sockcat -s 127.0.0.2 "127.0.0.1:$PORT"
	wait_pid "$LPID"
	grep -q 'connection from tcp:127.0.0.2:' "$T/l.err"
	start_listener sockcat -v -l tcp:127.0.0.1:0 </dev/null >/dev/null
	export ASAN_OPTIONS=detect_leaks=0	# LeakSanitizer fails under ptrace
	run strace -o "$T/st" -e trace=setsockopt sockcat --nodelay "127.0.0.1:$PORT" </dev/null
	[[ $status -eq 0 ]]
	grep -q 'TCP_NODELAY, \[1\]' "$T/st"
}

@test "-s is parsed as ADDRESS is: bad values exit 2 naming -s; a source that fails is named" {
	run sockcat -s 127.0.0.1:70000 tcp:127.0.0.1:1 </dev/null
	assert_status_msg 2 "^sockcat: -s 127.0.0.1:70000: port out of range \(0-65535\)"
	run sockcat -s ::1 tcp:127.0.0.1:1 </dev/null
	assert_status_msg 2 "^sockcat: -s ::1: an IPv6 address needs brackets"
	run sockcat -s 127.0.0.1:5-6 tcp:127.0.0.1:1 </dev/null
	assert_status_msg 2 "^sockcat: -s 127.0.0.1:5-6: a source takes one port, not a range"
	run sockcat -s 127.0.0.1:x tcp:127.0.0.1:1 </dev/null
	assert_status_msg 2 "^sockcat: -s 127.0.0.1:x: invalid port"
	start_listener sockcat -v -k -l tcp:127.0.0.1:0 </dev/null >"$T/got"
	run sockcat -s nosuchhost.invalid "tcp:127.0.0.1:$PORT" </dev/null
	assert_status_msg 1 "^sockcat: -s nosuchhost.invalid: "
	[[ $output != *"tcp:127.0.0.1:$PORT"* ]]
	run sockcat -s 192.0.2.1 "tcp:127.0.0.1:$PORT" </dev/null
	assert_status_msg 1 "^sockcat: -s 192.0.2.1: Cannot assign requested address$"
	run grep -c 'connection from' "$T/l.err"
	[[ $output == 0 ]]
	# HOST:PORT and [IPv6] are bound as given.
	local sport
	sport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.3",0)); print(s.getsockname()[1])')
	echo x | sockcat -s "127.0.0.3:$sport" "127.0.0.1:$PORT"
	wait_until grep -q "connection from tcp:127.0.0.3:$sport\$" "$T/l.err"
	if [[ -e /proc/net/if_inet6 ]]; then
		start_listener sockcat -v -l 'tcp6:[::1]:0' </dev/null >/dev/null
		echo x | sockcat -s '[::1]' "[::1]:$PORT"
		wait_until grep -q 'connection from tcp:\[::1\]:' "$T/l.err"
	fi
}

# --- UNIX path safety -------------------------------------------------------

@test "UNIX listen never removes a file that is not a socket" {
	echo precious >"$T/$NAME.file"
	run sockcat -l "unix:$T/$NAME.file"
	assert_status_msg 1 "exists and is not a socket; not removed"
	[[ $(cat "$T/$NAME.file") == precious ]]
}

@test "UNIX listen refuses a live socket, replaces a stale one, removes only its own" {
	start_listener sockcat -v -k -l "unix:$T/$NAME.sock" </dev/null
	run sockcat -l "unix:$T/$NAME.sock"
	assert_status_msg 1 "is in use; not removed"
	kill "$LPID"; wait "$LPID" || true
	[[ ! -e $T/$NAME.sock ]]
	# A stale socket (nobody accepts) is replaced.
	python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" \
		"$T/$NAME.sock"
	[[ -S $T/$NAME.sock ]]
	start_listener sockcat -v -l "unix:$T/$NAME.sock" </dev/null
	grep -q 'replaced a stale socket' "$T/l.err"
	[[ $(stat -c %a "$T/$NAME.sock") == 600 ]]

	# Someone else's socket at the path by exit time stays.
	mv "$T/$NAME.sock" "$T/$NAME.moved"
	python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" \
		"$T/$NAME.sock"
	kill "$LPID"; wait "$LPID" || true
	[[ -S $T/$NAME.sock ]]
	# --mode sets the permissions of the socket file.
	start_listener sockcat -v --mode 660 -l "unix:$T/$NAME.m" </dev/null
	[[ $(stat -c %a "$T/$NAME.m") == 660 ]]
}

@test "UNIX listen on a live socket whose backlog is full: exit 1 at once, in use" {
	start_peer fullbacklog "$T/$NAME.full"
	run timeout 5 sockcat -l "unix:$T/$NAME.full" </dev/null
	assert_status_msg 1 "^sockcat: unix:$T/$NAME.full: a socket at the path is in use; not removed$"
	[[ -S $T/$NAME.full ]]
}

@test "SO_REUSEPORT only with --reuseport: a second listener fails without it" {
	start_listener sockcat -v -k -l tcp:127.0.0.1:0 </dev/null
	run sockcat -l "tcp:127.0.0.1:$PORT" </dev/null
	assert_status_msg 1 "Address already in use"
	kill "$LPID"; wait "$LPID" || true
	start_listener sockcat -v -k --reuseport -l tcp:127.0.0.1:0 </dev/null
	local first=$LPID
	start_listener sockcat -v -k --reuseport -l "tcp:127.0.0.1:$PORT" </dev/null
	kill -0 "$first" && kill -0 "$LPID"
}

# --- Interop with socat, nc (OpenBSD), ncat ----------------------------------

@test "interop TCP: sockcat client to socat, nc and ncat servers, both ways" {
	head -c 200000 /dev/urandom >"$T/d"
	local pid port
	for peer in socat nc ncat; do
		rm -f "$T/o"
		case $peer in
		socat) socat -u TCP-LISTEN:0,bind=127.0.0.1 - >"$T/o" & ;;
		nc) nc.openbsd -l 127.0.0.1 0 </dev/null >"$T/o" & ;;
		ncat) ncat -l --recv-only 127.0.0.1 0 >"$T/o" & ;;
		esac
		pid=$!; cleanup_kill "$pid"
		wait_until eval "[[ -n \$(port_of t $pid) ]]"
		port=$(port_of t "$pid")
		sockcat "127.0.0.1:$port" <"$T/d"
		wait_pid "$pid"
		[[ $(sum "$T/o") == $(sum "$T/d") ]] || { echo "to $peer" >&2; false; }
		case $peer in
		socat) socat -u - TCP-LISTEN:0,bind=127.0.0.1 <"$T/d" & ;;
		nc) nc.openbsd -N -l 127.0.0.1 0 <"$T/d" & ;;
		ncat) ncat -l --send-only 127.0.0.1 0 <"$T/d" & ;;
		esac
		pid=$!; cleanup_kill "$pid"
		wait_until eval "[[ -n \$(port_of t $pid) ]]"
		port=$(port_of t "$pid")
		# Our input stays open until all has come: then it ends.
		mkfifo "$T/f.$peer"; exec 7<>"$T/f.$peer"
		timeout 10 sockcat "127.0.0.1:$port" <"$T/f.$peer" >"$T/o" 7>&- &
		local cpid=$!
		cleanup_kill "$cpid"
		wait_until eval "[[ \$(stat -c %s '$T/o') -eq 200000 ]]"
		exec 7>&-
		wait_pid "$cpid"
		[[ $WSTATUS -eq 0 && $(sum "$T/o") == $(sum "$T/d") ]] || { echo "from $peer" >&2; false; }
	done
}

@test "interop TCP: socat, nc and ncat clients to a sockcat server, both ways" {
	head -c 200000 /dev/urandom >"$T/d"
	for peer in socat nc ncat; do
		start_listener sockcat -v -l tcp:127.0.0.1:0 </dev/null >"$T/o"
		case $peer in
		socat) socat -u - "TCP:127.0.0.1:$PORT" <"$T/d" ;;
		nc) nc.openbsd -N 127.0.0.1 "$PORT" <"$T/d" ;;
		ncat) ncat --send-only 127.0.0.1 "$PORT" <"$T/d" ;;
		esac
		wait_pid "$LPID"
		[[ $(sum "$T/o") == $(sum "$T/d") ]] || { echo "from $peer" >&2; false; }
		start_listener sockcat -v -l tcp:127.0.0.1:0 <"$T/d"
		case $peer in
		socat) timeout 10 socat -u "TCP:127.0.0.1:$PORT" - >"$T/o" ;;
		nc) timeout 10 nc.openbsd 127.0.0.1 "$PORT" </dev/null >"$T/o" ;;
		ncat) timeout 10 ncat --recv-only 127.0.0.1 "$PORT" >"$T/o" ;;
		esac
		[[ $(sum "$T/o") == $(sum "$T/d") ]] || { echo "to $peer" >&2; false; }
	done
}

@test "interop UNIX stream: socat, nc and ncat as client and as server" {
	local s=$T/$NAME.sock pid
	for peer in socat nc ncat; do
		start_listener sockcat -v -l "unix:$s" </dev/null >"$T/o"
		case $peer in
		socat) echo "via $peer" | socat -u - "UNIX-CONNECT:$s" ;;
		nc) echo "via $peer" | nc.openbsd -N -U "$s" ;;
		ncat) echo "via $peer" | ncat --send-only -U "$s" ;;
		esac
		wait_pid "$LPID"
		[[ $(cat "$T/o") == "via $peer" ]]
		rm -f "$s"
		case $peer in
		socat) socat -u "UNIX-LISTEN:$s" - >"$T/o" & ;;
		nc) nc.openbsd -l -U "$s" </dev/null >"$T/o" & ;;
		ncat) ncat -l --recv-only -U "$s" >"$T/o" & ;;
		esac
		pid=$!; cleanup_kill "$pid"; cleanup_add rm -f "$s"
		wait_until test -S "$s"
		echo "to $peer" | sockcat "unix:$s"
		wait_pid "$pid"
		[[ $(cat "$T/o") == "to $peer" ]]
		rm -f "$s"
	done
}

@test "interop UDP: socat, nc and ncat as client and as server" {
	local pid port
	for peer in socat nc ncat; do
		start_listener sockcat -v -l udp:127.0.0.1:0 </dev/null >"$T/o"
		case $peer in
		socat) printf 'dgram %s' $peer | socat -u - "UDP:127.0.0.1:$PORT" ;;
		nc) printf 'dgram %s' $peer | nc.openbsd -u -w1 127.0.0.1 "$PORT" ;;
		ncat) printf 'dgram %s' $peer | ncat -u --send-only 127.0.0.1 "$PORT" ;;
		esac
		wait_until grep -qx "dgram $peer" "$T/o"
		kill "$LPID"; wait "$LPID" || true
		: >"$T/o"
		case $peer in
		socat) socat -u UDP-RECV:0,bind=127.0.0.1 - >"$T/o" & ;;
		nc) nc.openbsd -u -l 127.0.0.1 0 </dev/null >"$T/o" & ;;
		ncat) ncat -u -l --recv-only 127.0.0.1 0 >"$T/o" & ;;
		esac
		pid=$!; cleanup_kill "$pid"
		wait_until eval "[[ -n \$(port_of u $pid) ]]"
		port=$(port_of u "$pid")
		echo "to $peer" | sockcat -w 0.2 "udp:127.0.0.1:$port" || true
		wait_until grep -q "to $peer" "$T/o"
		kill "$pid" 2>/dev/null; wait "$pid" || true
	done
}

# --- Man page EXAMPLES --------------------------------------------------------

@test "EXAMPLE: an HTTP request to a local server" {
	mkdir "$T/www" && echo "hello web" >"$T/www/index.html"
	python3 -m http.server --bind 127.0.0.1 --directory "$T/www" 0 \
		>"$T/http.log" 2>&1 &
	local pid=$!
	cleanup_kill "$pid"
	wait_until eval "[[ -n \$(port_of t $pid) ]]"
	local port
	port=$(port_of t "$pid")
	run sockcat "tcp:127.0.0.1:$port" \
		< <(printf 'GET /index.html HTTP/1.0\r\nHost: localhost\r\n\r\n')
	[[ $status -eq 0 && $output == "HTTP/1.0 200 OK"* && $output == *"hello web" ]]
}

@test "EXAMPLE: talking to a UNIX-socket service, and a concurrent -k -e server" {
	start_listener sockcat -v -k -l "unix:$T/$NAME.svc" -e 'tr a-z A-Z'
	run sockcat "unix:$T/$NAME.svc" <<<"shout"
	[[ $output == SHOUT ]]
	start_listener sockcat -v -k -l tcp:127.0.0.1:0 -e cat
	for i in 1 2 3 4 5; do
		(echo "echo $i" | sockcat "127.0.0.1:$PORT" >"$T/e.$i") &
	done
	wait_until eval "[[ \$(cat '$T'/e.* 2>/dev/null | wc -l) -eq 5 ]]"
	for i in 1 2 3 4 5; do [[ $(cat "$T/e.$i") == "echo $i" ]]; done
}

# --- Two hosts: network namespaces joined by a veth pair ------------------------

@test "across hosts: 100 MiB over a veth pair between two namespaces" {
	require_root
	local a=sockcat-$$-a b=sockcat-$$-b net=10.231.$(($$ % 250)).
	two_hosts "$a" "$b" "$net"
	head -c 100M /dev/urandom >"$T/big"
	start_listener ip netns exec "$b" sockcat -v -l "tcp:${net}2:0" \
		</dev/null >"$T/big.out"
	timeout 60 ip netns exec "$a" sockcat "tcp:${net}2:$PORT" <"$T/big"
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 && $(sum "$T/big.out") == $(sum "$T/big") ]]
}
