#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The daemon's control socket (issue 14): in the namespaces of
# tests/lib/topology.sh, edgefw daemon serves $EDGEFW_RUN_DIR/control.sock
# to root and group edgefw. A member of the group (a user this suite
# creates and removes) blocks, lists and unblocks with the edgefw CLI, and
# the block drops a stranger's real connection as 'blocked'; it cannot
# block a protected address (the front-end pool, a partner), exceed the
# config's TTL cap, use --force, or run other commands (load, set add,
# unload), by the CLI or by a request of its own. Each block records its
# owner: a member cannot unblock or change root's, but may unblock another
# member's; the members' limits follow set changes and reloads. A user
# outside the group is refused. Garbage, a 1 MB line and stalled clients get their errors
# while the daemon answers others; more clients than it serves are
# refused with the reason; 1,000 block requests in one burst all land or
# are refused with a reason. Every change is logged with uid and pid.
#
# Environment: as the other namespace suites (tests/lib/traffic.sh).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
PREFIX=${EDGEFW_TEST_PREFIX:-efwc-$$-}
CONNECT_TIMEOUT=1
LISTENER_LIFETIME=900
CLIENT=$top/tests/lib/control_client.py
WORK=''
MEMBER=efwc$$m
MEMBER2=efwc$$n
OUTSIDER=efwc$$o
BURST=1000

traffic_use_private_directories control

cleanup() {
	kill_edge_daemon
	traffic_cleanup
	remove_users_and_group
	[ -z "$WORK" ] || rm -rf "$WORK"
}
run_cleanup_on_exit cleanup

make_users() {
	make_group_edgefw
	make_user "$MEMBER" -G edgefw
	make_user "$MEMBER2" -G edgefw
	make_user "$OUTSIDER"
}

write_config() {
	cat >"$WORK/control.conf" <<-EOF
		interface ext0 role external
		interface int0 role internal address $TOPO_EDGE_INT4
		set partners  { 203.0.113.0/24, 2001:db8:77::/48 }
		set frontends { 10.1.1.0/28 }
		rule s2s-in   external in  tcp 5269 from partners to self
		rule open-in  external in  tcp 5270 to self
		rule s2s-out  external out tcp 5269 to partners
		rule gw-in    internal in  tcp 23456 from frontends to self
		policy external in  drop
		policy external out drop
		policy internal in  drop
		policy internal out pass
		control block ttl max 1h
	EOF
}

# sets OUT, ERR, RC
run_as() { # USER EDGEFW-ARGS...
	local user=$1
	shift
	OUT=$(as "$user" "$EDGEFW" "$@" 2>"$WORK/stderr")
	RC=$?
	ERR=$(cat "$WORK/stderr")
}

expect() { # DESCRIPTION STATUS STDERR-REGEX ("": nothing on stderr)
	local ok=0
	[ "$RC" -eq "$2" ] || ok=1
	if [ -z "$3" ]; then
		[ -z "$ERR" ] || ok=1
	else
		printf '%s' "$ERR" | grep -Eq -- "$3" || ok=1
	fi
	tap_result $ok "$1"
	[ $ok -eq 0 ] || tap_diag "exit $RC (want $2)" "stderr: $ERR" "stdout: $OUT"
}

root_blocks() {
	edge "$EDGEFW" block list --json 2>/dev/null
}

blocked() { # PREFIX
	root_blocks | jq -e --arg p "$1" 'any(.blocks[]; .prefix == $p)' >/dev/null
}

kernel_blocks() {
	bpftool -j map dump pinned "$EDGEFW_PIN_DIR/blocklist" 2>/dev/null | jq length 2>/dev/null
}

sock() { echo "$EDGEFW_RUN_DIR/control.sock"; }

socket_ready() {
	[ -S "$(sock)" ] && as "$MEMBER" "$EDGEFW" block list >/dev/null 2>&1
}

daemon_alive() { kill -0 "$DAEMON_PID" 2>/dev/null; }

stranger_connects() {
	try_connect inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" 5270
	[ "$CONNECT_RESULT" = connected ]
}

# ---------------------------------------------------------------------------

