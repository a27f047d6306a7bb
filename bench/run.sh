#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: edgefw measured against the floor and its peers, in one run
# on one machine (bench/README.md says how and why). Measurements, not
# tests: nothing here passes or fails on a number.
#
# Usage: bench/run.sh [STAGE...]     (default: every stage, in this order)
#   stages: testrun live scale control daemon pool
#   BENCH_RESULTS=DIR  where results go (default bench/results/<UTC time>)
#   BENCH_QUICK=1      fewer rounds and sizes, for trying the bench out
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
all_stages=(testrun live scale control daemon pool)
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=("${all_stages[@]}")

[ "$(id -u)" -eq 0 ] || {
	echo "bench: loads BPF programs and makes network namespaces: run as root (sudo make bench)" >&2
	exit 1
}
scripts/install-deps.sh bench >&2 || exit 1
make -s bench-progs || exit 1

results=${BENCH_RESULTS:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$results"
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_env_json >"$results/env.json"

failed=0
for stage in "${stages[@]}"; do
	[ -x "bench/stage-$stage.sh" ] || bench_die "no stage '$stage' (stages: ${all_stages[*]})"
	bench_say "stage $stage"
	if ! "bench/stage-$stage.sh" "$results"; then
		bench_say "stage $stage failed"
		failed=1
	fi
done

{
	jq -r '"# edgefw bench, \(.date)\n\n\(.cpu), \(.cpus) CPUs, \(.memory); \(.os), kernel \(.kernel), clocksource \(.clocksource); edgefw \(.edgefw)\n\nTools: clang \(.tools.clang | split(" ") | .[3] // .), libbpf \(.tools.libbpf), xdp-tools \(.tools."xdp-tools"), \(.tools.nft), \(.tools.iptables)\n"' "$results/env.json"
	for stage in "${stages[@]}"; do
		[ -f "$results/$stage.md" ] && cat "$results/$stage.md" && echo
	done
} >"$results/summary.md"
cat "$results/summary.md"
bench_say "results in $results (summary.md, and one JSON file per stage)"
exit $failed
