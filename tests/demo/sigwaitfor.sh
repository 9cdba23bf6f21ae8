#!/bin/sh
# SPDX-License-Identifier: MIT
# sigwaitfor demo: a pidfile that means "ready", a queued value, a
# readiness signal from a child, and a timeout.
set -eu
dir=$(mktemp -d "${TMPDIR:-/tmp}/sigwaitfor-demo-$$-XXXXXX")
trap 'rm -rf "$dir"' EXIT
run() { echo "\$ $*"; "$@"; }

echo "== sigwaitfor: wait for signals with no race"
echo "\$ sigwaitfor -i -p $dir/w.pid USR1 &"
sigwaitfor -i -p "$dir/w.pid" USR1 &
waiter=$!
while [ ! -s "$dir/w.pid" ]; do sleep 0.01; done
echo "\$ kill -q 42 -s USR1 \$(cat $dir/w.pid)"
env kill -q 42 -s USR1 "$(cat "$dir/w.pid")"
wait "$waiter"
echo "\$ sigwaitfor -t 5 USR2 -- sh -c 'kill -USR2 \$PPID'"
sigwaitfor -t 5 USR2 -- sh -c 'kill -USR2 $PPID'
echo "\$ sigwaitfor -t 0.2 HUP"
status=0
sigwaitfor -t 0.2 HUP || status=$?
echo "(exit status $status: nothing came)"
[ "$status" -eq 124 ]
run sigwaitfor --list USR1 RTMIN+3
