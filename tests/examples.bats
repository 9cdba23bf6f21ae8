#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The EXAMPLES of every man page, extracted from the mdoc source (.Dl lines
# and .Bd -literal blocks) and run as written, each in fresh IPC, mount
# and PID namespaces (so the fixed names and keys of the examples collide
# with nothing), with the objects it needs set up by the table below.
# An example with no entry, or an entry with no example, fails the first
# test: a new or edited example must be given a setup and a check here.

load lib/common
load lib/examples

declare -gA SETUP=() EDIT=() LIMIT=() CHECK=()

# The pages whose examples are run; each page of man/ must be here.
pages() {
	local p
	for p in "$IPCU_SRCDIR"/man/*.[17]; do echo "$p"; done
}

# --- mqrecv(1) ---------------------------------------------------------
# Follow a queue fed by tail -f: stop everything once both lines arrived.
SETUP[bbad10f1]='printf "line 1\nline 2\n" > log; mqsend -c q </dev/null
stop_when lines out 2'
CHECK[bbad10f1]='diff log out'
# The gzip worker: three old logs compressed, today's left alone, and
# one whose .gz already exists fails (gzip will not overwrite it), is
# tried again with a growing delay, and is still queued when -t ends it.
SETUP[eb4cbb50]='mount -t tmpfs ipcu-log /var/log && mkdir /var/log/myapp
cd /var/log/myapp && echo a > a.log && echo b > b.log && echo c > c.log
echo x > x.log && echo old > x.log.gz && echo t > today.log
touch -d "2 days ago" a.log b.log c.log x.log && cd - >/dev/null'
LIMIT[eb4cbb50]=30
CHECK[eb4cbb50]='[ $rc = 0 ] && cd /var/log/myapp
[ "$(ls | tr "\n" " ")" = "a.log.gz b.log.gz c.log.gz today.log x.log x.log.gz " ]
[ "$(zcat a.log.gz)" = a ] && [ "$(mqrecv -t 0 gzip-jobs)" = /var/log/myapp/x.log ]'
# Command-line jobs: the good one runs once, the bad one fails five times
# and lands in failed-jobs; the worker runs for ever: stop it then.
SETUP[75c69d58]='mqsend -c jobs "echo ok >> ok.out" "exit 3"
mqsend -c failed-jobs </dev/null
stop_when test "$(qlen failed-jobs)" = 1'
CHECK[75c69d58]='[ "$(cat ok.out)" = ok ] && [ "$(mqrecv -t 0 failed-jobs)" = "exit 3" ]
[ "$(qlen jobs)" = 0 ] && [ "$(grep -c "failed 5 times" err)" = 1 ]'
# MQTT: Debian's mosquitto on the sandbox's loopback as "broker"; stop
# once the subscriber has both messages.
SETUP[dab27fc6]='mqtt_broker got
mqsend -c jobs "job 1" "job 2"
stop_when lines got 2'
CHECK[dab27fc6]='printf "job 1\njob 2\n" | diff - got && [ "$(qlen jobs)" = 0 ]'
# Drain by priority, then the queue is gone.
SETUP[45701e57]='mqsend -c q </dev/null; mqsend -p 1 q low; mqsend -p 9 q high
mqsend -p 5 q mid'
CHECK[45701e57]='[ $rc = 0 ] && printf "high\nmid\nlow\n" | diff - out
if mqrecv --stat q 2>/dev/null; then exit 1; fi'
# head -n 3 takes three messages; the others (and any put back) stay.
SETUP[d2eeffa6]='mqsend -c q a b c d e'
CHECK[d2eeffa6]='[ "$(cat out)" = "a
b
c" ] && [ "$(mqrecv -t 0 q | sort | tr "\n" " ")" = "d e " ]'
# A queue forwarded with --batch: "receiver" is this sandbox's loopback,
# where a listener stands for the other host; stop once it has both jobs.
SETUP[e6181e9f]='{ cat /etc/hosts; echo "127.0.0.1 receiver"; } > hosts
mount --bind hosts /etc/hosts
mqsend -c jobs "job 1" "job 2"
sockcat -l tcp::9000 </dev/null > got &
until ss -Hltn | grep -q ":9000 "; do sleep 0.02; done
stop_when lines got 2'
CHECK[e6181e9f]='printf "job 1\njob 2\n" | diff - got && [ "$(qlen jobs)" = 0 ]'
# eval --stat: the variables are set in the shell that ran it; then the
# queue is removed, its messages unread.
SETUP[2321854e]='mqsend -c q one two
printf "%s\n" "echo \"\$messages \$max_messages\"" >> example.sh'
CHECK[2321854e]='[ $rc = 0 ]
[ "$(cat out)" = "2 10" ]
if mqrecv --stat q 2>/dev/null; then exit 1; fi'

# --- mqsend(1) ---------------------------------------------------------
SETUP[54ad8162]='printf "line 1\nline 2\n" > log; mqsend -c q </dev/null
stop_when test "$(qlen q)" = 2'
CHECK[54ad8162]='mqrecv -t 0 q | diff log -'
CHECK[9d50bbc9]='[ $rc = 0 ] && mqrecv --stat key:0x6a6f62 > stat
grep -qx max_messages=10 stat && grep -qx message_size=256 stat
printf "job-%s\n" 1 2 3 4 | diff - <(mqrecv -t 0 key:0x6a6f62)'
SETUP[b45997a1]='mqsend -c q first'
CHECK[b45997a1]='[ $rc = 0 ] && [ "$(mqrecv -t 0 q | tr "\n" " ")" = "urgent first " ]'
# Run it twice: with room, then with the queue full.
SETUP[53f0045a]='mqsend -c --max-messages 1 q </dev/null'
CHECK[53f0045a]='[ $rc = 0 ] && [ ! -s out ] && [ "$(qlen q)" = 1 ]
[ "$(bash example.sh 2>/dev/null)" = "queue full" ]
[ "$(mqrecv -t 0 q)" = hello ]'

# --- rawping(8) ----------------------------------------------------------
CHECK[ffef0bd5]='[ $rc = 0 ] && [ "$(cat out)" = up ]'
CHECK[046e0a08]='[ $rc = 0 ]
[ "$(grep -c "^5 packets transmitted, 5 received, 0% packet loss" out)" = 2 ]
[ "$(grep -c "^rtt min/avg/max/mdev = " out)" = 2 ]'
CHECK[3e9b9fe4]='[ $rc = 0 ] && [ "$(wc -l < out)" = 2 ]
grep -Eqx "127\.0\.0\.1 [0-9]+(\.[0-9]+)?" out
grep -Eqx "::1 [0-9]+(\.[0-9]+)?" out'
# The capability on a copy in a private /usr/local/bin, then the copy
# pings as nobody.
SETUP[548ebbd4]='mount -t tmpfs ipcu-bin /usr/local/bin
cp "$(command -v rawping)" /usr/local/bin/rawping'
CHECK[548ebbd4]='[ $rc = 0 ] && grep -q "^/usr/local/bin/rawping cap_net_raw=ep$" out
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env ASAN_OPTIONS=detect_leaks=0 /usr/local/bin/rawping -q -c 1 127.0.0.1 >/dev/null'

# --- semop(1) ----------------------------------------------------------
CHECK[a34a30bf]='[ $rc = 0 ] && printf "job %s\n" 1 2 3 4 5 | diff - <(sort out)
[ "$(semop key:0x51 get)" = 2 ]'
# The stub command shows the mutex is held (0) while it runs.
SETUP[8d82c7e8]='printf "#!/bin/sh\nsemop key:0x52 get\n" > update-index
chmod +x update-index'
CHECK[8d82c7e8]='[ $rc = 0 ] && [ "$(cat out)" = 0 ] && [ "$(semop key:0x52 get)" = 1 ]'
CHECK[3c4408fc]='[ $rc = 0 ] && [ "$(cat out)" = go ] && [ "$(semop ready get)" = 0 ]'
SETUP[84fef711]='semop -c 0 --nsems 2 key:0x53 0:+2 1:+1'
CHECK[84fef711]='[ $rc = 0 ] && [ "$(semop key:0x53 get | tr "\n" " ")" = "0 0 " ]'

# --- shmcat(1) ---------------------------------------------------------
CHECK[74cc3ca2]='[ $rc = 0 ] && grep -Eqx "[0-9]+" out && [ "$(semop key:0x5100 get)" = 1 ]'
SETUP[24357d0e]='printf "hello, segment" | shmcat -w -c -s 4K key:0x1234'
CHECK[24357d0e]='[ $rc = 0 ] && [ "$(stat -c %s snap.bin)" = 4096 ]
head -c 14 snap.bin | grep -qx "hello, segment"
grep -q "^000000  *68 65 6c 6c 6f 2c 20 73 65 67 6d 65 6e 74 00 00  *>hello, segment..<" out
grep -qx "size=4096" out'
SETUP[354c9e58]='head -c 1M /dev/urandom > table.bin'
CHECK[354c9e58]='[ $rc = 0 ] && shmcat key:0x1235 | cmp - table.bin'

# --- sigwaitfor(1) -----------------------------------------------------
# These examples use /tmp: give the sandbox a /tmp of its own.
SETUP[9ad9d8f0]='private_tmp'
CHECK[9ad9d8f0]='[ $rc = 0 ] && printf "USR1\nready: %s\n" "$(cat /tmp/daemon.pid)" | diff - out
kill -0 "$(cat /tmp/daemon.pid)"'
SETUP[99e0419e]='private_tmp'
CHECK[99e0419e]='[ $rc = 0 ] && [ "$(cat out)" = "reloading configuration" ]'
CHECK[ad38f5c1]='[ $rc = 0 ] && [ "$(cat out)" = "nothing came (status 124)" ]'
CHECK[0306b267]='[ $rc = 0 ] && printf "progress %s%%\n" 25 50 75 100 | diff - out'

# --- sockcat(1) --------------------------------------------------------
# A stub web server on port 8000 of the sandbox's own loopback.
SETUP[b47a0528]='python3 -m http.server 8000 --bind 127.0.0.1 >/dev/null 2>&1 &
until ss -Hltn | grep -q "127.0.0.1:8000 "; do sleep 0.02; done'
CHECK[b47a0528]='[ $rc = 0 ] && head -n 1 out | grep -q "^HTTP/1.0 200 OK"'
# /run of the sandbox's own; the example, run as printed, waits for the
# listener itself.
SETUP[72387f06]='mount -t tmpfs ipcu-run /run'
CHECK[72387f06]='[ $rc = 0 ] && [ "$(cat out)" = SHOUT ]'
# The echo server runs for ever: two clients at once, then stop it.
SETUP[440d8637]='(
	until ss -Hltn | grep -q ":7000 "; do sleep 0.02; done
	{ echo one; sleep 0.2; echo two; } | sockcat tcp:127.0.0.1:7000 > c1 &
	echo three | sockcat tcp:127.0.0.1:7000 > c2
	wait
	kill -TERM -1
) &'
CHECK[440d8637]='[ "$(cat c1)" = "one
two" ] && [ "$(cat c2)" = three ]'
# Host B's half: a client on the other host is a client on loopback here.
# It waits for the listener as a script would, with a probe (-z), which a
# one-shot listener would not survive; stop once both jobs are queued.
SETUP[235782f9]='(
	until sockcat -z tcp:127.0.0.1:7001 2>/dev/null; do sleep 0.02; done
	printf "job 1\njob 2\n" | sockcat tcp:127.0.0.1:7001
) &
stop_when eval "[ \"\$(qlen /jobs 2>/dev/null)\" = 2 ]"'
CHECK[235782f9]='printf "job 1\njob 2\n" | diff - <(mqrecv -t 0 /jobs)'
# Host A's half: hostb is this sandbox's loopback, where a listener
# stands for host B; stop once it has both jobs.
SETUP[ca73c883]='{ cat /etc/hosts; echo "127.0.0.1 hostb"; } > hosts
mount --bind hosts /etc/hosts
mqsend -c /jobs "job 1" "job 2"
sockcat -l tcp::7001 </dev/null > got &
until ss -Hltn | grep -q ":7001 "; do sleep 0.02; done
stop_when lines got 2'
CHECK[ca73c883]='printf "job 1\njob 2\n" | diff - got && [ "$(qlen /jobs)" = 0 ]'
SETUP[70788f0f]='sockcat -k -l tcp::8003 </dev/null >/dev/null &
sockcat -k -l tcp::8007 </dev/null >/dev/null &
until [ "$(ss -Hltn | grep -c ":800[37] ")" = 2 ]; do sleep 0.02; done'
CHECK[70788f0f]='[ $rc = 0 ] && grep -q 8003 out && grep -q 8007 out && [ "$(wc -l < out)" = 2 ]'

# --- ipcutils(7) -------------------------------------------------------
# The worker starts first, the producer fills the queue behind it.
SETUP[b94be017]='for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "echo done $i >> done.$i"; done > joblist'
CHECK[b94be017]='[ $rc = 0 ] && cat done.* | sort -n -k2 | diff - <(printf "done %s\n" $(seq 12))
[ "$(qlen jobs)" = 0 ]'
SETUP[73a969b9]='mqtt_broker got
mqsend -c jobs "job 1" "job 2"
stop_when lines got 2'
CHECK[73a969b9]='printf "job 1\njob 2\n" | diff - <(sort got) && [ "$(qlen jobs)" = 0 ]'
SETUP[137833d5]='mkdir project
printf "all:\n\t@echo built while holding \$\$(semop key:0x51 get)\n" > project/Makefile'
CHECK[137833d5]='[ $rc = 0 ] && grep -qx "built while holding 3" out && [ "$(semop key:0x51 get)" = 4 ]'
# A stub daemon that tells its parent it is ready, then keeps running.
SETUP[6f70b221]='printf "#!/bin/sh\n[ \"\$1\" = --notify-parent ] && kill -USR1 \$PPID\nexec sleep 60\n" > bin/mydaemon
chmod +x bin/mydaemon'
LIMIT[6f70b221]=10
CHECK[6f70b221]='[ $rc = 0 ] && grep -Eqx "(SIG)?USR1" out'
SETUP[27616264]='semop -c statelock; printf "state 42\n" | shmcat -w -c state'
CHECK[27616264]='[ $rc = 0 ] && [ "$(cat state.snapshot)" = "state 42" ] && [ "$(semop statelock get)" = 1 ]'
# Two hosts: each half of the example runs verbatim in a network and IPC
# namespace of its own, joined by a veth pair; "receiver" resolves to the
# receiving host through a private /etc/hosts.
SETUP[685d3e66]='bridge_hosts example.sh'
LIMIT[685d3e66]=30
CHECK[685d3e66]='[ "$(cat recv.out)" = "job 1
job 2" ]'

# run_page PAGE: run every example of PAGE, report each one that fails.
run_page() {
	local ex n=0 failed=0 t
	while IFS= read -r -d '' ex; do
		((++n))
		if t=$(missing_tool "$ex"); then
			echo "# $1: example $(example_key "$ex") needs $t, not built here" >&3
			continue
		fi
		run_example "$ex" || failed=1
	done < <(man_examples "$1")
	((n > 0)) || { echo "$1 has no EXAMPLES"; return 1; }
	return $failed
}

@test "every example of every man page has exactly one setup entry" {
	mapfile -t all < <(pages)
	check_table_covers man "${all[@]}"
}

@test "every man page in man/ has examples" {
	for p in $(pages); do
		[[ -n $(man_examples "$p" | tr -d '\0') ]] || { echo "$p: none"; return 1; }
	done
}

@test "the examples of mqsend.1 run as written" {
	require_root
	[[ -f $IPCU_SRCDIR/man/mqsend.1 ]] || { [[ " $IPCU_TOOLS " != *" mqsend "* ]] && skip "mqsend.1 has not landed in this tree"; }
	run_page "$IPCU_SRCDIR/man/mqsend.1"
}

@test "the examples of mqrecv.1 run as written" {
	require_root
	[[ -f $IPCU_SRCDIR/man/mqrecv.1 ]] || { [[ " $IPCU_TOOLS " != *" mqrecv "* ]] && skip "mqrecv.1 has not landed in this tree"; }
	run_page "$IPCU_SRCDIR/man/mqrecv.1"
}

@test "the examples of shmcat.1 run as written" {
	require_root
	[[ -f $IPCU_SRCDIR/man/shmcat.1 ]] || { [[ " $IPCU_TOOLS " != *" shmcat "* ]] && skip "shmcat.1 has not landed in this tree"; }
	run_page "$IPCU_SRCDIR/man/shmcat.1"
}

@test "the examples of semop.1 run as written" {
	require_root
	[[ -f $IPCU_SRCDIR/man/semop.1 ]] || { [[ " $IPCU_TOOLS " != *" semop "* ]] && skip "semop.1 has not landed in this tree"; }
	run_page "$IPCU_SRCDIR/man/semop.1"
}

@test "the examples of rawping.1 run as written" {
	require_root
	[[ -f $IPCU_SRCDIR/man/rawping.1 ]] || { [[ " $IPCU_TOOLS " != *" rawping "* ]] && skip "rawping.1 has not landed in this tree"; }
	run_page "$IPCU_SRCDIR/man/rawping.1"
}

@test "the examples of sigwaitfor.1 run as written" {
	require_root
	[[ -f $IPCU_SRCDIR/man/sigwaitfor.1 ]] || { [[ " $IPCU_TOOLS " != *" sigwaitfor "* ]] && skip "sigwaitfor.1 has not landed in this tree"; }
	run_page "$IPCU_SRCDIR/man/sigwaitfor.1"
}

@test "the examples of sockcat.1 run as written" {
	require_root
	[[ -f $IPCU_SRCDIR/man/sockcat.1 ]] || { [[ " $IPCU_TOOLS " != *" sockcat "* ]] && skip "sockcat.1 has not landed in this tree"; }
	run_page "$IPCU_SRCDIR/man/sockcat.1"
}

@test "the examples of ipcutils.7 run as written" {
	require_root
	[[ -f $IPCU_SRCDIR/man/ipcutils.7 ]] || { [[ " $IPCU_TOOLS " != *" ipcutils "* ]] && skip "ipcutils.7 has not landed in this tree"; }
	run_page "$IPCU_SRCDIR/man/ipcutils.7"
}
