#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Security properties across the tools: every kind of object a tool
# creates is mode 0600 unless --mode asks otherwise, whatever the umask,
# and an existing object is never widened; no tool runs a shell unless
# told; rawping holds no capability once it runs.  (PIE, RELRO, BIND_NOW
# and the stack protector are checked in tools.bats.)  System V objects
# are made in a private IPC namespace where root, so `ipcs` shows only
# ours.

bats_require_minimum_version 1.5.0

load lib/common

setup() {
	p=$(uniq_name hbsec)
	k=$((0x4a000 + $$ % 4096))
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
}

# Print the octal permissions of System V object KIND (q, m, s) with key $2.
sysv_perms() {
	ipcs -"$1" | awk -v key="$(printf '0x%08x' "$2")" '$1 == key { print $4 }'
}

# Create every kind of object with the tools, then print "kind mode" lines.
# Runs in private IPC and mount namespaces with an mqueue mount, so the
# POSIX queue's mode is read from the file system, not from the tool.
modes_of_created() {
	unshare -im bash -c '
		set -e
		umask "$1"; p=$2; k=$3; shift 3
		mkdir -p /tmp/hbsec-mq.$$ && mount -t mqueue none /tmp/hbsec-mq.$$
		mqsend -c "$@" "/$p" x
		mqsend -c "$@" "key:$k" x
		echo hi | shmcat -w -c "$@" "/$p"
		echo hi | shmcat -w -c -s 4K "$@" "key:$k"
		semop -c "$@" "/$p" get >/dev/null
		semop -c "$@" "key:$k" get >/dev/null
		echo "mq-posix $(stat -c %a /tmp/hbsec-mq.$$/$p)"
		ipcs -q | awk -v key=$(printf "0x%08x" $k) "\$1 == key { print \"mq-sysv\", \$4 }"
		echo "shm-posix $(stat -c %a /dev/shm/$p)"
		ipcs -m | awk -v key=$(printf "0x%08x" $k) "\$1 == key { print \"shm-sysv\", \$4 }"
		echo "sem-posix $(stat -c %a /dev/shm/sem.$p)"
		ipcs -s | awk -v key=$(printf "0x%08x" $k) "\$1 == key { print \"sem-sysv\", \$4 }"
		rm -f /dev/shm/$p /dev/shm/sem.$p
		umount /tmp/hbsec-mq.$$; rmdir /tmp/hbsec-mq.$$' _ "$@"
}

@test "every kind of created object is 0600 by default, whatever the umask" {
	require_root
	local want=$'mq-posix 600\nmq-sysv 600\nshm-posix 600\nshm-sysv 600\nsem-posix 600\nsem-sysv 600'
	cleanup_add rm -f "/dev/shm/$p" "/dev/shm/sem.$p"
	run modes_of_created 000 "$p" "$k"
	echo "$output"
	[[ $status -eq 0 && $output == "$want" ]]
	run modes_of_created 077 "$p" "$k"
	[[ $status -eq 0 && $output == "$want" ]]
}

@test "--mode is obeyed for every kind of object" {
	require_root
	cleanup_add rm -f "/dev/shm/$p" "/dev/shm/sem.$p"
	run modes_of_created 000 "$p" "$k" --mode=0640
	echo "$output"
	[[ $status -eq 0 && $output == $'mq-posix 640\nmq-sysv 640\nshm-posix 640\nshm-sysv 640\nsem-posix 640\nsem-sysv 640' ]]
}

@test "an existing object is never widened by -c --mode" {
	cleanup_add rm -f "/dev/shm/$p" "/dev/shm/sem.$p"
	cleanup_add mqrecv --unlink --stat "/$p"
	mqsend -c "/$p" x
	mqsend -c --mode=0666 "/$p" y
	run mqrecv --stat "/$p"
	[[ $output == *$'\nmode=0600'* ]]
	echo hi | shmcat -w -c "/$p"
	echo hi | shmcat -w -c --mode=0666 "/$p"
	[[ $(stat -c %a "/dev/shm/$p") == 600 ]]
	semop -c "/$p" get >/dev/null
	semop -c --mode=0666 "/$p" get >/dev/null
	[[ $(stat -c %a "/dev/shm/sem.$p") == 600 ]]
	cleanup_add ipcrm -M "$k"
	echo hi | shmcat -w -c -s 4K "key:$k"
	echo hi | shmcat -w -c -s 4K --mode=0666 "key:$k"
	[[ $(sysv_perms m "$k") == 600 ]]
}

