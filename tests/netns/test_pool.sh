#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The pool (issue 16): three edges, each the edge namespace of a topology
# of its own (tests/lib/topology.sh) with its own edgefw daemon and its
# own pin, runtime and state directories, share one blocklist through a
# real three-member etcd cluster (Debian's etcd-server) that the suite
# starts in a namespace of its own. Each edge reaches it over a veth
# (pool0) that its config does not name, so edgefw never filters it.
#
#   <P>1-edge pool0 10.250.0.11 --+
#   <P>2-edge pool0 10.250.0.12 --+-- br0 in <P>etcd: members 10.250.0.1-3
#   <P>3-edge pool0 10.250.0.13 --+
#
# A libcurl that cannot be loaded fails block add, set add and the
# daemon's start naming it, with nothing changed here or in etcd.
# A block added on edge 1 drops a stranger's SYN at edges 2 and 3 (their
# attached programs count it as blocked) within 1 s; its TTL runs out
# everywhere; set add and set del, partner add and partner del, and a
# block request on the control socket spread too; an edge whose daemon was
# stopped while blocks changed catches up, removals included; one etcd member killed goes unnoticed;
# all of etcd stopped (ETCD_DOWN_S, 30 s): the edges say they are
# degraded, blocks added on two edges apply there at once and are queued,
# and once etcd is back every edge ends with the same list; a key under
# the prefix that is not edgefw's, and a block naming an invalid prefix,
# are logged and ignored while the others apply; two edges racing on one
# block end, with the third, as etcd holds it; an edge cut off from
# etcd without a word (a partition) notices, and converges once healed
# with nothing lost or resurrected. Every wait is bounded.
#
# Environment: as the other namespace suites (tests/lib/traffic.sh).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh
# shellcheck source=tests/lib/pool.sh
. tests/lib/pool.sh
# shellcheck source=tests/lib/brokenlib.sh
. tests/lib/brokenlib.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
P=${EDGEFW_TEST_PREFIX:-efwp-$$-}
ETCD_DOWN_S=${ETCD_DOWN_S:-30}
STRANGER=$TOPO_STRANGER4
WORK=''

traffic_use_private_directories pool
PIN_BASE=$EDGEFW_PIN_DIR

cleanup() {
	trap - EXIT INT TERM HUP
	pool_stop_all
	rm -rf "${TRAFFIC_OWN_DIRS[@]}"
	[ -z "$WORK" ] || rm -rf "$WORK"
}
run_cleanup_on_exit cleanup

# ---------------------------------------------------------------------------
# etcd

# ---------------------------------------------------------------------------
# edges

pool_degraded() { # N
	[ "$(pool_field "$1" degraded)" = true ]
}

# The prefixes of edge N's blocklist, sorted, on one line.
blocks_of() { # N
	efw "$1" block list --json 2>/dev/null |
		jq -r '.blocks[].prefix' 2>/dev/null | sort | tr '\n' ' '
}

blocks_are() { # N "PREFIX PREFIX ... " (sorted, each followed by a space)
	[ "$(blocks_of "$1")" = "$2" ]
}

all_blocks_are() { # LIST
	blocks_are 1 "$1" && blocks_are 2 "$1" && blocks_are 3 "$1"
}

# The packets edge N's ext0 dropped as blocked so far.
blocked_count() { # N
	efw "$1" stats --json 2>/dev/null |
		jq -r '.interfaces[] | select(.name == "ext0") | .in.drop.blocked.packets' 2>/dev/null
}

policy_count() { # N
	efw "$1" stats --json 2>/dev/null |
		jq -r '.interfaces[] | select(.name == "ext0") | .in.drop.policy.packets' 2>/dev/null
}

# One SYN from the stranger to edge N's 5269: nc gives up after 0.2 s,
# before the kernel would send it again.
syn_from_stranger() { # N
	in_ns "$P$1-" inet timeout 0.2 nc -z -s "$STRANGER" \
		"$TOPO_EDGE_EXT4" 5269 >/dev/null 2>&1
}

