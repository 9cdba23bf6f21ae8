# SPDX-License-Identifier: MIT
# Bash completion for semop(1).
_ipcu_semop() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local i sem_seen=0
	COMPREPLY=()
	# After "--", complete COMMAND and its arguments as bash would.
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			if ((i + 1 == COMP_CWORD)); then
				COMPREPLY=($(compgen -c -- "$cur"))
			else
				COMPREPLY=($(compgen -f -- "$cur"))
			fi
			return
		fi
		case ${COMP_WORDS[i]} in
		-t | --timeout | -E | --conflict-exit-code | --nsems | --mode) ((i++)) ;;
		-*) ;;
		*) sem_seen=1 ;;
		esac
	done
	case $prev in
	-t | --timeout | -E | --conflict-exit-code | --nsems | --mode)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-c --create --nsems --mode -t --timeout
			-E --conflict-exit-code -F --no-fork -v --verbose --stat
			--unlink -V --version -h --help --usage --" -- "$cur"))
		return
	fi
	if ((sem_seen)); then
		COMPREPLY=($(compgen -W "wait post get zero --" -- "$cur"))
		return
	fi
	_ipcu_from _ipcu_posix_sems
	_ipcu_from _ipcu_sysv sem
}
complete -F _ipcu_semop semop
