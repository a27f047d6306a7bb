#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The fuzz harnesses' seed corpus, regression cases included, replayed
# through the harnesses as `make tests` builds them (replay.c): every
# input of tests/fuzz/corpus/NAME/ through fuzz_NAME, whose properties
# must hold; in the sanitizer build (make test SANITIZE=1) under ASan and
# UBSan too. Needs no privileges and no kernel.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"

build=${EDGEFW_BUILD:-$top/build}
found=0
for corpus in "$top"/tests/fuzz/corpus/*/; do
	name=$(basename "$corpus")
	replay=$build/tests/fuzz/fuzz_$name
	found=$((found + 1))
	if [ ! -x "$replay" ]; then
		tap_result 1 "fuzz_$name: built (make tests)"
		continue
	fi
	inputs=$(find "$corpus" -type f | wc -l)
	out=$("$replay" "$corpus" 2>&1)
	rc=$?
	tap_result $rc "fuzz_$name: its $inputs seed inputs replay, every property holding"
	[ $rc -eq 0 ] || tap_diag "exit status $rc" "$(tail -30 <<<"$out")"
done
check "a seed corpus for each harness ($found)" -- test "$found" -ge 7
tap_done
