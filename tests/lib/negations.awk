# SPDX-License-Identifier: MIT
# Print FILE:LINE for each command negated with `!` that is not the last of
# its test, function or checked script.  bash ignores `set -e` for a
# negated command (and for every command of an && or || list but the last),
# so under bats such a line asserts nothing: a failure goes unnoticed.
# Accepted forms: `run ! cmd`, `[[ ! ... ]]`, `if ! cmd`, a line ending in
# `|| return 1` (or exit, false), and `! cmd` as the very last command
# (not in a loop, where only the last round would count).
# Usage: awk -f negations.awk FILE...

function report() {
	if (pending)
		print pending
	pending = ""
}

FNR == 1 { report() }

{
	line = $0
	sub(/^[ \t]+/, "", line)
	if (line == "" || line ~ /^#/)
		next
	# The end of a test or function, or of a quoted script (a CHECK
	# entry's last line): the negation before it is the last command.
	if (line ~ /^}/) {
		pending = ""
		next
	}
	report()
	gsub(/\[\[[^]]*\]\]/, "", line)		# [[ ! -e f ]] is a test
	sub(/^[A-Z]+\[[^]]*\]='/, "", line)	# CHECK[key]='...
	if (line ~ /^(if|elif|while|until|run)[ \t]/)
		next
	if (line !~ /(^|&&|\|\||;|do|then)[ \t]*! /)
		next
	if (line ~ /\|\|[ \t]*(return|exit|false)([ \t;]|$)/)
		next
	if (line ~ /(^|[ \t;])do[ \t]+! /) {	# a loop: only its last round counts
		print FILENAME ":" FNR ": " $0
		next
	}
	if (line ~ /'$/)			# the last line of a quoted script
		next
	pending = FILENAME ":" FNR ": " $0
}

END { report() }
