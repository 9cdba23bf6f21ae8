#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Bad input, as one table: for every tool, every kind of bad value a user
# can type.  Each row must exit 2, print a diagnostic that starts with the
# tool's name and contains NEEDLE (the value it refuses), and leave nothing
# behind.  Each row runs in private IPC, mount and PID namespaces
# (tests/lib/isolated.sh) with its own mqueue mount, /dev/shm and working
# directory, so "nothing left behind" is checked against the whole
# namespace -- every queue, shm/sem file, System V object, file and
# process -- while other tests on the machine create objects of their own.
#
# To extend: add rows.  Columns are separated by '|':
#   TOOL | KIND | NEEDLE | ARGUMENTS (shell words, eval'd)
# KIND is one of the kinds below; NEEDLE is matched literally.  Rows of a
# tool that is not built are ignored, so sigwaitfor and sockcat rows can
# wait here for their tools.  Arguments include -c (create) wherever a tool
# has it, so a value wrongly accepted would create an object and show up.
# A KIND that cannot apply to a tool gets a row with ARGUMENTS "n/a: why".

load lib/common

KINDS="empty negative overflow junk kind missing extra unknown conflict"

TABLE=$(cat <<'ROWS'
mqsend   | empty    | ''                   | ''
mqsend   | empty    | '-p'                 | -c -p '' /hbq1
mqsend   | negative | '-1'                 | -c -p -1 /hbq2
mqsend   | negative | '-1'                 | -c -t -1 /hbq3
mqsend   | overflow | '99999999999999999999' | -c -p 99999999999999999999 /hbq4
mqsend   | overflow | '32768'              | -c -p 32768 /hbq5
mqsend   | overflow | '99999999999999999999' | -c --max-messages=99999999999999999999 /hbq6
mqsend   | junk     | '5x'                 | -c -p 5x /hbq7
mqsend   | junk     | '1Q'                 | -c --message-size=1Q /hbq8
mqsend   | junk     | '0800'               | -c --mode=0800 /hbq9
mqsend   | junk     | '3parsecs'           | -c -t 3parsecs /hbq10
mqsend   | kind     | 'key:zz'             | -c key:zz
mqsend   | kind     | '/a/b'               | -c /a/b
mqsend   | kind     | '0'                  | -c -T 0 key:0x4801
mqsend   | missing  | QUEUE                |
mqsend   | missing  | -p                   | -c /hbq11 -p
mqsend   | extra    | -                    | n/a: MESSAGE... takes any number of operands
mqsend   | unknown  | --bogus              | -c --bogus /hbq12
mqsend   | conflict | -T                   | -c -p 3 -T 3 key:0x4802
mqrecv   | empty    | ''                   | -c ''
mqrecv   | empty    | ''                   | -c -t '' /hbr1
mqrecv   | negative | '-1'                 | -c -n -1 /hbr2
mqrecv   | overflow | '99999999999999999999999' | -c -n 99999999999999999999999 /hbr3
mqrecv   | overflow | '99999999999999999999' | -c --message-size=99999999999999999999 /hbr4
mqrecv   | junk     | '1x'                 | -c -n 1x /hbr5
mqrecv   | junk     | 'x'                  | -c -T x key:0x4803
mqrecv   | kind     | 'ftok:'              | -c ftok:
mqrecv   | kind     | '/hbr6'              | -c -T 1 /hbr6
mqrecv   | missing  | QUEUE                | -c
mqrecv   | missing  | -n                   | -c /hbr7 -n
mqrecv   | extra    | 'hbr9'               | -c /hbr8 hbr9
mqrecv   | unknown  | --bogus              | -c --bogus /hbr10
mqrecv   | conflict | '/hbr11'             | -c -P -T 1 /hbr11
shmcat   | empty    | ''                   | -w -c -s 1K ''
shmcat   | empty    | ''                   | -w -c -s '' /hbs1
shmcat   | negative | '-1'                 | -w -c -s -1 /hbs2
shmcat   | negative | '-1'                 | -o -1 /hbs3
shmcat   | overflow | '99999999999999999999999' | -w -c -s 99999999999999999999999 /hbs4
shmcat   | junk     | '3K3'                | -w -c -s 3K3 /hbs5
shmcat   | junk     | '1x'                 | -w -c -s 1K -t 1x /hbs6
shmcat   | junk     | '77777'              | -w -c -s 1K --mode=77777 /hbs7
shmcat   | kind     | 'id:x'               | -w -c -s 1K id:x
shmcat   | kind     | '/a/b'               | -w -c -s 1K /a/b
shmcat   | kind     | 'ftok:/tmp:0'        | -w -c -s 1K ftok:/tmp:0
shmcat   | negative | 'ftok:/tmp:-1'       | -w -c -s 1K ftok:/tmp:-1
shmcat   | kind     | 'key:0'              | -w -c -s 1K -L key:0 /hbs13
shmcat   | missing  | SHM                  | -w -c -s 1K
shmcat   | missing  | --size               | -w -c key:0x4804
shmcat   | extra    | 2                    | -w -c -s 1K /hbs8 /hbs9
shmcat   | unknown  | --bogus              | -w -c -s 1K --bogus /hbs10
shmcat   | conflict | --stat               | -w -c -s 1K --stat /hbs11
shmcat   | conflict | --truncate           | --truncate /hbs12
semop    | empty    | ''                   | -c ''
semop    | empty    | ''                   | --create= /hbm1 post
semop    | negative | '-1'                 | --create=-1 /hbm2 post
semop    | negative | '-1'                 | -c -E -1 /hbm3 get
semop    | overflow | '99999999999'        | --create=99999999999 /hbm4 post
semop    | overflow | '40000'              | --create=40000 key:0x4805 get
semop    | overflow | '0:+99999'           | -c key:0x4806 0:+99999
semop    | overflow | '300'                | -c -E 300 /hbm5 get
semop    | overflow | '9:+1'               | -c key:0x4807 9:+1
semop    | junk     | '3x'                 | -c --nsems=3x key:0x4808 get
semop    | junk     | '3x'                 | --create=3x /hbm6 get
semop    | kind     | 'frob'               | -c key:0x4809 frob
semop    | kind     | '0:+1'               | -c /hbm7 0:+1
semop    | kind     | 'lock'               | -c /hbm13 lock
semop    | kind     | 'key:0'              | -c key:0 get
semop    | kind     | 'ftok:/tmp:0'        | -c ftok:/tmp:0 get
semop    | overflow | 'ftok:/tmp:256'      | -c ftok:/tmp:256 get
semop    | overflow | 'key:0x100000000'    | -c key:0x100000000 get
semop    | missing  | semaphore            | -c
semop    | missing  | COMMAND              | -c /hbm8 --
semop    | extra    | -                    | n/a: OP... takes any number of operands; a bad one is a 'kind' row
semop    | unknown  | --bogus              | -c --bogus /hbm9 get
semop    | conflict | COMMAND              | -c /hbm10 get -- true
semop    | conflict | --nsems              | -c --nsems=2 /hbm11 get
semop    | conflict | -F                   | -c -F /hbm12 get
rawping  | empty    | ''                   | -c 1 -i '' 127.0.0.1
rawping  | negative | '-1'                 | -c -1 127.0.0.1
rawping  | overflow | '99999999999999999999' | -c 99999999999999999999 127.0.0.1
rawping  | overflow | '70000'              | -c 1 -s 70000 127.0.0.1
rawping  | overflow | '300'                | -c 1 -t 300 127.0.0.1
rawping  | junk     | '1x'                 | -c 1 -i 1x 127.0.0.1
rawping  | kind     | not_a_host..         | -c 1 not_a_host..
rawping  | kind     | '0'                  | -c 1 -W 0 127.0.0.1
rawping  | missing  | HOST                 | -c 1
rawping  | extra    | -                    | n/a: HOST... takes any number of operands
rawping  | unknown  | --bogus              | -c 1 --bogus 127.0.0.1
rawping  | conflict | ::1                  | -c 1 -4 ::1
sigwaitfor | empty    | ''                 | ''
sigwaitfor | negative | '-1'               | -t -1 USR1
sigwaitfor | overflow | '99999999999999999999' | -n 99999999999999999999 USR1
sigwaitfor | junk     | 'USR1x'            | USR1x
sigwaitfor | kind     | 'KILL'             | KILL
sigwaitfor | missing  | signal             |
sigwaitfor | missing  | COMMAND            | USR1 --
sigwaitfor | extra    | -                  | n/a: SIGNAL... takes any number of operands
sigwaitfor | unknown  | --bogus            | --bogus USR1
sigwaitfor | conflict | --list             | --list -- true
sigwaitfor | conflict | --kill             | --kill -t 1 USR1
sigwaitfor | kind     | '0'                | --pid 0 USR1
sockcat  | empty    | ''                   | -l ''
sockcat  | negative | '-1'                 | -l -m -1 tcp:127.0.0.1:0
sockcat  | overflow | '65536'              | -l tcp:127.0.0.1:65536
sockcat  | junk     | '80x'                | -l tcp:127.0.0.1:80x
sockcat  | kind     | 'frob:x'             | -l frob:x
sockcat  | missing  | ADDRESS              | -l
sockcat  | extra    | 'unix:hbk2'          | -l unix:hbk1 unix:hbk2
sockcat  | unknown  | --bogus              | -l --bogus unix:hbk3
sockcat  | conflict | -6                   | -l -4 -6 tcp:127.0.0.1:0
sockcat  | conflict | --sh-exec            | -l -e cat --sh-exec cat unix:hbk4
sockcat  | conflict | -z                   | -z -l unix:hbk5
sockcat  | junk     | '5x'                 | -l -w 5x unix:hbk6
sockcat  | negative | '-1'                 | --connect-timeout=-1 unix:hbk7
sockcat  | overflow | '0'                  | -l -m 0 -e cat unix:hbk8
sockcat  | empty    | unix:                | -l unix:
sockcat  | empty    | -e                   | -l -e '' unix:hbk10
sockcat  | missing  | tcp:127.0.0.1        | tcp:127.0.0.1
sockcat  | junk     | '0999'               | -l --mode=0999 unix:hbk11
ROWS
)