test_socket() {
	check "the socket comes up, a member is answered" -- wait_for 20 socket_ready ||
		tap_bail "no control socket: $(tail -5 "$WORK/daemon.log")"
	check_eq "the socket: root:edgefw 0660" "$(stat -c '%U:%G %a' "$(sock)")" "root:edgefw 660"
	check_eq "its directory: root:edgefw 0710" "$(stat -c '%U:%G %a' "$EDGEFW_RUN_DIR")" "root:edgefw 710"
	check_eq "edgefw's files there stay root's alone" "$(stat -c '%a' "$EDGEFW_RUN_DIR/state.json")" 600
	check_match "the log says whom it serves" "$(cat "$WORK/daemon.log")" \
		"serving the control socket .*control.sock to root and group edgefw"
}

test_member_blocks() {
	local json left uid
	check "before the block, the stranger connects to 5270" -- stranger_connects
	run_as "$MEMBER" block add "$TOPO_STRANGER4" --ttl 10m --reason "s2s abuse"
	expect "member: block add 192.0.2.66 --ttl 10m" 0 "^edgefw: blocked $TOPO_STRANGER4 for 10m00s \(s2s abuse\)$"
	check "root's block list has it" -- blocked "$TOPO_STRANGER4"
	check_eq "the kernel's blocklist has it" "$(kernel_blocks)" 1
	counters_before
	check "the stranger's connection now fails" -- negate stranger_connects
	counters_after
	check_counter "its SYNs drop as blocked" moved ext0 in drop blocked
	uid=$(id -u "$MEMBER")
	check_match "the log names the caller's uid and pid" "$(cat "$WORK/daemon.log")" \
		"control socket: uid $uid pid [0-9]+ \(group edgefw\): block add $TOPO_STRANGER4 ttl 600s: blocked $TOPO_STRANGER4 for 10m00s"

	run_as "$MEMBER" block list
	expect "member: block list" 0 ""
	check_match "member: block list prints the table" "$OUT" "^PREFIX +EXPIRES IN +ADDED +OWNER +REASON"
	check_match "member: block list shows the block, the member as its owner" "$OUT" \
		"$TOPO_STRANGER4 +(9m5[0-9]s|10m00s) +[^ ]+ +$MEMBER +s2s abuse"
	run_as "$MEMBER" block list --json
	json=$(printf '%s' "$OUT" | jq -c '[.blocks[] | {prefix, reason}]')
	check_eq "member: block list --json is root's" "$json" \
		"$(root_blocks | jq -c '[.blocks[] | {prefix, reason}]')"

	run_as "$MEMBER" block add 192.0.2.67
	expect "member: block add with no TTL" 0 "blocked 192.0.2.67 for 1h00m00s"
	left=$(root_blocks | jq '.blocks[] | select(.prefix == "192.0.2.67") | .expires_in')
	check "... gets the cap, 1h ($left s left)" -- test "$left" -gt 3500 -a "$left" -le 3600

	run_as "$MEMBER" status
	expect "member: status" 0 ""
	check_match "member: status shows the interfaces" "$OUT" "ext0 +external +xdp"
	run_as "$MEMBER" stats --json
	expect "member: stats --json" 0 ""
	check_eq "member: stats --json counts blocked as root's does" \
		"$(printf '%s' "$OUT" | jq '.interfaces[] | select(.name == "ext0") | .in.drop.blocked.packets')" \
		"$(edge "$EDGEFW" stats --json | jq '.interfaces[] | select(.name == "ext0") | .in.drop.blocked.packets')"

	run_as "$MEMBER" block del "$TOPO_STRANGER4"
	expect "member: block del" 0 "^edgefw: unblocked $TOPO_STRANGER4$"
	check "... gone from the list" -- negate blocked "$TOPO_STRANGER4"
	check "... and the stranger connects again" -- stranger_connects
	run_as "$MEMBER" block del 192.0.2.99
	expect "member: block del of what is not blocked" 1 "192.0.2.99 is not on the blocklist"
}

