# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Real traffic between the namespaces of tests/lib/topology.sh, for the
# namespace suites (tests/netns/) and `make demo` (scripts/demo.sh):
# listeners, TCP clients that tell a dropped SYN (timeout) from a closed
# port (refusal), edgefw's counters, and what the suites share to set up
# and clean up an edgefw of their own in the edge namespace.
#
# Sourcing it sources tests/lib/tap.sh and tests/lib/topology.sh too (the
# demo, which has no checks, uses the listeners, try_connect and
# run_cleanup_on_exit only). The caller sets
#   PREFIX             the topology's prefix (see topology_up)
#   EDGEFW             the edgefw binary (for the counters)
# and may set
#   CONNECT_TIMEOUT    seconds a client waits for an answer (default 2):
#                      a SYN with no answer by then was dropped
#   LISTENER_LIFETIME  seconds after which a listener ends by itself
#                      (default 120), even if the caller is killed with
#                      SIGKILL and its clean-up never runs
# and calls stop_listeners from its clean-up (traffic_cleanup does).
#
# Counters come from `edgefw stats --json`, whose shape (user/cmd_stats.c) is:
#   { "interfaces": [ { "name": "ext0", "role": "external",
#       "in":  { "rules": { RULE: {"packets": N, "bytes": N}, ... },
#                "pass":  { "reply"|"essential"|"fragment"|"policy": {...} },
#                "drop":  { "malformed"|"fragment"|"blocked"|"ratelimit"|
#                           "policy": {...} } },
#       "out": { same } }, ... ] }
# "rules" holds only the rules of the interface's role and direction.

# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
# shellcheck source=tests/lib/topology.sh
. "$(dirname "${BASH_SOURCE[0]}")/topology.sh"
# shellcheck source=tests/lib/wait.sh
. "$(dirname "${BASH_SOURCE[0]}")/wait.sh"

LISTENER_PIDS=()

# Runs a command in the edge namespace.
edge() { in_ns "$PREFIX" edge "$@"; }

# ---------------------------------------------------------------------------
# The suites' own edgefw: directories, preconditions and clean-up

# traffic_use_private_directories SUITE: tests/run.sh gives each suite its
# own pin, runtime and state directories; a run by hand gets its own too,
# never a real edgefw's. TRAFFIC_OWN_DIRS lists the directories made here,
# which traffic_cleanup removes.
TRAFFIC_OWN_DIRS=()
traffic_use_private_directories() {
	local suite=$1
	EDGEFW_PIN_DIR=${EDGEFW_PIN_DIR:-/sys/fs/bpf/edgefw-test-$suite-$$}
	if [ -z "${EDGEFW_RUN_DIR:-}" ]; then
		EDGEFW_RUN_DIR=$(mktemp -d /tmp/edgefw-test.XXXXXX) ||
			tap_bail "cannot create a runtime directory"
		TRAFFIC_OWN_DIRS+=("$EDGEFW_RUN_DIR")
	fi
	if [ -z "${EDGEFW_STATE_DIR:-}" ]; then
		EDGEFW_STATE_DIR=$(mktemp -d /tmp/edgefw-test.XXXXXX) ||
			tap_bail "cannot create a state directory"
		TRAFFIC_OWN_DIRS+=("$EDGEFW_STATE_DIR")
	fi
	export EDGEFW_PIN_DIR EDGEFW_RUN_DIR EDGEFW_STATE_DIR
}

# require_traffic_tools TOOL...: bails out unless each tool and the edgefw
# binary are there.
require_traffic_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null ||
			tap_bail "needs $tool (packages: netcat-openbsd socat jq util-linux iproute2 coreutils): run scripts/install-deps.sh"
	done
	[ -x "$EDGEFW" ] || tap_bail "no edgefw binary at $EDGEFW: run make"
}

# Someone else's edgefw (or a run killed with SIGKILL) owns the pin
# directory: leave it be.
require_free_pin_directory() {
	[ ! -e "$EDGEFW_PIN_DIR" ] ||
		tap_bail "$EDGEFW_PIN_DIR exists: another edgefw uses it; unload that one or use another EDGEFW_PIN_DIR"
}

# Group edgefw and its members belong to the machine, not to a namespace:
# suites that add or remove them take turns (a lock held until the suite
# exits), so that one suite's clean-up never takes the group, or a member,
# from another's daemon in the middle of its run.
take_group_edgefw_turn() {
	exec {GROUP_TURN_FD}>/run/lock/edgefw-tests-group-edgefw.lock ||
		tap_bail "cannot open /run/lock/edgefw-tests-group-edgefw.lock"
	flock -w 1800 "$GROUP_TURN_FD" ||
		tap_bail "another suite held group edgefw for 30 minutes"
}