# Whether TOOL is built (on PATH from the build tree).
present() {
	[[ " ${IPCU_TOOLS:-mqsend mqrecv shmcat semop sigwaitfor sockcat rawping} " == *" $1 "* ]] &&
		command -v "$1" >/dev/null
}

# Print the rows of TOOL (or of every tool with no argument) as
# tool<TAB>kind<TAB>needle<TAB>args, trimmed.
rows() {
	awk -F'|' -v tool="${1:-}" '
		function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
		NF >= 4 && (tool == "" || trim($1) == tool) {
			print trim($1) "\t" trim($2) "\t" trim($3) "\t" trim($4)
		}' <<<"$TABLE"
}

@test "bad input table: every built tool has a row of every kind" {
	local tool kind missing=
	for tool in mqsend mqrecv shmcat semop sigwaitfor sockcat rawping; do
		present "$tool" || continue
		for kind in $KINDS; do
			rows "$tool" | awk -F'\t' -v k="$kind" '$2 == k { f = 1 } END { exit !f }' ||
				missing+=" $tool/$kind"
		done
	done
	[[ -z $missing ]] || { echo "no row for:$missing" >&2; return 1; }
	# And no row has a kind outside the list.
	run bash -c "awk -F'\t' '{ print \$2 }' <<<\"\$1\" | sort -u" _ "$(rows)"
	for kind in $output; do
		[[ " $KINDS " == *" $kind "* ]] || { echo "unknown kind $kind" >&2; return 1; }
	done
}

