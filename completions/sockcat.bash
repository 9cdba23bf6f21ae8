# SPDX-License-Identifier: MIT
# Bash completion for sockcat(1): options, address kinds (tls: too), UNIX
# socket paths after unix kinds, commands after -e, PEM files after the
# TLS options that take one.

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
	--cafile | --cert | --key)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--capath)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--tls-min)
		COMPREPLY=($(compgen -W '1.2 1.3' -- "$cur"))
		return
		;;
	-w | --idle-timeout | --connect-timeout | -m | --max-conns | \
	--sh-exec | -s | --source | --mode | --servername)
		return
		;;
	esac
	case $cur in
	-*)
		COMPREPLY=($(compgen -W '-l --listen -k --keep-open -e --exec
			--sh-exec -m --max-conns -w --idle-timeout
			--connect-timeout -z --probe -s --source -4 -6
			--nodelay -0 --null --reuseport --mode --cafile
			--capath --cert --key --insecure --servername
			--require-client-cert --ignore-unexpected-eof --tls-min
			-v --verbose -V --version -h --help --usage' -- "$cur"))
		;;
	unix:* | unix-dgram:* | unix-seqpacket:* | tls:unix:*)
		local kind=${cur%%:*} path=${cur#*:} f
		if [[ $cur == tls:unix:* ]]; then
			kind=tls:unix path=${cur#tls:unix:}
		fi
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
			unix: unix-dgram: unix-seqpacket: tls: tls4: tls6:
			tls:unix:' -- "$cur"))
		compopt -o nospace 2>/dev/null
		;;
	esac
}
complete -F _ipcu_sockcat sockcat
