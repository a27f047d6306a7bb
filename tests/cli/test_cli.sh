#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The edgefw command line end to end, as root: `check`, the privilege
# checks, and load / status / unload in a network namespace of this suite's
# own, including each way a load can fail and what it must leave behind
# (design.md §3, §4). Kernel state is read with ip and tc inside the
# namespace only, never from global BPF listings: other suites run at the
# same time.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
# Running edgefw in the namespace, reading what it attached, and the
# private directories (cli_use_private_directories): shared with
# test_state.sh.
. "$top/tests/lib/cli.sh"

EDGEFW=${EDGEFW:-$top/build/edgefw}
NS=efwc-$$
NS_PATH=/run/netns/$NS
WORK=''
# The interfaces the namespace has; NO_NATIVE_IF is set up by
# add_iface_without_native_xdp.
EXT_IF=ext0
INT_IF=int0
NO_NATIVE_IF=nox0
IFACES=("$EXT_IF" "$INT_IF" "$NO_NATIVE_IF")

# ---------------------------------------------------------------------------
# Set-up and clean-up

require_tools() {
	local tool
	for tool in ip tc nsenter setpriv clang jq; do
		command -v "$tool" >/dev/null ||
			tap_bail "$tool is missing (see the packages this suite needs)"
	done
	[ "$(id -u)" -eq 0 ] || tap_bail "run as root: the suite loads BPF programs"
	[ -x "$EDGEFW" ] || tap_bail "$EDGEFW is not built (make)"
}

# What edgefw keeps outside the namespace, whatever state it was left in.
remove_pins_and_state() {
	rm -rf "$EDGEFW_PIN_DIR"
	rm -f "$EDGEFW_RUN_DIR/state.json" "$EDGEFW_RUN_DIR/loaded.conf"
}

cleanup() {
	# Pins live on the host's bpffs and outlive the namespace: let edgefw
	# detach what it can, then delete the namespace and whatever is left.
	if [ -e "$NS_PATH" ]; then
		nsenter --net="$NS_PATH" "$EDGEFW" unload >/dev/null 2>&1
		ip netns del "$NS"
	fi
	remove_pins_and_state
	cli_remove_own_directories
	[ -z "$WORK" ] || rm -rf "$WORK"
}

# dummy has no native XDP; kernels built without it get ifb, which has none
# either, or a macvlan.
add_iface_without_native_xdp() {
	ip -n "$NS" link add "$NO_NATIVE_IF" type dummy 2>/dev/null ||
		ip -n "$NS" link add "$NO_NATIVE_IF" type ifb 2>/dev/null ||
		ip -n "$NS" link add "$NO_NATIVE_IF" link "$EXT_IF" type macvlan
}

create_interfaces() {
	local ifc
	ip -n "$NS" link set lo up || return 1
	ip -n "$NS" link add "$EXT_IF" type veth peer name "${EXT_IF}p" || return 1
	ip -n "$NS" link add "$INT_IF" type veth peer name "${INT_IF}p" || return 1
	add_iface_without_native_xdp || return 1
	for ifc in "$EXT_IF" "${EXT_IF}p" "$INT_IF" "${INT_IF}p" "$NO_NATIVE_IF"; do
		ip -n "$NS" link set "$ifc" up || return 1
	done
	# ext0's addresses come from the NIC; int0's from the config, which
	# names another one than the NIC has, to tell the two apart.
	ip -n "$NS" addr add 192.0.2.1/24 dev "$EXT_IF" || return 1
	ip -n "$NS" addr add 2001:db8:1::1/64 dev "$EXT_IF" nodad || return 1
	ip -n "$NS" addr add 10.1.0.99/24 dev "$INT_IF"
}

setup_namespace() {
	ip netns add "$NS" || tap_bail "cannot create network namespace $NS"
	create_interfaces || tap_bail "cannot set up the interfaces of $NS"
}

# An XDP and a TC program that pass everything: another user of the hooks.
build_foreign_programs() {
	cat >"$WORK/pass_xdp.c" <<-'EOF'
		__attribute__((section("xdp"), used)) int foreign_xdp(void *ctx)
		{
			return 2; /* XDP_PASS */
		}
		char _license[] __attribute__((section("license"), used)) = "GPL";
	EOF
	cat >"$WORK/pass_tc.c" <<-'EOF'
		__attribute__((section("tc"), used)) int foreign_tc(void *ctx)
		{
			return 0; /* TC_ACT_OK */
		}
		char _license[] __attribute__((section("license"), used)) = "GPL";
	EOF
	local prog
	for prog in pass_xdp pass_tc; do
		clang -O2 -g -target bpf -c "$WORK/$prog.c" -o "$WORK/$prog.o" ||
			tap_bail "cannot compile $prog.c with clang"
	done
}

