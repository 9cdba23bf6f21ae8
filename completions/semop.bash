# SPDX-License-Identifier: MIT
# Bash completion for semop(1).
_ipcu_semop() {
	local cur prev cword
	local -a words
	local i sem_seen=0
	_ipcu_init
	# After "--", complete COMMAND and its arguments as bash would.
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} == -- ]]; then
			if ((i + 1 == cword)); then
				COMPREPLY=($(compgen -c -- "$cur"))
			else
				COMPREPLY=($(compgen -f -- "$cur"))
			fi
			return
		fi
		case ${words[i]} in
		-t | --timeout | -E | --conflict-exit-code | --nsems | --mode) ((i++)) ;;
		-c | --create)	# an optional VALUE
			[[ ${words[i+1]} =~ ^[0-9]+$ ]] && ((i++)) ;;
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
