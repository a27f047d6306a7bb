# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# The network-namespace topology of edgefw's real-traffic test and of
# `make demo`: an Access Edge between the internet and the LAN.
#
#   <prefix>inet                      <prefix>edge                 <prefix>lan
#   to-edge ------------------------- ext0        int0 ---------- to-edge
#   198.51.100.1/24                   198.51.100.10/24             10.1.1.5/16  front-end
#   2001:db8:100::1/64                2001:db8:100::10/64          10.1.2.7/16  other host
#   203.0.113.5, 2001:db8:77::5       10.1.0.10/16 (int0)
#     (partner)
#   192.0.2.66, 2001:db8:99::66
#     (not a partner)
#
# The edge's NICs are named ext0 and int0 so that examples/lync-xmpp.conf
# loads unchanged. Every name carries the caller's prefix, so the test, the
# demo and parallel runs never share a namespace. The veth pairs are
# created inside the namespaces (ip -n ... peer ... netns ...): nothing is
# ever created in, attached to or changed in the root namespace.
#
# Source this file, then: topology_up PREFIX / topology_down PREFIX.
# topology_ns PREFIX ROLE prints a namespace's name (ROLE: edge inet lan);
# in_ns PREFIX ROLE COMMAND... runs a command in it.
#
# topology_add_host PREFIX ROLE ... adds a host of its own on the internet
# side (a namespace <prefix>ROLE behind the inet namespace, which then
# routes), for a suite whose servers must each have their own stack:
#
#   <prefix>inet  to-ROLE ------------ eth0  <prefix>ROLE
#                 ROUTER4/LEN                HOST4/LEN, default via ROUTER4
#                 ROUTER6/LEN                HOST6/LEN, default via ROUTER6

# The addresses, for callers to name rather than repeat.
# shellcheck disable=SC2034 # used by the scripts that source this file
{
	TOPO_EDGE_EXT4=198.51.100.10
	TOPO_EDGE_EXT6=2001:db8:100::10
	TOPO_EDGE_INT4=10.1.0.10
	TOPO_ROUTER4=198.51.100.1
	TOPO_ROUTER6=2001:db8:100::1
	TOPO_PARTNER4=203.0.113.5
	TOPO_PARTNER6=2001:db8:77::5
	TOPO_STRANGER4=192.0.2.66
	TOPO_STRANGER6=2001:db8:99::66
	TOPO_FRONTEND4=10.1.1.5
	TOPO_LANHOST4=10.1.2.7
}

TOPO_ROLES="edge inet lan"
# The roles topology_add_host added; topology_down removes them too.
TOPO_EXTRA_ROLES=""

topology_ns() { # PREFIX ROLE
	printf '%s%s\n' "$1" "$2"
}

# nsenter rather than `ip netns exec`: the latter gives the command a
# private /sys, which hides /sys/fs/bpf and makes edgefw refuse to load.
in_ns() { # PREFIX ROLE COMMAND...
	local ns
	ns=$(topology_ns "$1" "$2")
	shift 2
	nsenter --net="/run/netns/$ns" "$@"
}

topology_exists() { # PREFIX: true if any of its namespaces exists
	local role
	for role in $TOPO_ROLES $TOPO_EXTRA_ROLES; do
		[ -e "/run/netns/$(topology_ns "$1" "$role")" ] && return 0
	done
	return 1
}

# A namespace with lo up and no duplicate address detection, so that the
# IPv6 addresses (link-local ones included) are usable at once.
topology_make_ns() { # PREFIX ROLE
	local ns
	ns=$(topology_ns "$1" "$2")
	ip netns add "$ns" || return 1
	in_ns "$1" "$2" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_dad=0 || return 1
	ip -n "$ns" link set lo up
}

