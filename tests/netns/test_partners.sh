#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Partners by XMPP domain (issue 14, item 1) against a real DNS server:
# Knot (knotd, authoritative for a test zone) on the edge namespace's
# loopback, which edgefw's resolver (libunbound) asks. SRV targets and
# the fallback to the domain's own A/AAAA, XEP-0368's xmpps SRV, the "."
# target, two domains sharing a server (deleting one leaves the shared
# address), a CNAME, NXDOMAIN, 40 SRV targets (bounded, warned), names
# that are no domain; DNSSEC: a signed zone (secure), a broken signature
# (bogus: nothing enters the set), an insecure answer where DNSSEC is
# required (the set keeps what it had); real TCP to 5269 that connects once the partner's
# domain is added and not before; the daemon picking up a TTL change
# within TTL + 2 s, the address gone from DNS leaving after the grace
# period, and the DNS server stopped: addresses kept, failures counted.
#
# Environment: as the other namespace suites (tests/lib/traffic.sh).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh
# shellcheck source=tests/lib/brokenlib.sh
. tests/lib/brokenlib.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
SETPROBE=$(dirname "$EDGEFW")/tests/cli/setprobe
PREFIX=${EDGEFW_TEST_PREFIX:-efwp-$$-}
CONNECT_TIMEOUT=1
LISTENER_LIFETIME=600
TTL=2 # seconds, the zone's
GRACE=6 # seconds, the config's
WORK=''
DAEMON_PID=''
KNOT_PID=''

traffic_use_private_directories partners

cleanup() {
	local pid
	for pid in "$DAEMON_PID" "$KNOT_PID"; do
		[ -n "$pid" ] || continue
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	traffic_cleanup
	[ -z "$WORK" ] || rm -rf "$WORK"
}
run_cleanup_on_exit cleanup

# The zone is example. (and a small test. zone for the special-use
# domains). The zone: SERIAL and the address of xmpp.partner.example are arguments,
# for the test that changes them.
write_zone() { # SERIAL PARTNER-ADDR
	{
		cat <<-EOF
			\$TTL $TTL
			@ SOA ns.example. admin.example. $1 60 60 600 $TTL
			@ NS ns.example.
			ns A 127.0.0.1
			_xmpp-server._tcp.partner SRV 0 5 5269 xmpp.partner.example.
			xmpp.partner A $2
			xmpp.partner AAAA $TOPO_PARTNER6
			fallback A 203.0.113.6
			fallback AAAA 2001:db8:77::6
			_xmpps-server._tcp.tls SRV 0 5 5270 xmpps.tls.example.
			xmpps.tls A 203.0.113.7
			_xmpp-server._tcp.none SRV 0 0 0 .
			_xmpp-server._tcp.one SRV 0 5 5269 shared.hosting.example.
			_xmpp-server._tcp.two SRV 0 5 5269 shared.hosting.example.
			_xmpp-server._tcp.two SRV 10 5 5269 own.two.example.
			shared.hosting A 203.0.113.20
			own.two A 203.0.113.21
			_xmpp-server._tcp.alias SRV 0 5 5269 host.alias.example.
			host.alias CNAME real.alias.example.
			real.alias A 203.0.113.30
			mapped AAAA ::ffff:203.0.113.12
			cfg A 203.0.113.50
		EOF
		for i in $(seq 1 40); do
			echo "_xmpp-server._tcp.many SRV $i 5 5269 h$i.many.example."
			echo "h$i.many A 198.18.0.$i"
		done
	} >"$WORK/test.zone"
}

# Two signed zones, with ldns's tools: signed.example, whose answers
# validate against the trust anchors (their DS records), and
# bogus.example, whose A record is changed after signing, so that its
# signature no longer matches.
# test. (RFC 6761): libunbound answers it itself unless the config names
# the resolver that serves it, as this suite's does.
write_test_zone() {
	cat >"$WORK/tld-test.zone" <<-EOF
		\$ORIGIN test.
		\$TTL $TTL
		@ SOA ns.example. admin.example. 1 60 60 600 $TTL
		@ NS ns.example.
		_xmpp-server._tcp.partner SRV 0 5 5269 xmpp.partner.test.
		xmpp.partner A 203.0.113.60
	EOF
}

