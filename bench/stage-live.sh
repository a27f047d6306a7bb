#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stage live: live floods over veth into the edge namespace, for edgefw
# (native and generic XDP, examples/lync-xmpp.conf) and its peers: trivial
# XDP_DROP, xdp-filter, nftables netdev ingress, iptables raw, and the IP
# stack with no filter. Three floods: SYNs to port 5269 from spoofed
# non-partner sources, segments of one established partner connection,
# and one partner source's SYNs to 5269 over its rate limit.
#
# The generator (bench/gen.c) sends from the inet namespace out of its veth
# with BPF_F_TEST_XDP_LIVE_FRAMES; the receiver runs in the veth's NAPI on
# ext0, on the same CPU (BENCH_CPU), so frames are not lost between the
# two (ext0's drop counter says so for each round) and the core's time
# splits into the generator's and the receiver's, which is softirq time.
# Per receiver and flood, the median of the rounds: the frames ext0 took
# per second of the core's time the flood had, and the receiver's CPU ns
# per frame. Every round is bounded in packets and in seconds. Writes
# live.json and live.md.
set -u
out=$1
# Namespaces of its own: other stages and test runs may be about.
BENCH_PREFIX=${BENCH_LIVE_PREFIX:-efwbl-}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

# Now, for the clean-up too: edgefw without them is the system's.
bench_edgefw_dirs

packets=${BENCH_LIVE_PACKETS:-100000000} # per round, at most
seconds=${BENCH_LIVE_SECONDS:-3}         # per round, at most
rounds=${BENCH_LIVE_ROUNDS:-5}
idle_wait=180 # seconds to wait for an idle machine
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	packets=10000000
	seconds=0.5
	rounds=2
	idle_wait=10
fi
gen_timeout=$(awk -v s="$seconds" 'BEGIN { print s + 30 }')
config=$BENCH_TOP/examples/lync-xmpp.conf
gen=$BENCH_BUILD/gen
trivial=$BENCH_BUILD/trivial.bpf.o

# key|what the report calls it; measured in this order.
# BENCH_LIVE_RECEIVERS="KEY..." measures only those.
receivers=(
	"trivial-native|trivial XDP_DROP, native"
	"trivial-generic|trivial XDP_DROP, generic"
	"edgefw-native|edgefw, native XDP"
	"edgefw-generic|edgefw, generic XDP"
	"xdp-filter|xdp-filter, native: port 5269 or partner addresses"
	"xdp-filter-addr|xdp-filter, native: partner addresses only"
	"nftables|nftables netdev ingress"
	"iptables|iptables raw PREROUTING"
	"stack|no filter (the edge's IP stack)"
)
classes=(
	"syn-flood|spoofed non-partner SYNs to 5269"
	"partner-flow|established partner flow to 5269"
	"partner-syn|partner-source SYNs to 5269 over their limit"
)

edge() { in_ns "$BENCH_PREFIX" edge "$@"; }
inet() { in_ns "$BENCH_PREFIX" inet "$@"; }

