# SPDX-License-Identifier: MIT
# Bash completion for sockcat(1): options, address kinds, UNIX socket paths
# after unix kinds, commands after -e.

# Sourced on its own (from the source tree), it loads the shared helpers;
# in the installed file they come first.
[[ $(type -t _ipcu_init) == function ]] ||
	. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

_ipcu_sockcat() {
	local cur prev
	_ipcu_init	# bash alone would split unix:/path at the colon
	case $prev in
	-e | --exec)
		COMPREPLY=($(compgen -c -- "$cur"))
		return
		;;
	-w | --idle-timeout | --connect-timeout | -m | --max-conns | \
	--sh-exec | -s | --source | --mode)
		return
		;;
	esac
	case $cur in
	-*)
		COMPREPLY=($(compgen -W '-l --listen -k --keep-open -e --exec
			--sh-exec -m --max-conns -w --idle-timeout
			--connect-timeout -z --probe -s --source -4 -6
			--nodelay -0 --null --reuseport --mode -v --verbose
			-V --version -h --help --usage' -- "$cur"))
		;;
	unix:* | unix-dgram:* | unix-seqpacket:*)
		local kind=${cur%%:*} path=${cur#*:} f
		for f in $(compgen -f -- "$path"); do
			if [[ -d $f ]]; then
				_ipcu_add "$kind:$f/"
			elif [[ -S $f ]]; then
				_ipcu_add "$kind:$f"
			fi
		done
		compopt -o nospace 2>/dev/null
		;;
	*)
		COMPREPLY=($(compgen -W 'tcp: tcp4: tcp6: udp: udp4: udp6:
			unix: unix-dgram: unix-seqpacket:' -- "$cur"))
		compopt -o nospace 2>/dev/null
		;;
	esac
}
complete -F _ipcu_sockcat sockcat