write_configs() {
	cat >"$WORK/good.conf" <<-EOF
		# ext0's addresses are read from the NIC, int0's are given.
		interface $EXT_IF role external
		interface $INT_IF role internal address 10.1.0.10
		set partners { 203.0.113.0/24, 2001:db8:77::/48 }
		set frontends { 10.1.1.0/28 }
		rule s2s-in  external in  tcp 5269  from partners to self
		rule s2s-out external out tcp 5269  to partners
		rule gw-in   internal in  tcp 23456 from frontends to self
		rule dns-out external out udp,tcp 53
		policy internal out pass
	EOF
	printf 'interface %s role external\nrule a external in tcp 0\n' \
		"$EXT_IF" >"$WORK/bad.conf"
	printf 'interface nosuch0 role external\n' >"$WORK/missing.conf"
	printf 'interface %s role external\ninterface nosuch1 role internal\n' \
		"$EXT_IF" >"$WORK/missing-second.conf"
	printf 'interface %s role external\n' "$NO_NATIVE_IF" >"$WORK/no-native.conf"
	# setpriv's nobody must be able to read them.
	chmod 755 "$WORK"
	chmod 644 "$WORK"/*.conf
}

# ---------------------------------------------------------------------------
# Running edgefw

# Runs edgefw in this shell's namespace; sets OUT, ERR and RC.
run_edgefw() {
	run_capturing "$EDGEFW" "$@"
}

# As nobody, without any capability, inside the test namespace (so that
# an edgefw that forgot to check could only touch the namespace).
run_edgefw_unprivileged() {
	run_capturing nsenter --net="$NS_PATH" setpriv --reuid=nobody --regid=nogroup \
		--clear-groups --inh-caps=-all --bounding-set=-all "$EDGEFW" "$@"
}

# ---------------------------------------------------------------------------
# Reading the kernel's state in the namespace (xdp_mode_of, xdp_prog_id and
# edgefw_filter_of come from tests/lib/cli.sh)

# present or absent; "unknown" when the interface cannot be read, so that
# a vanished interface never passes for a clean one.
clsact_of() {
	local out
	out=$(tc -n "$NS" qdisc show dev "$1" 2>&1) || {
		echo unknown
		return
	}
	if grep -q '^qdisc clsact' <<<"$out"; then
		echo present
	else
		echo absent
	fi
}

pins_exist() {
	[ -e "$EDGEFW_PIN_DIR" ]
}

state_files_exist() {
	[ -e "$EDGEFW_RUN_DIR/state.json" ] || [ -e "$EDGEFW_RUN_DIR/loaded.conf" ]
}

# Links with their XDP programs, qdiscs and filters of every interface.
kernel_snapshot() {
	local ifc
	for ifc in "${IFACES[@]}"; do
		ip -n "$NS" -d link show dev "$ifc"
		tc -n "$NS" qdisc show dev "$ifc"
		tc -n "$NS" filter show dev "$ifc" egress
		tc -n "$NS" filter show dev "$ifc" ingress
	done 2>&1
}

# expect_unchanged WHAT SNAPSHOT: the kernel is as in SNAPSHOT, and edgefw
# left no pins and no state behind.
expect_unchanged() {
	local what=$1 before=$2 after
	after=$(kernel_snapshot)
	if [ "$after" = "$before" ]; then
		tap_result 0 "$what: interfaces, qdiscs and filters unchanged"
	else
		tap_result 1 "$what: interfaces, qdiscs and filters unchanged"
		tap_diag "changes (diff before after):" \
			"$(diff <(echo "$before") <(echo "$after"))"
	fi
	check "$what: no pin directory" -- negate pins_exist
	check "$what: no state file or config snapshot" -- negate state_files_exist
}

# expect_clean WHAT IFACE...: no XDP program, edgefw filter or clsact qdisc.
expect_clean() {
	local what=$1 ifc
	shift
	for ifc in "$@"; do
		check_eq "$what: no XDP program on $ifc" "$(xdp_mode_of "$ifc")" none
		check_eq "$what: no edgefw filter on $ifc egress" "$(edgefw_filter_of "$ifc")" absent
		check_eq "$what: no clsact qdisc on $ifc" "$(clsact_of "$ifc")" absent
	done
}

# Whatever a failed test left loaded must not spill into the next one.
reset_namespace() {
	nsenter --net="$NS_PATH" "$EDGEFW" unload >/dev/null 2>&1
	local ifc
	for ifc in "${IFACES[@]}"; do
		ip -n "$NS" link set dev "$ifc" xdp off 2>/dev/null
		ip -n "$NS" link set dev "$ifc" xdpgeneric off 2>/dev/null
		tc -n "$NS" qdisc del dev "$ifc" clsact 2>/dev/null
	done
	remove_pins_and_state
}

# ---------------------------------------------------------------------------
# check

# check_error_class NAME CONFIG-TEXT MESSAGE...: `check` of the text exits
# 2 and prints exactly FILE:MESSAGE lines on stderr.
check_error_class() {
	local name=$1 text=$2 file want message
	shift 2
	file="$WORK/err-$(echo "$name" | tr -c 'a-z0-9\n' '-').conf"
	printf '%b' "$text" >"$file"
	want=$(for message in "$@"; do printf '%s:%s\n' "$file" "$message"; done)
	run_edgefw check -c "$file"
	if [ "$RC" -eq 2 ] && [ "$ERR" = "$want" ] && [ -z "$OUT" ]; then
		tap_result 0 "check: $name exits 2 with FILE:LINE:COL: message"
	else
		tap_result 1 "check: $name exits 2 with FILE:LINE:COL: message"
		tap_diag "exit status $RC" "stdout: $OUT" "stderr: $ERR" "want: $want"
	fi
}

test_check_valid() {
	local example="$top/examples/lync-xmpp.conf"

	run_edgefw check -c "$example"
	expect_result "check: the example exits 0" 0
	check_eq "check: the example's summary" "$OUT" \
		"$example: OK: enforce mode, 2 interfaces, 4 rules, 2 sets with 3 prefixes"
	check_eq "check: nothing on stderr for the example" "$ERR" ""

	run_edgefw check -c "$WORK/good.conf"
	expect_result "check: good.conf exits 0" 0
	check_eq "check: good.conf's summary" "$OUT" \
		"$WORK/good.conf: OK: enforce mode, 2 interfaces, 4 rules, 2 sets with 3 prefixes"

	# The pool (README, Pool): printed as the config says, one line.
	printf 'interface e role external\npool etcd http://192.0.2.1:2379 ,http://[2001:db8::1]:2379 prefix /edgefw/p1\n' \
		>"$WORK/pool.conf"
	run_edgefw check -c "$WORK/pool.conf"
	expect_result "check: a pool exits 0" 0
	check_eq "check: the pool printed after the summary" "$OUT" \
		"$WORK/pool.conf: OK: enforce mode, 1 interfaces, 0 rules, 0 sets with 0 prefixes
pool etcd http://192.0.2.1:2379, http://[2001:db8::1]:2379 prefix /edgefw/p1"

	# A warning is not an error: the config is still valid.
	printf 'interface e role external\nset a { 10.0.0.0/8, 10.0.0.0/8 }\n' \
		>"$WORK/warn.conf"
	run_edgefw check -c "$WORK/warn.conf"
	expect_result "check: a duplicate prefix only warns, exit 0" 0 \
		"^$WORK/warn.conf:2:1: warning: set a lists 10.0.0.0/8 more than once\$"
}

test_check_errors() {
	local ifline='interface e role external\n' names
	names="use up to 31 letters, digits, '_', '-' or '.', starting with a letter (not 'any' or 'self')"

	check_error_class "unknown statement" "${ifline}foo bar\n" \
		"2:1: expected a statement (mode, interface, set, rule, policy, fragments, flows, icmp, events, metrics, partners, control or pool), found 'foo'"
	check_error_class "pool endpoint not a URL" "${ifline}pool etcd 192.0.2.1:2379 prefix /p\n" \
		"2:11: pool: '192.0.2.1:2379' is not a URL: expected http://HOST:PORT or https://HOST:PORT, such as http://127.0.0.1:2379"
	check_error_class "unknown set" "${ifline}rule a external in tcp 1 from nope\n" \
		"2:31: unknown set 'nope'"
	check_error_class "rule for a role no interface has" \
		"${ifline}rule a internal in tcp 1\n" \
		"2:8: rule a is for role internal, but no interface has that role"
	check_error_class "duplicate rule" \
		"${ifline}rule a external in tcp 1\nrule a external in tcp 2\n" \
		"3:6: rule a is defined twice (first on line 2)"
	check_error_class "duplicate set" \
		"${ifline}set a { 10.0.0.0/8 }\nset a { 10.0.0.0/8 }\n" \
		"3:5: set a is defined twice (first on line 2)"
	check_error_class "duplicate interface" "${ifline}interface e role internal\n" \
		"2:11: interface e is configured twice (first on line 1)"
	check_error_class "duplicate mode" "${ifline}mode enforce\nmode monitor\n" \
		"3:1: mode is set twice"
	check_error_class "duplicate policy" \
		"${ifline}policy external in drop\npolicy external in pass\n" \
		"3:1: policy external in is set twice"
	check_error_class "duplicate fragments" \
		"${ifline}fragments internal pass\nfragments internal drop\n" \
		"3:1: fragments internal is set twice"
	check_error_class "port 0" "${ifline}rule a external in tcp 0\n" \
		"2:24: port 0 out of range (1-65535)"
	check_error_class "port 65536" "${ifline}rule a external in udp 1-65536\n" \
		"2:24: port 65536 out of range (1-65535)"
	check_error_class "malformed port" "${ifline}rule a external in tcp 53,5x69\n" \
		"2:27: malformed port '5x69'"
	check_error_class "empty port range" "${ifline}rule a external in tcp 5100-5000\n" \
		"2:24: empty port range 5100-5000"
	check_error_class "ports with icmp" "${ifline}rule a external in icmp 8\n" \
		"2:25: ports apply to tcp and udp only"
	check_error_class "malformed prefix" \
		"${ifline}rule a external in tcp 1 from 10.0.0/8\n" \
		"2:31: malformed prefix '10.0.0/8'"
	check_error_class "IPv4 prefix length out of range" \
		"${ifline}rule a external in tcp 1 to 10.0.0.0/33\n" \
		"2:29: prefix length 33 out of range for IPv4 (0-32) in '10.0.0.0/33'"
	check_error_class "IPv6 prefix length out of range" \
		"${ifline}set a { 2001:db8::/129 }\n" \
		"2:9: prefix length 129 out of range for IPv6 (0-128) in '2001:db8::/129'"
	check_error_class "host bits set" "${ifline}set a { 203.0.113.5/24 }\n" \
		"2:9: host bits set in '203.0.113.5/24' (did you mean 203.0.113.0/24?)"
	check_error_class "interface address with a prefix length" \
		'interface e role external address 10.0.0.1/24\n' \
		"1:35: '10.0.0.1/24': an address takes no prefix length"
	check_error_class "invalid interface name" 'interface e/x role external\n' \
		"1:11: invalid interface name 'e/x': at most 15 characters, no '/' or ':'"
	check_error_class "invalid set name in a rule" \
		"${ifline}rule a external in tcp 1 from -x\n" \
		"2:31: invalid set name '-x': $names"
	check_error_class "'{' never closed" "${ifline}set a {\n10.0.0.0/8\n" \
		"2:7: '{' is never closed by a '}'"
	check_error_class "unexpected token after a statement" \
		'interface e role external foo\n' \
		"1:27: expected a line end, found 'foo'"
	check_error_class "missing role" 'interface e external\n' \
		"1:13: expected 'role', found 'external'"
	check_error_class "no interface" 'mode enforce\n' \
		"2:1: no interface is configured (add: interface NAME role external|internal)"
	check_error_class "16 rules on one port" \
		"${ifline}$(for i in $(seq 1 16); do printf 'rule r%d external in tcp 5269\\n' "$i"; done)" \
		"17:1: rule r16: more than 15 rules of external in apply to the same packets (tcp port 5269); merge some of them"
	check_error_class "several errors" \
		"${ifline}rule a external in tcp 0\nbogus\nset s { 10.0.0.1/8 }\n" \
		"2:24: port 0 out of range (1-65535)" \
		"3:1: expected a statement (mode, interface, set, rule, policy, fragments, flows, icmp, events, metrics, partners, control or pool), found 'bogus'" \
		"4:9: host bits set in '10.0.0.1/8' (did you mean 10.0.0.0/8?)"
}

test_check_unreadable() {
	run_edgefw check -c "$WORK/does-not-exist.conf"
	expect_result "check: a missing file exits 2 naming it" 2 \
		"^edgefw: cannot read $WORK/does-not-exist.conf: No such file or directory\$"

	# Configs are files or standard input, of a bounded size; nothing
	# blocks (issue 11). timeout: a regression would hang, not pass.
	mkfifo "$WORK/fifo.conf"
	run_capturing timeout 10 "$EDGEFW" check -c "$WORK/fifo.conf"
	expect_result "check: a FIFO is refused at once, exit 2" 2 \
		"^edgefw: cannot read $WORK/fifo.conf: not a regular file\$"
	run_capturing timeout 10 "$EDGEFW" check -c /dev/zero
	expect_result "check: a device is refused, exit 2" 2 \
		"^edgefw: cannot read /dev/zero: not a regular file\$"
	run_capturing timeout 10 "$EDGEFW" check -c "$WORK"
	expect_result "check: a directory is refused, exit 2" 2 \
		"^edgefw: cannot read $WORK: a directory, not a file\$"
	run_capturing timeout 30 "$EDGEFW" check -c - </dev/urandom
	expect_result "check -c - of endless input stops at the limit, exit 2" 2 \
		"^edgefw: cannot read -: larger than 256 MiB, the most edgefw reads\$"

	cp "$WORK/good.conf" "$WORK/secret.conf"
	chmod 600 "$WORK/secret.conf"
	run_edgefw_unprivileged check -c "$WORK/secret.conf"
	expect_result "check: an unreadable file exits 2 naming it" 2 \
		"^edgefw: cannot read $WORK/secret.conf: Permission denied\$"
}

test_bad_usage() {
	run_edgefw_in_ns frobnicate
	expect_result "usage: an unknown command exits 2" 2 \
		"unknown command 'frobnicate'"
	run_edgefw_in_ns
	expect_result "usage: no command exits 2 with the usage" 2 "^usage: edgefw"
	run_edgefw_in_ns check --bogus -c "$WORK/good.conf"
	expect_result "usage: check with an unknown option exits 2" 2 "--bogus"
	run_edgefw_in_ns check -zq -c "$WORK/good.conf"
	expect_result "usage: check -zq names the option, not the command" 2 \
		"unknown or misplaced option '-z'"
	run_edgefw_in_ns check -c "$WORK/good.conf" extra
	expect_result "usage: check with an extra argument exits 2" 2 \
		"unexpected argument 'extra'"
	run_edgefw_in_ns load --xdp-mode turbo -c "$WORK/good.conf"
	expect_result "usage: load --xdp-mode turbo exits 2" 2 \
		"--xdp-mode takes auto, native or generic, not 'turbo'"
	run_edgefw_in_ns reload --xdp-mode turbo -c "$WORK/good.conf"
	expect_result "usage: reload --xdp-mode turbo exits 2 naming the values" 2 \
		"--xdp-mode takes auto, native or generic, not 'turbo'"
	run_edgefw_in_ns block add 192.0.2.1 --ttl
	expect_result "usage: an option without its value exits 2 saying so" 2 \
		"'--ttl' needs a value"
	run_edgefw_in_ns set frob partners
	expect_result "usage: set with an unknown verb exits 2 naming the verbs" 2 \
		"expected list, add or del"
	run_edgefw_in_ns load -c "$WORK/good.conf" extra
	expect_result "usage: load with an extra argument exits 2" 2 \
		"unexpected argument 'extra'"
	run_edgefw_in_ns unload extra
	expect_result "usage: unload with an extra argument exits 2" 2 \
		"unexpected argument 'extra'"
	run_edgefw_in_ns status --bogus
	expect_result "usage: status with an unknown option exits 2" 2 "--bogus"
	check "usage: none of it loaded anything" -- negate pins_exist
}

# ---------------------------------------------------------------------------
# Input echoed in messages (issue 11): control bytes and bytes beyond
# ASCII from a config, an argument or a file name are shown escaped
# (\xHH), and a long word cut; never raw, whatever the terminal makes of it.

# The last run's stderr holds no byte outside printable ASCII and tabs.
stderr_printable() {
	! printf '%s' "$ERR" | LC_ALL=C grep -q '[^	 -~]'
}

# expect_escaped DESCRIPTION STATUS REGEX: the status, the message, and
# nothing raw on stderr.
expect_escaped() {
	expect_result "$1" "$2" "$3"
	check "$1: nothing raw on stderr" -- stderr_printable
}

test_raw_input() {
	local long
	long=$(printf 'a%.0s' $(seq 5000))

	printf 'interface e role external\nset caf\303\251 { 10.0.0.\001 }\n\033[2Jrule\n' \
		>"$WORK/raw.conf"
	run_edgefw check -c "$WORK/raw.conf"
	expect_escaped "raw input: check of a config with control and non-ASCII bytes exits 2" 2 \
		"raw\.conf:2:5: invalid set name 'caf\\\\xc3\\\\xa9'"
	check_match "raw input: the escape sequence of a statement is shown escaped" "$ERR" \
		"raw\.conf:3:1: expected a statement .*found '\\\\x1b\[2Jrule'"
	run_edgefw check -c "$WORK/bad"$'\n'"name"$'\001'".conf"
	expect_escaped "raw input: check of a missing file with a line end and a control byte in its name exits 2" 2 \
		"cannot read .*/bad\\\\x0aname\\\\x01\.conf: No such file"

	run_edgefw block add $'10.0.0.\033[31m'
	expect_escaped "raw input: block add of an escape sequence exits 2" 2 \
		"'10\.0\.0\.\\\\x1b\[31m' is not an IPv4 or IPv6 address"
	run_edgefw block add "$long"
	expect_escaped "raw input: block add of a word of 5000 characters exits 2" 2 \
		"'a{64}\.\.\.' is not an IPv4 or IPv6 address"
	check "raw input: the word of 5000 characters is cut (stderr under 300 bytes)" -- \
		test "${#ERR}" -lt 300
	run_edgefw block add 192.0.2.1 --ttl $'1\001h'
	expect_escaped "raw input: --ttl with a control byte exits 2" 2 \
		"--ttl takes a duration .*, not '1\\\\x01h'"
	run_edgefw block add $'192.0.2.1/\3012'
	expect_escaped "raw input: a prefix length beyond ASCII exits 2" 2 \
		"malformed prefix length in '192\.0\.2\.1/\\\\xc12'"
	run_edgefw set add partners $'203.0.113.\xff' 10.0.0.0/8
	expect_escaped "raw input: set add of a byte beyond ASCII exits 2" 2 \
		"argument 1: '203\.0\.113\.\\\\xff' is not an IPv4 or IPv6 address"
	run_edgefw set add $'part\033ners' 10.0.0.0/8
	expect_escaped "raw input: set add to a set name with an escape exits 2" 2 \
		"'part\\\\x1bners' is no set name"
	run_edgefw set list $'\001'
	expect_escaped "raw input: set list of a control byte exits 2" 2 \
		"'\\\\x01' is no set name"
	run_edgefw set add partners -f "$WORK/no"$'\033'"file"
	expect_escaped "raw input: set add -f of a missing file with an escape in its name exits 2" 2 \
		"cannot read .*/no\\\\x1bfile: No such file"
	check "raw input: none of it loaded anything" -- negate pins_exist
}

