#!/bin/sh
# SPDX-License-Identifier: MIT
# sockcat at work: an echo service on a UNIX socket with -k -e, a TCP
# transfer with its byte counts, and a port probe.
set -eu
dir=$(mktemp -d "${TMPDIR:-/tmp}/sockcat-demo-$$.XXXXXX")
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || :; wait "$pid" 2>/dev/null || :; fi; rm -rf "$dir"' EXIT
run() { echo "\$ $*"; "$@"; }

echo "== sockcat: sockets at the shell"
echo "\$ sockcat -k -l unix:$dir/upper.sock -e 'tr a-z A-Z' &"
sockcat -k -l "unix:$dir/upper.sock" -e 'tr a-z A-Z' &
pid=$!
i=0
while [ ! -S "$dir/upper.sock" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done
echo "\$ echo 'hello, unix socket' | sockcat unix:$dir/upper.sock"
echo 'hello, unix socket' | sockcat "unix:$dir/upper.sock"
kill "$pid"; wait "$pid" 2>/dev/null || :
pid=

echo "\$ sockcat -v -l tcp:127.0.0.1:0 </dev/null | wc -c &"
( sockcat -v -l tcp:127.0.0.1:0 </dev/null 2>"$dir/err" | wc -c >"$dir/count" ) &
pid=$!
i=0
while ! grep -q 'listening on' "$dir/err" 2>/dev/null && [ $i -lt 200 ]; do
	sleep 0.01; i=$((i + 1))
done
port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$dir/err")
echo "\$ head -c 10M /dev/zero | sockcat -v 127.0.0.1:$port"
head -c 10M /dev/zero | sockcat -v "127.0.0.1:$port" 2>&1
wait "$pid"
pid=
cat "$dir/err"
echo "the listener counted $(cat "$dir/count") bytes"
run sockcat -z "tcp:127.0.0.1:$port" 2>&1 || echo "(port $port is closed again: exit $?)"
