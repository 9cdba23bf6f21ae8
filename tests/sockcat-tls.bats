#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Tests of sockcat(1)'s tls: addresses against real peers: openssl
# s_server and s_client, socat OPENSSL, curl, and tests/lib/tlspeer.py (a
# scripted peer for the EOF rows: it can truncate, which a well-behaved
# TLS library will not).  Certificates are made for this file by
# tests/lib/gen-certs.sh into a temporary directory (a throwaway CA, an
# expired, a wrong-name, an unknown-CA and a self-signed one); no key is
# ever committed.

load lib/common
load lib/waiting

setup_file() {
	export C=$BATS_FILE_TMPDIR/certs
	"$IPCU_SRCDIR/tests/lib/gen-certs.sh" "$C"
	# Every OpenSSL program here uses its defaults, not the caller's.
	unset OPENSSL_CONF
}

setup() {
	T=$BATS_TEST_TMPDIR
	SRV=(--cert "$C/server.pem" --key "$C/server.key")
}

# Start "$@" (a sockcat -v -l ...) in the background, stderr to $T/l.err,
# stdout to $T/l.out; set LPID and PORT.
start_listener() {
	"$@" 2>"$T/l.err" >"$T/l.out" <&0 3>&- &
	LPID=$!
	cleanup_kill "$LPID"
	wait_until grep -q 'listening on' "$T/l.err"
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$T/l.err")
}

# The local TCP port process PID listens on.
port_of() {
	ss -Hltnp 2>/dev/null | sed -n "/pid=$1,/s/.*:\([0-9][0-9]*\) .*/\1/p" |
		head -n1
}

# Wait until process PID listens; set PORT.
wait_port() {
	wait_until eval "[[ -n \$(port_of $1) ]]"
	PORT=$(port_of "$1")
}

# Wait for process PID to end (deadline), reap it, set WSTATUS.
wait_pid() {
	wait_until 15 eval "! kill -0 $1 2>/dev/null || [[ \$(ps -o stat= -p $1) == Z* ]]"
	wait "$1" && WSTATUS=0 || WSTATUS=$?
}

# openssl s_server with certificate CERT (a name in $C, key server.key)
# and ARGS, for one connection; its input a FIFO held open (s_server
# quits when its input ends), its output in $T/ss.out.  Sets SPID, PORT.
s_server() {
	local cert=$1
	shift
	mkfifo "$T/ss.in"
	openssl s_server -quiet -naccept 1 -accept 127.0.0.1:0 \
		-cert "$C/$cert.pem" -key "$C/server.key" "$@" \
		<>"$T/ss.in" >"$T/ss.out" 2>&1 3>&- &
	SPID=$!
	cleanup_kill "$SPID"
	cleanup_add rm -f "$T/ss.in"
	wait_port "$SPID"
}

# tlspeer.py server ARGS...: sets PPID_ and PORT; its stderr in
# $T/peer.err, what it read in $T/peer.out.
peer_server() {
	python3 "$IPCU_SRCDIR/tests/lib/tlspeer.py" server "$C/server.pem" \
		"$C/server.key" "$@" >"$T/peer.out" 2>"$T/peer.err" 3>&- &
	PPID_=$!
	cleanup_kill "$PPID_"
	wait_port "$PPID_"
}

# A free TCP port on 127.0.0.1 (for peers that cannot listen on port 0
# and say which).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- Usage -----------------------------------------------------------------