# A SYN sent, and edge N's program counted it as blocked.
BLOCKED_BEFORE=(0 0 0 0)
syn_blocked() { # N
	local now
	syn_from_stranger "$1"
	now=$(blocked_count "$1")
	[[ "$now" =~ ^[0-9]+$ ]] && [ "$now" -gt "${BLOCKED_BEFORE[$1]}" ]
}

syn_not_blocked() { # N: a SYN counted as policy, and blocked did not move
	local b p0 p1
	b=$(blocked_count "$1")
	p0=$(policy_count "$1")
	syn_from_stranger "$1"
	p1=$(policy_count "$1")
	[ "$p1" -gt "$p0" ] 2>/dev/null && [ "$(blocked_count "$1")" = "$b" ]
}

both_blocked() {
	syn_blocked 2 && syn_blocked 3
}

log_has() { # N TEXT
	grep -qF -- "$2" "$WORK/e$1/daemon.log"
}

# ---------------------------------------------------------------------------

setup() {
	local n rc
	require_traffic_tools nc jq nsenter timeout
	{ command -v etcd && command -v etcdctl; } >/dev/null ||
		tap_bail "needs etcd and etcdctl (etcd-server etcd-client): run scripts/install-deps.sh"
	for n in 1 2 3; do
		[ ! -e "$PIN_BASE-e$n" ] ||
			tap_bail "$PIN_BASE-e$n exists: another edgefw uses it"
	done
	WORK=$(mktemp -d /tmp/edgefw-pool.XXXXXX) || tap_bail "mktemp"
	for n in 1 2 3; do
		mkdir -p "$WORK/e$n/run" "$WORK/e$n/state"
		topology_up "$P$n-" || tap_bail "cannot build topology $n"
	done
	# not in check's subshell: the members' pids are kept here
	cluster_up
	rc=$?
	tap_result $rc "a three-member etcd cluster answers"
	[ $rc -eq 0 ] ||
		tap_bail "etcd did not start: $(tail -n 5 "$WORK/etcd/m0.log")"
	pool_start_edges || tap_bail "$POOL_ERROR"
	for n in 1 2 3; do
		wait_until 20 pool_ready "$n"
		tap_result $? "edge $n: the daemon loaded and follows the pool (status: revision, not degraded)"
	done
	check_match "status shows the pool" "$(efw 1 status 2>/dev/null)" \
		"^pool: etcd http://${MEMBERS[0]}:2379, http://${MEMBERS[1]}:2379, http://${MEMBERS[2]}:2379 prefix $POOL_PREFIX"
	check_match "status: the revision applied, not degraded, nothing queued" \
		"$(efw 1 status 2>/dev/null)" "^  revision [1-9][0-9]* applied, degraded no, 0 changes queued"
}

etcd_revision() {
	etcdctl_ get / -w json 2>/dev/null | jq -r '.header.revision'
}

# edge N's edgefw with a libcurl.so.4 that has none of libcurl's functions
efw_nocurl() { # N ARGS...
	local n=$1
	shift
	# shellcheck disable=SC2046 # one word per variable
	in_ns "$P$n-" edge env $(edge_env "$n") \
		LD_LIBRARY_PATH="$WORK/brokenlib" "$EDGEFW" "$@"
}

# What edge N's kernel blocklist holds (its pinned map), or "unreadable".
kernel_blocklist() { # N
	bpftool -j map dump pinned "$PIN_BASE-e$1/blocklist" 2>/dev/null |
		jq -c . 2>/dev/null | grep . || echo unreadable
}

# edge 1's blocklist.json, its kernel blocklist, etcd's revision and the
# pool's queue, on one line each
pool_snapshot() {
	if [ -e "$WORK/e1/state/blocklist.json" ]; then
		sha256sum <"$WORK/e1/state/blocklist.json"
	else
		echo "no blocklist.json"
	fi
	kernel_blocklist 1
	etcd_revision
	echo "queued $(pool_field 1 queued)"
}

