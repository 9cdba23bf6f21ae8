# SPDX-License-Identifier: MIT
# Bash completion for ipcutils: helpers shared by every tool's function.

# Existing POSIX message queues: the files of the mqueue file system,
# wherever it is mounted (mount -t mqueue none /dev/mqueue); none if it is
# mounted nowhere, as the kernel lists queues nowhere else.
_ipcu_posix_queues() {
	local dir f
	while read -r _ dir fstype _; do
		[[ $fstype == mqueue ]] || continue
		for f in "$dir"/*; do [[ -e $f ]] && echo "${f##*/}"; done
		return 0
	done < /proc/self/mounts
}

# Existing POSIX shared memory objects (not semaphores).
_ipcu_posix_shm() {
	local f
	for f in /dev/shm/*; do
		[[ -f $f && ${f##*/} != sem.* ]] && echo "${f##*/}"
	done
}

# Existing POSIX named semaphores.
_ipcu_posix_sems() {
	local f
	for f in /dev/shm/sem.*; do [[ -e $f ]] && echo "${f##*/sem.}"; done
}

# System V objects of a kind (msg, shm, sem) as key:0x... operands.
_ipcu_sysv() {
	local file=/proc/sysvipc/$1
	[[ -r $file ]] || return 0
	# Keys are printed signed; show them as ipcs does, unsigned.
	awk 'NR > 1 && $1 != 0 {
		k = $1 < 0 ? $1 + 4294967296 : $1
		printf "key:0x%08x\nid:%s\n", k, $2
	}' "$file"
}

# Signal names as ipcutils(7) spells them.
_ipcu_signals() {
	local names
	names=$(kill -l 2>/dev/null | tr -s '\t ' '\n\n' | sed -n 's/^SIG//p')
	echo "$names"
}

# Complete cur as a signal name in any case, with or without SIG, as the
# tools accept it: "sigu" and "SIGU" offer SIGUSR1 SIGUSR2, "usr" USR1 USR2.
_ipcu_complete_signals() {
	local name word=${cur^^} sig=
	if [[ $word == SIG* ]]; then
		sig=SIG word=${word#SIG}
	fi
	while read -r name; do
		[[ $name == "$word"* ]] && COMPREPLY+=("$sig$name")
	done < <(_ipcu_signals)
	return 0
}

# _ipcu_init: set the caller's cur and prev to the word being completed
# and the word before it, with words split at blanks only: bash also
# splits COMP_WORDS at the ":" and "=" of key:0x51, unix:/path and
# --mode=0600, which would leave "0x51" or ":" as the current word.
# Sets words (the words so split, up to and including cur) and cword (the
# index of cur in words) too if the caller declared them; empties COMPREPLY.
_ipcu_init() {
	local line=${COMP_LINE:0:COMP_POINT}
	local -a w
	# Called by hand with only COMP_WORDS (as some tests do): rebuild it.
	if [[ ! -v COMP_LINE ]]; then
		line="${COMP_WORDS[*]:0:COMP_CWORD+1}"
	fi
	read -ra w <<<"$line"
	COMPREPLY=()
	if [[ -z $line || $line == *[[:space:]] ]]; then
		w+=("")
	fi
	cur=${w[${#w[@]}-1]} prev=${w[${#w[@]}-2]-}
	words=("${w[@]}") cword=$((${#w[@]} - 1))
}

# _ipcu_add WORD...: add the WORDs to COMPREPLY as readline inserts them,
# which is only the part after the last ":" of cur when ":" breaks words.
_ipcu_add() {
	local w prefix=
	[[ $COMP_WORDBREAKS == *:* && $cur == *:* ]] && prefix=${cur%"${cur##*:}"}
	for w; do COMPREPLY+=("${w#"$prefix"}"); done
}

# Complete the current word (cur, or the last word of COMP_WORDS) from the
# words printed by "$@".
_ipcu_from() {
	local cur=${cur-${COMP_WORDS[COMP_CWORD]}} w
	local -a m=()
	while IFS= read -r w; do m+=("$w"); done < <(compgen -W "$("$@")" -- "$cur")
	_ipcu_add "${m[@]}"
}
