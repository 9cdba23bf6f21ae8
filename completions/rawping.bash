# SPDX-License-Identifier: MIT
# Bash completion for rawping: options, and host names for operands.
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