# libcurl is opened when the pool is first reached (user/dynlib.h): one
# that cannot be loaded is an error naming it and what it lacks, and the
# command changes nothing, here or in etcd; the daemon does not start.
test_broken_libcurl() {
	local before out rc want conf_line
	want="cannot load libcurl.so.4: it has no curl_global_init"
	broken_library "$WORK/brokenlib" libcurl.so.4
	before=$(pool_snapshot)
	[[ "$before" != *unreadable* && "$(sed -n 3p <<<"$before")" =~ ^[0-9]+$ ]]
	tap_result $? "before: edge 1's kernel blocklist dumps, etcd's revision reads"
	BLOCKED_BEFORE[1]=$(blocked_count 1)
	out=$(efw_nocurl 1 block add "$STRANGER" --reason "no libcurl" 2>&1 >/dev/null)
	rc=$?
	check_eq "libcurl without its functions: block add exits 1" "$rc" 1
	check_match "  ...naming the pool, the library and what it lacks" "$out" \
		"pool: cannot write to etcd at http://${MEMBERS[0]}:2379, .*: $want; nothing was changed"
	check_eq "  ...and says nothing of a block made" \
		"$(grep -c blocked <<<"$out")" 0
	check_eq "  ...blocklist.json, kernel blocklist, etcd and the queue unchanged" \
		"$(pool_snapshot)" "$before"
	syn_not_blocked 1
	tap_result $? "  ...edge 1 drops the stranger's SYN by policy, not as blocked"
	out=$(efw_nocurl 1 set add partners 198.51.100.78 2>&1 >/dev/null)
	rc=$?
	check_eq "set add without libcurl: exits 1" "$rc" 1
	check_match "  ...saying why" "$out" "$want; nothing was changed"
	check "  ...and the set and the kernel lack the address" -- \
		set_lacks 1 198.51.100.78
	check_eq "  ...etcd unchanged" "$(pool_snapshot)" "$before"
	daemon_stop 3
	conf_line=$(grep -n '^pool ' "$WORK/edge.conf" | cut -d: -f1)
	# shellcheck disable=SC2046 # one word per variable
	out=$(in_ns "${P}3-" edge env $(edge_env 3) LD_LIBRARY_PATH="$WORK/brokenlib" \
		timeout 20 "$EDGEFW" daemon -c "$WORK/edge.conf" 2>&1)
	rc=$?
	check_eq "a daemon without libcurl: exits 1" "$rc" 1
	check_match "  ...naming the pool statement (FILE:LINE:COL) and the library" \
		"$out" "$WORK/edge.conf:$conf_line:[0-9]+: pool: cannot reach etcd: $want"
	daemon_start 3
	wait_until 20 pool_ready 3
	tap_result $? "edge 3's daemon, with libcurl, follows the pool again"
	BLOCKED_BEFORE[2]=$(blocked_count 2)
	BLOCKED_BEFORE[3]=$(blocked_count 3)
	check "with libcurl: block add $STRANGER on edge 1" -- \
		efw 1 block add "$STRANGER" --reason "with libcurl"
	check_eq "  ...one write in etcd" "$(etcd_revision)" \
		$(($(sed -n 3p <<<"$before") + 1))
	wait_until 5 both_blocked
	tap_result $? "  ...edges 2 and 3 count the stranger's SYN as blocked"
	check "block del $STRANGER" -- efw 1 block del "$STRANGER"
	wait_until 5 all_blocks_are ""
	tap_result $? "  ...no edge lists it"
}