# Group edgefw, made (GROUP_MADE=1) unless the machine has it (the
# package's), in the suite's turn.
GROUP_MADE=0
make_group_edgefw() {
	take_group_edgefw_turn
	if ! getent group edgefw >/dev/null; then
		groupadd --system edgefw || tap_bail "cannot create group edgefw"
		GROUP_MADE=1
	fi
}

# make_user NAME [USERADD-OPTION...]: a user with no home and no shell,
# removed by remove_users_and_group.
USERS_MADE=()
make_user() {
	local user=$1
	shift
	useradd --no-create-home --shell /usr/sbin/nologin "$@" "$user" ||
		tap_bail "cannot create user $user"
	USERS_MADE+=("$user")
}

# For a suite's clean-up: the users it made, then group edgefw if it made
# it (a group that was there before stays).
remove_users_and_group() {
	local u
	for u in "${USERS_MADE[@]}"; do
		userdel "$u" 2>/dev/null
	done
	[ "$GROUP_MADE" -eq 0 ] || groupdel edgefw 2>/dev/null
}

# The suite's temporary directories above its runtime directory (tests/run.sh
# makes one) opened to others (o+x): users other than root reach the
# control socket.
open_run_dir_path() {
	local d=$EDGEFW_RUN_DIR
	while d=$(dirname "$d") && [[ "$d" == /tmp/?* ]]; do
		chmod o+x "$d"
	done
}

# as USER COMMAND...: COMMAND as USER with the suite's directories, from
# the root namespace (a Unix socket is reached by its path from any
# network namespace).
as() {
	local user=$1
	shift
	runuser -u "$user" -- env EDGEFW_PIN_DIR="$EDGEFW_PIN_DIR" \
		EDGEFW_RUN_DIR="$EDGEFW_RUN_DIR" EDGEFW_STATE_DIR="$EDGEFW_STATE_DIR" "$@"
}

# start_edge_daemon CONFIG: edgefw daemon in the edge namespace, its output
# added to $WORK/daemon.log; nsenter execs edgefw in place, so DAEMON_PID
# is the daemon's own pid.
DAEMON_PID=''
start_edge_daemon() {
	nsenter --net="/run/netns/$(topology_ns "$PREFIX" edge)" \
		"$EDGEFW" daemon -c "$1" >>"$WORK/daemon.log" 2>&1 &
	DAEMON_PID=$!
	LOAD_TRIED=1
}

# For a suite's clean-up: the daemon of start_edge_daemon, if it runs, killed.
kill_edge_daemon() {
	if [ -n "$DAEMON_PID" ]; then
		kill -KILL "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=''
	fi
}