write_signed_zones() {
	local z key addr=203.0.113.40
	for z in signed bogus; do
		cat >"$WORK/$z.zone" <<-EOF
			\$ORIGIN $z.example.
			\$TTL $TTL
			@ SOA ns.example. admin.example. 1 60 60 600 $TTL
			@ NS ns.example.
			_xmpp-server._tcp SRV 0 5 5269 xmpp.$z.example.
			xmpp A $addr
		EOF
		addr=203.0.113.41
		key=$(cd "$WORK" && ldns-keygen -a ECDSAP256SHA256 -k "$z.example") &&
			(cd "$WORK" && ldns-signzone "$z.zone" "$key") &&
			cat "$WORK/$key.ds" >>"$WORK/anchors" || return 1
	done
	sed -i 's/^\(xmpp\.bogus\.example\.\s.*\sA\s\+\)203\.0\.113\.41$/\1203.0.113.43/' \
		"$WORK/bogus.zone.signed"
	grep -q '203\.0\.113\.43' "$WORK/bogus.zone.signed"
}

start_knot() {
	mkdir -p "$WORK/knot"
	cat >"$WORK/knot.conf" <<-EOF
		server:
		    listen: 127.0.0.1@53
		    rundir: $WORK/knot
		log:
		  - target: stderr
		    any: info
		database:
		    storage: $WORK/knot
		control:
		    listen: $WORK/knot/knot.sock
		template:
		  - id: default
		    storage: $WORK
		    zonefile-sync: -1
		    zonefile-load: whole
		    journal-content: none
		zone:
		  - domain: example
		    file: test.zone
		  - domain: signed.example
		    file: signed.zone.signed
		  - domain: bogus.example
		    file: bogus.zone.signed
		  - domain: test
		    file: tld-test.zone
	EOF
	# nsenter execs knotd in place: $! is knotd's own pid
	nsenter --net="/run/netns/$(topology_ns "$PREFIX" edge)" \
		knotd -c "$WORK/knot.conf" >>"$WORK/knot.log" 2>&1 &
	KNOT_PID=$!
	local _
	for _ in $(seq 50); do
		edge kdig +short +time=1 @127.0.0.1 ns.example A 2>/dev/null |
			grep -q 127.0.0.1 && return 0
		sleep 0.1
	done
	return 1
}

write_config() {
	cat >"$WORK/partners.conf" <<-EOF
		interface ext0 role external
		set partners { }
		rule s2s-in  external in  tcp 5269 from partners to self
		rule s2s-out external out tcp 5269 to partners
		policy external in  drop
		policy external out drop
		partners resolver 127.0.0.1@53 refresh min 1s max 1h grace ${GRACE}s timeout 3s trust-anchor $WORK/anchors
	EOF
}

partner() { edge "$EDGEFW" partner "$@"; }
partner_with_libs() { # DIR ARGS...: LD_LIBRARY_PATH=DIR
	local dir=$1
	shift
	edge env LD_LIBRARY_PATH="$dir" "$EDGEFW" partner "$@"
}

list_json() { partner list --json 2>/dev/null; }

# JQ over one domain's entry of partner list --json
of() { # DOMAIN JQ-FILTER
	list_json | jq -r ".partners[] | select(.domain == \"$1\") | $2" 2>/dev/null
}

set_members() {
	edge "$EDGEFW" set list partners 2>/dev/null | tr '\n' ' '
}

# What the kernel's maps answer for ADDR in partners: "in" or "out"
# (tests/cli/setprobe.c runs the data plane's own lookups).
kernel_says() { # ADDR
	edge "$SETPROBE" partners "$1" 2>/dev/null | awk '{ print $2 }'
}

# set list names the address, and the kernel has it; or neither
in_set() { [[ " $(set_members) " == *" $1 "* && "$(kernel_says "$1")" == in ]]; }
not_in_set() { [[ " $(set_members) " != *" $1 "* && "$(kernel_says "$1")" == out ]]; }

# status (text and --json) counts the set as the kernel holds it: the
# size status reads from the runtime state follows partner changes.
expect_status_count() { # WHAT
	local kernel json text
	kernel=$(edge "$EDGEFW" set list partners 2>/dev/null | grep -c .)
	json=$(edge "$EDGEFW" status --json 2>/dev/null |
		jq -r '.sets[] | select(.name == "partners") | .prefixes')
	text=$(edge "$EDGEFW" status 2>/dev/null | awk '$1 == "partners" { print $2 }')
	check_eq "$1: status counts the set as the kernel holds it (text, --json)" \
		"$text $json" "$kernel $kernel"
}

has_generation() {
	[[ "$(edge "$EDGEFW" status --json 2>/dev/null | jq -r .generation)" =~ ^[0-9]+$ ]]
}

