#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edgefw daemon (issue 12) in the namespaces of tests/lib/topology.sh: it
# loads, then keeps the loaded state true to the machine. An interface
# created after it started is attached, one deleted and created again is
# attached again; addresses added to and removed from a NIC become and
# stop being 'self' (real TCP and the counters say so); kill -9 leaves the
# filter dropping, and a new daemon adopts the generation without a
# reload; SIGHUP reloads the config, and a bad one keeps what runs;
# expired blocks leave the map and the file with no CLI call; an address
# flapping 1,000 times ends in the right state after few reloads; an
# interface that never appears costs no CPU.
#
# Environment: as the other namespace suites (tests/lib/traffic.sh).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
PREFIX=${EDGEFW_TEST_PREFIX:-efwd-$$-}
CONNECT_TIMEOUT=1
LISTENER_LIFETIME=900 # see test_live.sh: outlasts the slowest VM run
FOLLOW_LIMIT_S=5 # a change not followed by then is a failure
WORK=''
EXT1_ADDR4=198.51.101.10
NEW4=198.51.100.20
NEW6=2001:db8:100::20

traffic_use_private_directories daemon

cleanup() {
	kill_edge_daemon
	traffic_cleanup
	[ -z "$WORK" ] || rm -rf "$WORK"
}
run_cleanup_on_exit cleanup

write_configs() {
	cat >"$WORK/daemon.conf" <<-EOF
		interface ext0 role external
		interface ext1 role external
		interface int0 role internal address $TOPO_EDGE_INT4
		set partners { 203.0.113.0/24, 2001:db8:77::/48 }
		rule s2s-in  external in  tcp 5269 from partners to self
		rule s2s-out external out tcp 5269 to partners
		policy external in  drop
		policy external out drop
		policy internal in  drop
		policy internal out pass
	EOF
	sed 's/^policy external in  drop$/rule s2s-alt external in tcp 5270 from partners to self\n&/' \
		"$WORK/daemon.conf" >"$WORK/edited.conf"
	sed 's/^rule s2s-in .*/rule s2s-in external in tcp 0 from partners to self/' \
		"$WORK/daemon.conf" >"$WORK/bad.conf"
}

status_json() {
	edge "$EDGEFW" status --json 2>/dev/null
}

# JQ over the status, "" when there is no status
status_of() { # JQ-FILTER
	status_json | jq -r "$1" 2>/dev/null
}

generation() {
	status_of .generation
}

# The state of an interface in the status: attached, waiting or "".
iface_state() { # IFACE
	status_of ".interfaces[] | select(.name == \"$1\") | .state"
}

iface_addrs() { # IFACE
	status_of ".interfaces[] | select(.name == \"$1\") | .addresses | join(\" \")"
}

# check_within SECONDS DESCRIPTION COMMAND...: one check that COMMAND
# comes true within SECONDS (wait_until), waited for in this shell
# (check's subshell would lose WAITED_MS); the time it took goes to the
# log, and the status to the log when it gave up.
check_within() {
	local limit=$1 desc=$2 rc=0
	shift 2
	wait_until "$limit" "$@" || rc=1
	[ $rc -eq 0 ] || tap_diag "gave up after $WAITED_MS ms; the status then:" \
		"$(status_json | jq -c '{generation, interfaces: [.interfaces[]? | {name, state, addresses}]}' 2>&1)"
	tap_result $rc "$desc"
}

generation_above() { # N
	[ "$(generation)" -gt "$1" ] 2>/dev/null
}

# loaded, whole: a load still under way has no status yet
has_generation() {
	[[ "$(generation)" =~ ^[0-9]+$ ]]
}

kernel_blocks_are() { # N
	[ "$(kernel_blocks)" = "$1" ]
}

iface_is() { # IFACE STATE
	[ "$(iface_state "$1")" = "$2" ]
}

has_addr() { # IFACE ADDR
	[[ " $(iface_addrs "$1") " == *" $2 "* ]]
}

lacks_addr() { # IFACE ADDR
	local a
	a=$(iface_addrs "$1")
	[ -n "$a" ] && [[ " $a " != *" $2 "* ]]
}