# The README's command table is the usage edgefw prints, line for line:
# both come from one table (user/cli/commands.c), and this keeps the
# README from drifting.
test_readme_commands() {
	local usage table
	usage=$("$EDGEFW" help | sed -n 's/^  \(edgefw .*\)$/\1/p' | sort)
	table=$(awk '/^## Command line/ { f = 1; next } /^## / { f = 0 } f' "$top/README.md" |
		grep '^| `edgefw ' | sed 's/ |.*//; s/\\|/|/g' | grep -o '`edgefw [^`]*`' | tr -d '`' | sort)
	check "edgefw help lists the commands" -- test "$(grep -c . <<<"$usage")" -ge 10
	check_eq "the README's command table is edgefw help's usage" "$table" "$usage"
}

# ---------------------------------------------------------------------------
# Privileges

test_unprivileged() {
	local cmd before lines
	before=$(kernel_snapshot)

	run_edgefw_unprivileged check -c "$WORK/good.conf"
	expect_result "unprivileged: check exits 0" 0
	check_eq "unprivileged: check prints the summary" "$OUT" \
		"$WORK/good.conf: OK: enforce mode, 2 interfaces, 4 rules, 2 sets with 3 prefixes"

	for cmd in load unload status; do
		if [ $cmd = load ]; then
			run_edgefw_unprivileged load -c "$WORK/good.conf"
		else
			run_edgefw_unprivileged $cmd
		fi
		expect_result "unprivileged: $cmd exits 1" 1
		# One line, saying so: no libbpf or errno dump after it.
		lines=$(printf '%s\n%s' "$OUT" "$ERR" | grep -c .)
		check_eq "unprivileged: $cmd prints exactly one line" "$lines" 1
		check_match "unprivileged: $cmd says root is needed" "$ERR" \
			"^edgefw: $cmd needs root"
	done
	expect_unchanged "unprivileged" "$before"
}

