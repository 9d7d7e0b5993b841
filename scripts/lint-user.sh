#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static analysis of the user-space C code: cppcheck, then clang-tidy with
# the repository's .clang-tidy, over every .c file of beaverd/, beaverctl/,
# lib/, libbeaver-app/ and examples/ (or of the files or directories given
# as arguments). Prints the findings and one summary line per tool:
#
#   lint: cppcheck: ok (24 files)
#   lint: clang-tidy: FAILED (2 of 24 files with findings)
#
# and exits non-zero if either tool found anything. A finding that is a
# deliberate exception is suppressed where it is, with a comment saying
# why: `// cppcheck-suppress ID` on the line before, or `// NOLINT(check)`.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo"

paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(beaverd beaverctl lib libbeaver-app examples)
mapfile -t files < <(find "${paths[@]}" -name '*.c' -type f 2>/dev/null | sort)
if [ ${#files[@]} -eq 0 ]; then
	echo "lint: no C files under ${paths[*]}" >&2
	exit 1
fi

for tool in cppcheck clang-tidy; do
	command -v "$tool" >/dev/null ||
		{ echo "lint: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done

# what the Makefiles compile with: the project's include directories and
# the libraries' own cflags
incs=(-Ibeaverd -Ibeaverctl -Ilib -Ilibbeaver-app -Ikmod/uapi -Inetfilter)
pkgs=$(pkg-config --cflags inih libsodium sqlite3 libmnl jansson libsystemd \
	2>/dev/null || true)
# shellcheck disable=SC2206 # pkg-config output is words on purpose
cflags=(-std=c11 -D_GNU_SOURCE "${incs[@]}" $pkgs)

# cppcheck reads only the project's headers; jansson's iteration macros
# (json_object_foreach, ...) look like syntax it cannot parse unless it
# sees their definitions
pre=()
[ -f /usr/include/jansson.h ] && pre=(--include=/usr/include/jansson.h)

rc=0

echo "lint: cppcheck over ${#files[@]} files"
if cppcheck --enable=warning,performance,portability --error-exitcode=1 \
	--inline-suppr --std=c11 --quiet -D_GNU_SOURCE "${incs[@]}" "${pre[@]}" \
	--template='{file}:{line}: {severity}: {message} [{id}]' \
	"${files[@]}"; then
	echo "lint: cppcheck: ok (${#files[@]} files)"
else
	echo "lint: cppcheck: FAILED"
	rc=1
fi

echo "lint: clang-tidy over ${#files[@]} files"
bad=0
for f in "${files[@]}"; do
	if ! out=$(clang-tidy --quiet "$f" -- "${cflags[@]}" 2>&1); then
		bad=$((bad + 1))
		printf '%s\n' "$out" | grep -v ' warnings\? generated\.$'
	fi
done
if [ "$bad" -eq 0 ]; then
	echo "lint: clang-tidy: ok (${#files[@]} files)"
else
	echo "lint: clang-tidy: FAILED ($bad of ${#files[@]} files with findings)"
	rc=1
fi
exit $rc
