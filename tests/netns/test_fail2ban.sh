#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fail2ban with edgefw's action (contrib/fail2ban/action.d/edgefw.conf),
# for real: Debian's fail2ban-server runs with a configuration directory
# of this suite's own (one jail, a filter of the log file the suite
# writes, its socket, pid file, database and log in the work directory;
# never /etc/fail2ban, never an iptables or nftables action), beside
# edgefw daemon in the namespaces of tests/lib/topology.sh.
#
# As root (fail2ban's usual): three failure lines of the stranger make
# fail2ban ban it; `edgefw block list` shows the block with the jail's
# bantime as its time left and root as its owner; the stranger's SYNs to
# 5269 drop as `blocked` (counted); `fail2ban-client set JAIL unbanip`
# removes the block and the stranger connects again. A jail with bantime
# -1 blocks with no time limit. fail2ban's stop lifts its blocks.
# As a member of group edgefw (a second fail2ban-server run by a user the
# suite creates, with the same action file): the action goes through the
# daemon's control socket; the block is the member's, its unban works; a
# ban edgefw refuses (a partner; a block root made by hand) fails the
# action with edgefw's reason in fail2ban's log, and root's block stays.
#
# Environment: as the other namespace suites (tests/lib/traffic.sh).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
ACTION=${EDGEFW_F2B_ACTION:-$top/contrib/fail2ban/action.d/edgefw.conf}
PREFIX=${EDGEFW_TEST_PREFIX:-efwf-$$-}
CONNECT_TIMEOUT=1
LISTENER_LIFETIME=900
WORK=''
F2B_RUNS=() # USER:DIR of each fail2ban-server started
MEMBER=efwf$$m
BANTIME=600
MEMBER_BANTIME=300

traffic_use_private_directories fail2ban

cleanup() {
	local run pid
	# fail2ban first: its stop unbans through edgefw, which must still be there
	for run in "${F2B_RUNS[@]}"; do
		pid=$(cat "${run#*:}/fail2ban.pid" 2>/dev/null)
		timeout 20 runuser -u "${run%%:*}" -- fail2ban-client -c "${run#*:}/conf" stop >/dev/null 2>&1
		[ -z "$pid" ] || wait_gone 10 "$pid" || kill -KILL "$pid" 2>/dev/null
	done
	kill_edge_daemon
	traffic_cleanup
	remove_users_and_group
	[ -z "$WORK" ] || rm -rf "$WORK"
}
run_cleanup_on_exit cleanup

wait_gone() { # SECONDS PID
	wait_for "$1" negate kill -0 "$2" 2>/dev/null
}

make_users() {
	make_group_edgefw
	make_user "$MEMBER" -G edgefw
}

write_edgefw_config() {
	cat >"$WORK/edgefw.conf" <<-EOF
		interface ext0 role external
		interface int0 role internal address $TOPO_EDGE_INT4
		set partners  { 203.0.113.0/24 }
		set frontends { 10.1.1.0/28 }
		rule s2s-in   external in  tcp 5269 to self
		rule s2s-out  external out tcp 5269 to partners
		rule gw-in    internal in  tcp 23456 from frontends to self
		policy external in  drop
		policy external out drop
		policy internal in  drop
		policy internal out pass
		control block ttl max 1h
	EOF
}

# write_f2b_config DIR: fail2ban's configuration in DIR, its files there
# too: the action under test, a filter of DIR/auth.log, two jails (one
# with bantime BANTIME, one with -1 for "forever" on DIR/forever.log)
write_f2b_config() { # DIR BANTIME
	local dir=$1 bantime=$2
	mkdir -p "$dir/conf/action.d" "$dir/conf/filter.d"
	cp "$ACTION" "$dir/conf/action.d/edgefw.conf"
	cat >"$dir/conf/fail2ban.conf" <<-EOF
		[Definition]
		loglevel = INFO
		logtarget = $dir/fail2ban.log
		syslogsocket = auto
		socket = $dir/fail2ban.sock
		pidfile = $dir/fail2ban.pid
		dbfile = $dir/fail2ban.sqlite3
		dbpurgeage = 1d
	EOF
	cat >"$dir/conf/filter.d/xmpp-s2s.conf" <<-'EOF'
		[Definition]
		failregex = ^s2s: authentication of a remote server failed from <HOST>$
		datepattern = {NONE}
	EOF
	cat >"$dir/conf/jail.conf" <<-EOF
		[DEFAULT]
		backend = polling
		filter = xmpp-s2s
		maxretry = 3
		findtime = 10m
		banaction = edgefw
		action = edgefw
		usedns = no

		[xmpp-s2s]
		enabled = true
		logpath = $dir/auth.log
		bantime = $bantime

		[xmpp-s2s-forever]
		enabled = true
		logpath = $dir/forever.log
		bantime = -1
	EOF
	: >"$dir/auth.log"
	: >"$dir/forever.log"
}

