#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edgefw's live features under real traffic: the dynamic blocklist, sets
# changed while edgefw runs, per-source rate limits, reloads under
# established connections, and the persistence of sets and blocks across
# unload/load and a simulated reboot.
#
# The topology is tests/lib/topology.sh's (namespaces <prefix>edge, inet,
# lan); edgefw runs in the edge namespace on ext0 and int0 with
# examples/lync-xmpp.conf and variants of it written by this suite. Every
# verdict is seen from a real TCP client: a dropped SYN shows as a timeout,
# told apart from a refusal (tests/lib/traffic.sh); counters from
# `edgefw stats --json` say which drop reason it was.
#
# Connections that must stay open across commands (rate limit, reload) are
# "sessions": a socat client in the inet namespace talking to an echo
# listener on the edge. A line written into a session must come back; it
# crosses ext0 in (XDP) and ext0 out (TC) both ways.
#
# Environment: EDGEFW (the binary), EDGEFW_PIN_DIR, EDGEFW_RUN_DIR and
# EDGEFW_STATE_DIR, as tests/run.sh sets them; run alone, private ones are
# made up so that a real edgefw on this machine is never touched.
# EDGEFW_TEST_PREFIX names the namespaces (default efwl-PID-, so this
# suite never meets test_traffic's efwt- or the demo's efwdemo-).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# With tests/lib/tap.sh and tests/lib/topology.sh.
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
CONF_A=$top/examples/lync-xmpp.conf
PREFIX=${EDGEFW_TEST_PREFIX:-efwl-$$-}
CONNECT_TIMEOUT=2 # seconds; a SYN that got no answer by then was dropped
# Listeners and sessions end on their own after this long, even if this
# script is killed with SIGKILL and its trap never runs. The suite takes
# about a minute on the host, and up to five under qemu's TCG on a busy
# machine (vm-tests): the bound must outlast the slowest run, as a
# listener gone early reads as a refused connection.
LISTENER_LIFETIME=900
# A second partner server, inside the partners' 203.0.113.0/24 but another
# source for the per-source rate limit.
PARTNER2_4=203.0.113.6

# Private pin, run and state directories when not run by tests/run.sh; a
# real edgefw's (edgefw's defaults) are never used, since this suite
# deletes the pin and run directories to simulate a reboot.
traffic_use_private_directories live
WORK=$(mktemp -d /tmp/edgefw-live.XXXXXX) || exit 1

# ---------------------------------------------------------------------------
# Sessions: long-lived TCP connections, one socat client each, fed through
# a FIFO this shell holds open, its output (the echo) in a file.

declare -A SESSION_FD SESSION_PID
SESSION_LINES=0

# open_session NAME ROLE SRC DST PORT: starts the client; whether it got
# connected shows with the first check_session.
open_session() {
	local name=$1 role=$2 src=$3 dst=$4 port=$5 fifo fd target
	fifo=$WORK/$name.in
	rm -f "$fifo" "$WORK/$name.out"
	mkfifo "$fifo" || return 1
	# Read-write, so the open does not wait for a reader; the client
	# gets only the read end (and the FIFO never sees EOF while open).
	exec {fd}<>"$fifo"
	if [[ "$dst" == *:* ]]; then
		target="TCP6:[$dst]:$port,bind=[$src],connect-timeout=$CONNECT_TIMEOUT"
	else
		target="TCP4:$dst:$port,bind=$src,connect-timeout=$CONNECT_TIMEOUT"
	fi
	in_ns "$PREFIX" "$role" timeout "$LISTENER_LIFETIME" socat STDIO "$target" \
		<"$fifo" >"$WORK/$name.out" 2>"$WORK/$name.err" {fd}>&- &
	SESSION_PID[$name]=$!
	SESSION_FD[$name]=$fd
}

