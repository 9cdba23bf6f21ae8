#!/bin/sh
# SPDX-License-Identifier: MIT
# Demo: a message crosses a POSIX queue, then a System V queue.
set -eu
p=demo-mq-$$
k=key:$(printf '0x%x' $((0x6d710000 + $$ % 65536)))
cleanup() {
	mqrecv --unlink --stat "$p" >/dev/null 2>&1 || :
	mqrecv --unlink --stat "$k" >/dev/null 2>&1 || :
}
trap cleanup EXIT
run() {
	echo "\$ $*"
	sh -c "$*"
}
echo "== mqsend / mqrecv: POSIX and System V message queues"
run "mqsend -c --max-messages 4 --message-size 128 $p </dev/null"
run "mqsend -c $k </dev/null"
run "echo 'hello from ipcutils' | mqsend -p 5 $p"
run "mqrecv -n 1 $p | mqsend -T 7 $k"
run "mqrecv --stat $k | grep -E '^(flavor|messages)='"
out=$(mqrecv -P -t 0 --unlink "$k")
echo "\$ mqrecv -P -t 0 --unlink $k"
echo "$out"
[ "$out" = "$(printf '7\thello from ipcutils')" ] || {
	echo "demo: unexpected output" >&2
	exit 1
}
run "mqrecv -t 0 --unlink $p || echo 'empty (exit 124)'"