test_member_limits() {
	run_as "$MEMBER" block add 192.0.2.68 --ttl 2h
	expect "member: a TTL over the cap is refused" 2 \
		"refusing to block 192.0.2.68 for longer than 1h00m00s, the most the config allows here \(control block ttl max\)"
	check "... and not blocked" -- negate blocked 192.0.2.68
	run_as "$MEMBER" block add "$TOPO_FRONTEND4"
	expect "member: a front-end is refused" 2 \
		"refusing to block $TOPO_FRONTEND4: it covers 10.1.1.0/28 \(frontends\), which the internal side admits; only root may block it"
	run_as "$MEMBER" block add 10.1.0.0/16 --ttl 1m
	expect "member: a prefix covering the front-ends is refused" 2 "it covers 10.1.1.0/28 \(frontends\)"
	run_as "$MEMBER" block add "$TOPO_PARTNER4" --ttl 1m
	expect "member: a partner is refused" 2 \
		"refusing to block $TOPO_PARTNER4: it covers 203.0.113.0/24 \(partners\), which the external side admits: a partner; only root may block it"
	run_as "$MEMBER" block add 2001:db8:77::5 --ttl 1m
	expect "member: an IPv6 partner is refused" 2 "covers 2001:db8:77::/48 \(partners\)"
	run_as "$MEMBER" block add 192.0.2.69 --force
	expect "member: --force is refused" 2 "--force is root's alone"
	run_as "$MEMBER" block add 0.0.0.0/4 --ttl 1m
	expect "member: a huge prefix is refused" 2 "shorter than /8"
	check "none of them was blocked" -- negate blocked "$TOPO_PARTNER4"
	check_match "refusals are logged with the caller" "$(cat "$WORK/daemon.log")" \
		"uid $(id -u "$MEMBER") pid [0-9]+ \(group edgefw\): block add $TOPO_PARTNER4 ttl 60s: refused: refusing to block"

	run_as "$MEMBER" load -c "$WORK/control.conf"
	expect "member: load needs root" 1 "load needs root"
	run_as "$MEMBER" set add partners 198.51.100.0/24
	expect "member: set add needs root" 1 "set add needs root"
	run_as "$MEMBER" unload
	expect "member: unload needs root" 1 "unload needs root"
	OUT=$(as "$MEMBER" "$CLIENT" "$(sock)" send \
		'{"v":1,"cmd":"set add","name":"partners"}' \
		'{"v":1,"cmd":"unload"}' '{"v":1,"cmd":"load"}' 2>&1)
	check_eq "member: set add, unload, load asked of the socket itself are refused" \
		"$(printf '%s\n' "$OUT" | jq -r '"\(.ok) \(.exit) \(.error | test("is not served by the control socket"))"' | sort -u)" \
		"false 2 true"
	check_eq "the partners set did not change" "$(edge "$EDGEFW" set list partners --json | jq -c .prefixes)" \
		'["203.0.113.0/24","2001:db8:77::/48"]'
	check "edgefw is still loaded" -- edge "$EDGEFW" status

	# options the socket does not carry: refused, never ignored
	run_as "$MEMBER" stats --prometheus
	expect "member: stats --prometheus needs root" 2 "stats: --prometheus needs root"
	run_as "$MEMBER" stats --watch 1
	expect "member: stats --watch needs root" 2 "stats: --watch needs root"
	run_as "$MEMBER" partner list --set partners
	expect "member: partner list --set needs root" 2 "partner list: --set needs root"
	run_as "$MEMBER" partner list --json
	expect "member: partner list through the socket" 0 ""
	check_eq "member: partner list --json is JSON" "$(jq -r type <<<"$OUT" 2>/dev/null)" object
}