# run_cleanup_on_exit CLEANUP: CLEANUP runs on every exit, normal, failed
# or interrupted; an interrupt exits with the signal's usual status.
run_cleanup_on_exit() {
	# shellcheck disable=SC2064 # the function's name, known now
	trap "$1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# 1 from the moment the suite calls `edgefw load`: the pin directory was
# checked to be free before, so whatever is there from then on is ours.
LOAD_TRIED=0

# The clean-up of a suite: its listeners, its edgefw, the namespaces and
# the directories of traffic_use_private_directories.
traffic_cleanup() {
	trap - EXIT INT TERM HUP
	stop_listeners
	# Unload inside the namespace while its interfaces still exist, so
	# edgefw finds and detaches its TC filters there.
	if [ "$LOAD_TRIED" -eq 1 ]; then
		[ -e "/run/netns/$(topology_ns "$PREFIX" edge)" ] &&
			edge "$EDGEFW" unload >/dev/null 2>&1
		# A failed unload must not poison the next run; this pin
		# directory is the suite's own (never edgefw's default).
		if [ -e "$EDGEFW_PIN_DIR" ] &&
			[ "$EDGEFW_PIN_DIR" != /sys/fs/bpf/edgefw ]; then
			rm -rf "$EDGEFW_PIN_DIR"
		fi
	fi
	topology_down "$PREFIX"
	rm -rf "${TRAFFIC_OWN_DIRS[@]}"
}

# check_load_or_bail CONFIG: `edgefw load -c CONFIG` in the edge namespace,
# one check; nothing after it means anything when it fails.
check_load_or_bail() {
	LOAD_TRIED=1
	check "edgefw load -c $1 in the edge namespace" -- \
		edge "$EDGEFW" load -c "$1" || tap_bail "edgefw did not load"
}

# ---------------------------------------------------------------------------
# Listeners

# TARGET is socat's other end: /dev/null (the default) closes each
# connection once the client's side is read; PIPE echoes what arrives,
# for clients that must see their data come back.
start_listener() { # ROLE SOCAT-LISTEN-ADDRESS [TARGET]
	in_ns "$PREFIX" "$1" timeout "${LISTENER_LIFETIME:-120}" \
		socat "$2,reuseaddr,fork" "${3:-/dev/null}" >/dev/null 2>&1 &
	LISTENER_PIDS+=("$!")
}

# Waits (bounded: SECONDS, default 5) until ROLE has a TCP socket
# listening on ADDR:PORT.
wait_listening() { # ROLE ADDR PORT [SECONDS]
	local _ filter="src $2 and sport = :$3"
	[[ "$2" == *:* ]] && filter="src [$2] and sport = :$3"
	for _ in $(seq $((${4:-5} * 10))); do
		# shellcheck disable=SC2086 # ss takes the filter as words
		[ -n "$(in_ns "$PREFIX" "$1" ss -Hltn $filter)" ] && return 0
		sleep 0.1
	done
	return 1
}

# The servers of examples/lync-xmpp.conf's matrix: the edge's XMPP proxy
# (5269 outside, both families; 23456 inside), the partner's servers (5269
# and 5270, both families) and the non-partner's (5269, both families).
start_xmpp_servers() {
	start_listener edge "TCP4-LISTEN:5269,bind=$TOPO_EDGE_EXT4"
	start_listener edge "TCP6-LISTEN:5269,bind=[$TOPO_EDGE_EXT6],ipv6only=1"
	start_listener edge "TCP4-LISTEN:23456,bind=$TOPO_EDGE_INT4"
	start_listener inet "TCP4-LISTEN:5269,bind=$TOPO_PARTNER4"
	start_listener inet "TCP6-LISTEN:5269,bind=[$TOPO_PARTNER6],ipv6only=1"
	start_listener inet "TCP4-LISTEN:5270,bind=$TOPO_PARTNER4"
	start_listener inet "TCP6-LISTEN:5270,bind=[$TOPO_PARTNER6],ipv6only=1"
	start_listener inet "TCP4-LISTEN:5269,bind=$TOPO_STRANGER4"
	start_listener inet "TCP6-LISTEN:5269,bind=[$TOPO_STRANGER6],ipv6only=1"
	wait_listening edge "$TOPO_EDGE_EXT4" 5269 &&
		wait_listening edge "$TOPO_EDGE_EXT6" 5269 &&
		wait_listening edge "$TOPO_EDGE_INT4" 23456 &&
		wait_listening inet "$TOPO_PARTNER4" 5269 &&
		wait_listening inet "$TOPO_PARTNER6" 5269 &&
		wait_listening inet "$TOPO_PARTNER4" 5270 &&
		wait_listening inet "$TOPO_PARTNER6" 5270 &&
		wait_listening inet "$TOPO_STRANGER4" 5269 &&
		wait_listening inet "$TOPO_STRANGER6" 5269
}

stop_listeners() {
	local pid
	for pid in "${LISTENER_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${LISTENER_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	LISTENER_PIDS=()
}

# ---------------------------------------------------------------------------
# Connections

# Tries a TCP connection; sets CONNECT_RESULT to connected, refused,
# timeout or other, and CONNECT_TEXT to the client's own words.
CONNECT_RESULT=
CONNECT_TEXT=
try_connect() { # ROLE SRC DST PORT
	local rc
	CONNECT_TEXT=$(in_ns "$PREFIX" "$1" nc -v -z -w "${CONNECT_TIMEOUT:-2}" \
		-s "$2" "$3" "$4" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [[ "$CONNECT_TEXT" == *succeeded* ]]; then
		CONNECT_RESULT=connected
	elif [[ "$CONNECT_TEXT" == *"Connection refused"* ]]; then
		CONNECT_RESULT=refused
	elif [[ "$CONNECT_TEXT" == *"timed out"* ]]; then
		CONNECT_RESULT=timeout
	else
		CONNECT_RESULT=other
	fi
}

# check_connect DESCRIPTION WANT ROLE SRC DST PORT
# WANT: connected, refused or timeout.
check_connect() {
	local desc=$1 want=$2
	shift 2
	try_connect "$@"
	if [ "$CONNECT_RESULT" = "$want" ]; then
		tap_result 0 "$desc"
	else
		tap_result 1 "$desc"
		tap_diag "from $2 to $3 port $4 in $(topology_ns "$PREFIX" "$1")" \
			"got:  $CONNECT_RESULT" "want: $want" "client said: $CONNECT_TEXT"
	fi
}

# ---------------------------------------------------------------------------
# Counters

STATS_BEFORE=
STATS_AFTER=

stats_json() {
	edge "$EDGEFW" stats --json 2>&1
}

# Packets of one counter in a stats document; "missing" if it has none.
counter_in() { # JSON IFACE DIR KIND NAME   (KIND: rules, pass or drop)
	jq -r --arg i "$2" --arg d "$3" --arg k "$4" --arg n "$5" \
		'.interfaces[] | select(.name == $i) | .[$d][$k][$n].packets // "missing"' \
		<<<"$1" 2>/dev/null | grep -E '^[0-9]+$|^missing$' || echo missing
}

counters_before() { STATS_BEFORE=$(stats_json); }
counters_after() { STATS_AFTER=$(stats_json); }

# check_counter DESCRIPTION moved|still IFACE DIR KIND NAME: compares the
# counter between the last counters_before and counters_after.
check_counter() {
	local desc=$1 how=$2 before after ok=1
	shift 2
	before=$(counter_in "$STATS_BEFORE" "$@")
	after=$(counter_in "$STATS_AFTER" "$@")
	if [ "$before" != missing ] && [ "$after" != missing ]; then
		case $how in
		moved) [ "$after" -gt "$before" ] && ok=0 ;;
		still) [ "$after" -eq "$before" ] && ok=0 ;;
		esac
	fi
	tap_result $ok "$desc"
	[ $ok -eq 0 ] || tap_diag "counter $1 $2 $3 $4: before $before, after $after (wanted: $how)" \
		"stats: $(printf '%s' "$STATS_AFTER" | head -c 300)"
}

