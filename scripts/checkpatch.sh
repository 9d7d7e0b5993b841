#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's checkpatch.pl, from Debian's linux-source (unpacked by
# scripts/kernel-source.sh), on every kernel C source and header of the
# module and its KUnit suites:
#
#   kmod/*.[ch] kmod/uapi/*.h netfilter/*.[ch] tests/kunit/*.c
#
# Runs with --strict, as netdev does, so CHECK-level remarks are shown; the
# script fails (exit 1) on any ERROR or WARNING, and reports CHECKs without
# failing on them.
#
# --no-tree: the files are not in a kernel tree (checkpatch would otherwise
# refuse to run). No --ignore: every check applies to this code. The
# user-space branch of netfilter/beaver_stamp.h draws CHECK-level
# "Prefer kernel type" remarks for its typedefs of uint8_t and friends,
# which are right there and do not fail the run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
tree=$("$repo/scripts/kernel-source.sh")
cd "$repo"
# checkpatch caches CamelCase names in ./.checkpatch-camelcase.git.* when
# it runs at the top of a git work tree: run it from a scratch directory
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

shopt -s nullglob
files=(kmod/*.[ch] kmod/uapi/*.h netfilter/*.[ch] tests/kunit/*.[ch])
if [ ${#files[@]} -eq 0 ]; then
	echo "checkpatch: no kernel sources found" >&2
	exit 1
fi

errors=0 warnings=0 checks=0
for f in "${files[@]}"; do
	# --terse: one line per remark, "FILE:LINE: TYPE:NAME: message";
	# exit status 0 (clean) or 1 (remarks), anything else: it did not run
	rc=0
	out=$(cd "$scratch" && "$tree/scripts/checkpatch.pl" --no-tree \
		--strict --show-types --terse --color=never -f "$repo/$f" 2>&1) ||
		rc=$?
	out=${out//"$repo/"/}
	e=$(grep -c ': ERROR:' <<<"$out" || true)
	w=$(grep -c ': WARNING:' <<<"$out" || true)
	c=$(grep -c ': CHECK:' <<<"$out" || true)
	grep -E ': (ERROR|WARNING|CHECK):' <<<"$out" || true
	if [ "$rc" -gt 1 ] || [ ! -r "$f" ]; then
		echo "$out"
		echo "$f: checkpatch.pl did not run (exit status $rc)" >&2
		e=$((e + 1))
	fi
	errors=$((errors + e)) warnings=$((warnings + w)) checks=$((checks + c))
done

echo "checkpatch: ${#files[@]} files, $errors errors, $warnings warnings," \
     "$checks checks (strict, not fatal)"
[ "$((errors + warnings))" -eq 0 ]
