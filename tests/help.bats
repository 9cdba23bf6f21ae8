#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# --help teaches: every tool's help gives the man page's synopsis forms,
# the operand forms, its options with -h, --help, one example and the man
# page to read, on one 80x24 screen with the command line and the next
# prompt (22 lines at most); -h and -? print the same, --usage
# still works.

load lib/common

# The SYNOPSIS forms of man page $1, one per line, spelt as --help spells
# them: mdoc sets "..." apart from what it repeats ("[ARG ...]"), --help
# writes "[ARG]...".
man_synopsis() {
	mandoc -T ascii -O width=1000 "$IPCU_SRCDIR/man/$1.1" |
		sed 's/.\x08//g' |
		sed -n '/^SYNOPSIS/,/^[A-Z]/{/^ *'"$1"' /{s/^ *//;p}}' |
		sed 's/ \.\.\./.../g; s/\[\([A-Z]*\)\.\.\.\]/[\1].../g'
}

# Check tool $1's --help: its synopsis lines are the man page's, each
# later argument (a fixed string) appears in it, and the screen bounds hold.
check_help() {
	local t=$1 line
	shift
	run "$t" --help
	[[ $status -eq 0 ]] || { echo "$t --help: $status: $output"; return 1; }
	local help=$output
	diff <(man_synopsis "$t") \
	    <(sed -n 's/^Usage: //p; s/^  or:  //p' <<<"$help") ||
		{ echo "$t: man SYNOPSIS (<) and --help (>) differ"; return 1; }
	grep -q "^Example: .*$t " <<<"$help" ||
		{ echo "$t --help has no example of $t:"; echo "$help"; return 1; }
	for needle in "-h, --help" "See $t(1)." "$@"; do
		[[ $help == *"$needle"* ]] ||
			{ echo "$t --help lacks '$needle':"; echo "$help"; return 1; }
	done
	[[ $(wc -l <<<"$help") -le 22 ]] ||
		{ echo "$t --help: $(wc -l <<<"$help") lines"; return 1; }
	while IFS= read -r line; do
		[[ ${#line} -le 80 ]] ||
			{ echo "$t --help: ${#line} columns: $line"; return 1; }
	done <<<"$help"
	[[ $help != *"-?"* && $help != *"Help options"* ]] ||
		{ echo "$t --help shows popt's -? block"; return 1; }
	for same in -h -?; do
		run "$t" "$same"
		[[ $status -eq 0 && $output == "$help" ]] ||
			{ echo "$t $same: $status: $output"; return 1; }
	done
}

# The IPC operand forms of ipcutils(7).
ipc_forms=("NAME or /NAME" "key:KEY" "id:ID" "ftok:PATH[:PROJ]")

@test "mqsend --help: synopsis, QUEUE forms, options, example" {
	check_help mqsend "QUEUE: " "${ipc_forms[@]}" "-p, --priority=" \
	    "-T, --type=" "-v, --verbose"
}

@test "mqrecv --help: both forms, QUEUE forms, COMMAND, example" {
	check_help mqrecv "QUEUE: " "${ipc_forms[@]}" "COMMAND: " \
	    "-j, --jobs=N"
}

@test "shmcat --help: both forms, SHM and SEM forms, example" {
	check_help shmcat "SHM: " "${ipc_forms[@]}" "SEM (-L)"
}

@test "semop --help: both forms, SEM forms, every OP, example" {
	check_help semop "SEM: " "${ipc_forms[@]}" "OP: wait" "post" "get" \
	    "zero" "N:+K" "N:-K" "N:0" "COMMAND: "
}

@test "sigwaitfor --help: both forms, SIGNAL forms, example" {
	check_help sigwaitfor "SIGNAL: USR1, SIGUSR1, usr1, 10, RTMIN, RTMIN+3" \
	    "RTMAX-1" "-l lists them"
}

@test "sockcat --help: synopsis, every address form, example" {
	check_help sockcat "ADDRESS: " "[tcp:]HOST:PORT" "tcp4:" "tcp6:" \
	    "udp:HOST:PORT" "udp4:" "udp6:" "unix:PATH" "unix-dgram:PATH" \
	    "unix-seqpacket:PATH" "unix:@NAME" "[::1]:PORT" "tcp::8000" \
	    "tls:HOST:PORT" "tls:unix:PATH" \
	    "-4, -6 (IPv4, IPv6 only), --nodelay, --reuseport, --mode=MODE" \
	    "TLS: --cafile, --cert, --key, --insecure, --servername, ...: see sockcat(1)"
}

@test "rawping --help: synopsis, HOST form, example" {
	check_help rawping "HOST: " "-c, --count=" "-i, --interval="
}


@test "--usage still prints popt's short usage, with the other forms" {
	for t in ${IPCU_TOOLS}; do
		run "$t" --usage
		[[ $status -eq 0 && $output == "Usage: $t ["*"[-h|--help] [--usage]"* ]] ||
			{ echo "$t --usage: $status: $output"; return 1; }
		[[ $output != *"-?"* ]] || { echo "$t --usage shows -?"; return 1; }
	done
	run semop --usage
	[[ ${lines[-1]} == "  or:  semop [OPTION]... SEM -- COMMAND [ARG]..." ]] ||
		{ echo "$output"; return 1; }
}

@test "--help into /dev/full is a write error" {
	for t in ${IPCU_TOOLS}; do
		run bash -c "$t --help >/dev/full"
		[[ $status -eq 1 && $output == *"$t: write error"* ]] ||
			{ echo "$t: $status: $output"; return 1; }
	done
}
