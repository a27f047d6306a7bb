# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# broken_library DIR SONAME: DIR/SONAME is edgefw's libc under another
# name. A command run with LD_LIBRARY_PATH=DIR opens it in place of the
# library it asks for and finds none of that library's functions: the
# error path of a library opened on first use (user/dynlib.c).
broken_library() { # DIR SONAME
	local libc
	libc=$(ldd "$EDGEFW" | awk '$1 == "libc.so.6" { print $3 }')
	[ -e "$libc" ] || tap_bail "cannot find the libc.so.6 of $EDGEFW"
	mkdir -p "$1" && ln -sf "$libc" "$1/$2"
}