# The XDP program attached to an edge interface, by its name.
xdp_prog_name() { # IFACE
	ip -n "$(topology_ns "$PREFIX" edge)" -d link show dev "$1" 2>/dev/null |
		sed -n 's/.*prog\/xdp id [0-9]* name \([a-z_]*\).*/\1/p'
}

# Each daemon's log lines start at DAEMON_LOG_START in daemon.log: the
# checks on a new daemon read only its own lines, or they would find an
# earlier daemon's and go on before this one got there.
start_daemon() { # CONFIG
	DAEMON_LOG_START=$(stat -c %s "$WORK/daemon.log" 2>/dev/null || echo 0)
	start_edge_daemon "$1"
}

daemon_logged() { # ERE
	tail -c +$((DAEMON_LOG_START + 1)) "$WORK/daemon.log" | grep -Eq "$1"
}

daemon_alive() {
	kill -0 "$DAEMON_PID" 2>/dev/null
}

# CPU seconds (user + system) the daemon used so far, in clock ticks.
daemon_ticks() {
	awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat" 2>/dev/null
}

connects_to() { # DST
	try_connect inet "$TOPO_PARTNER4" "$1" 5269
	[ "$CONNECT_RESULT" = connected ]
}

connects_to6() { # DST
	try_connect inet "$TOPO_PARTNER6" "$1" 5269
	[ "$CONNECT_RESULT" = connected ]
}

# ---------------------------------------------------------------------------

test_start() {
	start_daemon "$WORK/daemon.conf"
	check_within 20 "daemon: loads, status shows a generation" has_generation
	check_eq "daemon: ext0 is attached" "$(iface_state ext0)" attached
	check_eq "daemon: ext1, missing, is waiting" "$(iface_state ext1)" waiting
	check_eq "daemon: edgefw's XDP program on ext0" "$(xdp_prog_name ext0)" edgefw_xdp
	check_within 5 "daemon: the log says it filters" grep -q \
		"filtering; following .*daemon.conf's interfaces" "$WORK/daemon.log"

	# An interface that never appears costs no CPU: no busy loop.
	local t0 t1
	t0=$(daemon_ticks)
	sleep 3
	t1=$(daemon_ticks)
	check "daemon: waiting for ext1 for 3 s used under 0.1 s of CPU ($((t1 - t0)) ticks)" -- \
		test $((t1 - t0)) -le 10
}

test_interface_appears() {
	local ns_edge ns_inet ifindex
	ns_edge=$(topology_ns "$PREFIX" edge)
	ns_inet=$(topology_ns "$PREFIX" inet)
	WAIT_FROM_MS=$(now_ms)
	ip -n "$ns_edge" link add ext1 type veth peer name to-edge1 netns "$ns_inet"
	ip -n "$ns_edge" addr add "$EXT1_ADDR4/24" dev ext1
	ip -n "$ns_edge" link set ext1 up
	ip -n "$ns_inet" link set to-edge1 up
	check_within "$FOLLOW_LIMIT_S" "ext1 created: attached within $FOLLOW_LIMIT_S s" iface_is ext1 attached
	tap_diag "ext1 created: attached $WAITED_MS ms after ip link add"
	check_eq "ext1 created: edgefw's XDP program on it" "$(xdp_prog_name ext1)" edgefw_xdp
	check_within "$FOLLOW_LIMIT_S" "ext1 created: its address is self" has_addr ext1 "$EXT1_ADDR4"

	ifindex=$(status_of '.interfaces[] | select(.name == "ext1") | .ifindex')
	ip -n "$ns_edge" link del ext1
	check_within "$FOLLOW_LIMIT_S" "ext1 deleted: waiting again" iface_is ext1 waiting
	WAIT_FROM_MS=$(now_ms)
	ip -n "$ns_edge" link add ext1 type veth peer name to-edge1 netns "$ns_inet"
	ip -n "$ns_edge" link set ext1 up
	ip -n "$ns_inet" link set to-edge1 up
	check_within "$FOLLOW_LIMIT_S" "ext1 created again: attached within $FOLLOW_LIMIT_S s" iface_is ext1 attached
	tap_diag "ext1 created again: attached $WAITED_MS ms after ip link add"
	check "ext1 created again: a new device (ifindex $ifindex before)" -- \
		test "$(status_of '.interfaces[] | select(.name == "ext1") | .ifindex')" != "$ifindex"
	check_eq "ext1 created again: edgefw's XDP program on it" "$(xdp_prog_name ext1)" edgefw_xdp
	check_eq "status --json: healthy once every interface is attached" "$(status_of .healthy)" true
}

