#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs the Debian packages that edgefw's build, its Debian package,
# tests, VM tests and demo need, when any is missing: one `apt-get
# update`, then one install.
# Usage: scripts/install-deps.sh [bench]   (as root, or with sudo available)
#   bench: also the peers `make bench` measures edgefw against
set -euo pipefail

# The package's Build-Depends, which are the build's (debhelper-compat is
# debhelper's): debian/control is the one list of them.
build_depends() {
	awk '/^Build-Depends:/ { f = 1; sub(/^Build-Depends:/, "") }
		f && /^[A-Za-z-]+:/ && !/^Build-Depends:/ { f = 0 }
		f' "$(dirname "$0")/../debian/control" |
		tr ',' '\n' | sed 's/[[(<].*//; s/^[[:space:]]*//; s/[[:space:]]*$//' |
		sed 's/^debhelper-compat$/debhelper/' | grep .
}

mapfile -t build_packages < <(build_depends)
[ ${#build_packages[@]} -gt 5 ] || {
	echo "install-deps: cannot read the Build-Depends of debian/control" >&2
	exit 1
}

packages=(
	# build: debian/control's Build-Depends, and
	"${build_packages[@]}"
	build-essential dpkg-dev llvm clang-format
	# libFuzzer and clang's sanitizer runtimes (make fuzz, make test SANITIZE=1)
	libclang-rt-14-dev
	# the package and the manual: checks
	lintian mandoc man-db
	# tests/install/test_unit: the unit under systemd, in a container
	systemd-container
	# tests and demo: namespaces, clients and servers, JSON
	iproute2 util-linux procps netcat-openbsd socat jq
	# tests/netns/test_hostile: a SYN flooder, a port scanner, paced clients
	hping3 nmap python3
	# tests/netns/test_monitor: ICMPv6 echoes
	iputils-ping
	# tests/netns/test_federation: XMPP servers, their DNS, a client, certs
	prosody dnsmasq-base python3-slixmpp openssl
	# tests/netns/test_metrics: promtool, a Prometheus that scrapes, a client
	prometheus curl
	# tests/netns/test_partners: an authoritative DNS server, zone signing
	knot knot-dnsutils ldnsutils
	# unit/test_etcd: a three-member etcd cluster (etcdctl compacts)
	etcd-server etcd-client
	# tests/netns/test_fail2ban: a real fail2ban with the contrib action
	fail2ban
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

# No package may start a service on this machine: prosody's would listen
# on every address of the host (5222, 5269), prometheus's on 9090, and
# fail2ban's would ban through the host's iptables. The
# tests start their own servers, in their namespaces. A policy-rc.d that answers 101 ("action
# forbidden") stops both invoke-rc.d and deb-systemd-invoke from starting
# anything during the install; one already there (container images have
# one) is left alone, ours is removed when the install is over.
policy=/usr/sbin/policy-rc.d
own_policy=0
remove_own_policy() {
	[ $own_policy -eq 0 ] || "${sudo[@]}" rm -f "$policy"
}
trap remove_own_policy EXIT
if [ ! -e "$policy" ]; then
	own_policy=1
	printf '#!/bin/sh\n# scripts/install-deps.sh: no service starts during the install\nexit 101\n' |
		"${sudo[@]}" tee "$policy" >/dev/null
	"${sudo[@]}" chmod 755 "$policy"
fi

"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Nor at boot: the services of prosody, prometheus and fail2ban, enabled by their
# packages, are disabled for systemd and for sysvinit (both work whether
# systemd runs or not).
for p in "${missing[@]}"; do
	case $p in prosody | prometheus | fail2ban) ;; *) continue ;; esac
	if command -v systemctl >/dev/null; then
		"${sudo[@]}" systemctl disable "$p.service" >/dev/null 2>&1 || true
	fi
	if command -v update-rc.d >/dev/null && [ -e "/etc/init.d/$p" ]; then
		"${sudo[@]}" update-rc.d "$p" disable >/dev/null 2>&1 || true
	fi
done