test_block_spreads() {
	local n rev0
	for n in 2 3; do
		BLOCKED_BEFORE[n]=$(blocked_count "$n")
		syn_not_blocked "$n"
		tap_result $? "edge $n: the stranger's SYN is a policy drop before the block"
	done
	rev0=$(etcd_revision)
	check "edge 1: block add $STRANGER --ttl 6s" -- \
		efw 1 block add "$STRANGER" --ttl 6s --reason "pool test"
	WAIT_FROM_MS=$(now_ms)
	wait_until 5 both_blocked
	local rc=$? ms=$WAITED_MS
	tap_diag "the block was counted at edges 2 and 3 $ms ms after block add returned on edge 1"
	tap_result $rc "edges 2 and 3 count the stranger's SYN as blocked"
	[ $rc -eq 0 ] && [ "$ms" -le 1000 ]
	tap_result $? "... within 1 s of the block on edge 1 ($ms ms)"
	sleep 1
	check_eq "one write in etcd: the edges that applied it wrote nothing back" \
		"$(etcd_revision)" $((rev0 + 1))
	check_eq "etcd holds the block with a lease" \
		"$(etcdctl_ get "$POOL_PREFIX/block/$STRANGER/32" -w json 2>/dev/null |
			jq -r '.kvs[0].lease | if . and . != 0 then 1 else 0 end' 2>/dev/null)" 1
	wait_until 15 all_blocks_are ""
	tap_result $? "the TTL ran out: no edge lists the block ($WAITED_MS ms after)"
	# etcd runs leases out on its own clock, a little after the edges
	wait_until 5 etcd_blocks_are 0
	tap_result $? "etcd no longer holds it (its lease ran out)"
	for n in 2 3; do
		syn_not_blocked "$n"
		tap_result $? "edge $n: the stranger's SYN is a policy drop again"
	done
}

test_restart_catches_up() {
	check "edge 1: block add 192.0.2.101" -- efw 1 block add 192.0.2.101
	wait_until 5 all_blocks_are "192.0.2.101 "
	tap_result $? "every edge lists 192.0.2.101"
	daemon_stop 3
	check "edge 2: block add 192.0.2.102 while edge 3's daemon is stopped" -- \
		efw 2 block add 192.0.2.102
	check "edge 1: block del 192.0.2.101" -- efw 1 block del 192.0.2.101
	wait_until 5 blocks_are 1 "192.0.2.102 "
	tap_result $? "edges 1 and 2 follow"
	check_eq "edge 3 still has what it had" "192.0.2.101 " "$(blocks_of 3)"
	daemon_start 3
	wait_until 20 blocks_are 3 "192.0.2.102 "
	tap_result $? "edge 3, started again, catches up: the block added while it was down is there, the one removed is gone ($WAITED_MS ms)"
}

test_member_killed() {
	local deg=0 n
	member_stop 0 KILL
	check "edge 2: block add 192.0.2.103 with member 1 killed" -- \
		efw 2 block add 192.0.2.103
	wait_until 10 all_blocks_are "192.0.2.102 192.0.2.103 "
	tap_result $? "every edge has it ($WAITED_MS ms)"
	for n in 1 2 3; do
		pool_degraded "$n" && deg=1
		log_has "$n" "degraded" && deg=1
	done
	tap_result $deg "no edge was ever degraded"
	member_start 0 existing
	wait_until 30 cluster_healthy
	tap_result $? "the member rejoins"
}

test_etcd_down() {
	local i n t0
	for i in 0 1 2; do
		member_stop "$i" TERM
	done
	t0=$(now_ms)
	# a daemon notices when its watch ends; the CLI when it writes
	check "edge 1: block add 192.0.2.104 while etcd is down" -- \
		efw 1 block add 192.0.2.104
	check "edge 2: block add 192.0.2.105 while etcd is down" -- \
		efw 2 block add 192.0.2.105
	check_eq "edge 1 applied its block at once" "$(blocks_of 1)" \
		"192.0.2.102 192.0.2.103 192.0.2.104 "
	check_eq "edge 1 queued 1 change" "$(pool_field 1 queued)" 1
	for n in 1 2 3; do
		wait_until 10 pool_degraded "$n"
		tap_result $? "edge $n: status says degraded"
	done
	check_match "stats --prometheus (as /metrics) says edgefw_pool_degraded 1" \
		"$(efw 1 stats --prometheus 2>/dev/null)" '^edgefw_pool_degraded 1$'
	check "edge 3 keeps what it has" -- \
		blocks_are 3 "192.0.2.102 192.0.2.103 "
	# the rest of the outage, bounded
	while [ $(($(now_ms) - t0)) -lt $((ETCD_DOWN_S * 1000)) ]; do
		sleep 1
	done
	for i in 0 1 2; do
		member_start "$i" existing
	done
	wait_until 30 cluster_healthy
	tap_result $? "etcd is back after $ETCD_DOWN_S s"
	wait_until 20 all_blocks_are "192.0.2.102 192.0.2.103 192.0.2.104 192.0.2.105 "
	tap_result $? "every edge ends with the same list, both edges' blocks in it ($WAITED_MS ms)"
	for n in 1 2 3; do
		wait_until 10 pool_ready "$n"
		tap_result $? "edge $n: no longer degraded, nothing queued"
	done
	check_eq "edge 1's queue is empty" "$(pool_field 1 queued)" 0
	check_match "stats --prometheus says edgefw_pool_degraded 0 and the revision" \
		"$(efw 1 stats --prometheus 2>/dev/null)" '^edgefw_pool_revision [1-9][0-9]*$'
	check_match "... and edgefw_pool_degraded 0" \
		"$(efw 1 stats --prometheus 2>/dev/null)" '^edgefw_pool_degraded 0$'
}

