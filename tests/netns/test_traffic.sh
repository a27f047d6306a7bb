#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Real traffic through edgefw: three network namespaces joined by veth pairs
# (tests/lib/topology.sh), examples/lync-xmpp.conf loaded on the edge's ext0
# and int0, TCP connections that must succeed or time out, and counters
# that must move because of them.
#
# A dropped SYN shows as a client timeout; a port with no listener as a
# refusal (RST). The checks tell the two apart from netcat's error text, so
# "the filter dropped it" is never confused with "nothing was listening".
#
# Listeners, clients, counters (`edgefw stats --json`), the private
# directories and the clean-up come from tests/lib/traffic.sh, shared with
# the other namespace suites.
#
# Environment: EDGEFW (the binary), EDGEFW_PIN_DIR, EDGEFW_RUN_DIR and
# EDGEFW_STATE_DIR, as tests/run.sh sets them; run alone, private ones are
# made up so that a real edgefw on this machine is never touched.
# EDGEFW_TEST_PREFIX names the namespaces (default efwt-PID-, so parallel
# runs never collide).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# With tests/lib/tap.sh and tests/lib/topology.sh.
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
CONFIG=examples/lync-xmpp.conf
PREFIX=${EDGEFW_TEST_PREFIX:-efwt-$$-}
CONNECT_TIMEOUT=2 # seconds; a SYN that got no answer by then was dropped
# Listeners end on their own after this long, even if this script is
# killed with SIGKILL and its trap never runs. The suite takes ~30 s on
# the host and up to three minutes under qemu's TCG on a busy machine
# (vm-tests): the bound must outlast the slowest run.
LISTENER_LIFETIME=900

traffic_use_private_directories traffic
run_cleanup_on_exit traffic_cleanup

# ---------------------------------------------------------------------------
# What the kernel has attached, seen from the edge namespace

# Each prints edgefw, none, other (a program that is not edgefw's) or the
# error, so that a failing `ip` or `tc` never reads as "nothing attached".

xdp_on() { # IFACE
	local out
	if ! out=$(edge ip -d link show dev "$1" 2>&1); then
		echo "error: $out"
	elif grep -q 'prog/xdp .*name edgefw_xdp' <<<"$out"; then
		echo edgefw
	elif grep -Eq 'prog/xdp|[[:space:]]xdp(generic|drv|offload)?[[:space:]]' <<<"$out"; then
		echo other
	else
		echo none
	fi
}

tc_egress_on() { # IFACE
	local out
	if ! out=$(edge tc filter show dev "$1" egress 2>&1); then
		echo "error: $out"
	elif grep -q edgefw_tc <<<"$out"; then
		echo edgefw
	elif [ -n "$out" ]; then
		echo other
	else
		echo none
	fi
}

# ===========================================================================

require_traffic_tools nc socat jq nsenter ss tc timeout
require_free_pin_directory

topology_up "$PREFIX" || tap_bail "cannot build the namespace topology"
start_xmpp_servers || tap_bail "the listeners did not start"
tap_diag "topology $(topology_ns "$PREFIX" '{edge,inet,lan}'), pins $EDGEFW_PIN_DIR"

# --- Without edgefw: every listener is reachable, a closed port refuses. ---
# These make the checks under edgefw meaningful: a timeout there is the
# filter's doing, not a missing listener or route.
check_connect "without edgefw: partner -> edge:5270 (nothing listens) is refused, IPv4" \
	refused inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 5270
check_connect "without edgefw: partner -> edge:5270 (nothing listens) is refused, IPv6" \
	refused inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5270
check_connect "without edgefw: non-partner -> edge:5269 connects, IPv4" \
	connected inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" 5269
check_connect "without edgefw: non-partner -> edge:5269 connects, IPv6" \
	connected inet "$TOPO_STRANGER6" "$TOPO_EDGE_EXT6" 5269
check_connect "without edgefw: other LAN host -> edge 10.1.0.10:23456 connects" \
	connected lan "$TOPO_LANHOST4" "$TOPO_EDGE_INT4" 23456
check_connect "without edgefw: edge -> partner:5270 connects, IPv4" \
	connected edge "$TOPO_EDGE_EXT4" "$TOPO_PARTNER4" 5270
check_connect "without edgefw: edge -> partner:5270 connects, IPv6" \
	connected edge "$TOPO_EDGE_EXT6" "$TOPO_PARTNER6" 5270
check_connect "without edgefw: edge -> non-partner:5269 connects, IPv4" \
	connected edge "$TOPO_EDGE_EXT4" "$TOPO_STRANGER4" 5269

# --- Load, inside the edge namespace. ---
check_load_or_bail "$CONFIG"

status_json=$(edge "$EDGEFW" status --json 2>&1)
status_rc=$?
check_eq "edgefw status exits 0 (healthy)" "$status_rc" 0
check_eq "edgefw status --json: healthy is true" \
	"$(jq -r '.healthy' <<<"$status_json" 2>&1)" true
check_eq "edgefw status --json: ext0 and int0 each healthy" \
	"$(jq -r '[.interfaces[] | select(.healthy == true) | .name] | sort | join(",")' \
		<<<"$status_json" 2>&1)" "ext0,int0"
for ifc in ext0 int0; do
	check_eq "edgefw's XDP program is attached to $ifc (ip -d link)" "$(xdp_on $ifc)" edgefw
	check_eq "edgefw's TC filter is on $ifc egress (tc filter show)" "$(tc_egress_on $ifc)" edgefw
