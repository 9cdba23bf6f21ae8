#!/bin/sh
# SPDX-License-Identifier: MIT
# make demo: run each tool's demo fragment (tests/demo/TOOL.sh) in turn.
set -eu
echo "ipcutils demo: each tool at work on this machine"
for fragment in "$@"; do
	echo
	sh "$IPCU_SRCDIR/$fragment"
done
echo
echo "demo finished: every tool above worked"
