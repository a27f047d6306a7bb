#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Real XMPP federation through edgefw (issue 11): three Prosody servers
# (Debian's prosody 0.12) in their own network namespaces, a DNS server
# for their domains, and edgefw on the edge's external NIC.
#
#   <prefix>edge     edge.test     198.51.100.10, 2001:db8:100::10 (ext0)
#   <prefix>partner  partner.test  203.0.113.20, 2001:db8:77:1::20
#   <prefix>rogue    rogue.test    192.0.2.99, 2001:db8:99:1::99
#   <prefix>inet     the router between them, and dnsmasq on 198.51.100.1:
#                    SRV _xmpp-server._tcp, A and AAAA of the three domains
#
# edgefw loads examples/lync-xmpp.conf with the partners set narrowed to
# partner.test's two addresses. Users: alice@partner.test,
# bob@edge.test, mallory@rogue.test, each a client of its own server
# (tests/lib/xmpp_client.py, Debian's python3-slixmpp) on a loopback
# address of the server's namespace, so every stanza between domains
# crosses s2s, and through ext0 when the edge is one end. alice and bob
# run echo bots: a message that comes back as "echo: ..." went there and
# back over s2s.
#
# s2s is TLS with certificates, verified (s2s_secure_auth): the suite makes
# a test CA and a certificate for each domain, and every server trusts the
# CA. That is how federation is deployed, and with verification on, a
# failing federation cannot be blamed on a certificate check that was
# never made; rogue.test gets a valid certificate too, so what stops it
# is edgefw alone. (c2s is plain TCP on 127.0.0.1 inside each namespace:
# it never leaves the host it is on.)
#
# Each Prosody has its own config, data, pid file and log in a private
# directory, runs as the prosody user, and binds s2s to its namespace's
# addresses only (c2s to 127.0.0.1). It reads the test DNS server from
# an /etc/resolv.conf of its own, bind-mounted over the real one in a
# mount namespace of its own (unshare -m): the machine's /etc is never
# written. Every wait is bounded; the trap stops clients, servers and
# dnsmasq, and removes the namespaces.
#
# Checks: alice -> bob and back, bob -> alice and back (inbound s2s to
# edge:5269 and outbound from the edge to partner:5269: both TCP
# connections seen with ss); the counters of rules xmpp-s2s-in,
# xmpp-s2s-out and dns-out moved, no drop on ext0 in; mallory -> bob gets
# an error back, bob never sees it, rogue's log shows the outgoing
# connection failing and edgefw counts its SYNs as drop policy on ext0
# in; partner.test by domain only: its static prefixes deleted and its
# Prosody restarted, alice -> bob fails (SYNs drop policy), after `partner
# add partner.test` (resolved through `partners resolver`, the dnsmasq)
# it comes back, after `partner del` and a restart it fails again; then,
# edgefw unloaded, mallory -> bob comes back: the control that
# shows it was edgefw that kept rogue.test out. About 40 s.
#
# Environment: EDGEFW (the binary), EDGEFW_PIN_DIR, EDGEFW_RUN_DIR and
# EDGEFW_STATE_DIR, as tests/run.sh sets them; run alone, private ones are
# made up. EDGEFW_TEST_PREFIX names the namespaces (default efwf-PID-).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# With tests/lib/traffic.sh, tap.sh and topology.sh.
# shellcheck source=tests/lib/xmpp.sh
. tests/lib/xmpp.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
PREFIX=${EDGEFW_TEST_PREFIX:-efwf-$$-}
xmpp_init federation

cleanup() {
	trap - EXIT INT TERM HUP
	xmpp_stop_servers
	traffic_cleanup
	xmpp_remove_work
}
run_cleanup_on_exit cleanup

# ===========================================================================

xmpp_require_tools

xmpp_write_edgefw_config
# Partner domains are resolved by the test DNS server, which serves test.
# (see "partner.test by domain only" below).
echo "partners resolver $DNS4 timeout 5s" >>"$CONFIG"
out=$("$EDGEFW" check -c "$CONFIG" 2>&1) || tap_bail "edgefw check -c $CONFIG: $out"

