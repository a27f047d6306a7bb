#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Drop events (issue 13): `edgefw monitor --json` against an edge running
# examples/lync-xmpp.conf with `events rate 100/s burst 100`, over real
# traffic between the namespaces of tests/lib/topology.sh.
#
#   burst    a few drops of each kind, sent with a count: non-partner SYNs
#            (hping3, fixed source port), SYN-ACKs in 802.1Q frames (a
#            packet socket), ICMPv6
#            echoes (ping), spoofed partner SYNs beyond the rule's burst
#            (drop ratelimit, rule xmpp-s2s-in): every field of every
#            event is checked, and each drop counted by `stats` has its
#            event.
#   filters  --interface, --reason and --rule show only what they name;
#            names the config lacks are errors (exit 2).
#   flood    hping3 --flood for FLOOD_SECONDS (timeout(1) bounds it): the
#            events stay within the limit over the monitor's lifetime
#            (burst + rate x seconds), the monitor saw every event sent,
#            and the suppressed counter of `stats --json` moved.
#   lease    SIGINT clears the listener flag; after kill -9 the first drop
#            after the lease ran out clears it.
#
# Waits are bounded (events, the listener flag); no assertion is on a
# time. About 20 s. Environment as for the other netns suites.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
PREFIX=${EDGEFW_TEST_PREFIX:-efwm-$$-}
RATE=100
BURST=100
FLOOD_SECONDS=3
VLAN=100
STRANGER_VLAN4=192.0.2.67 # spoofed by the VLAN SYNs
SPOOFED_PARTNER=203.0.113.100
RULE_BURST=40 # xmpp-s2s-in: limit 20/s burst 40 per source

traffic_use_private_directories monitor
WORK=$(mktemp -d /tmp/edgefw-monitor.XXXXXX) || exit 1
MON_PID=""
FLOOD_PID=""

cleanup() {
	trap - EXIT INT TERM HUP
	[ -n "$FLOOD_PID" ] && kill "$FLOOD_PID" 2>/dev/null
	[ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null
	wait 2>/dev/null
	traffic_cleanup
	rm -rf "$WORK"
}
run_cleanup_on_exit cleanup

inet() { in_ns "$PREFIX" inet "$@"; }

# The listener flag, as the data plane sees it: 0 or a lease's end.
lease() {
	bpftool -j map dump pinned "$EDGEFW_PIN_DIR/events_ctl" 2>/dev/null |
		jq -r '.[0].formatted.value.listen_until_ns // .[0].value.listen_until_ns // "none"'
}

wait_lease() { # set|clear: up to 5 s
	local i v
	for i in $(seq 50); do
		v=$(lease)
		case "$1:$v" in
		set:[1-9]*) return 0 ;;
		clear:0) return 0 ;;
		esac
		sleep 0.1
	done
	return 1
}

# monitor_start ARGS...: edgefw monitor --json in the background, its
# events in $WORK/mon.out; returns once it listens. nsenter execs
# edgefw, so $! is edgefw's own pid.
monitor_start() {
	nsenter --net="/run/netns/$(topology_ns "$PREFIX" edge)" \
		"$EDGEFW" monitor --json "$@" >"$WORK/mon.out" 2>"$WORK/mon.err" &
	MON_PID=$!
	wait_lease set || tap_bail "edgefw monitor $* never listened: $(cat "$WORK/mon.err")"
}

monitor_stop() { # sets MON_RC
	kill -INT "$MON_PID"
	wait "$MON_PID"
	MON_RC=$?
	MON_PID=""
}

drops() { jq -c 'select(.type == "drop")' "$WORK/mon.out"; }

