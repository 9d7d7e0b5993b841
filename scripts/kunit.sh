#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run beaver.ko's KUnit suites (tests/kunit/) on User Mode Linux: Debian's
# kernel has no KUnit, so the kernel's own tools/testing/kunit/kunit.py
# builds a UML kernel from Debian's linux-source with the suites built in.
#
#   scripts/kunit.sh              build (incrementally) and run every suite
#   scripts/kunit.sh 'beaver_stamp*'   a kunit.py filter glob
#
# BEAVER_CACHE   cache directory (default /var/cache/beaver): the unpacked
#                tree (scripts/kernel-source.sh) and the build directory
#                kunit-build/, kept between runs so a rebuild takes seconds
# KUNIT_JOBS     parallel make jobs (default 2)
# KUNIT_TIMEOUT  seconds the UML kernel may run the tests (default 300)
#
# The tree is prepared once, idempotently: a link beaver -> this repository,
# one `source` line in lib/Kconfig.debug (under "Kernel Testing and
# Coverage", as Documentation/dev-tools/kunit/style.rst asks) and one obj-y
# line in the top-level Kbuild. The kernel is built out of tree (O=), so the
# tree itself stays clean. Prints kunit.py's report, ending with its
# "# Totals: pass:N fail:N skip:N total:N" line; exits non-zero on any
# failure, crash or build error.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cache=${BEAVER_CACHE:-/var/cache/beaver}
build_dir=$cache/kunit-build
filter=${1:-beaver_*}

tree=$("$repo/scripts/kernel-source.sh")
mkdir -p "$cache" "$build_dir"

# one run at a time per cache: they share the tree's link and the build dir
exec 9>"$cache/.kunit.lock"
if ! flock -n 9; then
	echo "kunit: waiting for another run using $cache" >&2
	flock 9
fi

# --- link the suites into the tree ---
link=$tree/beaver
if [ "$(readlink "$link" 2>/dev/null || true)" != "$repo" ]; then
	ln -sfn "$repo" "$link.tmp.$$"
	mv -T "$link.tmp.$$" "$link"
fi
# Objects built from another checkout must not be reused: make compares
# mtimes, and this checkout's files may well be older than them.
if [ "$(cat "$build_dir/.beaver-repo" 2>/dev/null || true)" != "$repo" ]; then
	rm -rf "$build_dir/beaver"
	echo "$repo" >"$build_dir/.beaver-repo"
fi
kconfig_line='source "beaver/tests/kunit/Kconfig"'
if ! grep -qxF "$kconfig_line" "$tree/lib/Kconfig.debug"; then
	grep -qxF 'source "lib/kunit/Kconfig"' "$tree/lib/Kconfig.debug" || {
		echo "kunit: lib/Kconfig.debug has no 'source \"lib/kunit/Kconfig\"' line" >&2
		exit 1
	}
	sed -i "\\|^source \"lib/kunit/Kconfig\"\$|a $kconfig_line" \
		"$tree/lib/Kconfig.debug"
fi
kbuild_line='obj-y			+= beaver/tests/kunit/'
grep -qxF "$kbuild_line" "$tree/Kbuild" || echo "$kbuild_line" >>"$tree/Kbuild"

# --- build and run ---
# Debian's python3 (a dependency) rather than whatever python3 is first in
# PATH: kunit.py needs nothing else.
py=/usr/bin/python3
[ -x "$py" ] || py=python3

log=$build_dir/kunit.out
json=$build_dir/kunit.json
rm -f "$json"
set +e
"$py" "$tree/tools/testing/kunit/kunit.py" run \
	--arch=um \
	--build_dir="$build_dir" \
	--kunitconfig="$repo/tests/kunit" \
	--jobs="${KUNIT_JOBS:-2}" \
	--timeout="${KUNIT_TIMEOUT:-300}" \
	--json="$json" \
	--kernel_args=kasan_multi_shot \
	"$filter" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# kunit.py shows the kernel's "# Totals" line only for a failing suite:
# print one for the whole run, from its JSON report (PASS, SKIP; FAIL and
# ERROR, i.e. a crash, count as failures).
totals=$("$py" - "$json" 2>/dev/null <<'EOF' || true
import json, sys

counts = {"pass": 0, "fail": 0, "skip": 0}

def walk(group):
    for case in group.get("test_cases", []):
        st = case.get("status")
        counts["pass" if st == "PASS" else "skip" if st == "SKIP" else "fail"] += 1
    for sub in group.get("sub_groups", []):
        walk(sub)

with open(sys.argv[1]) as f:
    walk(json.load(f))
total = sum(counts.values())
if total:
    print("# Totals: pass:%d fail:%d skip:%d total:%d"
          % (counts["pass"], counts["fail"], counts["skip"], total))
EOF
)
if [ -z "$totals" ]; then
	echo "kunit: no test results (build failure or crash, exit status $rc);" \
	     "kernel log: $build_dir/test.log" >&2
	[ "$rc" -ne 0 ] || rc=1
	exit "$rc"
fi
echo "$totals"
case $totals in
*' fail:0 '*) ;;
*) [ "$rc" -ne 0 ] || rc=1 ;;
esac
exit "$rc"