test_addresses() {
	local ns_edge
	ns_edge=$(topology_ns "$PREFIX" edge)
	WAIT_FROM_MS=$(now_ms)
	ip -n "$ns_edge" addr add "$NEW4/24" dev ext0
	ip -n "$ns_edge" addr add "$NEW6/64" dev ext0 nodad
	start_listener edge "TCP4-LISTEN:5269,bind=$NEW4"
	start_listener edge "TCP6-LISTEN:5269,bind=[$NEW6],ipv6only=1"
	check_within "$FOLLOW_LIMIT_S" "address added: a partner connects to $NEW4:5269 within $FOLLOW_LIMIT_S s" connects_to "$NEW4"
	tap_diag "address added: $NEW4 connected $WAITED_MS ms after ip addr add"
	check_within "$FOLLOW_LIMIT_S" "address added: a partner connects to [$NEW6]:5269 within $FOLLOW_LIMIT_S s" connects_to6 "$NEW6"
	check "address added: both are self in status" -- \
		eval 'has_addr ext0 "$NEW4" && has_addr ext0 "$NEW6"'

	ip -n "$ns_edge" addr del "$NEW4/24" dev ext0
	ip -n "$ns_edge" addr del "$NEW6/64" dev ext0
	check_within "$FOLLOW_LIMIT_S" "address removed: no longer self within $FOLLOW_LIMIT_S s" eval 'lacks_addr ext0 "$NEW4" && lacks_addr ext0 "$NEW6"'
	# The address is gone: what shows is that edgefw no longer takes it
	# for self. A partner's SYN to it meets the policy, not the rule.
	counters_before
	try_connect inet "$TOPO_PARTNER4" "$NEW4" 5269
	counters_after
	check_eq "address removed: a connect to $NEW4 times out" "$CONNECT_RESULT" timeout
	check_counter "address removed: counted as drop policy" moved ext0 in drop policy
	check_counter "address removed: not by the rule to self" still ext0 in rules s2s-in
}

test_flapping() {
	local ns_edge gen0 gen1 i
	ns_edge=$(topology_ns "$PREFIX" edge)
	gen0=$(generation)
	for i in $(seq 500); do
		echo "addr add 198.51.100.30/24 dev ext0"
		echo "addr del 198.51.100.30/24 dev ext0"
	done | ip -n "$ns_edge" -batch -
	ip -n "$ns_edge" addr add 198.51.100.31/24 dev ext0
	check_within "$FOLLOW_LIMIT_S" "flapping: after 500 adds and removals, the last address is self" has_addr ext0 198.51.100.31
	check "flapping: and the flapping one is not" -- lacks_addr ext0 198.51.100.30
	sleep 1
	gen1=$(generation)
	tap_diag "flapping: 1001 address changes took $((gen1 - gen0)) reloads"
	check "flapping: 1001 changes, at most 20 reloads ($((gen1 - gen0)))" -- \
		test $((gen1 - gen0)) -le 20 -a $((gen1 - gen0)) -ge 1
}

test_kill_and_adopt() {
	local gen
	gen=$(generation)
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	check_eq "kill -9: edgefw's program stays on ext0" "$(xdp_prog_name ext0)" edgefw_xdp
	try_connect inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" 5269
	check_eq "kill -9: a stranger's SYN still times out" "$CONNECT_RESULT" timeout
	check "kill -9: a partner still connects" -- connects_to "$TOPO_EDGE_EXT4"

	# it looks at the flow filter every second (test_flow_filter)
	EDGEFW_FLOW_FILTER_SECS=1 start_daemon "$WORK/daemon.conf"
	check_within 20 "restart: the new daemon adopts generation $gen" daemon_logged "adopting generation $gen"
	sleep 1
	check_eq "restart: nothing was reloaded (the generation is the same)" "$(generation)" "$gen"
	check "restart: the daemon runs" -- daemon_alive
}

