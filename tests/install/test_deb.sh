#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Debian package: built by `make deb` (this suite builds it when it is
# missing or older than the tree, about a minute), its contents and
# control fields, lintian without an error or a warning, and a real
# install with dpkg: the service enabled and inert without a config, the
# directories root's alone, removal with the filter loaded (in a network
# namespace of this suite's) leaving nothing attached and no pin, purge
# leaving nothing at all.
#
# The install happens in a throwaway copy of this machine's root file
# system (tests/lib/overlay_root.sh): dpkg's database and the installed
# files vanish with it, whatever happens, while the BPF filesystem, the
# programs and the namespaces are the kernel's own. It is skipped, saying
# why, where edgefw is loaded on this machine (/sys/fs/bpf/edgefw exists).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
# xdp_mode_of and edgefw_filter_of, read in the namespace NS.
. "$top/tests/lib/cli.sh"

VERSION=$(cd "$top" && dpkg-parsechangelog -SVersion 2>/dev/null)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
DEB=$top/build/edgefw_${VERSION}_$ARCH.deb
# The phase inside the copy gets these from the one that starts it.
NS=${EDGEFW_DEB_NS:-efwd-$$}
WORK=${EDGEFW_DEB_WORK:-}

# Every file the package installs (directories aside).
PACKAGE_FILES="\
/lib/systemd/system/edgefw.service
/usr/lib/sysusers.d/edgefw.conf
/usr/lib/tmpfiles.d/edgefw.conf
/usr/sbin/edgefw
/usr/share/bash-completion/completions/edgefw
/usr/share/doc/edgefw/changelog.gz
/usr/share/doc/edgefw/copyright
/usr/share/doc/edgefw/examples/lync-xmpp.conf
/usr/share/edgefw/fail2ban/action.d/edgefw.conf
/usr/share/edgefw/prosody/mod_edgefw.lua
/usr/share/man/man5/edgefw.conf.5.gz
/usr/share/man/man8/edgefw.8.gz"

WANTS_LINK=/etc/systemd/system/sysinit.target.wants/edgefw.service

# The maintainer scripts see the real directories: none of the private
# ones tests/run.sh gives each suite.
host_env() {
	env -u EDGEFW_PIN_DIR -u EDGEFW_RUN_DIR -u EDGEFW_STATE_DIR \
		-u SSH_CONNECTION DEBIAN_FRONTEND=noninteractive "$@"
}

deb_is_stale() {
	local f
	[ -f "$DEB" ] || return 0
	while IFS= read -r -d '' f; do
		[ ! "$top/$f" -nt "$DEB" ] || return 0
	done < <(cd "$top" && git ls-files -z --cached --others --exclude-standard)
	return 1
}

test_build() {
	if deb_is_stale; then
		check "make deb builds $(basename "$DEB")" -- make -s -C "$top" deb ||
			tap_bail "no package to test"
	else
		tap_result 0 "the package $(basename "$DEB") is newer than the tree"
	fi
	check_eq "the tree is as clean after the build as before" \
		"$(cd "$top" && git status --porcelain --untracked-files=all)" "$TREE_STATUS"
}

test_contents() {
	local files field
	files=$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | sort)
	check_eq "dpkg-deb -c: the package's files" "$files" "$PACKAGE_FILES"
	check_match "dpkg-deb -c: the binary is root's, 0755" \
		"$(dpkg-deb -c "$DEB")" '^-rwxr-xr-x root/root .* \./usr/sbin/edgefw$'
	check_eq "control: Package" "$(dpkg-deb -f "$DEB" Package)" edgefw
	check_eq "control: Version is debian/changelog's" "$(dpkg-deb -f "$DEB" Version)" "$VERSION"
	check_eq "control: Architecture" "$(dpkg-deb -f "$DEB" Architecture)" "$ARCH"
	# Derived by dpkg-shlibdeps from what the binary links, and named in
	# debian/control for the libraries it opens on first use.
	for field in libbpf1 libc6 libjson-c5 libnettle8 libnl-3-200 libnl-route-3-200 \
		libcurl4 libldns3 libmicrohttpd12 libunbound8; do
		check_match "control: Depends has $field" \
			"$(dpkg-deb -f "$DEB" Depends)" "(^|, )$field( |,|$)"
	done
	dpkg-deb -e "$DEB" "$WORK/control"
	for field in postinst prerm postrm; do
		check "$field passes sh -n" -- sh -n "$WORK/control/$field"
	done
	check_match "prerm unloads the filter on remove" "$(cat "$WORK/control/prerm")" \
		'/usr/sbin/edgefw unload'
	check_match "postinst enables the service" "$(cat "$WORK/control/postinst")" \
		"deb-systemd-helper enable 'edgefw.service'"
	check_match "postinst creates the directories of tmpfiles.d" \
		"$(cat "$WORK/control/postinst")" 'systemd-tmpfiles .*--create edgefw.conf'
	check_match "postinst creates group edgefw (sysusers.d)" \
		"$(cat "$WORK/control/postinst")" 'systemd-sysusers .*edgefw.conf'
}

