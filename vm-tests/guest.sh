#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside a vm-tests guest (vm-tests/init, or vng): edgefw's whole test
# suite through tests/run.sh, exactly as `make test` runs it on the host,
# then a check/load/status/unload cycle of build/edgefw on veths in a
# network namespace. The guest sees the host's root (read-only, under a
# writable overlay) and so the build tree the host built: nothing is
# compiled here.
#
# Usage: guest.sh --results DIR
# DIR (shared with the host, writable) receives:
#   status        name=value lines: release, counts, exit statuses
#   tests.log     tests/run.sh's output
#   cycle.log     the edgefw cycle's TAP output
#   edgefw-load.log  `edgefw -v load`'s output, libbpf's messages included
#   test-logs/    tests/run.sh's per-suite logs
#   dmesg.txt     the guest kernel's log at the end
# The last line on the console is VMTEST_EXIT=<status>: 0 when everything
# passed. The host side (vm-tests/run.sh) relies on it.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
results=
modules_wanted=(
	veth        # every namespace test's links
	sch_ingress # the clsact qdisc that holds edgefw's TC egress program
	cls_bpf     # the filter libbpf's bpf_tc_attach() creates in it
	8021q       # VLAN links, for the 802.1Q tests that use real traffic
	dummy       # a spare link for tests that need one without a peer
)
cycle_ns=vmtest-edge
cycle_peer_ns=vmtest-world
cycle_pins=/sys/fs/bpf/edgefw-vmtest-cycle

say() { echo "vmtest: $*"; }

mounted() { # DIR
	mountpoint -q "$1" 2>/dev/null
}

mount_if_missing() { # TYPE DIR [OPTIONS]
	local type=$1 dir=$2 opts=${3:-}
	mounted "$dir" && return 0
	mkdir -p "$dir" 2>/dev/null
	mount -t "$type" ${opts:+-o "$opts"} "$type" "$dir" ||
		say "warning: cannot mount $type on $dir"
}

