#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs the Debian packages that edgefw's build, tests, VM tests and demo
# need, when any is missing: one `apt-get update`, then one install.
# Usage: scripts/install-deps.sh [bench]   (as root, or with sudo available)
#   bench: also the peers `make bench` measures edgefw against
set -euo pipefail

packages=(
	# build; libclang-rt-14-dev: libFuzzer and clang's sanitizer runtimes
	# (make fuzz, make test SANITIZE=1)
	make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev
	zlib1g-dev libnl-3-dev libnl-route-3-dev libjson-c-dev nettle-dev
	linux-libc-dev clang-format libclang-rt-14-dev
	# tests and demo: namespaces, clients and servers, JSON
	iproute2 util-linux procps netcat-openbsd socat jq
	# vm-tests: kernels run under qemu from a busybox initramfs
	qemu-system-x86 busybox-static kmod xz-utils zstd cpio
)
if [ "${1:-}" = bench ]; then
	packages+=(xdp-tools nftables iptables ethtool)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages are installed"
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || {
		echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
		exit 1
	}
	sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