# Writes a fresh line into the session; true if its echo comes back
# within CONNECT_TIMEOUT + 1 s (TCP retransmits within that, so a
# dropped segment that is let through later still counts as flowing).
session_roundtrip() { # NAME
	local name=$1 line fd _
	SESSION_LINES=$((SESSION_LINES + 1))
	line="$name-line-$SESSION_LINES-$$"
	fd=${SESSION_FD[$name]}
	printf '%s\n' "$line" 1>&"$fd" || return 1
	for _ in $(seq $(((CONNECT_TIMEOUT + 1) * 10))); do
		grep -qxF -- "$line" "$WORK/$name.out" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

check_session() { # DESCRIPTION NAME
	local name=$2 alive=no
	if session_roundtrip "$name"; then
		tap_result 0 "$1"
		return 0
	fi
	tap_result 1 "$1"
	kill -0 "${SESSION_PID[$name]}" 2>/dev/null && alive=yes
	tap_diag "session $name: the line written did not come back" \
		"client still running: $alive" \
		"client said: $(head -c 300 "$WORK/$name.err" 2>/dev/null)" \
		"echoed so far: $(tr '\n' ' ' <"$WORK/$name.out" 2>/dev/null | head -c 300)"
	return 1
}

close_session() { # NAME
	local name=$1 fd
	[ -n "${SESSION_PID[$name]:-}" ] || return 0
	kill "${SESSION_PID[$name]}" 2>/dev/null
	wait "${SESSION_PID[$name]}" 2>/dev/null
	fd=${SESSION_FD[$name]}
	exec {fd}>&-
	unset "SESSION_PID[$name]" "SESSION_FD[$name]"
}

close_all_sessions() {
	local name
	for name in "${!SESSION_PID[@]}"; do
		close_session "$name"
	done
}

# ---------------------------------------------------------------------------
# Clean-up: runs on every exit, normal, failed or interrupted.

cleanup() {
	trap - EXIT INT TERM HUP
	close_all_sessions
	traffic_cleanup
	rm -rf "$WORK"
}
run_cleanup_on_exit cleanup

# ---------------------------------------------------------------------------
# Setup helpers

# The edge's 5269 listeners echo, for the sessions; the others only accept.
start_all_listeners() {
	start_listener edge "TCP4-LISTEN:5269,bind=$TOPO_EDGE_EXT4" PIPE
	start_listener edge "TCP6-LISTEN:5269,bind=[$TOPO_EDGE_EXT6],ipv6only=1" PIPE
	start_listener inet "TCP4-LISTEN:5269,bind=$TOPO_STRANGER4"
	start_listener inet "TCP6-LISTEN:5269,bind=[$TOPO_STRANGER6],ipv6only=1"
	start_listener inet "TCP4-LISTEN:5269,bind=$TOPO_PARTNER4"
	wait_listening edge "$TOPO_EDGE_EXT4" 5269 &&
		wait_listening edge "$TOPO_EDGE_EXT6" 5269 &&
		wait_listening inet "$TOPO_STRANGER4" 5269 &&
		wait_listening inet "$TOPO_STRANGER6" 5269 &&
		wait_listening inet "$TOPO_PARTNER4" 5269
}

# Writes a variant of config A with sed; fails if the edit changed nothing
# (the example moved on), so no check ever runs against the wrong config.
derive_config() { # FILE SED-SCRIPT
	sed -e "$2" "$CONF_A" >"$1" && ! cmp -s "$CONF_A" "$1"
}

# The configs: A is the example; B still admits partners on 5269, with
# another limit and one more rule and set; C has no inbound 5269 rule; RL
# limits inbound 5269 to 3 connection attempts per source, then 1 a minute.
CONF_B=$WORK/b.conf
CONF_C=$WORK/c.conf
CONF_RL=$WORK/ratelimit.conf
write_configs() {
	derive_config "$CONF_B" \
		's|limit 20/s burst 40 per source|limit 50/s burst 100 per source|; s|^#set admin |set admin |; s|^#rule ssh-admin |rule ssh-admin |' &&
		derive_config "$CONF_C" '/^rule xmpp-s2s-in /d' &&
		derive_config "$CONF_RL" \
			's|limit 20/s burst 40 per source|limit 1/m burst 3 per source|'
}

generation() {
	edge "$EDGEFW" status --json 2>/dev/null | jq -r '.generation' 2>/dev/null
}

# check_reload DESCRIPTION [ARGS...]: `edgefw reload ARGS` exits 0 and
# `status` shows the next generation.
check_reload() {
	local desc=$1 before
	shift
	before=$(generation)
	check "$desc" -- edge "$EDGEFW" reload "$@"
	check_eq "  ...status shows the next generation" "$(generation)" \
		"$((${before:-0} + 1))"
}

# check_connects_n DESCRIPTION N ROLE SRC DST PORT: N connections in a
# row, each must connect; one check.
check_connects_n() {
	local desc=$1 n=$2 i
	shift 2
	for i in $(seq "$n"); do
		try_connect "$@"
		if [ "$CONNECT_RESULT" != connected ]; then
			tap_result 1 "$desc"
			tap_diag "connection $i of $n from $2 to $3 port $4: $CONNECT_RESULT" \
				"client said: $CONNECT_TEXT"
			return 1
		fi
	done
	tap_result 0 "$desc"
}

# check_first_syn DESCRIPTION WANT ROLE SRC DST PORT: like check_connect,
# but the client gives up after 0.5 s, before the kernel's first SYN
# retransmission: the verdict is on exactly one SYN. IPv4 only.
check_first_syn() {
	local desc=$1 want=$2 text got=other
	shift 2
	if text=$(in_ns "$PREFIX" "$1" socat /dev/null \
		"TCP4:$3:$4,bind=$2,connect-timeout=0.5" 2>&1); then
		got=connected
	elif [[ "$text" == *"Connection refused"* ]]; then
		got=refused
	elif [[ "$text" == *"timed out"* ]]; then
		got=timeout
	fi
	check_eq "$desc" "$got" "$want"
	[ "$got" = "$want" ] || tap_diag "client said: $text"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ===========================================================================

require_traffic_tools nc socat jq nsenter ss timeout mkfifo
if [ "$EDGEFW_PIN_DIR" = /sys/fs/bpf/edgefw ] || [ "$EDGEFW_RUN_DIR" = /run/edgefw ] ||
	[ "$EDGEFW_STATE_DIR" = /var/lib/edgefw ]; then
	tap_bail "this suite deletes its pin and run directories: give it private ones, not edgefw's defaults"
fi
require_free_pin_directory
write_configs || tap_bail "cannot derive the test configs from $CONF_A (has the example changed?)"
for conf in "$CONF_A" "$CONF_B" "$CONF_C" "$CONF_RL"; do
	out=$("$EDGEFW" check -c "$conf" 2>&1) || tap_bail "edgefw check -c $conf: $out"
done

topology_up "$PREFIX" || tap_bail "cannot build the namespace topology"
ip -n "$(topology_ns "$PREFIX" inet)" addr add "$PARTNER2_4/32" dev to-edge ||
	tap_bail "cannot add the second partner address $PARTNER2_4"
start_all_listeners || tap_bail "the listeners did not start"
tap_diag "topology $(topology_ns "$PREFIX" '{edge,inet,lan}'), pins $EDGEFW_PIN_DIR"

# --- Without edgefw: everything used below is reachable. ---
# A timeout under edgefw is then the filter's doing, not a missing
# listener or route.
check_connect "without edgefw: partner -> edge:5269 connects, IPv4" \
	connected inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
check_connect "without edgefw: partner -> edge:5269 connects, IPv6" \
	connected inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5269
check_connect "without edgefw: second partner $PARTNER2_4 -> edge:5269 connects" \
	connected inet "$PARTNER2_4" "$TOPO_EDGE_EXT4" 5269
check_connect "without edgefw: non-partner -> edge:5269 connects, IPv4" \
	connected inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" 5269
check_connect "without edgefw: non-partner -> edge:5269 connects, IPv6" \
	connected inet "$TOPO_STRANGER6" "$TOPO_EDGE_EXT6" 5269
check_connect "without edgefw: edge -> non-partner:5269 connects, IPv4" \
	connected edge "$TOPO_EDGE_EXT4" "$TOPO_STRANGER4" 5269
check_connect "without edgefw: edge -> non-partner:5269 connects, IPv6" \
	connected edge "$TOPO_EDGE_EXT6" "$TOPO_STRANGER6" 5269

check_load_or_bail "$CONF_A"

# ===========================================================================
# Blocklist: checked before everything else on ingress.

check_connect "loaded: partner -> edge:5269 connects, IPv4" \
	connected inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269

counters_before
check "block add $TOPO_PARTNER4" -- \
	edge "$EDGEFW" block add "$TOPO_PARTNER4" --reason "test_live"
check_connect "blocked partner -> edge:5269 times out, IPv4" \
	timeout inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
counters_after
check_counter "  ...counted as drop blocked on ext0 in" moved ext0 in drop blocked
check_counter "  ...not as drop policy" still ext0 in drop policy
check_counter "  ...and not admitted by rule xmpp-s2s-in" still ext0 in rules xmpp-s2s-in
check_connect "  ...while the partner's IPv6 address still connects" \
	connected inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5269

# The blocklist must not take over the policy's drops: a non-partner is
# still dropped by policy, and counted so, while another address is blocked.
counters_before
check_connect "non-partner -> edge:5269 still times out while the partner is blocked" \
	timeout inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" 5269
counters_after
check_counter "  ...counted as drop policy on ext0 in" moved ext0 in drop policy
check_counter "  ...not as drop blocked (it is not on the blocklist)" still ext0 in drop blocked

check "block del $TOPO_PARTNER4" -- edge "$EDGEFW" block del "$TOPO_PARTNER4"
check_connect "after block del: partner -> edge:5269 connects again, IPv4" \
	connected inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269

# Blocking the non-partner changes its drop reason: the blocklist comes first.
check "block add $TOPO_STRANGER4 (the non-partner)" -- \
	edge "$EDGEFW" block add "$TOPO_STRANGER4"
counters_before
check_connect "blocked non-partner -> edge:5269 times out" \
	timeout inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" 5269
counters_after
check_counter "  ...counted as drop blocked on ext0 in" moved ext0 in drop blocked
check_counter "  ...and no longer as drop policy" still ext0 in drop policy
check "block del $TOPO_STRANGER4" -- edge "$EDGEFW" block del "$TOPO_STRANGER4"

# A block with a TTL ends in the kernel by itself: between the add and the
# connection that must succeed, no edgefw command runs at all.
# The probe right after the add sends one SYN and waits 0.5 s for it, so
# the verdict is on that SYN alone, not on a retransmission that could race
# the end of the block. The block lasts 5 s from when block add held the
# lock: a TCG guest on a loaded machine took over 2 s from the add to the
# probe's SYN (CI, 6.12 guest), so 2 s was too short to be sure the SYN
# met the block.
counters_before
t0=$(now_ms)
check "block add $TOPO_PARTNER4 --ttl 5s" -- \
	edge "$EDGEFW" block add "$TOPO_PARTNER4" --ttl 5s
check_first_syn "partner under a 5 s block -> edge:5269 times out at once" \
	timeout inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
tap_diag "the probe ended $(($(now_ms) - t0)) ms after block add began"
wait_ms=$((6000 - ($(now_ms) - t0)))
[ "$wait_ms" -le 0 ] || sleep "$((wait_ms / 1000)).$(printf '%03d' $((wait_ms % 1000)))"
check_connect "  ...and connects ~6 s after the add, with no command in between" \
	connected inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
counters_after
check_counter "  ...the timeout was counted as drop blocked" moved ext0 in drop blocked
check_eq "  ...and block list no longer shows the expired block" \
	"$(edge "$EDGEFW" block list --json 2>&1 | jq -r '.blocks | length' 2>&1)" 0

# Prefixes: the partner's /24 and the partners' IPv6 /48.
check "block add 203.0.113.0/24 (the partner's /24)" -- \
	edge "$EDGEFW" block add 203.0.113.0/24
counters_before
check_connect "partner inside a blocked /24 -> edge:5269 times out" \
	timeout inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
counters_after
check_counter "  ...counted as drop blocked on ext0 in" moved ext0 in drop blocked
check_connect "  ...its other address $PARTNER2_4 in the /24 times out too" \
	timeout inet "$PARTNER2_4" "$TOPO_EDGE_EXT4" 5269
# The blocklist is checked on ingress only, so an outbound connection to a
# blocked partner fails by its SYN-ACK: a blocked address is cut both ways.
check_connect "  ...edge -> blocked partner:5269 times out too (its SYN-ACK is blocked)" \
	timeout edge "$TOPO_EDGE_EXT4" "$TOPO_PARTNER4" 5269
check_connect "  ...while the partner's IPv6 address still connects" \
	connected inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5269

check "block add 2001:db8:77::/48 (the partners' IPv6 /48)" -- \
	edge "$EDGEFW" block add 2001:db8:77::/48
counters_before
check_connect "partner inside a blocked /48 -> edge:5269 times out, IPv6" \
	timeout inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5269
counters_after
check_counter "  ...counted as drop blocked on ext0 in" moved ext0 in drop blocked

check "block del 203.0.113.0/24" -- edge "$EDGEFW" block del 203.0.113.0/24
check "block del 2001:db8:77::/48" -- edge "$EDGEFW" block del 2001:db8:77::/48
check_connect "after both block del: partner -> edge:5269 connects, IPv4" \
	connected inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
check_connect "after both block del: partner -> edge:5269 connects, IPv6" \
	connected inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5269

# ===========================================================================
# Live sets: `set add` admits at once, without a reload; xmpp-s2s-in and
# xmpp-s2s-out both name the set, so both directions follow it.

gen_before_sets=$(generation)
for fam in 4 6; do
	stranger=TOPO_STRANGER$fam edge_ext=TOPO_EDGE_EXT$fam

	counters_before
	check "set add partners ${!stranger} (the non-partner)" -- \
		edge "$EDGEFW" set add partners "${!stranger}"
	check_connect "  ...non-partner -> edge:5269 now connects, IPv$fam" \
		connected inet "${!stranger}" "${!edge_ext}" 5269
	check_connect "  ...edge -> non-partner:5269 now connects (xmpp-s2s-out), IPv$fam" \
		connected edge "${!edge_ext}" "${!stranger}" 5269
	counters_after
	check_counter "  ...admitted by rule xmpp-s2s-in on ext0 in, IPv$fam" \
		moved ext0 in rules xmpp-s2s-in
	check_counter "  ...and by rule xmpp-s2s-out on ext0 out, IPv$fam" \
		moved ext0 out rules xmpp-s2s-out

	check "set del partners ${!stranger}" -- \
		edge "$EDGEFW" set del partners "${!stranger}"
	counters_before
	check_connect "  ...non-partner -> edge:5269 times out again, IPv$fam" \
		timeout inet "${!stranger}" "${!edge_ext}" 5269
	check_connect "  ...edge -> non-partner:5269 times out again, IPv$fam" \
		timeout edge "${!edge_ext}" "${!stranger}" 5269
	counters_after
	check_counter "  ...dropped by policy on ext0 in, IPv$fam" moved ext0 in drop policy
	check_counter "  ...dropped by policy on ext0 out, IPv$fam" moved ext0 out drop policy
done
check_eq "the set changes took no reload (status generation unchanged)" \
	"$(generation)" "$gen_before_sets"

# ===========================================================================
# Rate limit: 3 connection attempts per source, then 1 a minute; the
# suite's checks of one source all fall well within that minute.

check_reload "reload -c $CONF_RL (xmpp-s2s-in: limit 1/m burst 3 per source)" \
	-c "$CONF_RL"
# The first of the partner's 3 stays open, to be used once the limit is spent.
open_session limited inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
check_session "partner's connection 1 of 3 (kept open) connects and echoes, IPv4" limited
check_connects_n "partner's connections 2 and 3 connect, IPv4" 2 \
	inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
counters_before
check_connect "partner's connection 4 times out (limit spent), IPv4" \
	timeout inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
counters_after
check_counter "  ...counted as drop ratelimit on ext0 in" moved ext0 in drop ratelimit
check_counter "  ...and not admitted by rule xmpp-s2s-in" still ext0 in rules xmpp-s2s-in
# The limit counts connection attempts, never the packets of a connection.
check_session "the partner's established connection still flows after its limit is spent" limited

check_connects_n "second partner source $PARTNER2_4 gets its own 3 connections" 3 \
	inet "$PARTNER2_4" "$TOPO_EDGE_EXT4" 5269
counters_before
check_connect "  ...and its 4th times out" \
	timeout inet "$PARTNER2_4" "$TOPO_EDGE_EXT4" 5269
counters_after
check_counter "  ...counted as drop ratelimit on ext0 in" moved ext0 in drop ratelimit

check_connects_n "partner's IPv6 address gets its own 3 connections" 3 \
	inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5269
counters_before
check_connect "  ...and its 4th times out, IPv6" \
	timeout inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5269
counters_after
check_counter "  ...counted as drop ratelimit on ext0 in" moved ext0 in drop ratelimit
check_session "the partner's IPv4 connection still flows after the others' limits are spent" limited
close_session limited

# ===========================================================================
# Reload under traffic: connections opened under config A carry on through
# reloads to configs that still admit them (flows are shared between
# generations); new connections follow the new config.

check_reload "reload -c $CONF_A (back to the example config)" -c "$CONF_A"
open_session s4 inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
open_session s6 inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5269
check_session "under config A: partner session connects and echoes, IPv4" s4
check_session "under config A: partner session connects and echoes, IPv6" s6

check_reload "reload -c $CONF_B (still admits partners on 5269)" -c "$CONF_B"
check_session "  ...the IPv4 session opened under A still flows" s4
check_session "  ...the IPv6 session opened under A still flows" s6

check_reload "reload with no -c (the same config again)"
check_session "  ...the IPv4 session still flows" s4
check_session "  ...the IPv6 session still flows" s6

check_reload "reload -c $CONF_C (no rule xmpp-s2s-in)" -c "$CONF_C"
check_eq "  ...status names config C" \
	"$(edge "$EDGEFW" status --json 2>/dev/null | jq -r '.config_path' 2>&1)" "$CONF_C"
counters_before
check_connect "  ...a new partner connection times out, IPv4" \
	timeout inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
check_connect "  ...a new partner connection times out, IPv6" \
	timeout inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5269
counters_after
check_counter "  ...dropped by policy on ext0 in" moved ext0 in drop policy
# What was admitted stays admitted: replies of tracked flows pass, and
# flows carry over a reload, like a stateful firewall's established ones.
check_session "  ...the session opened under A still flows (its flow carries over)" s4
close_session s4
close_session s6

# ===========================================================================
# Persistence: sets and blocks changed live come back with the next load,
# also after a reboot (pins and /run gone, the state directory kept).

check_reload "reload -c $CONF_A (for the persistence checks)" -c "$CONF_A"
check "set add partners $TOPO_STRANGER4" -- edge "$EDGEFW" set add partners "$TOPO_STRANGER4"
check "block add $TOPO_PARTNER4" -- edge "$EDGEFW" block add "$TOPO_PARTNER4"

# check_persisted WHEN: the added non-partner connects, the blocked
# partner times out as blocked, the partner's other address connects.
check_persisted() {
	check_connect "$1: the added non-partner -> edge:5269 connects" \
		connected inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" 5269
	counters_before
	check_connect "$1: the blocked partner -> edge:5269 times out" \
		timeout inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5269
	counters_after
	check_counter "  ...counted as drop blocked on ext0 in" moved ext0 in drop blocked
	check_connect "$1: the partner's IPv6 address (not blocked) connects" \
		connected inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5269
}

check_persisted "live"
check "unload" -- edge "$EDGEFW" unload
check "load -c $CONF_A again" -- edge "$EDGEFW" load -c "$CONF_A" ||
	tap_bail "edgefw did not load again"
check_persisted "after unload and load"

check "unload (before the simulated reboot)" -- edge "$EDGEFW" unload
rm -rf "$EDGEFW_PIN_DIR" "$EDGEFW_RUN_DIR"
check "simulated reboot: the pin directory is gone" -- test ! -e "$EDGEFW_PIN_DIR"
check "simulated reboot: the run directory is gone" -- test ! -e "$EDGEFW_RUN_DIR"
check "simulated reboot: load -c $CONF_A" -- edge "$EDGEFW" load -c "$CONF_A" ||
	tap_bail "edgefw did not load after the simulated reboot"
check_persisted "after a reboot"
check_match "after a reboot: set list partners shows $TOPO_STRANGER4" \
	"$(edge "$EDGEFW" set list partners 2>&1)" "^${TOPO_STRANGER4//./\\.}(/32)?\$"
check_match "after a reboot: block list shows $TOPO_PARTNER4" \
	"$(edge "$EDGEFW" block list 2>&1)" "^${TOPO_PARTNER4//./\\.}(/32)? "

check "unload" -- edge "$EDGEFW" unload

tap_done
