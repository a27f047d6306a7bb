#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# overlay_root.sh LAYERS DIR... -- COMMAND...: runs COMMAND as root in a throwaway
# copy of this machine's root file system: a mount namespace of its own in
# which an overlay (the real / below, a tmpfs above) is the root. What
# COMMAND writes to files (dpkg's database, /usr, /etc, /run, /var/lib)
# lands in the tmpfs and vanishes with the namespace, however COMMAND ends.
# What it does to the kernel does not: /proc, /sys (and so /sys/fs/bpf),
# /dev and /run/netns are the real ones. Each DIR (the tree, a scratch
# directory) is the real one too, at the same path. LAYERS is an empty
# directory of the caller's, where the tmpfs is mounted (in the namespace
# only: the caller removes the directory).
# Exits 125 when the overlay cannot be made, else COMMAND's status.
# Run it under `unshare --mount --propagation private`.
#
# overlay_root.sh -e LAYERS DIR... -- COMMAND...: the same copy, but
# COMMAND runs outside it, with OVERLAY_ROOT naming it (for a container
# manager such as systemd-nspawn, which mounts /proc, /sys and /dev
# itself).
set -u

outside=0
if [ "${1:-}" = -e ]; then
	outside=1
	shift
fi
layers=${1:-}
shift
dirs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	dirs+=("$1")
	shift
done
shift
[ $# -gt 0 ] || {
	echo "usage: overlay_root.sh LAYERS DIR... -- COMMAND..." >&2
	exit 2
}
[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] || {
	echo "overlay_root.sh: run it in a mount namespace of its own (unshare -m)" >&2
	exit 125
}

[ -d "$layers" ] || exit 125
mount -t tmpfs -o mode=0700 edgefw-overlay "$layers" || exit 125
mkdir "$layers/upper" "$layers/work" "$layers/root"
root=$layers/root
mount -t overlay edgefw-overlay \
	-o "lowerdir=/,upperdir=$layers/upper,workdir=$layers/work" "$root" || {
	echo "overlay_root.sh: cannot mount an overlay of /" >&2
	exit 125
}
# /run and /tmp: the root file system's own directories, empty where the
# machine mounts a tmpfs on them, as on a machine that has just booted.
mkdir -p "$root/run/netns" "$root/tmp" && chmod 1777 "$root/tmp"
for d in "${dirs[@]}"; do
	mkdir -p "$root$d" && mount --bind "$d" "$root$d" || exit 125
done
if [ $outside -eq 1 ]; then
	OVERLAY_ROOT=$root exec "$@"
fi
mount -t proc proc "$root/proc" &&
	mount --rbind /sys "$root/sys" &&
	mount --rbind /dev "$root/dev" &&
	mount --rbind /run/netns "$root/run/netns" || exit 125
exec chroot "$root" "$@"
