#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `sudo make demo`: edgefw on a pretend Access Edge, with real traffic.
#
# Builds three network namespaces joined by veth pairs (the internet with a
# federated partner and a stranger, the edge with ext0 and int0, the LAN
# with a front-end server and another host), loads examples/lync-xmpp.conf
# on the edge, tries the connections the XMPP federation matrix allows and
# refuses, shows `edgefw status` and `edgefw stats`, then unloads and
# removes everything. Nothing is done to this machine's own interfaces.
#
# edgefw keeps its pins and state where it always does (/sys/fs/bpf/edgefw,
# /run/edgefw) unless EDGEFW_PIN_DIR / EDGEFW_RUN_DIR are set; the demo
# refuses to run when an edgefw is already loaded there.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# The namespaces (tests/lib/topology.sh, which it sources), the listeners
# and the TCP client, shared with the namespace test suites.
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh

PREFIX=efwdemo-
EDGEFW=$top/build/edgefw
CONFIG=$top/examples/lync-xmpp.conf
CONNECT_TIMEOUT=2 # seconds without an answer: the SYN was dropped
LISTENER_LIFETIME=300 # listeners end by themselves even if the demo is killed
PIN_DIR=${EDGEFW_PIN_DIR:-/sys/fs/bpf/edgefw}
RUN_DIR=${EDGEFW_RUN_DIR:-/run/edgefw}
# Written once the demo's load succeeded, removed after its unload: if the
# demo is killed where its trap cannot run (kill -9), the next run can tell
# that the edgefw left loaded is the demo's own.
MARKER=/run/edgefw-demo.loaded
# Held for the whole run, so that two demos never build, load or clean up
# the same namespaces at once; the kernel releases it when the demo dies.
LOCK=/run/edgefw-demo.lock
lock_fd=

WORK_DIR=
FAILED=0
LOADED=0 # 1 once this run's `edgefw load` succeeded: only then is it ours

