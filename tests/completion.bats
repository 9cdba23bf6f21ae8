#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Bash completion: the generated completions/ipcutils (what make install
# installs) is sourced and each tool's function is called as bash calls
# it, with COMP_WORDS split at ":" and "=" as bash's COMP_WORDBREAKS does;
# COMPREPLY is checked for options, signal names, and the names of the
# queues, segments and semaphores a test creates.

load lib/common

setup() {
	source "$IPCU_BUILDDIR/completions/ipcutils"
	read -ra tools <<<"$IPCU_TOOLS"
}

# comp LINE: complete LINE, the cursor at its end, as bash would.
comp() {
	local split fn
	COMP_LINE=$1 COMP_POINT=${#1}
	split=${1//:/ : }
	split=${split//=/ = }
	read -ra COMP_WORDS <<<"$split"
	[[ $1 == *[[:space:]] ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	fn=$(complete -p "${COMP_WORDS[0]}" | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
	[[ -n $fn ]] || { echo "no completion for ${COMP_WORDS[0]}"; return 1; }
	COMPREPLY=()
	"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
	    "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null || true	# compopt fails here
	reply=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
}

# has WORD: COMPREPLY holds WORD.
has() {
	grep -qxF -- "$1" <<<"$reply" || { echo "no '$1' in: $reply"; return 1; }
}

# need TOOL: skip on a branch where TOOL has not landed (never in CI).
need() {
	[[ " $IPCU_TOOLS " == *" $1 "* ]] || skip "$1 is not built in this tree"
}

# A System V key unique to this run and test, as 0x%08x.
uniq_hexkey() {
	printf '0x%08x' $((0x7d000000 + ($$ % 0x10000) * 0x100 + BATS_TEST_NUMBER))
}

@test "every tool has a completion, installed under its name" {
	for t in "${tools[@]}"; do
		complete -p "$t" | grep -q -- "-F _ipcu_$t $t\$" ||
			{ echo "$t: $(complete -p "$t" 2>&1)"; return 1; }
	done
}

@test "options complete, and each tool offers exactly the options its --usage lists" {
	comp "mqsend --pri"; [ "$reply" = --priority ]
	comp "shmcat --tru"; [ "$reply" = --truncate ]
	comp "semop --no-"; [ "$reply" = --no-fork ]
	comp "rawping --js"; [ "$reply" = --json ]
	for t in "${tools[@]}"; do
		comp "$t -"
		# "--count=" is offered for "--count" followed by its value.
		offered=$(grep -v -x -e -- <<<"$reply" | sed 's/=$//' | sort -u)
		# --usage lists every option (--help may sum a group up in
		# one line): "[-FvhV]" clusters, "[-c|--create=VALUE]", "[-4]".
		usage=$("$t" --usage)
		listed=$( {
			grep -oE '\[-[A-Za-z0-9]+\]' <<<"$usage" |
			    sed 's/[][-]//g; s/./-&\n/g'
			grep -oE '\[-[A-Za-z0-9]\|' <<<"$usage" | tr -d '[|'
			grep -oE -- '--[a-z][-a-z0-9]*' <<<"$usage"
		} | grep -v '^$' | sort -u)
		diff <(echo "$listed") <(echo "$offered") ||
			{ echo "$t: --usage (<) and completion (>) differ"; return 1; }
		if grep -qx -- -h <<<"$reply"; then
			"$t" -h >/dev/null || { echo "$t offers -h and refuses it"; return 1; }
		fi
	done
}

@test "signal names complete for sigwaitfor" {
	need sigwaitfor
	comp "sigwaitfor US"
	[ "$(echo $reply)" = "USR1 USR2" ]
	comp "sigwaitfor -t 5 TE"
	[ "$reply" = TERM ]
	comp "sigwaitfor RTMIN+1"
	has RTMIN+1
}

@test "existing System V queues, segments and semaphores complete by key and id" {
	key=$(uniq_hexkey)
	mqsend -c "key:$key" </dev/null
	cleanup_add mqrecv -t 0 --unlink "key:$key"
	shmcat -w -c -s 4K "key:$key" </dev/null
	cleanup_add shmcat --unlink --stat "key:$key"
	semop -c "key:$key"
	cleanup_add semop --unlink "key:$key"
	msgid=$(awk -v k=$((key)) '$1 == k { print $2 }' /proc/sysvipc/msg)
	# bash puts back only what follows the last ":" of the word.
	comp "mqrecv key:${key:0:8}"; has "$key"
	comp "mqsend key:${key:0:8}"; has "$key"
	comp "mqrecv id:$msgid"; has "$msgid"
	comp "shmcat key:${key:0:8}"; has "$key"
	comp "semop key:${key:0:8}"; has "$key"
	comp "shmcat -L key:${key:0:8}"; has "$key"
	# The queue is no semaphore: only the set is offered to semop.
	comp "semop id:$msgid"
	semid=$(awk -v k=$((key)) '$1 == k { print $2 }' /proc/sysvipc/sem)
	[[ $msgid == "$semid" ]] || ! has "$msgid" >/dev/null
}

@test "existing POSIX segments and semaphores complete by name, each where it belongs" {
	name=$(uniq_name comp)
	echo x | shmcat -w -c "$name-shm"
	cleanup_add shmcat --unlink --stat "$name-shm"
	semop -c "$name-sem"
	cleanup_add semop --unlink "$name-sem"
	comp "shmcat $name"; [ "$reply" = "$name-shm" ]
	comp "shmcat -L $name"; [ "$reply" = "$name-sem" ]
	comp "semop $name"; [ "$reply" = "$name-sem" ]
	comp "semop $name-sem p"; [ "$reply" = post ]
	comp "semop -c 2 $name-sem "; [ "$(echo $reply)" = "-- get post wait" ]
	comp "semop -c $name"; [ "$reply" = "$name-sem" ]
	comp "semop $name-sem -- ech"; has echo
}

@test "existing POSIX queues complete wherever the mqueue file system is mounted" {
	require_root
	name=$(uniq_name comp)
	mqsend -c "$name" </dev/null
	cleanup_add mqrecv -t 0 --unlink "$name"
	mkdir "$BATS_TEST_TMPDIR/mq"
	run unshare --mount --propagation private bash -c '
		mount -t mqueue none "$1" || exit 99
		source "$IPCU_BUILDDIR/completions/ipcutils"
		COMP_LINE="mqrecv ${2%-*}" COMP_POINT=${#COMP_LINE}
		COMP_WORDS=(mqrecv "${2%-*}") COMP_CWORD=1
		_ipcu_mqrecv; printf "%s\n" "${COMPREPLY[@]}"
		COMP_LINE="mqsend $2 " COMP_POINT=${#COMP_LINE}
		COMP_WORDS=(mqsend "$2" "") COMP_CWORD=2
		_ipcu_mqsend; echo "message: ${COMPREPLY[*]}"' \
	    sh "$BATS_TEST_TMPDIR/mq" "$name"
	[ "$status" -eq 0 ]
	[ "$output" = "$name
message: " ]
}

@test "sockcat completes address kinds and UNIX socket paths" {
	need sockcat
	comp "sockcat tc"; has tcp:
	d=$BATS_TEST_TMPDIR
	sockcat -l "unix:$d/s" </dev/null >/dev/null 3>&- & pid=$!
	cleanup_kill "$pid"
	wait_until test -S "$d/s"
	touch "$d/plain"
	comp "sockcat unix:$d/"
	has "${d#*:}/s" || has "unix:$d/s"
	run ! has "${d#*:}/plain"
	run ! has "unix:$d/plain"
}

@test "sockcat completes tls: kinds, TLS options and tls:unix: socket paths" {
	need sockcat
	comp "sockcat tl"
	has tls:
	has tls4:
	has tls6:
	comp "sockcat --ca"
	has --cafile
	has --capath
	comp "sockcat --ins"; has --insecure
	comp "sockcat --tls-min "; has 1.3
	d=$BATS_TEST_TMPDIR
	sockcat -l "unix:$d/s" </dev/null >/dev/null 3>&- & pid=$!
	cleanup_kill "$pid"
	wait_until test -S "$d/s"
	comp "sockcat tls:unix:$d/"
	has "${d#*:}/s" || has "tls:unix:$d/s"
}

@test "each completion file works when sourced on its own from the source tree" {
	local t out
	for t in "${tools[@]}"; do
		out=$(env -i PATH="$PATH" bash --norc -c '
			source "$1" || exit 1
			COMP_WORDS=("$2" -); COMP_CWORD=1
			"_ipcu_$2" "$2" - "$2" || exit 1
			printf "%s\n" "${COMPREPLY[@]}"' bash \
			"$IPCU_SRCDIR/completions/$t.bash" "$t" 2>&1) ||
			{ echo "$t: $out"; return 1; }
		[[ $out == *--help* && $out != *"not found"* ]] ||
			{ echo "$t: $out"; return 1; }
	done
}

@test "signal names complete in any case, with or without SIG" {
	need sigwaitfor
	comp "sigwaitfor sigus"
	[ "$(echo $reply)" = "SIGUSR1 SIGUSR2" ]
	comp "sigwaitfor SIGUs"
	[ "$(echo $reply)" = "SIGUSR1 SIGUSR2" ]
	comp "sigwaitfor usr"
	[ "$(echo $reply)" = "USR1 USR2" ]
	comp "sigwaitfor -n 0 Te"
	[ "$reply" = TERM ]
}

@test "semop offers zero for a System V semaphore only" {
	need semop
	comp "semop key:0x51 "
	has zero
	comp "semop -c 2 lock "
	[ "$(echo $reply)" = "-- get post wait" ]
	comp "semop id:3 ze"
	[ "$reply" = zero ]
}
