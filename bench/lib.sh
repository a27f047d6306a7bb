# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Shared by edgefw's bench stages (bench/stage-*.sh): the machine record,
# the other load on the machine during a measurement, and the namespace
# where edgefw and its peers are loaded. Everything runs in namespaces the
# bench makes; nothing touches the machine's own interfaces.

BENCH_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib/topology.sh
. "$BENCH_TOP/tests/lib/topology.sh"

EDGEFW=${EDGEFW:-$BENCH_TOP/build/edgefw}
BENCH_BUILD=$BENCH_TOP/build/bench
BENCH_PREFIX=${BENCH_PREFIX:-efwb-}
# The CPU measurements run on: the last one, away from CPU 0's chores.
BENCH_CPU=${BENCH_CPU:-$(($(nproc) - 1))}

bench_say() { echo "bench: $*" >&2; }

bench_die() {
	bench_say "$*"
	exit 1
}

# edgefw's own pins and state for a stage, never the system's nor another
# stage's: named after the stage's namespace prefix.
bench_edgefw_dirs() {
	local tag=${BENCH_PREFIX%-}
	export EDGEFW_PIN_DIR=/sys/fs/bpf/edgefw-$tag
	export EDGEFW_RUN_DIR=/run/edgefw-$tag
	export EDGEFW_STATE_DIR=/run/edgefw-$tag/state
}

bench_edgefw() { # ARGS...: edgefw in the bench's edge namespace
	in_ns "$BENCH_PREFIX" edge "$EDGEFW" "$@"
}

# A command in the edge namespace, killed if it runs longer than SECONDS;
# unlike bench_edgefw, it sees the host's bpffs (nsenter, not ip netns exec).
in_edge() { # SECONDS COMMAND...
	timeout "$1" nsenter --net="/run/netns/$(topology_ns "$BENCH_PREFIX" edge)" \
		"${@:2}"
}

# The share of time some task waited for a CPU over the last 10 s: the
# other load that would slow a measurement down (0 without PSI).
cpu_pressure() {
	awk '/^some/ { sub("avg10=", "", $2); print $2; exit }' \
		/proc/pressure/cpu 2>/dev/null || echo 0
}

# The time edgefw prints for its own work, "... in 0.123 s".
own_seconds() { # FILE
	sed -n 's/.* in \([0-9.]*\) s$/\1/p' "$1" | tail -1
}

set_size() { # NAME: its prefixes as edgefw status counts them
	in_edge 120 "$EDGEFW" status --json |
		jq --arg n "$1" '.sets[] | select(.name == $n) | .prefixes'
}

# The edge namespace of the test topology, edgefw loaded from CONFIG on it.
bench_edge_up() { # CONFIG
	bench_edgefw_dirs
	topology_down "$BENCH_PREFIX" 2>/dev/null
	rm -rf "$EDGEFW_PIN_DIR" "$EDGEFW_RUN_DIR"
	topology_up "$BENCH_PREFIX" || bench_die "cannot build the namespaces"
	bench_edgefw load -c "$1" >/dev/null ||
		bench_die "edgefw load -c $1 failed"
}

# What bench/testrun.c's packet classes use: generated prefixes and flows
# keep out of them (scalectl --avoid), so that the partner stays in the
# set, the stranger out, and no generated flow is one a class measures.
# 64.0.0.0/2: the many sources of the flood classes (testrun_classes.h,
# FLOOD_BASE4 and FLOOD_MASK4), which must meet no generated prefix.
BENCH_AVOID=(--avoid 203.0.113.0/24 --avoid 192.0.2.0/24
	--avoid 198.18.0.0/15 --avoid 64.0.0.0/2 --avoid 2001:db8:77::/48
	--avoid 2001:db8:99::/48)

# A stage's scratch directory: $work, with $records (JSON lines) in it,
# removed with the edge namespace on every exit, ^C included.
bench_scratch() { # NAME
	work=$(mktemp -d "/tmp/edgefw-bench-$1.XXXXXX") || bench_die "no temporary directory"
	records=$work/records.jsonl
	trap 'bench_edge_down; rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM HUP
}

