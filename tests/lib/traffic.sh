# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Real traffic between the namespaces of tests/lib/topology.sh, for the
# namespace suites (tests/netns/): listeners, TCP clients that tell a
# dropped SYN (timeout) from a closed port (refusal), and edgefw's counters.
#
# Source tests/lib/tap.sh and tests/lib/topology.sh first. The caller sets
#   PREFIX             the topology's prefix (see topology_up)
#   EDGEFW             the edgefw binary (for the counters)
# and may set
#   CONNECT_TIMEOUT    seconds a client waits for an answer (default 2):
#                      a SYN with no answer by then was dropped
#   LISTENER_LIFETIME  seconds after which a listener ends by itself
#                      (default 120), even if the caller is killed with
#                      SIGKILL and its clean-up never runs
# and calls stop_listeners from its clean-up.
#
# Counters come from `edgefw stats --json`, whose shape (user/cmd_stats.c) is:
#   { "interfaces": [ { "name": "ext0", "role": "external",
#       "in":  { "rules": { RULE: {"packets": N, "bytes": N}, ... },
#                "pass":  { "reply"|"essential"|"fragment"|"policy": {...} },
#                "drop":  { "malformed"|"fragment"|"blocked"|"ratelimit"|
#                           "policy": {...} } },
#       "out": { same } }, ... ] }
# "rules" holds only the rules of the interface's role and direction.

LISTENER_PIDS=()

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

# Waits (bounded) until ROLE has a TCP socket listening on ADDR:PORT.
wait_listening() { # ROLE ADDR PORT
	local _ filter="src $2 and sport = :$3"
	[[ "$2" == *:* ]] && filter="src [$2] and sport = :$3"
	for _ in $(seq 50); do
		# shellcheck disable=SC2086 # ss takes the filter as words
		[ -n "$(in_ns "$PREFIX" "$1" ss -Hltn $filter)" ] && return 0
		sleep 0.1
	done
	return 1
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
	in_ns "$PREFIX" edge "$EDGEFW" stats --json 2>&1
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