test_bad_input() {
	check "a key under the prefix that is no edgefw key" -- \
		etcdctl_ put "$POOL_PREFIX/nonsense/x" '{}'
	check "a block key naming an invalid prefix (host bits set)" -- \
		etcdctl_ put "$POOL_PREFIX/block/10.9.9.9/8" '{"added_at": 1, "reason": "x"}'
	check "a block whose value is not JSON" -- \
		etcdctl_ put "$POOL_PREFIX/block/10.7.0.0/16" 'not json'
	check "edge 3: block add 192.0.2.106" -- efw 3 block add 192.0.2.106
	wait_until 10 all_blocks_are "192.0.2.102 192.0.2.103 192.0.2.104 192.0.2.105 192.0.2.106 "
	tap_result $? "the valid block applies everywhere, the others nowhere"
	local n ok
	for n in 1 2 3; do
		ok=1
		log_has "$n" "nonsense/x" && log_has "$n" "10.9.9.9/8" &&
			log_has "$n" "10.7.0.0/16" && ok=0
		tap_result $ok "edge $n logged the three refused keys"
		daemon_alive=0
		kill -0 "${DAEMON_PID[n]}" 2>/dev/null || daemon_alive=1
		tap_result $daemon_alive "edge $n's daemon runs on"
	done
}

# Edges 1 and 2 add and delete one block at once, 10 times each: every
# edge ends as etcd does (the last write in its order wins everywhere).
RACE_BASE="192.0.2.102 192.0.2.103 192.0.2.104 192.0.2.105 192.0.2.106 "
race_expected() {
	if [ -n "$(etcdctl_ get --keys-only "$POOL_PREFIX/block/192.0.2.130/32" 2>/dev/null)" ]; then
		echo "192.0.2.102 192.0.2.103 192.0.2.104 192.0.2.105 192.0.2.106 192.0.2.130 "
	else
		echo "$RACE_BASE"
	fi
}

all_as_etcd() {
	all_blocks_are "$(race_expected)"
}

flip() { # N LAST (add or del: what it does last)
	local i
	for i in $(seq 10); do
		efw "$1" block add 192.0.2.130 >/dev/null 2>&1
		efw "$1" block del 192.0.2.130 >/dev/null 2>&1
	done
	[ "$2" = del ] || efw "$1" block add 192.0.2.130 >/dev/null 2>&1
}

test_last_write_wins() {
	local p1 p2
	flip 1 add &
	p1=$!
	flip 2 del &
	p2=$!
	wait "$p1" "$p2"
	wait_until 10 all_as_etcd
	tap_result $? "edges 1 and 2 racing on one block: every edge ends as etcd holds it ($(race_expected | wc -w) blocks)"
	efw 1 block add 192.0.2.130 >/dev/null 2>&1
	efw 1 block del 192.0.2.130 >/dev/null 2>&1
	wait_until 10 all_blocks_are "$RACE_BASE"
	tap_result $? "... and without it once edge 1 removes it"
}

