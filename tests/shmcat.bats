#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# shmcat: copying POSIX objects and System V segments, -w, -L, bad input.

load lib/common
load lib/waiting

setup() {
	N=$(uniq_name shmcat)			# POSIX object name
	K=$(printf 'key:0x%x' $((0x5c000000 + ($$ % 65536) * 256 + BATS_TEST_NUMBER)))
	LK=$(printf 'key:0x%x' $((0x5d000000 + ($$ % 65536) * 256 + BATS_TEST_NUMBER)))
	cleanup_add rm -f "/dev/shm/$N" "/dev/shm/sem.$N"
	cleanup_add ipcrm -M "${K#key:}"
	cleanup_add ipcrm -S "${LK#key:}"
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/shmcat-$$-XXXXXX")
	chmod 755 "$TMP"
	cleanup_add rm -rf "$TMP"
}

# Whether exactly $1 processes wait to take the -L semaphore $LK.
lock_waiters() {
	local id
	id=$(semop --stat "$LK" | sed -n 's/^id=//p')
	[[ $(ipcs -s -i "$id" | awk '$1 == "0" { print $3 }') == "$1" ]]
}

# Whether the pipe behind FIFO $1 is full (FIONREAD is its capacity).
pipe_full() {
	python3 -c '
import array, fcntl, os, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
n = array.array("i", [0])
fcntl.ioctl(fd, termios.FIONREAD, n)
sys.exit(0 if n[0] >= fcntl.fcntl(fd, 1032) else 1)  # F_GETPIPE_SZ' "$1"
}

# Start shmcat "$@" in the background, writing into $TMP/fifo, which this
# shell holds open for reading on $rfd and never drains; wait until
# shmcat has filled the pipe and sleeps in the middle of the copy.  Then
# take 64 KiB, so that shmcat's next write(2) has moved some bytes when a
# signal interrupts it.  Sets pid.
start_stuck_copy() {
	[[ -p $TMP/fifo ]] || mkfifo "$TMP/fifo"
	exec {rfd}<>"$TMP/fifo"
	cleanup_add eval "exec $rfd<&-"
	"${DEFAULT_SIGNALS[@]}" shmcat "$@" >"$TMP/fifo" &
	pid=$!
	cleanup_add kill -KILL "$pid"	# should it fail to obey TERM
	wait_until pipe_full "$TMP/fifo"
	dd bs=64K count=1 iflag=fullblock status=none <&"$rfd" >/dev/null
	wait_until pipe_full "$TMP/fifo"
	wait_until blocked "$pid"
}