connects() { # SRC
	try_connect inet "$1" "$TOPO_EDGE_EXT4" 5269
	[ "$CONNECT_RESULT" = connected ]
}

# ---------------------------------------------------------------------------

test_names() {
	local out rc
	out=$(partner add 'bad_name!.test' 2>&1)
	rc=$?
	check_eq "partner add of a name with '_' and '!': exit 2" "$rc" 2
	check_match "... and says why" "$out" "only letters, digits, '-' and '.'"
	out=$(partner add 203.0.113.5 2>&1)
	check_match "partner add of an address: refused, pointing to set add" \
		"$out" "is an address, not a domain"
	out=$(partner add "$(printf 'a%.0s' $(seq 64)).test" 2>&1)
	check_match "a label of 64 characters: refused" "$out" "longer than 63"
	printf 'interface ext0 role external\nset p { domain -bad.example }\n' >"$WORK/bad.conf"
	out=$(edge "$EDGEFW" check -c "$WORK/bad.conf" 2>&1)
	check_match "the config's domain item checks the name, with its position" \
		"$out" ":2:16: '-bad.example' is no domain name"
}

# libunbound is opened when a command resolves (user/dynlib.h): one
# that cannot be loaded is an error naming it, and nothing changes.
test_broken_library() {
	local out rc
	broken_library "$WORK/brokenlib" libunbound.so.8
	out=$(partner_with_libs "$WORK/brokenlib" add partner.example 2>&1)
	rc=$?
	check_eq "libunbound without its functions: partner add exits 1" "$rc" 1
	check_match "  ...saying which library and why" "$out" \
		"cannot create a DNS resolver: cannot load libunbound.so.8: it has no ub_ctx_create"
	check_eq "  ...and adds no partner" "$(list_json | jq -c '.partners')" '[]'
}

test_srv_and_traffic() {
	check_eq "before: the partner's SYN to 5269 is dropped" \
		"$(connects "$TOPO_PARTNER4" && echo connected || echo "$CONNECT_RESULT")" timeout
	check "partner add partner.example" -- partner add partner.example
	check_eq "partner.example: its SRV target" \
		"$(of partner.example '[.targets[] | "\(.host):\(.port)"] | join(" ")')" "xmpp.partner.example:5269"
	check_eq "partner.example: the target's A and AAAA" \
		"$(of partner.example '.addresses | join(" ")')" "$TOPO_PARTNER4 $TOPO_PARTNER6"
	check "... in the set" -- in_set "$TOPO_PARTNER4"
	expect_status_count "partner add"
	check_eq "partner.example: TTL, DNSSEC status, no error" \
		"$(of partner.example '"\(.ttl) \(.dnssec) \(.last_error)"')" "$TTL insecure null"
	check "after: the partner's TCP to 5269 connects (IPv4)" -- connects "$TOPO_PARTNER4"
	try_connect inet "$TOPO_PARTNER6" "$TOPO_EDGE_EXT6" 5269
	check_eq "after: the partner's TCP to 5269 connects (IPv6)" "$CONNECT_RESULT" connected
	check_eq "a stranger still does not" \
		"$(connects "$TOPO_STRANGER4" && echo connected || echo "$CONNECT_RESULT")" timeout
}