say() { printf '%s\n' "$*"; }
heading() { printf '\n== %s\n' "$*"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

# ---------------------------------------------------------------------------
# Clean-up, on every exit: Ctrl-C, failure or success.

unload_demo_edgefw() {
	if [ -e "/run/netns/$(topology_ns "$PREFIX" edge)" ]; then
		edge "$EDGEFW" unload >/dev/null 2>&1
	else
		# The namespace is gone and its interfaces with it. Unload in an
		# empty network namespace, so that edgefw cannot find (and
		# detach from) an unrelated ext0 or int0 of this machine.
		unshare --net "$EDGEFW" unload >/dev/null 2>&1
	fi
}

cleanup() {
	trap - EXIT INT TERM HUP
	stop_listeners
	# Never unload an edgefw this run did not load: with the default
	# directories it may be the machine's own. (An interrupt during
	# `load` runs this once load is done: then only the second test can
	# tell the load was ours.)
	if [ "$LOADED" -eq 1 ] || attached_in_demo_ns; then
		unload_demo_edgefw
		if is_loaded; then
			say "demo: could not unload edgefw; run: EDGEFW_PIN_DIR=$PIN_DIR EDGEFW_RUN_DIR=$RUN_DIR $EDGEFW unload" >&2
		else
			rm -f "$MARKER"
		fi
	fi
	topology_down "$PREFIX" ||
		say "demo: could not remove the namespaces $PREFIX*; see 'ip netns list'" >&2
	[ -z "$WORK_DIR" ] || rm -rf "$WORK_DIR"
}

# ---------------------------------------------------------------------------
# Preparation

# Held for the whole run (see LOCK).
take_demo_lock() {
	exec {lock_fd}>"$LOCK" || die "cannot open $LOCK"
	# A few seconds' grace: the clients of a demo just killed may still
	# be finishing their connection attempts.
	flock -w 5 "$lock_fd" ||
		die "another demo is running on this machine; wait for it to end"
}

run_install_deps() {
	if [ -f scripts/install-deps.sh ]; then
		say "Installing what is missing (scripts/install-deps.sh)..."
		bash scripts/install-deps.sh ||
			die "scripts/install-deps.sh failed (exit status $?); fix what it reported, then run 'sudo make demo' again"
	else
		say "note: scripts/install-deps.sh is not there yet; skipping it (the demo needs iproute2, util-linux, netcat-openbsd, socat, jq)"
	fi
}

build_edgefw() {
	say "Building edgefw (make)..."
	make -s || die "the build failed; see the errors above"
}

require_tools() {
	local tool
	for tool in ip tc ss nsenter unshare flock nc socat jq timeout; do
		command -v "$tool" >/dev/null ||
			die "'$tool' is missing (packages: iproute2 util-linux netcat-openbsd socat jq coreutils); run scripts/install-deps.sh"
	done
}

is_loaded() {
	[ -e "$PIN_DIR" ] || [ -e "$RUN_DIR/state.json" ]
}

# Whether the edgefw at PIN_DIR is attached to the demo's edge namespace's
# own interfaces: an edgefw loaded anywhere else shows there as unhealthy.
attached_in_demo_ns() {
	[ -e "/run/netns/$(topology_ns "$PREFIX" edge)" ] && is_loaded &&
		edge "$EDGEFW" status --json 2>/dev/null |
		jq -e '[.interfaces[] | select(.healthy)] | length > 0' >/dev/null 2>&1
}

# The edgefw loaded at PIN_DIR is the one an earlier demo left: the
# marker says the demo loaded one, it runs the demo's config, and it is
# attached to the demo's edge namespace (or that namespace and its
# interfaces are gone with it).
loaded_by_earlier_demo() {
	local json
	[ -f "$MARKER" ] && is_loaded || return 1
	if [ -e "/run/netns/$(topology_ns "$PREFIX" edge)" ]; then
		attached_in_demo_ns || return 1
		json=$(edge "$EDGEFW" status --json 2>/dev/null)
	else
		json=$(unshare --net "$EDGEFW" status --json 2>/dev/null)
	fi
	[ "$(jq -r '.config_path // empty' <<<"$json" 2>/dev/null)" = \
		"$(realpath "$CONFIG")" ]
}

# After a run killed without its trap (kill -9, a lost terminal): the
# namespaces, and maybe an edgefw loaded in them, are still there.
clean_up_interrupted_run() {
	if loaded_by_earlier_demo; then
		say "Cleaning up after an interrupted demo run..."
		unload_demo_edgefw
	fi
	is_loaded || rm -f "$MARKER"
	topology_down "$PREFIX" ||
		die "cannot remove the namespaces left by an earlier run ($PREFIX*)"
}

refuse_if_loaded() {
	is_loaded || return 0
	die "edgefw is already loaded on this machine (pins in $PIN_DIR, state in $RUN_DIR).
The demo will not touch it. Unload it first ('edgefw unload'), or give the
demo other places: sudo EDGEFW_PIN_DIR=/sys/fs/bpf/edgefw-demo EDGEFW_RUN_DIR=/run/edgefw-demo make demo"
}

# The servers the connections go to (tests/lib/traffic.sh's
# start_xmpp_servers: the edge's XMPP proxy, 5269 outside and 23456
# inside, and servers of the partner and of the stranger), started without
# the demo's lock: a listener outliving a killed demo must not keep the
# next one out.
start_servers() {
	start_xmpp_servers {lock_fd}>&-
}

# ---------------------------------------------------------------------------
# Connections

# The matrix, one connection a line:
# WANT|ROLE|SRC|DST|PORT|WHO|WHY
# WANT is ALLOWED or REFUSED; WHO says in words who connects to what.
CONNECTIONS="\
ALLOWED|inet|$TOPO_PARTNER4|$TOPO_EDGE_EXT4|5269|partner -> edge:5269 (IPv4)|rule xmpp-s2s-in, inbound server-to-server
ALLOWED|inet|$TOPO_PARTNER6|$TOPO_EDGE_EXT6|5269|partner -> edge:5269 (IPv6)|rule xmpp-s2s-in, inbound server-to-server
REFUSED|inet|$TOPO_STRANGER4|$TOPO_EDGE_EXT4|5269|non-partner -> edge:5269 (IPv4)|not a partner; policy external in drop
REFUSED|inet|$TOPO_STRANGER6|$TOPO_EDGE_EXT6|5269|non-partner -> edge:5269 (IPv6)|not a partner; policy external in drop
REFUSED|inet|$TOPO_PARTNER4|$TOPO_EDGE_EXT4|5270|partner -> edge:5270 (IPv4)|only 5269 is open; policy external in drop
REFUSED|inet|$TOPO_PARTNER6|$TOPO_EDGE_EXT6|5270|partner -> edge:5270 (IPv6)|only 5269 is open; policy external in drop
ALLOWED|lan|$TOPO_FRONTEND4|$TOPO_EDGE_INT4|23456|front-end -> edge:23456|rule xmpp-gw-in, XMPP gateway over MTLS
REFUSED|lan|$TOPO_LANHOST4|$TOPO_EDGE_INT4|23456|other LAN host -> edge:23456|not a front-end; policy internal in drop
ALLOWED|edge|$TOPO_EDGE_EXT4|$TOPO_PARTNER4|5269|edge -> partner:5269 (IPv4)|rule xmpp-s2s-out; its replies pass
ALLOWED|edge|$TOPO_EDGE_EXT6|$TOPO_PARTNER6|5269|edge -> partner:5269 (IPv6)|rule xmpp-s2s-out; its replies pass
REFUSED|edge|$TOPO_EDGE_EXT4|$TOPO_PARTNER4|5270|edge -> partner:5270 (IPv4)|only 5269 goes out; policy external out drop
REFUSED|edge|$TOPO_EDGE_EXT6|$TOPO_PARTNER6|5270|edge -> partner:5270 (IPv6)|only 5269 goes out; policy external out drop
REFUSED|edge|$TOPO_EDGE_EXT4|$TOPO_STRANGER4|5269|edge -> non-partner:5269 (IPv4)|not a partner; policy external out drop
REFUSED|edge|$TOPO_EDGE_EXT6|$TOPO_STRANGER6|5269|edge -> non-partner:5269 (IPv6)|not a partner; policy external out drop"

# Prints ALLOWED, REFUSED (timed out), REFUSED (reset) or FAILED.
connection_outcome() { # ROLE SRC DST PORT
	try_connect "$@"
	case $CONNECT_RESULT in
	connected) echo ALLOWED ;;
	timeout) echo "REFUSED (timed out)" ;;
	refused) echo "REFUSED (reset)" ;;
	*) echo "FAILED: $CONNECT_TEXT" ;;
	esac
}

