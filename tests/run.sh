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
#   EDGEFW_SANITIZER_LOGS   the directory where sanitizer reports land as
#                           report.PID (ASAN_OPTIONS and UBSAN_OPTIONS
#                           log_path=DIR/report, as `make test SANITIZE=1`
#                           sets them): a report a suite leaves fails it
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
patterns=("$@")
suite_timeout=${EDGEFW_SUITE_TIMEOUT:-600}
build=${EDGEFW_BUILD:-build}
build=${build%/}
pin_prefix=${EDGEFW_TEST_PIN_PREFIX:-/sys/fs/bpf/edgefw-test-}
san_logs=${EDGEFW_SANITIZER_LOGS:-}

if [ "$(id -u)" -ne 0 ]; then
	echo "tests/run.sh: the tests load BPF programs and create network namespaces: run as root (sudo make test)" >&2
	exit 1
fi

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

passed=0 failed=0 bad_suites=0
start=$(date +%s)
for suite in "${suites[@]}"; do
	name=${suite#"$build"/}
	name=${name#tests/}
	log="$logs/$(echo "$name" | tr / _).log"
	run_dir=$(mktemp -d /tmp/edgefw-test.XXXXXX)
	mkdir -p "$run_dir/run" "$run_dir/state"
	t0=$(date +%s)
	[ -z "$san_logs" ] || { mkdir -p "$san_logs" && rm -f "$san_logs"/report.*; }
	EDGEFW_PIN_DIR=$pin_prefix$(basename "$suite" .sh) \
		EDGEFW_RUN_DIR="$run_dir/run" \
		EDGEFW_STATE_DIR="$run_dir/state" \
		timeout --kill-after=10 "$suite_timeout" "$suite" >"$log" 2>&1
	rc=$?
	rm -rf "$run_dir"
	ok=$(grep -c '^ok ' "$log")
	notok=$(grep -c '^not ok ' "$log")
	plan=$(grep -cE '^1\.\.[0-9]+$' "$log")
	passed=$((passed + ok))
	failed=$((failed + notok))
	status=PASS
	if [ $rc -ne 0 ] || [ "$notok" -ne 0 ] || [ "$plan" -ne 1 ]; then
		status=FAIL
		bad_suites=$((bad_suites + 1))
		[ $rc -eq 124 ] && echo "# timed out after ${suite_timeout}s" >>"$log"
	fi
	reports=()
	[ -z "$san_logs" ] || reports=("$san_logs"/report.*)
	if [ ${#reports[@]} -gt 0 ] && [ -e "${reports[0]}" ]; then
		[ $status = FAIL ] || bad_suites=$((bad_suites + 1))
		status=FAIL
		for report in "${reports[@]}"; do
			echo "# sanitizer report $(basename "$report"):"
			sed 's/^/#   /' "$report"
		done >>"$log"
	fi
	printf '%s %-32s %4d passed %3d failed %4ds\n' "$status" "$name" \
		"$ok" "$notok" $(($(date +%s) - t0))
	if [ $status = FAIL ]; then
		grep -E '^(not ok|#|Bail out)' "$log" | head -40 | sed 's/^/    /'
		echo "    (full log: $log)"
	fi
done

total=$(($(date +%s) - start))
echo "edgefw tests: $passed passed, $failed failed, $bad_suites of ${#suites[@]} suites failed (${total}s)"
[ $bad_suites -eq 0 ] && [ ${#suites[@]} -gt 0 ]
