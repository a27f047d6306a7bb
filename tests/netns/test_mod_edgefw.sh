#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# contrib/prosody/mod_edgefw.lua against real servers (issue 14): the
# namespaces, DNS and three Prosody 0.12 servers of test_federation.sh,
# with edgefw daemon on the edge serving its control socket, and edge.test's
# Prosody (the prosody user, in group edgefw) loading mod_edgefw with
# edgefw_max_failures = 3. The edge admits s2s from anyone (open
# federation: xmpp-s2s-in from any), which is where a stanza proxy that
# blocks abusers earns its keep.
#
# rogue.test's certificate is signed by a CA edge.test does not trust, so
# each stream it opens to the edge fails verification (s2s_secure_auth)
# and edge.test's Prosody closes it: mallory@rogue.test sends to
# bob@edge.test three times, three failures, and mod_edgefw asks edgefw
# over the socket to block 192.0.2.99 for 10m. Checks: the block is on
# edgefw's list with mod_edgefw's reason and the daemon logged it with the
# prosody user's uid; rogue's next SYNs to 5269 drop as 'blocked' (edgefw
# stats --json); partner.test still federates both ways; `prosodyctl
# mod_edgefw unblock` takes the block away. The sequence (failures, the
# block, the drops) goes to the log.
#
# Environment: as test_federation.sh.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# With tests/lib/traffic.sh, tap.sh and topology.sh.
# shellcheck source=tests/lib/xmpp.sh
. tests/lib/xmpp.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
PREFIX=${EDGEFW_TEST_PREFIX:-efwm-$$-}
LIFETIME=300
xmpp_init mod_edgefw
PROSODY_ADDED=0
FAILURES=3 # edgefw_max_failures

cleanup() {
	trap - EXIT INT TERM HUP
	xmpp_stop_servers
	kill_edge_daemon
	traffic_cleanup
	[ "$PROSODY_ADDED" -eq 0 ] || gpasswd -d prosody edgefw >/dev/null 2>&1
	remove_users_and_group
	xmpp_remove_work
}
run_cleanup_on_exit cleanup

# edge.test's Prosody loads mod_edgefw from contrib/
xmpp_extra_config() { # DOMAIN
	# rogue.test connects over IPv4 only: mod_edgefw counts failures per
	# address, and a server with two spreads its failures over both
	[ "$1" != rogue.test ] || echo "use_ipv6 = false"
	[ "$1" = edge.test ] || return 0
	cat <<EOF
plugin_paths = { "$top/contrib/prosody" }
edgefw_socket = "$EDGEFW_RUN_DIR/control.sock"
edgefw_max_failures = $FAILURES
edgefw_failure_window = 120
edgefw_block_ttl = "10m"
EOF
}
xmpp_extra_modules() { # DOMAIN
	[ "$1" != edge.test ] || echo '"edgefw";'
}

# ===========================================================================

xmpp_require_tools

xmpp_write_edgefw_config
# open federation: the edge admits s2s from anyone
sed -i -e 's|^\(rule xmpp-s2s-in  *external in  *tcp 5269  *from \)partners|\1any|' "$CONFIG"
grep -q '^rule xmpp-s2s-in .* from any ' "$CONFIG" || tap_bail "cannot open rule xmpp-s2s-in of $EXAMPLE"
printf 'control block ttl max 1h\n' >>"$CONFIG"
out=$("$EDGEFW" check -c "$CONFIG" 2>&1) || tap_bail "edgefw check -c $CONFIG: $out"

xmpp_topology_up

# Prosody runs as user prosody, which must be in group edgefw
make_group_edgefw
if ! id -nG prosody | tr ' ' '\n' | grep -qx edgefw; then
	usermod -aG edgefw prosody || tap_bail "cannot add prosody to group edgefw"
	PROSODY_ADDED=1
fi
# prosody reaches the socket
open_run_dir_path
# rogue.test's certificate is signed by a CA edge.test does not trust
xmpp_start rogue.test

blocks_json() { edge "$EDGEFW" block list --json 2>/dev/null; }

rogue_blocked() {
	blocks_json | jq -e --arg p "$ROGUE4" 'any(.blocks[]; .prefix == $p)' >/dev/null
}

edge_log() { cat "$WORK/edge.test/prosody.log"; }

failures_logged() { grep -c "mod_edgefw.*s2s authentication failure [0-9]*/$FAILURES from $ROGUE4" "$WORK/edge.test/prosody.log"; }

failures_above() { [ "$(failures_logged)" -gt "$1" ]; }

# The daemon, serving the socket before edge.test's Prosody needs it.
start_edge_daemon "$CONFIG"
wait_for 30 test -S "$EDGEFW_RUN_DIR/control.sock" ||
	tap_bail "edgefw daemon did not serve its socket: $(tail -5 "$WORK/daemon.log")"