# Who added a block decides who may remove it: members may remove what
# members added, never root's.
test_owners() {
	local uid
	uid=$(id -u "$MEMBER")
	edge "$EDGEFW" block add 192.0.2.80 --reason "operator" >/dev/null 2>&1
	run_as "$MEMBER" block del 192.0.2.80
	expect "member: block del of root's block is refused, naming root" 2 \
		"^edgefw: refusing to unblock 192\.0\.2\.80: root blocked it \(no time limit\), and only root may unblock root's blocks$"
	check "... still blocked" -- blocked 192.0.2.80
	run_as "$MEMBER" block add 192.0.2.80 --ttl 1m
	expect "member: block add over root's block is refused" 2 \
		"refusing to change 192\.0\.2\.80: root blocked it \(no time limit\)"
	check_eq "... which keeps root's block as it was" \
		"$(root_blocks | jq -c '.blocks[] | select(.prefix == "192.0.2.80") | [.expires_in, .added_by, .reason]')" \
		'[null,"root","operator"]'
	check_match "the refusal is logged with the caller" "$(cat "$WORK/daemon.log")" \
		"uid $uid pid [0-9]+ \(group edgefw\): block del 192\.0\.2\.80: refused: refusing to unblock"

	run_as "$MEMBER" block add 192.0.2.81 --ttl 10m --reason "by a member"
	expect "member: block add 192.0.2.81" 0 "blocked 192.0.2.81"
	run_as "$MEMBER2" block list --json
	check_eq "block list --json: each block's owner (another member asking)" \
		"$(jq -c '[.blocks[] | select(.prefix | test("^192\\.0\\.2\\.8[01]$")) | [.prefix, .added_by, .added_by_uid]]' <<<"$OUT")" \
		"[[\"192.0.2.80\",\"root\",0],[\"192.0.2.81\",\"$MEMBER\",$uid]]"
	check "blocklist.json records the member's uid" -- jq -e \
		--argjson uid "$uid" '.version == 3 and any(.blocks[]; .prefix == "192.0.2.81" and .added_by == $uid)' \
		"$EDGEFW_STATE_DIR/blocklist.json"
	run_as "$MEMBER2" block del 192.0.2.81
	expect "another member may unblock what a member blocked" 0 "^edgefw: unblocked 192.0.2.81$"
	run_as "$MEMBER" block add 192.0.2.82 --ttl 10m
	RC=0 ERR=''
	OUT=$(edge "$EDGEFW" block add 192.0.2.82 --ttl 2h --reason "taken over" 2>&1) || RC=$?
	check_eq "root's block add over a member's block makes it root's" \
		"$(root_blocks | jq -r '.blocks[] | select(.prefix == "192.0.2.82") | .added_by')" root
	run_as "$MEMBER" block del 192.0.2.82
	expect "... which the member may then not unblock" 2 "refusing to unblock 192\.0\.2\.82: root blocked it"
	run_as "$MEMBER" block add 192.0.2.83 --ttl 10m
	check "root may unblock a member's block" -- edge "$EDGEFW" block del 192.0.2.83
	check "root may unblock its own" -- edge "$EDGEFW" block del 192.0.2.80
	check "root may unblock the one it took over" -- edge "$EDGEFW" block del 192.0.2.82
}

generation() { edge "$EDGEFW" status --json 2>/dev/null | jq -r '.generation // 0'; }
generation_above() { [ "$(generation)" -gt "$1" ]; }

# SIGHUP: the daemon reloads its config file; waits for the new generation
daemon_reloads() {
	local gen
	gen=$(generation)
	kill -HUP "$DAEMON_PID"
	wait_for 20 generation_above "$gen"
}

# The members' limits are read once per change of what is loaded and kept
# between requests: a change must reach the next request.
test_limits_follow_changes() {
	run_as "$MEMBER" block add 198.51.100.5 --ttl 1m
	expect "member: 198.51.100.5 is no partner yet: blocked" 0 "blocked 198.51.100.5"
	edge "$EDGEFW" block del 198.51.100.5 >/dev/null 2>&1
	edge "$EDGEFW" set add partners 198.51.100.0/24 >/dev/null 2>&1 ||
		tap_diag "set add partners 198.51.100.0/24 failed"
	run_as "$MEMBER" block add 198.51.100.5 --ttl 1m
	expect "member: after root's set add, the new partner is refused" 2 \
		"refusing to block 198\.51\.100\.5: it covers 198\.51\.100\.0/24 \(partners\)"
	edge "$EDGEFW" set del partners 198.51.100.0/24 >/dev/null 2>&1
	run_as "$MEMBER" block add 198.51.100.5 --ttl 1m
	expect "member: after set del, it may be blocked again" 0 "blocked 198.51.100.5"
	edge "$EDGEFW" block del 198.51.100.5 >/dev/null 2>&1
	sed -i 's/^control block ttl max 1h$/control block ttl max 30m/' "$WORK/control.conf"
	daemon_reloads || tap_diag "SIGHUP: no reload with ttl max 30m"
	run_as "$MEMBER" block add 192.0.2.84 --ttl 45m
	expect "member: after a reload with a 30m cap, 45m is refused" 2 "longer than 30m00s"
	sed -i 's/^control block ttl max 30m$/control block ttl max 1h/' "$WORK/control.conf"
	daemon_reloads || tap_diag "SIGHUP: no reload with ttl max 1h"
	run_as "$MEMBER" block add 192.0.2.84 --ttl 45m
	expect "member: after the reload back to 1h, 45m lands" 0 "blocked 192.0.2.84 for 45m00s"
	edge "$EDGEFW" block del 192.0.2.84 >/dev/null 2>&1
}