test_kinds() {
	local out
	out=$(partner add --json fallback.example 2>/dev/null)
	check_eq "partner add --json: the partner as partner list --json shows it" \
		"$(jq -r '.partners[0] | "\(.domain) \(.set) \(.addresses | join(" "))"' <<<"$out" 2>&1)" \
		"fallback.example partners 203.0.113.6 2001:db8:77::6"
	check_eq "no SRV: the domain's own A and AAAA" \
		"$(of fallback.example '.addresses | join(" ")')" "203.0.113.6 2001:db8:77::6"
	check_eq "... and the domain itself as target, port 5269" \
		"$(of fallback.example '[.targets[] | "\(.host):\(.port)"] | join(" ")')" "fallback.example:5269"
	partner add tls.example >/dev/null 2>&1
	check_eq "XEP-0368 _xmpps-server SRV: its target's address, tls" \
		"$(of tls.example '"\(.addresses | join(" ")) \(.targets[0].host):\(.targets[0].port) \(.targets[0].tls)"')" \
		"203.0.113.7 xmpps.tls.example:5270 true"
	partner add none.example >/dev/null 2>&1
	check_eq "SRV target '.': no address" "$(of none.example '.addresses | length')" 0
	check_match "... and a warning" "$(of none.example .last_error)" "offers no server-to-server XMPP service"
	partner add alias.example >/dev/null 2>&1
	check_eq "a target that is a CNAME: the address it points to" \
		"$(of alias.example '.addresses | join(" ")')" "203.0.113.30"
	partner add mapped.example >/dev/null 2>&1
	check_eq "an IPv4-mapped AAAA record: the IPv4 address, as everywhere in edgefw" \
		"$(of mapped.example '.addresses | join(" ")')" "203.0.113.12"
	partner add nosuch.example >/dev/null 2>&1
	check_eq "NXDOMAIN: the domain is kept, with no address" \
		"$(of nosuch.example '.addresses | length')" 0
	check_match "... and says so" "$(of nosuch.example .last_error)" "NXDOMAIN"
	partner add many.example >/dev/null 2>&1
	check_eq "40 SRV targets: 32 resolved" "$(of many.example '.addresses | length')" 32
	check_match "... with a warning" "$(of many.example .last_error)" "more than 32 SRV targets"
	check_eq "... the first 32 by priority" \
		"$(of many.example '.addresses | map(select(. == "198.18.0.33")) | length')" 0
	check_eq "partner del --json many.example: what it removed" \
		"$(partner del --json many.example 2>/dev/null | jq -r .removed 2>&1)" many.example
	check "... its addresses leave the set" -- not_in_set 198.18.0.1
}

test_shared() {
	partner add one.example >/dev/null 2>&1
	partner add two.example >/dev/null 2>&1
	check "one.example and two.example share 203.0.113.20: in the set" -- in_set 203.0.113.20
	check "two.example's own 203.0.113.21 too" -- in_set 203.0.113.21
	check "partner del two.example" -- partner del two.example
	check "203.0.113.20 stays: one.example holds it" -- in_set 203.0.113.20
	check "203.0.113.21 goes: nobody else holds it" -- not_in_set 203.0.113.21
	expect_status_count "partner del of a domain sharing an address"
	edge "$EDGEFW" set add partners 203.0.113.20 >/dev/null 2>&1
	check "partner del one.example" -- partner del one.example
	check "203.0.113.20 stays: a static prefix holds it" -- in_set 203.0.113.20
	edge "$EDGEFW" set del partners 203.0.113.20 >/dev/null 2>&1
	check "set del of it: now it goes" -- not_in_set 203.0.113.20
	edge "$EDGEFW" set del partners "$TOPO_PARTNER4" >/dev/null 2>&1
	check "set del of a domain's address leaves it: partner.example holds it" -- \
		in_set "$TOPO_PARTNER4"
	expect_status_count "set del of a domain's address"
	local out
	edge "$EDGEFW" save >"$WORK/saved.conf" 2>/dev/null
	check_match "save: the domain as a domain item" "$(cat "$WORK/saved.conf")" \
		"	domain partner\.example"
	check "save: not its addresses, which DNS gives" -- \
		bash -c "! grep -q '$TOPO_PARTNER6' '$WORK/saved.conf'"
	check "save: 'edgefw check' accepts what it printed" -- \
		edge "$EDGEFW" check -c "$WORK/saved.conf"
	out=$(partner del nosuch-either.example 2>&1)
	check_match "partner del of an unknown domain: says so" "$out" "is no partner"
}

# Special-use domains: test. is asked of the config's resolver; those that
# never hold a partner say so in partner list instead of being empty.
test_special_use() {
	local out
	check "partner add partner.test (test., served by the config's resolver)" -- \
		partner add partner.test
	check_eq "partner.test: its SRV target's address, from Knot" \
		"$(of partner.test '"\(.addresses | join(" ")) \(.last_error)"')" "203.0.113.60 null"
	check "... in the set" -- in_set 203.0.113.60
	check "partner del partner.test" -- partner del partner.test
	out=$(partner add xmpp.onion 2>&1)
	check_match "partner add xmpp.onion: the resolution fails, and says so" "$out" \
		"partner xmpp\.onion .*special-use domain"
	check_match "... partner list says why" "$(of xmpp.onion .last_error)" \
		"under onion\., a special-use domain \(RFC 7686\) that is never resolved"
	check_eq "... counted as special_use" "$(of xmpp.onion .failures_by_cause.special_use)" 1
	partner del xmpp.onion >/dev/null 2>&1
	sed 's/^partners resolver 127\.0\.0\.1@53 /partners /' "$WORK/partners.conf" >"$WORK/noresolver.conf"
	check "reload with a config that names no resolver" -- \
		edge "$EDGEFW" reload -c "$WORK/noresolver.conf"
	out=$(partner add partner.test 2>&1)
	check_match "no resolver named: partner add partner.test fails, and says so" "$out" \
		"partner partner\.test .*special-use domain"
	check_match "... partner list says why, and what to do" "$(of partner.test .last_error)" \
		"under test\., a special-use domain \(RFC 6761\) the resolver answers itself .* 'partners resolver ADDR'"
	partner del partner.test >/dev/null 2>&1
	check "reload with the suite's config again" -- \
		edge "$EDGEFW" reload -c "$WORK/partners.conf"
}

