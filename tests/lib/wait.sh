# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Bounded waits, for the suites (through tests/lib/traffic.sh and cli.sh),
# tests/lib/pool.sh and the bench's pool stage. Nothing here prints or
# checks: a wait that runs out returns 1.

# Milliseconds since the epoch, from the shell's own clock.
now_ms() {
	local t=${EPOCHREALTIME//[.,]/}
	echo $((t / 1000))
}

# wait_until SECONDS COMMAND...: polls every 20 ms, by the clock; sets
# WAITED_MS, from WAIT_FROM_MS when it is set (the moment of the change),
# else from now. COMMAND runs anew each time: use a function, not "$(...)"
# arguments.
WAITED_MS=0
WAIT_FROM_MS=''
wait_until() {
	local limit=$1 t0=${WAIT_FROM_MS:-$(now_ms)}
	shift
	WAIT_FROM_MS=''
	while ! "$@"; do
		WAITED_MS=$(($(now_ms) - t0))
		[ "$WAITED_MS" -lt $((limit * 1000)) ] || return 1
		sleep 0.02
	done
	WAITED_MS=$(($(now_ms) - t0))
}

# wait_for SECONDS COMMAND...: polls every 50 ms, SECONDS x 20 times at
# the most; a slow COMMAND makes the wait longer, never shorter.
wait_for() {
	local n=$(($1 * 20))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.05
	done
}

negate() { ! "$@"; }