bench_edge_down() {
	bench_edgefw unload >/dev/null 2>&1
	topology_down "$BENCH_PREFIX" 2>/dev/null
	rm -rf "$EDGEFW_PIN_DIR" "$EDGEFW_RUN_DIR"
}

# ---- the other load on the machine ----

# Busy and idle ticks of every CPU but the one the bench measures on:
# the machine's other load.
cpu_ticks() {
	awk -v own="cpu$BENCH_CPU" '$1 ~ /^cpu[0-9]/ && $1 != own {
		busy += $2 + $3 + $4 + $7 + $8 + $9; idle += $5 + $6 }
		END { print busy + 0, idle + 0 }' /proc/stat
}

# Wait up to SECONDS for the 1-minute load average to fall below LIMIT,
# so that a measurement does not start on a busy machine; say so if not.
bench_wait_idle() { # LIMIT SECONDS
	local limit=$1 deadline=$(($(date +%s) + $2)) load
	while :; do
		load=$(cut -d' ' -f1 /proc/loadavg)
		awk -v l="$load" -v m="$limit" 'BEGIN { exit !(l < m) }' && return 0
		[ "$(date +%s)" -ge "$deadline" ] && break
		sleep 5
	done
	bench_say "the machine is busy (load average $load): results may be noisy"
	return 1
}

# Around a measurement: how busy the other CPUs were (the bench's own
# runs on BENCH_CPU). load_begin; ...; load_end prints a JSON object.
load_begin() {
	LOAD_T0=$(cpu_ticks)
	LOAD_AVG0=$(cut -d' ' -f1 /proc/loadavg)
}

load_end() { # prints {"loadavg_before", "loadavg_after", "busy_percent"}
	local t1 avg1
	t1=$(cpu_ticks)
	avg1=$(cut -d' ' -f1 /proc/loadavg)
	# shellcheck disable=SC2086 # the two numbers of each reading
	set -- $LOAD_T0 $t1
	awk -v b0="$1" -v i0="$2" -v b1="$3" -v i1="$4" \
		-v a0="$LOAD_AVG0" -v a1="$avg1" 'BEGIN {
		busy = b1 - b0; all = busy + (i1 - i0)
		printf "{\"loadavg_before\": %s, \"loadavg_after\": %s, \"busy_percent\": %.1f}\n",
			a0, a1, all ? 100 * busy / all : 0 }'
}

# ---- the record of the machine and its tools ----

tool_version() { # COMMAND ARGS...: its first line, or "absent"
	local v
	v=$("$@" 2>&1 | head -1) || true
	printf '%s' "${v:-absent}"
}

bench_env_json() {
	jq -n \
		--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--arg cpu "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
		--arg cpus "$(nproc)" \
		--arg mem "$(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo)" \
		--arg kernel "$(uname -r)" \
		--arg os "$(. /etc/os-release && echo "$PRETTY_NAME")" \
		--arg clang "$(tool_version clang --version)" \
		--arg bpftool "$(tool_version bpftool version)" \
		--arg libbpf "$(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null)" \
		--arg xdptools "$(dpkg-query -W -f='${Version}' xdp-tools 2>/dev/null)" \
		--arg nft "$(tool_version nft --version)" \
		--arg iptables "$(tool_version iptables --version)" \
		--arg edgefw "$(git -C "$BENCH_TOP" describe --always --dirty 2>/dev/null)" \
		--arg clocksource "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)" \
		'{date: $date, cpu: $cpu, cpus: ($cpus | tonumber), memory: $mem,
		  kernel: $kernel, os: $os, clocksource: $clocksource,
		  tools: {clang: $clang, bpftool: $bpftool, libbpf: $libbpf,
			  "xdp-tools": $xdptools, nft: $nft, iptables: $iptables},
		  edgefw: $edgefw}'
}