# Edge 3's path to etcd goes silent (its bridge port down: no reset, no
# answer), while edge 1 adds a block with a short TTL, adds another and
# removes a third, and etcd compacts its history past where edge 3's
# watch would resume; healed, edge 3 reads the pool whole and converges,
# and the block whose TTL ran out meanwhile never shows there.
SEEN_107=0
edge3_converged() {
	local l
	l=$(blocks_of 3)
	[[ "$l" == *192.0.2.107* ]] && SEEN_107=1
	[ "$l" = "192.0.2.102 192.0.2.104 192.0.2.105 192.0.2.106 192.0.2.108 " ]
}

test_partition() {
	local t0
	check "edge 3 cut off from etcd (its bridge port down)" -- \
		in_etcd ip link set e3 down
	t0=$(now_ms)
	check "edge 1: block add 192.0.2.107 --ttl 3s" -- \
		efw 1 block add 192.0.2.107 --ttl 3s
	check "edge 1: block add 192.0.2.108" -- efw 1 block add 192.0.2.108
	check "edge 1: block del 192.0.2.103" -- efw 1 block del 192.0.2.103
	# what edge 3 would resume its watch from goes: it reads the pool whole
	check "etcd compacted to its latest revision meanwhile" -- \
		etcdctl_ compact "$(etcd_revision)"
	wait_until 20 pool_degraded 3
	tap_result $? "edge 3 finds its watch dead and says degraded ($WAITED_MS ms)"
	check_eq "edge 3 keeps what it had" "$(blocks_of 3)" \
		"192.0.2.102 192.0.2.103 192.0.2.104 192.0.2.105 192.0.2.106 "
	while [ $(($(now_ms) - t0)) -lt 4000 ]; do
		sleep 0.2
	done
	check "the partition heals" -- in_etcd ip link set e3 up
	wait_until 30 edge3_converged
	tap_result $? "edge 3 converges: the new block there, the removed one gone ($WAITED_MS ms)"
	check_eq "the block whose TTL ran out during the partition never showed on edge 3" \
		"$SEEN_107" 0
	check "edge 3 found its revision compacted away and read the pool whole" -- \
		log_has 3 "was compacted away"
	wait_until 15 pool_ready 3
	tap_result $? "edge 3 is no longer degraded"
}

etcd_blocks_are() { # N
	[ "$(etcdctl_ get --prefix "$POOL_PREFIX/block/" --keys-only 2>/dev/null | grep -c .)" = "$1" ]
}

# What edge N's kernel maps answer for ADDR in partners: "in" or "out"
# (tests/cli/setprobe.c runs the data plane's own lookups).
kernel_says() { # N ADDR
	# shellcheck disable=SC2046 # one word per variable
	in_ns "$P$1-" edge env $(edge_env "$1") \
		"$(dirname "$EDGEFW")/tests/cli/setprobe" partners "$2" 2>/dev/null |
		awk '{ print $2 }'
}

# set list names the address, and the kernel has it
set_has() { # N ADDR
	efw "$1" set list partners 2>/dev/null | grep -qx "$2" &&
		[ "$(kernel_says "$1" "$2")" = in ]
}

set_lacks() { # N ADDR
	efw "$1" set list partners >/dev/null 2>&1 &&
		! efw "$1" set list partners 2>/dev/null | grep -qx "$2" &&
		[ "$(kernel_says "$1" "$2")" = out ]
}

# set add on one edge, set del on another: both reach every edge.
test_set_spreads() {
	check "edge 1: set add partners 198.51.100.77" -- \
		efw 1 set add partners 198.51.100.77
	wait_until 5 set_has 2 198.51.100.77 && wait_until 5 set_has 3 198.51.100.77
	tap_result $? "edges 2 and 3 have it in set partners"
	check "edge 2: set del partners 198.51.100.77" -- \
		efw 2 set del partners 198.51.100.77
	wait_until 5 set_lacks 1 198.51.100.77 && wait_until 5 set_lacks 3 198.51.100.77
	tap_result $? "edges 1 and 3 no longer have it"
	check_eq "etcd holds the set's change as a del" \
		"$(etcdctl_ get --print-value-only "$POOL_PREFIX/set/partners/198.51.100.77/32" 2>/dev/null | jq -r .op 2>/dev/null)" del
}

