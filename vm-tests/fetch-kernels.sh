#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetches the kernels of the vm-tests matrix from Debian's archive into
# vm-tests/cache/kernels/<release>/ and prints their releases, oldest
# first, one per line on stdout (everything else goes to stderr).
#
# Usage: vm-tests/fetch-kernels.sh [SERIES...]     SERIES: 6.1 6.12 (default: both)
#   VMTEST_KERNEL_PKGS="linux-image-6.1.0-41-amd64 ..."  pins exact packages
#
# Only Debian's archive is used: apt-cache to find the newest package of a
# series, apt-get download, dpkg-deb -x, depmod -b. A kernel already in the
# cache is not downloaded again. Each cache entry, cache/kernels/<release>/:
#   boot/vmlinux-<release>  the uncompressed ELF kernel: boots through its
#                 PVH entry, ~2x faster under TCG than the bzImage, which
#                 spends seconds decompressing itself in emulation
#   boot/vmlinuz-<release>  the bzImage as shipped (for vng, and the
#                 fallback if no PVH vmlinux can be had)
#   boot/config-<release>   the kernel's .config (built-in or module?)
#   lib/modules/<release>/  the modules, less hardware drivers, with
#                 modules.dep from depmod -b
#   complete      written last: the entry is usable
set -u

here=$(cd "$(dirname "$0")" && pwd)
cache="$here/cache"
kernels="$cache/kernels"

# The matrix: series name and the package names that belong to it.
declare -A series_regex=(
	[6.1]='^linux-image-6\.1\.0-[0-9]+-amd64$'
	[6.12]='^linux-image-6\.12\.[0-9]+\+deb12-amd64$'
)
default_series=(6.1 6.12)

say() { echo "fetch-kernels: $*" >&2; }
die() {
	say "$*"
	exit 1
}

release_of_package() { # linux-image-6.1.0-41-amd64 -> 6.1.0-41-amd64
	echo "${1#linux-image-}"
}

# Which series a cached release belongs to, from its package name's shape.
series_matches() { # SERIES RELEASE
	[[ "linux-image-$2" =~ ${series_regex[$1]} ]]
}

# The newest package of a series that apt can download: apt-cache knows
# every package of the sources it was updated from, without downloading.
newest_package_from_apt() { # SERIES
	local pkg candidate
	apt-cache pkgnames linux-image-6. 2>/dev/null |
		grep -E "${series_regex[$1]}" | sort -rV |
		while read -r pkg; do
			candidate=$(apt-cache policy "$pkg" 2>/dev/null |
				awk '/Candidate:/ { print $2 }')
			if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
				echo "$pkg"
				break
			fi
		done
}