test_outsider() {
	run_as "$OUTSIDER" block list
	expect "outsider: refused, told about the group" 1 \
		"block list needs root, or membership of group edgefw to ask the edgefw daemon \(.*control.sock: Permission denied\)"
	run_as "$OUTSIDER" block add 192.0.2.70
	expect "outsider: block add refused" 1 "membership of group edgefw"
	check "... nothing blocked" -- negate blocked 192.0.2.70
	run_as "$OUTSIDER" status
	expect "outsider: status refused" 1 "status needs root, or membership of group edgefw"
	chmod 0666 "$(sock)"
	chmod 0711 "$EDGEFW_RUN_DIR"
	OUT=$(as "$OUTSIDER" "$CLIENT" "$(sock)" send '{"v":1,"cmd":"block list"}' 2>&1)
	chmod 0660 "$(sock)"
	chmod 0710 "$EDGEFW_RUN_DIR"
	check_match "outsider past a loosened socket: SO_PEERCRED refuses it" "$OUT" \
		"\"ok\":false.*refused: uid $(id -u "$OUTSIDER") is neither root nor a member of group edgefw"
}

test_no_daemon_message() {
	# after the suite: the daemon is gone
	run_as "$MEMBER" block list
	expect "member, daemon not running: says so" 1 \
		"block list needs root, or the edgefw daemon, which is not running"
}

test_bad_clients() {
	local out flag
	out=$("$CLIENT" "$(sock)" send 'hello' '{"v":1,"cmd":"block list","json":true}' '{"v":2,"cmd":"status"}' \
		'{"v":1,"cmd":"block add","addr":"192.0.2.71","ttl":"forever"}' '{"v":1,"cmd":"block add","addr":"nonsense"}' \
		'{"v":1,"cmd":"block list","colour":"red"}' '[1,2]' '{"v":1,"cmd":"block add","addr":"192.0.2.1"} trailing' \
		'{"v":1,"cmd":"block add","addr":"192.0.2.1","ttl":""}')
	check_match "garbage: an error response" "$(sed -n 1p <<<"$out")" \
		'^\{"v":1,"ok":false,"exit":2,.*"error":"a request is one JSON object on one line'
	check_match "... and the same connection is answered after it" "$(sed -n 2p <<<"$out")" '^\{"v":1,"ok":true,"exit":0,"stdout":"\{'
	check_match "another version: refused, naming ours" "$(sed -n 3p <<<"$out")" '"error":"a request needs \\"v\\": 1'
	check_match "a bad TTL: the CLI's message" "$(sed -n 4p <<<"$out")" "takes a duration such as 90s"
	check_match "a bad address: the CLI's message" "$(sed -n 5p <<<"$out")" '"exit":2,.*nonsense'
	check_match "an unknown field: refused" "$(sed -n 6p <<<"$out")" 'takes no field \\"colour\\"'
	check_match "a JSON array: refused" "$(sed -n 7p <<<"$out")" 'one JSON object, not array'
	check_match "trailing bytes: refused" "$(sed -n 8p <<<"$out")" '"ok":false,"exit":2,.*a request is one JSON object on one line'
	check_match "an empty TTL: the CLI's message" "$(sed -n 9p <<<"$out")" '"error":"edgefw block add: --ttl takes a duration such as 90s'
	check "... and nothing of it was blocked" -- negate blocked 192.0.2.1

	out=$("$CLIENT" "$(sock)" long $((1 << 20)))
	check_match "a 1 MB line: refused with the limit" "$out" \
		'"ok":false.*a request is one line of at most 65536 bytes'
	check "... and the daemon answers the next client" -- as "$MEMBER" "$EDGEFW" block list

	flag=$WORK/held
	rm -f "$flag"
	"$CLIENT" "$(sock)" hold 1 "$flag" >"$WORK/held1.out" &
	local held=$!
	wait_for 10 test -s "$flag"
	check "a stalled client connected: another is answered meanwhile" -- as "$MEMBER" "$EDGEFW" block list
	wait "$held"
	check_match "the stalled client is cut off (within 10 s)" "$(cat "$WORK/held1.out")" '"closed": 1'
	check_match "... logged" "$(cat "$WORK/daemon.log")" "took longer than 10 s; cut off"

	rm -f "$flag"
	"$CLIENT" "$(sock)" hold 32 "$flag" >"$WORK/held32.out" &
	held=$!
	wait_for 10 test -s "$flag"
	out=$("$CLIENT" "$(sock)" send '{"v":1,"cmd":"block list"}')
	check_match "32 clients stalled: the 33rd is refused with the reason" "$out" \
		'"ok":false.*serves 32 clients at once; try again'
	wait "$held"
	check_match "the 32 are cut off" "$(cat "$WORK/held32.out")" '"closed": 32'
	check "then clients are answered again" -- as "$MEMBER" "$EDGEFW" block list
	check "the daemon is alive" -- daemon_alive
}

