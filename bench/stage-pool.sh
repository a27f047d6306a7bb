#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stage pool: how fast a pool converges (README, Pool; issue 16). Three
# edges, each with its own daemon, and a three-member etcd, as
# tests/netns/test_pool.sh sets them up (tests/lib/pool.sh). A burst of
# N blocks is written to the pool's prefix by WRITERS clients at once,
# each as fast as it can (bench/poolburst.c: one put a key, as `edgefw
# block add` writes it; etcd commits concurrent writes together), then
# deleted; the times are from the burst's start until each
# edge's kernel blocklist holds all N (its `status` count), and until it
# holds none again, with the CPU the edges' daemons spent. Writes
# pool.json and pool.md.
set -u
out=$1
BENCH_PREFIX=efwbp-
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/pool.sh
. "$BENCH_TOP/tests/lib/pool.sh"

sizes=(1000 10000)
[ "${BENCH_QUICK:-0}" = 1 ] && sizes=(1000)
limit_s=300 # a burst not converged by then is reported as such
writers=16
P=$BENCH_PREFIX
PIN_BASE=/sys/fs/bpf/edgefw-${BENCH_PREFIX%-}
work=$(mktemp -d /tmp/edgefw-bench-pool.XXXXXX) || bench_die "no temporary directory"
WORK=$work
trap 'pool_stop_all; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP

entries() { # N: edge N's kernel blocklist entries
	efw "$1" status --json 2>/dev/null | jq -r '.blocklist_entries // -1'
}

daemon_ticks() { # N
	awk '{ print $14 + $15 }' "/proc/${DAEMON_PID[$1]}/stat" 2>/dev/null
}

# Until every edge holds WANT entries: each edge's ms from T0, or -1.
converge() { # T0 WANT
	local t0=$1 want=$2 n finished=(0 0 0 0) left=3
	CONVERGED=(0 -1 -1 -1)
	while [ $left -gt 0 ] && [ $(($(now_ms) - t0)) -lt $((limit_s * 1000)) ]; do
		for n in 1 2 3; do
			[ "${finished[n]}" -eq 0 ] || continue
			if [ "$(entries "$n")" = "$want" ]; then
				CONVERGED[n]=$(($(now_ms) - t0))
				finished[n]=1
				left=$((left - 1))
			fi
		done
		sleep 0.05
	done
}

for n in 1 2 3; do
	mkdir -p "$work/e$n/run" "$work/e$n/state"
	topology_down "$P$n-" 2>/dev/null
	rm -rf "$PIN_BASE-e$n"
	topology_up "$P$n-" || bench_die "cannot build topology $n"
done
[ ! -e "/run/netns/$(etcd_ns)" ] || ip netns del "$(etcd_ns)"
cluster_up || bench_die "etcd did not start"
pool_start_edges || bench_die "$POOL_ERROR"
for n in 1 2 3; do
	wait_until 20 pool_ready "$n" ||
		bench_die "edge $n did not follow the pool: $(tail -n 3 "$work/e$n/daemon.log")"
done

: >"$work/records.jsonl"
for size in "${sizes[@]}"; do
	for what in put del; do
		want=$size
		[ $what = del ] && want=0
		bench_wait_idle 2 10 >/dev/null 2>&1
		before=("$(daemon_ticks 1)" "$(daemon_ticks 2)" "$(daemon_ticks 3)")
		t0=$(now_ms)
		pids=()
		for w in $(seq 0 $((writers - 1))); do
			in_etcd "$BENCH_BUILD/poolburst" "$what" \
				"http://${MEMBERS[w % 3]}:2379" "$POOL_PREFIX" \
				$(((w + 1) * size / writers - w * size / writers)) \
				$((w * size / writers)) \
				>"$work/writer.$w" &
			pids+=($!)
		done
		for w in "${pids[@]}"; do
			wait "$w" || bench_die "poolburst $what $size failed"
		done
		burst_ms=$(($(now_ms) - t0))
		converge "$t0" "$want"
		cpu=()
		for n in 1 2 3; do
			cpu+=($(($(daemon_ticks "$n") - ${before[n - 1]})))
		done
		bench_say "pool: $what $size: written in $burst_ms ms; edges converged in ${CONVERGED[1]}, ${CONVERGED[2]}, ${CONVERGED[3]} ms"
		jq -nc --arg what "$what" --argjson n "$size" \
			--argjson writers "$writers" --argjson burst_ms "$burst_ms" \
			--argjson e1 "${CONVERGED[1]}" --argjson e2 "${CONVERGED[2]}" \
			--argjson e3 "${CONVERGED[3]}" --argjson c1 "${cpu[0]}" \
			--argjson c2 "${cpu[1]}" --argjson c3 "${cpu[2]}" \
			--argjson hz "$(getconf CLK_TCK)" \
			'{what: $what, entries: $n, writers: $writers, written_ms: $burst_ms,
			  writes_per_s: ($n * 1000 / $burst_ms | floor),
			  converged_ms: [$e1, $e2, $e3],
			  daemon_cpu_s: ([$c1, $c2, $c3] | map(. / $hz))}' \
			>>"$work/records.jsonl"
	done
done

jq -s '{stage: "pool", edges: 3, etcd_members: 3, bursts: .}' \
	"$work/records.jsonl" >"$out/pool.json"
{
	echo "## Pool: bursts through etcd to three edges"
	echo
	echo "$writers writers put (then delete) N block keys at once, one put a key, through the three members in turn; each edge's daemon applies what its watch brings, in batches. Times from the burst's start until each edge's kernel blocklist holds all N (none after the deletes); -1: not within ${limit_s} s."
	echo
	echo "| burst | N | written in | writes/s | edge 1 | edge 2 | edge 3 | daemons' CPU (s) |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	jq -r '.bursts[] | "| \(.what) | \(.entries) | \(.written_ms) ms | \(.writes_per_s) | \(.converged_ms[0]) ms | \(.converged_ms[1]) ms | \(.converged_ms[2]) ms | \(.daemon_cpu_s | map(tostring) | join(", ")) |"' "$out/pool.json"
} >"$out/pool.md"
