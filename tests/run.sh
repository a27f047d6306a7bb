#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs every test suite of edgefw and prints one summary line at the end.
# Suites: build/tests/*/test_* (C, built by `make tests`) and
# tests/*/test_*.sh. Each prints TAP; each runs under a time limit and in
# private pin, runtime and state directories.
# Usage: tests/run.sh [PATTERN...]   only the suites whose path has one
# Environment:
#   EDGEFW_BUILD            the build directory whose binaries run (build;
#                           build-san for `make test SANITIZE=1`); the logs
#                           go to its test-logs/
#   EDGEFW_TEST_PIN_PREFIX  the suites' pin directories are this followed
#                           by the suite's name (/sys/fs/bpf/edgefw-test-):
#                           runs at the same time on one machine each need
#                           their own
#   EDGEFW_SUITE_TIMEOUT    seconds a suite may take (600)
#   EDGEFW_TEST_JOBS        suites run at the same time (1); CI runs 2 on
#                           its 2 CPUs, where most suites use one
#   EDGEFW_SANITIZER_LOGS   the directory where sanitizer reports land as
#                           report.PID (ASAN_OPTIONS and UBSAN_OPTIONS
#                           log_path=DIR/report, as `make test SANITIZE=1`
#                           sets them): each suite's go to DIR/SUITE/, and
#                           a report a suite leaves fails it
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
patterns=("$@")
suite_timeout=${EDGEFW_SUITE_TIMEOUT:-600}
jobs=${EDGEFW_TEST_JOBS:-1}
build=${EDGEFW_BUILD:-build}
build=${build%/}
pin_prefix=${EDGEFW_TEST_PIN_PREFIX:-/sys/fs/bpf/edgefw-test-}
san_logs=${EDGEFW_SANITIZER_LOGS:-}

if [ "$(id -u)" -ne 0 ]; then
	echo "tests/run.sh: the tests load BPF programs and create network namespaces: run as root (sudo make test)" >&2
	exit 1
fi

case "$jobs" in
[1-9] | [1-9][0-9]) ;;
*)
	echo "tests/run.sh: EDGEFW_TEST_JOBS must be a number from 1 to 99: $jobs" >&2
	exit 1
	;;
esac
case "$pin_prefix" in
/sys/fs/bpf/?*) ;;
*)
	echo "tests/run.sh: EDGEFW_TEST_PIN_PREFIX must lie under /sys/fs/bpf: $pin_prefix" >&2
	exit 1
	;;
esac
case "$build" in
/*) ;;
*) build=$top/$build ;;
esac
if [ ! -x "$build/edgefw" ]; then
	echo "tests/run.sh: no $build/edgefw: build it first (make tests)" >&2
	exit 1
fi

export EDGEFW="$build/edgefw" EDGEFW_BUILD="$build"
logs="$build/test-logs"
mkdir -p "$logs"

suites=()
for f in "$build"/tests/*/test_* tests/*/test_*.sh; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	case "$f" in *.o | *.d) continue ;; esac
	wanted=$((${#patterns[@]} == 0))
	for p in "${patterns[@]}"; do
		[[ "$f" == *$p* ]] && wanted=1
	done
	[ $wanted -eq 1 ] && suites+=("$f")
done

# The suites run `jobs` at a time, each on its own (a suite's pins, run
# and state directories, namespaces and loopback addresses are its own);
# its line is printed when it ends, the summary when all have.
results=$(mktemp -d /tmp/edgefw-results.XXXXXX)
trap 'rm -rf "$results"' EXIT

# CPU_MS: the CPU milliseconds (user + system) of the processes this
# shell has waited for, from bash's times, which counts only the calling
# shell's children: beside the wall time, it says which suites wait and
# which compute.
children_cpu() { # FILE
	times >"$1"
	CPU_MS=$(awk 'function ms(t, m) { split(t, m, /[ms]/); return (m[1] * 60 + m[2]) * 1000 }
		NR == 2 { printf "%d\n", ms($1) + ms($2) }' "$1")
}

# kill_leftovers PIN_DIR: after a suite timed out, what it started and
# what the time limit's signals missed (a process of another process group,
# such as an inner timeout's) is killed, found by the pin directory in its
# environment, and the pins go; else a hung process spins on through the
# suites after it (as a hung sanitized edgefw did, at 98% of a CPU).
kill_leftovers() {
	local env pid
	for env in /proc/[0-9]*/environ; do
		pid=${env#/proc/}
		pid=${pid%/environ}
		tr '\0' '\n' <"$env" 2>/dev/null | grep -qxF "EDGEFW_PIN_DIR=$1" &&
			kill -KILL "$pid" 2>/dev/null
	done
	rm -rf "$1"
}

