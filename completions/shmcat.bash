# SPDX-License-Identifier: MIT
# Bash completion for shmcat(1).

# Sourced on its own (from the source tree), it loads the shared helpers;
# in the installed file they come first.
[[ $(type -t _ipcu_init) == function ]] ||
	. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

_ipcu_shmcat() {
	local cur prev
	_ipcu_init
	case $prev in
	-L | --lock)
		_ipcu_from _ipcu_posix_sems
		_ipcu_from _ipcu_sysv sem
		return ;;
	-o | --offset | -s | --size | -t | --timeout | --mode)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-w --write -o --offset -s --size -c
			--create --truncate --mode -L --lock -t --timeout --stat
			--unlink -V --version -h --help --usage" -- "$cur"))
		return
	fi
	_ipcu_from _ipcu_posix_shm
	_ipcu_from _ipcu_sysv shm
}
complete -F _ipcu_shmcat shmcat
