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
# With tests/lib/tap.sh and tests/lib/topology.sh.
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
EXAMPLE=$top/examples/lync-xmpp.conf
PREFIX=${EDGEFW_TEST_PREFIX:-efwm-$$-}
PYTHON=/usr/bin/python3 # Debian's, which has slixmpp
CLIENT=$top/tests/lib/xmpp_client.py
# Servers, DNS and clients end on their own after this long, even if this
# script is killed with SIGKILL and its trap never runs.
LIFETIME=300
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

traffic_use_private_directories mod_edgefw
WORK=$(mktemp -d /tmp/edgefw-mod-edgefw.XXXXXX) || exit 1
# The prosody user reads its config and certificates below.
chmod 755 "$WORK"
SERVER_PIDS=()
CONFIG=$WORK/edgefw.conf
DAEMON_PID=''
GROUP_MADE=0
PROSODY_ADDED=0
FAILURES=3 # edgefw_max_failures

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
	if [ -n "$DAEMON_PID" ]; then
		kill -KILL "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	traffic_cleanup
	[ "$PROSODY_ADDED" -eq 0 ] || gpasswd -d prosody edgefw >/dev/null 2>&1
	[ "$GROUP_MADE" -eq 0 ] || groupdel edgefw 2>/dev/null
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
	local d ca
	for ca in ca rogue-ca; do
		openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-keyout "$WORK/$ca.key" -out "$WORK/$ca.pem" -days 2 \
			-subj "/CN=edgefw test $ca $$" 2>/dev/null || return 1
	done
	for d in edge.test partner.test rogue.test; do
		# rogue.test's is signed by a CA the others do not trust
		ca=ca
		[ "$d" != rogue.test ] || ca=rogue-ca
		openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-keyout "$WORK/$d.key" -out "$WORK/$d.csr" -subj "/CN=$d" 2>/dev/null &&
			printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n' "$d" >"$WORK/$d.ext" &&
			openssl x509 -req -in "$WORK/$d.csr" -CA "$WORK/$ca.pem" -CAkey "$WORK/$ca.key" \
				-CAcreateserial -days 2 -extfile "$WORK/$d.ext" \
				-out "$WORK/$d.pem" 2>/dev/null &&
			openssl verify -CAfile "$WORK/$ca.pem" "$WORK/$d.pem" >/dev/null || return 1
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
-- written by tests/netns/test_mod_edgefw.sh
$(extra_config "$domain")
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
log = { { levels = { min = "debug" }, to = "file", filename = "$dir/prosody.log" } }
interfaces = { "127.0.0.1" }
c2s_interfaces = { "127.0.0.1" }
s2s_interfaces = { $addrs}
s2s_ports = { 5269 }
modules_enabled = { "roster"; "saslauth"; "tls"; "dialback"; "disco"; "ping"; "posix"; $(extra_modules "$domain") }
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

# edge.test's Prosody loads mod_edgefw from contrib/
extra_config() { # DOMAIN
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
extra_modules() { # DOMAIN
	[ "$1" != edge.test ] || echo '"edgefw";'
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
# open federation: the edge admits s2s from anyone
sed -i -e 's|^\(rule xmpp-s2s-in  *external in  *tcp 5269  *from \)partners|\1any|' "$CONFIG"
grep -q '^rule xmpp-s2s-in .* from any ' "$CONFIG" || tap_bail "cannot open rule xmpp-s2s-in of $EXAMPLE"
printf 'control block ttl max 1h\n' >>"$CONFIG"
out=$("$EDGEFW" check -c "$CONFIG" 2>&1) || tap_bail "edgefw check -c $CONFIG: $out"

topology_up "$PREFIX" || tap_bail "cannot build the namespace topology"
topology_add_host "$PREFIX" partner "$PARTNER_ROUTER4" "$PARTNER4" \
	"$PARTNER_ROUTER6" "$PARTNER6" || tap_bail "cannot add the partner.test host"
topology_add_host "$PREFIX" rogue "$ROGUE_ROUTER4" "$ROGUE4" \
	"$ROGUE_ROUTER6" "$ROGUE6" || tap_bail "cannot add the rogue.test host"
tap_diag "namespaces $(topology_ns "$PREFIX" '{edge,inet,lan,partner,rogue}'), pins $EDGEFW_PIN_DIR, work $WORK"

# Prosody runs as user prosody, which must be in group edgefw
take_group_edgefw_turn
if ! getent group edgefw >/dev/null; then
	groupadd --system edgefw || tap_bail "cannot create group edgefw"
	GROUP_MADE=1
fi
if ! id -nG prosody | tr ' ' '\n' | grep -qx edgefw; then
	usermod -aG edgefw prosody || tap_bail "cannot add prosody to group edgefw"
	PROSODY_ADDED=1
fi
# the suite's temporary directories above the socket: prosody reaches it
d=$EDGEFW_RUN_DIR
while d=$(dirname "$d") && [[ "$d" == /tmp/?* ]]; do
	chmod o+x "$d"
done
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

start_daemon() {
	nsenter --net="/run/netns/$(topology_ns "$PREFIX" edge)" \
		"$EDGEFW" daemon -c "$CONFIG" >>"$WORK/daemon.log" 2>&1 &
	DAEMON_PID=$!
	LOAD_TRIED=1
}

blocks_json() { edge "$EDGEFW" block list --json 2>/dev/null; }

rogue_blocked() {
	blocks_json | jq -e --arg p "$ROGUE4" 'any(.blocks[]; .prefix == $p)' >/dev/null
}

negate() { ! "$@"; }

edge_log() { cat "$WORK/edge.test/prosody.log"; }

failures_logged() { grep -c "mod_edgefw.*s2s authentication failure [0-9]*/$FAILURES from $ROGUE4" "$WORK/edge.test/prosody.log"; }

failures_above() { [ "$(failures_logged)" -gt "$1" ]; }

# wait_for SECONDS COMMAND...: polls every 100 ms, by the clock (a look
# at Prosody's debug log takes a while)
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# The daemon, serving the socket before edge.test's Prosody needs it.
start_daemon
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
