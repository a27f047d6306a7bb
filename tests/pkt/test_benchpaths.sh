#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bench's packet classes take the paths they are named for: the
# testrun harness (bench/testrun.c) in a tiny mode, a few hundred runs a
# class, against edgefw loaded from the bench's own config
# (bench/testrun-config.sh) in the edge namespace of tests/lib/topology.sh.
# After each class the harness checks the program's counters and state
# (a rule passed every admitted SYN, each took a token and made no flow,
# a new source made its bucket; over its limit is a ratelimit drop;
# established passes as a flow's; the host's SYN-ACK on egress passes as
# reply and opens its flow, established; the floods are policy drops that
# leave no state); this suite asserts every check held, and that the
# checks catch a class off its path (the admitted SYN under the example's
# own 20/s burst 40). No assertion is on a time: the numbers are the
# bench's (make bench).
# The listener classes are the events part of the testrun stage's own.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
BUILD=${EDGEFW_BUILD:-$top/build}
TESTRUN=$BUILD/bench/testrun
PREFIX=${EDGEFW_TEST_PREFIX:-efwbp-$$-}
REPEAT=300

traffic_use_private_directories benchpaths
WORK=$(mktemp -d /tmp/edgefw-benchpaths.XXXXXX) || exit 1
cleanup() {
	traffic_cleanup
	rm -rf "$WORK"
}
run_cleanup_on_exit cleanup

testrun() { # ARGS...: the harness on ext0's programs and the floors
	edge "$TESTRUN" --program "edgefw=link:$EDGEFW_PIN_DIR/xdp_ext0" \
		--program "edgefw=pin:$EDGEFW_PIN_DIR/tc_ext0" \
		--program "trivial=obj:$BUILD/bench/trivial.bpf.o:xdp_pass" \
		--program "trivial=obj:$BUILD/bench/trivial.bpf.o:tc_pass" \
		--vary "$BUILD/bench/vary.bpf.o" --ifindex ext0 \
		--repeat "$REPEAT" --rounds 1 "$@"
}

require_traffic_tools jq
if [ ! -x "$TESTRUN" ] || [ ! -f "$BUILD/bench/vary.bpf.o" ]; then
	tap_bail "no $TESTRUN or vary.bpf.o: run make tests"
fi
require_free_pin_directory
topology_up "$PREFIX" || tap_bail "cannot build the namespace topology"
bench/testrun-config.sh >"$WORK/bench.conf" || tap_bail "no bench config"
check_load_or_bail "$WORK/bench.conf"

# ---- every class, on its path ----
mapfile -t classes < <("$TESTRUN" --list | grep -v ', listener, ')
# without them every per-class check below would be skipped unseen
[ ${#classes[@]} -gt 0 ] || tap_bail "$TESTRUN --list gave no classes"
testrun >"$WORK/all.json" 2>"$WORK/all.err"
rc=$?
check_eq "the harness ran every class and found each on its path (exit 0)" \
	"$rc" 0
[ "$rc" -eq 0 ] || tap_diag "$(cat "$WORK/all.err")"
for class in "${classes[@]}"; do
	got=$(jq -r --arg c "$class" '
		[.results[] | select(.class == $c)] as $r
		| ($r[] | select(.program == "edgefw")) as $e
		| "\($e.path_check.ok) \($e.verdict) \($e.runs > 0) \([$r[] | select(.program == "trivial")] | length)"' \
		"$WORK/all.json")
	case "$class" in
	"partner SYN admitted"* | "partner SYN, new source"* | established* | \
		"SYN-ACK answering an admitted SYN"*)
		want="true pass true 1" ;;
	*) want="true drop true 1" ;;
	esac
	check_eq "$class: path checked, verdict, the floor measured beside it" \
		"$got" "$want"
	[ "$got" = "$want" ] && continue
	tap_diag "$(jq -c --arg c "$class" '.results[] | select(.class == $c and .program == "edgefw") | .path_check' "$WORK/all.json")"
done
check_eq "a varied class ran through the wrapper, a repeated one did not" \
	"$(jq -r '[.results[] | select(.program == "edgefw")
		| select(.class == "partner SYN admitted v4" or .class == "established v4")
		| .wrapped] | map(tostring) | join(" ")' "$WORK/all.json")" \
	"true false"
check_eq "the SYN-ACK classes ran on the TC programs, the others on XDP" \
	"$(jq -r '[.results[] | (.class | startswith("SYN-ACK")) as $a
		| "\($a):\(.hook)"] | unique | join(" ")' "$WORK/all.json")" \
	"false:xdp true:tc"

# ---- a class off its path is caught ----
# Under the example's limit (20/s burst 40) a source's SYNs are spent
# after 40: "partner SYN admitted" would time ratelimit drops.
check "reload with examples/lync-xmpp.conf" -- \
	edge "$EDGEFW" reload -c examples/lync-xmpp.conf
testrun --class "partner SYN admitted v4" >"$WORK/off.json" 2>"$WORK/off.err"
check_eq "the harness fails (exit 2) when a class leaves its path" "$?" 2
check_match "it says which class and why" "$(cat "$WORK/off.err")" \
	'partner SYN admitted v4 did not take its path .*(runs took a token of [0-9]+ buckets|runs passed by a rule)'
check_eq "the result records the failed check" \
	"$(jq -r '.off_path, (.results[] | select(.program == "edgefw") | .path_check.ok)' "$WORK/off.json" | tr '\n' ' ')" \
	"1 false "

tap_done
