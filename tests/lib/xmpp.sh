# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Real XMPP federation between namespaces, for tests/netns/test_federation.sh
# and tests/netns/test_mod_edgefw.sh: three Prosody servers (Debian's
# prosody 0.12), each in a namespace of its own, a DNS server for their
# domains, their users and echo bots, and the clients that send between
# them:
#
#   <prefix>edge     edge.test     198.51.100.10, 2001:db8:100::10 (ext0)
#   <prefix>partner  partner.test  203.0.113.20, 2001:db8:77:1::20
#   <prefix>rogue    rogue.test    192.0.2.99, 2001:db8:99:1::99
#   <prefix>inet     the router between them, and dnsmasq on 198.51.100.1:
#                    SRV _xmpp-server._tcp, A and AAAA of the three domains
#
# Users: alice@partner.test, bob@edge.test, mallory@rogue.test, password
# "secret", each a client of its own server (tests/lib/xmpp_client.py,
# Debian's python3-slixmpp) on 127.0.0.1 of the server's namespace, so that
# every stanza between domains crosses s2s. s2s is TLS with certificates of
# a test CA, verified (s2s_secure_auth). Each Prosody has its own config,
# data, pid file and log in $WORK/DOMAIN/, runs as the prosody user and
# reads the test DNS server from an /etc/resolv.conf of its own,
# bind-mounted over the real one in a mount namespace of its own
# (TEST_DNS): the machine's /etc is never written.
#
# Sourcing it sources tests/lib/traffic.sh (and with it tap.sh and
# topology.sh). The caller sets top (the tree) before, and PREFIX and
# EDGEFW; it calls xmpp_init, may set LIFETIME (below) and redefine
# xmpp_extra_config and xmpp_extra_modules (what a domain's Prosody config
# has beside the common part), and calls xmpp_stop_servers and
# xmpp_remove_work from its clean-up.

# shellcheck source=tests/lib/traffic.sh
. "$(dirname "${BASH_SOURCE[0]}")/traffic.sh"

# shellcheck disable=SC2154 # top is the caller's
EXAMPLE=$top/examples/lync-xmpp.conf
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
SERVER_PIDS=()