test_lintian() {
	local out
	if ! command -v lintian >/dev/null; then
		tap_result 1 "lintian is installed (scripts/install-deps.sh installs it)"
		return
	fi
	out=$(lintian "$DEB" 2>&1 | grep -v 'running with root privileges')
	check_eq "lintian: no error or warning" "$(grep -E '^[EW]: ' <<<"$out")" ""
	[ -z "$out" ] || tap_diag "lintian says:" "$out"
}

# The copy may hold what this machine has: an installed edgefw, its
# directories, a config. None of it is the package's test.
start_afresh() {
	if dpkg-query -W -f='${Status}' edgefw 2>/dev/null | grep -q 'installed\|config-files'; then
		host_env dpkg --purge edgefw >/dev/null 2>&1
	fi
	rm -rf /etc/edgefw /run/edgefw /var/lib/edgefw "$WANTS_LINK"
	while read -r f; do
		rm -f "$f"
	done <<<"$PACKAGE_FILES"
}

# Whatever the copy's phase left in the kernel: the pins and programs of
# a load that removal did not take away.
unload_leftovers() {
	local edgefw=/usr/sbin/edgefw
	[ -e /sys/fs/bpf/edgefw ] || return 0
	[ -x "$edgefw" ] || edgefw=$top/build/edgefw
	host_env nsenter --net="/run/netns/$NS" "$edgefw" unload --force >/dev/null 2>&1
	rm -rf /sys/fs/bpf/edgefw
}

mode_owner() {
	stat -c '%a %U %F' "$1" 2>&1
}

check_installed() {
	local what=$1
	check "$what: dpkg -i exits 0" -- host_env dpkg -i "$DEB" || return 1
	check_eq "$what: dpkg says installed" \
		"$(dpkg-query -W -f='${Status}' edgefw 2>&1)" "install ok installed"
	check_eq "$what: the service is enabled (sysinit.target wants it)" \
		"$(readlink "$WANTS_LINK")" /lib/systemd/system/edgefw.service
	check_eq "$what: /run/edgefw is root's alone" "$(mode_owner /run/edgefw)" "700 root directory"
	check_eq "$what: /var/lib/edgefw is root's alone" "$(mode_owner /var/lib/edgefw)" "700 root directory"
	check_eq "$what: man finds edgefw(8)" "$(man -w edgefw 2>&1)" /usr/share/man/man8/edgefw.8.gz
}