# Every exit, failures and ^C included: nothing of the stage stays behind
# (a flood in progress gets the ^C too, or ends by its own bounds).
# xdp-filter pins its maps outside the namespace: unloaded before it goes.
cleanup() {
	listener_down
	edge xdp-filter unload ext0 >/dev/null 2>&1
	bench_edge_down
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- the topology around each receiver ----

mac_of() { # ROLE IFACE
	in_ns "$BENCH_PREFIX" "$1" ip -j link show "$2" | jq -r '.[0].address'
}

# What the test topology lacks for floods:
# - GRO on ext0: a veth drops frames redirected to it unless its peer
#   has an XDP program or GRO on (it then runs a NAPI to take them). On
#   for every receiver, so that all see the same device.
# - The edge's answers to what passes (RSTs) are swallowed by XDP_DROP on
#   the generator's veth, with a fixed neighbour entry for the router so
#   that no ARP is needed: the edge pays for sending them, the generator's
#   namespace does not add its stack to the measured CPU.
# - A device that carries nothing, for the generator to hold its program
#   on while it floods (see anchor_program in bench/gen.c).
live_topology_ready() {
	edge ethtool -K ext0 gro on >/dev/null &&
		inet ip link add gen-anchor type veth peer name gen-anchor-peer &&
		inet ip link set dev to-edge xdpdrv obj "$trivial" sec xdp \
			program xdp_drop &&
		edge ip neigh replace "$TOPO_ROUTER4" lladdr \
			"$(mac_of inet to-edge)" dev ext0 nud permanent &&
		ext0_mac=$(mac_of edge ext0)
}

topology_fresh() {
	bench_edge_down
	topology_up "$BENCH_PREFIX"
}

# xdp-filter ORs its rules: it cannot say "port 5269 AND from a partner",
# nor take prefixes. As in the testrun stage: drop what is not listed,
# list port 5269 and the addresses of partners and front-ends; or only the
# addresses, which drops the flood but opens every port to partners.
xdp_filter_up() { # with-port|addresses-only
	local a
	edge xdp-filter load ext0 --mode native --policy deny >/dev/null ||
		return 1
	if [ "$1" = with-port ]; then
		edge xdp-filter port 5269 --mode dst >/dev/null || return 1
	fi
	for a in 203.0.113.5 203.0.113.6 2001:db8:77::5 2001:db8:77::6 \
		10.1.1.5 10.1.1.6; do
		edge xdp-filter ip "$a" --mode src >/dev/null || return 1
	done
}

# Netfilter without state: partners may reach 5269, others not.
nftables_up() {
	edge nft -f - <<-EOF
		table netdev efwbl_live {
			set partners4 {
				type ipv4_addr
				flags interval
				elements = { 203.0.113.0/24 }
			}
			chain ingress {
				type filter hook ingress device "ext0" priority filter; policy accept;
				tcp dport 5269 ip saddr @partners4 counter accept
				tcp dport 5269 counter drop
			}
		}
	EOF
}

iptables_up() {
	edge iptables -t raw -A PREROUTING -i ext0 -p tcp --dport 5269 \
		-s 203.0.113.0/24 -j ACCEPT &&
		edge iptables -t raw -A PREROUTING -i ext0 -p tcp --dport 5269 \
			-j DROP
}

receiver_up() { # KEY
	case $1 in
	edgefw-native) bench_edge_up "$config" ;;
	edgefw-generic)
		bench_edge_up "$config" && bench_edgefw unload >/dev/null &&
			bench_edgefw load -c "$config" --xdp-mode generic >/dev/null
		;;
	*) topology_fresh ;;
	esac || return 1
	live_topology_ready || return 1
	case $1 in
	trivial-native | trivial-generic)
		edge ip link set dev ext0 \
			"$([ "$1" = trivial-native ] && echo xdpdrv || echo xdpgeneric)" \
			obj "$trivial" sec xdp program xdp_drop
		;;
	xdp-filter) xdp_filter_up with-port ;;
	xdp-filter-addr) xdp_filter_up addresses-only ;;
	nftables) nftables_up ;;
	iptables) iptables_up ;;
	esac
}

receiver_down() {
	edge xdp-filter unload ext0 >/dev/null 2>&1
	bench_edge_down
}

# How XDP is attached to ext0, as the kernel says: native, generic, none.
xdp_attach_mode() {
	edge ip -d -j link show ext0 |
		jq -r '{"1": "native", "2": "generic", "3": "offload"}[(.[0].xdp.mode // 0) | tostring] // "none"'
}

# ---- one flood ----

# ext0's received and dropped frames (XDP frames included: the veth
# counts every frame its NAPI takes from its ring), and the segments the
# edge's TCP took in: what got past the receiver.
counters() {
	local link tcp_in
	link=$(edge ip -s -j link show ext0) || return 1
	# shellcheck disable=SC2016 # awk's own variables
	tcp_in=$(edge awk '$1 == "Tcp:" { if (!col) { for (i = 2; i <= NF; i++) if ($i == "InSegs") col = i } else print $col }' /proc/net/snmp)
	jq -n --argjson l "$link" --arg t "$tcp_in" \
		'{rx: $l[0].stats64.rx.packets, rx_dropped: $l[0].stats64.rx.dropped,
		  tcp_in: ($t | tonumber)}'
}

# edgefw's ingress counters on ext0, one number per rule and reason.
edgefw_counts() {
	bench_edgefw stats --json | jq '[.interfaces[] | select(.name == "ext0")
		| .in | (.rules | to_entries[] | {key: "rule \(.key)", value: .value.packets}),
			(.pass | to_entries[] | {key: "pass \(.key)", value: .value.packets}),
			(.drop | to_entries[] | {key: "drop \(.key)", value: .value.packets})]
		| from_entries'
}

# The generator in the inet namespace. It stops by itself after --count
# packets or --seconds; timeout is the guard should it not.
run_gen() { # ARGS...
	inet timeout "$gen_timeout" "$gen" --ifname to-edge \
		--dst-mac "$ext0_mac" --cpu "$BENCH_CPU" "$@"
}