shm_exists() { ipcs -m | awk -v k="$(printf '0x%08x' "${K#key:}")" '$1 == k { f = 1 } END { exit !f }'; }

@test "--help shows the synopsis; -V the version" {
	run shmcat --help
	assert_status_msg 0 'Usage: shmcat \[OPTION\]\.\.\. SHM\.\.\.'
	[[ $output == *"shmcat -w [OPTION]... SHM"* ]]
	run shmcat -V
	assert_status_msg 0 "^shmcat \\(ipcutils\\) $IPCU_VERSION\$"
}

@test "POSIX: write with -c, read back exactly, windows and '-'" {
	printf 'hello world\n' | shmcat -w -c "$N"
	[[ $(stat -c %a "/dev/shm/$N") == 600 ]]
	run shmcat "$N"
	[[ $output == "hello world" ]]
	run shmcat -o 6 -s 5 "$N"
	[[ $output == "world" ]]
	run bash -c "echo middle | shmcat '$N' - '/$N'"
	[[ $output == $'hello world\nmiddle\nhello world' ]]
	# Through a pipe (splice) the bytes are the same.
	[[ $(shmcat "$N" | od -An -tx1 | tr -d ' \n') == 68656c6c6f20776f726c640a ]]
}

@test "POSIX -w grows to fit; --truncate makes it exact" {
	printf 'abcdefgh' | shmcat -w -c "$N"
	printf 'XY' | shmcat -w "$N"
	run shmcat "$N"
	[[ $output == "XYcdefgh" ]]
	printf '12345' | shmcat -w -o 6 "$N"
	run shmcat "$N"
	[[ $output == "XYcdef12345" ]]
	printf 'Z' | shmcat -w --truncate -o 1 "$N"
	run shmcat "$N"
	[[ $output == "XZ" ]]
	[[ $(stat -c %s "/dev/shm/$N") -eq 2 ]]
}

@test "an empty object is empty output" {
	shmcat -w -c "$N" < /dev/null
	run shmcat "$N"
	assert_status_msg 0
	[[ -z $output ]]
	run shmcat -o 0 "$N"
	assert_status_msg 0
}

@test "bad input: offsets, sizes, negative numbers exit 2 or 1" {
	printf 'abc' | shmcat -w -c "$N"
	run shmcat -o 4 "$N"
	assert_status_msg 1 "shmcat: $N: offset 4 is beyond the end \\(3 bytes\\)"
	run shmcat -s 99999999999G "$N"
	assert_status_msg 2 "-s: size out of range: '99999999999G'"
	run shmcat -o -1 "$N"
	assert_status_msg 2 "-o: invalid size: '-1'"
	run shmcat -s -5 "$N"
	assert_status_msg 2 "-s: invalid size: '-5'"
	run shmcat --bogus "$N"
	assert_status_msg 2 "bogus.*Try 'shmcat --help'"
	run shmcat
	assert_status_msg 2 "missing SHM operand"
	run shmcat --truncate "$N"
	assert_status_msg 2 "--truncate needs -w"
	run shmcat 'a/b'
	assert_status_msg 2 "invalid object 'a/b'"
}

@test "a missing object, without -c, is exit 1 and creates nothing" {
	run shmcat "$N"
	assert_status_msg 1 "shmcat: $N: no such object"
	run bash -c "echo x | shmcat -w '$N'"
	assert_status_msg 1 "shmcat: $N: no such object \\(use -c"
	[[ ! -e /dev/shm/$N ]]
	run shmcat "$K"
	assert_status_msg 1 "shmcat: $K: no such segment"
	run shmcat id:2147483000
	assert_status_msg 1 "id:2147483000: no such segment"
}

@test "System V: -c needs --size; create, read, stat" {
	run bash -c "echo x | shmcat -w -c '$K'"
	assert_status_msg 2 "-c needs --size"
	run ! shm_exists
	printf 'sysv\n' | shmcat -w -c -s 8 "$K"
	run bash -c "shmcat '$K' | od -An -c | tr -s ' '"
	[[ $output == " s y s v \\n \\0 \\0 \\0" ]]
	run shmcat --stat "$K"
	[[ $output == *$'\nsize=8\n'* && $output == *"mode=0600"* ]]
	[[ $output == *"nattch=0"* && $output == *"owner=root"* || $(id -u) -ne 0 ]]
	[[ $output == *"atime="* && $output == *"dtime="* && $output == *"ctime="* ]]
}

@test "System V: input larger than the segment is exit 1 naming both" {
	printf '0123456789' | shmcat -w -c -s 10 "$K"
	seq 100 > "$TMP/in"		# 292 bytes, a regular file
	run bash -c "shmcat -w '$K' < '$TMP/in'"
	assert_status_msg 1 "input is 292 bytes; the segment holds 10"
	run shmcat "$K"
	[[ $output == 0123456789 ]]	# checked before writing a byte
	run bash -c "seq 100 | shmcat -w '$K'"
	assert_status_msg 1 "input is 292 bytes; the segment holds 10"
	run shmcat "$K"
	[[ $output == $'1\n2\n3\n4\n5' ]]	# a pipe: the first 10 bytes
	run bash -c "printf ab | shmcat -w -o 11 '$K'"
	assert_status_msg 1 "offset 11 is beyond the end \\(10 bytes\\)"
	run bash -c "printf x | shmcat -w --truncate '$K'"
	assert_status_msg 2 "cannot be resized"
}

@test "reading changes nothing: System V attached SHM_RDONLY" {
	printf 'ro' | shmcat -w -c -s 2 "$K"
	run env ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=shmat shmcat "$K"
	[[ $output == *"SHM_RDONLY"* ]]
	printf 'ro' | shmcat -w -c "$N"
	before=$(stat -c '%s %Y %a' "/dev/shm/$N")
	run env ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=openat shmcat "$N"
	[[ $output == *"/dev/shm/$N\", O_RDONLY"* ]]
	[[ $(stat -c '%s %Y %a' "/dev/shm/$N") == "$before" ]]
}

@test "no read permission, as an unprivileged user, is exit 1" {
	require_root
	printf 'secret' | shmcat -w -c "$N"
	printf 'secret' | shmcat -w -c -s 6 "$K"
	run setpriv --reuid=65534 --regid=65534 --clear-groups shmcat "$N"
	assert_status_msg 1 "shmcat: $N: Permission denied"
	run setpriv --reuid=65534 --regid=65534 --clear-groups shmcat "$K"
	assert_status_msg 1 "shmcat: $K: Permission denied"
	[[ $output != *secret* ]]
}

@test "an object shrunk during the copy ends it cleanly" {
	shmcat -w -c -s 64M "$N" < /dev/null
	# Read 4 KiB, shrink the object to 1 MiB while shmcat waits on the
	# pipe, then take the rest: no SIGBUS, exit 0, fewer bytes.
	run bash -c "shmcat '$N' | { dd bs=4096 count=1 status=none >/dev/null
		truncate -s 1M '/dev/shm/$N'; wc -c; }; echo status=\${PIPESTATUS[0]}"
	[[ ${lines[1]} == status=0 ]]
	((${lines[0]} < 64 * 1024 * 1024 - 4096))
}

@test "memory stays flat: a 4 GiB object through a pipe" {
	truncate -s 4G "/dev/shm/$N"	# sparse: no RAM used
	mkfifo "$TMP/fifo"
	shmcat "$N" > "$TMP/fifo" &
	pid=$!
	cleanup_kill "$pid"
	{
		head -c 3G > /dev/null
		awk '/VmHWM/ { print $2 }' "/proc/$pid/status" > "$TMP/hwm"
		wc -c > "$TMP/rest"
	} < "$TMP/fifo"
	wait "$pid"
	echo "peak RSS $(cat "$TMP/hwm") KiB"
	limit=4096			# KiB; ASan's runtime alone takes more
	grep -q __asan_init "$(command -v shmcat)" && limit=65536
	(($(cat "$TMP/hwm") < limit))
	(($(cat "$TMP/rest") == 1024 * 1024 * 1024))
}

@test "System V memory stays flat: pages dropped behind the copy" {
	shmcat -w -c -s 64M "$K" < /dev/null
	mkfifo "$TMP/fifo"
	shmcat "$K" > "$TMP/fifo" &
	pid=$!
	cleanup_kill "$pid"
	{
		head -c 48M > /dev/null
		awk '/VmRSS/ { print $2 }' "/proc/$pid/status" > "$TMP/rss"
		cat > /dev/null
	} < "$TMP/fifo"
	wait "$pid"
	echo "RSS $(cat "$TMP/rss") KiB"
	(($(cat "$TMP/rss") < 24 * 1024))
}

@test "--stat for POSIX; --unlink after the copy, or with -s 0 alone" {
	printf 'abc' | shmcat -w -c --mode 0640 "$N"
	run shmcat --stat "$N"
	assert_status_msg 0
	[[ $output == *"name=/$N"* && $output == *$'\nsize=3\n'* ]]
	[[ $output == *"mode=0640"* && $output == *"uid=$(id -u)"* ]]
	run shmcat --unlink "$N"
	[[ $output == abc ]]
	[[ ! -e /dev/shm/$N ]]
	printf 'x' | shmcat -w -c -s 1 "$K"
	run shmcat --unlink -s 0 "$K"
	assert_status_msg 0
	[[ -z $output ]]
	run ! shm_exists
}

@test "--unlink into a pipe removes only what the reader read: head -c 10 keeps it (SIGPIPE), a slow reader gets it all" {
	head -c 300000 /dev/urandom >"$TMP/data"
	for obj in "$N" "$K"; do
		shmcat -w -c -s 300000 "$obj" <"$TMP/data"
		run bash -c 'shmcat --unlink "$1" | head -c 10 >/dev/null
			echo "${PIPESTATUS[0]}"' _ "$obj"
		[[ $output == 141 ]] || { echo "$obj: status $output" >&2; return 1; }
		shmcat --stat "$obj" >/dev/null ||
			{ echo "$obj: removed unread" >&2; return 1; }
		# A reader that takes its time reads it all; then it goes.
		run bash -c 'shmcat --unlink "$1" | { sleep 0.5; cat; } >"$2"
			echo "${PIPESTATUS[0]}"' _ "$obj" "$TMP/out"
		[[ $output == 0 ]]
		cmp "$TMP/data" "$TMP/out"
		run ! shmcat --stat "$obj"
	done
	# With SIGPIPE ignored, the reader leaving early is a write error;
	# the object stays.
	shmcat -w -c -s 300000 "$N" <"$TMP/data"
	run bash -c 'trap "" PIPE; shmcat --unlink "$1" 2>"$2" | head -c 10 >/dev/null
		echo "${PIPESTATUS[0]}"' _ "$N" "$TMP/err"
	[[ $output == 1 ]]
	grep -q 'write error: Broken pipe' "$TMP/err"
	shmcat --stat "$N" >/dev/null
}

@test "a full or closed standard output is exit 1" {
	printf 'data' | shmcat -w -c "$N"
	printf 'data' | shmcat -w -c -s 4 "$K"
	for obj in "$N" "$K"; do
		run bash -c "shmcat '$obj' > /dev/full"
		assert_status_msg 1 "write error"
		run bash -c "shmcat '$obj' >&-"
		assert_status_msg 1 "write error"
	done
}

# Run "$@" with standard output a non-blocking pipe that a slow reader
# drains, so writes come up short and fail with EAGAIN for real.
slow_nonblocking_reader() {
	python3 -c '
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen(sys.argv[1:], stdout=w)
os.close(w)
out = bytearray()
while True:
    time.sleep(0.002)
    chunk = os.read(r, 50000)
    if not chunk:
        break
    out += chunk
sys.stdout.buffer.write(out)
sys.exit(p.wait())' "$@"
}

@test "short writes and EAGAIN on standard output are retried" {
	head -c 600000 /dev/urandom > "$TMP/in"
	shmcat -w -c -s 600000 "$K" < "$TMP/in"
	shmcat -w -c "$N" < "$TMP/in"
	for args in "$K" "$N" "-L $LK -c $N"; do
		slow_nonblocking_reader shmcat $args > "$TMP/out"
		cmp "$TMP/out" "$TMP/in"
	done
	run bash -c "env ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e inject=write:error=EAGAIN:when=1 \
		shmcat '$K' | cmp - '$TMP/in'"
	assert_status_msg 0
	run bash -c "env ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e inject=splice:error=EAGAIN:when=1 \
		shmcat '$N' | cmp - '$TMP/in'"
	assert_status_msg 0
	run bash -c "env ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e inject=write:error=EINTR:when=1 \
		shmcat -c -L '$LK' '$N' | cmp - '$TMP/in'"
	assert_status_msg 0
}

@test "-L: the lock is held for the copy; -t bounds the wait" {
	printf 'v1' | shmcat -w -c "$N"
	semop -c 0 "$LK"			# nobody may take it
	run shmcat -L "$LK" -t 0.2 "$N"
	assert_status_msg 124
	[[ -z $output ]]
	semop "$LK" post
	run shmcat -L "$LK" "$N"
	assert_status_msg 0
	[[ $output == v1 ]]
	run semop "$LK" get
	[[ $output == 1 ]]
	run shmcat -L "$N.lock" "$N"
	assert_status_msg 1 "no such semaphore"
	cleanup_add rm -f "/dev/shm/sem.$N.lock"
	run shmcat -c -L "$N.lock" "$N"
	[[ $output == v1 && -e /dev/shm/sem.$N.lock ]]
}

@test "-L: 500 racing writes and reads, every read one whole version" {
	head -c 262144 /dev/zero | tr '\0' a > "$TMP/a"
	head -c 262144 /dev/zero | tr '\0' b > "$TMP/b"
	shmcat -w -c -L "$LK" "$N" < "$TMP/a"
	good=" $(md5sum < "$TMP/a") $(md5sum < "$TMP/b") "
	(for i in $(seq 250); do
		shmcat -w -L "$LK" "$N" < "$TMP/b"
		shmcat -w -L "$LK" "$N" < "$TMP/a"
	done) &
	writer=$!
	cleanup_kill "$writer"
	bad=0
	for i in $(seq 500); do
		sum=$(shmcat -L "$LK" "$N" | md5sum)
		[[ $good == *" $sum "* ]] || bad=$((bad + 1))
	done
	wait "$writer"
	echo "torn reads: $bad"
	((bad == 0))
}

@test "man page EXAMPLES: producer and consumer under a lock; a snapshot" {
	# Producer: publish a status record under the lock.
	date +%s | shmcat -w -c --truncate -L "$LK" "$N"
	# Consumer: read one whole version.
	run shmcat -L "$LK" "$N"
	[[ $output =~ ^[0-9]+$ ]]
	# Snapshot of a System V segment for debugging.
	printf 'state' | shmcat -w -c -s 64 "$K"
	shmcat "$K" > "$TMP/snap.bin"
	[[ $(stat -c %s "$TMP/snap.bin") -eq 64 ]]
	run bash -c "shmcat -s 16 '$K' | od -A x -t x1z | head -1"
	[[ $output == "000000 73 74 61 74 65 00"* ]]
	run shmcat --stat "$K"
	[[ $output == *"size=64"* ]]
	# Fill a new 1 MiB System V segment from a file.
	ipcrm -M "${K#key:}"
	head -c 1000 /dev/urandom > "$TMP/table.bin"
	shmcat -w -c -s 1M "$K" < "$TMP/table.bin"
	[[ $(shmcat "$K" | wc -c) -eq 1048576 ]]
	cmp <(shmcat -s 1000 "$K") "$TMP/table.bin"
}

@test "bash completion offers options and existing objects" {
	printf x | shmcat -w -c "$N"
	run bash -c "source '$IPCU_SRCDIR/completions/common.bash'
		source '$IPCU_SRCDIR/completions/shmcat.bash'
		COMP_WORDS=(shmcat '${N:0:10}'); COMP_CWORD=1; _ipcu_shmcat
		echo \"\${COMPREPLY[*]}\"
		COMP_WORDS=(shmcat --tru); COMP_CWORD=1; _ipcu_shmcat
		echo \"\${COMPREPLY[*]}\""
	[[ ${lines[0]} == *"$N"* && ${lines[1]} == --truncate ]]
}

@test "like cat, a bad operand is reported and the others still copied" {
	printf 'one\n' | shmcat -w -c "$N"
	run shmcat "$N" "$N.missing" "$N"
	assert_status_msg 1 "shmcat: $N.missing: no such object"
	[[ $output == $'one\nshmcat: '"$N.missing"$': no such object\none' ]]
	run bash -c "shmcat '$K' '$N' 2>/dev/null"
	assert_status_msg 1
	[[ $output == one ]]
}

@test "-L: INT, TERM, HUP in the middle of a copy into a slow reader end it; the lock comes back" {
	head -c 4M /dev/zero | shmcat -w -c "$N"
	head -c 4M /dev/zero | shmcat -w -c -s 4M "$K"
	semop -c 1 "$N.lock"
	cleanup_add rm -f "/dev/shm/sem.$N.lock"
	semop -c 1 "$LK"
	for lock in "$LK" "$N.lock"; do
		for obj in "$N" "$K"; do
			for sig in INT TERM HUP; do
				start_stuck_copy -L "$lock" "$obj"
				run semop "$lock" get
				[[ $output == 0 ]]
				assert_ends_on "$pid" "$sig" $((128 + $(kill -l "$sig")))
				exec {rfd}<&-
				run semop "$lock" get
				[[ $output == 1 ]]
			done
		done
	done
}

@test "INT, TERM, HUP in the middle of a copy without a lock end it" {
	head -c 4M /dev/zero | shmcat -w -c "$N"
	head -c 4M /dev/zero | shmcat -w -c -s 4M "$K"
	for obj in "$N" "$K"; do
		for sig in INT TERM HUP; do
			start_stuck_copy "$obj"
			assert_ends_on "$pid" "$sig" $((128 + $(kill -l "$sig")))
			exec {rfd}<&-
		done
	done
}

@test "waiting for the -L lock: INT, TERM, HUP end shmcat; nothing copied" {
	printf 'data' | shmcat -w -c "$N"
	semop -c 0 "$LK"
	semop -c 0 "$N.lock"
	cleanup_add rm -f "/dev/shm/sem.$N.lock"
	for sig in INT TERM HUP; do
		"${DEFAULT_SIGNALS[@]}" shmcat -L "$LK" "$N" >"$TMP/out" &
		pid=$!
		cleanup_kill "$pid"
		wait_until lock_waiters 1
		assert_ends_on "$pid" "$sig" $((128 + $(kill -l "$sig")))
		"${DEFAULT_SIGNALS[@]}" shmcat -w -L "$N.lock" "$N" < /dev/null &
		pid=$!
		cleanup_kill "$pid"
		wait_until blocked "$pid" futex
		assert_ends_on "$pid" "$sig" $((128 + $(kill -l "$sig")))
	done
	[[ ! -s $TMP/out && $(shmcat "$N") == data ]]
	run semop "$LK" get
	[[ $output == 0 ]]
	run semop "$N.lock" get
	[[ $output == 0 ]]
}

@test "-w waiting for standard input: INT, TERM, HUP end shmcat; the lock comes back" {
	printf 'old' | shmcat -w -c "$N"
	printf 'old' | shmcat -w -c -s 3 "$K"
	semop -c 1 "$LK"
	mkfifo "$TMP/in"
	exec {wfd}<>"$TMP/in"
	cleanup_add eval "exec $wfd<&-"
	for obj in "$N" "$K"; do
		for lock in "" "-L $LK"; do
			for sig in INT TERM HUP; do
				"${DEFAULT_SIGNALS[@]}" shmcat -w $lock "$obj" <"$TMP/in" &
				pid=$!
				cleanup_kill "$pid"
				wait_until blocked "$pid"
				[[ -z $lock ]] || wait_until bash -c "[[ \$(semop '$LK' get) == 0 ]]"
				assert_ends_on "$pid" "$sig" $((128 + $(kill -l "$sig")))
			done
		done
		[[ $(shmcat "$obj") == old ]]
	done
	run semop "$LK" get
	[[ $output == 1 ]]
}

@test "-L keeps a signal ignored at start ignored (nohup, a script's & job)" {
	head -c 4M /dev/zero | shmcat -w -c "$N"
	semop -c 1 "$LK"
	mkfifo "$TMP/fifo"
	exec {rfd}<>"$TMP/fifo"
	cleanup_add eval "exec $rfd<&-"
	# A & job of a non-interactive shell starts with INT ignored; nohup
	# ignores HUP.
	bash -c 'trap "" HUP; exec shmcat -L "$0" "$1"' "$LK" "$N" >"$TMP/fifo" &
	pid=$!
	cleanup_add kill -KILL "$pid"	# should it fail to obey TERM
	wait_until pipe_full "$TMP/fifo"
	wait_until blocked "$pid"
	ign=$(awk '$1 == "SigIgn:" { print $2 }' "/proc/$pid/status")
	echo "SigIgn: $ign"
	(((0x$ign >> 1) & 1))		# INT (2) still ignored
	(((0x$ign >> 0) & 1))		# HUP (1) still ignored
	assert_ends_on "$pid" TERM 143
	run semop "$LK" get
	[[ $output == 1 ]]
}

@test "a waiting shmcat uses no CPU: for the lock, a slow reader, its input" {
	head -c 4M /dev/zero | shmcat -w -c "$N"
	semop -c 1 "$LK"
	start_stuck_copy -L "$LK" "$N"		# holds the lock, reader stalled
	pids=("$pid")
	"${DEFAULT_SIGNALS[@]}" shmcat -L "$LK" "$N" >/dev/null &
	pids+=($!)				# waits for the lock
	cleanup_kill "$!"
	mkfifo "$TMP/in"
	exec {wfd}<>"$TMP/in"
	cleanup_add eval "exec $wfd<&-"
	"${DEFAULT_SIGNALS[@]}" shmcat -w "$N.w" -c <"$TMP/in" &
	pids+=($!)				# waits for input
	cleanup_kill "$!"
	cleanup_add rm -f "/dev/shm/$N.w"
	wait_until lock_waiters 1
	for p in "${pids[@]}"; do wait_until blocked "$p"; done
	idle "${pids[@]}"
}

@test "a closed standard input or output is an error that changes nothing" {
	printf 'keep' | shmcat -w -c "$N"
	run bash -c "shmcat -w '$N' <&-"
	assert_status_msg 1 "shmcat: standard input: Bad file descriptor"
	[[ $(shmcat "$N") == keep ]]
	run bash -c "shmcat -w -c '$N.new' <&-"
	assert_status_msg 1 "standard input: Bad file descriptor"
	[[ ! -e /dev/shm/$N.new ]]
	run bash -c "shmcat -w -c -s 8 '$K' <&-"
	assert_status_msg 1 "standard input: Bad file descriptor"
	run shm_exists
	assert_status_msg 1
	run bash -c "shmcat '$N' - <&-"
	assert_status_msg 1 "standard input: Bad file descriptor"
	[[ $output != *keep* ]]
	run bash -c "shmcat -c -L '$LK' '$N' >&-"
	assert_status_msg 1 "shmcat: write error: Bad file descriptor"
	run semop "$LK" get
	assert_status_msg 1 "no such semaphore"	# -c made no lock
}