@test "tls usage: -l without --cert/--key, TLS options without tls:, no name to verify, datagram TLS" {
	run sockcat -l tls:127.0.0.1:0 --key "$C/server.key" </dev/null
	assert_status_msg 2 'sockcat: --cert and --key go together'
	run sockcat -l tls:127.0.0.1:0 </dev/null
	assert_status_msg 2 'sockcat: -l tls:127.0.0.1:0 needs --cert and --key'
	run sockcat --cafile "$C/ca.pem" tcp:127.0.0.1:1 </dev/null
	assert_status_msg 2 'sockcat: tcp:127.0.0.1:1: TLS options need a tls: address'
	run sockcat tls:unix:"$T/s" </dev/null
	assert_status_msg 2 'no host name to verify: give --servername'
	run sockcat tls:udp:127.0.0.1:1 </dev/null
	assert_status_msg 2 'TLS needs a stream address'
	run sockcat --cafile "$C/ca.pem" --servername '' tls:127.0.0.1:1 </dev/null
	assert_status_msg 2 'sockcat: --servername: an empty name'
	run sockcat --insecure --cafile "$C/ca.pem" tls:127.0.0.1:1 </dev/null
	assert_status_msg 2 '--insecure excludes --cafile'
	run sockcat -l --insecure "${SRV[@]}" tls:127.0.0.1:0 </dev/null
	assert_status_msg 2 '--insecure and --servername are for connecting'
	run sockcat -l --require-client-cert "${SRV[@]}" tls:127.0.0.1:0 </dev/null
	assert_status_msg 2 '--require-client-cert needs -l and --cafile'
	run sockcat --tls-min 1.1 tls:127.0.0.1:1 </dev/null
	assert_status_msg 2 "--tls-min: '1.1': 1.2 or 1.3"
}

@test "tls files: a --key that does not match, a missing --cert, a missing --cafile: exit 1 naming the file" {
	run sockcat -l --cert "$C/server.pem" --key "$C/client.key" tls:127.0.0.1:0 </dev/null
	assert_status_msg 1 "sockcat: --key $C/client.key: does not match the certificate"
	run sockcat -l --cert "$T/none.pem" --key "$C/server.key" tls:127.0.0.1:0 </dev/null
	assert_status_msg 1 "sockcat: --cert $T/none.pem: No such file or directory"
	run sockcat --cafile "$T/none.pem" tls:127.0.0.1:1 </dev/null
	assert_status_msg 1 "sockcat: --cafile $T/none.pem: No such file or directory"
}

# --- Client against openssl s_server -----------------------------------------

@test "tls client: verified by name against s_server; -v says protocol, cipher and peer" {
	s_server server
	run sockcat -v --cafile "$C/ca.pem" "tls:localhost:$PORT" <<<hi
	assert_status_msg 0 'TLSv1\.3, TLS_[A-Z0-9_]+, peer CN=localhost \(verified\)'
	wait_until grep -qx hi "$T/ss.out"
}

@test "tls client: verified by IPv4 address (the certificate's IP SAN, no SNI)" {
	s_server server
	run sockcat --cafile "$C/ca.pem" "tls:127.0.0.1:$PORT" <<<hi
	assert_status_msg 0
	wait_until grep -qx hi "$T/ss.out"
}