# ---------------------------------------------------------------------------
# load, status, unload

test_netns_exec_refused() {
	local before
	before=$(kernel_snapshot)
	run_capturing ip netns exec "$NS" "$EDGEFW" load -c "$WORK/good.conf"
	expect_result "ip netns exec: load is refused with exit 1, naming nsenter" 1 \
		"nsenter --net=/run/netns/NAME"
	expect_unchanged "ip netns exec" "$before"
}

test_load_bad_config() {
	local before
	before=$(kernel_snapshot)
	run_edgefw_in_ns load -c "$WORK/bad.conf"
	expect_result "load of a bad config exits 2 with the error" 2 \
		"^$WORK/bad.conf:2:24: port 0 out of range \(1-65535\)\$"
	expect_unchanged "load of a bad config" "$before"
	expect_clean "load of a bad config" "$EXT_IF"
}

test_load_missing_iface() {
	local before
	before=$(kernel_snapshot)
	run_edgefw_in_ns load -c "$WORK/missing.conf"
	expect_result "load with a missing interface exits 1" 1 \
		"nosuch0: no such interface"
	expect_unchanged "load with a missing interface" "$before"

	run_edgefw_in_ns load -c "$WORK/missing-second.conf"
	expect_result "load with the second interface missing exits 1" 1 \
		"nosuch1: no such interface"
	expect_unchanged "load with the second interface missing" "$before"
	expect_clean "load with the second interface missing" "$EXT_IF"
}

