#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stage daemon: how fast `edgefw daemon` follows the machine, as an
# operator meets it. ROUNDS times each, median: from `ip link add` of a
# configured interface to edgefw's XDP program on it (read with ip -d link
# every 5 ms), and from `ip addr add` of an address on ext0 (whose self
# is read from the NIC) to a partner's TCP connect to it that succeeds
# (tried every 20 ms, each try bounded to 200 ms). Writes daemon.json and
# daemon.md.
set -u
out=$1
BENCH_PREFIX=efwbd-
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

rounds=${BENCH_DAEMON_ROUNDS:-20}
[ "${BENCH_QUICK:-0}" = 1 ] && rounds=5
bench_scratch daemon
bench_edgefw_dirs

cat >"$work/daemon.conf" <<CONF
interface ext0 role external
interface ext9 role external
interface int0 role internal address $TOPO_EDGE_INT4
set partners { 203.0.113.0/24, 2001:db8:77::/48 }
rule s2s-in external in tcp 5269 from partners to self
policy external in drop
policy external out drop
CONF

now_us() {
	local t=${EPOCHREALTIME//[.,]/}
	echo "$t"
}

edge_ns() { topology_ns "$BENCH_PREFIX" edge; }
inet_ns() { topology_ns "$BENCH_PREFIX" inet; }

attached() { # IFACE
	ip -n "$(edge_ns)" -d link show dev "$1" 2>/dev/null |
		grep -q 'prog/xdp id [0-9]* name edgefw_xdp'
}

# the microseconds from T0 until COMMAND succeeds; "null" past 10 s
time_until() { # T0 PAUSE COMMAND...
	local t0=$1 pause=$2
	shift 2
	until "$@"; do
		[ $(($(now_us) - t0)) -lt 10000000 ] || {
			echo null
			return
		}
		sleep "$pause"
	done
	echo $(($(now_us) - t0))
}

connects() { # ADDR
	in_ns "$BENCH_PREFIX" inet timeout 0.2 nc -z -w 1 -s "$TOPO_PARTNER4" \
		"$1" 5269 >/dev/null 2>&1
}

# What the daemon has loaded, for waiting until it took a change in.
status_has() { # JQ-CONDITION
	in_edge 10 "$EDGEFW" status --json 2>/dev/null | jq -e "$1" >/dev/null 2>&1
}

# Before the next round: the daemon followed the last change back.
settle() { # JQ-CONDITION
	[ "$(time_until "$(now_us)" 0.05 status_has "$1")" != null ] ||
		bench_die "the daemon did not follow: $1"
}

median() { jq -s 'map(numbers) | sort | if length == 0 then null else .[length / 2 | floor] end'; }

topology_down "$BENCH_PREFIX" 2>/dev/null
topology_up "$BENCH_PREFIX" || bench_die "cannot build the namespaces"
nsenter --net="/run/netns/$(edge_ns)" "$EDGEFW" daemon -c "$work/daemon.conf" \
	>"$work/daemon.log" 2>&1 &
daemon=$!
trap 'kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; bench_edge_down; rm -rf "$work"' EXIT
t0=$(now_us)
[ "$(time_until "$t0" 0.05 attached ext0)" != null ] || bench_die "the daemon did not load"
in_ns "$BENCH_PREFIX" edge timeout 900 socat "TCP4-LISTEN:5269,fork,reuseaddr" /dev/null &
bench_wait_idle 0.5 60
load_begin
for ((r = 0; r < rounds; r++)); do
	t0=$(now_us)
	ip -n "$(edge_ns)" link add ext9 type veth peer name to-edge9 netns "$(inet_ns)"
	ip -n "$(edge_ns)" link set ext9 up
	echo "$(time_until "$t0" 0.005 attached ext9)" >>"$work/attach"
	ip -n "$(edge_ns)" link del ext9
	settle '.interfaces[] | select(.name == "ext9") | .state == "waiting"'

	addr=198.51.100.$((100 + r))
	t0=$(now_us)
	ip -n "$(edge_ns)" addr add "$addr/24" dev ext0
	echo "$(time_until "$t0" 0.02 connects "$addr")" >>"$work/connect"
	ip -n "$(edge_ns)" addr del "$addr/24" dev ext0
	settle ".interfaces[] | select(.name == \"ext0\") | .addresses | index(\"$addr\") == null"
done
load=$(load_end)

jq -n --argjson attach "$(jq -s . "$work/attach")" \
	--argjson connect "$(jq -s . "$work/connect")" \
	--argjson attach_med "$(median <"$work/attach")" \
	--argjson connect_med "$(median <"$work/connect")" \
	--argjson load "$load" --argjson rounds "$rounds" '
	{stage: "daemon", rounds: $rounds,
	 link_add_to_attached_us: {median: $attach_med, runs: $attach},
	 addr_add_to_connect_us: {median: $connect_med, runs: $connect},
	 load: $load}' >"$out/daemon.json" || bench_die "cannot summarise daemon"
jq -r '
	def ms: if . == null then "-" else "\(. / 100 | round / 10) ms" end;
	"## Daemon: how fast it follows the machine (median of \(.rounds))\n",
	"| from | to | median | min - max |",
	"|---|---|---|---|",
	"| `ip link add` of a configured interface | edgefw'"'"'s XDP program on it | \(.link_add_to_attached_us.median | ms) | \(.link_add_to_attached_us.runs | min | ms) - \(.link_add_to_attached_us.runs | max | ms) |",
	"| `ip addr add` on ext0 (self from the NIC) | a partner'"'"'s TCP connect to it succeeds | \(.addr_add_to_connect_us.median | ms) | \(.addr_add_to_connect_us.runs | min | ms) - \(.addr_add_to_connect_us.runs | max | ms) |",
	"\nThe daemon settles 100 ms after the first event of a burst, then compares the machine with what is loaded and reloads; the rest is the reload. Other load: \(.load.busy_percent)% of the other CPUs."' \
	"$out/daemon.json" >"$out/daemon.md" || bench_die "cannot write daemon.md"
