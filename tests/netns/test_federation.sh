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
# With tests/lib/tap.sh and tests/lib/topology.sh.
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
EXAMPLE=$top/examples/lync-xmpp.conf
PREFIX=${EDGEFW_TEST_PREFIX:-efwf-$$-}
PYTHON=/usr/bin/python3 # Debian's, which has slixmpp
CLIENT=$top/tests/lib/xmpp_client.py
# Servers, DNS and clients end on their own after this long, even if this
# script is killed with SIGKILL and its trap never runs.
LIFETIME=240
MESSAGE_TIMEOUT=30 # seconds a sender waits for its echo or an error
# How long a Prosody waits for an outgoing TCP connection to be
# established (its default is 20 s): rogue.test's attempts time out
# sooner, and the suite with them.
CONNECT_TIMEOUT_S2S=4

PARTNER_ROUTER4=203.0.113.1/24 PARTNER4=203.0.113.20
PARTNER_ROUTER6=2001:db8:77:1::1/64 PARTNER6=2001:db8:77:1::20
ROGUE_ROUTER4=192.0.2.1/24 ROGUE4=192.0.2.99
ROGUE_ROUTER6=2001:db8:99:1::1/64 ROGUE6=2001:db8:99:1::99
DNS4=$TOPO_ROUTER4 # the inet namespace's address on the edge's link

traffic_use_private_directories federation
WORK=$(mktemp -d /tmp/edgefw-federation.XXXXXX) || exit 1
# The prosody user reads its config and certificates below.
chmod 755 "$WORK"
SERVER_PIDS=()
CONFIG=$WORK/edgefw.conf

