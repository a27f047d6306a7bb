# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# A pool of edges (README, Pool) for tests/netns/test_pool.sh and the
# bench's pool stage: a real three-member etcd cluster (Debian's
# etcd-server) in a namespace of its own, <P>etcd, whose members listen
# on a bridge there, and edges (the edge namespaces of topologies
# <P>N-, tests/lib/topology.sh) reaching it over a veth, pool0, that
# their config does not name, so that edgefw never filters it:
#
#   <P>1-edge pool0 10.250.0.11 --+
#   <P>2-edge pool0 10.250.0.12 --+-- br0 in <P>etcd: members 10.250.0.1-3
#   <P>3-edge pool0 10.250.0.13 --+
#
# Each edge has its own pin, runtime and state directories. The caller
# sets P (the prefix), WORK (a directory of its own), PIN_BASE (the pin
# directories are PIN_BASE-eN) and EDGEFW, sources tests/lib/topology.sh,
# and stops what it started: pool_stop_all.

# shellcheck source=tests/lib/wait.sh
. "$(dirname "${BASH_SOURCE[0]}")/wait.sh"

POOL_PREFIX=/edgefw/test-pool
MEMBERS=(10.250.0.1 10.250.0.2 10.250.0.3)
EDGE_POOL_ADDR=(unused 10.250.0.11 10.250.0.12 10.250.0.13)
DAEMON_PID=(unused '' '' '')
MEMBER_PID=('' '' '')

etcd_ns() { printf '%setcd\n' "$P"; }
in_etcd() { nsenter --net="/run/netns/$(etcd_ns)" "$@"; }

# The environment of edge N: its own directories.
edge_env() { # N
	echo "EDGEFW_PIN_DIR=$PIN_BASE-e$1" "EDGEFW_RUN_DIR=$WORK/e$1/run" \
		"EDGEFW_STATE_DIR=$WORK/e$1/state"
}

# edgefw on edge N
efw() { # N ARGS...
	local n=$1
	shift
	# shellcheck disable=SC2046 # one word per variable
	in_ns "$P$n-" edge env $(edge_env "$n") "$EDGEFW" "$@"
}

CLUSTER=''
member_start() { # I new|existing
	local i=$1 name="m$1" addr=${MEMBERS[$1]}
	# nsenter execs etcd: $! is the member's own pid (a function's is not)
	nsenter --net="/run/netns/$(etcd_ns)" etcd --name "$name" --data-dir "$WORK/etcd/$name" \
		--listen-client-urls "http://$addr:2379" \
		--advertise-client-urls "http://$addr:2379" \
		--listen-peer-urls "http://$addr:2380" \
		--initial-advertise-peer-urls "http://$addr:2380" \
		--initial-cluster "$CLUSTER" \
		--initial-cluster-token "edgefw-test-pool-$$" \
		--initial-cluster-state "$2" >>"$WORK/etcd/$name.log" 2>&1 &
	MEMBER_PID[i]=$!
}

member_stop() { # I SIGNAL
	[ -n "${MEMBER_PID[$1]}" ] || return 0
	kill "-$2" "${MEMBER_PID[$1]}" 2>/dev/null
	wait "${MEMBER_PID[$1]}" 2>/dev/null
	MEMBER_PID[$1]=''
}

ENDPOINTS="http://${MEMBERS[0]}:2379,http://${MEMBERS[1]}:2379,http://${MEMBERS[2]}:2379"
etcdctl_() {
	in_etcd env ETCDCTL_API=3 etcdctl --endpoints="$ENDPOINTS" \
		--command-timeout=3s "$@"
}

cluster_healthy() {
	etcdctl_ endpoint health >/dev/null 2>&1
}

cluster_up() {
	local i
	ip netns add "$(etcd_ns)" || return 1
	in_etcd ip link set lo up &&
		in_etcd ip link add br0 type bridge &&
		in_etcd ip link set br0 up || return 1
	for i in 0 1 2; do
		in_etcd ip addr add "${MEMBERS[i]}/24" dev br0 || return 1
	done
	CLUSTER="m0=http://${MEMBERS[0]}:2380,m1=http://${MEMBERS[1]}:2380,m2=http://${MEMBERS[2]}:2380"
	mkdir -p "$WORK/etcd"
	for i in 0 1 2; do
		member_start "$i" new
	done
	for _ in $(seq 150); do
		cluster_healthy && return 0
		sleep 0.2
	done
	return 1
}