@test "tls client: each verification failure exits 1 with OpenSSL's reason and sends nothing" {
	local c cert why
	for c in "expired:certificate has expired" \
		"wrongname:hostname mismatch" \
		"unknown:unable to get local issuer certificate" \
		"selfsigned:self-signed certificate"; do
		cert=${c%%:*} why=${c#*:}
		s_server "$cert"
		run sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" <<<secret
		assert_status_msg 1 "sockcat: tls:tcp:127\.0\.0\.1:$PORT: certificate verification failed: $why \(depth 0, subject CN=" ||
			return 1
		kill "$SPID" 2>/dev/null || true
		wait "$SPID" || true
		run grep -c secret "$T/ss.out"
		[[ $output == 0 ]] || return 1
		rm -f "$T/ss.in"
	done
}

@test "tls client: an address that is not in the certificate: IP address mismatch" {
	s_server wrongname
	run sockcat --cafile "$C/ca.pem" "tls:127.0.0.1:$PORT" </dev/null
	assert_status_msg 1 'certificate verification failed: IP address mismatch'
}

@test "tls client: the system store by default (the test CA is not in it)" {
	s_server server
	run sockcat "tls:localhost:$PORT" </dev/null
	assert_status_msg 1 'unable to get local issuer certificate'
}

@test "tls client: --insecure connects to anyone, and -v says not verified" {
	s_server unknown
	run sockcat -v --insecure "tls:localhost:$PORT" <<<hi
	assert_status_msg 0 'peer CN=localhost \(not verified\)'
}

@test "tls client: --servername names the host to verify" {
	s_server wrongname
	run sockcat -v --cafile "$C/ca.pem" --servername wrong.example "tls:127.0.0.1:$PORT" <<<hi
	assert_status_msg 0 'peer CN=wrong\.example \(verified\)'
}

@test "tls client: SNI is sent (s_server gives the right certificate only to SNI localhost)" {
	s_server wrongname -servername localhost -cert2 "$C/server.pem" -key2 "$C/server.key"
	run sockcat -v --cafile "$C/ca.pem" "tls:localhost:$PORT" <<<hi
	assert_status_msg 0 'peer CN=localhost \(verified\)'
}

@test "tls client: a client certificate for s_server -Verify" {
	s_server server -Verify 1 -verify_return_error -CAfile "$C/ca.pem"
	run sockcat --cafile "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" "tls:localhost:$PORT" <<<hi
	assert_status_msg 0
	wait_until grep -q 'CN *= *client' "$T/ss.out"
}

@test "tls client: a TLS 1.2 server is taken, refused with --tls-min 1.3; TLS 1.1 is refused" {
	s_server server -tls1_2
	run sockcat -v --cafile "$C/ca.pem" "tls:localhost:$PORT" <<<hi
	assert_status_msg 0 'TLSv1\.2, '
	rm -f "$T/ss.in"
	s_server server -tls1_2
	run sockcat --tls-min 1.3 --cafile "$C/ca.pem" "tls:localhost:$PORT" </dev/null
	assert_status_msg 1 'protocol version'
	rm -f "$T/ss.in"
	s_server server -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
	run sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" </dev/null
	assert_status_msg 1 'protocol version|no protocols available|offers no protocol'
}

@test "tls client: a plain TCP server is said not to speak TLS" {
	start_listener sockcat -v -l tcp:127.0.0.1:0 < <(printf 'HTTP/1.0 400 Bad\r\n\r\n')
	run sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" </dev/null
	assert_status_msg 1 'does not speak TLS'
}

@test "tls client: against socat OPENSSL-LISTEN ... EXEC" {
	local port
	port=$(free_port)
	socat "OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,cert=$C/server.pem,key=$C/server.key,verify=0" \
		"EXEC:tr a-z A-Z" 3>&- &
	cleanup_kill $!
	wait_port $!
	run sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" <<<shout
	assert_status_msg 0
	[[ $output == SHOUT ]]
}

# --- Server against s_client, socat, curl ------------------------------------

@test "tls -l: openssl s_client both ways, both exit 0" {
	# s_client quits at the listener's close_notify: it cannot
	# half-close; the listener answers once the request is surely in.
	start_listener sockcat -v -l "${SRV[@]}" tls:127.0.0.1:0 < <(sleep 1; echo from-server)
	run openssl s_client -quiet -ign_eof -connect "127.0.0.1:$PORT" -CAfile "$C/ca.pem" \
		-verify_return_error -verify_hostname localhost <<<from-client
	[[ $status -eq 0 && $output == *from-server* ]]
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 && $(cat "$T/l.out") == from-client ]]
}

@test "tls -l: socat OPENSSL client both ways" {
	start_listener sockcat -v -l "${SRV[@]}" tls:127.0.0.1:0 < <(echo from-server)
	run socat - "OPENSSL:127.0.0.1:$PORT,cafile=$C/ca.pem" <<<from-client
	assert_status_msg 0
	[[ $output == from-server ]]
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 && $(cat "$T/l.out") == from-client ]]
	run grep -c 'without close_notify' "$T/l.err"
	[[ $output == 0 ]]
}

