# SPDX-License-Identifier: MIT
# Bash completion for mqsend: options, then queues (POSIX and System V).

# Sourced on its own (from the source tree), it loads the shared helpers;
# in the installed file they come first.
[[ $(type -t _ipcu_init) == function ]] ||
	. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

_ipcu_mqsend() {
	local cur prev cword
	local -a words
	local i operands=0
	_ipcu_init
	case $prev in
	-p|--priority|-T|--type|--max-messages|--message-size|-t|--timeout)
		return 0 ;;
	--mode)
		COMPREPLY=($(compgen -W "0600 0640 0660 0644 0666" -- "$cur"))
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-p --priority -T --type -c --create
		    --max-messages --message-size --mode -t --timeout -0 --null
		    -v --verbose --stat -h --help --usage -V --version" -- "$cur"))
		return 0
	fi
	# Only the first operand is a queue; the others are messages.
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-p|--priority|-T|--type|--max-messages|--message-size|-t|--timeout|--mode)
			((i++)) ;;
		-*) ;;
		*) ((operands++)) ;;
		esac
	done
	((operands == 0)) || return 0
	_ipcu_from _ipcu_posix_queues
	_ipcu_from _ipcu_sysv msg
}
complete -F _ipcu_mqsend mqsend