# edge N's pool0, a veth to br0 in the etcd namespace
edge_link() { # N
	local n=$1 edge="${P}$1-edge"
	ip -n "$edge" link add pool0 type veth peer name "e$n" netns "$(etcd_ns)" &&
		ip -n "$edge" addr add "${EDGE_POOL_ADDR[n]}/24" dev pool0 &&
		ip -n "$edge" link set pool0 up &&
		in_etcd ip link set "e$n" master br0 &&
		in_etcd ip link set "e$n" up
}

write_config() {
	cat >"$WORK/edge.conf" <<-EOF
		interface ext0 role external
		interface int0 role internal address $TOPO_EDGE_INT4
		set partners  { 203.0.113.0/24, 2001:db8:77::/48 }
		set frontends { 10.1.1.0/28 }
		rule s2s-in  external in  tcp 5269 from partners to self
		rule s2s-out external out tcp 5269 to partners
		policy external in  drop
		policy external out drop
		policy internal in  drop
		policy internal out pass
		pool etcd http://${MEMBERS[0]}:2379, http://${MEMBERS[1]}:2379, http://${MEMBERS[2]}:2379 prefix $POOL_PREFIX
	EOF
}

# nsenter execs env, env execs edgefw: $! is the daemon's own pid.
daemon_start() { # N
	local n=$1
	# shellcheck disable=SC2046 # one word per variable
	nsenter --net="/run/netns/${P}$n-edge" env $(edge_env "$n") \
		"$EDGEFW" daemon -c "$WORK/edge.conf" >>"$WORK/e$n/daemon.log" 2>&1 &
	DAEMON_PID[n]=$!
}

# Links the three edges to etcd, writes their config and starts their
# daemons; 1, before any daemon started, if a link failed (POOL_ERROR
# says which).
POOL_ERROR=''
pool_start_edges() {
	local n
	for n in 1 2 3; do
		edge_link "$n" || {
			# shellcheck disable=SC2034 # the caller reports it
			POOL_ERROR="cannot link edge $n to etcd"
			return 1
		}
	done
	write_config
	for n in 1 2 3; do
		daemon_start "$n"
	done
}

pool_field() { # N FIELD
	efw "$1" status --json 2>/dev/null | jq -r ".pool.$2" 2>/dev/null
}

pool_ready() { # N: the daemon read the pool and is not degraded
	local rev
	rev=$(pool_field "$1" revision)
	[[ "$rev" =~ ^[0-9]+$ ]] && [ "$rev" -gt 0 ] &&
		[ "$(pool_field "$1" degraded)" = false ]
}

daemon_stop() { # N
	kill -TERM "${DAEMON_PID[$1]}" 2>/dev/null
	wait "${DAEMON_PID[$1]}" 2>/dev/null
	DAEMON_PID[$1]=''
}

# Every daemon and member killed, the edges unloaded, the namespaces and
# pin directories removed; safe on a half-built pool.
pool_stop_all() {
	local n
	for n in 1 2 3; do
		if [ -n "${DAEMON_PID[n]}" ]; then
			kill -KILL "${DAEMON_PID[n]}" 2>/dev/null
			wait "${DAEMON_PID[n]}" 2>/dev/null
			DAEMON_PID[n]=''
		fi
	done
	for n in 0 1 2; do
		member_stop "$n" KILL
	done
	for n in 1 2 3; do
		if [ -n "$WORK" ] && [ -e "/run/netns/${P}$n-edge" ]; then
			efw "$n" unload >/dev/null 2>&1
		fi
		# WORK is set once the pins were found free: before that they
		# are another run's
		[ -z "$WORK" ] || [ ! -e "$PIN_BASE-e$n" ] || rm -rf "$PIN_BASE-e$n"
		topology_down "$P$n-"
	done
	[ ! -e "/run/netns/$(etcd_ns)" ] || ip netns del "$(etcd_ns)"
}
