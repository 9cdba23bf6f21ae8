#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# What every tool shares: --version, --help matching the man page SYNOPSIS,
# usage errors, write errors on standard output, and a hardened binary.

load lib/common

setup() {
	read -ra tools <<<"$IPCU_TOOLS"
	[[ ${#tools[@]} -gt 0 ]] || { echo "no tool built" >&2; return 1; }
}

@test "every tool prints the package version" {
	for t in "${tools[@]}"; do
		run "$t" --version
		[[ $status -eq 0 && $output == "$t (ipcutils) $IPCU_VERSION" ]] ||
			{ echo "$t: $status: $output"; return 1; }
	done
}

@test "every tool's --help and -h name it and exit 0" {
	for t in "${tools[@]}"; do
		run "$t" --help
		[[ $status -eq 0 && $output == *"Usage: $t "* ]] ||
			{ echo "$t: $status: $output"; return 1; }
		help=$output
		run "$t" -h
		[[ $status -eq 0 && $output == "$help" ]] ||
			{ echo "$t -h: $status: $output"; return 1; }
	done
}

@test "every tool's --help usage line matches its man page SYNOPSIS" {
	for t in "${tools[@]}"; do
		# The first synopsis of the page, as plain text on one line.
		synopsis=$(mandoc -T ascii -O width=1000 "$IPCU_SRCDIR/man/$t.1" |
			sed 's/.\x08//g' |
			sed -n '/^SYNOPSIS/,/^[A-Z]/{/^ *'"$t"' /{s/^ *//;p;q}}')
		# mdoc sets "..." apart from the argument it repeats.
		# and "[ARG...]" reads the same as "[ARG]...".
		synopsis=$(sed 's/ \.\.\./.../g; s/\[\([A-Z]*\)\.\.\.\]/[\1].../g' <<<"$synopsis")
		usage=$("$t" --help | sed -n "s/^Usage: //p" | head -n 1)
		usage=$(sed 's/\[\([A-Z]*\)\.\.\.\]/[\1].../g' <<<"$usage")
		[[ -n $synopsis && $usage == "$synopsis" ]] ||
			{ echo "$t: help '$usage' vs man '$synopsis'"; return 1; }
	done
}

@test "every tool refuses an unknown option with exit 2 and a hint" {
	for t in "${tools[@]}"; do
		run "$t" --no-such-option
		[[ $status -eq 2 && $output == *"$t: "*"--no-such-option"* &&
		   $output == *"Try '$t --help' for more information."* ]] ||
			{ echo "$t: $status: $output"; return 1; }
	done
}

@test "every tool reports a write error on a full standard output" {
	for t in "${tools[@]}"; do
		run bash -c "$t --version >/dev/full"
		[[ $status -eq 1 && $output == "$t: write error"* ]] ||
			{ echo "$t: $status: $output"; return 1; }
	done
}

@test "every binary is PIE with full RELRO, BIND_NOW and the stack protector" {
	for t in "${tools[@]}"; do
		bin=$IPCU_BUILDDIR/bin/$t
		readelf -h "$bin" | grep -q 'Type:.*DYN' ||
			{ echo "$t: not PIE"; return 1; }
		readelf -l "$bin" | grep -q GNU_RELRO ||
			{ echo "$t: no RELRO"; return 1; }
		readelf -d "$bin" | grep -Eq 'BIND_NOW|FLAGS.*NOW' ||
			{ echo "$t: no BIND_NOW"; return 1; }
		readelf -s --wide "$bin" | grep -q __stack_chk_fail ||
			{ echo "$t: no stack protector"; return 1; }
	done
}
