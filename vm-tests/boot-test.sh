#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The boot test's checks, run by systemd in a guest that booted Debian's
# systemd as PID 1 with edgefw installed and enabled (vm-tests/init,
# vmtest_mode=boot; the units and config in vm-tests/boot/). As
# edgefw-vmboot-test.service it prints TAP on the console and into the
# results share, then powers the machine off.
#
# Checked: edgefw.service (Type=notify) is active with its watchdog
# pinged; XDP was on ext0 before network-pre.target was reached, while
# ext0 had no address (edgefw-vmboot-probe.service looked in between);
# the daemon admits the address ext0 gets later as self (real TCP); ext1,
# created after the boot, gets attached; `systemctl kill -s KILL` leaves
# the programs attached and dropping, and systemd brings the daemon back,
# which adopts the pinned generation. The boot's timeline goes out as TAP
# diagnostics and into the results' status file.
#
# The results share's path comes from the kernel command line
# (vmtest_results=). Every wait is bounded; the host's timeout bounds the
# whole guest.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

results=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vmtest_results=//p')
world=vmboot-world
edge_addr=192.0.2.10
partner=203.0.113.5  # in the config's partners set
stranger=198.51.100.9
unit=edgefw.service
listeners=()

in_world() { ip netns exec "$world" "$@"; }

prop() { # UNIT PROPERTY
	systemctl show -p "$2" --value "$1" 2>/dev/null
}

manager_prop() { # PROPERTY
	systemctl show -p "$1" --value 2>/dev/null
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS
# (by the clock: under TCG a systemctl call alone takes a good part of a
# second).
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.25
	done
}

xdp_prog_id() { # IFACE
	ip -d link show dev "$1" 2>/dev/null |
		sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'
}

iface_json() { # IFACE FIELD: from `edgefw status --json`
	edgefw status --json 2>/dev/null |
		jq -r --arg n "$1" --arg f "$2" '.interfaces[] | select(.name == $n) | .[$f] | tostring'
}

iface_attached() { # IFACE
	[ "$(iface_json "$1" state)" = attached ] && [ -n "$(xdp_prog_id "$1")" ]
}

self_has() { # IFACE ADDRESS
	iface_json "$1" addresses | grep -q "\"$2"
}

tcp_connects() { # FROM PORT: a connection to the edge's address from FROM
	in_world timeout 5 socat -T 2 /dev/null \
		"TCP:$edge_addr:$2,bind=$1,connect-timeout=2"
}

# Seconds since the kernel started, from a monotonic µs timestamp.
secs() {
	[ -n "$1" ] && [ "$1" != 0 ] || {
		echo "?"
		return
	}
	printf '%d.%03d' $(($1 / 1000000)) $(($1 % 1000000 / 1000))
}

write_status() { # NAME=VALUE...
	[ -n "$results" ] && printf '%s\n' "$@" >>"$results/status"
}

test_boot_finished() {
	local state failed
	state=$(timeout 300 systemctl is-system-running --wait 2>/dev/null)
	check_match "the boot finishes (systemctl is-system-running: $state)" \
		"$state" '^(running|degraded)$'
	failed=$(systemctl list-units --failed --no-legend --plain 2>/dev/null)
	[ -z "$failed" ] || tap_diag "failed units (not the test's business unless edgefw's):" "$failed"
}

test_unit_active() {
	check_eq "edgefw.service is active (running)" \
		"$(prop $unit ActiveState)/$(prop $unit SubState)" active/running
	check_eq "edgefw.service is Type=notify" "$(prop $unit Type)" notify
	check_eq "edgefw.service has the watchdog (WatchdogUSec)" \
		"$(prop $unit WatchdogUSec)" 30s
	check_eq "edgefw.service started once (NRestarts)" "$(prop $unit NRestarts)" 0
}