# All at once, each in the background, so the refused ones (which wait
# for their timeout) cost 2 s in all rather than 2 s each.
show_connections() {
	local i=0 want role src dst port who why got expect mark verb pids=()
	while IFS='|' read -r want role src dst port who why; do
		connection_outcome "$role" "$src" "$dst" "$port" >"$WORK_DIR/$i" {lock_fd}>&- &
		pids+=("$!")
		i=$((i + 1))
	done <<<"$CONNECTIONS"
	wait "${pids[@]}"
	i=0
	while IFS='|' read -r want role src dst port who why; do
		got=$(cat "$WORK_DIR/$i")
		# A refusal must be a dropped SYN, not a reset from the host.
		expect=$want
		[ "$want" = REFUSED ] && expect="REFUSED (timed out)"
		mark=
		if [ "$got" != "$expect" ]; then
			mark="   <-- UNEXPECTED"
			FAILED=1
		fi
		verb=allow
		[ "$want" = REFUSED ] && verb=refuse
		print_connection "$got" "$who" "matrix: $verb ($why)$mark"
		i=$((i + 1))
	done <<<"$CONNECTIONS"
}

print_connection() { # RESULT WHO WHAT-THE-MATRIX-SAYS
	printf '  %-19s  %-32s %s\n' "$1" "$2" "$3"
}

# ===========================================================================

[ "$(id -u)" -eq 0 ] || die "the demo creates network namespaces and loads BPF programs: run it as root (sudo make demo)"

# The lock first: cleaning up on exit is only for the run that holds it.
take_demo_lock
run_cleanup_on_exit cleanup

run_install_deps
build_edgefw
require_tools
clean_up_interrupted_run
refuse_if_loaded

WORK_DIR=$(mktemp -d /tmp/edgefw-demo.XXXXXX) || die "cannot make a temporary directory"
topology_up "$PREFIX" || die "cannot build the network namespaces"
start_servers || die "the test servers did not start"

heading "The network: three namespaces joined by veth pairs"
say "  ${PREFIX}inet  the internet: partner $TOPO_PARTNER4 / $TOPO_PARTNER6, non-partner $TOPO_STRANGER4 / $TOPO_STRANGER6"
say "  ${PREFIX}edge  the Access Edge: ext0 $TOPO_EDGE_EXT4 / $TOPO_EDGE_EXT6 (external), int0 $TOPO_EDGE_INT4 (internal)"
say "  ${PREFIX}lan   the LAN: front-end $TOPO_FRONTEND4, another host $TOPO_LANHOST4"
say "  Servers listen on the edge (5269, 23456), the partner (5269, 5270) and the non-partner (5269)."

heading "Loading examples/lync-xmpp.conf on the edge"
edge "$EDGEFW" load -c "$CONFIG" 2>&1 | sed 's/^/  /'
[ "${PIPESTATUS[0]}" -eq 0 ] || die "edgefw load failed (see above)"
LOADED=1
printf 'pin_dir=%s\nrun_dir=%s\n' "$PIN_DIR" "$RUN_DIR" >"$MARKER"

heading "Connections through edgefw (refused = SYN dropped, client gave up after ${CONNECT_TIMEOUT} s)"
show_connections

heading "edgefw status"
edge "$EDGEFW" status | sed 's/^/  /'

heading "edgefw stats (counters that moved)"
edge "$EDGEFW" stats | sed 's/^/  /'

heading "Unloading"
edge "$EDGEFW" unload 2>&1 | sed 's/^/  /'
[ "${PIPESTATUS[0]}" -eq 0 ] || die "edgefw unload failed (see above)"
LOADED=0
rm -f "$MARKER"
got=$(connection_outcome inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" 5269)
print_connection "$got" "non-partner -> edge:5269 (IPv4)" "edgefw is gone: nothing filters any more"
[ "$got" = ALLOWED ] || FAILED=1

echo
if [ "$FAILED" -eq 0 ]; then
	say "Demo done: every connection went as the matrix says. Cleaning up."
else
	say "Demo done, but some connections did NOT go as the matrix says (marked above)."
fi
[ "$FAILED" -eq 0 ]
