#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The boot test's layer: what the guest's root has on top of the host's
# (vm-tests/init copies it into the overlay before systemd starts). edgefw
# installed with `make install PREFIX=/usr`, enabled with systemctl as an
# operator does, /etc/edgefw/edgefw.conf, the test's own units, and what
# makes the host's root boot as a small VM:
#   - an empty /etc/fstab: the host's would wait 90 s for disks the guest
#     does not have;
#   - a volatile journal: the host's /var/log/journal stays the host's;
#   - /etc/.updated: without it ldconfig, the hwdb and the journal catalog
#     are rebuilt at every boot (ConditionNeedsUpdate=/etc), tens of
#     seconds under TCG;
#   - systemd-timesyncd masked: no clock to sync, no network to reach.
#
# Usage: boot-root.sh OUT     (OUT is emptied first)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=$1

rm -rf "$out"
mkdir -p "$out"
# /usr/lib/systemd/system, not /lib/...: the host's /lib is a symlink to
# usr/lib, and the copy goes through it.
make -s -C "$top" install DESTDIR="$out" PREFIX=/usr \
	UNITDIR=/usr/lib/systemd/system >/dev/null
systemctl --root="$out" enable edgefw.service >/dev/null 2>&1
[ -L "$out/etc/systemd/system/sysinit.target.wants/edgefw.service" ] || {
	echo "boot-root.sh: systemctl enable did not enable edgefw.service" >&2
	exit 1
}

install -D -m 0644 "$here/boot/edgefw.conf" "$out/etc/edgefw/edgefw.conf"
units=$out/etc/systemd/system
install -m 0644 "$here"/boot/edgefw-vmboot*.service "$here/boot/edgefw-vmboot.target" "$units/"
sed "s|@TOP@|$top|g" "$here/boot/edgefw-vmboot-test.service.in" \
	>"$units/edgefw-vmboot-test.service"
ln -s /dev/null "$units/systemd-timesyncd.service"

printf '# vm-tests boot test: no disks\n' >"$out/etc/fstab"
mkdir -p "$out/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' >"$out/etc/systemd/journald.conf.d/vmboot.conf"
touch "$out/etc/.updated"