done

# --- Inbound on the external NIC (rule xmpp-s2s-in, policy external in drop) ---
for fam in 4 6; do
	partner=TOPO_PARTNER$fam stranger=TOPO_STRANGER$fam edge_ext=TOPO_EDGE_EXT$fam

	counters_before
	check_connect "partner -> edge:5269 connects, IPv$fam" \
		connected inet "${!partner}" "${!edge_ext}" 5269
	counters_after
	check_counter "  ...counted by rule xmpp-s2s-in on ext0 in, IPv$fam" \
		moved ext0 in rules xmpp-s2s-in
	check_counter "  ...its SYN-ACK counted as a reply on ext0 out, IPv$fam" \
		moved ext0 out pass reply
	check_counter "  ...and nothing dropped on ext0 in, IPv$fam" \
		still ext0 in drop policy

	counters_before
	check_connect "non-partner -> edge:5269 times out (SYN dropped, no RST), IPv$fam" \
		timeout inet "${!stranger}" "${!edge_ext}" 5269
	counters_after
	check_counter "  ...counted as drop policy on ext0 in, IPv$fam" \
		moved ext0 in drop policy
	check_counter "  ...and not by rule xmpp-s2s-in, IPv$fam" \
		still ext0 in rules xmpp-s2s-in

	counters_before
	check_connect "partner -> edge:5270 times out (refused without edgefw), IPv$fam" \
		timeout inet "${!partner}" "${!edge_ext}" 5270
	counters_after
	check_counter "  ...counted as drop policy on ext0 in, IPv$fam" \
		moved ext0 in drop policy
done

# --- Inbound on the internal NIC (rule xmpp-gw-in, policy internal in drop) ---
counters_before
check_connect "front-end 10.1.1.5 -> edge 10.1.0.10:23456 connects" \
	connected lan "$TOPO_FRONTEND4" "$TOPO_EDGE_INT4" 23456
counters_after
check_counter "  ...counted by rule xmpp-gw-in on int0 in" moved int0 in rules xmpp-gw-in
check_counter "  ...and nothing dropped on int0 in" still int0 in drop policy

counters_before
check_connect "other LAN host 10.1.2.7 -> edge 10.1.0.10:23456 times out" \
	timeout lan "$TOPO_LANHOST4" "$TOPO_EDGE_INT4" 23456
counters_after
check_counter "  ...counted as drop policy on int0 in" moved int0 in drop policy
check_counter "  ...and not by rule xmpp-gw-in" still int0 in rules xmpp-gw-in

# --- Outbound on the external NIC (rule xmpp-s2s-out, policy external out drop) ---
for fam in 4 6; do
	partner=TOPO_PARTNER$fam stranger=TOPO_STRANGER$fam edge_ext=TOPO_EDGE_EXT$fam

	counters_before
	check_connect "edge -> partner:5269 connects (its replies pass), IPv$fam" \
		connected edge "${!edge_ext}" "${!partner}" 5269
	counters_after
	check_counter "  ...counted by rule xmpp-s2s-out on ext0 out, IPv$fam" \
		moved ext0 out rules xmpp-s2s-out
	check_counter "  ...its SYN-ACK counted as a reply on ext0 in, IPv$fam" \
		moved ext0 in pass reply
	check_counter "  ...and nothing dropped on ext0 in, IPv$fam" \
		still ext0 in drop policy

	counters_before
	check_connect "edge -> partner:5270 (listening) does not connect: times out, IPv$fam" \
		timeout edge "${!edge_ext}" "${!partner}" 5270
	counters_after
	check_counter "  ...counted as drop policy on ext0 out, IPv$fam" \
		moved ext0 out drop policy
	check_counter "  ...and not by rule xmpp-s2s-out, IPv$fam" \
		still ext0 out rules xmpp-s2s-out

	counters_before
	check_connect "edge -> non-partner:5269 (listening) does not connect: times out, IPv$fam" \
		timeout edge "${!edge_ext}" "${!stranger}" 5269
	counters_after
	check_counter "  ...counted as drop policy on ext0 out, IPv$fam" \
		moved ext0 out drop policy
done

# --- Unload: nothing of edgefw is left, and traffic flows again. ---
check "edgefw unload in the edge namespace" -- edge "$EDGEFW" unload
for ifc in ext0 int0; do
	check_eq "after unload: no XDP program on $ifc" "$(xdp_on $ifc)" none
	check_eq "after unload: no TC egress filter on $ifc" "$(tc_egress_on $ifc)" none
done
check "after unload: the pin directory $EDGEFW_PIN_DIR is gone" -- \
	test ! -e "$EDGEFW_PIN_DIR"
check_eq "after unload: edgefw status --json says not loaded" \
	"$(edge "$EDGEFW" status --json 2>/dev/null | jq -r '.loaded' 2>&1)" false
check_connect "after unload: non-partner -> edge:5269 connects again, IPv4" \
	connected inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" 5269
check_connect "after unload: non-partner -> edge:5269 connects again, IPv6" \
	connected inet "$TOPO_STRANGER6" "$TOPO_EDGE_EXT6" 5269
check_connect "after unload: edge -> partner:5270 connects again" \
	connected edge "$TOPO_EDGE_EXT4" "$TOPO_PARTNER4" 5270

tap_done
