#!/bin/bash
# SPDX-License-Identifier: MIT
# make check-valgrind: run each built tool's main paths (and an error
# path or two) under valgrind memcheck.  A case passes when the tool exits
# with the status it should and valgrind finds no error and no definite
# leak (valgrind's own status 99 says it did).  Runs in a private IPC
# namespace when root, names POSIX shm/sem objects with this PID, and
# removes everything it made.  Prints one line per case and a summary;
# exits 1 if any case failed.
set -u
export LC_ALL=C
tools=${IPCU_TOOLS:-mqsend mqrecv shmcat semop sigwaitfor sockcat rawping}
if [[ $(id -u) -eq 0 && -z ${IPCU_VG_INNER:-} ]]; then
	IPCU_VG_INNER=1 exec unshare -i bash "$0" "$@"
fi
command -v valgrind >/dev/null || { echo "check-valgrind: valgrind is not installed" >&2; exit 1; }
if nm -D "$(command -v mqsend)" 2>/dev/null | grep -q __asan_init; then
	echo "check-valgrind: the tools are built with sanitizers; use a plain build" >&2
	exit 1
fi

p=vg$$
tmp=$(mktemp -d)
pass=0 fail=0
cleanup() {
	rm -rf "$tmp"
	rm -f /dev/shm/"$p"-* /dev/shm/sem."$p"-*
	mqrecv --unlink --stat /"$p"-q >/dev/null 2>&1
	for k in 0x7601 0x7602 0x7603; do
		ipcrm -Q "$k" 2>/dev/null; ipcrm -M "$k" 2>/dev/null; ipcrm -S "$k" 2>/dev/null
	done
	[[ -n ${sigpid:-} ]] && kill "$sigpid" 2>/dev/null
	[[ -n ${srvpid:-} ]] && kill "$srvpid" 2>/dev/null
	true
}
trap cleanup EXIT

has() { [[ " $tools " == *" $1 "* ]] && command -v "$1" >/dev/null; }

# vg WANT INPUT TOOL [ARG]...: run TOOL under memcheck with INPUT on stdin.
vg() {
	local want=$1 input=$2 rc
	shift 2
	printf '%s' "$input" | valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 --log-file="$tmp/vg.log" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [[ $rc -eq $want && ! -s $tmp/vg.log ]]; then
		pass=$((pass + 1)); echo "ok   $*  (exit $rc)"
	else
		fail=$((fail + 1)); echo "FAIL $*  (exit $rc, want $want)"
		sed 's/^/    /' "$tmp/err" "$tmp/vg.log" | head -40
	fi
}

if has mqsend && has mqrecv; then
	vg 0 $'one\ntwo\n' mqsend -c /"$p"-q
	vg 0 '' mqsend -p 5 /"$p"-q three four
	vg 0 '' mqrecv --stat /"$p"-q
	vg 0 '' mqrecv -P -n 2 /"$p"-q
	vg 0 '' mqrecv -t 0 --unlink /"$p"-q
	vg 0 $'a\0b\0' mqsend -c -0 key:0x7601
	vg 0 '' mqrecv -t 0 -0 -P key:0x7601
	vg 124 '' mqrecv -t 0 key:0x7601
	vg 1 '' mqrecv -t 0 /"$p"-missing
	vg 2 '' mqsend -p x /"$p"-q
	vg 1 $'x\n' mqsend /"$p"-missing
	ipcrm -Q 0x7601 2>/dev/null
fi
if has shmcat; then
	vg 0 'hello shm' shmcat -w -c /"$p"-s
	vg 0 '' shmcat /"$p"-s
	vg 0 '' shmcat -o 2 -s 3 /"$p"-s
	vg 0 '' shmcat --stat /"$p"-s
	vg 0 'sysv data' shmcat -w -c -s 4K key:0x7602
	vg 0 '' shmcat -s 9 key:0x7602
	vg 0 '' shmcat --unlink /"$p"-s key:0x7602
	vg 1 '' shmcat /"$p"-missing
	vg 2 '' shmcat -s x /"$p"-s