# edgefw-vmboot-probe.service ran after edgefw.service was up and before
# network-pre.target was reached: what it saw of ext0 is the state at
# network-pre.target.
test_before_network_pre() {
	local probe_id now_id t_edgefw t_probe t_pre
	probe_id=$(sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' /run/vmboot/probe.link 2>/dev/null)
	check_match "before network-pre.target: XDP on ext0 (id ${probe_id:-none})" \
		"$probe_id" '^[0-9]+$'
	tap_diag "$(cat /run/vmboot/probe.link 2>&1)"
	check_eq "before network-pre.target: ext0 has no address" \
		"$(grep -E '^ +inet6? ' /run/vmboot/probe.addr 2>&1)" ""
	now_id=$(iface_json ext0 xdp_prog_id)
	check_eq "that program is edgefw's (status: ext0's XDP program)" "$now_id" "$probe_id"
	t_edgefw=$(prop $unit ActiveEnterTimestampMonotonic)
	t_probe=$(prop edgefw-vmboot-probe.service ActiveEnterTimestampMonotonic)
	t_pre=$(prop network-pre.target ActiveEnterTimestampMonotonic)
	check "edgefw active ($(secs "$t_edgefw") s) <= probe ($(secs "$t_probe") s) <= network-pre.target ($(secs "$t_pre") s)" -- \
		test "${t_edgefw:-0}" -gt 0 -a "${t_edgefw:-0}" -le "${t_probe:-0}" \
		-a "${t_probe:-0}" -le "${t_pre:-0}"
	check_eq "status: ext1 (not created yet) is waiting" "$(iface_json ext1 state)" waiting
}

# ext0 gets its address only now; the daemon admits it as self.
test_address_follows() {
	ip link set ext0 up &&
		ip addr add "$edge_addr/24" dev ext0 &&
		ip route add 203.0.113.0/24 dev ext0 &&
		ip route add 198.51.100.0/24 dev ext0 &&
		in_world ip link set lo up &&
		in_world ip link set ext0p up &&
		in_world ip addr add "$partner/24" dev ext0p &&
		in_world ip addr add "$stranger/24" dev ext0p &&
		in_world ip route add 192.0.2.0/24 dev ext0p
	check_eq "ext0 and its peer configured after the boot" "$?" 0
	check "the daemon admits ext0's new address as self" -- \
		wait_for 30 self_has ext0 "$edge_addr"
	socat TCP-LISTEN:5269,bind=$edge_addr,reuseaddr,fork EXEC:/bin/true &
	listeners+=($!)
	socat TCP-LISTEN:22,bind=$edge_addr,reuseaddr,fork EXEC:/bin/true &
	listeners+=($!)
	check "a partner's TCP 5269 to the new address connects" -- \
		wait_for 20 tcp_connects "$partner" 5269
	test_dropping "after the boot"
}

test_dropping() { # WHEN
	if tcp_connects "$stranger" 5269 >/dev/null 2>&1; then
		tap_result 1 "$1: a stranger's TCP 5269 is dropped (it connected)"
	else
		tap_result 0 "$1: a stranger's TCP 5269 is dropped"
	fi
	if tcp_connects "$partner" 22 >/dev/null 2>&1; then
		tap_result 1 "$1: a partner's TCP 22 is dropped (it connected)"
	else
		tap_result 0 "$1: a partner's TCP 22 is dropped"
	fi
}

test_new_interface() {
	check "ext1 created after the boot" -- \
		ip link add ext1 type veth peer name ext1p netns "$world"
	check "status: ext1 attached" -- wait_for 30 iface_attached ext1
	check_eq "ext1's XDP program is the one status names" \
		"$(xdp_prog_id ext1)" "$(iface_json ext1 xdp_prog_id)"
}

# systemd updates WatchdogTimestamp at each WATCHDOG=1; the daemon pings
# every WatchdogSec/2 (15 s).
watchdog_moved() { # FROM
	local now
	now=$(prop $unit WatchdogTimestampMonotonic)
	[ -n "$now" ] && [ "$now" != 0 ] && [ "$now" != "$1" ]
}

# From WATCHDOG_T0, sampled when the checks began: by now a ping has
# usually come, and the wait is short.
test_watchdog() {
	check "the daemon pings the watchdog (WatchdogTimestamp moves from $(secs "$WATCHDOG_T0") s)" -- \
		wait_for 40 watchdog_moved "$WATCHDOG_T0"
	check_eq "no restart so far (NRestarts, $(secs "$(prop $unit WatchdogTimestampMonotonic)") s)" \
		"$(prop $unit NRestarts)" 0
}

restarted() { # OLD-PID
	[ "$(prop $unit NRestarts)" = 1 ] &&
		[ "$(prop $unit ActiveState)/$(prop $unit SubState)" = active/running ] &&
		[ "$(prop $unit MainPID)" != "$1" ]
}

test_kill() {
	local pid ext0_id ext1_id down log
	pid=$(prop $unit MainPID)
	ext0_id=$(xdp_prog_id ext0)
	ext1_id=$(xdp_prog_id ext1)
	check "systemctl kill -s KILL edgefw" -- systemctl kill -s KILL $unit
	check "the daemon (pid $pid) is gone" -- wait_for 10 bash -c "! kill -0 $pid"
	down="$(prop $unit ActiveState)/$(prop $unit SubState), MainPID $(prop $unit MainPID)"
	check_eq "killed: ext0 keeps its XDP program" "$(xdp_prog_id ext0)" "$ext0_id"
	check_eq "killed: ext1 keeps its XDP program" "$(xdp_prog_id ext1)" "$ext1_id"
	test_dropping "killed"
	check "killed: a partner's TCP 5269 still connects" -- tcp_connects "$partner" 5269
	tap_diag "the unit during those checks: $down, then $(prop $unit ActiveState)/$(prop $unit SubState)"
	check "systemd brings the daemon back (Restart=on-failure, NRestarts=1)" -- \
		wait_for 60 restarted "$pid"
	log=$(journalctl -b -u $unit -o cat --no-pager 2>&1)
	check_match "the new daemon adopts the generation (journal)" "$log" 'adopting generation [0-9]+'
	check_eq "restarted: ext0 keeps the same XDP program (nothing reloaded)" "$(xdp_prog_id ext0)" "$ext0_id"
	check_eq "restarted: ext1 keeps the same XDP program" "$(xdp_prog_id ext1)" "$ext1_id"
	check "restarted: status shows ext0 and ext1 attached" -- \
		bash -c "[ \"\$(edgefw status --json | jq -r '[.interfaces[].state] | join(\" \")')\" = 'attached attached' ]"
	test_dropping "restarted"
}

# Monotonic µs of the boot's milestones; kernel start is 0.
timeline() {
	local t_user t_links t_exec t_ready t_probe t_pre t_done t_test
	t_user=$(manager_prop UserspaceTimestampMonotonic)
	t_links=$(prop edgefw-vmboot-links.service ActiveEnterTimestampMonotonic)
	t_exec=$(prop $unit ExecMainStartTimestampMonotonic)
	t_ready=$(journalctl -b -u $unit -o json --no-pager 2>/dev/null |
		jq -r 'select(.MESSAGE | tostring | contains("filtering; following")) | .__MONOTONIC_TIMESTAMP' |
		head -n 1)
	t_probe=$(prop edgefw-vmboot-probe.service ActiveEnterTimestampMonotonic)
	t_pre=$(prop network-pre.target ActiveEnterTimestampMonotonic)
	t_done=$(manager_prop FinishTimestampMonotonic)
	t_test=$(prop edgefw-vmboot-test.service ExecMainStartTimestampMonotonic)
	echo "# timeline (seconds since the kernel started, monotonic clock):"
	printf '#   %-48s %8s\n' \
		"kernel start" 0.000 \
		"systemd starts (PID 1)" "$(secs "$t_user")" \
		"ext0 created (edgefw-vmboot-links.service)" "$(secs "$t_links")" \
		"edgefw daemon started" "$(secs "$t_exec")" \
		"filter attached: the daemon's READY (journal)" "$(secs "$t_ready")" \
		"edgefw.service active" "$(secs "$(prop $unit ActiveEnterTimestampMonotonic)")" \
		"probe: XDP on ext0, no address" "$(secs "$t_probe")" \
		"network-pre.target reached" "$(secs "$t_pre")" \
		"boot finished (edgefw-vmboot.target)" "$(secs "$t_done")" \
		"the checks start" "$(secs "$t_test")"
	timeout 20 systemd-analyze time 2>&1 | sed 's/^/#   /'
	write_status "t_userspace=$(secs "$t_user")" "t_edgefw_exec=$(secs "$t_exec")" \
		"t_filter_attached=$(secs "$t_ready")" "t_network_pre=$(secs "$t_pre")" \
		"t_boot_finished=$(secs "$t_done")"
}

cleanup() {
	[ ${#listeners[@]} -eq 0 ] || kill "${listeners[@]}" 2>/dev/null
	wait 2>/dev/null
}

main() {
	local rc
	[ -n "$results" ] && : >"$results/status"
	echo "VMTEST_UNAME=$(uname -r)"
	write_status "uname=$(uname -r)"
	test_boot_finished
	WATCHDOG_T0=$(prop $unit WatchdogTimestampMonotonic)
	timeline
	test_unit_active
	test_before_network_pre
	test_address_follows
	test_new_interface
	test_watchdog
	test_kill
	cleanup
	tap_done
	rc=$?
	write_status "boot_passed=$((TAP_RUN - TAP_FAILED))" "boot_failed=$TAP_FAILED" \
		"t_checks_done=$(cut -d' ' -f1 /proc/uptime)" "exit=$rc"
	# Bounded: systemd-analyze was seen to hang in a loaded guest.
	if [ -n "$results" ]; then
		timeout 60 journalctl -b --no-pager -o short-monotonic >"$results/journal.txt" 2>&1
		timeout 10 dmesg >"$results/dmesg.txt" 2>&1
		timeout 20 systemd-analyze blame >"$results/blame.txt" 2>&1
	fi
	sync
	echo "VMTEST_EXIT=$rc"
	# The serial port drains its last lines by interrupts.
	sleep 1
	systemctl poweroff --force --force
}

main 2>&1 | tee ${results:+"$results/boot.log"}