# start_f2b USER DIR: fail2ban-server in the foreground, as USER, in the
# edge namespace (beside the daemon), with edgefw on its PATH and the
# suite's directories
start_f2b() { # USER DIR
	local user=$1 dir=$2
	F2B_RUNS+=("$user:$dir")
	edge runuser -u "$user" -- env PATH="$(dirname "$EDGEFW"):$PATH" \
		EDGEFW_PIN_DIR="$EDGEFW_PIN_DIR" EDGEFW_RUN_DIR="$EDGEFW_RUN_DIR" \
		EDGEFW_STATE_DIR="$EDGEFW_STATE_DIR" \
		fail2ban-server -c "$dir/conf" -f -x >"$dir/server.out" 2>&1 &
}

f2b_client() { # USER DIR ARGS...
	local user=$1 dir=$2
	shift 2
	runuser -u "$user" -- fail2ban-client -c "$dir/conf" "$@"
}

f2b_ready() { # USER DIR
	f2b_client "$1" "$2" ping 2>/dev/null | grep -q pong
}

fail_lines() { # FILE ADDR N
	local i
	for ((i = 0; i < $3; i++)); do
		echo "s2s: authentication of a remote server failed from $2" >>"$1"
	done
}

root_blocks() { edge "$EDGEFW" block list --json 2>/dev/null; }

block_of() { # PREFIX: its entry in root's block list, or nothing
	root_blocks | jq -c --arg p "$1" '.blocks[] | select(.prefix == $p)'
}

blocked() { [ -n "$(block_of "$1")" ]; }

f2b_banned() { # USER DIR JAIL ADDR
	f2b_client "$1" "$2" get "$3" banned "$4" 2>/dev/null | grep -qx 1
}

f2b_log_has() { # DIR REGEX
	grep -Eq -- "$2" "$1/fail2ban.log"
}

stranger_connects() {
	try_connect inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" 5269
	[ "$CONNECT_RESULT" = connected ]
}

sock() { echo "$EDGEFW_RUN_DIR/control.sock"; }

socket_ready() {
	[ -S "$(sock)" ] && as "$MEMBER" "$EDGEFW" block list >/dev/null 2>&1
}

# ---------------------------------------------------------------------------

