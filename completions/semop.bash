# SPDX-License-Identifier: MIT
# Bash completion for semop(1).

# Sourced on its own (from the source tree), it loads the shared helpers;
# in the installed file they come first.
[[ $(type -t _ipcu_init) == function ]] ||
	. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

_ipcu_semop() {
	local cur prev cword
	local -a words
	local i sem=
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
		*) [[ -n $sem ]] || sem=${words[i]} ;;
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
	# zero waits for a System V semaphore to reach 0; POSIX has no such OP.
	case $sem in
	'') ;;
	key:* | id:* | ftok:*)
		COMPREPLY=($(compgen -W "wait post get zero --" -- "$cur"))
		return ;;
	*)
		COMPREPLY=($(compgen -W "wait post get --" -- "$cur"))
		return ;;
	esac
	_ipcu_from _ipcu_posix_sems
	_ipcu_from _ipcu_sysv sem
}
complete -F _ipcu_semop semop