# A listener on the edge's port 5269, for a round at most: its SYN-ACK to
# the partner flow's opening SYN opens edgefw's flow (README, how a packet
# is judged, step 5), as a connection's would.
listener=
listener_up() {
	# Not through edge(): $! is then timeout itself (nsenter execs it),
	# which hands listener_down's signal on to the listener.
	nsenter --net="/run/netns/$(topology_ns "$BENCH_PREFIX" edge)" \
		timeout "$gen_timeout" python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5269))
s.listen(64)
time.sleep(float(sys.argv[2]))' "$TOPO_EDGE_EXT4" "$gen_timeout" &
	listener=$!
	for _ in $(seq 50); do
		edge ss -Hltn "sport = :5269" | grep -q . && return 0
		sleep 0.05
	done
	echo "stage-live: no listener on port 5269" >&2
	return 1
}

listener_down() {
	[ -n "$listener" ] || return 0
	kill "$listener" 2>/dev/null
	wait "$listener" 2>/dev/null
	listener=
}

# One round of a flood: the generator's report and what the edge saw.
# The time the flood had the core is the generator's CPU time (its own
# work and the receive work done in its context after each batch) plus
# what the kernel deferred to ksoftirqd; the receiver's part of it is the
# CPU's softirq time (/proc/stat).
flood_round() { # CLASS
	local before after report
	if [ "$1" = partner-flow ]; then
		# Its opening SYN, so that a stateful receiver tracks it;
		# edgefw makes the flow from the edge's answer, so a listener
		# answers it (for every receiver alike).
		listener_up || return 1
		run_gen --class "$1" --prime || return 1
		sleep 0.1
	fi
	before=$(counters) || return 1
	report=$(run_gen --class "$1" --count "$packets" \
		--seconds "$seconds" --anchor gen-anchor) || return 1
	after=$(counters) || return 1
	listener_down
	jq -n --argjson g "$report" --argjson b "$before" --argjson a "$after" '
		($a.rx - $b.rx) as $received
		| if $received == 0 then error("no frame reached ext0") else . end
		| ($g.rusage.user_s + $g.rusage.system_s + $g.ksoftirqd_s) as $cpu
		| $g.cpu_time_s.softirq as $softirq
		| {sent: $g.sent, received: $received,
		   ring_drops: ($a.rx_dropped - $b.rx_dropped),
		   passed: ($a.tcp_in - $b.tcp_in),
		   seconds: $g.seconds, cpu_s: $cpu, ksoftirqd_s: $g.ksoftirqd_s,
		   softirq_s: $softirq,
		   core_share: ($cpu / $g.seconds),
		   mpps: ($received / $cpu / 1e6),
		   mpps_wall: ($received / $g.seconds / 1e6),
		   receive_ns: ($softirq * 1e9 / $received),
		   generator_ns: (($cpu - $softirq) * 1e9 / $g.sent),
		   other_cpus_busy_percent: $g.other_cpus_busy_percent}'
}

# A flood's rounds, their medians and verdict. Rounds that spread more
# than 10% around the median (rate or receive ns) are run again, once,
# and flagged if they still do.
measure_class() { # RECEIVER CLASS LABEL
	local try all round summary path before_counts=null after_counts=null
	case $1 in edgefw-*) before_counts=$(edgefw_counts) ;; esac
	for try in 1 2; do
		all=
		for _ in $(seq "$rounds"); do
			round=$(flood_round "$2") || return 1
			all+=$round
		done
		summary=$(jq -s --arg class "$2" --arg what "$3" --argjson attempt "$try" '
			def median: sort | .[length / 2 | floor];
			def spread_ok(f): (map(f) | median) as $m
				| all(.[]; f >= 0.9 * $m and f <= 1.1 * $m);
			(map(.received) | add) as $received
			| (map(.passed) | add) as $passed
			| {class: $class, label: $what, tries: $attempt,
			   verdict: (if $passed >= 0.99 * $received then "pass"
				     elif $passed <= 0.01 * $received then "drop"
				     else "mixed" end),
			   passed_percent: (100 * $passed / $received),
			   mpps: (map(.mpps) | median),
			   mpps_wall: (map(.mpps_wall) | median),
			   receive_ns: (map(.receive_ns) | median),
			   generator_ns: (map(.generator_ns) | median),
			   core_share: (map(.core_share) | median),
			   core_share_min: (map(.core_share) | min),
			   other_cpus_busy_max: (map(.other_cpus_busy_percent) | max),
			   lost: (map([.sent - .received, 0] | max) | add),
			   noisy: ((spread_ok(.mpps) and spread_ok(.receive_ns)) | not),
			   rounds: .}' <<<"$all") || return 1
		[ "$(jq .noisy <<<"$summary")" = false ] && break
		if [ "$try" = 1 ]; then
			bench_say "live: $1 $2: rounds spread more than 10%, once more"
		else
			bench_say "live: $1 $2: rounds still spread: flagged noisy"
		fi
	done
	case $1 in edgefw-*) after_counts=$(edgefw_counts) ;; esac
	# For edgefw, the counter the flood moved most: its path, which must
	# be the class's, or the rate measured is another path's.
	summary=$(jq --argjson b "$before_counts" --argjson a "$after_counts" '
		if $a == null then . else
		. + {edgefw_path: ([$a | to_entries[]
			| {key, n: (.value - $b[.key])}] | max_by(.n) | .key)} end' \
		<<<"$summary") || return 1
	case $1 in edgefw-*)
		path=$(jq -r .edgefw_path <<<"$summary")
		if [ "$path" != "$(class_path "$2")" ]; then
			bench_say "live: $1 $2: edgefw took the path $path, not $(class_path "$2")"
			return 1
		fi
		;;
	esac
	printf '%s\n' "$summary"
}

