#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/run.sh itself, on a scratch tree of its own: a suite that outlives
# its time limit fails as timed out, and what it left (a process in a
# process group of its own, as an inner timeout makes, and its pins) is
# gone after it, so that a hung suite does not spin on through the others.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"

PIN_PREFIX=${EDGEFW_PIN_DIR:-/sys/fs/bpf/edgefw-test-runner}-inner-
# A sleep no other process runs: its length names it.
MARK=$((7000000 + $$ % 1000000))
WORK=''

cleanup() {
	pkill -KILL -f "sleep $MARK" 2>/dev/null
	rm -rf "${PIN_PREFIX}test_hang"
	[ -z "$WORK" ] || rm -rf "$WORK"
}
trap cleanup EXIT

WORK=$(mktemp -d /tmp/edgefw-runner.XXXXXX) || tap_bail "no scratch directory"
mkdir -p "$WORK/tests/x" "$WORK/build" || tap_bail "cannot make the scratch tree"
cp "$top/tests/run.sh" "$WORK/tests/" || tap_bail "cannot copy tests/run.sh"
printf '#!/bin/sh\n' >"$WORK/build/edgefw" # run.sh wants a build
chmod +x "$WORK/build/edgefw"
# The suite: pins, then an inner timeout that outlasts the time limit.
cat >"$WORK/tests/x/test_hang.sh" <<EOF
#!/usr/bin/env bash
mkdir -p "\$EDGEFW_PIN_DIR"
echo "1..1"
timeout -s INT 600 sleep $MARK
echo "ok 1 - woke"
EOF
chmod +x "$WORK/tests/x/test_hang.sh"

out=$(env -u EDGEFW_BUILD -u EDGEFW_SANITIZER_LOGS -u EDGEFW_TEST_JOBS \
	EDGEFW_SUITE_TIMEOUT=2 EDGEFW_TEST_PIN_PREFIX="$PIN_PREFIX" \
	"$WORK/tests/run.sh" 2>&1)
rc=$?
check "a suite over its time limit fails the run (exit $rc)" -- test "$rc" -ne 0
check_match "  ...and is reported as timed out" "$out" "timed out after 2s"
sleep 0.5 # what KILL leaves: the kernel's reaping
leftovers=$(pgrep -f "sleep $MARK" | wc -l)
check_eq "  ...and no process it started is left (its inner timeout's sleep)" \
	"$leftovers" 0
check "  ...and its pin directory is gone" -- test ! -e "${PIN_PREFIX}test_hang"

tap_done