check_eq "the daemon's socket is root:edgefw 0660" \
	"$(stat -c '%U:%G %a' "$EDGEFW_RUN_DIR/control.sock")" "root:edgefw 660"

# --- partner.test <-> edge.test, through edgefw ---
check_send "alice@partner.test -> bob@edge.test: the echo comes back over s2s" \
	'^reply [0-9]+$' partner alice@partner.test bob@edge.test "hello from partner $$"

# --- rogue.test fails authentication, FAILURES times ---
seq_log=()
for n in $(seq "$FAILURES"); do
	before=$(failures_logged)
	check_send "mallory@rogue.test -> bob@edge.test, attempt $n: refused (rogue's certificate is not trusted)" \
		'^error ' rogue mallory@rogue.test bob@edge.test "rogue attempt $n $$"
	wait_for 10 failures_above "$before"
	check_eq "  ...mod_edgefw counted failure $n/$FAILURES from $ROGUE4" "$(failures_logged)" "$n"
	seq_log+=("attempt $n: $SEND_RESULT; edge.test: $(edge_log | grep "s2s authentication failure $n/$FAILURES" | tail -1 | cut -f2- | cut -c1-200)")
	[ "$n" -eq "$FAILURES" ] || check "  ...not blocked yet" -- negate rogue_blocked
done
check "  ...bob never received mallory's messages" -- not_in_file "$WORK/bob@edge.test.received" "rogue attempt"

check "after $FAILURES failures, edgefw blocks $ROGUE4 (asked by mod_edgefw)" -- wait_for 10 rogue_blocked
block=$(blocks_json | jq -c --arg p "$ROGUE4" '.blocks[] | select(.prefix == $p)')
check_match "  ...for 10m, with mod_edgefw's reason" "$block" \
	"\"expires_in\":(59[0-9]|600),.*\"reason\":\"mod_edgefw: $FAILURES s2s auth failures in 120s \\(Your server's certificate is not trusted\\)\""
check_match "  ...the daemon logged it with the prosody user's uid and pid" "$(cat "$WORK/daemon.log")" \
	"control socket: uid $(id -u prosody) pid [0-9]+ \\(group edgefw\\): block add $ROGUE4 ttl 10m: blocked $ROGUE4 for 10m00s"
check "  ...and Prosody's log says edgefw blocked it" -- wait_for 5 grep -q "edgefw blocked $ROGUE4" "$WORK/edge.test/prosody.log"
seq_log+=("block: $block")

# --- rogue.test again: its SYNs to 5269 drop as blocked ---
counters_before
check_send "mallory@rogue.test -> bob@edge.test once blocked: an error (timeout)" \
	'^error remote-server-(timeout|not-found)' rogue mallory@rogue.test bob@edge.test "rogue blocked $$"
counters_after
check_counter "  ...edgefw counted its packets as drop blocked on ext0 in" moved ext0 in drop blocked
check_eq "  ...mod_edgefw counted no new failure (nothing reached Prosody)" "$(failures_logged)" "$FAILURES"
dropped=$(counter_delta ext0 in drop blocked)
seq_log+=("once blocked: mallory's next message: $SEND_RESULT after $SEND_MS ms; ext0 in drop blocked +$dropped packets")

# --- partner.test still federates ---
check_send "alice@partner.test -> bob@edge.test still comes back" \
	'^reply [0-9]+$' partner alice@partner.test bob@edge.test "partner after block $$"
check_send "bob@edge.test -> alice@partner.test still comes back" \
	'^reply [0-9]+$' edge bob@edge.test alice@partner.test "edge after block $$"

# --- undo: prosodyctl mod_edgefw unblock ---
out=$(setpriv --reuid=prosody --regid=prosody --init-groups \
	prosodyctl --config "$WORK/edge.test/prosody.cfg.lua" mod_edgefw unblock "$ROGUE4" 2>&1)
check_match "prosodyctl mod_edgefw unblock $ROGUE4: edgefw says it is unblocked" "$out" "unblocked $ROGUE4"
check "  ...gone from edgefw's blocklist" -- negate rogue_blocked

tap_diag "the sequence:" "${seq_log[@]}"
if [ "$TAP_FAILED" -gt 0 ]; then
	for domain in edge.test rogue.test; do
		tap_diag "--- $domain: the last lines of its log above debug level ---" \
			"$(grep -v $'\tdebug\t' "$WORK/$domain/prosody.log" | tail -25)"
	done
	tap_diag "--- edgefw daemon ---" "$(tail -15 "$WORK/daemon.log")"
fi

tap_done
