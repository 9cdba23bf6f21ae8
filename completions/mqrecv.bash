# SPDX-License-Identifier: MIT
# Bash completion for mqrecv: options, then an existing queue; after
# "--", a command and its arguments.

# Sourced on its own (from the source tree), it loads the shared helpers;
# in the installed file they come first.
[[ $(type -t _ipcu_init) == function ]] ||
	. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

_ipcu_mqrecv() {
	local cur prev i
	_ipcu_init
	# After "--": the worker's COMMAND, completed as a command line.
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			if ((i + 1 == COMP_CWORD)); then
				COMPREPLY=($(compgen -c -- "$cur"))
			else
				COMPREPLY=($(compgen -f -- "$cur"))
			fi
			return 0
		fi
	done
	case $prev in
	-n|--count|-t|--timeout|-T|--type|--max-messages|--message-size|\
	-j|--jobs|--max-attempts)
		return 0 ;;
	--dead-letter)
		_ipcu_from _ipcu_posix_queues
		_ipcu_from _ipcu_sysv msg
		return 0 ;;
	--mode)
		COMPREPLY=($(compgen -W "0600 0640 0660 0644 0666" -- "$cur"))
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-n --count -t --timeout -P
		    --show-priority -T --type -0 --null --batch -c --create
		    --max-messages --message-size --mode -j --jobs --max-attempts
		    --dead-letter --stat --unlink -h --help --usage -V --version" \
		    -- "$cur"))
		return 0
	fi
	_ipcu_from _ipcu_posix_queues
	_ipcu_from _ipcu_sysv msg
}
complete -F _ipcu_mqrecv mqrecv
