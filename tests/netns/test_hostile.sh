#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Hostile traffic against an edge running examples/lync-xmpp.conf (issue
# 11, robustness): SYN floods into the external NIC while real partners and
# the front-end pool keep connecting, and port scans from every side.
#
#   flood 1  hping3 --flood --rand-source to edge:5269 (sources from the
#            whole IPv4 space: non-partners), while the connections below run. Must show
#            as drop policy on ext0 in and never reach rule xmpp-s2s-in.
#   flood 2  FLOOD_SOURCES hping3 --flood processes, each spoofing one
#            address inside the partners' 203.0.113.0/24 (not the real
#            partner's): rule xmpp-s2s-in admits each source its burst of
#            40 plus 20/s, the rest is drop ratelimit.
#   During each flood the real partner 203.0.113.5 opens REAL_CONNECTS
#   connections to edge:5269 (25 a second, within its own bucket of 20/s
#   burst 40) and the front-end 10.1.1.5 opens FRONTEND_CONNECTS to
#   10.1.0.10:23456: every one must connect. The SYNs the partner's TCP
#   stack sent (its ActiveOpens and SYN retransmissions) are read from
#   the namespace, so the rule's counter tells the flood's admitted SYNs
#   from the real ones exactly.
#
#   scans    nmap -sS of 1-1024,5269,5270,23456 with listeners on the edge's
#            22, 80, 5269, 5270 (outside) and 23456 (inside): a non-partner
#            sees every port filtered, the partner only 5269 open, the
#            front-end only 23456 open, another LAN host nothing. The same
#            scans before edgefw is loaded see the listeners open.
#
# Every flood is bounded in time by timeout(1) (hping3 ignores -c with
# --flood) and stays inside the namespaces of tests/lib/topology.sh; the
# namespaces, listeners and floods go in the trap. The numbers measured
# (packets sent and their rate, drops by reason, connections) are printed
# as TAP comments. About 30 s.
#
# Environment: EDGEFW (the binary), EDGEFW_PIN_DIR, EDGEFW_RUN_DIR and
# EDGEFW_STATE_DIR, as tests/run.sh sets them; run alone, private ones are
# made up. EDGEFW_TEST_PREFIX names the namespaces (default efwh-PID-).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# With tests/lib/tap.sh and tests/lib/topology.sh.
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
CONFIG=$top/examples/lync-xmpp.conf
PREFIX=${EDGEFW_TEST_PREFIX:-efwh-$$-}
CONNECT_TIMEOUT=2
# Listeners end on their own after this long even if the trap never runs;
# the suite takes about 30 s, more on a loaded machine.
LISTENER_LIFETIME=300
CONNECTS_DEADLINE=20 # no connection starts later than this into a flood

# A flood starts FLOOD_LEAD s before the connections and is stopped
# (SIGINT) as soon as they are over: about 4.5 s. FLOOD_MAX_SECONDS is
# its hard bound, timeout(1)'s, whatever happens to this script.
FLOOD_LEAD=0.5
FLOOD_MAX_SECONDS=30
FLOOD_SOURCES=4    # spoofed partner addresses of flood 2, one hping3 each
SPOOFED_PARTNER_BASE=203.0.113.100 # .100, .101, ...: in partners, not the real partner
REAL_CONNECTS=100  # partner -> edge:5269 during each flood
REAL_RATE=25       # a second: within the rule's 20/s burst 40 over 4 s
FRONTEND_CONNECTS=20 # front-end -> edge:23456 during each flood
FRONTEND_RATE=5
# The rule of examples/lync-xmpp.conf the floods meet.
RULE_BURST=40
RULE_RATE=20

SCAN_PORTS=1-1024,5269,5270,23456
SCAN_COUNT=1027

traffic_use_private_directories hostile
WORK=$(mktemp -d /tmp/edgefw-hostile.XXXXXX) || exit 1
FLOOD_PIDS=()

