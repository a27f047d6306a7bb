#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edgefw's tests on other kernels: boots each kernel of the matrix under
# qemu (TCG) twice, one qemu per core:
#   - suites: vm-tests/guest.sh (tests/run.sh's kernel-facing suites and a
#     check/load/status/unload cycle of build/edgefw);
#   - boot: Debian's systemd as PID 1 with edgefw installed and enabled
#     (vm-tests/boot-root.sh, vm-tests/boot-test.sh).
# Prints one line per kernel and run, and exits non-zero if any failed.
#
# Usage: vm-tests/run.sh [--boot-only|--suites-only] [SERIES...]
#   SERIES: 6.1 6.12 (default: all)
#   make vm-test                            the same, after `make tests`
#   make vm-boot-test                       --boot-only: the boot test alone
#   --suites-only                           the suites' guests alone
#   VNG=1              run the guest through vng (virtme-ng) instead
#   VMTEST_TIMEOUT=S   limit per kernel, boot to power-off (default 1500)
#   VMTEST_BOOT_TIMEOUT=S  the same for the boot test's guest (default 300)
#   VMTEST_SUITE_TIMEOUT=S  tests/run.sh's per-suite limit in the guest
#                      (default 600)
#   VMTEST_SUITES="S..."  these suites (tests/run.sh's names) instead of
#                      guest.sh's list, e.g. "pkt/test_reload" (debugging)
#   VMTEST_MEM=SIZE    guest memory (default 1536M)
#   VMTEST_JOBS=N      guests at once (default: the number of cores)
#   VMTEST_CPUS=N      vCPUs per guest (default 2: the rate-limit race)
#   VMTEST_KERNEL_PKGS="linux-image-..."   exact packages (fetch-kernels.sh)
#   VMTEST_APPEND="..."  more guest kernel parameters (debugging)
#
# Logs per kernel in build/vm-logs/<release>/: console.log (the serial
# console: boot, test output, any panic), qemu.log (qemu's own messages),
# guest/ (written by the guest: status, tests.log, cycle.log, test-logs/,
# dmesg.txt); the boot test's in build/vm-logs/<release>-boot/ (guest/:
# status, boot.log, journal.txt, blame.txt, dmesg.txt).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cache="$here/cache"
logs_root="$top/build/vm-logs"
# The boot test's layer (boot-root.sh), under $tmp: not in build/, where
# make would take its *.d directories for dependency files.
boot_layer=

vm_timeout=${VMTEST_TIMEOUT:-1500}
# The boot test's guest: boot, checks, power-off take about a minute.
boot_timeout=${VMTEST_BOOT_TIMEOUT:-300}
suite_timeout=${VMTEST_SUITE_TIMEOUT:-600}
suite_list=${VMTEST_SUITES:-}
memory=${VMTEST_MEM:-1536M}
jobs=${VMTEST_JOBS:-$(nproc)}
# Two: the rate-limit race runs a thread on each CPU.
vcpus=${VMTEST_CPUS:-2}
use_vng=${VNG:-0}
[ "$use_vng" = 0 ] && use_vng=

# README.md, "Kernels": edgefw needs Linux 6.1 or newer. The oldest kernel
# of the matrix is of that series, so a passing run proves the minimum.
min_supported_series=6.1

# Modules the initramfs needs before it can reach the host's root; their
# dependencies come from modules.dep. A module built into a kernel (6.12
# has virtio_pci built in) is skipped.
initramfs_modules=(virtio_pci 9pnet_virtio 9p overlay)

# A guest kernel log line matching this fails the kernel: a WARN, a BUG,
# an oops, a panic, a lockup, a sanitizer report.
kernel_problem_regex='WARNING: CPU:|WARNING: at |BUG: |kernel BUG at|Oops|general protection fault|Kernel panic|Call Trace:|UBSAN:|KASAN:|rcu_sched self-detected stall|rcu: INFO:|soft lockup|hung_task|blocked for more than'
# In the guest's test output: the kernel's BPF verifier refused a program.
verifier_regex='BPF program load failed|-- BEGIN PROG LOAD LOG --|the kernel refused edgefw.s BPF programs|failed to load BPF skeleton|failed to load object'