test_root() {
	local dir=$WORK/root entry left delta pid
	write_f2b_config "$dir" "$BANTIME"
	start_f2b root "$dir"
	check "fail2ban-server (root) answers on its own socket" -- wait_for 30 f2b_ready root "$dir" ||
		tap_bail "fail2ban did not start: $(tail -5 "$dir/server.out" "$dir/fail2ban.log" 2>&1)"
	check_match "its jails are the suite's" "$(f2b_client root "$dir" status)" \
		"Jail list:.*xmpp-s2s, xmpp-s2s-forever"
	check "before the ban, the stranger connects to 5269" -- stranger_connects

	fail_lines "$dir/auth.log" "$TOPO_STRANGER4" 2
	sleep 2
	check "two failures: not banned yet (maxretry 3)" -- negate blocked "$TOPO_STRANGER4"
	fail_lines "$dir/auth.log" "$TOPO_STRANGER4" 1
	check "the third failure: fail2ban bans the stranger" -- \
		wait_for 30 f2b_banned root "$dir" xmpp-s2s "$TOPO_STRANGER4"
	check "... and edgefw's block list has it" -- wait_for 10 blocked "$TOPO_STRANGER4"
	entry=$(block_of "$TOPO_STRANGER4")
	left=$(jq '.expires_in // -1' <<<"$entry")
	check "... with the bantime as its TTL ($left s of $BANTIME left)" -- \
		test "$left" -gt $((BANTIME - 30)) -a "$left" -le "$BANTIME"
	check_eq "... root's, with the jail in its reason" "$(jq -c '[.added_by, .reason]' <<<"$entry")" \
		'["root","fail2ban xmpp-s2s"]'
	check_match "edgefw's text list shows it" "$(edge "$EDGEFW" block list)" \
		"^$TOPO_STRANGER4 +(10m00s|9m[0-5][0-9]s) +[^ ]+ +root +fail2ban xmpp-s2s$"
	counters_before
	check "the stranger's connection to 5269 now fails" -- negate stranger_connects
	counters_after
	check_counter "its SYNs drop as blocked (counted)" moved ext0 in drop blocked
	delta=$(counter_delta ext0 in drop blocked)
	tap_diag "SYNs of the banned stranger dropped as blocked: $delta"

	check "fail2ban-client set xmpp-s2s unbanip" -- \
		f2b_client root "$dir" set xmpp-s2s unbanip "$TOPO_STRANGER4"
	check "... removes the block" -- wait_for 10 negate blocked "$TOPO_STRANGER4"
	check "... and the stranger connects again" -- stranger_connects
	check "fail2ban logged the ban and the unban" -- \
		f2b_log_has "$dir" "\[xmpp-s2s\] Unban $TOPO_STRANGER4"
	check "no action failed" -- negate f2b_log_has "$dir" "ERROR"

	fail_lines "$dir/forever.log" "$TOPO_STRANGER6" 3
	check "bantime -1: fail2ban bans an IPv6 stranger" -- \
		wait_for 30 f2b_banned root "$dir" xmpp-s2s-forever "$TOPO_STRANGER6"
	check "... blocked with no time limit" -- wait_for 10 eval \
		'[ "$(block_of "$TOPO_STRANGER6" | jq -c "[.expires_in, .reason]")" = "[null,\"fail2ban xmpp-s2s-forever\"]" ]'
	f2b_client root "$dir" set xmpp-s2s-forever unbanip "$TOPO_STRANGER6" >/dev/null
	check "... unbanned: gone" -- wait_for 10 negate blocked "$TOPO_STRANGER6"

	# fail2ban's stop lifts what it banned (actionunban for each ban)
	fail_lines "$dir/auth.log" "$TOPO_STRANGER4" 3
	check "banned again" -- wait_for 30 blocked "$TOPO_STRANGER4"
	pid=$(cat "$dir/fail2ban.pid")
	check "fail2ban-client stop" -- f2b_client root "$dir" stop
	check "... the server ends" -- wait_gone 20 "$pid"
	check "... and its stop lifted the block" -- negate blocked "$TOPO_STRANGER4"
}

