#!/bin/sh
# SPDX-License-Identifier: MIT
# Demo of shmcat and semop: a segment shared under a lock, and a job pool.
set -eu
n=shmdemo-$$
sem=semdemo-$$
lock=key:0x$(printf '%x' $((0x5b000000 + $$ % 65536)))
cleanup() {
	rm -f "/dev/shm/$n" "/dev/shm/sem.$sem" "/tmp/$n.in" "/tmp/$sem.log"
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
echo
echo "== semop: a pool of 2 slots; 4 jobs, at most 2 at once"
# Each job says how many slots are taken while it runs (2 minus the
# semaphore's value); none can see more than 2.
job='echo "job $0 runs; slots taken: $((2 - $(semop "$1" get)))"; sleep 0.2'
echo "\$ for i in 1 2 3 4; do"
echo "\$     semop -c 2 $sem -- sh -c '$job' \$i $sem &"
echo "\$ done; wait"
for i in 1 2 3 4; do
	semop -c 2 "$sem" -- sh -c "$job" "$i" "$sem" &
done | tee "/tmp/$sem.log"
wait
most=$(sed -n 's/.*slots taken: //p' "/tmp/$sem.log" | sort -n | tail -n 1)
echo "(at most $most of the 4 jobs ran at once)"
[ "$most" -le 2 ]
run semop --stat --unlink "$sem"