fi
if has semop; then
	vg 0 '' semop --create=0 /"$p"-m post
	vg 0 '' semop /"$p"-m wait get
	vg 124 '' semop -t 0.01 /"$p"-m wait
	vg 0 '' semop /"$p"-m post
	vg 0 '' semop -t 5 /"$p"-m -- true
	vg 0 '' semop --stat --unlink /"$p"-m
	vg 0 '' semop -c --nsems=2 key:0x7603 0:+1 1:+2
	vg 0 '' semop key:0x7603 -- true
	vg 0 '' semop -F key:0x7603 -- true
	vg 0 '' semop --unlink key:0x7603 get
	vg 1 '' semop /"$p"-missing get
	vg 2 '' semop -c key:0x7603 frob
fi
if has rawping && [[ $(id -u) -eq 0 ]]; then
	vg 0 '' rawping -c 3 -i 0.01 127.0.0.1
	vg 0 '' rawping -q --json -c 2 -i 0.01 127.0.0.1 ::1
	vg 2 '' rawping -c x 127.0.0.1
fi
if has sigwaitfor; then
	vg 0 '' sigwaitfor --list
	vg 124 '' sigwaitfor -t 0.2 USR1
	# Signals from outside, once the pid file says they are blocked.  (The
	# COMMAND form needs pidfd_open, which this valgrind does not know.)
	( for _ in $(seq 1000); do [[ -s $tmp/pid ]] && break; sleep 0.02; done
	  kill -USR1 "$(cat "$tmp/pid")"; sleep 0.2; kill -USR2 "$(cat "$tmp/pid")" ) &
	vg 0 '' sigwaitfor -i -n 2 -p "$tmp/pid" USR1 USR2
	wait $!
	vg 2 '' sigwaitfor NOSUCHSIG
fi
if has sockcat; then
	# A server under memcheck, served by a client under memcheck.
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 --log-file="$tmp/srv.vg" \
		sockcat -l unix:"$tmp/s" <<<'from server' >"$tmp/srv.out" 2>"$tmp/srv.err" &
	srvpid=$!
	for _ in $(seq 1000); do [[ -S $tmp/s ]] && break; sleep 0.02; done
	vg 0 'from client' sockcat unix:"$tmp/s"
	wait "$srvpid"; rc=$?; srvpid=
	if [[ $rc -eq 0 && ! -s $tmp/srv.vg && $(cat "$tmp/srv.out") == 'from client' ]]; then
		pass=$((pass + 1)); echo "ok   sockcat -l unix:$tmp/s  (exit 0)"
	else
		fail=$((fail + 1)); echo "FAIL sockcat -l unix:$tmp/s  (exit $rc)"
		sed 's/^/    /' "$tmp/srv.err" "$tmp/srv.vg" | head -40
	fi
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 --log-file="$tmp/srv.vg" \
		sockcat -l -k -e cat tcp:127.0.0.1:0 -v </dev/null >/dev/null 2>"$tmp/srv.err" &
	srvpid=$!
	for _ in $(seq 1000); do grep -q 'listening' "$tmp/srv.err" 2>/dev/null && break; sleep 0.02; done
	port=$(grep -o 'listening on [^ ]*' "$tmp/srv.err" | grep -o '[0-9]*$' | head -1)
	vg 0 'echo me' sockcat tcp:127.0.0.1:"$port"
	vg 0 'echo me too' sockcat tcp:127.0.0.1:"$port"
	kill -TERM "$srvpid"; wait "$srvpid"; rc=$?; srvpid=
	if [[ ! -s $tmp/srv.vg ]]; then
		pass=$((pass + 1)); echo "ok   sockcat -l -k -e cat (TERM, exit $rc)"
	else
		fail=$((fail + 1)); echo "FAIL sockcat -l -k -e cat (exit $rc)"
		sed 's/^/    /' "$tmp/srv.err" "$tmp/srv.vg" | head -40
	fi
	vg 1 '' sockcat unix:"$tmp/nothing"
	vg 2 '' sockcat frob:x
fi
echo "check-valgrind: $pass passed, $fail failed"
[[ $fail -eq 0 && $pass -gt 0 ]]