cleanup() {
	local pid
	trap - EXIT INT TERM HUP
	for pid in "${FLOOD_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	traffic_cleanup
	rm -rf "$WORK"
}
run_cleanup_on_exit cleanup

# ---------------------------------------------------------------------------
# Floods

# flood_start NAME HPING3-SOURCE-OPTIONS...: a SYN flood from the inet
# namespace to edge:5269 through ext0, in the background. flood_stop ends
# it with SIGINT (hping3 then prints its statistics into $WORK/NAME.out);
# timeout(1) does so after FLOOD_MAX_SECONDS in any case, and kills it 2 s
# later if it is still there.
# nsenter itself, not in_ns: a function in the background is a subshell,
# which SIGINT would not reach past; nsenter execs timeout(1), so $! is
# timeout's process ID.
flood_start() {
	local name=$1
	shift
	nsenter --net="/run/netns/$(topology_ns "$PREFIX" inet)" \
		timeout -s INT -k 2 "$FLOOD_MAX_SECONDS" \
		hping3 -q -I to-edge -S -p 5269 --flood "$@" "$TOPO_EDGE_EXT4" \
		>"$WORK/$name.out" 2>&1 &
	FLOOD_PIDS+=("$!")
}

flood_running() { # true while one of the floods runs
	local pid
	for pid in "${FLOOD_PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null && return 0
	done
	return 1
}

# timeout(1), the process started, passes the SIGINT on to hping3.
flood_stop() {
	local pid
	for pid in "${FLOOD_PIDS[@]}"; do
		kill -INT "$pid" 2>/dev/null
	done
	for pid in "${FLOOD_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	FLOOD_PIDS=()
}