test_burst() {
	local out ok refused other kernel listed t0 t1
	t0=$EPOCHREALTIME
	out=$(as "$MEMBER" "$CLIENT" "$(sock)" burst $BURST 100)
	t1=$EPOCHREALTIME
	ok=$(printf '%s\n' "$out" | jq -s '[.[] | select(.ok)] | length')
	refused=$(printf '%s\n' "$out" | jq -s '[.[] | select(.ok | not) | select(.error | test("longer than 1h00m00s"))] | length')
	other=$(printf '%s\n' "$out" | jq -s "length - $ok - $refused")
	tap_diag "a burst of $BURST block requests in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s: $ok landed, $refused refused (TTL over the cap)"
	check_eq "a burst of $BURST: a response to each" "$(printf '%s\n' "$out" | grep -c .)" $BURST
	check_eq "... 990 landed" "$ok" 990
	check_eq "... 10 refused with the reason (TTL over the cap)" "$refused" 10
	check_eq "... nothing else" "$other" 0
	listed=$(root_blocks | jq '[.blocks[] | select(.prefix | startswith("198.18."))] | length')
	check_eq "... all 990 are on the blocklist" "$listed" 990
	kernel=$(kernel_blocks)
	check "... and in the kernel's map ($kernel entries)" -- test "$kernel" -ge 990
	check "the daemon is alive" -- daemon_alive
}

main() {
	require_traffic_tools ip nsenter jq socat nc bpftool runuser useradd python3
	[ "$(id -u)" -eq 0 ] || tap_bail "run as root"
	require_free_pin_directory
	WORK=$(mktemp -d /tmp/edgefw-control.XXXXXX) || tap_bail "no work directory"
	chmod 0755 "$WORK"
	topology_up "$PREFIX" || tap_bail "cannot build the namespaces"
	make_users
	open_run_dir_path
	write_config
	start_listener edge "TCP4-LISTEN:5270,bind=$TOPO_EDGE_EXT4"
	wait_listening edge "$TOPO_EDGE_EXT4" 5270 || tap_bail "no listener"
	start_edge_daemon "$WORK/control.conf"

	test_socket
	test_member_blocks
	test_member_limits
	test_owners
	test_limits_follow_changes
	test_outsider
	test_bad_clients
	test_burst
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID"
	DAEMON_PID=''
	check "the daemon stopping removes the socket" -- negate test -e "$(sock)"
	test_no_daemon_message
	tap_diag "daemon log (last lines):" "$(grep -v 'burst' "$WORK/daemon.log" | tail -30 | sed 's/^/  /')"
	tap_done
}

main "$@"