# xmpp_init NAME: the suite's private directories (traffic.sh), its work
# directory WORK (/tmp/edgefw-NAME.*, readable by the prosody user, which
# reads its config and certificates there) and CONFIG, edgefw's config in it.
xmpp_init() {
	traffic_use_private_directories "$1"
	WORK=$(mktemp -d "/tmp/edgefw-${1//_/-}.XXXXXX") || exit 1
	chmod 755 "$WORK"
	CONFIG=$WORK/edgefw.conf
	# A command prefix: what follows runs in a mount namespace of its own,
	# where /etc/resolv.conf names the test DNS server (bind-mounted over
	# the machine's, which stays as it is). Servers and clients alike:
	# whatever they look up is answered inside the namespaces.
	# shellcheck disable=SC2016 # sh's own $0 and $@
	TEST_DNS=(unshare -m --propagation private
		sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$WORK/resolv.conf")
}

# Stops what start_bg started: timeout(1) passes the TERM on, Prosody
# shuts down, clients end. What is still there 5 s later is killed
# (timeout's child, then timeout).
xmpp_stop_servers() {
	local pid _ left
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
}

# Removes WORK; for a look after the run, EDGEFW_TEST_KEEP=DIR keeps the
# logs there.
xmpp_remove_work() {
	if [ -n "${EDGEFW_TEST_KEEP:-}" ]; then
		mkdir -p "$EDGEFW_TEST_KEEP" &&
			cp -r "$WORK"/*.log "$WORK"/*.test "$EDGEFW_TEST_KEEP"/ 2>/dev/null
	fi
	rm -rf "$WORK"
}

# in the background, in ROLE's namespace, for at most LIFETIME seconds;
# nsenter execs timeout(1), so the process ID kept is timeout's.
start_bg() { # ROLE LOG COMMAND...
	local role=$1 log=$2
	shift 2
	nsenter --net="/run/netns/$(topology_ns "$PREFIX" "$role")" \
		timeout -k 5 "$LIFETIME" "$@" >"$log" 2>&1 &
	SERVER_PIDS+=("$!")
}

# ---------------------------------------------------------------------------
# Certificates: a test CA and a certificate for each domain, signed by it.

# make_certificates [UNTRUSTED-DOMAIN]: that domain's certificate, if one
# is named, is signed by a CA of its own, which the others do not trust.
make_certificates() {
	local untrusted=${1:-} d ca cas=(ca)
	[ -z "$untrusted" ] || cas+=(untrusted-ca)
	for ca in "${cas[@]}"; do
		openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-keyout "$WORK/$ca.key" -out "$WORK/$ca.pem" -days 2 \
			-subj "/CN=edgefw test $ca $$" 2>/dev/null || return 1
	done
	for d in edge.test partner.test rogue.test; do
		ca=ca
		[ "$d" != "$untrusted" ] || ca='untrusted-ca'
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
-- written by tests/lib/xmpp.sh for $(basename "$0")
$(xmpp_extra_config "$domain")
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
log = { { levels = { min = "debug" }, to = "file", filename = "$dir/prosody.log" } }
interfaces = { "127.0.0.1" }
c2s_interfaces = { "127.0.0.1" }
s2s_interfaces = { $addrs}
s2s_ports = { 5269 }
modules_enabled = { "roster"; "saslauth"; "tls"; "dialback"; "disco"; "ping"; "posix"; $(xmpp_extra_modules "$domain") }
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

# What the config of DOMAIN has beside the common part: lines of the
# global section, and modules (each quoted, a ';' after each). None here;
# a suite redefines them.
xmpp_extra_config() { :; }  # DOMAIN
xmpp_extra_modules() { :; } # DOMAIN

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


# ---------------------------------------------------------------------------
# Setting up

# The tools the servers and clients need, and a free pin directory.
xmpp_require_tools() {
	require_traffic_tools jq nsenter ss timeout unshare setpriv openssl prosody \
		prosodyctl dnsmasq awk
	"$PYTHON" -c 'import slixmpp' 2>/dev/null ||
		tap_bail "needs $PYTHON with slixmpp (package python3-slixmpp): run scripts/install-deps.sh"
	id prosody >/dev/null 2>&1 || tap_bail "no prosody user (package prosody): run scripts/install-deps.sh"
	require_free_pin_directory
}

# CONFIG: examples/lync-xmpp.conf, its partners narrowed to partner.test.
xmpp_write_edgefw_config() {
	sed -e 's|203\.0\.113\.0/24|'"$PARTNER4"'/32|; s|2001:db8:77::/48|'"$PARTNER6"'/128|' \
		"$EXAMPLE" >"$CONFIG"
	if ! grep -q "$PARTNER4/32" "$CONFIG" || ! grep -q "$PARTNER6/128" "$CONFIG" ||
		grep -q '203\.0\.113\.0/24' "$CONFIG"; then
		tap_bail "cannot narrow the partners of $EXAMPLE (has the example changed?)"
	fi
}

# The namespaces: the topology's, and partner.test's and rogue.test's hosts.
xmpp_topology_up() {
	topology_up "$PREFIX" || tap_bail "cannot build the namespace topology"
	topology_add_host "$PREFIX" partner "$PARTNER_ROUTER4" "$PARTNER4" \
		"$PARTNER_ROUTER6" "$PARTNER6" || tap_bail "cannot add the partner.test host"
	topology_add_host "$PREFIX" rogue "$ROGUE_ROUTER4" "$ROGUE4" \
		"$ROGUE_ROUTER6" "$ROGUE6" || tap_bail "cannot add the rogue.test host"
	tap_diag "namespaces $(topology_ns "$PREFIX" '{edge,inet,lan,partner,rogue}'), pins $EDGEFW_PIN_DIR, work $WORK"
}

# xmpp_start [UNTRUSTED-DOMAIN]: certificates (make_certificates), the DNS
# server, the three Prosody servers with their users, and the echo bots of
# bob@edge.test and alice@partner.test; bails out if any does not start.
# PARTNER_SERVER is the index of partner.test's Prosody in SERVER_PIDS.
# shellcheck disable=SC2120 # UNTRUSTED-DOMAIN may be left out
xmpp_start() {
	local s role domain addr
	make_certificates "$@" || tap_bail "cannot make the test certificates"
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
	# shellcheck disable=SC2034 # for the caller
	PARTNER_SERVER=${#SERVER_PIDS[@]}
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
}
