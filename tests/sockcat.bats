#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Tests of sockcat(1): addresses, the stream relay and its EOF table,
# records, listeners (-k, -e, -m), timeouts, probing, UNIX path safety,
# interop with socat, nc (OpenBSD) and ncat, and two hosts in namespaces.

load lib/common

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

# --- Usage, help, bad input ------------------------------------------------

@test "--help shows the synopsis and every option" {
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

@test "EOF 3: the peer sends and closes while stdin is still open -> exit at once" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 --sh-exec 'echo bye'
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	run timeout 10 sockcat "127.0.0.1:$PORT" <"$T/fifo"
	exec 7>&-
	[[ $status -eq 0 && $output == bye ]]
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
	# The peer reads a little first, so our input has surely begun to
	# flow (a peer that closes before that ends us at once, with 0).
	start_listener sockcat -v -l tcp:127.0.0.1:0 \
		--sh-exec 'head -c 1 >/dev/null; echo bye'
	run timeout 20 bash -c "head -c 256M /dev/zero | sockcat 127.0.0.1:$PORT"
	# (A reset may also discard "bye" in flight: TCP drops it on RST.)
	assert_status_msg 1 "sockcat: tcp:127.0.0.1:$PORT: (Connection reset by peer|Broken pipe)"
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
	run timeout 10 sockcat "127.0.0.1:$PORT" <"$T/fifo"
	exec 7>&-
	[[ $status -eq 0 ]]
	# The listener says so just after it closed: wait for it.
	wait_until grep -q 'idle for 0.3; closed' "$T/l.err"
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
	start_listener sockcat -v -l tcp:127.0.0.1:0 <"$T/fifo"
	run timeout 10 sockcat -w 0.3 -e cat "127.0.0.1:$PORT"
	assert_status_msg 124 "idle for 0.3; closing"
	wait_pid "$LPID"
	exec 7>&-
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

@test "EOF 9: stdout to /dev/full or closed -> write error, exit 1" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 --sh-exec 'echo data'
	run bash -c "sockcat 127.0.0.1:$PORT </dev/null >/dev/full"
	assert_status_msg 1 'sockcat: write error: No space left on device'
	start_listener sockcat -v -l tcp:127.0.0.1:0 --sh-exec 'echo data'
	run bash -c "sockcat 127.0.0.1:$PORT </dev/null >&-"
	assert_status_msg 1 'sockcat: write error'
	# Nothing received, nothing to write: a closed stdout is no error.
	start_listener sockcat -v -l tcp:127.0.0.1:0 --sh-exec 'true'
	run bash -c "sockcat 127.0.0.1:$PORT </dev/null >&-"
	[[ $status -eq 0 ]]
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
		mkfifo "$T/f.$peer"; exec 7<>"$T/f.$peer"
		timeout 10 sockcat "127.0.0.1:$port" <"$T/f.$peer" >"$T/o"
		exec 7>&-
		[[ $(sum "$T/o") == $(sum "$T/d") ]] || { echo "from $peer" >&2; false; }
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