# The counter of edgefw's path for each flood class.
class_path() { # CLASS
	case $1 in
	syn-flood) echo "drop policy" ;;
	partner-flow) echo "pass reply" ;;
	partner-syn) echo "drop ratelimit" ;;
	esac
}

measure_receiver() { # KEY LABEL: prints its JSON
	local classes_json='' c one load attach
	receiver_up "$1" || {
		bench_say "live: cannot set up $2"
		return 1
	}
	attach=$(xdp_attach_mode)
	case $1 in
	*-native | xdp-filter*) [ "$attach" = native ] ;;
	*-generic) [ "$attach" = generic ] ;;
	*) [ "$attach" = none ] ;;
	esac || {
		bench_say "live: $2: XDP on ext0 is $attach, not as the name says"
		return 1
	}
	load_begin
	for c in "${classes[@]}"; do
		bench_say "live: $2: ${c#*|}"
		one=$(measure_class "$1" "${c%%|*}" "${c#*|}") || return 1
		classes_json+=$one
	done
	load=$(load_end)
	receiver_down
	jq -n --arg key "$1" --arg name "$2" --arg attach "$attach" \
		--argjson load "$load" --argjson classes "$(jq -s . <<<"$classes_json")" \
		'{key: $key, receiver: $name, xdp_attach: $attach, load: $load,
		  classes: $classes}'
}

for tool in ethtool nft iptables xdp-filter jq; do
	command -v "$tool" >/dev/null || bench_die "live: $tool is missing (scripts/install-deps.sh bench)"
done
if [ ! -x "$gen" ] || [ ! -f "$trivial" ]; then
	bench_die "live: run make bench-progs first"
fi

bench_wait_idle 0.5 "$idle_wait"
results=
for r in "${receivers[@]}"; do
	case " ${BENCH_LIVE_RECEIVERS:-${r%%|*}} " in
	*" ${r%%|*} "*) ;;
	*) continue ;;
	esac
	one=$(measure_receiver "${r%%|*}" "${r#*|}") ||
		bench_die "live: ${r#*|}: a flood failed"
	results+=$one
done
results=$(jq -s . <<<"$results")

# Ratios to trivial XDP_DROP native and to nftables, where the two
# receivers gave the flood the same verdict; and the targets.
jq -n --argjson receivers "$results" --arg config examples/lync-xmpp.conf \
	--argjson cpu "$BENCH_CPU" --argjson rounds "$rounds" \
	--argjson packets "$packets" --argjson seconds "$seconds" '
	def find($k; $c): [$receivers[] | select(.key == $k) | .classes[]
		| select(.class == $c)] | .[0];
	def ratio($a; $b): if $a != null and $b != null and $a.verdict == $b.verdict
		then $a.mpps / $b.mpps else null end;
	def target($v; $t): {value: $v, target: $t,
		met: (if $v == null then null else $v >= $t end)};
	{stage: "live", config: $config, cpu: $cpu, rounds: $rounds,
	 round_packets_max: $packets, round_seconds_max: $seconds,
	 receivers: [$receivers[] | .classes |= map(
		. + {percent_of_trivial_native:
			(ratio(.; find("trivial-native"; .class)) | if . then 100 * . else null end),
		     times_nftables: ratio(.; find("nftables"; .class))})],
	 targets: (find("edgefw-native"; "syn-flood") as $e
		| {percent_of_trivial_native: target(
			ratio($e; find("trivial-native"; "syn-flood"))
			| if . then 100 * . else null end; 90),
		   times_nftables: target(
			ratio($e; find("nftables"; "syn-flood")); 4)})}' \
	>"$out/live.json" || bench_die "live: cannot summarise"

