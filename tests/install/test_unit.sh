#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# systemd/edgefw.service under a real systemd: `make install PREFIX=/usr`
# into a throwaway overlay of this machine's root (tests/lib/overlay_root.sh)
# that systemd-nspawn boots to sysinit.target, in a network namespace of
# this suite's, with the host's BPF filesystem. Checked: the unit's
# sandbox (capabilities, system call filter, read-only system, ...) lets
# edgefw load, report, change sets and blocks, and reload; it starts
# before network-pre.target; the directories are root's alone; stop
# leaves the filter loaded; without /etc/edgefw/edgefw.conf it stays
# inactive.
#
# The unit as shipped is tested (Type=notify, reload by SIGHUP, restart).
# Without systemd-nspawn (systemd-container, which install-deps.sh
# installs), or where edgefw is loaded on this machine, it fails saying
# why: it never reports a check it did not make.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
# xdp_mode_of and edgefw_filter_of, read in the namespace NS.
. "$top/tests/lib/cli.sh"

EDGEFW=$top/build/edgefw
NS=${EDGEFW_UNIT_NS:-efwu-$$}
WORK=${EDGEFW_UNIT_WORK:-}
BOOT_TIMEOUT=60
NSPAWN_PID=''
PID1=''

# The real directories: none of the private ones tests/run.sh gives.
host_env() {
	env -u EDGEFW_PIN_DIR -u EDGEFW_RUN_DIR -u EDGEFW_STATE_DIR \
		-u SSH_CONNECTION "$@"
}

# In the container: a command, and systemctl.
in_ct() {
	nsenter -t "$PID1" -a "$@"
}

unit_state() {
	in_ct systemctl show -p "$1" --value edgefw.service 2>/dev/null
}

prepare_root() {
	local r=$OVERLAY_ROOT
	rm -rf "$r/etc/edgefw" "$r/run/edgefw" "$r/var/lib/edgefw" \
		"$r/etc/systemd/system/edgefw.service.d"
	make -s -C "$top" install DESTDIR="$r" PREFIX=/usr >"$WORK/install.log" 2>&1 ||
		return 1
	mkdir -p "$r/etc/edgefw"
	printf '%s\n' 'interface e0 role external' \
		'set partners { 203.0.113.0/24 }' \
		'rule s2s external in tcp 5269 from partners to self' \
		>"$r/etc/edgefw/edgefw.conf"
	systemctl --root="$r" enable edgefw.service >/dev/null 2>&1
}

# Boots the copy; sets NSPAWN_PID and PID1 once the boot is over.
boot() {
	local i state
	systemd-nspawn -q -D "$OVERLAY_ROOT" --boot --register=no --keep-unit \
		--network-namespace-path="/run/netns/$NS" --bind=/sys/fs/bpf \
		--capability=CAP_BPF,CAP_NET_ADMIN,CAP_PERFMON \
		--system-call-filter=bpf --console=passive \
		-- systemd.unit=sysinit.target >"$WORK/nspawn.log" 2>&1 &
	NSPAWN_PID=$!
	for ((i = 0; i < BOOT_TIMEOUT * 2; i++)); do
		sleep 0.5
		PID1=$(pgrep -P "$NSPAWN_PID" | head -1)
		[ -n "$PID1" ] || continue
		state=$(in_ct systemctl is-system-running 2>/dev/null)
		case "$state" in
		running | degraded) return 0 ;;
		esac
	done
	return 1
}

shutdown_container() {
	[ -n "$NSPAWN_PID" ] || return 0
	kill "$NSPAWN_PID" 2>/dev/null
	for _ in $(seq 1 60); do
		kill -0 "$NSPAWN_PID" 2>/dev/null || break
		sleep 0.5
	done
	kill -9 "$NSPAWN_PID" 2>/dev/null
	NSPAWN_PID=''
}

check_journal_ok() {
	local log
	log=$(in_ct journalctl -u edgefw.service --no-pager -o cat 2>&1)
	check_eq "the unit's commands never failed" \
		"$(grep -E 'FAILURE|status=[1-9]|Failed' <<<"$log")" ""
	[ "$TAP_FAILED" -eq 0 ] || tap_diag "$log"
}