# The flow filter's state word: READY (2) and the half asked (1).
flow_filter_state() {
	bpftool -j map lookup pinned "$EDGEFW_PIN_DIR/flow_filter" key 0 0 0 0 2>/dev/null |
		jq -r '.formatted.value // "unreadable"' 2>/dev/null || echo unreadable
}

flow_filter_ready() {
	local s
	s=$(flow_filter_state)
	[[ "$s" =~ ^[0-9]+$ ]] && [ $((s & 2)) -eq 2 ]
}

# The daemon builds the filter anew when it is not asked (as after a
# reload beside an older edgefw's flows): a live flow keeps passing.
test_flow_filter() {
	check "flow filter: ready under the daemon (state $(flow_filter_state))" -- flow_filter_ready
	check "flow filter: set-up: the state cleared (not ready)" -- \
		bpftool map update pinned "$EDGEFW_PIN_DIR/flow_filter" key 0 0 0 0 value 0 0 0 0 0 0 0 0
	check "flow filter: cleared state reads not ready" -- negate flow_filter_ready
	check_within 10 "flow filter: the daemon rebuilds it from the flow tables" \
		daemon_logged "rebuilt the flow filter from the flow tables .*it was not asked yet"
	check "flow filter: ready again (state $(flow_filter_state))" -- flow_filter_ready
	check "flow filter: a partner still connects" -- connects_to "$TOPO_EDGE_EXT4"

	# ready in a layout of another version: not built anew, said
	local state
	state=$(flow_filter_state)
	check "flow filter: set-up: the state of a layout 2, ready" -- \
		bpftool map update pinned "$EDGEFW_PIN_DIR/flow_filter" key 0 0 0 0 value 2 2 0 0 0 0 0 0
	check_within 10 "flow filter: the daemon says another layout's filter waits for a reload" \
		daemon_logged "flow_filter is an older edgefw's \(another layout\): 'edgefw reload' replaces it"
	check_eq "flow filter: and leaves it as it was (state 514)" "$(flow_filter_state)" 514
	check "flow filter: set-up: its state put back" -- \
		bpftool map update pinned "$EDGEFW_PIN_DIR/flow_filter" key 0 0 0 0 \
		value $((state & 255)) $((state >> 8 & 255)) 0 0 0 0 0 0
	check "flow filter: the daemon runs" -- daemon_alive
}

test_sighup() {
	local gen
	gen=$(generation)
	cp "$WORK/edited.conf" "$WORK/daemon.conf"
	kill -HUP "$DAEMON_PID"
	check_within 20 "SIGHUP: the edited config is reloaded" generation_above "$gen"
	check "SIGHUP: its new rule runs" -- \
		test -n "$(status_of '.rules[] | select(.name == "s2s-alt") | .name')"

	gen=$(generation)
	cp "$WORK/bad.conf" "$WORK/daemon.conf"
	kill -HUP "$DAEMON_PID"
	check_within 20 "SIGHUP with a bad config: the error is logged with its place" grep -Eq "daemon.conf:5:[0-9]+: port 0 out of range" "$WORK/daemon.log"
	sleep 0.5
	check_eq "SIGHUP with a bad config: the generation stays" "$(generation)" "$gen"
	check "SIGHUP with a bad config: the rules stay" -- \
		test -n "$(status_of '.rules[] | select(.name == "s2s-alt") | .name')"
	check "SIGHUP with a bad config: the daemon runs on" -- daemon_alive
	cp "$WORK/edited.conf" "$WORK/daemon.conf"
}

kernel_blocks() {
	bpftool -j map dump pinned "$EDGEFW_PIN_DIR/blocklist" 2>/dev/null | jq length 2>/dev/null
}

blocks_in_file() {
	jq '.blocks | length' "$EDGEFW_STATE_DIR/blocklist.json" 2>/dev/null
}

test_block_expiry() {
	edge "$EDGEFW" block add 192.0.2.77 --ttl 4s >/dev/null 2>&1
	check_eq "block --ttl 4s: in the kernel" "$(kernel_blocks)" 1
	check_within 10 "block --ttl 4s: the daemon prunes it from the kernel, no CLI call" kernel_blocks_are 0
	tap_diag "block --ttl 4s: gone $WAITED_MS ms after it was checked in the kernel"
	check_eq "block --ttl 4s: and from blocklist.json" "$(blocks_in_file)" 0
}

