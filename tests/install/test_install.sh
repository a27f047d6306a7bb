#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make install and make uninstall, into a scratch DESTDIR: every file where
# it belongs with its mode, the unit naming the binary of its prefix and
# passing systemd-analyze verify, man pages that render without errors and
# document every command and option of the command table and every
# statement of the README's configuration table, the installed completion
# working from the installed binary; then uninstall leaves nothing.
# Touches nothing outside its scratch directory (make install writes only
# under DESTDIR; the build is the tree's own, as `make` left it).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"

WORK=''
MAKE=(make -s -C "$top")

# The files of `make install PREFIX=/usr` on Debian 12, and their modes.
DEBIAN_FILES="\
0755 usr/sbin/edgefw
0644 lib/systemd/system/edgefw.service
0644 usr/lib/tmpfiles.d/edgefw.conf
0644 usr/lib/sysusers.d/edgefw.conf
0644 usr/share/man/man8/edgefw.8
0644 usr/share/man/man5/edgefw.conf.5
0644 usr/share/bash-completion/completions/edgefw
0644 usr/share/doc/edgefw/examples/lync-xmpp.conf
0644 usr/share/edgefw/prosody/mod_edgefw.lua
0644 usr/share/edgefw/fail2ban/action.d/edgefw.conf"

# Under /usr/local, the prefix's own directories, which systemd,
# systemd-tmpfiles and bash-completion search.
LOCAL_FILES="\
0755 usr/local/sbin/edgefw
0644 usr/local/lib/systemd/system/edgefw.service
0644 usr/local/lib/tmpfiles.d/edgefw.conf
0644 usr/local/lib/sysusers.d/edgefw.conf
0644 usr/local/share/man/man8/edgefw.8
0644 usr/local/share/man/man5/edgefw.conf.5
0644 usr/local/share/bash-completion/completions/edgefw
0644 usr/local/share/doc/edgefw/examples/lync-xmpp.conf
0644 usr/local/share/edgefw/prosody/mod_edgefw.lua
0644 usr/local/share/edgefw/fail2ban/action.d/edgefw.conf"

# "MODE PATH" of every file under a directory, sorted.
files_in() {
	(cd "$1" && find . -type f -printf '%m %P\n' | sed 's/^\([0-9]\{3\}\) /0\1 /' | sort -k2)
}

sorted() {
	sort -k2 <<<"$1"
}

# install_into DIR MAKE-ARGS...: make install DESTDIR=DIR; its output is
# kept in DIR.log.
install_into() {
	local dir=$1
	shift
	"${MAKE[@]}" install DESTDIR="$dir" "$@" >"$dir.log" 2>&1
}

test_install_usr() {
	local d=$WORK/usr unit
	mkdir -p "$d"
	check "make install DESTDIR PREFIX=/usr exits 0" -- install_into "$d" PREFIX=/usr ||
		tap_diag "$(cat "$d.log")"
	check_eq "PREFIX=/usr: every file where Debian has it, with its mode" \
		"$(files_in "$d")" "$(sorted "$DEBIAN_FILES")"
	unit=$d/lib/systemd/system/edgefw.service
	check "PREFIX=/usr: the unit runs /usr/sbin/edgefw daemon" -- grep -qxF \
		"ExecStart=/usr/sbin/edgefw daemon -c /etc/edgefw/edgefw.conf" "$unit"
	check "PREFIX=/usr: the installed binary runs" -- "$d/usr/sbin/edgefw" help
	test_unit_verifies "$d" "$unit"
	test_tmpfiles "$d/usr/lib/tmpfiles.d/edgefw.conf"
	test_man_pages "$d/usr/share/man"
	test_installed_completion "$d"

	check "make uninstall PREFIX=/usr exits 0" -- \
		"${MAKE[@]}" uninstall DESTDIR="$d" PREFIX=/usr
	check_eq "make uninstall: no file is left" "$(files_in "$d")" ""
	check_eq "make uninstall: no doc directory is left" \
		"$(find "$d" -path '*/doc/edgefw*')" ""
}

test_install_local() {
	local d=$WORK/local
	mkdir -p "$d"
	check "make install DESTDIR (PREFIX /usr/local) exits 0" -- install_into "$d" ||
		tap_diag "$(cat "$d.log")"
	check_eq "PREFIX=/usr/local: every file under the prefix, with its mode" \
		"$(files_in "$d")" "$(sorted "$LOCAL_FILES")"
	check "PREFIX=/usr/local: the unit runs /usr/local/sbin/edgefw daemon" -- grep -qxF \
		"ExecStart=/usr/local/sbin/edgefw daemon -c /etc/edgefw/edgefw.conf" \
		"$d/usr/local/lib/systemd/system/edgefw.service"
	check "make uninstall (PREFIX /usr/local) exits 0" -- \
		"${MAKE[@]}" uninstall DESTDIR="$d"
	check_eq "make uninstall: nothing is left under /usr/local" "$(files_in "$d")" ""
}

