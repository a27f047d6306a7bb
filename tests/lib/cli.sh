# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for the shell suites that drive the edgefw command line inside a
# network namespace of their own. Source tests/lib/tap.sh first.
#
# The caller sets:
#   EDGEFW   the binary
#   NS       the name of its network namespace (under /run/netns)
#   WORK     a private scratch directory (stderr of the last run goes there)
# run_edgefw_in_ns sets OUT, ERR and RC, which expect_result reads.
#
# Kernel state is read with ip and tc inside the namespace, and with
# bpftool on the suite's own pins only: never from global BPF listings,
# because other suites run at the same time.

OUT=''
ERR=''
RC=0

# cli_use_private_directories SUITE: tests/run.sh gives each suite its own
# pin, runtime and state directories; a run by hand gets its own too, never
# the real /sys/fs/bpf/edgefw, /run/edgefw and /var/lib/edgefw, since the
# suites delete what they find there. Sets CLI_OWN_DIRS to the directories
# it created, for cli_remove_own_directories.
CLI_OWN_DIRS=()
cli_use_private_directories() {
	local suite=$1
	EDGEFW_PIN_DIR=${EDGEFW_PIN_DIR:-/sys/fs/bpf/edgefw-test-$suite}
	EDGEFW_PIN_DIR=${EDGEFW_PIN_DIR%/}
	case "$EDGEFW_PIN_DIR" in
	/sys/fs/bpf/edgefw | *..*)
		tap_bail "EDGEFW_PIN_DIR=$EDGEFW_PIN_DIR is not a private pin directory" ;;
	/sys/fs/bpf/?*) ;;
	*) tap_bail "EDGEFW_PIN_DIR must be under /sys/fs/bpf: $EDGEFW_PIN_DIR" ;;
	esac
	if [ -z "${EDGEFW_RUN_DIR:-}" ]; then
		EDGEFW_RUN_DIR=$(mktemp -d "/tmp/edgefw-$suite-run.XXXXXX") ||
			tap_bail "cannot create a runtime directory"
		CLI_OWN_DIRS+=("$EDGEFW_RUN_DIR")
	fi
	if [ -z "${EDGEFW_STATE_DIR:-}" ]; then
		EDGEFW_STATE_DIR=$(mktemp -d "/tmp/edgefw-$suite-state.XXXXXX") ||
			tap_bail "cannot create a state directory"
		CLI_OWN_DIRS+=("$EDGEFW_STATE_DIR")
	fi
	EDGEFW_RUN_DIR=${EDGEFW_RUN_DIR%/}
	EDGEFW_STATE_DIR=${EDGEFW_STATE_DIR%/}
	[ "$EDGEFW_RUN_DIR" != /run/edgefw ] ||
		tap_bail "EDGEFW_RUN_DIR=/run/edgefw is not a private runtime directory"
	[ "$EDGEFW_STATE_DIR" != /var/lib/edgefw ] ||
		tap_bail "EDGEFW_STATE_DIR=/var/lib/edgefw is not a private state directory"
	export EDGEFW_PIN_DIR EDGEFW_RUN_DIR EDGEFW_STATE_DIR
}

cli_remove_own_directories() {
	local dir
	for dir in "${CLI_OWN_DIRS[@]}"; do
		rm -rf "$dir"
	done
}

# run_capturing COMMAND...: runs it; sets OUT, ERR and RC.
run_capturing() {
	OUT=$("$@" 2>"$WORK/stderr")
	RC=$?
	ERR=$(cat "$WORK/stderr")
}

# Runs edgefw inside the namespace; sets OUT, ERR and RC. nsenter, not
# `ip netns exec`, whose private /sys hides the pins (edgefw refuses).
run_edgefw_in_ns() {
	run_capturing nsenter --net="/run/netns/$NS" "$EDGEFW" "$@"
}

# expect_result DESCRIPTION STATUS [STDERR-REGEX]: the last run's status
# and what it said on stderr, one check; the run's output when it fails.
expect_result() {
	local desc=$1 want=$2 regex=${3:-} ok=0
	[ "$RC" -eq "$want" ] || ok=1
	if [ -n "$regex" ] && ! printf '%s' "$ERR" | grep -Eq -- "$regex"; then
		ok=1
	fi
	tap_result $ok "$desc"
	if [ $ok -ne 0 ]; then
		tap_diag "exit status $RC, want $want" "stdout: $OUT" "stderr: $ERR"
		[ -z "$regex" ] || tap_diag "stderr should match: $regex"
	fi
}

# negate, and the bounded waits
# shellcheck source=tests/lib/wait.sh
. "$(dirname "${BASH_SOURCE[0]}")/wait.sh"

# native, generic, other or none; "unknown" when the interface cannot be
# read, so that a vanished interface never passes for a clean one.
xdp_mode_of() {
	local out
	out=$(ip -n "$NS" link show dev "$1" 2>&1) || {
		echo unknown
		return
	}
	case "${out%%$'\n'*}" in
	*" xdpgeneric "*) echo generic ;;
	*" xdp "*) echo native ;;
	*" xdpoffload "* | *" xdpmulti "*) echo other ;;
	*) echo none ;;
	esac
}

# The id of the XDP program on an interface, empty when there is none.
xdp_prog_id() {
	ip -n "$NS" -d link show dev "$1" |
		sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'
}

# The id of edgefw's TC egress program on an interface, empty when none.
tc_prog_id() {
	tc -n "$NS" filter show dev "$1" egress |
		sed -n 's/.*handle 0xedf .* id \([0-9]*\) name edgefw_tc.*/\1/p'
}

# present or absent: edgefw's filter (its handle and program name).
edgefw_filter_of() {
	local out
	out=$(tc -n "$NS" filter show dev "$1" egress 2>&1) || {
		echo unknown
		return
	}
	if grep -Eq 'handle 0xedf .*name edgefw_tc' <<<"$out"; then
		echo present
	else
		echo absent
	fi
}

# The prefixes of the suite's pinned blocklist map, one a line, sorted:
# a.b.c.d/LEN or eight hex groups/LEN (not compressed). Prints
# "unreadable" when the map cannot be dumped, so that a missing map never
# passes for an empty one.
kernel_blocklist() {
	local dump
	dump=$(bpftool -j map dump pinned "$EDGEFW_PIN_DIR/blocklist" 2>/dev/null) || {
		echo unreadable
		return
	}
	jq -r '
		def hex: [recurse(if . >= 16 then (. / 16 | floor) else empty end) | . % 16]
			| reverse | map("0123456789abcdef"[.:.+1]) | join("");
		.[] | .formatted.key | (.prefixlen - 32) as $len
		| if .family == 4 then "\(.addr.b[0:4] | map(tostring) | join("."))/\($len)"
		  else "\([range(0; 8) as $i | .addr.b[2 * $i] * 256 + .addr.b[2 * $i + 1] | hex] | join(":"))/\($len)"
		  end' <<<"$dump" 2>/dev/null | sort || echo unreadable
}