cleanup() {
	local pid _ left
	trap - EXIT INT TERM HUP
	# timeout(1) passes the TERM on: Prosody shuts down, clients end. What
	# is still there 5 s later is killed (timeout's child, then timeout).
	for pid in "${SERVER_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for _ in $(seq 50); do
		left=0
		for pid in "${SERVER_PIDS[@]}"; do
			kill -0 "$pid" 2>/dev/null && left=1
		done
		[ $left -eq 1 ] || break
		sleep 0.1
	done
	for pid in "${SERVER_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			pkill -KILL -P "$pid" 2>/dev/null
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	traffic_cleanup
	# For a look after the run: EDGEFW_TEST_KEEP=DIR keeps the logs there.
	if [ -n "${EDGEFW_TEST_KEEP:-}" ]; then
		mkdir -p "$EDGEFW_TEST_KEEP" &&
			cp -r "$WORK"/*.log "$WORK"/*.test "$EDGEFW_TEST_KEEP"/ 2>/dev/null
	fi
	rm -rf "$WORK"
}
run_cleanup_on_exit cleanup

# in the background, in ROLE's namespace, for at most LIFETIME seconds;
# nsenter execs timeout(1), so the process ID kept is timeout's.
start_bg() { # ROLE LOG COMMAND...
	local role=$1 log=$2
	shift 2
	nsenter --net="/run/netns/$(topology_ns "$PREFIX" "$role")" \
		timeout -k 5 "$LIFETIME" "$@" >"$log" 2>&1 &
	SERVER_PIDS+=("$!")
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---------------------------------------------------------------------------
# Certificates: a test CA and a certificate for each domain, signed by it.

make_certificates() {
	local d
	openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-keyout "$WORK/ca.key" -out "$WORK/ca.pem" -days 2 \
		-subj "/CN=edgefw test CA $$" 2>/dev/null || return 1
	for d in edge.test partner.test rogue.test; do
		openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-keyout "$WORK/$d.key" -out "$WORK/$d.csr" -subj "/CN=$d" 2>/dev/null &&
			printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n' "$d" >"$WORK/$d.ext" &&
			openssl x509 -req -in "$WORK/$d.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
				-CAcreateserial -days 2 -extfile "$WORK/$d.ext" \
				-out "$WORK/$d.pem" 2>/dev/null &&
			openssl verify -CAfile "$WORK/ca.pem" "$WORK/$d.pem" >/dev/null || return 1
		chown prosody:prosody "$WORK/$d.key" && chmod 600 "$WORK/$d.key" || return 1
	done
	chmod 644 "$WORK"/*.pem
}

# ---------------------------------------------------------------------------
# DNS: dnsmasq in the inet namespace, for the .test domains only.

start_dns() {
	local args=(--keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts
		--no-poll --bind-interfaces --listen-address="$DNS4" --port=53
		--user=root --pid-file= --log-queries --log-facility=-
		--local=/test/)
	args+=("--host-record=edge.test,$TOPO_EDGE_EXT4,$TOPO_EDGE_EXT6")
	args+=("--host-record=partner.test,$PARTNER4,$PARTNER6")
	args+=("--host-record=rogue.test,$ROGUE4,$ROGUE6")
	local d
	for d in edge.test partner.test rogue.test; do
		args+=("--srv-host=_xmpp-server._tcp.$d,$d,5269,0,0")
	done
	start_bg inet "$WORK/dnsmasq.log" dnsmasq "${args[@]}"
	printf 'nameserver %s\n' "$DNS4" >"$WORK/resolv.conf"
	chmod 644 "$WORK/resolv.conf"
	local _
	for _ in $(seq 50); do
		[ -n "$(in_ns "$PREFIX" inet ss -Hlun "src $DNS4 and sport = :53")" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------------------
# Prosody

# write_prosody_config DOMAIN S2S-ADDRESS...: $WORK/DOMAIN/prosody.cfg.lua
write_prosody_config() {
	local domain=$1 dir=$WORK/$1 addrs="" a
	shift
	for a in "$@"; do addrs="$addrs\"$a\"; "; done
	mkdir -p "$dir/data" || return 1
	cat >"$dir/prosody.cfg.lua" <<EOF
-- written by tests/netns/test_federation.sh
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
log = { { levels = { min = "debug" }, to = "file", filename = "$dir/prosody.log" } }
interfaces = { "127.0.0.1" }
c2s_interfaces = { "127.0.0.1" }
s2s_interfaces = { $addrs}
s2s_ports = { 5269 }
modules_enabled = { "roster"; "saslauth"; "tls"; "dialback"; "disco"; "ping"; "posix" }
authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
s2s_require_encryption = true
s2s_secure_auth = true
network_settings = { connect_timeout = $CONNECT_TIMEOUT_S2S }
ssl = { cafile = "$WORK/ca.pem" }
VirtualHost "$domain"
	ssl = {
		key = "$WORK/$domain.key";
		certificate = "$WORK/$domain.pem";
		cafile = "$WORK/ca.pem";
	}
EOF
	chown -R prosody:prosody "$dir" && chmod 750 "$dir" &&
		chmod 644 "$dir/prosody.cfg.lua"
}

# A command prefix: what follows runs in a mount namespace of its own,
# where /etc/resolv.conf names the test DNS server (bind-mounted over the
# machine's, which stays as it is). Servers and clients alike: whatever
# they look up is answered inside the namespaces.
# shellcheck disable=SC2016 # sh's own $0 and $@
TEST_DNS=(unshare -m --propagation private
	sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$WORK/resolv.conf")

# start_prosody ROLE DOMAIN: with the test DNS, as the prosody user.
start_prosody() {
	local role=$1 domain=$2 dir=$WORK/$2
	start_bg "$role" "$dir/stdout.log" "${TEST_DNS[@]}" \
		setpriv --reuid=prosody --regid=prosody --init-groups \
		prosody -F --config "$dir/prosody.cfg.lua"
}

register() { # DOMAIN USER PASSWORD
	prosodyctl --config "$WORK/$1/prosody.cfg.lua" register "$2" "$1" "$3" >/dev/null 2>&1
}

# Waits (bounded) for a file to exist.
wait_file() { # FILE SECONDS
	local _
	for _ in $(seq $(($2 * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# start_echo ROLE JID: its echo bot, online within 15 s.
start_echo() {
	local role=$1 jid=$2
	start_bg "$role" "$WORK/$jid.echo.log" "${TEST_DNS[@]}" \
		"$PYTHON" "$CLIENT" echo "$jid" secret \
		127.0.0.1 5222 "$LIFETIME" "$WORK/$jid.ready" "$WORK/$jid.received"
	wait_file "$WORK/$jid.ready" 15
}

# send ROLE FROM TO BODY: sets SEND_RESULT ("reply MS", "error ...",
# "timeout", ...) and SEND_MS (the whole client run, login included).
SEND_RESULT=
SEND_MS=0
send() {
	local role=$1 from=$2 to=$3 body=$4 t0
	t0=$(now_ms)
	SEND_RESULT=$(in_ns "$PREFIX" "$role" timeout -k 2 $((MESSAGE_TIMEOUT + 10)) \
		"${TEST_DNS[@]}" "$PYTHON" "$CLIENT" send "$from" secret 127.0.0.1 5222 "$MESSAGE_TIMEOUT" \
		"$to" "$body" 2>&1 | tail -1)
	SEND_MS=$(($(now_ms) - t0))
}

# check_send DESCRIPTION WANT-REGEX ROLE FROM TO BODY
check_send() {
	local desc=$1 want=$2
	shift 2
	send "$@"
	check_match "$desc" "$SEND_RESULT" "$want"
	tap_diag "$2 -> $3: $SEND_RESULT (client run $SEND_MS ms)"
}

not_in_file() { # FILE TEXT
	! grep -qF -- "$2" "$1"
}

# Established TCP connections in the edge namespace, "LOCAL PEER" a line.
edge_connections() {
	edge ss -Htn state established | awk '{ print $3, $4 }'
}

# ===========================================================================

require_traffic_tools jq nsenter ss timeout unshare setpriv openssl prosody \
	prosodyctl dnsmasq awk
"$PYTHON" -c 'import slixmpp' 2>/dev/null ||
	tap_bail "needs $PYTHON with slixmpp (package python3-slixmpp): run scripts/install-deps.sh"
id prosody >/dev/null 2>&1 || tap_bail "no prosody user (package prosody): run scripts/install-deps.sh"
require_free_pin_directory

# The example's config, its partners narrowed to partner.test.
sed -e 's|203\.0\.113\.0/24|'"$PARTNER4"'/32|; s|2001:db8:77::/48|'"$PARTNER6"'/128|' \
	"$EXAMPLE" >"$CONFIG"
if ! grep -q "$PARTNER4/32" "$CONFIG" || ! grep -q "$PARTNER6/128" "$CONFIG" ||
	grep -q '203\.0\.113\.0/24' "$CONFIG"; then
	tap_bail "cannot narrow the partners of $EXAMPLE (has the example changed?)"
fi
# Partner domains are resolved by the test DNS server, which serves test.
# (see "partner.test by domain only" below).
echo "partners resolver $DNS4 timeout 5s" >>"$CONFIG"
out=$("$EDGEFW" check -c "$CONFIG" 2>&1) || tap_bail "edgefw check -c $CONFIG: $out"

topology_up "$PREFIX" || tap_bail "cannot build the namespace topology"
topology_add_host "$PREFIX" partner "$PARTNER_ROUTER4" "$PARTNER4" \
	"$PARTNER_ROUTER6" "$PARTNER6" || tap_bail "cannot add the partner.test host"
topology_add_host "$PREFIX" rogue "$ROGUE_ROUTER4" "$ROGUE4" \
	"$ROGUE_ROUTER6" "$ROGUE6" || tap_bail "cannot add the rogue.test host"
tap_diag "namespaces $(topology_ns "$PREFIX" '{edge,inet,lan,partner,rogue}'), pins $EDGEFW_PIN_DIR, work $WORK"

make_certificates || tap_bail "cannot make the test certificates"
start_dns || tap_bail "dnsmasq did not start: $(head -c 500 "$WORK/dnsmasq.log")"
check_match "DNS: the partner's namespace resolves the SRV record of edge.test" \
	"$(in_ns "$PREFIX" partner "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + b"".join(
    bytes([len(l)]) + l.encode() for l in "_xmpp-server._tcp.edge.test".split(".")) + b"\x00\x00\x21\x00\x01"
s.sendto(q, (sys.argv[1], 53)); r = s.recv(512)
print("answers", r[7], "rcode", r[3] & 15)' "$DNS4" 2>&1)" '^answers [1-9][0-9]* rcode 0$'

if ! { write_prosody_config edge.test "$TOPO_EDGE_EXT4" "$TOPO_EDGE_EXT6" &&
	write_prosody_config partner.test "$PARTNER4" "$PARTNER6" &&
	write_prosody_config rogue.test "$ROGUE4" "$ROGUE6"; }; then
	tap_bail "cannot write the Prosody configs"
fi
if ! { register edge.test bob secret && register partner.test alice secret &&
	register rogue.test mallory secret; }; then
	tap_bail "prosodyctl register failed"
fi

start_prosody edge edge.test
PARTNER_SERVER=${#SERVER_PIDS[@]} # its index, for restart_partner
start_prosody partner partner.test
start_prosody rogue rogue.test
for s in "edge edge.test $TOPO_EDGE_EXT4" "partner partner.test $PARTNER4" \
	"rogue rogue.test $ROGUE4"; do
	read -r role domain addr <<<"$s"
	if ! wait_listening "$role" "$addr" 5269 20 || ! wait_listening "$role" 127.0.0.1 5222 5; then
		tap_diag "$domain: $(tail -5 "$WORK/$domain/prosody.log" "$WORK/$domain/stdout.log" 2>&1)"
		tap_bail "Prosody of $domain did not start"
	fi
done
check_eq "Prosody on the edge listens on s2s 5269 on ext0's addresses only" \
	"$(edge ss -Hltn 'sport = :5269' | awk '{ print $4 }' | sort | tr '\n' ' ')" \
	"$TOPO_EDGE_EXT4:5269 [$TOPO_EDGE_EXT6]:5269 "

start_echo edge bob@edge.test || tap_bail "bob's echo bot did not come online: $(head -c 500 "$WORK/bob@edge.test.echo.log")"
start_echo partner alice@partner.test || tap_bail "alice's echo bot did not come online"

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