test_started() {
	local t_edgefw t_pre
	check_eq "started: Type=notify, running" "$(unit_state ActiveState)/$(unit_state SubState)" active/running
	check_journal_ok
	check_eq "started: XDP on e0" "$(xdp_mode_of e0)" native
	check_eq "started: edgefw's filter on e0 egress" "$(edgefw_filter_of e0)" present
	check "started: pinned in the machine's BPF filesystem" -- test -d /sys/fs/bpf/edgefw
	# sysusers.d made group edgefw at boot: it may reach the socket
	check_eq "started: /run/edgefw is root's, group edgefw may pass" \
		"$(in_ct stat -c '%a %U %G' /run/edgefw 2>&1)" "710 root edgefw"
	check_eq "started: the control socket, root:edgefw 0660" \
		"$(in_ct stat -c '%a %U %G' /run/edgefw/control.sock 2>&1)" "660 root edgefw"
	check_eq "started: /var/lib/edgefw is root's alone" \
		"$(in_ct stat -c '%a %U' /var/lib/edgefw 2>&1)" "700 root"
	t_edgefw=$(unit_state ActiveEnterTimestampMonotonic)
	t_pre=$(in_ct systemctl show -p ActiveEnterTimestampMonotonic --value network-pre.target 2>/dev/null)
	check "started: before network-pre.target ($t_edgefw <= $t_pre us)" -- \
		test "${t_edgefw:-0}" -gt 0 -a "${t_edgefw:-0}" -le "${t_pre:-0}"
	check_match "systemd-analyze security: exposure OK or better" \
		"$(in_ct systemd-analyze security edgefw.service 2>&1 | tail -1)" \
		'exposure level for edgefw.service: [0-9.]+ (OK|SAFE)'
}

kernel_blocks() {
	bpftool -j map dump pinned /sys/fs/bpf/edgefw/blocklist 2>/dev/null | jq length
}

blocks_in_container() {
	in_ct jq '.blocks | length' /var/lib/edgefw/blocklist.json 2>/dev/null
}

blocks_pruned_in_container() {
	[ "$(blocks_in_container)" = 0 ]
}

# The daemon, under the unit's sandbox, writes the state directory and the
# pinned maps: it prunes an expired block from both.
test_daemon_writes() {
	check "block add --ttl 4s in the container exits 0" -- \
		in_ct env -u EDGEFW_PIN_DIR -u EDGEFW_RUN_DIR -u EDGEFW_STATE_DIR \
		/usr/sbin/edgefw block add 192.0.2.77 --ttl 4s
	check_eq "the block is in blocklist.json" "$(blocks_in_container)" 1
	check_eq "and in the kernel's map" "$(kernel_blocks)" 1
	check "the sandboxed daemon prunes it from blocklist.json" -- \
		wait_for 15 blocks_pruned_in_container
	check_eq "and from the kernel's map" "$(kernel_blocks)" 0
	check_journal_ok
}

reloads_logged() {
	in_ct journalctl -u edgefw.service --no-pager -o cat 2>/dev/null |
		grep -c 'reloaded .* generation '
}

reload_logged_after() { # COUNT
	[ "$(reloads_logged)" -gt "$1" ]
}

test_reload_stop_restart() {
	local prog
	local before
	before=$(reloads_logged)
	check "reload: systemctl reload exits 0" -- in_ct systemctl reload edgefw.service
	# ExecReload sends SIGHUP and returns: the reload is the daemon's
	check "reload: the daemon reloaded (its log says so)" -- \
		wait_for 30 reload_logged_after "$before"
	check_journal_ok
	prog=$(xdp_prog_id e0)
	check "stop: systemctl stop exits 0" -- in_ct systemctl stop edgefw.service
	check_eq "stop: the filter stays loaded (XDP on e0)" "$(xdp_mode_of e0)" native
	check "stop: the pins stay" -- test -d /sys/fs/bpf/edgefw
	check "stop: the runtime state stays" -- in_ct test -s /run/edgefw/state.json
	check "restart: systemctl start exits 0" -- in_ct systemctl start edgefw.service
	check_eq "restart: the daemon adopted the running program" "$(xdp_prog_id e0)" "$prog"
	in_ct systemctl stop edgefw.service
}