xmpp_topology_up
xmpp_start

check_load_or_bail "$CONFIG"

# --- partner.test <-> edge.test, through edgefw ---
counters_before
check_send "alice@partner.test -> bob@edge.test: bob's echo comes back over s2s" \
	'^reply [0-9]+$' partner alice@partner.test bob@edge.test "hello from partner $$"
first_ms=${SEND_RESULT#reply }
check "  ...bob received alice's message" -- \
	grep -q "^alice@partner.test/.* hello from partner $$\$" "$WORK/bob@edge.test.received"
check_send "bob@edge.test -> alice@partner.test: alice's echo comes back over s2s" \
	'^reply [0-9]+$' edge bob@edge.test alice@partner.test "hello from edge $$"
check_send "alice -> bob again, on the established s2s streams" \
	'^reply [0-9]+$' partner alice@partner.test bob@edge.test "again from partner $$"
tap_diag "first message there and back (DNS, TCP, TLS, dialback both ways): $first_ms ms; again: ${SEND_RESULT#reply } ms"
counters_after
conns=$(edge_connections)
check_match "the edge has an inbound s2s connection from partner.test (to its 5269)" \
	"$conns" "^($TOPO_EDGE_EXT4:5269 $PARTNER4:[0-9]+|\[$TOPO_EDGE_EXT6\]:5269 \[$PARTNER6\]:[0-9]+)\$"
check_match "the edge has an outbound s2s connection to partner.test's 5269" \
	"$conns" "^($TOPO_EDGE_EXT4:[0-9]+ $PARTNER4:5269|\[$TOPO_EDGE_EXT6\]:[0-9]+ \[$PARTNER6\]:5269)\$"
check_counter "  ...rule xmpp-s2s-in counted the inbound connection" moved ext0 in rules xmpp-s2s-in
check_counter "  ...rule xmpp-s2s-out counted the outbound connection" moved ext0 out rules xmpp-s2s-out
check_counter "  ...rule dns-out counted the edge's look-ups of partner.test" moved ext0 out rules dns-out
check_counter "  ...and nothing was dropped on ext0 in" still ext0 in drop policy
check_counter "  ...or on ext0 out" still ext0 out drop policy
tap_diag "ext0 in: rule xmpp-s2s-in +$(counter_delta ext0 in rules xmpp-s2s-in), pass reply +$(counter_delta ext0 in pass reply);" \
	"ext0 out: rule xmpp-s2s-out +$(counter_delta ext0 out rules xmpp-s2s-out), dns-out +$(counter_delta ext0 out rules dns-out), pass reply +$(counter_delta ext0 out pass reply)"

# --- rogue.test -> edge.test: its SYNs to 5269 are dropped ---
counters_before
check_send "mallory@rogue.test -> bob@edge.test: an error comes back, not the echo" \
	'^error remote-server-(timeout|not-found)' rogue mallory@rogue.test bob@edge.test "hello from rogue $$"
counters_after
check "  ...bob never received it" -- \
	not_in_file "$WORK/bob@edge.test.received" "hello from rogue $$"
check_match "  ...rogue.test's log: its outgoing connection to edge.test failed" \
	"$(grep -h 'failed outgoing connection to edge.test' "$WORK/rogue.test/prosody.log")" 'queued stanzas'
check_counter "  ...edgefw counted its SYNs as drop policy on ext0 in" moved ext0 in drop policy
check_counter "  ...and not as rule xmpp-s2s-in" still ext0 in rules xmpp-s2s-in
check_eq "  ...and the edge has no connection with rogue.test" \
	"$(edge_connections | grep -cE "(^| |\[)($ROGUE4|$ROGUE6)[]:]")" 0
tap_diag "rogue's attempt: drop policy +$(counter_delta ext0 in drop policy) on ext0 in, error after $SEND_MS ms"

# --- partner.test by domain only: no static prefix, its addresses from DNS ---
# The partners set loses partner.test's two static addresses, and
# partner.test's Prosody restarts so that its s2s streams are new TCP
# connections (established ones stay admitted as flows). Then: its SYNs
# to 5269 are dropped; `partner add partner.test` resolves it through
# the config's `partners resolver` (dnsmasq; test. is a special-use
# domain libunbound would answer itself) and it federates; `partner del`
# cuts it again.
restart_partner() {
	kill "${SERVER_PIDS[$PARTNER_SERVER]}" 2>/dev/null
	wait "${SERVER_PIDS[$PARTNER_SERVER]}" 2>/dev/null
	PARTNER_SERVER=${#SERVER_PIDS[@]}
	start_prosody partner partner.test
	wait_listening partner "$PARTNER4" 5269 20 && wait_listening partner 127.0.0.1 5222 5
}
partner_json() { edge "$EDGEFW" partner list partner.test --json 2>/dev/null | jq -r ".partners[0] | $1"; }
check "set del partners: partner.test's static addresses leave the set" -- \
	edge "$EDGEFW" set del partners "$PARTNER4/32" "$PARTNER6/128"
# not in check's subshell: SERVER_PIDS and PARTNER_SERVER must change here
restart_partner
tap_result $? "partner.test's Prosody restarted (no s2s stream left)"
counters_before
check_send "partner.test not a partner: alice -> bob gets an error" \
	'^error remote-server-(timeout|not-found)' partner alice@partner.test bob@edge.test "before partner add $$"
counters_after
check "  ...bob never received it" -- \
	not_in_file "$WORK/bob@edge.test.received" "before partner add $$"
check_counter "  ...its SYNs to 5269 counted as drop policy on ext0 in (not a partner)" moved ext0 in drop policy
check_counter "  ...and not as rule xmpp-s2s-in" still ext0 in rules xmpp-s2s-in
check "edgefw partner add partner.test" -- edge "$EDGEFW" partner add partner.test
tap_diag "partner list partner.test:" "$(edge "$EDGEFW" partner list partner.test 2>&1)"
check_eq "  ...its SRV target and addresses, from the test DNS server" \
	"$(partner_json '"\([.targets[] | "\(.host):\(.port)"] | join(" ")) \(.addresses | join(" ")) \(.last_error)"')" \
	"partner.test:5269 $PARTNER4 $PARTNER6 null"
counters_before
check_send "partner.test by domain only: alice -> bob, bob's echo comes back over s2s" \
	'^reply [0-9]+$' partner alice@partner.test bob@edge.test "by domain $$"
counters_after
check "  ...bob received it" -- \
	grep -q "^alice@partner.test/.* by domain $$\$" "$WORK/bob@edge.test.received"
check_counter "  ...rule xmpp-s2s-in counted the inbound connection" moved ext0 in rules xmpp-s2s-in
check_counter "  ...rule xmpp-s2s-out the outbound one (bob's echo)" moved ext0 out rules xmpp-s2s-out
check "edgefw partner del partner.test" -- edge "$EDGEFW" partner del partner.test
restart_partner
tap_result $? "partner.test's Prosody restarted again"
counters_before
check_send "after partner del: alice -> bob gets an error again" \
	'^error remote-server-(timeout|not-found)' partner alice@partner.test bob@edge.test "after partner del $$"
counters_after
check_counter "  ...its SYNs counted as drop policy on ext0 in" moved ext0 in drop policy
check "  ...bob never received it" -- \
	not_in_file "$WORK/bob@edge.test.received" "after partner del $$"

# --- The control: without edgefw, rogue.test federates. ---
check "edgefw unload" -- edge "$EDGEFW" unload
check_send "without edgefw: mallory@rogue.test -> bob@edge.test comes back" \
	'^reply [0-9]+$' rogue mallory@rogue.test bob@edge.test "rogue again $$"

# A failure is easier to read with what the servers said.
if [ "$TAP_FAILED" -gt 0 ]; then
	for domain in edge.test partner.test rogue.test; do
		tap_diag "--- $domain: the last lines of its log above debug level ---" \
			"$(grep -v $'\tdebug\t' "$WORK/$domain/prosody.log" | tail -15)"
	done
fi

tap_done