# The second interface's XDP hook is taken by someone else: the first
# interface must be rolled back, the other program left alone.
test_load_fails_halfway_xdp() {
	local before flavour
	for flavour in xdp xdpgeneric; do
		ip -n "$NS" link set dev "$INT_IF" "$flavour" \
			obj "$WORK/pass_xdp.o" sec xdp ||
			tap_bail "cannot attach the foreign XDP program ($flavour)"
		before=$(kernel_snapshot)
		run_edgefw_in_ns load -c "$WORK/good.conf"
		expect_result "load with a foreign $flavour program on $INT_IF exits 1 naming it" 1 \
			"^edgefw: $INT_IF: cannot attach XDP program"
		# The operator must learn why, not only an errno.
		check_match "load with a foreign $flavour program: says another XDP program is attached" \
			"$ERR" "another XDP program is attached"
		expect_unchanged "foreign $flavour program on $INT_IF" "$before"
		expect_clean "foreign $flavour program on $INT_IF" "$EXT_IF"
		check_match "foreign $flavour program: still attached to $INT_IF" \
			"$(ip -n "$NS" -d link show dev "$INT_IF")" "name foreign_xdp"
		ip -n "$NS" link set dev "$INT_IF" "$flavour" off
	done
}

# The second interface's TC hook already has a filter with edgefw's
# handle: XDP on both and TC on the first are rolled back.
test_load_fails_halfway_tc() {
	local before
	tc -n "$NS" qdisc add dev "$INT_IF" clsact ||
		tap_bail "cannot add a clsact qdisc to $INT_IF"
	tc -n "$NS" filter add dev "$INT_IF" egress pref 1 handle 0xedf \
		bpf da obj "$WORK/pass_tc.o" sec tc ||
		tap_bail "cannot add the foreign tc filter to $INT_IF"
	before=$(kernel_snapshot)
	run_edgefw_in_ns load -c "$WORK/good.conf"
	expect_result "load with edgefw's tc handle taken on $INT_IF exits 1 naming it" 1 \
		"^edgefw: $INT_IF: cannot attach TC egress program"
	expect_unchanged "tc handle taken on $INT_IF" "$before"
	expect_clean "tc handle taken on $INT_IF" "$EXT_IF"
	check_eq "tc handle taken: no XDP program left on $INT_IF" \
		"$(xdp_mode_of "$INT_IF")" none
	check_match "tc handle taken: the foreign filter is still there" \
		"$(tc -n "$NS" filter show dev "$INT_IF" egress)" "name foreign_tc"
	tc -n "$NS" qdisc del dev "$INT_IF" clsact
}