tmp=
started_pids=()

say() { echo "vm-tests: $*" >&2; }
die() {
	say "$*"
	exit 1
}

# On an interrupt: the guests' timeout processes (they pass the signal on
# to their qemu) and the background jobs, then the temporary files.
cleanup() {
	local pid f
	for f in "$tmp"/pids/*; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	for pid in "${started_pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	[ -z "$tmp" ] || rm -rf "$tmp"
}

# Runs a guest command under a time limit, with its pid recorded so that
# cleanup can stop it.
run_limited() { # NAME SECONDS COMMAND...
	local rel=$1 limit=$2 pid
	shift 2
	timeout --kill-after=10 "$limit" "$@" &
	pid=$!
	echo "$pid" >"$tmp/pids/$rel"
	wait "$pid"
}

check_prerequisites() {
	local t missing=()
	for t in qemu-system-x86_64 timeout cpio xz zstd; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "missing: ${missing[*]} (apt-get install qemu-system-x86 cpio xz-utils zstd)"
	[ -x "$top/build/edgefw" ] ||
		die "no build/edgefw: the guests run the host's build; run 'make tests' first"
	case "$top" in *[[:space:]]*)
		die "the tree's path has white space ($top); the guest's kernel command line cannot carry it" ;;
	esac
	if [ -n "$use_vng" ]; then
		command -v vng >/dev/null ||
			die "VNG=1 but vng (virtme-ng) is not installed; it is not packaged in Debian 12 (pip install virtme-ng), or run without VNG=1 for the built-in runner"
	fi
	# Always: the boot test runs through vm-tests/init, with or without vng.
	static_busybox >/dev/null ||
		die "no static busybox for the initramfs (apt-get install busybox-static)"
}

# Debian's busybox-static puts a static binary at /bin/busybox; the
# dynamic one of package busybox would need its libraries in the initramfs.
static_busybox() {
	local b
	for b in "${VMTEST_BUSYBOX:-}" /bin/busybox /usr/bin/busybox; do
		[ -n "$b" ] && [ -x "$b" ] || continue
		if LC_ALL=C ldd "$b" 2>&1 | grep -q 'not a dynamic executable'; then
			echo "$b"
			return 0
		fi
	done
	return 1
}

# modules.dep path of a module, or nothing if it is built in or absent.
module_path() { # MODDIR NAME
	local name=${2//-/_}
	awk -F: -v n="$name" '{
		base = $1; sub(/.*\//, "", base); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", base)
		gsub(/-/, "_", base)
		if (base == n) { print $1; exit }
	}' "$1/modules.dep"
}

module_deps() { # MODDIR PATH -> its dependencies, as modules.dep lists them
	awk -F: -v m="$2" '$1 == m { print $2; exit }' "$1/modules.dep"
}

# Appends PATH to the array load_order after everything it depends on.
declare -A module_seen
load_order=()
add_module_with_deps() { # MODDIR PATH
	local dep deps=()
	[ -z "${module_seen[$2]:-}" ] || return 0
	module_seen[$2]=1
	read -ra deps <<<"$(module_deps "$1" "$2")"
	for dep in "${deps[@]}"; do
		add_module_with_deps "$1" "$dep"
	done
	load_order+=("$2")
}

# busybox's insmod takes plain .ko files; 6.12's are .ko.xz.
copy_module_uncompressed() { # SRC DEST
	case "$1" in
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}

# A busybox initramfs with vm-tests/init and the modules to reach the
# host's root. Built afresh each run (well under a second): it cannot go
# stale when init or the kernel changes.
build_initramfs() { # RELEASE OUT
	local rel=$1 out=$2 moddir staging busybox applet m path name
	moddir="$cache/kernels/$rel/lib/modules/$rel"
	staging="$out.d"
	busybox=$(static_busybox) || return 1
	mkdir -p "$staging"/{bin,proc,sys,dev,modules}
	cp "$busybox" "$staging/bin/busybox"
	for applet in $("$busybox" --list); do
		[ "$applet" = busybox ] || ln -s busybox "$staging/bin/$applet"
	done
	cp "$here/init" "$staging/init"
	chmod 0755 "$staging/init"

	module_seen=()
	load_order=()
	for m in "${initramfs_modules[@]}"; do
		path=$(module_path "$moddir" "$m")
		if [ -n "$path" ]; then
			add_module_with_deps "$moddir" "$path"
		elif ! grep -qE "/${m//_/[-_]}\.ko$" "$moddir/modules.builtin"; then
			say "$rel: module $m is neither built in nor in modules.dep"
			return 1
		fi
	done
	: >"$staging/modules/order"
	for path in "${load_order[@]}"; do
		name=$(basename "$path")
		name=${name%.xz}
		name=${name%.zst}
		name=${name%.gz}
		copy_module_uncompressed "$moddir/$path" "$staging/modules/$name" || return 1
		echo "$name" >>"$staging/modules/order"
	done
	# Uncompressed: the guest would spend longer decompressing it under
	# TCG than the host spends reading a few MiB more.
	(cd "$staging" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out"
}

# The fastest image that boots: the ELF vmlinux through its PVH entry,
# else the bzImage.
kernel_image() { # RELEASE
	local boot="$cache/kernels/$1/boot"
	if [ -f "$boot/vmlinux-$1" ]; then
		echo "$boot/vmlinux-$1"
	else
		echo "$boot/vmlinuz-$1"
	fi
}

# The kernel command line of a run of KIND: init runs guest.sh (suites),
# or makes systemd PID 1 of the root with the boot layer (boot).
guest_append() { # KIND LOGDIR
	local common="console=ttyS0 panic=-1 oops=panic quiet loglevel=3 rdinit=/init vmtest_top=$top vmtest_results=$2/guest"
	case "$1" in
	suites) echo "$common vmtest_suite_timeout=$suite_timeout${suite_list:+ vmtest_suites=${suite_list// /,}}${VMTEST_APPEND:+ $VMTEST_APPEND}" ;;
	boot) echo "$common vmtest_mode=boot vmtest_layer=$boot_layer systemd.unit=edgefw-vmboot.target${VMTEST_APPEND:+ $VMTEST_APPEND}" ;;
	esac
}

boot_with_qemu() { # RELEASE INITRAMFS LOGDIR KIND
	local rel=$1 initrd=$2 dir=$3
	local limit=$vm_timeout
	[ "$4" = suites ] || limit=$boot_timeout
	run_limited "$(basename "$dir")" "$limit" qemu-system-x86_64 -accel tcg -machine q35 -cpu max -smp "$vcpus" -m "$memory" \
		-nodefaults -no-user-config -display none -serial stdio -no-reboot \
		-kernel "$(kernel_image "$rel")" -initrd "$initrd" \
		-append "$(guest_append "$4" "$dir")" \
		-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
		-fsdev "local,id=results,path=$dir/guest,security_model=none,multidevs=remap" \
		-device virtio-9p-pci,fsdev=results,mount_tag=results \
		</dev/null >"$dir/console.log" 2>"$dir/qemu.log"
}

# vng makes the same kind of guest (host root over 9p, writable overlay)
# with its own init; guest.sh mounts what vng's init does not.
boot_with_vng() { # RELEASE LOGDIR
	local rel=$1 dir=$2
	run_limited "$rel" "$vm_timeout" vng --run "$cache/kernels/$rel/boot/vmlinuz-$rel" \
		--disable-kvm --force-9p --cpus 1 --memory "$memory" \
		--rwdir "$dir/guest" \
		--exec "EDGEFW_SUITE_TIMEOUT=$suite_timeout VMTEST_SUITES=${suite_list// /,} bash $here/guest.sh --results $dir/guest" \
		</dev/null >"$dir/console.log" 2>"$dir/qemu.log"
}

# Where a run of KIND on RELEASE leaves its logs.
run_dir() { # RELEASE KIND
	case "$2" in
	suites) echo "$logs_root/$1" ;;
	boot) echo "$logs_root/$1-boot" ;;
	esac
}

# One guest, start to end; runs in the background. Its verdict is made
# afterwards from the files it leaves in LOGDIR.
run_one_guest() { # RELEASE KIND
	local rel=$1 kind=$2 dir t0 rc initrd
	dir=$(run_dir "$rel" "$kind")
	t0=$(date +%s)
	# vng boots with its own init: the boot test needs vm-tests/init.
	if [ -n "$use_vng" ] && [ "$kind" = suites ]; then
		boot_with_vng "$rel" "$dir"
		rc=$?
	else
		initrd="$tmp/initramfs-$rel-$kind.cpio"
		if build_initramfs "$rel" "$initrd" 2>>"$dir/qemu.log"; then
			boot_with_qemu "$rel" "$initrd" "$dir" "$kind"
			rc=$?
		else
			echo "vm-tests: cannot build the initramfs" >>"$dir/qemu.log"
			rc=125
		fi
	fi
	printf 'qemu_rc=%s\nseconds=%s\n' "$rc" "$(($(date +%s) - t0))" >"$dir/host-status"
}

# The last value of NAME=VALUE in a file.
status_value() { # FILE NAME
	[ -f "$1" ] || return 0
	tr -d '\r' <"$1" | sed -n "s/^$2=//p" | tail -n 1
}

show_tail() { # TITLE FILE LINES
	[ -s "$2" ] || return 0
	echo "    --- $1 (last $3 lines; all in ${2#"$top"/})"
	tr -d '\r' <"$2" | tail -n "$3" | sed 's/^/    | /'
}

# Each failing suite of tests/run.sh's output with its first failing
# checks: every failing suite shows, however many checks fail in one.
failing_checks() { # TESTS-LOG
	tr -d '\r' <"$1" | awk '
		/^FAIL / { print; fails = 0; in_fail = 1; next }
		/^(PASS|edgefw tests:)/ { in_fail = 0; next }
		in_fail && /^    (not ok|# timed out|Bail out)/ {
			if (fails < 8) print
			else if (fails == 8) print "    ..."
			fails++
		}'
}

# Checks that fail in the guest but passed in the host's last `make test`
# (build/test-logs/, which CI writes just before): what this kernel does
# differently, the most telling lines of a failed run.
guest_only_failures() { # GUEST-TEST-LOGS-DIR
	local log host
	for log in "$1"/*.log; do
		host="$top/build/test-logs/$(basename "$log")"
		[ -f "$log" ] && [ -f "$host" ] || continue
		comm -12 \
			<(tr -d '\r' <"$log" | sed -n 's/^not ok [0-9]* - //p' | sort -u) \
			<(sed -n 's/^ok [0-9]* - //p' "$host" | sort -u) |
			sed "s#^#$(basename "$log" .log): #"
	done
}

# Judges one kernel from its logs, prints its line (and on failure why,
# with the ends of its logs); returns non-zero if it failed.
report_kernel() { # RELEASE
	local rel=$1 dir="$logs_root/$1" console guest qemu_rc seconds
	local marker uname summary passed=0 failed=0 bad_suites=0 suites=0
	local cycle_passed cycle_failed problems=() kernel_lines verifier_lines guest_only
	console="$dir/console.log"
	guest="$dir/guest"
	qemu_rc=$(status_value "$dir/host-status" qemu_rc)
	seconds=$(status_value "$dir/host-status" seconds)
	marker=$(tr -d '\r' <"$console" 2>/dev/null |
		grep -aoE 'VMTEST_EXIT=[0-9]+$' | tail -n 1 | cut -d= -f2)
	uname=$(status_value "$console" VMTEST_UNAME)
	[ -n "$uname" ] || uname=$(status_value "$guest/status" uname)

	summary=$(status_value "$guest/status" tests_summary)
	[ -n "$summary" ] || summary=$(tr -d '\r' <"$console" | grep -a '^edgefw tests:' | tail -n 1)
	if [[ "$summary" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ of\ ([0-9]+)\ suites ]]; then
		passed=${BASH_REMATCH[1]} failed=${BASH_REMATCH[2]}
		bad_suites=${BASH_REMATCH[3]} suites=${BASH_REMATCH[4]}
	fi
	cycle_passed=$(status_value "$guest/status" cycle_passed)
	cycle_failed=$(status_value "$guest/status" cycle_failed)
	passed=$((passed + ${cycle_passed:-0}))
	failed=$((failed + ${cycle_failed:-0}))

	if [ -z "$marker" ]; then
		if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
			problems+=("no VMTEST_EXIT: the guest hung; killed after ${vm_timeout}s (VMTEST_TIMEOUT)")
		else
			problems+=("no VMTEST_EXIT: the guest panicked, failed to boot or never reported (qemu status $qemu_rc)")
		fi
	elif [ "$marker" != 0 ]; then
		problems+=("the guest reported failure (VMTEST_EXIT=$marker)")
	fi
	[ -z "$uname" ] || [ "$uname" = "$rel" ] ||
		problems+=("the guest runs $uname, not $rel")
	if [ -n "$marker" ] && [ -z "$summary" ]; then
		problems+=("no 'edgefw tests:' summary from tests/run.sh")
	elif [ -n "$summary" ] && [ "$suites" -eq 0 ]; then
		problems+=("tests/run.sh found no suites (run 'make tests' on the host)")
	fi
	[ "${cycle_failed:-0}" -eq 0 ] || problems+=("the edgefw check/load/status/unload cycle failed")

	# Kernel lines only (they start with a timestamp): a test's own output
	# on the console may say "BUG" without the kernel having one.
	kernel_lines=$(cat "$guest/dmesg.txt" "$console" 2>/dev/null | tr -d '\r' |
		grep -aE '^\[ *[0-9]+\.[0-9]+\] ' | grep -aE "$kernel_problem_regex" | head -n 20)
	[ -z "$kernel_lines" ] || problems+=("the guest kernel log shows a WARN/BUG/oops/panic")
	verifier_lines=$(cat "$guest/tests.log" "$guest/cycle.log" "$guest"/test-logs/*.log 2>/dev/null |
		tr -d '\r' | grep -aE "$verifier_regex" | head -n 20)
	[ -z "$verifier_lines" ] || problems+=("the BPF verifier rejected a program")
	guest_only=$(guest_only_failures "$guest/test-logs")
	[ -z "$guest_only" ] ||
		problems+=("$(printf '%s\n' "$guest_only" | wc -l) checks fail on this kernel but passed on the host (build/test-logs/)")

	if [ ${#problems[@]} -eq 0 ]; then
		echo "$rel PASS" >>"$tmp/verdicts"
		printf '%-24s PASS  %d passed, %d failed  (%s s)\n' "$rel" "$passed" "$failed" "${seconds:-?}"
		return 0
	fi
	echo "$rel FAIL" >>"$tmp/verdicts"
	printf '%-24s FAIL  %d passed, %d failed, %d of %d suites failed  (%s s)\n' \
		"$rel" "$passed" "$failed" "$bad_suites" "$suites" "${seconds:-?}"
	printf '    %s\n' "${problems[@]}"
	if [ -n "$kernel_lines" ]; then
		echo "    --- kernel log lines"
		printf '%s\n' "$kernel_lines" | sed 's/^/    | /'
	fi
	if [ -n "$verifier_lines" ]; then
		echo "    --- verifier lines"
		printf '%s\n' "$verifier_lines" | sed 's/^/    | /'
	fi
	if [ -n "$guest_only" ]; then
		echo "    --- fail on this kernel, passed on the host"
		printf '%s\n' "$guest_only" | head -n 20 | sed 's/^/    | /'
	fi
	if [ -s "$guest/tests.log" ]; then
		echo "    --- failing suites and their first failing checks (logs in ${guest#"$top"/}/test-logs/)"
		failing_checks "$guest/tests.log" | sed 's/^/    | /'
	fi
	[ ! -s "$guest/cycle.log" ] || [ "${cycle_failed:-0}" -eq 0 ] ||
		show_tail "edgefw cycle" "$guest/cycle.log" 30
	show_tail "guest kernel log" "$guest/dmesg.txt" 15
	# The console holds the guest's whole output; its end says where a
	# guest that did not report stopped (a panic, a hang, a boot failure).
	if [ -z "$marker" ]; then
		show_tail "serial console" "$console" 40
		show_tail "qemu" "$dir/qemu.log" 10
	fi
	return 1
}

# Judges one boot test from its logs, like report_kernel: its line, and
# on failure why, with the failing checks and the ends of the logs.
report_boot() { # RELEASE
	local rel=$1 dir console guest qemu_rc seconds marker uname
	local passed failed problems=() kernel_lines timeline
	dir=$(run_dir "$rel" boot)
	console="$dir/console.log"
	guest="$dir/guest"
	qemu_rc=$(status_value "$dir/host-status" qemu_rc)
	seconds=$(status_value "$dir/host-status" seconds)
	marker=$(tr -d '\r' <"$console" 2>/dev/null |
		grep -aoE 'VMTEST_EXIT=[0-9]+$' | tail -n 1 | cut -d= -f2)
	uname=$(status_value "$console" VMTEST_UNAME)
	passed=$(tr -d '\r' <"$console" 2>/dev/null | grep -ac '^ok ')
	failed=$(tr -d '\r' <"$console" 2>/dev/null | grep -ac '^not ok ')

	if [ -z "$marker" ]; then
		if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
			problems+=("no VMTEST_EXIT: the guest hung; killed after ${boot_timeout}s (VMTEST_BOOT_TIMEOUT)")
		else
			problems+=("no VMTEST_EXIT: systemd did not boot, the test did not run, or the guest panicked (qemu status $qemu_rc)")
		fi
	elif [ "$marker" != 0 ]; then
		problems+=("the guest reported failure (VMTEST_EXIT=$marker)")
	fi
	[ -z "$uname" ] || [ "$uname" = "$rel" ] ||
		problems+=("the guest runs $uname, not $rel")
	[ -z "$marker" ] || tr -d '\r' <"$console" | grep -aqE '^1\.\.[1-9][0-9]*$' ||
		problems+=("no TAP plan from boot-test.sh")
	kernel_lines=$(cat "$guest/dmesg.txt" "$console" 2>/dev/null | tr -d '\r' |
		grep -aE '^\[ *[0-9]+\.[0-9]+\] ' | grep -aE "$kernel_problem_regex" | head -n 20)
	[ -z "$kernel_lines" ] || problems+=("the guest kernel log shows a WARN/BUG/oops/panic")

	timeline="edgefw attached $(status_value "$guest/status" t_filter_attached) s, network-pre $(status_value "$guest/status" t_network_pre) s, booted $(status_value "$guest/status" t_boot_finished) s"
	if [ ${#problems[@]} -eq 0 ]; then
		echo "$rel-boot PASS" >>"$tmp/verdicts"
		printf '%-24s PASS  boot: %d passed, %d failed; %s  (%s s)\n' \
			"$rel" "$passed" "$failed" "$timeline" "${seconds:-?}"
		return 0
	fi
	echo "$rel-boot FAIL" >>"$tmp/verdicts"
	printf '%-24s FAIL  boot: %d passed, %d failed  (%s s)\n' "$rel" "$passed" "$failed" "${seconds:-?}"
	printf '    %s\n' "${problems[@]}"
	if [ -n "$kernel_lines" ]; then
		echo "    --- kernel log lines"
		printf '%s\n' "$kernel_lines" | sed 's/^/    | /'
	fi
	if [ "$failed" -gt 0 ]; then
		echo "    --- failing checks (all in ${guest#"$top"/}/boot.log; the journal in journal.txt)"
		tr -d '\r' <"$console" | awk '/^not ok /{p=1; print; next} /^(ok |1\.\.)/{p=0} p' |
			head -n 40 | sed 's/^/    | /'
	fi
	show_tail "guest kernel log" "$guest/dmesg.txt" 15
	[ -n "$marker" ] || show_tail "serial console" "$console" 40
	[ -n "$marker" ] || show_tail "qemu" "$dir/qemu.log" 10
	return 1
}

# The minimum supported kernel is checked when the oldest kernel run is of
# that series; say which kernel proved it, or that this run did not.
report_minimum_kernel() { # RELEASE...
	local oldest verdict=PASS
	oldest=$(printf '%s\n' "$@" | sort -V | head -n 1)
	case "$oldest" in
	"$min_supported_series".*)
		grep -q "^$oldest PASS" "$tmp/verdicts" || verdict=FAIL
		echo "vm-tests: minimum supported kernel $min_supported_series: $verdict on $oldest"
		;;
	*)
		echo "vm-tests: minimum supported kernel $min_supported_series not checked (oldest here: $oldest)"
		;;
	esac
}

main() {
	local kernels=() kinds=(boot suites) fetched rel kind running=0 failed=0 t0
	t0=$(date +%s)
	case "${1:-}" in
	--boot-only)
		kinds=(boot)
		shift
		;;
	--suites-only)
		kinds=(suites)
		shift
		;;
	esac
	check_prerequisites
	trap cleanup EXIT
	trap 'say "interrupted: stopping the guests"; exit 130' INT TERM
	tmp=$(mktemp -d /tmp/edgefw-vmtest.XXXXXX) || die "cannot make a temporary directory"
	mkdir -p "$tmp/pids"

	# A kernel that cannot be fetched fails the run: a matrix that silently
	# shrinks would pass without having tested what it claims.
	fetched=$("$here/fetch-kernels.sh" "$@") ||
		die "cannot fetch the kernels (see fetch-kernels.sh's messages above)"
	mapfile -t kernels <<<"$fetched"

	if [ "${kinds[0]}" = boot ]; then
		boot_layer=$tmp/boot-root
		"$here/boot-root.sh" "$boot_layer" ||
			die "cannot make the boot test's layer (vm-tests/boot-root.sh)"
	fi

	say "${#kernels[@]} kernels (${kinds[*]}), ${jobs} guests at a time, up to ${vm_timeout}s each (boot test ${boot_timeout}s)${use_vng:+, suites through vng}: ${kernels[*]}"
	# The short boot tests first: the suites' guests then run side by
	# side to the end.
	for kind in "${kinds[@]}"; do
		for rel in "${kernels[@]}"; do
			rm -rf "$(run_dir "$rel" "$kind")"
			mkdir -p "$(run_dir "$rel" "$kind")/guest"
			if [ "$running" -ge "$jobs" ]; then
				wait -n
				running=$((running - 1))
			fi
			run_one_guest "$rel" "$kind" &
			started_pids+=($!)
			running=$((running + 1))
		done
	done
	wait
	started_pids=()

	for kind in "${kinds[@]}"; do
		for rel in "${kernels[@]}"; do
			case "$kind" in
			suites) report_kernel "$rel" ;;
			boot) report_boot "$rel" ;;
			esac || failed=$((failed + 1))
		done
	done
	[ "${kinds[*]}" = boot ] || report_minimum_kernel "${kernels[@]}"
	echo "vm-tests: ${#kernels[@]} kernels, $((${#kernels[@]} * ${#kinds[@]})) guests, $failed failed ($(($(date +%s) - t0)) s)"
	[ "$failed" -eq 0 ]
}

main "$@"