# Offline fallback (apt lists missing or stale): the newest complete entry
# of the series already in the cache.
newest_cached_release() { # SERIES
	local dir rel
	for dir in "$kernels"/*/; do
		[ -f "$dir/complete" ] || continue
		rel=$(basename "$dir")
		series_matches "$1" "$rel" && echo "$rel"
	done | sort -rV | head -n 1
}

# The compressed kernel inside a bzImage starts at a compressor's magic
# number (6.1: xz, 6.12: zstd); decompressing from there yields the ELF
# vmlinux. This is what the kernel's scripts/extract-vmlinux does.
extract_elf_vmlinux() { # BZIMAGE OUT
	local bz=$1 out=$2 magic tool offset
	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
		tool=${magic%%:*}
		command -v "$tool" >/dev/null || continue
		for offset in $(LC_ALL=C grep -obUaP "${magic#*:}" "$bz" | cut -d: -f1); do
			tail -c +"$((offset + 1))" "$bz" | "$tool" -dc >"$out" 2>/dev/null
			if [ "$(head -c 4 "$out" | od -An -c | tr -d ' ')" = '177ELF' ]; then
				return 0
			fi
		done
	done
	rm -f "$out"
	return 1
}

# A vmlinux boots directly only if it has the PVH entry note (Xen note
# type 18, XEN_ELFNOTE_PHYS32_ENTRY); CONFIG_PVH=y gives it.
has_pvh_entry() { # VMLINUX
	command -v readelf >/dev/null || return 0 # cannot tell: try it
	readelf -n "$1" 2>/dev/null | grep -qE '^\s+Xen\s.*\(0x00000012\)'
}

# Modules no test can need in a guest with no hardware: they are most of
# the package's size (6.1: 435 MiB unpacked, 6.12: 173 MiB) and nothing
# else. Networking, filesystems, crypto, lib and virtio stay.
trim_hardware_modules() { # MODDIR
	local d
	for d in sound drivers/gpu drivers/media drivers/scsi drivers/infiniband \
		drivers/usb drivers/iio drivers/hwmon drivers/staging drivers/hid \
		drivers/md drivers/platform drivers/input drivers/ata drivers/comedi \
		drivers/mtd drivers/video drivers/target drivers/mmc drivers/isdn \
		drivers/bluetooth drivers/nvme drivers/net/wireless \
		drivers/net/ethernet drivers/net/usb drivers/net/can drivers/net/wwan \
		drivers/net/ieee802154 net/bluetooth net/wireless net/mac80211; do
		rm -rf "${1:?}/kernel/$d"
	done
}

download_and_unpack() { # PACKAGE
	local pkg=$1 rel tmp debs deb root entry
	rel=$(release_of_package "$pkg")
	mkdir -p "$kernels"
	tmp=$(mktemp -d "$cache/tmp.XXXXXX") || return 1
	# apt-get download drops privileges to _apt, which must be able to write
	# here; otherwise it warns and downloads as root, which also works.
	chmod 0755 "$tmp"
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$tmp"
	fi
	say "downloading $pkg"
	if ! (cd "$tmp" && apt-get download -q "$pkg" >&2); then
		rm -rf "$tmp"
		say "apt-get download $pkg failed (is 'apt-get update' done, is the archive reachable?)"
		return 1
	fi
	debs=("$tmp"/*.deb)
	deb=${debs[0]}
	root="$tmp/root"
	say "unpacking $(basename "$deb")"
	if ! dpkg-deb -x "$deb" "$root"; then
		rm -rf "$tmp"
		say "dpkg-deb -x $deb failed"
		return 1
	fi
	# The entry is laid out like an installed system (boot/, lib/modules/)
	# so that vng --run finds the modules next to the image, as it does
	# for a kernel unpacked anywhere.
	entry="$tmp/entry"
	mkdir -p "$entry/boot" "$entry/lib/modules"
	if [ -d "$root/usr/lib/modules/$rel" ]; then
		mv "$root/usr/lib/modules/$rel" "$entry/lib/modules/"
	elif [ -d "$root/lib/modules/$rel" ]; then
		mv "$root/lib/modules/$rel" "$entry/lib/modules/"
	fi
	mv "$root/boot/vmlinuz-$rel" "$root/boot/config-$rel" "$entry/boot/" 2>/dev/null
	if [ ! -f "$entry/boot/vmlinuz-$rel" ] || [ ! -d "$entry/lib/modules/$rel" ]; then
		rm -rf "$tmp"
		say "$pkg has no boot/vmlinuz-$rel or lib/modules/$rel"
		return 1
	fi
	trim_hardware_modules "$entry/lib/modules/$rel"
	# The .deb ships no modules.dep: postinst runs depmod on a real install.
	if ! depmod -b "$entry" "$rel"; then
		rm -rf "$tmp"
		say "depmod -b failed for $rel"
		return 1
	fi
	if extract_elf_vmlinux "$entry/boot/vmlinuz-$rel" "$entry/boot/vmlinux.tmp" &&
		has_pvh_entry "$entry/boot/vmlinux.tmp"; then
		mv "$entry/boot/vmlinux.tmp" "$entry/boot/vmlinux-$rel"
	else
		rm -f "$entry/boot/vmlinux.tmp"
		say "$rel: no PVH-bootable ELF vmlinux; the guest boots the slower bzImage"
	fi
	printf 'package=%s\nversion=%s\nfetched=%s\n' "$pkg" \
		"$(dpkg-deb -f "$deb" Version)" "$(date -u +%FT%TZ)" >"$entry/complete"
	rm -rf "${kernels:?}/${rel:?}"
	mv "$entry" "$kernels/$rel"
	rm -rf "$tmp"
	say "$rel ready in ${kernels#"$PWD"/}/$rel ($(du -sh "$kernels/$rel" | cut -f1))"
}

# The release for a package, fetched if it is not in the cache yet.
ensure_package() { # PACKAGE
	local rel
	rel=$(release_of_package "$1")
	if [ ! -f "$kernels/$rel/complete" ]; then
		download_and_unpack "$1" || return 1
	fi
	echo "$rel"
}

resolve_and_fetch_series() { # SERIES
	local series=$1 pkg rel
	pkg=$(newest_package_from_apt "$series")
	if [ -n "$pkg" ]; then
		ensure_package "$pkg"
		return
	fi
	rel=$(newest_cached_release "$series")
	if [ -n "$rel" ]; then
		say "apt knows no $series kernel (no 'apt-get update'?); using the cached $rel"
		echo "$rel"
		return 0
	fi
	say "no $series kernel: apt-cache finds none matching ${series_regex[$series]} and none is cached; run 'apt-get update'"
	return 1
}

check_tools() {
	local t missing=()
	for t in apt-get apt-cache dpkg-deb depmod xz zstd od; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "missing tools: ${missing[*]} (apt-get install kmod xz-utils zstd)"
}

main() {
	local s pkg failed=0 lock_fd
	check_tools
	mkdir -p "$kernels"
	# Two runs at once (make -j, a second terminal) must not unpack the
	# same kernel into each other.
	exec {lock_fd}>"$cache/.lock"
	flock "$lock_fd" || die "cannot lock $cache/.lock"
	rm -rf "$cache"/tmp.* # left by an interrupted run

	if [ -n "${VMTEST_KERNEL_PKGS:-}" ]; then
		for pkg in $VMTEST_KERNEL_PKGS; do
			ensure_package "$pkg" || failed=1
		done
	else
		[ $# -gt 0 ] || set -- "${default_series[@]}"
		for s in "$@"; do
			[ -n "${series_regex[$s]:-}" ] ||
				die "unknown series '$s' (known: ${!series_regex[*]})"
			resolve_and_fetch_series "$s" || failed=1
		done
	fi
	return $failed
}

main "$@"