@test "tls -l -k --sh-exec: curl --cacert gets 20 whole answers by name and by address; without the CA curl refuses" {
	local i
	start_listener sockcat -v -l -k "${SRV[@]}" tls:127.0.0.1:0 \
		--sh-exec 'read -r line; printf "HTTP/1.0 200 OK\r\n\r\n"; seq 3000' </dev/null
	seq 3000 >"$T/want"
	for ((i = 0; i < 10; i++)); do
		curl -sS --max-time 10 --cacert "$C/ca.pem" "https://localhost:$PORT/" >"$T/got" &&
			cmp "$T/got" "$T/want" || return 1
		curl -sS --max-time 10 --cacert "$C/ca.pem" "https://127.0.0.1:$PORT/" >"$T/got" &&
			cmp "$T/got" "$T/want" || return 1
	done
	run curl -sS --max-time 10 "https://localhost:$PORT/"
	[[ $status -eq 60 ]]
	# curl sends close_notify: no truncation is reported.
	run grep -c 'without close_notify' "$T/l.err"
	[[ $output == 0 ]]
}

@test "tls -l -k: a plain HTTP client is said to be one, and the listener goes on" {
	start_listener sockcat -v -l -k "${SRV[@]}" tls:127.0.0.1:0 </dev/null
	run sockcat "tcp:127.0.0.1:$PORT" < <(printf 'GET / HTTP/1.0\r\n\r\n')
	wait_until grep -q 'the peer sent a plain HTTP request, not TLS' "$T/l.err"
	kill -0 "$LPID"
	run sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" <<<next
	assert_status_msg 0
	wait_until grep -qx next "$T/l.out"
}

@test "tls -l -k -e cat: 100 clients at once, each echoed whole" {
	local i pids=()
	start_listener sockcat -v -l -k "${SRV[@]}" tls:127.0.0.1:0 -e cat </dev/null
	for ((i = 0; i < 100; i++)); do
		sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" <<<"client $i" \
			>"$T/out.$i" 2>"$T/err.$i" 3>&- &
		pids+=($!)
	done
	cleanup_kill "${pids[@]}"
	for ((i = 0; i < 100; i++)); do
		wait "${pids[i]}" || { cat "$T/err.$i" >&2; return 1; }
		[[ $(cat "$T/out.$i") == "client $i" ]] || return 1
	done
}

@test "tls -l: a required client certificate missing: both sides exit 1 with the reason" {
	start_listener sockcat -v -l "${SRV[@]}" --cafile "$C/ca.pem" --require-client-cert tls:127.0.0.1:0 </dev/null
	run sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" <<<hi
	assert_status_msg 1 'alert certificate required'
	wait_pid "$LPID"
	[[ $WSTATUS -eq 1 ]]
	grep -q 'peer did not return a certificate' "$T/l.err"
}

@test "tls -l: a client certificate given is verified and named by -v" {
	start_listener sockcat -v -l "${SRV[@]}" --cafile "$C/ca.pem" --require-client-cert tls:127.0.0.1:0 </dev/null
	run sockcat --cafile "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" "tls:localhost:$PORT" <<<hi
	assert_status_msg 0
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 ]]
	grep -q 'peer CN=client (verified)' "$T/l.err"
}

@test "tls -l: a client certificate of an unknown CA is refused" {
	start_listener sockcat -v -l "${SRV[@]}" --cafile "$C/ca.pem" tls:127.0.0.1:0 </dev/null
	run sockcat --cafile "$C/ca.pem" --cert "$C/unknown.pem" --key "$C/server.key" "tls:localhost:$PORT" <<<hi
	[[ $status -eq 1 ]]
	wait_pid "$LPID"
	[[ $WSTATUS -eq 1 ]]
	grep -q 'certificate verification failed: unable to get local issuer certificate' "$T/l.err"
}