test_dnssec() {
	check "signed.example, DNSSEC required: partner add" -- \
		partner add signed.example --secure
	check_eq "signed.example: secure, its address in the set" \
		"$(of signed.example '"\(.dnssec) \(.addresses | join(" ")) \(.require_secure)"')" \
		"secure 203.0.113.40 true"
	partner add bogus.example >/dev/null 2>&1
	check_eq "bogus.example (a broken signature): bogus, no address" \
		"$(of bogus.example '"\(.dnssec) \(.addresses | length)"')" "bogus 0"
	check_match "... the error says so" "$(of bogus.example .last_error)" "bogus DNSSEC answer"
	check "... and its records' address is not in the set" -- not_in_set 203.0.113.43
	check "alias.example again, now requiring DNSSEC: partner add --secure" -- \
		partner add alias.example --secure
	check_match "an insecure answer where DNSSEC is required: an error" \
		"$(of alias.example .last_error)" "not DNSSEC-secure"
	check "... and the set keeps what it had" -- in_set 203.0.113.30
}

test_daemon_refresh() {
	local t0
	start_daemon
	check "daemon: adopts what is loaded" -- wait_until 20 has_generation

	# a domain of the config: the daemon resolves it after SIGHUP
	sed -i 's/^set partners { }$/set partners { domain cfg.example }/' "$WORK/partners.conf"
	kill -HUP "$DAEMON_PID"
	check "daemon: a domain of the config, after SIGHUP, has its address in the set" -- \
		wait_until 10 in_set 203.0.113.50
	check_eq "... partner list says it is the config's" "$(of cfg.example .origin)" config
	check "... the domains added with partner add stay" -- in_set 203.0.113.40
	out=$(partner del cfg.example 2>&1)
	check_eq "partner del of a domain of the config: exit 2" "$?" 2
	check_match "... saying where to remove it" "$out" "in the config .*remove it there and reload"
	write_zone 2 203.0.113.9
	edge knotc -c "$WORK/knot.conf" zone-reload example >/dev/null 2>&1
	t0=$(now_ms)
	wait_until $((TTL + 2)) in_set 203.0.113.9
	tap_result $? "daemon: the new address of xmpp.partner.example is in the set within TTL + 2 s ($((($(now_ms) - t0))) ms)"
	check_eq "daemon: the old one is leaving, kept for the grace period" \
		"$(of partner.example '[.leaving[].address] | join(" ")')" "$TOPO_PARTNER4"
	check "... and still in the set" -- in_set "$TOPO_PARTNER4" ||
		tap_diag "now $(date -u +%T.%N)" "$(partner list partner.example 2>&1)" "$(set_members)"
	wait_until $((GRACE + TTL + 2)) not_in_set "$TOPO_PARTNER4"
	tap_result $? "daemon: it leaves the set once the grace period is over ($WAITED_MS ms)"
	expect_status_count "daemon: after its refreshes"

	local failures_before kept
	failures_before=$(of partner.example .failures)
	kill -TERM "$KNOT_PID"
	wait "$KNOT_PID" 2>/dev/null
	KNOT_PID=''
	out=$(partner refresh partner.example 2>&1)
	check_eq "DNS server stopped: partner refresh fails (exit 1)" "$?" 1
	check_match "... saying it kept the addresses" "$out" "addresses stay as they were"
	kept=$(of partner.example '.addresses | join(" ")')
	out=$(partner refresh --json partner.example 2>/dev/null)
	check_eq "partner refresh --json: exit 1, and the addresses it kept ($kept), with the error" \
		"$? $(jq -r '.partners[0] | "\(.addresses | join(" ")) \(.last_error != null)"' <<<"$out" 2>&1)" \
		"1 $kept true"
	failures_more() { [ "$(of partner.example .failures)" -gt "$((failures_before + 1))" ] 2>/dev/null; }
	check "daemon: its refreshes fail too, counted" -- wait_until 15 failures_more
	tap_diag "$(partner list partner.example 2>&1)"
	local prom
	prom=$(edge "$EDGEFW" stats --prometheus 2>&1)
	check_match "stats --prometheus: partner.example's failures by cause, timeout counted" \
		"$(grep '^edgefw_partner_resolve_failures_total{set="partners",domain="partner.example",cause="timeout"}' <<<"$prom")" ' [1-9][0-9]*$'
	check_eq "... the same count as partner list's failures_by_cause" \
		"$(grep '^edgefw_partner_resolve_failures_total{set="partners",domain="partner.example",cause="timeout"}' <<<"$prom" | awk '{ print $2 }')" \
		"$(of partner.example .failures_by_cause.timeout)"
	check_match "... its addresses" \
		"$(grep '^edgefw_partner_addresses{set="partners",domain="partner.example"}' <<<"$prom")" ' [1-9][0-9]*$'
	check_match "... its DNSSEC status" \
		"$(grep '^edgefw_partner_dnssec{set="partners",domain="partner.example",status="insecure"}' <<<"$prom")" ' 1$'
	check_match "... its last refresh" \
		"$(grep '^edgefw_partner_last_refresh_timestamp_seconds{set="partners",domain="partner.example"}' <<<"$prom")" ' 1[0-9]{9}$'
	check_eq "promtool check metrics accepts it" \
		"$(promtool check metrics <<<"$prom" 2>&1)" ""
	check "DNS server stopped: the partner's addresses stay in the set" -- \
		in_set 203.0.113.9
	check "... and it still connects" -- connects 203.0.113.9
	check "daemon: still alive" -- kill -0 "$DAEMON_PID"
}