test_member() {
	local dir=$WORK/member uid entry left
	uid=$(id -u "$MEMBER")
	mkdir -p "$dir"
	write_f2b_config "$dir" "$MEMBER_BANTIME"
	chown -R "$MEMBER" "$dir"
	start_f2b "$MEMBER" "$dir"
	check "fail2ban-server as a member of group edgefw answers" -- wait_for 30 f2b_ready "$MEMBER" "$dir" ||
		tap_bail "fail2ban did not start as $MEMBER: $(tail -5 "$dir/server.out" "$dir/fail2ban.log" 2>&1)"

	fail_lines "$dir/auth.log" "$TOPO_STRANGER4" 3
	check "member's fail2ban bans the stranger" -- \
		wait_for 30 f2b_banned "$MEMBER" "$dir" xmpp-s2s "$TOPO_STRANGER4"
	check "... through the control socket: edgefw blocks it" -- wait_for 10 blocked "$TOPO_STRANGER4"
	entry=$(block_of "$TOPO_STRANGER4")
	left=$(jq '.expires_in // -1' <<<"$entry")
	check "... with the member's bantime as its TTL ($left s of $MEMBER_BANTIME left)" -- \
		test "$left" -gt $((MEMBER_BANTIME - 30)) -a "$left" -le "$MEMBER_BANTIME"
	check_eq "... the member's block" "$(jq -c '[.added_by_uid, .reason]' <<<"$entry")" \
		"[$uid,\"fail2ban xmpp-s2s\"]"
	check_match "the daemon logged the member's change" "$(cat "$WORK/daemon.log")" \
		"control socket: uid $uid pid [0-9]+ \(group edgefw\): block add $TOPO_STRANGER4 ttl ${MEMBER_BANTIME}s"
	counters_before
	check "the stranger's connection to 5269 fails" -- negate stranger_connects
	counters_after
	check_counter "its SYNs drop as blocked" moved ext0 in drop blocked
	f2b_client "$MEMBER" "$dir" set xmpp-s2s unbanip "$TOPO_STRANGER4" >/dev/null
	check "member's unbanip removes the block" -- wait_for 10 negate blocked "$TOPO_STRANGER4"
	check "... and the stranger connects again" -- stranger_connects

	fail_lines "$dir/forever.log" "$TOPO_PARTNER4" 3
	check "member's fail2ban bans a partner" -- \
		wait_for 30 f2b_banned "$MEMBER" "$dir" xmpp-s2s-forever "$TOPO_PARTNER4"
	check "... which edgefw refuses: the action fails with edgefw's reason in fail2ban's log" -- \
		wait_for 10 f2b_log_has "$dir" "ERROR.*refusing to block $TOPO_PARTNER4: it covers 203\.0\.113\.0/24 \(partners\)"
	check "... and the partner is not blocked" -- negate blocked "$TOPO_PARTNER4"
	f2b_client "$MEMBER" "$dir" set xmpp-s2s-forever unbanip "$TOPO_PARTNER4" >/dev/null

	edge "$EDGEFW" block add 192.0.2.90 --reason "operator" >/dev/null 2>&1
	fail_lines "$dir/auth.log" 192.0.2.90 3
	check "member's fail2ban bans an address root blocked by hand" -- \
		wait_for 30 f2b_banned "$MEMBER" "$dir" xmpp-s2s 192.0.2.90
	check "... the action fails, naming root as the block's owner" -- \
		wait_for 10 f2b_log_has "$dir" "ERROR.*refusing to change 192\.0\.2\.90: root blocked it"
	f2b_client "$MEMBER" "$dir" set xmpp-s2s unbanip 192.0.2.90 >/dev/null
	check "... its unban fails too, named in fail2ban's log" -- \
		wait_for 10 f2b_log_has "$dir" "ERROR.*refusing to unblock 192\.0\.2\.90: root blocked it"
	check_eq "... and root's block stays as it was" \
		"$(block_of 192.0.2.90 | jq -c '[.expires_in, .added_by, .reason]')" '[null,"root","operator"]'
	edge "$EDGEFW" block del 192.0.2.90 >/dev/null 2>&1
}

main() {
	require_traffic_tools ip nsenter jq socat nc runuser useradd fail2ban-server fail2ban-client
	[ "$(id -u)" -eq 0 ] || tap_bail "run as root"
	require_free_pin_directory
	WORK=$(mktemp -d /tmp/edgefw-fail2ban.XXXXXX) || tap_bail "no work directory"
	chmod 0755 "$WORK"
	topology_up "$PREFIX" || tap_bail "cannot build the namespaces"
	make_users
	# the member reaches the socket
	open_run_dir_path
	write_edgefw_config
	start_listener edge "TCP4-LISTEN:5269,bind=$TOPO_EDGE_EXT4"
	wait_listening edge "$TOPO_EDGE_EXT4" 5269 || tap_bail "no listener"
	start_edge_daemon "$WORK/edgefw.conf"
	check "the daemon serves its control socket" -- wait_for 20 socket_ready ||
		tap_bail "no control socket: $(tail -5 "$WORK/daemon.log")"

	test_root
	test_member
	check "the daemon is alive" -- kill -0 "$DAEMON_PID"
	tap_done
}

main "$@"
