# SPDX-License-Identifier: MIT
# Bash completion for sigwaitfor: options, signal names, and after "--"
# a command with its own completion.

# Sourced on its own (from the source tree), it loads the shared helpers;
# in the installed file they come first.
[[ $(type -t _ipcu_init) == function ]] ||
	. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

_ipcu_sigwaitfor() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} i
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			# Complete COMMAND and its arguments as bash would.
			if declare -F _command_offset >/dev/null; then
				_command_offset $((i + 1))
			else
				COMPREPLY=($(compgen -c -- "$cur"))
			fi
			return
		fi
	done
	case $prev in
	-p | --pidfile)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--pid)
		COMPREPLY=($(compgen -W "$(ps -e -o pid= 2>/dev/null)" -- "$cur"))
		return ;;
	-n | --count | -t | --timeout)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-n --count= -N --numeric -i --info
		    -t --timeout= -p --pidfile= --pid= --kill -l --list
		    -V --version -h --help --usage --" -- "$cur"))
		return
	fi
	_ipcu_complete_signals
}
complete -F _ipcu_sigwaitfor sigwaitfor