@test "bad input table: exit 2, tool and value named, nothing left behind" {
	require_root
	local tool kind needle args failed=0 cases=0 first
	local helper="$IPCU_SRCDIR/tests/lib/isolated.sh"
	while IFS=$'\t' read -r tool kind needle args; do
		present "$tool" || continue
		[[ $args == n/a:* ]] && continue
		eval "set -- $args"
		eval "needle=$needle"
		cases=$((cases + 1))
		mkdir -p "$BATS_TEST_TMPDIR/iso"
		IPCU_ISOLATED_DIR=$BATS_TEST_TMPDIR/iso \
		    run unshare -imp --fork --mount-proc --kill-child bash "$helper" "$tool" "$@"
		local why=
		first=${lines[1]:-}
		[[ ${lines[0]} == rc=2 ]] || why+=" status ${lines[0]#rc=} (want 2);"
		[[ $first == "$tool: "* ]] || why+=" first line does not start with '$tool: ';"
		[[ $output == *"$needle"* ]] || why+=" message does not name $needle;"
		[[ $output != *$'\n'left:* ]] || why+=" left behind: $(grep '^left:' <<<"$output" | tr '\n' ' ');"
		if [[ -n $why ]]; then
			echo "FAIL $tool $kind: $tool $args:$why" >&2
			echo "  output: $output" >&2
			failed=$((failed + 1))
		fi
	done < <(rows)
	echo "# $cases cases, $failed failed" >&3
	((cases > 0 && failed == 0))
}
