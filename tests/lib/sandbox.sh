# SPDX-License-Identifier: MIT
# Functions for the setup and check scripts of documented examples, which
# tests/lib/examples.bash runs with bash inside a sandbox (their own IPC,
# mount and PID namespaces; see sandbox there).

# stop_when CMD...: in the background, poll CMD every 20 ms and, once it
# succeeds (or after 20 s), end every other process of the sandbox.
stop_when() {
	(
		end=$((SECONDS + 20))
		until "$@" >/dev/null 2>&1 || ((SECONDS >= end)); do sleep 0.02; done
		kill -TERM -1 2>/dev/null
	) &
}

# lines FILE N: FILE has at least N lines.
lines() { [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }

# qlen QUEUE: the number of messages in QUEUE.
qlen() { mqrecv --stat "$1" | sed -n 's/^messages=//p'; }

# bridge_hosts SCRIPT: for the example that bridges a queue between two
# hosts.  Build them: two network and IPC namespaces joined by a veth
# pair (10.251.0.1 is "receiver", 10.251.0.2 the sender), each with a
# queue "jobs", the sender's holding two jobs.  Split SCRIPT at its
# "# on the receiving host" and "# on the sending host" comments into
# recv.sh and send.sh, run verbatim, and replace SCRIPT by a driver that
# starts the receiving half, then the sending half, and writes what the
# receiving host's queue got to recv.out.
bridge_hosts() {
	awk '/^# on the receiving host/ { f = "recv.sh" }
	    /^# on the sending host/ { f = "send.sh" } f { print > f }' "$1"
	[ -s recv.sh ] && [ -s send.sh ] || return 1
	{ cat /etc/hosts; echo "10.251.0.1 receiver"; } > hosts
	mount --bind hosts /etc/hosts
	unshare --net --ipc sleep 120 & rpid=$!
	unshare --net --ipc sleep 120 & spid=$!
	local me
	me=$(readlink /proc/self/ns/net)
	until [ "$(readlink /proc/$rpid/ns/net)" != "$me" ] &&
	    [ "$(readlink /proc/$spid/ns/net)" != "$me" ]; do sleep 0.01; done
	ip link add ipcu-recv netns "$rpid" type veth \
	    peer name ipcu-send netns "$spid"
	nsenter -t "$rpid" -n sh -c 'ip link set lo up &&
	    ip addr add 10.251.0.1/24 dev ipcu-recv && ip link set ipcu-recv up'
	nsenter -t "$spid" -n sh -c 'ip link set lo up &&
	    ip addr add 10.251.0.2/24 dev ipcu-send && ip link set ipcu-send up'
	nsenter -t "$rpid" -n -i mqsend -c jobs </dev/null
	nsenter -t "$spid" -n -i mqsend -c jobs "job 1" "job 2"
	cat > "$1" <<EOF
nsenter -t $rpid -n -i bash recv.sh > recv.stdout 2> recv.err &
until nsenter -t $rpid -n ss -Hltn | grep -q ":9000 "; do sleep 0.02; done
nsenter -t $spid -n -i bash send.sh > send.stdout 2> send.err &
until [ "\$(nsenter -t $rpid -i mqrecv --stat jobs |
    sed -n s/^messages=//p)" = 2 ]; do
	sleep 0.02
done
nsenter -t $rpid -i mqrecv -t 0 jobs > recv.out
EOF
}

# private_tmp: give the sandbox a /tmp of its own (for examples that use
# fixed names in /tmp), keeping the directories it needs from the real
# /tmp (its own, the built tools, the source) at their paths.
private_tmp() {
	local real=/dev/shm/.ipcu-real-tmp p
	mkdir "$real" && mount --bind /tmp "$real" || return 1
	mount -t tmpfs ipcu-tmp /tmp || return 1
	for p in "$PWD" ${PATH//:/ } "$IPCU_BUILDDIR" "$IPCU_SRCDIR"; do
		case $p in
		/tmp/*)
			[ -d "$real/${p#/tmp/}" ] || continue
			mkdir -p "$p" && mount --bind "$real/${p#/tmp/}" "$p" || return 1
			;;
		esac
	done
}

# mqtt_broker OUT: for the examples that hand messages to an MQTT broker.
# Debian's mosquitto on this sandbox's loopback, port 1883, reached as
# "broker" through a private /etc/hosts, and a QoS 1 subscriber to topic
# "jobs" writing what it gets to OUT.  ipcutils builds no broker.
mqtt_broker() {
	{ cat /etc/hosts; echo "127.0.0.1 broker"; } > hosts
	mount --bind hosts /etc/hosts
	printf 'listener 1883 127.0.0.1\nallow_anonymous true\nuser %s\n' \
	    "$(id -un)" > mosquitto.conf
	/usr/sbin/mosquitto -c mosquitto.conf 2> mosquitto.log &
	until mosquitto_pub -h broker -t probe -n 2>/dev/null; do sleep 0.02; done
	mosquitto_sub -h broker -t jobs -q 1 -i ipcu-examples > "$1" &
	until grep -q ipcu-examples mosquitto.log; do sleep 0.02; done
}
