# SPDX-License-Identifier: MIT
# Bash completion for ipcutils: helpers shared by every tool's function.

# Existing POSIX message queues (needs /dev/mqueue mounted).
_ipcu_posix_queues() {
	local f
	for f in /dev/mqueue/*; do [[ -e $f ]] && echo "${f##*/}"; done
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
	awk 'NR > 1 && $1 != 0 { printf "key:0x%08x\nid:%s\n", $1, $2 }' "$file"
}

# Signal names as ipcutils(7) spells them.
_ipcu_signals() {
	local names
	names=$(kill -l 2>/dev/null | tr -s '\t ' '\n\n' | sed -n 's/^SIG//p')
	echo "$names"
}

# Complete the current word from the words printed by "$@".
_ipcu_from() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	COMPREPLY+=($(compgen -W "$("$@")" -- "$cur"))
}