test_inert() {
	host_env nsenter --net="/run/netns/$NS" "$EDGEFW" unload >/dev/null 2>&1
	in_ct rm /etc/edgefw/edgefw.conf
	in_ct systemctl reset-failed edgefw.service 2>/dev/null
	in_ct systemctl start edgefw.service
	check_eq "no config: the service does not start (ConditionPathExists)" \
		"$(unit_state ActiveState)/$(unit_state ConditionResult)" inactive/no
	check_eq "no config: nothing is attached" "$(xdp_mode_of e0)" none
}

# In the private mount namespace, outside the copy (OVERLAY_ROOT).
inner_phase() {
	read -r TAP_RUN TAP_FAILED <"$WORK/tap.counts"
	trap 'shutdown_container; echo "$TAP_RUN $TAP_FAILED" >"$WORK/tap.counts"' EXIT
	check "make install into the copy" -- prepare_root ||
		{ tap_diag "$(cat "$WORK/install.log")"; return; }
	# Not through check: boot sets NSPAWN_PID and PID1 here.
	if boot; then
		tap_result 0 "the copy boots to sysinit.target"
	else
		tap_result 1 "the copy boots to sysinit.target"
		tap_diag "$(tail -20 "$WORK/nspawn.log")"
		return
	fi
	test_started
	test_daemon_writes
	test_reload_stop_restart
	test_inert
}

unload_leftovers() {
	[ -e /sys/fs/bpf/edgefw ] || return 0
	host_env nsenter --net="/run/netns/$NS" "$EDGEFW" unload --force >/dev/null 2>&1
	rm -rf /sys/fs/bpf/edgefw
}

cleanup() {
	unload_leftovers
	ip netns del "$NS" 2>/dev/null
	[ -z "$WORK" ] || rm -rf "$WORK"
}

why_not() {
	command -v systemd-nspawn >/dev/null || {
		echo "systemd-nspawn is not installed (systemd-container)"
		return
	}
	[ ! -e /sys/fs/bpf/edgefw ] || echo "edgefw is loaded on this machine (/sys/fs/bpf/edgefw)"
}

main() {
	local why rc
	if [ "${1:-}" = --inner ]; then
		inner_phase
		return
	fi
	[ "$(id -u)" -eq 0 ] || tap_bail "run as root"
	[ -x "$EDGEFW" ] || tap_bail "$EDGEFW is not built (make)"
	why=$(why_not)
	[ -z "$why" ] || tap_bail "cannot test the unit: $why"
	WORK=$(mktemp -d /tmp/edgefw-unit.XXXXXX) || tap_bail "mktemp failed"
	trap cleanup EXIT
	trap 'exit 143' TERM INT HUP
	ip netns add "$NS" || tap_bail "cannot create network namespace $NS"
	ip -n "$NS" link add e0 type veth peer name e0p &&
		ip -n "$NS" link set e0 up && ip -n "$NS" link set e0p up &&
		ip -n "$NS" addr add 192.0.2.1/24 dev e0 ||
		tap_bail "cannot set up the interfaces of $NS"
	mkdir -p "$WORK/layers"
	echo "0 0" >"$WORK/tap.counts"
	EDGEFW_UNIT_NS=$NS EDGEFW_UNIT_WORK=$WORK \
		unshare --mount --propagation private \
		"$top/tests/lib/overlay_root.sh" -e "$WORK/layers" "$top" "$WORK" -- \
		"$top/tests/install/test_unit.sh" --inner
	rc=$?
	read -r TAP_RUN TAP_FAILED <"$WORK/tap.counts"
	if [ $rc -eq 125 ]; then
		tap_result 1 "an overlay of the root file system (tests/lib/overlay_root.sh could not make one)"
	fi
	tap_done
}

main "$@"