partner_on() { # N DOMAIN
	efw "$1" partner list --json 2>/dev/null |
		jq -e --arg d "$2" '.partners[] | select(.domain == $d and .set == "partners")' >/dev/null 2>&1
}

partner_off() { # N DOMAIN
	efw "$1" partner list --json >/dev/null 2>&1 && ! partner_on "$1" "$2"
}

# partner add on one edge, partner del on another. xmpp.onion is a
# special-use domain, never resolved (RFC 7686): no DNS is needed, and the
# partner is kept with its error.
test_partner_spreads() {
	efw 1 partner add xmpp.onion >/dev/null 2>&1
	check "edge 1: partner add xmpp.onion (kept, unresolved)" -- partner_on 1 xmpp.onion
	wait_until 10 partner_on 2 xmpp.onion && wait_until 10 partner_on 3 xmpp.onion
	tap_result $? "edges 2 and 3 have partner xmpp.onion in set partners"
	check "edge 2: partner del xmpp.onion" -- efw 2 partner del xmpp.onion
	wait_until 10 partner_off 1 xmpp.onion && wait_until 10 partner_off 3 xmpp.onion
	tap_result $? "edges 1 and 3 no longer have it"
	check_eq "etcd no longer holds its key" \
		"$(etcdctl_ get --keys-only --prefix "$POOL_PREFIX/partner/" 2>/dev/null | grep -c .)" 0
}

# The stanza proxy's way: a request on edge 2's control socket, which the
# daemon runs as the CLI would, writes to etcd too.
test_control_socket() {
	local out
	out=$(python3 tests/lib/control_client.py "$WORK/e2/run/control.sock" send \
		'{"v": 1, "cmd": "block add", "addr": "192.0.2.120", "ttl": 4}' 2>&1)
	check_match "edge 2's control socket: block add 192.0.2.120 answered ok" \
		"$out" '"ok": ?true'
	wait_until 5 blocks_are 1 "192.0.2.120 " && wait_until 5 blocks_are 3 "192.0.2.120 "
	tap_result $? "edges 1 and 3 have it ($WAITED_MS ms)"
	wait_until 10 all_blocks_are ""
	tap_result $? "its TTL runs out everywhere"
}

setup
has_block() { # N PREFIX
	[[ " $(blocks_of "$1")" == *" $2 "* ]]
}

lacks_block() { # N PREFIX
	! has_block "$@"
}

# 'edgefw reload' by the CLI (no SIGHUP): the daemon follows the pool
# statement of the config now loaded, gone and back.
test_cli_reload_follows() {
	grep -v '^pool ' "$WORK/edge.conf" >"$WORK/nopool.conf"
	check "edge 3: edgefw reload -c a config without the pool" -- \
		efw 3 reload -c "$WORK/nopool.conf"
	check_eq "edge 3: status shows no pool" "$(pool_field 3 revision)" null
	wait_until 5 log_has 3 "the loaded config changed"
	tap_result $? "edge 3's daemon saw the reload"
	check "edge 1: block add 192.0.2.91" -- \
		efw 1 block add 192.0.2.91 --ttl 1h --reason "reload test"
	wait_until 5 has_block 2 192.0.2.91
	tap_result $? "edge 2 takes the block"
	sleep 1
	check "edge 3, out of the pool, does not" -- lacks_block 3 192.0.2.91
	check "edge 3: edgefw reload -c the pool's config" -- \
		efw 3 reload -c "$WORK/edge.conf"
	wait_until 5 has_block 3 192.0.2.91
	tap_result $? "edge 3, back in the pool, catches up ($WAITED_MS ms)"
	wait_until 10 pool_ready 3
	tap_result $? "edge 3: the pool's revision, not degraded"
	check "edge 1: block del 192.0.2.91" -- efw 1 block del 192.0.2.91
	wait_until 5 all_blocks_are ""
	tap_result $? "no edge lists it"
}

test_broken_libcurl
test_block_spreads
test_set_spreads
test_partner_spreads
test_control_socket
test_cli_reload_follows
test_restart_catches_up
test_member_killed
test_etcd_down
test_bad_input
test_last_write_wins
test_partition
tap_done