@test "tls: 32 MiB both ways at once, sockcat to sockcat, intact" {
	head -c 32M /dev/urandom >"$T/rnd"
	start_listener sockcat -v -l "${SRV[@]}" tls:127.0.0.1:0 <"$T/rnd"
	sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" <"$T/rnd" >"$T/got"
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 ]]
	cmp "$T/rnd" "$T/got"
	cmp "$T/rnd" "$T/l.out"
}

@test "tls:unix: both ends, verified as --servername" {
	start_listener sockcat -v -l "${SRV[@]}" "tls:unix:$T/s" < <(echo from-server)
	run sockcat -v --cafile "$C/ca.pem" --servername localhost "tls:unix:$T/s" <<<from-client
	assert_status_msg 0 'peer CN=localhost \(verified\)'
	[[ $output == *from-server* ]]
	wait_pid "$LPID"
	[[ $(cat "$T/l.out") == from-client ]]
}

@test "tls -z: a verified handshake is the probe; a wrong name is not open" {
	start_listener sockcat -v -l -k "${SRV[@]}" tls:127.0.0.1:0 </dev/null
	run sockcat -z --cafile "$C/ca.pem" "tls:localhost:$PORT"
	assert_status_msg 0
	run sockcat -z --cafile "$C/ca.pem" --servername wrong.example "tls:127.0.0.1:$PORT"
	assert_status_msg 1 'hostname mismatch'
}

@test "tls: a connected client and server wait without using CPU" {
	local cpid
	mkfifo "$T/lin" "$T/cin"
	exec 7<>"$T/lin" 8<>"$T/cin"
	start_listener sockcat -v -l "${SRV[@]}" tls:127.0.0.1:0 <"$T/lin"
	sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" <"$T/cin" >"$T/out" 2>&1 3>&- 7>&- 8>&- &
	cpid=$!
	cleanup_kill "$cpid"
	echo ping >&7
	wait_until grep -qx ping "$T/out"
	idle "listener=$LPID" "client=$cpid"
	exec 7>&- 8>&-
}

# --- The EOF table under TLS ---------------------------------------------------

@test "tls EOF: end of input sends close_notify one way; an answer 1 s later arrives (TLS 1.3, and 1.2)" {
	local v
	for v in "" --tls12; do
		# shellcheck disable=SC2086
		peer_server $v --read-to-end --delay 1 --send-late late
		run sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" <<<req
		assert_status_msg 0 || return 1
		[[ $output == late ]] || return 1
		wait_pid "$PPID_"
		[[ $(cat "$T/peer.out") == req ]] || return 1
		run grep -c truncated "$T/peer.err"
		[[ $output == 0 ]] || return 1
	done
}

@test "tls EOF: the peer sends and closes with close_notify while input is open: written at once; exit 0 when input ends with nothing more" {
	mkfifo "$T/in"
	exec 7<>"$T/in"
	peer_server --send ans
	sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" <"$T/in" >"$T/out" 2>"$T/err" 3>&- 7>&- &
	local cpid=$!
	cleanup_kill "$cpid"
	wait_until grep -qx ans "$T/out"
	wait_pid "$PPID_"
	exec 7>&-
	wait_pid "$cpid"
	[[ $WSTATUS -eq 0 ]] || { cat "$T/err" >&2; return 1; }
}

@test "tls EOF: the peer has closed for good, input still flows: exit 1" {
	peer_server --send ans
	run sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" < <(sleep 1; echo late; sleep 1; echo later)
	assert_status_msg 1 'Connection reset by peer|Broken pipe'
	[[ $output == ans* ]]
}

@test "tls EOF: a TCP end without close_notify (truncation) is exit 1, what came before written" {
	peer_server --send ans --end truncate
	sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" < <(sleep 1) >"$T/out" 2>"$T/err" && return 1
	[[ $(cat "$T/out") == ans ]]
	grep -q "sockcat: tls:tcp:127.0.0.1:$PORT: the peer closed without close_notify: the data may be truncated" "$T/err"
}