# A partners.json that is not what edgefw writes is refused whole, naming
# the file and what is wrong where; the sets stay as they are.
test_corrupt_file() {
	local file=$EDGEFW_STATE_DIR/partners.json out rc
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=''
	cp "$file" "$WORK/partners.json.good"
	sed -i 's/"203\.0\.113\.9"/"203.0.113.9\/24"/' "$file"
	out=$(partner list 2>&1)
	rc=$?
	check_eq "a corrupt partners.json: partner list exits 1" "$rc" 1
	check_match "... naming the file and what is wrong where" "$out" \
		'partners\.json is corrupt .*\(partner\.example\): "addresses"\[0\]: host bits set'
	out=$(edge "$EDGEFW" reload 2>&1)
	check_eq "... reload refuses it (exit 1)" "$?" 1
	check_eq "... and the kernel's set is as it was" "$(kernel_says 203.0.113.9)" in
	out=$(edge "$EDGEFW" set list partners 2>&1)
	check_eq "... set list, which reads it, refuses too (exit 1)" "$?" 1
	check_match "... naming the file" "$out" 'partners\.json is corrupt'
	cp "$WORK/partners.json.good" "$file"
	check "the file restored: partner list works again" -- partner list
}

start_daemon() {
	nsenter --net="/run/netns/$(topology_ns "$PREFIX" edge)" \
		"$EDGEFW" daemon -c "$WORK/partners.conf" >>"$WORK/daemon.log" 2>&1 &
	DAEMON_PID=$!
}

# ---------------------------------------------------------------------------

require_traffic_tools nc jq socat knotd knotc kdig ldns-keygen ldns-signzone promtool
require_free_pin_directory
WORK=$(mktemp -d /tmp/edgefw-partners.XXXXXX) || tap_bail "no work directory"
topology_up "$PREFIX" || tap_bail "cannot build the namespaces"
write_zone 1 "$TOPO_PARTNER4"
write_test_zone
write_signed_zones || tap_bail "cannot sign the test zones"
write_config
start_knot || tap_bail "knotd did not answer: $(tail -5 "$WORK/knot.log")"
start_listener edge "TCP4-LISTEN:5269,bind=$TOPO_EDGE_EXT4"
start_listener edge "TCP6-LISTEN:5269,bind=[$TOPO_EDGE_EXT6],ipv6only=1"
wait_listening edge "$TOPO_EDGE_EXT4" 5269 || tap_bail "no listener"
start_listener inet "TCP4-LISTEN:5269,bind=203.0.113.9"
ip -n "$(topology_ns "$PREFIX" inet)" addr add 203.0.113.9/32 dev to-edge
check_load_or_bail "$WORK/partners.conf"

test_names
test_broken_library
test_srv_and_traffic
test_kinds
test_shared
test_special_use
test_dnssec
test_daemon_refresh
test_corrupt_file
tap_done
