#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs every fuzzer of a fuzz build (make fuzz builds them in build-fuzz/)
# for SECONDS each, FUZZ_JOBS at a time (the number of CPUs), from its
# seed corpus tests/fuzz/corpus/NAME/ (and what earlier runs found, kept in
# BUILD/corpus/NAME/, never in the tree). Prints a line per fuzzer:
# executions, time, corpus size. A crash, a sanitizer's report, a failed
# property, a timeout or running out of memory stops that fuzzer and
# fails the run; the input is kept as BUILD/artifacts/NAME-*, to be fixed
# and then added to the seed corpus as a regression case.
# Usage: tests/fuzz/run.sh [BUILD [SECONDS [NAME...]]]
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
build=${1:-build-fuzz}
seconds=${2:-60}
shift 2 2>/dev/null || shift $#
names=("$@")

# The longest input worth trying, per fuzzer: a config or a state file
# of 16 KiB has every construct many times over; an address is short.
max_len() {
	case "$1" in
	prefix | duration) echo 256 ;;
	*) echo 16384 ;;
	esac
}

if [ ${#names[@]} -eq 0 ]; then
	for f in "$build"/fuzz/fuzz_*; do
		[ -x "$f" ] && names+=("${f##*/fuzz_}")
	done
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "tests/fuzz/run.sh: no fuzzers in $build/fuzz (make fuzz builds them)" >&2
	exit 1
fi

mkdir -p "$build/artifacts" "$build/fuzz-logs"
results=$(mktemp -d /tmp/edgefw-fuzz.XXXXXX)
trap 'rm -rf "$results"' EXIT

# fuzz NAME: one fuzzer's run; its line (and why it failed) in $results/NAME
fuzz() {
	local name=$1 fuzzer seeds found log opts t0 rc execs corpus status
	fuzzer=$build/fuzz/fuzz_$name
	seeds=tests/fuzz/corpus/$name
	found=$build/corpus/$name
	log=$build/fuzz-logs/$name.log
	mkdir -p "$found"
	opts=(-max_total_time="$seconds" -max_len="$(max_len "$name")"
		-rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10
		-close_fd_mask=3 -print_final_stats=1
		-artifact_prefix="$build/artifacts/$name-")
	[ ! -f "tests/fuzz/$name.dict" ] || opts+=(-dict="tests/fuzz/$name.dict")
	t0=$(date +%s)
	"$fuzzer" "${opts[@]}" "$found" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	# libFuzzer's last word on the corpus: "corp: UNITS/SIZE"
	corpus=$(grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -1)
	status=PASS
	[ $rc -eq 0 ] || status=FAIL
	{
		printf '%s fuzz_%-16s %10s execs %4ds  %s (inputs/bytes) from %d seeds\n' \
			"$status" "$name" "${execs:-?}" $(($(date +%s) - t0)) \
			"${corpus:-corp: ?}" "$(find "$seeds" -type f | wc -l)"
		if [ $status = FAIL ]; then
			grep -E 'ERROR|SUMMARY|runtime error|property failed|Test unit written|==[0-9]+==' "$log" |
				head -20 | sed 's/^/    /'
			echo "    (full log: $log)"
		fi
	} >"$results/$name.tmp"
	mv "$results/$name.tmp" "$results/$name"
}

# Each fuzzer is one process on one CPU: FUZZ_JOBS of them at a time
# (the number of CPUs), each still for SECONDS.
jobs=${FUZZ_JOBS:-$(nproc)}
running=0
for name in "${names[@]}"; do
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	fuzz "$name" &
	running=$((running + 1))
done
wait
failed=0
for name in "${names[@]}"; do
	cat "$results/$name" 2>/dev/null || echo "FAIL fuzz_$name: no result"
	grep -q '^PASS' "$results/$name" 2>/dev/null || failed=$((failed + 1))
done
echo "edgefw fuzz: ${#names[@]} fuzzers, $failed failed, ${seconds}s each"
[ $failed -eq 0 ]