jq -r '
	def r(n): . * n | round / n;
	def pct: if . == null then "n/a" else "\(round)%" end;
	def times: if . == null then "n/a" else "\(r(100))x" end;
	def mark: if .met == null then "not measured" elif .met then "met"
		else "**missed**" end;
	def class($k; $c): [.receivers[] | select(.key == $k) | .classes[]
		| select(.class == $c)] | .[0];
	def ns($k): class($k; "syn-flood").receive_ns
		| if . == null then "n/a" else "\(round) ns" end;
	"## Live floods over veth, generator and receiver on one core\n",
	"Floods of 60-byte frames into the edge namespace'"'"'s ext0 from a BPF_F_TEST_XDP_LIVE_FRAMES generator on the other end of the veth, both on CPU \(.cpu); per receiver and flood, the median of \(.rounds) rounds of about \(.round_seconds_max) s. Config: \(.config).\n",
	"| receiver | flood | verdict | Mpps | receive ns/pkt | % of trivial XDP_DROP native | x nftables | wall Mpps (core share) | other CPUs busy |",
	"|---|---|---|---|---|---|---|---|---|",
	(.receivers[] | . as $rx | .classes[] |
	 "| \($rx.receiver) | \(.label) | \(.verdict)\(if .edgefw_path then " (\(.edgefw_path))" else "" end) | \(.mpps | r(100))\(if .noisy then "*" else "" end) | \(.receive_ns | round) | \(.percent_of_trivial_native | pct) | \(.times_nftables | times) | \(.mpps_wall | r(100)) (\(100 * .core_share | round)%) | \(.other_cpus_busy_max | round)% |"),
	"",
	"Targets, edgefw native on the spoofed SYN flood: \(.targets.percent_of_trivial_native.value | pct) of trivial XDP_DROP native'"'"'s rate (target >= 90%: \(.targets.percent_of_trivial_native | mark)); \(.targets.times_nftables.value | times) nftables'"'"' rate (target >= 4x: \(.targets.times_nftables | mark)). The receive CPU alone, per packet: edgefw native \(ns("edgefw-native")), trivial XDP_DROP native \(ns("trivial-native")), nftables \(ns("nftables")); generic: edgefw \(ns("edgefw-generic")), trivial \(ns("trivial-generic")).",
	"",
	def span: if length == 0 then "n/a" else "\(min | round)-\(max | round) ns" end;
	"Generator, per packet sent: \([.receivers[].classes[] | select(.class == "syn-flood") | .generator_ns] | span) for the SYN flood (it rewrites the source address and two checksums), \([.receivers[].classes[] | select(.class == "partner-flow") | .generator_ns] | span) for the partner flow, \([.receivers[].classes[] | select(.class == "partner-syn") | .generator_ns] | span) for the partner SYNs over their limit (edgefw drops them by the source'"'"'s spent bucket, 20/s burst 40, after the first 40; the stateless filters let them in). Its work is the same whatever the receiver: the spread shows how well the softirq time splits the core between generator and receiver.",
	"",
	"Mpps: the frames ext0 took from its ring (its rx counter; frames lost on the way, all floods: \([.receivers[].classes[].lost] | add)) per second of CPU time the flood had: the generator'"'"'s own (rusage: its work and the receive work run in its context after each batch) and ksoftirqd'"'"'s (receive work deferred). On an idle core this is the wall-clock rate; when other tasks share the core the wall-clock rate falls (wall Mpps, with the flood'"'"'s share of the core) and this one does not. Receive ns/pkt: the core'"'"'s softirq time (/proc/stat) over the frames. Verdict: whether the frames reached the edge'"'"'s TCP (its InSegs counter); for edgefw, the counter the flood moved most. Passed packets cost the edge'"'"'s stack, the RSTs it sends and, for edgefw, its TC egress program; the generator'"'"'s side drops those RSTs with XDP. % and x compare receivers with the same verdict only. Other CPUs busy: the machine'"'"'s other load, the busiest round. * noisy: rounds spread more than 10% around the median, twice."' \
	"$out/live.json" >"$out/live.md"