# The packets a flood sent, from hping3's statistics; empty if none.
flood_sent() { # NAME
	sed -n 's/^\([0-9][0-9]*\) packets transmitted.*/\1/p' "$WORK/$1.out" | head -1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# During a flood: the front-end's connections in the background (their
# count in $WORK/NAME.frontend), the partner's in the foreground.
# Sets REAL_OK, REAL_FAILURE, REAL_MS, FRONTEND_OK, FRONTEND_FAILURE,
# REAL_SYNS (the SYNs the partner's stack sent) and
# STILL_FLOODING (1 if the flood outlasted the connections).
connect_during_flood() { # NAME
	local name=$1 pid syns0 syns1
	(
		connect_paced "$FRONTEND_CONNECTS" "$FRONTEND_RATE" lan \
			"$TOPO_FRONTEND4" "$TOPO_EDGE_INT4" 23456
		printf '%s\n%s\n' "$CONNECTS_OK" "$CONNECTS_FIRST_FAILURE" \
			>"$WORK/$name.frontend"
	) &
	pid=$!
	syns0=$(tcp_syns_sent inet)
	connect_paced "$REAL_CONNECTS" "$REAL_RATE" inet \
		"$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
	syns1=$(tcp_syns_sent inet)
	STILL_FLOODING=0
	flood_running && STILL_FLOODING=1
	wait "$pid"
	REAL_OK=$CONNECTS_OK REAL_FAILURE=$CONNECTS_FIRST_FAILURE REAL_MS=$CONNECTS_MS
	REAL_SYNS=$((syns1 - syns0))
	FRONTEND_OK=$(sed -n 1p "$WORK/$name.frontend" 2>/dev/null)
	FRONTEND_FAILURE=$(sed -n 2p "$WORK/$name.frontend" 2>/dev/null)
}

check_connections_during_flood() { # FLOOD-DESCRIPTION
	check_eq "during $1: the flood was still on when the partner's connections ended" \
		"$STILL_FLOODING" 1
	check_eq "during $1: $REAL_CONNECTS of $REAL_CONNECTS partner -> edge:5269 connections succeed" \
		"$REAL_OK" "$REAL_CONNECTS"
	[ -z "$REAL_FAILURE" ] || tap_diag "first failure: $REAL_FAILURE"
	check_eq "during $1: $FRONTEND_CONNECTS of $FRONTEND_CONNECTS front-end -> edge:23456 connections succeed" \
		"${FRONTEND_OK:-none}" "$FRONTEND_CONNECTS"
	[ -z "$FRONTEND_FAILURE" ] || tap_diag "first failure: $FRONTEND_FAILURE"
}

# check_range DESCRIPTION VALUE LOW HIGH: LOW <= VALUE <= HIGH, integers.
check_range() {
	if [[ "$2" =~ ^-?[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		tap_result 0 "$1"
	else
		tap_result 1 "$1"
		tap_diag "got: $2, want: $3 to $4"
	fi
}

# ---------------------------------------------------------------------------
# Scans

# scan ROLE SRC DST: a SYN scan of SCAN_PORTS from SRC (an address of ROLE's
# to-edge), no host discovery, bounded; prints what nmap saw as
# "open=P,P closed=P,P filtered=N other=..." (filtered: how many), or
# "error: ..." with nmap's words.
scan() {
	local out
	if ! out=$(in_ns "$PREFIX" "$1" timeout -k 2 60 nmap -sS -Pn -n -e to-edge -S "$2" \
		-p "$SCAN_PORTS" -T4 --max-retries 1 --min-rate 2000 \
		--max-rtt-timeout 1s --host-timeout 40s -oG - "$3" 2>&1); then
		echo "error: $(tr '\n' ' ' <<<"$out" | head -c 300)"
		return
	fi
	awk -F'\t' '
		/^Host: .*Ports:/ {
			found = 1
			for (f = 1; f <= NF; f++) {
				if ($f ~ /^Ports: /) {
					n = split(substr($f, 8), items, /, /)
					for (i = 1; i <= n; i++) {
						split(items[i], p, "/")
						if (p[2] == "open") open = open (open == "" ? "" : ",") p[1]
						else if (p[2] == "closed") closed = closed (closed == "" ? "" : ",") p[1]
						else if (p[2] == "filtered") filtered++
						else if (p[2] != "") other = other " " p[1] "/" p[2]
					}
				}
				if ($f ~ /^Ignored State: /) {
					split($f, w, /[ ()]+/)
					if (w[3] == "filtered") filtered += w[4]
					else if (w[3] == "closed") closed = closed (closed == "" ? "" : ",") w[4] "-ports"
					else other = other " " w[4] "x" w[3]
				}
			}
		}
		END {
			if (!found) { print "error: no ports in nmap output"; exit }
			printf "open=%s closed=%s filtered=%d other=%s\n", open, closed, filtered, other
		}' <<<"$out"
}

check_scan() { # DESCRIPTION ROLE SRC DST WANT
	local got
	got=$(scan "$2" "$3" "$4")
	check_eq "$1" "$got" "$5"
}

# ===========================================================================

require_traffic_tools nc socat jq nsenter ss timeout hping3 nmap awk
[ -x /usr/bin/python3 ] || tap_bail "needs /usr/bin/python3 (package python3): run scripts/install-deps.sh"
require_free_pin_directory
out=$("$EDGEFW" check -c "$CONFIG" 2>&1) || tap_bail "edgefw check -c $CONFIG: $out"
# The rule this suite's numbers are computed from.
grep -Eq "^rule xmpp-s2s-in +external in +tcp 5269 +from partners +to self +limit $RULE_RATE/s burst $RULE_BURST per source" \
	"$CONFIG" || tap_bail "$CONFIG: rule xmpp-s2s-in is no longer 'limit $RULE_RATE/s burst $RULE_BURST per source'"

topology_up "$PREFIX" || tap_bail "cannot build the namespace topology"
# The edge's 5269 keeps a deep backlog: flood 2's admitted SYNs fill the
# SYN queue, and the kernel's SYN cookies must take over, not refusals.
start_listener edge "TCP4-LISTEN:5269,bind=$TOPO_EDGE_EXT4,backlog=1024"
for port in 22 80 5270; do
	start_listener edge "TCP4-LISTEN:$port,bind=$TOPO_EDGE_EXT4"
done
start_listener edge "TCP4-LISTEN:23456,bind=$TOPO_EDGE_INT4,backlog=1024"
for port in 22 80 5269 5270; do
	wait_listening edge "$TOPO_EDGE_EXT4" "$port" || tap_bail "no listener on edge:$port"
done
wait_listening edge "$TOPO_EDGE_INT4" 23456 || tap_bail "no listener on edge:23456"
tap_diag "topology $(topology_ns "$PREFIX" '{edge,inet,lan}'), pins $EDGEFW_PIN_DIR"

# --- Without edgefw: the scans see the listeners (so "filtered" later is
# edgefw's doing, and the scan can tell open from filtered). ---
check_scan "without edgefw: a non-partner's scan sees 22, 80, 5269, 5270 open, the rest closed" \
	inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" \
	"open=22,80,5269,5270 closed=$((SCAN_COUNT - 4))-ports filtered=0 other="
check_scan "without edgefw: another LAN host's scan sees 23456 open, the rest closed" \
	lan "$TOPO_LANHOST4" "$TOPO_EDGE_INT4" \
	"open=23456 closed=$((SCAN_COUNT - 1))-ports filtered=0 other="

check_load_or_bail "$CONFIG"
tap_diag "ext0: $(edge "$EDGEFW" status 2>&1 | grep -E '^ +ext0 ' | sed 's/^ *//')"

# ===========================================================================
# Flood 1: spoofed non-partner sources.

counters_before
t0=$(now_ms)
flood_start flood1 --rand-source
sleep "$FLOOD_LEAD"
connect_during_flood flood1
flood_stop
t1=$(now_ms)
counters_after
sent1=$(flood_sent flood1)
policy1=$(counter_delta ext0 in drop policy)
ratelimit1=$(counter_delta ext0 in drop ratelimit)
rule1=$(counter_delta ext0 in rules xmpp-s2s-in)
tap_diag "flood 1 (random sources): ${sent1:-?} SYNs in $((t1 - t0)) ms" \
	"  (~$((${sent1:-0} * 1000 / (t1 - t0))) a second); ext0 in: drop policy +$policy1," \
	"  drop ratelimit +$ratelimit1, rule xmpp-s2s-in +$rule1 (the partner's SYNs: $REAL_SYNS);" \
	"  partner connections $REAL_OK/$REAL_CONNECTS in $REAL_MS ms," \
	"  front-end connections ${FRONTEND_OK:-?}/$FRONTEND_CONNECTS"
check_match "flood 1: hping3 reports the SYNs it sent" "${sent1:-none}" '^[0-9]+$'
sent1=${sent1:-0}
check_range "flood 1: sent at least 5,000 SYNs (a flood, not a trickle)" "$sent1" 5000 1000000000
check_connections_during_flood "flood 1"
# hping3's random sources may fall in the partners' /24, and do so more
# often than 256 in 2^32 (its generator is far from uniform: about one
# packet in a million here); those are partners, admitted by the rule. A
# few such hits are allowed, 3 and one per 100,000 packets sent.
check_range "flood 1: rule xmpp-s2s-in admitted the partner's SYNs, next to nothing else (+$rule1, partner sent $REAL_SYNS)" \
	"$((rule1 - REAL_SYNS))" 0 "$((3 + sent1 / 100000))"
check_range "flood 1: drop policy on ext0 in counted the flood (+$policy1 of $sent1 sent)" \
	"$policy1" "$((sent1 / 2))" "$((sent1 + 10))"
check_eq "flood 1: no drop ratelimit (the partner stays within its own bucket)" "$ratelimit1" 0

# The partner's bucket refills (it spent at most 20 tokens beyond its rate).
sleep 2

# ===========================================================================
# Flood 2: spoofed partner sources, one bucket each.

IFS=. read -r a b c d <<<"$SPOOFED_PARTNER_BASE"
counters_before
t0=$(now_ms)
for ((i = 0; i < FLOOD_SOURCES; i++)); do
	flood_start "flood2-$i" -a "$a.$b.$c.$((d + i))"
done
sleep "$FLOOD_LEAD"
connect_during_flood flood2
flood_stop
t1=$(now_ms)
counters_after
sent2=0 missing=0
for ((i = 0; i < FLOOD_SOURCES; i++)); do
	n=$(flood_sent "flood2-$i")
	[ -n "$n" ] || missing=$((missing + 1))
	sent2=$((sent2 + ${n:-0}))
done
policy2=$(counter_delta ext0 in drop policy)
ratelimit2=$(counter_delta ext0 in drop ratelimit)
rule2=$(counter_delta ext0 in rules xmpp-s2s-in)
admitted2=$((rule2 - REAL_SYNS))
# Each source's bucket over the flood: its burst, then RULE_RATE a
# second. At most over the whole block (t0 to t1, the flood is inside it;
# one token more for the rounding), at least over the partner's
# connections (the flood outlasted them, and it saturates every bucket).
limit2=$((FLOOD_SOURCES * (RULE_BURST + 1) + (FLOOD_SOURCES * RULE_RATE * (t1 - t0) + 999) / 1000))
least2=$((FLOOD_SOURCES * RULE_BURST + FLOOD_SOURCES * RULE_RATE * (REAL_MS / 1000)))
tap_diag "flood 2 ($FLOOD_SOURCES spoofed partners from $SPOOFED_PARTNER_BASE): $sent2 SYNs in $((t1 - t0)) ms" \
	"  (~$((sent2 * 1000 / (t1 - t0))) a second); ext0 in: drop ratelimit +$ratelimit2," \
	"  drop policy +$policy2, rule xmpp-s2s-in +$rule2 = $admitted2 spoofed + $REAL_SYNS partner SYNs" \
	"  (the limit: $FLOOD_SOURCES x ($RULE_BURST + $RULE_RATE/s x the flood's time): $least2 to $limit2);" \
	"  partner connections $REAL_OK/$REAL_CONNECTS in $REAL_MS ms," \
	"  front-end connections ${FRONTEND_OK:-?}/$FRONTEND_CONNECTS"
check_eq "flood 2: every hping3 reports the SYNs it sent" "$missing" 0
check_range "flood 2: sent at least 5,000 SYNs" "$sent2" 5000 1000000000
check_connections_during_flood "flood 2"
check_range "flood 2: rule xmpp-s2s-in admitted each spoofed source its burst and $RULE_RATE/s, no more ($admitted2)" \
	"$admitted2" "$least2" "$limit2"
check_range "flood 2: drop ratelimit on ext0 in counted the rest (+$ratelimit2 of $sent2 sent)" \
	"$ratelimit2" "$((sent2 / 2))" "$((sent2 - FLOOD_SOURCES * RULE_BURST))"
check_range "flood 2: (next to) nothing dropped by policy (sources are partners)" "$policy2" 0 3

# ===========================================================================
# Scans, with edgefw loaded.

check_scan "a non-partner's scan of $SCAN_COUNT ports: every one filtered" \
	inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" "open= closed= filtered=$SCAN_COUNT other="
check_scan "the partner's scan: only 5269 open; 22, 80, 5270 (listening) and the rest filtered" \
	inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" "open=5269 closed= filtered=$((SCAN_COUNT - 1)) other="
check_scan "the front-end's scan of the internal address: only 23456 open" \
	lan "$TOPO_FRONTEND4" "$TOPO_EDGE_INT4" "open=23456 closed= filtered=$((SCAN_COUNT - 1)) other="
check_scan "another LAN host's scan of the internal address: every port filtered, 23456 too" \
	lan "$TOPO_LANHOST4" "$TOPO_EDGE_INT4" "open= closed= filtered=$SCAN_COUNT other="

check "edgefw status is still healthy after the floods and scans" -- edge "$EDGEFW" status
check "edgefw unload" -- edge "$EDGEFW" unload

tap_done