test_load_status_unload() {
	local json ifc before libs
	# The operator's own clsact qdisc on int0 must outlive edgefw.
	tc -n "$NS" qdisc add dev "$INT_IF" clsact ||
		tap_bail "cannot add the operator's clsact qdisc"

	run_edgefw_in_ns load -c "$WORK/good.conf"
	expect_result "load exits 0" 0 \
		"loaded .*good.conf \(enforce mode\): 4 rules on $EXT_IF native, $INT_IF native"
	for ifc in "$EXT_IF" "$INT_IF"; do
		check_eq "load: XDP on $ifc in native mode" "$(xdp_mode_of "$ifc")" native
		check_match "load: the XDP program on $ifc is edgefw's" \
			"$(ip -n "$NS" -d link show dev "$ifc")" "prog/xdp id [0-9]+ name edgefw_xdp"
		check_eq "load: edgefw's filter on $ifc egress" "$(edgefw_filter_of "$ifc")" present
	done
	check "load: pin directory" -- pins_exist
	check "load: state file" -- test -s "$EDGEFW_RUN_DIR/state.json"
	check "load: config snapshot" -- cmp -s "$EDGEFW_RUN_DIR/loaded.conf" "$WORK/good.conf"

	run_edgefw_in_ns status
	expect_result "status exits 0" 0
	check_match "status: $EXT_IF external, native XDP" "$OUT" \
		"^  $EXT_IF +external +xdp native prog $(xdp_prog_id "$EXT_IF"),"
	check_match "status: $INT_IF internal, native XDP" "$OUT" \
		"^  $INT_IF +internal +xdp native prog $(xdp_prog_id "$INT_IF"),"
	check_match "status: the config path" "$OUT" "^config: $WORK/good.conf "
	# The pool's, the partners' and the metrics' libraries are opened by
	# those features (user/dynlib.h): status opens none of them.
	libs=$(LD_DEBUG=files nsenter --net="/run/netns/$NS" "$EDGEFW" status 2>&1 >/dev/null |
		grep -o 'file=[^ ]*' | sort -u)
	check_match "status: the dynamic loader's log names what it opened (libbpf)" \
		"$libs" 'file=libbpf\.so'
	check "status opens no libcurl, libmicrohttpd, libunbound or libldns" -- \
		negate grep -Eq 'file=lib(curl|microhttpd|unbound|ldns)\.' <<<"$libs"

	run_edgefw_in_ns status --json
	json=$OUT
	expect_result "status --json exits 0" 0
	check "status --json: loaded, healthy, enforce mode" -- \
		jq -e '.loaded == true and .healthy == true and .mode == "enforce"' <<<"$json"
	check_eq "status --json: both interfaces" \
		"$(jq -c '[.interfaces[] | [.name, .role, .xdp_mode, .healthy]]' <<<"$json" 2>&1)" \
		"[[\"$EXT_IF\",\"external\",\"native\",true],[\"$INT_IF\",\"internal\",\"native\",true]]"
	check_eq "status --json: $EXT_IF's program id is the attached one" \
		"$(jq '.interfaces[0].xdp_prog_id' <<<"$json" 2>&1)" "$(xdp_prog_id "$EXT_IF")"
	# ext0 has no address in the config: edgefw read them from the NIC.
	check "status --json: $EXT_IF's addresses are read from the NIC" -- \
		jq -e '.interfaces[0].addresses | any(.[]; . == "192.0.2.1") and any(.[]; . == "2001:db8:1::1")' <<<"$json"
	check_eq "status --json: $INT_IF's address is the configured one, not the NIC's" \
		"$(jq -c '.interfaces[1].addresses' <<<"$json" 2>&1)" '["10.1.0.10"]'
	check_eq "status --json: rules" "$(jq -c '[.rules[].name]' <<<"$json" 2>&1)" \
		'["s2s-in","s2s-out","gw-in","dns-out"]'

	before=$(kernel_snapshot)
	run_edgefw_in_ns load -c "$WORK/good.conf"
	expect_result "load again exits 1 and says to use reload" 1 \
		"already loaded.*edgefw reload"
	check_eq "load again: nothing changed" "$(kernel_snapshot)" "$before"

	run_edgefw_in_ns unload
	expect_result "unload exits 0" 0 "^edgefw: unloaded\$"
	expect_clean "unload" "$EXT_IF"
	check_eq "unload: no XDP program on $INT_IF" "$(xdp_mode_of "$INT_IF")" none
	check_eq "unload: no edgefw filter on $INT_IF egress" "$(edgefw_filter_of "$INT_IF")" absent
	check_eq "unload: the operator's clsact qdisc on $INT_IF is still there" "$(clsact_of "$INT_IF")" present
	check "unload: no pin directory" -- negate pins_exist
	check "unload: no state file or config snapshot" -- negate state_files_exist

	run_edgefw_in_ns unload
	expect_result "unload again exits 0 saying nothing is loaded" 0 "not loaded"

	run_edgefw_in_ns status
	expect_result "status when not loaded exits 1" 1 "not loaded"
	run_edgefw_in_ns status --json
	expect_result "status --json when not loaded exits 1" 1
	check_eq "status --json when not loaded" "$(jq -c . <<<"$OUT" 2>&1)" \
		'{"loaded":false}'
	tc -n "$NS" qdisc del dev "$INT_IF" clsact
}