# run_suite N SUITE: runs in a subshell of its own; writes $results/N,
# the suite's line and, if it failed, what the log says.
run_suite() {
	local n=$1 suite=$2 name log run_dir t0 cpu0 rc ok notok plan status reports report san_dir asan ubsan
	name=${suite#"$build"/}
	name=${name#tests/}
	log="$logs/$(echo "$name" | tr / _).log"
	run_dir=$(mktemp -d /tmp/edgefw-test.XXXXXX)
	mkdir -p "$run_dir/run" "$run_dir/state"
	t0=$(date +%s)
	children_cpu "$results/$n.times"
	cpu0=$CPU_MS
	if [ -n "$san_logs" ]; then
		# each suite's reports apart: the suites beside it leave theirs
		san_dir=$san_logs/$(echo "$name" | tr / _)
		rm -rf "$san_dir" && mkdir -p "$san_dir"
		asan=${ASAN_OPTIONS:-} ubsan=${UBSAN_OPTIONS:-}
		export ASAN_OPTIONS=${asan//log_path=$san_logs\/report/log_path=$san_dir\/report}
		export UBSAN_OPTIONS=${ubsan//log_path=$san_logs\/report/log_path=$san_dir\/report}
	fi
	EDGEFW_PIN_DIR=$pin_prefix$(basename "$suite" .sh) \
		EDGEFW_RUN_DIR="$run_dir/run" \
		EDGEFW_STATE_DIR="$run_dir/state" \
		timeout --kill-after=10 "$suite_timeout" "$suite" >"$log" 2>&1
	rc=$?
	[ $rc -ne 124 ] && [ $rc -ne 137 ] ||
		kill_leftovers "$pin_prefix$(basename "$suite" .sh)"
	rm -rf "$run_dir"
	ok=$(grep -c '^ok ' "$log")
	notok=$(grep -c '^not ok ' "$log")
	plan=$(grep -cE '^1\.\.[0-9]+$' "$log")
	status=PASS
	if [ $rc -ne 0 ] || [ "$notok" -ne 0 ] || [ "$plan" -ne 1 ]; then
		status=FAIL
		[ $rc -eq 124 ] && echo "# timed out after ${suite_timeout}s" >>"$log"
	fi
	reports=()
	[ -z "$san_logs" ] || reports=("$san_dir"/report.*)
	if [ ${#reports[@]} -gt 0 ] && [ -e "${reports[0]}" ]; then
		status=FAIL
		for report in "${reports[@]}"; do
			echo "# sanitizer report $(basename "$report"):"
			sed 's/^/#   /' "$report"
		done >>"$log"
	fi
	children_cpu "$results/$n.times"
	{
		echo "$status $ok $notok"
		printf '%s %-32s %4d passed %3d failed %4ds %4ds cpu\n' "$status" "$name" \
			"$ok" "$notok" $(($(date +%s) - t0)) $(((CPU_MS - cpu0 + 500) / 1000))
		if [ $status = FAIL ]; then
			grep -E '^(not ok|#|Bail out)' "$log" | head -40 | sed 's/^/    /'
			echo "    (full log: $log)"
		fi
	} >"$results/$n.tmp"
	mv "$results/$n.tmp" "$results/$n"
}

# Prints and counts the suites that have ended since the last call.
passed=0 failed=0 bad_suites=0 reported=0
declare -A done_suites=()
report_ended() {
	local n status ok notok
	for n in "${!suites[@]}"; do
		[ -z "${done_suites[$n]:-}" ] && [ -e "$results/$n" ] || continue
		done_suites[$n]=1
		reported=$((reported + 1))
		read -r status ok notok <"$results/$n"
		passed=$((passed + ok))
		failed=$((failed + notok))
		[ "$status" = PASS ] || bad_suites=$((bad_suites + 1))
		tail -n +2 "$results/$n"
	done
}

start=$(date +%s)
running=0
for n in "${!suites[@]}"; do
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
		report_ended
	fi
	run_suite "$n" "${suites[$n]}" &
	running=$((running + 1))
done
wait
report_ended

total=$(($(date +%s) - start))
echo "edgefw tests: $passed passed, $failed failed, $bad_suites of ${#suites[@]} suites failed (${total}s)"
[ $bad_suites -eq 0 ] && [ ${#suites[@]} -gt 0 ] && [ $reported -eq ${#suites[@]} ]