wait_drops() { # N: up to 5 s for N drop events
	local i
	for i in $(seq 50); do
		[ "$(drops | wc -l)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# check_events DESC JQ-SELECT COUNT EXPECTED-JSON: COUNT events match
# JQ-SELECT, and each has exactly the fields of EXPECTED-JSON (time and
# what the caller leaves out aside).
check_events() {
	local desc=$1 sel=$2 count=$3 want=$4 got bad
	got=$(drops | jq -c "select($sel)" | wc -l)
	expect_eq "$desc: $count events" "$count" "$got"
	bad=$(drops | jq -c --argjson w "$want" "select($sel) | del(.time) |
		select(. as \$e | \$w | to_entries | any(\$e[.key] != .value))" | head -1)
	check "$desc: every field right${bad:+ (got $bad)}" -- [ -z "$bad" ]
	bad=$(drops | jq -r "select($sel) | .time" |
		grep -Evc '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z$')
	expect_eq "$desc: times are UTC with microseconds" 0 "$bad"
}

# expect_eq DESCRIPTION WANT GOT
expect_eq() { check_eq "$1" "$3" "$2"; }

counter() { # JSON JQ-PATH
	jq -r "$2" <<<"$1"
}

# ===========================================================================

require_traffic_tools jq nsenter timeout hping3 ping bpftool
require_free_pin_directory
topology_up "$PREFIX" || tap_bail "cannot build the namespace topology"
edge_mac=$(edge ip -j link show ext0 | jq -r '.[0].address')
{
	cat examples/lync-xmpp.conf
	echo "events rate $RATE/s burst $BURST"
} >"$WORK/edge.conf"
check_load_or_bail "$WORK/edge.conf"
ext0=$(edge ip -j link show ext0 | jq -r '.[0].ifindex')

# --- burst: every field ---------------------------------------------------
tap_diag "${SECONDS}s: burst"
stats0=$(edge "$EDGEFW" stats --json)
monitor_start
inet hping3 -n -q -I to-edge -c 3 -i u20000 -S -k -s 33000 -p 5269 \
	-a "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" >/dev/null 2>&1
inet python3 - "$edge_mac" "$STRANGER_VLAN4" "$TOPO_EDGE_EXT4" $VLAN <<'PY'
# Two SYN-ACKs in 802.1Q frames through to-edge (this kernel may lack
# VLAN devices; a packet socket needs none).
import socket, struct, sys
mac, src, dst, vid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0,
                 socket.inet_aton(src), socket.inet_aton(dst))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
tcp = struct.pack("!HHIIBBHHH", 34000, 5270, 1, 1, 5 << 4, 0x12, 65535, 0, 0)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("to-edge", 0))
eth = bytes.fromhex(mac.replace(":", "")) + s.getsockname()[4] + \
    struct.pack("!HHH", 0x8100, vid, 0x0800)
for _ in range(2):
    s.send(eth + ip + tcp)
PY
inet ping -6 -q -c 2 -i 0.2 -W 1 -I "$TOPO_STRANGER6" "$TOPO_EDGE_EXT6" >/dev/null 2>&1
inet hping3 -n -q -I to-edge -c $((RULE_BURST + 5)) -i u1000 -S -k -s 35000 \
	-p 5269 -a "$SPOOFED_PARTNER" "$TOPO_EDGE_EXT4" >/dev/null 2>&1
wait_drops 10
sleep 0.5 # late events of the burst, if any, are counted too
monitor_stop
stats1=$(edge "$EDGEFW" stats --json)
expect_eq "burst: monitor ends with 0 on SIGINT" 0 "$MON_RC"
check "burst: monitor's summary on stderr" -- grep -q "^edgefw monitor: [0-9]* events" "$WORK/mon.err"
expect_eq "burst: SIGINT cleared the listener flag" 0 "$(lease)"

base="\"interface\":\"ext0\",\"ifindex\":$ext0,\"direction\":\"in\",\"mode\":\"enforce\",\"dst\":\"$TOPO_EDGE_EXT4\""
check_events "burst: non-partner SYNs" ".src == \"$TOPO_STRANGER4\"" 3 \
	"{$base,\"type\":\"drop\",\"reason\":\"policy\",\"rule\":null,\"family\":4,\"protocol\":\"tcp\",\"src\":\"$TOPO_STRANGER4\",\"sport\":33000,\"dport\":5269,\"tcp_flags\":[\"SYN\"],\"icmp_type\":null,\"icmp_code\":null,\"vlan\":[],\"fragment\":null,\"length\":54}"
check_events "burst: SYN-ACKs tagged VLAN $VLAN" ".src == \"$STRANGER_VLAN4\"" 2 \
	"{$base,\"type\":\"drop\",\"reason\":\"policy\",\"rule\":null,\"family\":4,\"protocol\":\"tcp\",\"src\":\"$STRANGER_VLAN4\",\"sport\":34000,\"dport\":5270,\"tcp_flags\":[\"SYN\",\"ACK\"],\"icmp_type\":null,\"icmp_code\":null,\"vlan\":[$VLAN],\"fragment\":null,\"length\":58}"
check_events "burst: ICMPv6 echoes" ".src == \"$TOPO_STRANGER6\"" 2 \
	"{\"interface\":\"ext0\",\"ifindex\":$ext0,\"direction\":\"in\",\"mode\":\"enforce\",\"dst\":\"$TOPO_EDGE_EXT6\",\"type\":\"drop\",\"reason\":\"policy\",\"rule\":null,\"family\":6,\"protocol\":\"icmpv6\",\"src\":\"$TOPO_STRANGER6\",\"sport\":null,\"dport\":null,\"tcp_flags\":null,\"icmp_type\":128,\"icmp_code\":0,\"vlan\":[],\"fragment\":null,\"length\":118}"
rl=$(($(counter "$stats1" '.interfaces[0].in.drop.ratelimit.packets') -
	$(counter "$stats0" '.interfaces[0].in.drop.ratelimit.packets')))
check "burst: the spoofed partner met its limit ($rl ratelimit drops)" -- [ "$rl" -ge 1 ]
check_events "burst: spoofed partner SYNs beyond the burst" ".src == \"$SPOOFED_PARTNER\"" "$rl" \
	"{$base,\"type\":\"drop\",\"reason\":\"ratelimit\",\"rule\":\"xmpp-s2s-in\",\"family\":4,\"protocol\":\"tcp\",\"src\":\"$SPOOFED_PARTNER\",\"sport\":35000,\"dport\":5269,\"tcp_flags\":[\"SYN\"],\"icmp_type\":null,\"icmp_code\":null,\"vlan\":[],\"fragment\":null,\"length\":54}"
dropped=0
for r in malformed fragment blocked ratelimit policy; do
	for d in in out; do
		for i in 0 1; do
			dropped=$((dropped + $(counter "$stats1" ".interfaces[$i].$d.drop.$r.packets") -
				$(counter "$stats0" ".interfaces[$i].$d.drop.$r.packets")))
		done
	done
done
expect_eq "burst: an event for each drop stats counted" "$dropped" "$(drops | wc -l)"
expect_eq "burst: stats --json events.emitted_total moved by the events" \
	"$(drops | wc -l)" \
	"$(($(counter "$stats1" .events.emitted_total) - $(counter "$stats0" .events.emitted_total)))"

# --- filters ----------------------------------------------------------------
tap_diag "${SECONDS}s: filters"
MIX=0
send_mix() {
	inet hping3 -n -q -I to-edge -c 2 -i u20000 -S -k -s 36000 -p 5269 \
		-a "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" >/dev/null 2>&1
	# a partner address of its own each time: a fresh bucket and flows
	MIX=$((MIX + 1))
	inet hping3 -n -q -I to-edge -c $((RULE_BURST + 3)) -i u1000 -S -s 36001 \
		-p 5269 -a "203.0.113.$((100 + MIX))" "$TOPO_EDGE_EXT4" >/dev/null 2>&1
	inet hping3 -n -q -I to-edge -c 2 -i u20000 -S -k -s 36002 -p 5269 \
		-a "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" >/dev/null 2>&1
}
for f in "--reason policy:.reason == \"policy\"" \
	"--reason ratelimit:.reason == \"ratelimit\"" \
	"--rule xmpp-s2s-in:.rule == \"xmpp-s2s-in\"" \
	"--interface ext0:.interface == \"ext0\""; do
	opt=${f%%:*}
	sel=${f#*:}
	# shellcheck disable=SC2086 # the option and its value
	monitor_start $opt
	send_mix
	wait_drops 4
	sleep 0.3
	monitor_stop
	n=$(drops | wc -l)
	other=$(drops | jq -c "select(($sel) | not)" | wc -l)
	check "filter $opt: events came ($n)" -- [ "$n" -ge 2 ]
	expect_eq "filter $opt: only what it names" 0 "$other"
done
monitor_start --interface int0
send_mix
sleep 0.5
monitor_stop
expect_eq "filter --interface int0: none of ext0's drops" 0 "$(drops | wc -l)"
for bad in "--interface nope0" "--reason nope" "--rule nope"; do
	# shellcheck disable=SC2086
	edge "$EDGEFW" monitor $bad >/dev/null 2>"$WORK/bad.err"
	expect_eq "monitor $bad: exit 2" 2 "$?"
	check "monitor $bad: says what is wrong" -- grep -q -- "${bad%% *}" "$WORK/bad.err"
done

# --- flood: the limit -------------------------------------------------------
tap_diag "${SECONDS}s: flood"
stats0=$(edge "$EDGEFW" stats --json)
t0=$(date +%s%N)
monitor_start
nsenter --net="/run/netns/$(topology_ns "$PREFIX" inet)" \
	timeout -s INT -k 2 "$FLOOD_SECONDS" hping3 -n -q -I to-edge -S -p 5269 \
	--flood --rand-source "$TOPO_EDGE_EXT4" >"$WORK/flood.out" 2>&1 &
FLOOD_PID=$!
wait "$FLOOD_PID"
FLOOD_PID=""
sleep 0.5
monitor_stop
t1=$(date +%s%N)
stats1=$(edge "$EDGEFW" stats --json)
seen=$(drops | wc -l)
sent=$(sed -n 's/^\([0-9][0-9]*\) packets transmitted.*/\1/p' "$WORK/flood.out" | head -1)
ms=$(((t1 - t0) / 1000000))
emitted=$(($(counter "$stats1" .events.emitted_total) - $(counter "$stats0" .events.emitted_total)))
suppressed=$(($(counter "$stats1" .events.suppressed_total) - $(counter "$stats0" .events.suppressed_total)))
limited=$(($(counter "$stats1" .events.suppressed.limit) - $(counter "$stats0" .events.suppressed.limit)))
# At most the burst and the rate over the time the monitor listened
# (rounded up to the second): the bound grows with a slow machine.
bound=$((BURST + RATE * ((ms + 999) / 1000)))
tap_diag "flood: ${sent:-?} SYNs; monitor listened $ms ms and saw $seen events" \
	"  ($((seen * 1000 / (ms > 0 ? ms : 1)))/s; limit ${RATE}/s burst $BURST, bound $bound);" \
	"  suppressed +$suppressed (limit +$limited)"
check "flood: hping3 flooded (${sent:-?} SYNs)" -- [ "${sent:-0}" -ge 2000 ]
check "flood: events within the limit ($seen <= $bound)" -- [ "$seen" -le "$bound" ]
check "flood: the monitor saw events ($seen)" -- [ "$seen" -ge 10 ]
expect_eq "flood: the monitor saw every event sent" "$emitted" "$seen"
check "flood: the suppressed counter moved (+$suppressed)" -- [ "$suppressed" -ge 1000 ]
expect_eq "flood: suppressed by the limit, not a full ring" "$suppressed" "$limited"
check "flood: the monitor said what was suppressed" -- \
	jq -s -e '[.[] | select(.type == "suppressed")] |
		length > 0 and all(.suppressed > 0)' "$WORK/mon.out"

# --- lease: kill -9 ---------------------------------------------------------
tap_diag "${SECONDS}s: lease"
monitor_start
kill -KILL "$MON_PID"
wait "$MON_PID" 2>/dev/null
MON_PID=""
check "kill -9: the listener flag is still set" -- [ "$(lease)" != 0 ]
for i in $(seq 40); do # drops until the lease (5 s) ran out: up to 10 s
	inet hping3 -n -q -I to-edge -c 1 -S -p 5269 -a "$TOPO_STRANGER4" \
		"$TOPO_EDGE_EXT4" >/dev/null 2>&1
	[ "$(lease)" = 0 ] && break
	sleep 0.25
done
expect_eq "kill -9: a drop after the lease ran out cleared the flag" 0 "$(lease)"
monitor_start
monitor_stop
expect_eq "kill -9: the next monitor runs (its lock went with the killed one)" 0 "$MON_RC"

tap_done
