#!/bin/sh
# SPDX-License-Identifier: MIT
# Demo of shmcat and semop: a segment shared under a lock, and a job pool.
set -eu
n=shmdemo-$$
lock=key:0x$(printf '%x' $((0x5b000000 + $$ % 65536)))
cleanup() {
	rm -f "/dev/shm/$n" "/dev/shm/sem.$n" "/tmp/$n.in"
	ipcrm -S "${lock#key:}" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
run() { echo "\$ $*"; "$@"; }
echo "== shmcat: write a POSIX object under a System V lock, read it back"
echo "hello from shared memory" > "/tmp/$n.in"
run shmcat -w -c --truncate -L "$lock" "$n" < "/tmp/$n.in"
rm -f "/tmp/$n.in"
run shmcat -L "$lock" "$n"
run shmcat --stat "$n"
echo "== semop: at most 2 of 4 jobs at once"
for i in 1 2 3 4; do
	semop -c 2 "$n" -- sh -c 'echo "  job $0 running"; sleep 0.1' "$i" &
done
wait
run semop --stat --unlink "$n"
