#!/bin/bash
# SPDX-License-Identifier: MIT
# Run one command in private IPC, mount and PID namespaces and report what
# it left behind.  Call as root through
#   IPCU_ISOLATED_DIR=DIR unshare -imp --fork --mount-proc --kill-child \
#       bash isolated.sh CMD [ARG]...
# The command runs in an empty working directory on its own tmpfs, with a
# private /dev/shm and a private mqueue mount, standard input "hello\n",
# and at most IPCU_ISOLATED_TIMEOUT (default 10) seconds.  Prints
#   rc=N
#   <the command's standard output and error>
#   left: <line>      one per queue, shm/sem file, System V object, file
#                     or process present after but not before
# Everything it made vanishes with the namespaces; the host's /dev/shm is
# not touched (a private tmpfs is mounted over it here).
set -u
# IPCU_ISOLATED_DIR: an empty directory (the caller's, which it removes)
# for a private tmpfs holding the mqueue mount and the working directory.
top=${IPCU_ISOLATED_DIR:?}
mount -t tmpfs -o size=4m none "$top" || exit 3
mkdir "$top/mq" "$top/cwd" || exit 3
mount -t mqueue none "$top/mq" || exit 3
mount -t tmpfs -o size=4m none /dev/shm || exit 3

# Print one line per object or process that exists now.
snapshot() {
	local p
	for p in "$top"/mq/* "$top"/mq/.[!.]*; do [[ -e $p ]] && echo "mqueue ${p##*/}"; done
	for p in /dev/shm/* /dev/shm/.[!.]*; do [[ -e $p ]] && echo "shm ${p##*/}"; done
	for p in "$top"/cwd/* "$top"/cwd/.[!.]*; do [[ -e $p || -L $p ]] && echo "file ${p##*/}"; done
	ipcs -a | awk '/^0x/ { print "sysv", $1, $2 }'
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[[ $p == 1 ]] && continue
		[[ -r /proc/$p/cmdline ]] || continue
		echo "process $p $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)"
	done
}

cd "$top/cwd" || exit 3
snapshot >"$top/before" 2>/dev/null
# The snapshot's own processes are gone; drop them from the picture.
grep -v '^process ' "$top/before" >"$top/before.x"; mv "$top/before.x" "$top/before"
printf 'hello\n' | timeout -k 1 "${IPCU_ISOLATED_TIMEOUT:-10}" "$@" >"$top/out" 2>&1
rc=$?
snapshot >"$top/after.raw" 2>/dev/null
grep -v -e '^process [0-9]* ipcs' -e '^process [0-9]* awk' \
	-e '^process [0-9]* tr' "$top/after.raw" >"$top/after"
echo "rc=$rc"
cat "$top/out"
diff "$top/before" "$top/after" | sed -n 's/^> /left: /p'
exit 0