# counter_delta IFACE DIR KIND NAME: the counter's packets at the last
# counters_after minus those at the last counters_before; "missing" if
# either has no such counter.
counter_delta() {
	local before after
	before=$(counter_in "$STATS_BEFORE" "$@")
	after=$(counter_in "$STATS_AFTER" "$@")
	if [ "$before" = missing ] || [ "$after" = missing ]; then
		echo missing
	else
		echo $((after - before))
	fi
}

# ---------------------------------------------------------------------------
# Many connections

# connect_paced N RATE ROLE SRC DST PORT: N connections one after the
# other from ROLE, each started on a schedule of RATE a second from the
# first (never ahead of it), each waiting CONNECT_TIMEOUT at most, none
# started after CONNECTS_DEADLINE seconds (default 60). One process
# (tests/lib/tcp_connects.py) opens them all: a process per connection
# cannot keep the pace on a loaded machine. Sets CONNECTS_OK (how many
# connected), CONNECTS_FIRST_FAILURE (the first failure and the client's
# words; empty if none) and CONNECTS_MS (the time taken).
CONNECTS_OK=0
CONNECTS_FIRST_FAILURE=
CONNECTS_MS=0
# shellcheck disable=SC2034 # the results are for the caller
connect_paced() {
	local n=$1 rate=$2 out
	shift 2
	out=$(in_ns "$PREFIX" "$1" /usr/bin/python3 \
		"$(dirname "${BASH_SOURCE[0]}")/tcp_connects.py" "$n" "$rate" \
		"${CONNECT_TIMEOUT:-2}" "${CONNECTS_DEADLINE:-60}" "$2" "$3" "$4" 2>&1)
	CONNECTS_OK=$(sed -n 1p <<<"$out")
	CONNECTS_MS=$(sed -n 2p <<<"$out")
	CONNECTS_FIRST_FAILURE=$(sed -n 3p <<<"$out")
	if ! [[ "$CONNECTS_OK" =~ ^[0-9]+$ ]] || ! [[ "$CONNECTS_MS" =~ ^[0-9]+$ ]]; then
		CONNECTS_OK=0 CONNECTS_MS=0
		CONNECTS_FIRST_FAILURE="tcp_connects.py failed: $(head -c 300 <<<"$out")"
	fi
}

# tcp_syns_sent ROLE: the SYNs the namespace's TCP stack has sent so far,
# connections opened (ActiveOpens) plus SYNs sent again (TCPSynRetrans):
# the difference between two readings is exactly the SYNs of its clients.
tcp_syns_sent() {
	# shellcheck disable=SC2016 # awk's own $ fields
	in_ns "$PREFIX" "$1" awk '
		$1 == "Tcp:" && !th { for (i = 2; i <= NF; i++) tcol[$i] = i; th = 1; next }
		$1 == "Tcp:" { opens = $(tcol["ActiveOpens"]) }
		$1 == "TcpExt:" && !xh { for (i = 2; i <= NF; i++) xcol[$i] = i; xh = 1; next }
		$1 == "TcpExt:" { retrans = $(xcol["TCPSynRetrans"]) }
		END { if (opens == "" || retrans == "") exit 1; print opens + retrans }
	' /proc/net/snmp /proc/net/netstat
}
