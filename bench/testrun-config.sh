#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The config of the testrun stage (and of tests/pkt/test_benchpaths.sh) on
# stdout: examples/lync-xmpp.conf with two changes for the partner classes
# (bench/README.md, testrun). The partner rule's limit is one no run
# reaches: 50/s keeps the coarse clock of the example's 20/s, and a burst
# of 1,000,000, which bench/testrun.c fills again between rounds. And
# 198.18.0.0/15 (RFC 2544) joins the partners, for more partner sources
# than 203.0.113.0/24 has.
set -u
example=$(cd "$(dirname "$0")/.." && pwd)/examples/lync-xmpp.conf
conf=$(sed -e 's|limit 20/s burst 40 per source|limit 50/s burst 1000000 per source|' \
	-e 's|^\t203\.0\.113\.0/24$|&\n\t198.18.0.0/15|' "$example") || exit 1
if ! grep -q 'limit 50/s burst 1000000 per source' <<<"$conf" ||
	! grep -q '198\.18\.0\.0/15' <<<"$conf"; then
	echo "$0: examples/lync-xmpp.conf changed: update the bench's config here" >&2
	exit 1
fi
printf '%s\n' "$conf"
