#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The man pages as readers get them: mandoc (man -l on many systems) and
# groff (what man uses on Debian) both render every page cleanly, and
# both render the same words, so that a table or list that one of them
# runs together is caught.

load lib/common

setup() {
	pages=("$IPCU_SRCDIR"/man/*.[1-8])
	((${#pages[@]} >= 8))
}

# words: the words of a rendered page on standard input, one a line:
# overstrikes, the header and footer lines, quotes and lone dashes
# (their glyphs differ between the two) and hyphenation at line ends
# removed.
words() {
	col -b | sed '1d;$d' |
		sed -e ':a' -e '/[a-z]-$/{N;s/-\n[[:space:]]*//;ba' -e '}' |
		sed 's/<micro>//g' | tr -d "\`'\"" | tr -s ' \t\n' '\n' |
		grep -v '^-*$'
}

@test "every page lints clean under mandoc" {
	local p
	for p in "${pages[@]}"; do
		run mandoc -T lint -W warning "$p"
		assert_status_msg 0 '^$' || { echo "$p"; return 1; }
	done
}

@test "every page renders under groff without a warning" {
	local p
	for p in "${pages[@]}"; do
		run groff -mandoc -Tutf8 -ww -z "$p"
		assert_status_msg 0 '^$' || { echo "$p"; return 1; }
	done
}

@test "groff and mandoc render the same words on every page" {
	local p
	for p in "${pages[@]}"; do
		diff <(mandoc -Tascii -Owidth=250 "$p" | words) \
		    <(groff -mandoc -Tascii -rLL=250n "$p" 2>/dev/null | words) ||
			{ echo "$p: mandoc (<) and groff (>) differ"; return 1; }
	done
}