# Inside the copy of the root file system.
installed_phase() {
	local out f
	start_afresh
	check_installed "install" || return

	# No systemd runs in the copy: the unit itself says it is inert.
	check "inert: the unit starts only when /etc/edgefw/edgefw.conf exists" -- \
		grep -qxF ConditionPathExists=/etc/edgefw/edgefw.conf /lib/systemd/system/edgefw.service
	check "inert: there is no /etc/edgefw/edgefw.conf" -- test ! -e /etc/edgefw/edgefw.conf
	out=$(systemd-analyze verify /lib/systemd/system/edgefw.service 2>&1)
	check_eq "systemd-analyze verify of the installed unit, man pages included" "$?:$out" "0:"

	# Removed while nothing is loaded: prerm's unload finds nothing.
	check "remove with nothing loaded: dpkg -r exits 0" -- host_env dpkg -r edgefw
	check "remove: the binary is gone" -- test ! -e /usr/sbin/edgefw
	check "remove: /run/edgefw is gone" -- test ! -e /run/edgefw
	check "remove: /var/lib/edgefw (set changes, blocks) is kept" -- test -d /var/lib/edgefw

	# Removed while the filter is loaded, in this suite's namespace (as if
	# it were the machine's): nothing may stay attached or pinned.
	check_installed "reinstall" || return
	printf 'interface e0 role external\nrule s2s external in tcp 5269\n' >"$WORK/edgefw.conf"
	check "loaded: edgefw load in the namespace" -- \
		host_env nsenter --net="/run/netns/$NS" /usr/sbin/edgefw load -c "$WORK/edgefw.conf"
	check "loaded: pinned under /sys/fs/bpf/edgefw" -- test -d /sys/fs/bpf/edgefw
	check_eq "loaded: XDP on e0" "$(xdp_mode_of e0)" native
	check_eq "loaded: edgefw's filter on e0 egress" "$(edgefw_filter_of e0)" present
	check "remove with the filter loaded: dpkg -r exits 0" -- \
		host_env nsenter --net="/run/netns/$NS" dpkg -r edgefw
	check "remove: no pin under /sys/fs/bpf/edgefw" -- test ! -e /sys/fs/bpf/edgefw
	check_eq "remove: no XDP program on e0" "$(xdp_mode_of e0)" none
	check_eq "remove: no edgefw filter on e0 egress" "$(edgefw_filter_of e0)" absent

	check "purge: dpkg --purge exits 0" -- host_env dpkg --purge edgefw
	check "purge: /var/lib/edgefw is gone" -- test ! -e /var/lib/edgefw
	check "purge: the service's link is gone" -- test ! -L "$WANTS_LINK"
	check_eq "purge: dpkg knows no edgefw" \
		"$(dpkg-query -W -f='${Status}' edgefw 2>/dev/null)" ""
	out=''
	while read -r f; do
		[ ! -e "$f" ] || out+=" $f"
	done <<<"$PACKAGE_FILES"
	check_eq "purge: none of the package's files is left" "$out" ""
}

# The copy's phase continues this one's TAP numbering and hands back its
# counts in $WORK/tap.counts.
test_real_install() {
	local rc
	if [ -e /sys/fs/bpf/edgefw ]; then
		tap_result 0 "# SKIP real install: edgefw is loaded on this machine (/sys/fs/bpf/edgefw)"
		return
	fi
	echo "$TAP_RUN $TAP_FAILED" >"$WORK/tap.counts"
	mkdir -p "$WORK/layers"
	EDGEFW_DEB_NS=$NS EDGEFW_DEB_WORK=$WORK \
		unshare --mount --propagation private \
		"$top/tests/lib/overlay_root.sh" "$WORK/layers" "$top" "$WORK" -- \
		"$top/tests/install/test_deb.sh" --installed
	rc=$?
	unload_leftovers
	read -r TAP_RUN TAP_FAILED <"$WORK/tap.counts"
	if [ $rc -eq 125 ]; then
		tap_result 1 "the real install: an overlay of the root file system (tests/lib/overlay_root.sh could not make one)"
	elif [ $rc -ne 0 ]; then
		tap_result 1 "the install phase ended with status $rc"
	fi
}

cleanup() {
	unload_leftovers
	ip netns del "$NS" 2>/dev/null
	[ -z "$WORK" ] || rm -rf "$WORK"
}

# In the copy: the install checks only, counted on from the caller's.
main_installed() {
	read -r TAP_RUN TAP_FAILED <"$WORK/tap.counts"
	trap 'echo "$TAP_RUN $TAP_FAILED" >"$WORK/tap.counts"; unload_leftovers' EXIT
	installed_phase
}

main() {
	local tool
	if [ "${1:-}" = --installed ]; then
		main_installed
		return
	fi
	for tool in dpkg-buildpackage dpkg-deb dpkg-parsechangelog git ip tc nsenter unshare chroot; do
		command -v "$tool" >/dev/null || tap_bail "$tool is missing (scripts/install-deps.sh)"
	done
	[ "$(id -u)" -eq 0 ] || tap_bail "run as root: the suite installs the package"
	[ -n "$VERSION" ] && [ -n "$ARCH" ] || tap_bail "no version in debian/changelog"
	WORK=$(mktemp -d /tmp/edgefw-deb.XXXXXX) || tap_bail "mktemp failed"
	trap cleanup EXIT
	trap 'exit 143' TERM INT HUP
	TREE_STATUS=$(cd "$top" && git status --porcelain --untracked-files=all)
	ip netns add "$NS" || tap_bail "cannot create network namespace $NS"
	ip -n "$NS" link add e0 type veth peer name e0p &&
		ip -n "$NS" link set e0 up && ip -n "$NS" link set e0p up ||
		tap_bail "cannot set up the interfaces of $NS"

	test_build
	test_contents
	test_lintian
	test_real_install
	tap_done
}

main "$@"