# systemd-analyze verify, in the DESTDIR as root: it resolves the unit's
# commands there, so /usr/sbin/edgefw must be the installed one; /bin/kill
# (ExecReload) is the system's, copied in. Warnings fail the check too.
test_unit_verifies() {
	local d=$1 unit=$2 out
	if ! command -v systemd-analyze >/dev/null; then
		tap_result 1 "systemd-analyze is installed (scripts/install-deps.sh installs systemd)"
		return
	fi
	mkdir -p "$d/bin" && cp /bin/kill "$d/bin/kill"
	out=$(cd "$d" && systemd-analyze verify --root="$d" --man=no \
		"${unit#"$d"/}" 2>&1)
	check_eq "systemd-analyze verify: the installed unit, without a word" "$?:$out" "0:"
	rm -r "$d/bin"
	check_match "the unit's Documentation= names the installed man pages" \
		"$(grep '^Documentation=' "$unit")" '^Documentation=man:edgefw\(8\) man:edgefw\.conf\(5\)$'
}

test_tmpfiles() {
	check_eq "tmpfiles.d: /run/edgefw and /var/lib/edgefw, 0700 root" \
		"$(grep -v '^#' "$1")" \
		"$(printf 'd /run/edgefw 0700 root root -\nd /var/lib/edgefw 0700 root root -')"
}

# The man pages render without errors, and say what the command table and
# the README say.
test_man_pages() {
	local man=$1 page text line name opt stmt missing entries
	for page in man8/edgefw.8 man5/edgefw.conf.5; do
		check "$page renders with man -l" -- man -l "$man/$page"
		if command -v mandoc >/dev/null; then
			check "$page: mandoc -T lint finds no error" -- \
				mandoc -T lint -W error "$man/$page"
		fi
	done
	text=$(render "$man/man8/edgefw.8")
	missing=''
	while IFS= read -r line; do
		name=${line%%$'\t'*}
		[ -n "$name" ] || continue
		grep -qE "^ +$name( |$)" <<<"$(section COMMANDS "$text")" || missing+=" '$name'"
	done < <("$top/build/edgefw" help --complete)
	check_eq "edgefw(8) has an entry for every command" "$missing" ""
	# An option's entry: a line of its own in OPTIONS or GLOBAL OPTIONS.
	entries=$(section OPTIONS "$text"; section "GLOBAL OPTIONS" "$text")
	entries=$(grep -E '^ {7}-' <<<"$entries" | grep -oE -- '--?[a-z][a-z-]*' | sort -u)
	missing=''
	for opt in $("$top/build/edgefw" help --complete | tr '\t' '\n' | grep -oE '^--?[a-z][a-z-]*' | sort -u); do
		grep -qxF -- "$opt" <<<"$entries" || missing+=" $opt"
	done
	check_eq "edgefw(8) has an entry for every option" "$missing" ""
	for line in EDGEFW_PIN_DIR EDGEFW_RUN_DIR EDGEFW_STATE_DIR; do
		check_match "edgefw(8) documents $line" "$text" "^ +$line$"
	done
	for line in "EXIT STATUS" FILES ENVIRONMENT SERVICE; do
		check_match "edgefw(8) has a section $line" "$text" "^$line$"
	done

	text=$(section STATEMENTS "$(render "$man/man5/edgefw.conf.5")")
	missing=''
	while read -r stmt; do
		grep -qE "^ +$stmt( |$)" <<<"$text" || missing+=" '$stmt'"
	done < <(readme_statements)
	check_eq "edgefw.conf(5) has an entry for every statement of the README" "$missing" ""
	check "the README's configuration table has its statements" -- \
		test "$(readme_statements | wc -l)" -ge 8
}

render() {
	MANWIDTH=200 man -l "$1" 2>/dev/null
}

# section NAME TEXT: the lines of a rendered page's section NAME.
section() {
	awk -v s="$1" '/^[A-Z]/ { f = ($0 == s); next } f' <<<"$2"
}

# The keywords of each statement of the README's configuration table:
# "mode", "interface", ..., "icmp errors", "flows max", "metrics listen".
readme_statements() {
	awk '/^## Configuration/ { f = 1; next } /^## / { f = 0 } f' "$top/README.md" |
		sed -n 's/^| `\([a-z][a-z ]*[a-z]\).*/\1/p' |
		awk '{ print ($2 ~ /^(errors|max|listen)$/) ? $1 " " $2 : $1 }'
}

# The installed completion, from the installed binary: commands and set
# names.
test_installed_completion() {
	local d=$1 out want
	out=$(PATH="$d/usr/sbin:$PATH" bash -c 'set -u
		. "$1"
		COMP_WORDS=(edgefw "")
		COMP_CWORD=1
		_edgefw
		printf "%s\n" "${COMPREPLY[@]}"' _ \
		"$d/usr/share/bash-completion/completions/edgefw" 2>&1 | sort | tr '\n' ' ')
	# the commands of the installed binary's own table, first words
	want=$("$d/usr/sbin/edgefw" help --complete | awk -F'\t' '$1 { split($1, w, " "); print w[1] }' |
		sort -u | tr '\n' ' ')
	check "the installed binary names its commands ($want)" -- test "$(wc -w <<<"$want")" -ge 10
	check_eq "the installed completion offers the installed binary's commands" "$out" "$want"
}

main() {
	local tool
	for tool in make scdoc man find; do
		command -v "$tool" >/dev/null || tap_bail "$tool is missing (scripts/install-deps.sh)"
	done
	[ -x "$top/build/edgefw" ] || tap_bail "build/edgefw is not built (make)"
	WORK=$(mktemp -d /tmp/edgefw-install.XXXXXX) || tap_bail "mktemp failed"
	trap 'rm -rf "$WORK"' EXIT
	test_install_usr
	test_install_local
	tap_done
}

main "$@"