@test "no tool runs a shell: semop -- COMMAND execs it directly" {
	local k2=$((k + 1))
	cleanup_add ipcrm -S "$k2"
	cleanup_add semop --unlink "/$p" get
	run strace -f -qq -e trace=execve -o "$BATS_TEST_TMPDIR/trace" \
	    semop -c "key:$k2" -- true
	[[ $status -eq 0 ]]
	run strace -f -qq -e trace=execve -o "$BATS_TEST_TMPDIR/trace2" \
	    semop -F "key:$k2" -- true
	[[ $status -eq 0 ]]
	run strace -f -qq -e trace=execve -o "$BATS_TEST_TMPDIR/trace3" \
	    semop -c "/$p" -- true
	[[ $status -eq 0 ]]
	cat "$BATS_TEST_TMPDIR"/trace*
	run ! grep -E 'execve\("[^"]*/(ba|da|z|k)?sh"' "$BATS_TEST_TMPDIR"/trace*
	grep -q 'execve("[^"]*/true"' "$BATS_TEST_TMPDIR/trace"
	# Shell syntax is a file name, not a command line.
	cd "$BATS_TEST_TMPDIR"
	run -127 semop "/$p" -- 'touch pwned; true'
	[[ $status -eq 127 && ! -e pwned ]]
}

@test "rawping holds no capability once it runs (file capability, ordinary user)" {
	require_root
	cp "$(command -v rawping)" "$BATS_TEST_TMPDIR/rawping"
	chmod 755 "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/rawping"
	setcap cap_net_raw+ep "$BATS_TEST_TMPDIR/rawping"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$BATS_TEST_TMPDIR/rawping" -c 50 -i 0.05 127.0.0.1 >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	cleanup_kill "$pid"
	wait_until grep -q 'icmp_seq=2 ' "$BATS_TEST_TMPDIR/out"
	grep -E '^Cap(Eff|Prm|Inh|Amb):' "/proc/$pid/status"
	run grep -Ec '^Cap(Eff|Prm|Inh|Amb):[[:space:]]0+$' "/proc/$pid/status"
	[[ $output == 4 ]]
}

@test "rawping run by root keeps no capability either" {
	require_root
	rawping -c 50 -i 0.05 127.0.0.1 >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	cleanup_kill "$pid"
	wait_until grep -q 'icmp_seq=2 ' "$BATS_TEST_TMPDIR/out"
	grep -E '^(Cap(Eff|Prm|Inh|Amb)|NoNewPrivs):' "/proc/$pid/status"
	run grep -Ec '^Cap(Eff|Prm|Inh|Amb):[[:space:]]0+$' "/proc/$pid/status"
	[[ $output == 4 ]]
	grep -Eq '^NoNewPrivs:[[:space:]]1$' "/proc/$pid/status"
}

@test "sockcat: the UNIX socket file is 0600 unless --mode says otherwise" {
	cd "$BATS_TEST_TMPDIR"
	umask 000
	sockcat -l -k unix:s </dev/null >/dev/null &
	cleanup_kill $!
	sockcat -l -k --mode=0660 unix:s2 </dev/null >/dev/null &
	cleanup_kill $!
	wait_until test -S s -a -S s2
	[[ $(stat -c %a s) == 600 && $(stat -c %a s2) == 660 ]]
}

@test "sockcat: a regular file or a symlink at a UNIX socket path is never removed" {
	cd "$BATS_TEST_TMPDIR"
	echo precious >file
	echo target >target
	ln -s target link
	ln -s nowhere dangling
	for path in file link dangling; do
		run timeout 5 sockcat -l "unix:$path" </dev/null
		echo "$path: $status $output"
		[[ $status -eq 1 && $output == "sockcat: "*"$path"* ]]
	done
	[[ -f file && ! -L file && $(cat file) == precious ]]
	[[ -L link && $(readlink link) == target && $(cat target) == target ]]
	[[ -L dangling && $(readlink dangling) == nowhere ]]
	# A socket replaced while the listener runs is not ours: left alone.
	sockcat -l -k unix:s </dev/null >/dev/null &
	local srv=$!
	cleanup_kill "$srv"
	wait_until test -S s
	rm s
	echo mine >s
	kill -TERM "$srv"
	wait "$srv" || true
	[[ -f s && $(cat s) == mine ]]
}

@test "sockcat: -e runs COMMAND without a shell; only --sh-exec uses one" {
	cd "$BATS_TEST_TMPDIR"
	strace -f -qq -e trace=execve -o trace -- sockcat -l -e 'echo hi; touch pwned' unix:e \
	    </dev/null >/dev/null 2>err &
	local srv=$!
	cleanup_kill "$srv"
	wait_until test -S e
	sockcat unix:e </dev/null >/dev/null 2>&1 || true
	wait "$srv" || true
	cat trace
	run ! grep -E 'execve\("[^"]*/(ba|da|z|k)?sh"' trace
	grep -q 'execve("[^"]*/echo", \["echo", "hi;", "touch", "pwned"\]' trace
	[[ ! -e pwned ]]
	# Asked for a shell, it runs one.
	sockcat -l --sh-exec 'echo shell' unix:f </dev/null >/dev/null &
	srv=$!
	cleanup_kill "$srv"
	wait_until test -S f
	run sockcat unix:f </dev/null
	[[ $output == shell ]]
}
