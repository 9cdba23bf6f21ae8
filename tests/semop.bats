#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# semop: POSIX and System V semaphores, OPs, COMMAND mode, undo, timeouts.

load lib/common
load lib/waiting
bats_require_minimum_version 1.5.0

setup() {
	P=$(uniq_name semop)			# POSIX semaphore name
	K=$(printf 'key:0x%x' $((0x5e000000 + ($$ % 65536) * 256 + BATS_TEST_NUMBER)))
	cleanup_add rm -f "/dev/shm/sem.$P"
	cleanup_add ipcrm -S "${K#key:}"
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/semop-$$-XXXXXX")
	cleanup_add rm -rf "$TMP"
}

sysv_exists() { ipcs -s | awk -v k="$(printf '0x%08x' "${K#key:}")" '$1 == k { f = 1 } END { exit !f }'; }

# Whether exactly $1 processes wait to take from semaphore 0 of $K.
waiters() {
	local id
	id=$(semop --stat "$K" | sed -n 's/^id=//p')
	[[ $(ipcs -s -i "$id" | awk '$1 == "0" { print $3 }') == "$1" ]]
}

# Start semop "$@" in the background with INT, TERM and HUP at their
# default action; sets pid (semop's own).
start_semop() {
	"${DEFAULT_SIGNALS[@]}" semop "$@" &
	pid=$!
	cleanup_kill "$pid"
}

@test "--help shows the synopsis; -V the version" {
	run semop --help
	assert_status_msg 0 'Usage: semop \[OPTION\]\.\.\. SEM \[OP\]\.\.\.'
	[[ $output == *"semop [OPTION]... SEM -- COMMAND [ARG]..."* ]]
	run semop -V
	assert_status_msg 0 "^semop \\(ipcutils\\) $IPCU_VERSION\$"
}

@test "unknown option and bad values exit 2" {
	run semop --bogus "$P" get
	assert_status_msg 2 "bogus.*Try 'semop --help'"
	run semop -t soon "$P" get
	assert_status_msg 2 "-t: invalid duration: 'soon'"
	run semop --mode 0999 -c "$P"
	assert_status_msg 2 "--mode: invalid mode"
	run semop -E 256 "$P" get
	assert_status_msg 2 "-E: '256' is out of range"
	run semop "$P"
	assert_status_msg 2 "missing OP or COMMAND"
	run semop -c "$P" -- 
	assert_status_msg 2 "missing COMMAND"
	[[ ! -e /dev/shm/sem.$P ]]
}

@test "a missing semaphore is exit 1 naming it" {
	run semop "$P" get
	assert_status_msg 1 "semop: $P: no such semaphore"
	run semop "$K" get
	assert_status_msg 1 "semop: $K: no such semaphore"
}

@test "POSIX: create, wait, post, get with exact output" {
	run semop -c 2 "$P" get wait get post post get
	assert_status_msg 0
	[[ $output == $'2\n1\n3' ]]
	[[ $(stat -c %a "/dev/shm/sem.$P") == 600 ]]
	run semop -c 7 "$P" get
	[[ $output == 3 ]]		# exists: the value is left alone
}

@test "-c takes VALUE attached, as the next word, or bundled as -vc N; any other word is SEM" {
	run semop -vc 3 "$P" get
	assert_status_msg 0 '^3$'
	run semop -c4 "$K" get
	assert_status_msg 0 '^4$'
	semop --unlink "$P"
	run semop -c "$P" get
	assert_status_msg 0 '^1$'
	run semop "$P" -c 5 get
	assert_status_msg 0 '^1$'		# exists: the value is left alone
	semop --unlink "$P"
	run semop --create 2 "$P" -- semop "$P" get
	assert_status_msg 0 '^1$'		# the unit is COMMAND's
	run semop -c 3x "$P" get
	assert_status_msg 2 "-c: invalid value '3x'"
}

@test "System V: an atomic list in one semop(2)" {
	semop --nsems 3 -c 0 "$K"
	run env ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=semop,semtimedop semop "$K" 0:+2 1:+1 2:0 get
	assert_status_msg 0 '2 1 0'
	[[ $(grep -c 'semop(\|semtimedop(' <<<"$output") -eq 1 ]]
	run semop -t 0 "$K" 0:-1 1:-5
	assert_status_msg 124
	run semop "$K" get
	[[ $output == "2 1 0" ]]	# nothing taken from semaphore 0 either
	run semop "$K" 0:-2 1:-1 get
	[[ $output == "0 0 0" ]]
}

@test "bad OPs exit 2 and change nothing" {
	semop -c 1 "$K"
	run semop "$K" post 3:+x
	assert_status_msg 2 "invalid OP '3:\\+x'"
	run semop "$K" post 3:+1
	assert_status_msg 2 "OP '3:\\+1': semaphore 3 is out of range"
	run semop "$K" 0:+40000
	assert_status_msg 2 "40000 is over the largest semaphore value 32767"
	run semop "$K" jump
	assert_status_msg 2 "invalid OP 'jump'"
	run semop "$K" $(for i in $(seq 501); do echo 0:+1; done)
	assert_status_msg 2 "501 operations in one atomic run.*SEMOPM"
	run semop "$K" get
	[[ $output == 1 ]]
	run semop -c "$P" zero
	assert_status_msg 2 "OP 'zero' needs a System V"
	run semop -c "$P" 0:+1
	assert_status_msg 2 "needs a System V"
	run semop -c 2147483648 "$P" get
	assert_status_msg 2 "-c: invalid value '2147483648'"
	run semop -c 40000 "$K" get
	assert_status_msg 2 "-c: invalid value '40000'"
	run semop "$(printf 'x%.0s' $(seq 252))" get
	assert_status_msg 2 "name longer than 251 bytes"
	[[ ! -e /dev/shm/sem.$P ]]
}

@test "a timeout exits 124 and changes nothing" {
	semop -c 0 "$P"
	run semop -t 0.2 "$P" wait
	assert_status_msg 124
	run semop -t 0 -E 3 "$P" wait
	assert_status_msg 3
	run semop -t 0.1 "$P" -- touch "$TMP/ran"
	assert_status_msg 124
	[[ ! -e $TMP/ran ]]
	run semop "$P" get
	[[ $output == 0 ]]
	semop -c 1 "$K" wait
	run semop -v -t 0.1 "$K" -- true
	assert_status_msg 124 "timed out"
	run semop "$K" get
	[[ $output == 0 ]]
}

@test "the wait survives an injected EINTR and -v reports it" {
	semop -c 1 "$K"
	run env ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e inject=semtimedop:error=EINTR:when=1 \
	    semop -v -t 5 "$K" wait get
	assert_status_msg 0 "semop: $K: waited [0-9.]+ s"
	[[ ${lines[-1]} == 0 ]]
}

@test "COMMAND: status passed through, 128+N, 126, 127; released after" {
	semop -c 1 "$K"
	run semop "$K" -- sh -c 'semop "$0" get; exit 7' "$K"
	assert_status_msg 7
	[[ $output == 0 ]]		# held while COMMAND ran
	run semop "$K" -- sh -c 'kill -TERM $$'
	assert_status_msg 143
	run -127 semop "$K" -- "$TMP/none"
	assert_status_msg 127 "none: No such file"
	touch "$TMP/noexec"
	run semop "$K" -- "$TMP/noexec"
	assert_status_msg 126 "Permission denied"
	run semop "$K" get
	[[ $output == 1 ]]
}

@test "SIGTERM is forwarded to COMMAND and the unit comes back" {
	semop -c 1 "$P"
	semop "$P" -- sh -c 'echo $$ > "$0"; exec sleep 30' "$TMP/pid" &
	pid=$!
	cleanup_kill "$pid"
	wait_until test -s "$TMP/pid"
	cleanup_add kill "$(cat "$TMP/pid")"
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	echo "status $status"
	[[ $status -eq 143 ]]
	run semop "$P" get
	[[ $output == 1 ]]
}

@test "12 jobs under -c 3 never run more than 3 at once" {
	mkdir "$TMP/run"
	job() {
		semop -c 3 "$K" -- sh -c '
			touch "$0/run/$$"
			ls "$0/run" | wc -l >> "$0/counts"
			sleep 0.2
			rm "$0/run/$$"' "$TMP"
	}
	pids=()
	for i in $(seq 12); do job & pids+=($!); done
	cleanup_kill "${pids[@]}"
	for p in "${pids[@]}"; do wait "$p"; done
	[[ $(wc -l < "$TMP/counts") -eq 12 ]]
	max=$(sort -n "$TMP/counts" | tail -1)
	echo "most at once: $max"
	((max <= 3 && max >= 2))
	run semop "$K" get
	[[ $output == 3 ]]
}

@test "racing creators: exactly one initialises" {
	pids=()
	for i in $(seq 8); do semop -c 5 "$K" get > "$TMP/out.$i" & pids+=($!); done
	for p in "${pids[@]}"; do wait "$p"; done
	[[ $(cat "$TMP"/out.* | sort -u) == 5 ]]
	run semop "$K" get
	[[ $output == 5 ]]
}

@test "System V: SIGKILL of semop leaves the unit taken until COMMAND ends" {
	semop -c 1 "$K"
	semop "$K" -- sh -c 'echo $$ > "$0"; exec sleep 30' "$TMP/pid" &
	pid=$!
	cleanup_kill "$pid"
	wait_until test -s "$TMP/pid"
	cmd=$(cat "$TMP/pid")
	cleanup_add kill "$cmd"
	kill -KILL "$pid"
	wait "$pid" || true
	run semop "$K" get
	[[ $output == 0 ]]		# COMMAND runs on, and holds the unit
	run semop -t 0.3 "$K" -- touch "$TMP/second"
	assert_status_msg 124		# so a second holder must wait
	[[ ! -e $TMP/second ]]
	kill "$cmd"
	wait_until bash -c "[[ \$(semop '$K' get) == 1 ]]"
}

@test "SIGKILL of COMMAND: semop exits 137 and the unit comes back" {
	for sem in "$K" "$P"; do
		semop -c 1 "$sem"
		rm -f "$TMP/pid"
		semop "$sem" -- sh -c 'echo $$ > "$0"; exec sleep 30' "$TMP/pid" &
		pid=$!
		cleanup_kill "$pid"
		wait_until test -s "$TMP/pid"
		cleanup_add kill "$(cat "$TMP/pid")"
		kill -KILL "$(cat "$TMP/pid")"
		status=0
		wait "$pid" || status=$?
		[[ $status -eq 137 ]]
		run semop "$sem" get
		[[ $output == 1 ]]
	done
}

@test "timeout -s KILL kills the group: the unit comes back with COMMAND" {
	semop -c 1 "$K"
	run timeout -s KILL 0.5 semop "$K" -- sleep 30
	assert_status_msg 137
	wait_until bash -c "[[ \$(semop '$K' get) == 1 ]]"
	# A COMMAND that left the group outlives semop, and holds the unit.
	run timeout -s KILL 0.5 semop "$K" -- setsid sh -c \
	    'echo $$ > "$0"; exec sleep 30 > /dev/null 2>&1' "$TMP/pid"
	assert_status_msg 137
	cmd=$(cat "$TMP/pid")
	cleanup_add kill "$cmd"
	run semop "$K" get
	[[ $output == 0 ]]
	kill "$cmd"
	wait_until bash -c "[[ \$(semop '$K' get) == 1 ]]"
}

@test "SIGKILL of semop waiting for the unit: COMMAND never runs" {
	semop -c 0 "$K"
	semop "$K" -- touch "$TMP/ran" &
	pid=$!
	cleanup_kill "$pid"
	wait_until waiters 1
	kill -KILL "$pid"
	wait "$pid" || true
	wait_until waiters 0		# nobody left waiting to take it
	semop "$K" post
	run semop "$K" get
	[[ $output == 1 && ! -e $TMP/ran ]]
}

@test "COMMAND: -v reports the wait, -t with -E gives the conflict code" {
	semop -c 1 "$K"
	run semop -v "$K" -- sh -c 'semop "$0" get' "$K"
	assert_status_msg 0 "semop: $K: waited [0-9.]+ s"
	[[ ${lines[-1]} == 0 ]]
	semop "$K" wait
	run semop -v -t 0 -E 9 "$K" -- touch "$TMP/ran"
	assert_status_msg 9 "semop: $K: timed out"
	[[ ! -e $TMP/ran ]]
	run semop "$K" get
	[[ $output == 0 ]]
}

@test "-F execs in place and the undo survives exec" {
	semop -c 1 "$K"
	semop -F "$K" -- sh -c 'echo $$ > "$0"; exec sleep 30' "$TMP/pid" &
	pid=$!
	cleanup_kill "$pid"
	wait_until test -s "$TMP/pid"
	[[ $(cat "$TMP/pid") -eq $pid ]]	# no fork: the same process
	run semop "$K" get
	[[ $output == 0 ]]
	kill -KILL "$pid"
	wait_until bash -c "[[ \$(semop '$K' get) == 1 ]]"
	run semop -F "$P" -- true
	assert_status_msg 2 "-F needs a System V semaphore"
}

@test "--stat prints key=value lines; --unlink removes" {
	semop -c 4 --nsems 2 --mode 0640 "$K"
	run semop --stat "$K"
	assert_status_msg 0
	[[ $output == *"nsems=2"* && $output == *"mode=0640"* ]]
	[[ $output == *$'\nvalue=4\n'* && $output == *"value1=4"* ]]
	[[ $output == *"key=$(printf '0x%08x' "${K#key:}")"* ]]
	semop --unlink "$K"
	run ! sysv_exists
	semop -c 0 "$P"
	run semop --stat --unlink "$P"
	[[ $output == *"name=/$P"* && $output == *"value=0"* ]]
	[[ ! -e /dev/shm/sem.$P ]]
}

@test "a full or closed standard output is exit 1" {
	semop -c 1 "$P"
	run bash -c "semop '$P' get > /dev/full"
	assert_status_msg 1 "write error"
	run bash -c "semop '$P' get >&-"
	assert_status_msg 1 "write error"
}

@test "man page EXAMPLES: a shell job pool" {
	# From semop(1): at most 2 of 5 jobs at once across shells.
	for i in 1 2 3 4 5; do
		semop -c 2 "$K" -- sh -c 'echo job "$0"' "$i" &
	done > "$TMP/jobs"
	wait
	[[ $(sort "$TMP/jobs" | tr '\n' ' ') == "job 1 job 2 job 3 job 4 job 5 " ]]
}

@test "man page EXAMPLES: a mutex, a signal, an atomic take" {
	run semop -c -t 10 "$K" -- sh -c 'semop "$0" get' "$K"
	assert_status_msg 0
	[[ $output == 0 ]]
	semop -c 0 "$P" wait > /dev/null && echo go > "$TMP/go" &
	pid=$!
	cleanup_kill "$pid"
	wait_until test -e "/dev/shm/sem.$P"
	semop "$P" post
	wait "$pid"
	[[ $(cat "$TMP/go") == go ]]
	ipcrm -S "${K#key:}"
	semop -c 3 --nsems 2 "$K"
	semop "$K" 0:-2 1:-1
	run semop "$K" get
	[[ $output == "1 2" ]]
}

@test "bash completion offers options, OPs and existing semaphores" {
	semop -c "$P"
	run bash -c "source '$IPCU_SRCDIR/completions/common.bash'
		source '$IPCU_SRCDIR/completions/semop.bash'
		COMP_WORDS=(semop '${P:0:9}'); COMP_CWORD=1; _ipcu_semop
		echo \"\${COMPREPLY[*]}\"
		COMP_WORDS=(semop -t 1 '$P' po); COMP_CWORD=4; _ipcu_semop
		echo \"\${COMPREPLY[*]}\"
		COMP_WORDS=(semop --no); COMP_CWORD=1; _ipcu_semop
		echo \"\${COMPREPLY[*]}\""
	[[ ${lines[0]} == *"$P"* && ${lines[1]} == post && ${lines[2]} == --no-fork ]]
}

@test "bad OP messages name the OP, the flavour's OPs, and why key 0 is refused" {
	run semop -c "$K" 0:-1 1:+1
	assert_status_msg 2 "OP '1:\\+1': semaphore 1 is out of range: $K has 1 \\(0 to 0\\)"
	run semop -c "$P" lock
	assert_status_msg 2 "invalid OP 'lock': expected wait, post or get"
	run semop -c "$K" lock
	assert_status_msg 2 "invalid OP 'lock': expected wait, post, get, zero, N:\\+K, N:-K or N:0"
	run semop -c "$P" 0:+1
	assert_status_msg 2 "OP '0:\\+1' needs a System V semaphore set"
	run semop -c key:0 get
	assert_status_msg 2 "key:0: key 0 \\(IPC_PRIVATE\\) is never allowed"
	run semop -c key:0x0 get
	assert_status_msg 2 "key 0 \\(IPC_PRIVATE\\)"
	run semop -c ftok:/tmp:0 get
	assert_status_msg 2 "ftok:/tmp:0: PROJ '0' is not a number from 1 to 255"
	run semop -c ftok:/tmp:256 get
	assert_status_msg 2 "PROJ '256' is not a number from 1 to 255"
	[[ ! -e /dev/shm/sem.$P ]]
	run sysv_exists
	assert_status_msg 1
}

@test "a closed standard output is found before any OP runs" {
	semop -c 1 "$P"
	run bash -c "semop '$P' wait get >&-"
	assert_status_msg 1 "semop: write error: Bad file descriptor"
	run bash -c "semop --stat '$P' >&-"
	assert_status_msg 1 "write error"
	run semop "$P" get
	[[ $output == 1 ]]		# the wait did not happen
	run bash -c "semop -c 1 '$K' wait get >&-"
	assert_status_msg 1 "write error"
	run sysv_exists
	assert_status_msg 1		# nor did the creation
	# Standard output is not semop's in COMMAND mode: it is COMMAND's.
	run bash -c "semop '$P' -- sh -c 'echo x 2>/dev/null || echo closed >&2' >&-"
	assert_status_msg 0 closed
}

@test "waiting for a System V unit: INT, TERM, HUP end semop at once" {
	semop -c 0 "$K"
	for sig in INT TERM HUP; do
		for form in "|wait" "-t 60|wait" "|-- touch $TMP/ran"; do
			start_semop ${form%|*} "$K" ${form#*|}
			wait_until waiters 1
			assert_ends_on "$pid" "$sig" $((128 + $(kill -l "$sig")))
			wait_until waiters 0
		done
	done
	run semop "$K" get
	[[ $output == 0 && ! -e $TMP/ran ]]
}

@test "waiting for a POSIX unit: INT, TERM, HUP end semop at once" {
	semop -c 0 "$P"
	for sig in INT TERM HUP; do
		for form in "|wait" "-t 60|wait" "|-- touch $TMP/ran"; do
			start_semop ${form%|*} "$P" ${form#*|}
			wait_until blocked "$pid" futex
			assert_ends_on "$pid" "$sig" $((128 + $(kill -l "$sig")))
		done
	done
	run semop "$P" get
	[[ $output == 0 && ! -e $TMP/ran ]]
}

@test "holding the unit around COMMAND: INT, TERM, HUP reach COMMAND; the unit comes back" {
	for sem in "$K" "$P"; do
		semop -c 1 "$sem"
		for sig in INT TERM HUP; do
			rm -f "$TMP/pid"
			start_semop "$sem" -- sh -c 'echo $$ > "$0"; exec sleep 30' "$TMP/pid"
			wait_until test -s "$TMP/pid"
			cleanup_add kill "$(cat "$TMP/pid")"
			wait_until blocked "$pid"
			assert_ends_on "$pid" "$sig" $((128 + $(kill -l "$sig")))
			wait_until bash -c "[[ \$(semop '$sem' get) == 1 ]]"
		done
	done
}

@test "a waiting semop uses no CPU: holding, waiting, with and without COMMAND" {
	pids=()
	for sem in "$K" "$P"; do
		semop -c 1 "$sem"
		start_semop "$sem" -- sleep 30	# holds the unit...
		pids+=("$pid")
		wait_until bash -c "[[ \$(semop '$sem' get) == 0 ]]"
		wait_until pgrep -P "$pid" sleep
		cleanup_add kill "$(pgrep -P "$pid" sleep)"
		start_semop "$sem" wait		# ...so these wait for it
		pids+=("$pid")
		start_semop "$sem" -- true
		pids+=("$pid")
	done
	wait_until waiters 2
	for p in "${pids[@]}"; do wait_until blocked "$p"; done
	for p in $(pgrep -P "$(IFS=,; echo "${pids[*]}")"); do pids+=("$p"); done
	idle "${pids[@]}"
}

@test "waiting for a new set's creator to initialise it costs no CPU" {
	# ipcmk(1) makes a set that nothing has operated on: semop waits
	# (up to two seconds after its creation) for an initialisation.
	id=$(ipcmk -S 1 | grep -o '[0-9]*$')
	cleanup_add ipcrm -s "$id"
	semop "id:$id" get > "$TMP/out" &
	pid=$!
	cleanup_kill "$pid"
	wait_until blocked "$pid"
	hz=$(getconf CLK_TCK)
	# Sample until it ends (its wait ends 2 s after ipcmk, sooner on a
	# machine slow to start it) or for 1.2 s, whichever comes first.
	local t0 t1 t ms start=$(date +%s%N)
	t0=$(cpu_ticks "$pid") t1=$t0
	for _ in {1..12}; do
		sleep 0.1
		t=$(cpu_ticks "$pid" 2>/dev/null) || break
		t1=$t ms=$((($(date +%s%N) - start) / 1000000))
	done
	wait "$pid"
	echo "$((t1 - t0)) ticks of 1/$hz s in $ms ms"
	((ms >= 500))				# long enough to judge
	(((t1 - t0) * 100000 < ms * hz))	# under 1 %
	[[ $(cat "$TMP/out") == 0 ]]
	# It sleeps between looks, longer and longer: a few dozen, not one
	# a millisecond.
	ipcrm -s "$id"
	id=$(ipcmk -S 1 | grep -o '[0-9]*$')
	cleanup_add ipcrm -s "$id"
	run env ASAN_OPTIONS=detect_leaks=0 strace -c -f -e trace=semctl semop "id:$id" get
	looks=$(awk '$NF == "semctl" { print $4 }' <<<"$output")
	echo "$looks looks at the set"
	((looks < 100))
}
