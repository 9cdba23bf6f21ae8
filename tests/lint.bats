#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Lints over the tests themselves: assertions that cannot fail.

load lib/common

@test "no test negates a command whose failure bats would ignore" {
	local f files=()
	# This file's sample below is data, not test code.
	for f in "$IPCU_SRCDIR"/tests/*.bats "$IPCU_SRCDIR"/tests/lib/*.bash; do
		[[ $f == */lint.bats ]] || files+=("$f")
	done
	run awk -f "$IPCU_SRCDIR/tests/lib/negations.awk" "${files[@]}"
	assert_status_msg 0 '^$'
}

@test "the negation lint finds what bash would ignore, and only that" {
	# Numbered so that the expected report reads off the line numbers.
	printf '%s\n' > "$BATS_TEST_TMPDIR/sample.bats" \
	    'sample() {' \
	    '	! fine_2 || return 1' \
	    '	run ! fine_3' \
	    '	[[ ! -e fine_4 ]]' \
	    '	if ! fine_5; then :; fi' \
	    '	! flagged_6' \
	    '	true' \
	    '	for k in 1 2; do ! flagged_8; done' \
	    '	a && ! flagged_9' \
	    '	echo' \
	    '	! fine_11' \
	    '}' \
	    "CHECK[x]='! flagged_13" \
	    "! fine_14'"
	run awk -f "$IPCU_SRCDIR/tests/lib/negations.awk" "$BATS_TEST_TMPDIR/sample.bats"
	assert_status_msg 0
	[[ $(cut -d: -f2 <<<"$output" | tr '\n' ' ') == "6 8 9 13 " ]]
}