@test "tls EOF: --ignore-unexpected-eof takes a truncation as the end" {
	peer_server --send ans --end truncate
	run sockcat --ignore-unexpected-eof --cafile "$C/ca.pem" "tls:localhost:$PORT" < <(sleep 1)
	assert_status_msg 0
	[[ $output == ans ]]
}

@test "tls EOF: a peer that resets: exit 1, Connection reset by peer" {
	peer_server --send ans --linger 0.5 --end reset
	run sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" < <(sleep 2)
	assert_status_msg 1 'Connection reset by peer'
}

@test "tls EOF: the peer half-closes while input still flows: input goes to its end, exit 0" {
	local port
	port=$(free_port)
	# socat sends close_notify when the COMMAND's output ends, and relays
	# the other way for -t seconds: a half-closing TLS peer.
	socat -t 5 "OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,cert=$C/server.pem,key=$C/server.key,verify=0" \
		"SYSTEM:printf ans; exec cat >$T/got" 3>&- &
	local sp=$!
	cleanup_kill "$sp"
	wait_port "$sp"
	run sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" < <(echo a; sleep 1; echo b)
	assert_status_msg 0
	[[ $output == ans ]]
	wait_pid "$sp"
	[[ $(cat "$T/got") == $'a\nb' ]]
}

@test "tls EOF: a listener with empty input keeps its side open until the client is done" {
	start_listener sockcat -v -l "${SRV[@]}" tls:127.0.0.1:0 </dev/null
	run sockcat --cafile "$C/ca.pem" "tls:localhost:$PORT" < <(sleep 1; echo late)
	assert_status_msg 0
	wait_pid "$LPID"
	[[ $WSTATUS -eq 0 && $(cat "$T/l.out") == late ]]
}

@test "tls -k --sh-exec: a COMMAND that leaves the client's input unread still ends with close_notify (client exit 0)" {
	start_listener sockcat -v -k -l tls:127.0.0.1:0 "${SRV[@]}" \
	    --sh-exec 'read -r line; echo "got $line"' </dev/null
	local round bad=0
	for round in 1 2 3 4 5; do
		run sockcat --cafile "$C/ca.pem" \
		    "tls:localhost:$PORT" < <(printf 'first\nsecond\n')
		if [[ $status -ne 0 || $output != "got first" ]]; then
			echo "round $round: exit $status, output '$output'" >&2
			bad=$((bad + 1))
		fi
	done
	[[ $bad -eq 0 ]]
}

# The same with a peer that is not sockcat: Python's ssl module, with
# ragged EOFs not suppressed, must see close_notify after the answer.
@test "tls -k --sh-exec: python ssl sees close_notify after the answer when COMMAND did not read" {
	start_listener sockcat -v -k -l tls:127.0.0.1:0 "${SRV[@]}" \
	    --sh-exec 'printf "answer\n"' </dev/null
	run python3 - "$C/ca.pem" "$PORT" <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
bad = 0
for i in range(5):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    t = ctx.wrap_socket(s, server_hostname="localhost",
                        suppress_ragged_eofs=False)
    t.sendall(b"unread\n")
    data = b""
    try:
        while True:
            b = t.recv(4096)
            if not b:
                break
            data += b
    except (ssl.SSLError, OSError) as e:
        print("round", i, type(e).__name__, e, data)
        bad += 1
    t.close()
sys.exit(1 if bad else 0)
PY
	assert_status_msg 0
}

# sockcat(1), EXIT STATUS: "2 Usage error: a bad option, address or value;
# nothing was bound or connected."  --servername '' is accepted today; the
# empty name goes out as SNI after connecting, and OpenSSL's "ssl3 ext
# invalid servername" ends it with exit 1.