test_generic_mode() {
	local ifc json
	run_edgefw_in_ns load --xdp-mode generic -c "$WORK/good.conf"
	expect_result "load --xdp-mode generic exits 0" 0 \
		"on $EXT_IF generic, $INT_IF generic"
	for ifc in "$EXT_IF" "$INT_IF"; do
		check_eq "generic: XDP on $ifc in generic mode" "$(xdp_mode_of "$ifc")" generic
	done
	run_edgefw_in_ns status
	expect_result "generic: status exits 0" 0
	check_match "generic: status says $EXT_IF is generic" "$OUT" \
		"^  $EXT_IF +external +xdp generic "
	check_match "generic: status says $INT_IF is generic" "$OUT" \
		"^  $INT_IF +internal +xdp generic "
	run_edgefw_in_ns status --json
	json=$OUT
	check_eq "generic: status --json says generic" \
		"$(jq -c '[.interfaces[].xdp_mode]' <<<"$json" 2>&1)" '["generic","generic"]'
	run_edgefw_in_ns unload
	expect_result "generic: unload exits 0" 0
	expect_clean "generic: unload" "$EXT_IF" "$INT_IF"
}

test_no_native_xdp() {
	local before
	run_edgefw_in_ns load --xdp-mode auto -c "$WORK/no-native.conf"
	expect_result "no native XDP: --xdp-mode auto loads, exit 0" 0
	check_match "no native XDP: auto warns that it falls back to generic" "$ERR" \
		"warning: $NO_NATIVE_IF: .*generic"
	check_eq "no native XDP: attached in generic mode" \
		"$(xdp_mode_of "$NO_NATIVE_IF")" generic
	run_edgefw_in_ns status
	check_match "no native XDP: status says generic" "$OUT" \
		"^  $NO_NATIVE_IF +external +xdp generic "
	run_edgefw_in_ns unload
	expect_result "no native XDP: unload exits 0" 0
	expect_clean "no native XDP: unload" "$NO_NATIVE_IF"

	before=$(kernel_snapshot)
	run_edgefw_in_ns load --xdp-mode native -c "$WORK/no-native.conf"
	expect_result "no native XDP: --xdp-mode native exits 1 naming the interface" 1 \
		"^edgefw: $NO_NATIVE_IF: cannot attach XDP program in native mode"
	expect_unchanged "no native XDP: --xdp-mode native" "$before"
}

