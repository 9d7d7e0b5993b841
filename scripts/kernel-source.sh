#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unpack Debian's linux-source tarball into a cache outside the repository
# and print the tree's path. KUnit (scripts/kunit.sh) and checkpatch.pl
# (scripts/checkpatch.sh) run from this tree.
#
#   scripts/kernel-source.sh        -> /var/cache/beaver/linux-source-6.1
#
# BEAVER_CACHE     cache directory (default /var/cache/beaver)
# LINUX_SOURCE_TARBALL
#                  the tarball (default: the newest /usr/src/linux-source-*.tar.xz)
#
# Idempotent: a tree already unpacked from the same tarball (same package
# version, size and mtime, recorded in .beaver-source) is reused at once.
# Safe to run concurrently (one unpacks under a lock, the others wait) and to
# interrupt (the tarball is unpacked into a temporary directory that is
# renamed into place only when complete; leftovers are removed next time).
# A tree from an older tarball is replaced the same way. Only the pristine
# tree is checked: scripts/kunit.sh adds a link and two lines to it, and
# KUnit builds out of tree (O=), so the tree itself stays clean.
set -euo pipefail

die() { echo "kernel-source: $*" >&2; exit 1; }

cache=${BEAVER_CACHE:-/var/cache/beaver}
tarball=${LINUX_SOURCE_TARBALL:-}
if [ -z "$tarball" ]; then
	tarball=$(ls -1 /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V |
		  tail -n1) || true
fi
[ -n "$tarball" ] && [ -f "$tarball" ] ||
	die "no /usr/src/linux-source-*.tar.xz: install Debian's linux-source (scripts/install-deps.sh)"

name=$(basename "$tarball" .tar.xz)		# linux-source-6.1
dest=$cache/$name
pkgver=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || echo unknown)
ident="$name $pkgver $(stat -c '%s %Y' "$tarball")"

fresh() {
	[ -f "$dest/.beaver-source" ] && [ -f "$dest/Makefile" ] &&
		[ "$(cat "$dest/.beaver-source")" = "$ident" ]
}

if fresh; then
	echo "$dest"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.$name.lock"
flock 9
# someone else may have finished while we waited
if fresh; then
	echo "$dest"
	exit 0
fi

# leftovers of interrupted runs (we hold the lock: nobody is using them)
rm -rf "$cache/.$name.tmp."* "$cache/.$name.old."*

tmp=$(mktemp -d "$cache/.$name.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "kernel-source: unpacking $tarball into $dest (once)" >&2
tar -xJf "$tarball" -C "$tmp"
[ -f "$tmp/$name/Makefile" ] || die "$tarball did not unpack to $name/"
echo "$ident" >"$tmp/$name/.beaver-source"

if [ -e "$dest" ]; then
	old=$(mktemp -d "$cache/.$name.old.XXXXXX")
	mv "$dest" "$old/"
	mv "$tmp/$name" "$dest"
	rm -rf "$old"
else
	mv "$tmp/$name" "$dest"
fi
echo "$dest"
