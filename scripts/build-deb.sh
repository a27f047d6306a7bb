#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the Debian package from a copy of the tree, so that the tree stays
# as it was: the files git knows (tracked, and new ones it does not ignore)
# are copied to build/deb/edgefw-VERSION, dpkg-buildpackage builds there,
# and the package lands in build/: edgefw_VERSION_ARCH.deb (and its
# -dbgsym, .buildinfo and .changes). VERSION is debian/changelog's.
# Usage: scripts/build-deb.sh   (`make deb`; needs the Build-Depends of
# debian/control, which scripts/install-deps.sh installs)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
version=$(dpkg-parsechangelog -SVersion)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
work=build/deb
src=$work/edgefw-$version

rm -rf "$work"
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf - | tar -xf - -C "$src"

# The package is built as debian/rules says, whatever make called this:
# a caller's variables (SANITIZE=1 from `make test SANITIZE=1`, which
# runs tests/install/test_deb) would reach debian/rules' make through
# MAKEFLAGS and put a sanitizer build in the package.
unset MAKEFLAGS MAKEOVERRIDES MFLAGS MAKELEVEL
echo "build-deb: building edgefw $version in $src"
# the copy has no git: the commit that edgefw_build_info reports
EDGEFW_COMMIT=$(git describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null || echo unknown)
export EDGEFW_COMMIT
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	tail -40 "$work/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed; the whole log: $work/build.log" >&2
	exit 1
}
for f in "$work"/edgefw*_"$version"_*; do
	mv -f "$f" build/
done
rm -rf "$src"
echo "build-deb: build/edgefw_${version}_$arch.deb"