# A fresh tmpfs on DIR, unless the tree or the results share is under it
# (a checkout in /tmp): hiding them would leave nothing to test. The
# overlay root's DIR is writable anyway; it only shows the host's files.
mount_tmpfs_unless_tree_under() { # DIR MODE
	case "$top/" in "$1"/*)
		say "the tree is under $1: keeping the overlay's $1"
		return 0 ;;
	esac
	case "$results/" in "$1"/*) return 0 ;; esac
	mount_if_missing tmpfs "$1" "mode=$2"
}

# What a booted system has and edgefw or its tests use. Under
# vm-tests/init only proc, sys and dev are there; vng mounts more.
mount_guest_filesystems() {
	mount_if_missing proc /proc
	mount_if_missing sysfs /sys
	mount_if_missing devtmpfs /dev
	# devtmpfs has no /dev/fd: bash's process substitution <(...) needs
	# it (udev or systemd make these links on a booted system).
	[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
	[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
	[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
	[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
	mount_if_missing devpts /dev/pts
	mount_if_missing tmpfs /dev/shm mode=1777
	mount_tmpfs_unless_tree_under /run 0755
	mount_tmpfs_unless_tree_under /tmp 1777
	mount_if_missing bpf /sys/fs/bpf mode=0700
	mount_if_missing cgroup2 /sys/fs/cgroup
	mount_if_missing debugfs /sys/kernel/debug
	mount_if_missing tracefs /sys/kernel/tracing
	mkdir -p /run/netns
}

# The guest kernel's modules are in the cache, laid out as an installed
# system; /lib/modules/<release> makes modprobe and the kernel's own
# module autoloading (request_module) find them as on a real machine.
provide_kernel_modules() {
	local rel mods
	rel=$(uname -r)
	mods="$top/vm-tests/cache/kernels/$rel/lib/modules/$rel"
	[ -f "/lib/modules/$rel/modules.dep" ] && return 0
	if [ ! -d "$mods" ]; then
		say "warning: no modules for $rel in $mods"
		return 1
	fi
	if ! mkdir -p "/lib/modules/$rel" 2>/dev/null; then
		# A read-only /lib (some vng setups): a tmpfs over /lib/modules
		# only hides the host's modules, which no guest kernel can use.
		mount -t tmpfs -o mode=0755 tmpfs /lib/modules &&
			mkdir -p "/lib/modules/$rel"
	fi
	mount --bind "$mods" "/lib/modules/$rel"
}

load_test_modules() {
	local m
	for m in "${modules_wanted[@]}"; do
		modprobe "$m" 2>&1 || say "warning: modprobe $m failed"
	done
}

# tests/run.sh writes build/test-logs; under vm-tests/init the overlay root
# takes it, but a guest whose root is read-only there gets a tmpfs overlay.
ensure_build_tree_writable() {
	local t="$top/build/.vmtest-write-check" w
	if touch "$t" 2>/dev/null; then
		rm -f "$t"
		return 0
	fi
	w=$(mktemp -d /tmp/vmtest-build.XXXXXX)
	mkdir -p "$w/upper" "$w/work"
	mount -t overlay -o "lowerdir=$top/build,upperdir=$w/upper,workdir=$w/work" \
		overlay "$top/build"
}

# The suites that prove the kernel: packets through BPF_PROG_TEST_RUN and
# real traffic between namespaces. The unit and CLI suites test edgefw's
# own code, the same on every kernel, and take minutes under TCG; the
# cycle below covers load, status and unload. The hostile and federation
# suites stay on the host: under TCG a flood's rate measures qemu, not the
# kernel, and three Prosody servers add minutes.
vm_suites=(pkt/ netns/test_traffic netns/test_live)
# VMTEST_SUITES (run.sh, through init): others, comma-separated.
[ -z "${VMTEST_SUITES:-}" ] || IFS=, read -ra vm_suites <<<"$VMTEST_SUITES"
# A reload verifies four programs: 4-10 s under TCG with the packet thread
# beside it (0.2-0.4 s on the host). 40 reloads ran into the per-suite
# limit on 6.1 (300-420 s); 16 switch ext0's XDP link and TC filter 16
# times under the packet thread in about 115 s (vm-tests/README.md).
export EDGEFW_TEST_RELOADS=${EDGEFW_TEST_RELOADS:-16}

run_test_suites() {
	say "tests/run.sh ${vm_suites[*]} (per-suite limit ${EDGEFW_SUITE_TIMEOUT:-600}s, $EDGEFW_TEST_RELOADS reloads)"
	(cd "$top" && tests/run.sh "${vm_suites[@]}") 2>&1 | tee "$results/tests.log"
	return "${PIPESTATUS[0]}"
}

# ---- the edgefw cycle: check, load, status, traffic, unload ----
cycle_n=0
cycle_failed=0

cycle_result() { # STATUS DESCRIPTION [OUTPUT]
	cycle_n=$((cycle_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $cycle_n - $2"
	else
		cycle_failed=$((cycle_failed + 1))
		echo "not ok $cycle_n - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}

cycle_run() { # DESCRIPTION -- COMMAND...
	local desc=$1 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	cycle_result $rc "$desc" "$out"$'\n'"(exit status $rc: $*)"
	CYCLE_OUT=$out
	return $rc
}

in_edge() { nsenter --net="/run/netns/$cycle_ns" "$@"; }
in_world() { nsenter --net="/run/netns/$cycle_peer_ns" "$@"; }

# The shipped example's interfaces ext0 and int0 in the edge namespace,
# their peers in the world namespace: a partner (203.0.113.5, in the
# example's partners set) and a stranger (198.51.100.9) on the external
# side, a front-end (10.1.1.2) on the internal side.
cycle_make_namespaces() {
	ip netns add "$cycle_ns" && ip netns add "$cycle_peer_ns" &&
		ip link add ext0 netns "$cycle_ns" type veth peer name ext0p netns "$cycle_peer_ns" &&
		ip link add int0 netns "$cycle_ns" type veth peer name int0p netns "$cycle_peer_ns" &&
		in_edge ip addr add 192.0.2.10/24 dev ext0 &&
		in_edge ip addr add 10.1.0.10/16 dev int0 &&
		in_world ip addr add 203.0.113.5/24 dev ext0p &&
		in_world ip addr add 198.51.100.9/24 dev ext0p &&
		in_world ip addr add 10.1.1.2/16 dev int0p &&
		in_edge ip link set lo up && in_world ip link set lo up &&
		in_edge ip link set ext0 up && in_edge ip link set int0 up &&
		in_world ip link set ext0p up && in_world ip link set int0p up &&
		in_edge ip route add 203.0.113.0/24 dev ext0 &&
		in_edge ip route add 198.51.100.0/24 dev ext0 &&
		in_world ip route add 192.0.2.0/24 dev ext0p
}

cycle_cleanup() {
	EDGEFW_PIN_DIR=$cycle_pins in_edge "$top/build/edgefw" unload >/dev/null 2>&1
	ip netns pids "$cycle_ns" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns pids "$cycle_peer_ns" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$cycle_ns" 2>/dev/null
	ip netns del "$cycle_peer_ns" 2>/dev/null
}

edgefw_cycle() {
	local edgefw="$top/build/edgefw" conf="$top/examples/lync-xmpp.conf"
	local run_dir listeners=()

	run_dir=$(mktemp -d /tmp/vmtest-edgefw.XXXXXX)
	export EDGEFW_PIN_DIR=$cycle_pins EDGEFW_RUN_DIR=$run_dir

	cycle_run "edgefw check accepts the shipped example" -- \
		"$edgefw" check -c "$conf"
	if ! cycle_make_namespaces; then
		cycle_result 1 "veth pairs in network namespaces for the cycle"
		cycle_cleanup
		return
	fi
	# -v: libbpf's messages, with the verifier's log if the kernel
	# refuses the programs (the host side looks for it).
	cycle_run "edgefw load attaches XDP and TC on ext0 and int0" -- \
		in_edge "$edgefw" -v load -c "$conf"
	printf '%s\n' "$CYCLE_OUT" >"$results/edgefw-load.log"
	if cycle_run "edgefw status shows both interfaces loaded" -- \
		in_edge "$edgefw" status; then
		local st=$CYCLE_OUT
		printf '%s\n' "$st" | sed 's/^/# /' # the attach modes, for the record
		[[ "$st" == *ext0*xdp*tc\ egress\ prog* ]] && [[ "$st" == *int0*xdp*tc\ egress\ prog* ]] &&
			[[ "$st" != *PROBLEM* ]]
		cycle_result $? "status lists ext0 and int0 with XDP and TC programs and no problem" "$st"
	fi
	if command -v jq >/dev/null; then
		cycle_run "edgefw status --json is valid JSON" -- \
			bash -c 'nsenter --net="/run/netns/$1" "$2" status --json | jq -e . >/dev/null' \
			- "$cycle_ns" "$edgefw"
	fi

	# Real traffic through the loaded filter: the example admits TCP 5269
	# from partners to the external address and nothing else inbound.
	if command -v socat >/dev/null; then
		in_edge socat TCP-LISTEN:5269,bind=192.0.2.10,reuseaddr,fork EXEC:/bin/true &
		listeners+=($!)
		in_edge socat TCP-LISTEN:22,bind=192.0.2.10,reuseaddr,fork EXEC:/bin/true &
		listeners+=($!)
		sleep 1
		cycle_run "a partner's TCP 5269 connection to the edge gets through" -- \
			in_world timeout 10 socat -T 5 /dev/null TCP:192.0.2.10:5269,bind=203.0.113.5,connect-timeout=5
		if in_world timeout 10 socat -T 3 /dev/null \
			TCP:192.0.2.10:5269,bind=198.51.100.9,connect-timeout=3 >/dev/null 2>&1; then
			cycle_result 1 "a stranger's TCP 5269 connection is dropped (it connected)"
		else
			cycle_result 0 "a stranger's TCP 5269 connection is dropped"
		fi
		if in_world timeout 10 socat -T 3 /dev/null \
			TCP:192.0.2.10:22,bind=203.0.113.5,connect-timeout=3 >/dev/null 2>&1; then
			cycle_result 1 "a partner's TCP 22 connection is dropped (it connected)"
		else
			cycle_result 0 "a partner's TCP 22 connection is dropped"
		fi
	else
		say "no socat: the cycle's traffic checks are skipped"
	fi

	cycle_run "edgefw unload" -- in_edge "$edgefw" unload
	local left
	left=$(in_edge ip -d link show 2>&1 | grep -E 'prog/xdp|xdp' ; in_edge tc filter show dev ext0 egress 2>&1)
	[ -z "$left" ] && [ ! -e "$cycle_pins" ]
	cycle_result $? "after unload: no XDP, no TC filter, no pins left" "$left"

	[ ${#listeners[@]} -eq 0 ] || kill "${listeners[@]}" 2>/dev/null
	wait 2>/dev/null
	cycle_cleanup
	rm -rf "$run_dir"
	unset EDGEFW_PIN_DIR EDGEFW_RUN_DIR
	echo "1..$cycle_n"
}

write_status() { # NAME=VALUE...
	printf '%s\n' "$@" >>"$results/status"
}

main() {
	local rel tests_rc cycle_rc rc summary t0
	[ "${1:-}" = "--results" ] && [ -n "${2:-}" ] || {
		echo "usage: $0 --results DIR" >&2
		exit 2
	}
	results=$2
	mkdir -p "$results"
	: >"$results/status"

	mount_guest_filesystems
	rel=$(uname -r)
	echo "VMTEST_UNAME=$rel"
	write_status "uname=$rel" "boot_seconds=$(cut -d' ' -f1 /proc/uptime)"
	provide_kernel_modules
	load_test_modules
	ip link set lo up
	ensure_build_tree_writable

	t0=$(date +%s)
	touch /tmp/.vmtest-start
	run_test_suites
	tests_rc=$?
	write_status "tests_seconds=$(($(date +%s) - t0))"
	summary=$(tr -d '\r' <"$results/tests.log" | grep '^edgefw tests:' | tail -n 1)
	write_status "tests_rc=$tests_rc" "tests_summary=$summary"

	say "edgefw check/load/status/unload cycle"
	# In a pipeline the cycle runs in a subshell: count from its TAP.
	edgefw_cycle 2>&1 | tee "$results/cycle.log"
	cycle_n=$(grep -c '^ok ' "$results/cycle.log" 2>/dev/null)
	cycle_failed=$(grep -c '^not ok ' "$results/cycle.log" 2>/dev/null)
	cycle_n=${cycle_n:-0} cycle_failed=${cycle_failed:-0}
	cycle_rc=0
	[ "$cycle_failed" -eq 0 ] && [ "$cycle_n" -gt 0 ] || cycle_rc=1
	write_status "cycle_passed=$cycle_n" "cycle_failed=$cycle_failed" "cycle_rc=$cycle_rc"

	# This run's suite logs only, not the host's older ones the overlay shows.
	mkdir -p "$results/test-logs"
	find "$top/build/test-logs" -maxdepth 1 -type f -newer /tmp/.vmtest-start \
		-exec cp {} "$results/test-logs/" \; 2>/dev/null
	dmesg >"$results/dmesg.txt" 2>&1

	rc=0
	[ "$tests_rc" -eq 0 ] && [ "$cycle_rc" -eq 0 ] || rc=1
	write_status "exit=$rc"
	sync
	echo "VMTEST_EXIT=$rc"
	return $rc
}

main "$@"