test_corrupt_state() {
	local ifc
	run_edgefw_in_ns load -c "$WORK/good.conf"
	expect_result "corrupt state: load exits 0" 0
	printf '{ "version": 1, "interfaces": [ truncated' >"$EDGEFW_RUN_DIR/state.json"

	run_edgefw_in_ns status
	expect_result "corrupt state: status exits 1 and reports it" 1 \
		"state.json is corrupt"
	run_edgefw_in_ns status --json
	expect_result "corrupt state: status --json exits 1 and reports it" 1 \
		"state.json is corrupt"

	run_edgefw_in_ns unload
	expect_result "corrupt state: unload exits 0" 0
	for ifc in "$EXT_IF" "$INT_IF"; do
		check_eq "corrupt state: unload removed XDP from $ifc" "$(xdp_mode_of "$ifc")" none
		check_eq "corrupt state: unload removed edgefw's filter from $ifc" \
			"$(edgefw_filter_of "$ifc")" absent
	done
	check "corrupt state: unload removed the pins" -- negate pins_exist
	check "corrupt state: unload removed the state" -- negate state_files_exist
}

main() {
	local step
	require_tools
	cli_use_private_directories test_cli
	trap cleanup EXIT
	trap 'exit 143' TERM INT HUP
	WORK=$(mktemp -d /tmp/edgefw-cli.XXXXXX)
	setup_namespace
	build_foreign_programs
	write_configs
	reset_namespace

	test_check_valid
	test_check_errors
	test_check_unreadable
	test_bad_usage
	test_raw_input
	test_readme_commands
	test_unprivileged
	for step in test_netns_exec_refused test_load_bad_config \
		test_load_missing_iface test_load_fails_halfway_xdp \
		test_load_fails_halfway_tc test_load_status_unload \
		test_generic_mode test_no_native_xdp test_corrupt_state; do
		"$step"
		reset_namespace
	done
	tap_done
}

main "$@"
