#!/bin/sh
# SPDX-License-Identifier: MIT
# rawping demo: ping the loopback address a few times, then as JSON.
set -eu
echo "== rawping: ICMP echo in ping's format, several hosts at once"
echo '$ rawping -c 3 -i 0.2 127.0.0.1'
rawping -c 3 -i 0.2 127.0.0.1
echo '$ rawping --json -q -c 3 -i 0.2 127.0.0.1'
rawping --json -q -c 3 -i 0.2 127.0.0.1
