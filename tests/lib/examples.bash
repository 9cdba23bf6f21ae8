# SPDX-License-Identifier: MIT
# Helpers for the bats files that run documented examples (examples.bats
# for the man pages, readme.bats for README.md): extract the examples,
# key each one by a hash of its text, and run it in a sandbox of its own.
#
# Load with:  load lib/examples   (after lib/common)
#
# An example is keyed by the first 8 hex digits of the md5 of its text, so
# editing an example changes its key and the test fails until its setup
# entry is reviewed: no example can change, or appear, unexercised.

# man_examples PAGE: print each example in the EXAMPLES section of the
# mdoc PAGE, NUL-terminated: every .Dl line and every .Bd -literal block,
# with the roff escapes the pages use (\e, \(aq, \&, \-) undone.
man_examples() {
	awk '
	function unesc(s) {
		gsub(/\\\(aq/, "\047", s); gsub(/\\&/, "", s)
		gsub(/\\-/, "-", s); gsub(/\\e/, "\\", s)
		return s
	}
	/^\.Sh / { inex = ($2 == "EXAMPLES"); next }
	!inex { next }
	inlit && /^\.Ed/ { printf "%s%c", buf, 0; inlit = 0; next }
	inlit { buf = buf (first ? "" : "\n") unesc($0); first = 0; next }
	/^\.Bd -literal/ { inlit = 1; first = 1; buf = ""; next }
	/^\.Dl / { s = $0; sub(/^\.Dl /, "", s); printf "%s%c", unesc(s), 0 }
	' "$1"
}

# readme_examples FILE: print each ```sh fenced block of the Markdown FILE,
# NUL-terminated.
readme_examples() {
	awk '
	inblk && /^```/ { printf "%s%c", buf, 0; inblk = 0; next }
	inblk { buf = buf (first ? "" : "\n") $0; first = 0; next }
	/^```sh[ \t]*$/ { inblk = 1; first = 1; buf = ""; next }
	' "$1"
}

# example_key TEXT: the key of an example in the setup tables.
example_key() {
	printf '%s' "$1" | md5sum | cut -c1-8
}

# sandbox SCRIPT: run the bash SCRIPT in new IPC, mount, network and PID
# namespaces (only a loopback interface, so ports and abstract sockets
# collide with nothing) with a private tmpfs on /dev/shm, in the directory $BATS_TEST_TMPDIR/box
# with box/bin first on PATH and the helpers of tests/lib/sandbox.sh.  Every object and process it creates is
# gone when it returns: the namespaces die with their last process.
sandbox() {
	local box=$BATS_TEST_TMPDIR/box
	mkdir -p "$box/bin"
	unshare --ipc --mount --net --pid --fork --mount-proc \
	    --propagation private \
	    bash -c 'mount -t tmpfs -o mode=1777 ipcu-examples /dev/shm || exit 99
		ip link set lo up || exit 99
		cd "$1" || exit 99
		PATH=$1/bin:$PATH
		. "$IPCU_SRCDIR/tests/lib/sandbox.sh" || exit 99
		eval "$2"' sandbox "$box" "$1"
}

# run_example TEXT: run the example TEXT in a sandbox with the entries of
# the tables SETUP (shell run first), EDIT (a sed script applied to TEXT,
# only where the example names something that cannot exist here), LIMIT
# (seconds, default 20) and CHECK (shell run after it: the example's exit
# status is in $rc, its output in the files out and err) under its key.
# Fails, showing the example and what it printed, unless CHECK succeeds.
run_example() {
	local text=$1 key
	key=$(example_key "$text")
	[[ -v CHECK[$key] ]] || {
		printf 'no setup entry for example %s:\n%s\n' "$key" "$text" >&2
		return 1
	}
	local box=$BATS_TEST_TMPDIR/box
	mkdir -p "$box/bin"
	if [[ -n ${EDIT[$key]:-} ]]; then
		printf '%s\n' "$text" | sed -e "${EDIT[$key]}" > "$box/example.sh"
	else
		printf '%s\n' "$text" > "$box/example.sh"
	fi
	local script="set -e
${SETUP[$key]:-}
set +e
timeout ${LIMIT[$key]:-20} bash example.sh > out 2> err < /dev/null
rc=\$?
set -e
${CHECK[$key]}"
	if ! sandbox "$script"; then
		printf 'example %s failed:\n%s\n--- ran:\n%s\n--- stdout:\n' \
		    "$key" "$text" "$(cat "$box/example.sh")" >&2
		cat "$box/out" >&2 2>/dev/null
		echo '--- stderr:' >&2
		cat "$box/err" >&2 2>/dev/null
		return 1
	fi
	rm -rf "$box"
}

# check_table_covers KIND FILE...: every example of the FILEs (KIND man or
# readme) has a CHECK entry and every CHECK entry is an example of them.
check_table_covers() {
	local kind=$1 f ex key n=0 status=0
	shift
	declare -A seen=()
	for f in "$@"; do
		while IFS= read -r -d '' ex; do
			key=$(example_key "$ex")
			seen[$key]=1
			((++n))
			if [[ ! -v CHECK[$key] ]]; then
				printf '%s: example %s has no setup entry:\n%s\n' \
				    "$f" "$key" "$ex" >&2
				status=1
			fi
		done < <("${kind}_examples" "$f")
	done
	for key in "${!CHECK[@]}"; do
		[[ -v seen[$key] ]] || {
			echo "setup entry $key matches no example (stale)" >&2
			status=1
		}
	done
	((n == ${#CHECK[@]})) || {
		echo "$n examples, ${#CHECK[@]} setup entries" >&2
		status=1
	}
	((n > 0)) || { echo "no examples found in $*" >&2; status=1; }
	return $status
}

# missing_tool TEXT: print the tool that the example TEXT names and that is
# not built in this tree, if any.  Examples that name a tool not built
# here (on a branch where it
# has not landed yet) cannot run; everywhere the seven tools are built,
# which includes CI, nothing is skipped.
missing_tool() {
	local t
	for t in mqsend mqrecv shmcat semop sigwaitfor sockcat rawping; do
		[[ $1 == *"$t "* && " $IPCU_TOOLS " != *" $t "* ]] && { echo "$t"; return 0; }
	done
	return 1
}