test_stop() {
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID"
	check_eq "SIGTERM: the daemon exits 0" "$?" 0
	DAEMON_PID=''
	check_eq "SIGTERM: the filter stays on ext0" "$(xdp_prog_name ext0)" edgefw_xdp
	check_match "SIGTERM: the log says so" "$(cat "$WORK/daemon.log")" "the filter stays loaded"
}

daemon_gone() {
	! daemon_alive
}

# 'edgefw unload' under a running daemon: it stays unloaded, the daemon ends.
test_unload_under_daemon() {
	# periods out of range fall back to their defaults, warned of
	EDGEFW_FLOW_FILTER_SECS=0 EDGEFW_SUMMARY_SECS=1m start_daemon "$WORK/daemon.conf"
	check_within 20 "unload under the daemon: a new daemon adopts" \
		daemon_logged "adopting generation"
	# the periods are read after the adoption, before it says it filters
	check_within 10 "unload under the daemon: it filters" \
		daemon_logged "filtering; following"
	check "a daemon given EDGEFW_FLOW_FILTER_SECS=0 says so and takes 10 s" -- \
		daemon_logged "EDGEFW_FLOW_FILTER_SECS takes 1 to 3600 seconds, not '0': 10 it is"
	check "a daemon given EDGEFW_SUMMARY_SECS=1m says so and takes 60 s" -- \
		daemon_logged "EDGEFW_SUMMARY_SECS takes 1 to 86400 seconds, not '1m': 60 it is"
	edge "$EDGEFW" unload >/dev/null 2>&1
	check_within 5 "unload under the daemon: the daemon ends" daemon_gone
	daemon_alive && kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID"
	check_eq "unload under the daemon: it exits 0" "$?" 0
	DAEMON_PID=''
	sleep 1
	check_eq "unload under the daemon: nothing on ext0 (not loaded again)" "$(xdp_prog_name ext0)" ""
	check "unload under the daemon: no state.json" -- negate test -e "$EDGEFW_RUN_DIR/state.json"
	check_match "unload under the daemon: the log says why it stopped" "$(cat "$WORK/daemon.log")" \
		"the filter was unloaded .'edgefw unload'.: nothing left to follow"
}

test_bad_config_at_start() {
	local out rc
	edge "$EDGEFW" unload >/dev/null 2>&1
	out=$(timeout 20 nsenter --net="/run/netns/$(topology_ns "$PREFIX" edge)" \
		"$EDGEFW" daemon -c "$WORK/bad.conf" 2>&1)
	rc=$?
	check_eq "a bad config at start: exit 2" "$rc" 2
	check_match "a bad config at start: FILE:LINE:COL" "$out" "bad.conf:5:[0-9]+: port 0 out of range"
	check "a bad config at start: nothing loaded" -- negate test -e "$EDGEFW_RUN_DIR/state.json"
	check_eq "a bad config at start: no program on ext0" "$(xdp_prog_name ext0)" ""
}

main() {
	require_traffic_tools ip nsenter jq socat nc bpftool awk
	[ "$(id -u)" -eq 0 ] || tap_bail "run as root"
	require_free_pin_directory
	WORK=$(mktemp -d /tmp/edgefw-daemon.XXXXXX) || tap_bail "no work directory"
	topology_up "$PREFIX" || tap_bail "cannot build the namespaces"
	write_configs
	start_listener edge "TCP4-LISTEN:5269,bind=$TOPO_EDGE_EXT4"
	wait_listening edge "$TOPO_EDGE_EXT4" 5269 || tap_bail "no listener"

	test_start
	test_interface_appears
	test_addresses
	test_flapping
	test_kill_and_adopt
	test_flow_filter
	test_sighup
	test_block_expiry
	test_stop
	test_unload_under_daemon
	test_bad_config_at_start
	tap_diag "daemon log:" "$(sed 's/^/  /' "$WORK/daemon.log" | tail -40)"
	tap_done
}

main "$@"
