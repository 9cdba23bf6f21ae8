# SPDX-License-Identifier: MIT
# Bash completion for rawping: options, and host names for operands.

# Sourced on its own (from the source tree), it loads the shared helpers;
# in the installed file they come first.
[[ $(type -t _ipcu_init) == function ]] ||
	. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

_ipcu_rawping() {
	local cur prev
	_ipcu_init
	case $prev in
	-c | --count | -i | --interval | -W | --timeout | -w | --deadline | \
	-s | --size | -t | --ttl)
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '-c --count -i --interval -W --timeout
		    -w --deadline -s --size -t --ttl -4 -6 -q --quiet
		    -D --timestamp -O --report-lost -n --numeric --json
		    -V --version -h --help --usage' -- "$cur"))
		return 0
	fi
	COMPREPLY=($(compgen -A hostname -- "$cur"))
}
complete -F _ipcu_rawping rawping