topology_up() { # PREFIX
	local p=$1 edge inet lan
	edge=$(topology_ns "$p" edge)
	inet=$(topology_ns "$p" inet)
	lan=$(topology_ns "$p" lan)

	if topology_exists "$p"; then
		echo "topology_up: namespaces with prefix '$p' already exist; run topology_down '$p' first" >&2
		return 1
	fi
	if ! { topology_make_ns "$p" edge && topology_make_ns "$p" inet &&
		topology_make_ns "$p" lan; }; then
		topology_down "$p"
		return 1
	fi

	# Each command below must succeed; the first failure undoes it all.
	if ! {
		ip -n "$edge" link add ext0 type veth peer name to-edge netns "$inet" &&
			ip -n "$edge" link add int0 type veth peer name to-edge netns "$lan" &&
			ip -n "$edge" addr add "$TOPO_EDGE_EXT4/24" dev ext0 &&
			ip -n "$edge" addr add "$TOPO_EDGE_EXT6/64" dev ext0 nodad &&
			ip -n "$edge" addr add "$TOPO_EDGE_INT4/16" dev int0 &&
			ip -n "$edge" link set ext0 up &&
			ip -n "$edge" link set int0 up &&
			ip -n "$edge" route add default via "$TOPO_ROUTER4" dev ext0 &&
			ip -n "$edge" -6 route add default via "$TOPO_ROUTER6" dev ext0 &&
			ip -n "$inet" addr add "$TOPO_ROUTER4/24" dev to-edge &&
			ip -n "$inet" addr add "$TOPO_ROUTER6/64" dev to-edge nodad &&
			ip -n "$inet" addr add "$TOPO_PARTNER4/32" dev to-edge &&
			ip -n "$inet" addr add "$TOPO_PARTNER6/128" dev to-edge nodad &&
			ip -n "$inet" addr add "$TOPO_STRANGER4/32" dev to-edge &&
			ip -n "$inet" addr add "$TOPO_STRANGER6/128" dev to-edge nodad &&
			ip -n "$inet" link set to-edge up &&
			ip -n "$lan" addr add "$TOPO_FRONTEND4/16" dev to-edge &&
			ip -n "$lan" addr add "$TOPO_LANHOST4/16" dev to-edge &&
			ip -n "$lan" link set to-edge up
	}; then
		echo "topology_up: cannot build the topology '$p'" >&2
		topology_down "$p"
		return 1
	fi
	# The veth carrier comes up asynchronously; wait (bounded) for it.
	if ! topology_wait_carrier "$p"; then
		topology_down "$p"
		return 1
	fi
}

topology_link_up() { # PREFIX ROLE IFACE
	ip -n "$(topology_ns "$1" "$2")" link show "$3" 2>/dev/null | grep -q LOWER_UP
}

topology_wait_carrier() { # PREFIX
	local _
	for _ in $(seq 50); do
		if topology_link_up "$1" edge ext0 && topology_link_up "$1" edge int0 &&
			topology_link_up "$1" inet to-edge &&
			topology_link_up "$1" lan to-edge; then
			return 0
		fi
		sleep 0.1
	done
	echo "topology_up: the links of '$1' did not come up" >&2
	return 1
}

# Safe to call twice and on a half-built topology. Processes still inside
# the namespaces were started there by the caller (listeners, clients):
# ending them lets the namespaces really go away.
topology_down() { # PREFIX
	local role ns pids
	for role in $TOPO_EXTRA_ROLES $TOPO_ROLES; do
		ns=$(topology_ns "$1" "$role")
		[ -e "/run/netns/$ns" ] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # one pid per word
		[ -z "$pids" ] || kill $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	! topology_exists "$1"
}

# topology_add_host PREFIX ROLE ROUTER4/LEN HOST4 [ROUTER6/LEN HOST6]:
# after topology_up, a host namespace on the internet side (see the top of
# this file); the inet namespace forwards between its links from then on.
# On failure, what it made is removed (by topology_down, as on success).
topology_add_host() {
	local p=$1 role=$2 r4=$3 h4=$4 r6=${5:-} h6=${6:-} inet ns
	inet=$(topology_ns "$p" inet)
	ns=$(topology_ns "$p" "$role")
	TOPO_EXTRA_ROLES="$TOPO_EXTRA_ROLES $role"
	topology_make_ns "$p" "$role" || return 1
	if ! {
		in_ns "$p" inet sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 &&
			ip -n "$inet" link add "to-$role" type veth peer name eth0 netns "$ns" &&
			ip -n "$inet" addr add "$r4" dev "to-$role" &&
			ip -n "$ns" addr add "$h4/${r4#*/}" dev eth0 &&
			ip -n "$inet" link set "to-$role" up &&
			ip -n "$ns" link set eth0 up &&
			ip -n "$ns" route add default via "${r4%/*}" dev eth0 &&
			if [ -n "$r6" ]; then
				ip -n "$inet" addr add "$r6" dev "to-$role" nodad &&
					ip -n "$ns" addr add "$h6/${r6#*/}" dev eth0 nodad &&
					ip -n "$ns" -6 route add default via "${r6%/*}" dev eth0
			fi
	}; then
		echo "topology_add_host: cannot add the host '$ns'" >&2
		return 1
	fi
	local _
	for _ in $(seq 50); do
		topology_link_up "$p" "$role" eth0 && topology_link_up "$p" inet "to-$role" &&
			return 0
		sleep 0.1
	done
	echo "topology_add_host: the link of '$ns' did not come up" >&2
	return 1
}
