# SPDX-License-Identifier: GPL-2.0
# TAP output for edgefw's shell tests; source it, call the checks, end
# with tap_done. tests/run.sh reads the output.

TAP_RUN=0
TAP_FAILED=0

tap_result() { # OK(0|1) DESCRIPTION...
	local ok=$1
	shift
	TAP_RUN=$((TAP_RUN + 1))
	if [ "$ok" -eq 0 ]; then
		echo "ok $TAP_RUN - $*"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_RUN - $*"
	fi
}

tap_diag() {
	printf '%s\n' "$@" | sed 's/^/#   /'
}

# check DESCRIPTION -- COMMAND...: passes when COMMAND exits 0.
check() {
	local desc=$1 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	tap_result $rc "$desc"
	[ $rc -eq 0 ] || tap_diag "command: $*" "exit status $rc" "$out"
	return $rc
}

# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then
		tap_result 0 "$1"
	else
		tap_result 1 "$1"
		tap_diag "got:  $2" "want: $3"
	fi
}

# check_match DESCRIPTION TEXT EXTENDED-REGEX
check_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then
		tap_result 0 "$1"
	else
		tap_result 1 "$1"
		tap_diag "wanted a match for: $3" "in: $2"
	fi
}

tap_bail() {
	echo "Bail out! $*"
	exit 1
}

tap_done() {
	echo "1..$TAP_RUN"
	[ "$TAP_FAILED" -eq 0 ] && [ "$TAP_RUN" -gt 0 ]
}
