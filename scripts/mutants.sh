#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mutation testing of the proof: build beaver.ko (or beaverd) with one
# deliberate bug at a time and run the VM scenario that must catch it. A
# mutant the scenario passes has survived: the bench could not tell a
# broken Beaver from a working one, and this step fails.
#
#   scripts/mutants.sh [NAME...]       default: every tests/mutants/*.patch
#
# A mutant is tests/mutants/NAME.patch: comment lines saying what it breaks
# and how it is caught, then
#
#   # scenario: NN        the VM scenario that must fail with it
#   # env: VAR=VALUE ...  variables for that scenario (BEAVER_VM_ENV)
#
# and a unified diff against the repository (patch -p1). The diff is
# applied to a copy of the working tree; the module is rebuilt when it
# touches kmod/ or netfilter/, user space when it touches beaverd/, lib/,
# beaverctl/, libbeaver-app/ or tests/tools/; the scenario runs from this
# tree, unmutated. One line each:
#
#   mutants: NAME: KILLED by NN (the scenario's first failure)
#   mutants: NAME: SURVIVED NN
#   mutants: NAME: ERROR what went wrong (counts as surviving)
#
# then `mutants: N killed, N survived` and exit 1 if any survived. Logs
# and each mutant's VM output under $BUILD/mutants/NAME/.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo"
BUILD=${BUILD:-$repo/build}
KVER=${KVER:-$(ls -1 /lib/modules 2>/dev/null | grep -- '-amd64$' | sort -V | tail -n1)}
KDIR=${KDIR:-/lib/modules/$KVER/build}
out=$BUILD/mutants
mkdir -p "$out"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in tests/mutants/*.patch; do names+=("$(basename "$f" .patch)"); done
fi

header() { sed -n "s/^# $2: *//p" "$1" | head -n1; }

killed=0 survived=0
for name in "${names[@]}"; do
	patch=$repo/tests/mutants/$name.patch
	dir=$out/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	if [ ! -f "$patch" ]; then
		echo "mutants: $name: ERROR no tests/mutants/$name.patch"
		survived=$((survived + 1))
		continue
	fi
	scen=$(header "$patch" scenario)
	env=$(header "$patch" env)
	# the working tree as it is (tracked files), then the bug
	mkdir -p "$dir/src"
	git ls-files -z | xargs -0 cp --parents -t "$dir/src"
	if ! patch -d "$dir/src" -p1 --no-backup-if-mismatch -s <"$patch" >"$dir/patch.log" 2>&1; then
		echo "mutants: $name: ERROR the patch no longer applies ($(head -n1 "$dir/patch.log")): update it"
		survived=$((survived + 1))
		continue
	fi
	ko=$repo/beaver.ko
	bld=$BUILD
	files=$(grep -E '^\+\+\+ ' "$patch" | awk '{ print $2 }')
	if grep -qE '^b/(kmod|netfilter)/' <<<"$files"; then
		if ! make -C "$KDIR" M="$dir/src" modules >"$dir/build.log" 2>&1; then
			echo "mutants: $name: ERROR the module does not build (see $dir/build.log)"
			survived=$((survived + 1))
			continue
		fi
		ko=$dir/src/beaver.ko
	fi
	if grep -qE '^b/(beaverd|beaverctl|lib|libbeaver-app|tests/tools)/' <<<"$files"; then
		bld=$dir/build
		if ! make -C "$dir/src" --no-print-directory BUILD="$bld" user \
			>"$dir/build.log" 2>&1; then
			echo "mutants: $name: ERROR user space does not build (see $dir/build.log)"
			survived=$((survived + 1))
			continue
		fi
	fi
	BUILD=$bld BEAVER_KO=$ko BEAVER_VM_ENV=$env BEAVER_VM_OUT=$dir/vm \
		tests/vm/run.sh "$scen" >"$dir/run.log" 2>&1
	line=$(grep -E '^vm: [^ ]+: (PASS|FAIL|SKIP)' "$dir/run.log" | tail -n1)
	case $line in
	*": FAIL "*)
		why=${line#*: FAIL }
		echo "mutants: $name: KILLED by $scen (${why%% \[figures:*})"
		killed=$((killed + 1)) ;;
	*": PASS"*)
		echo "mutants: $name: SURVIVED $scen ($env): the scenario passed with the bug in"
		survived=$((survived + 1)) ;;
	*)
		echo "mutants: $name: ERROR $scen did not run: ${line:-$(tail -n1 "$dir/run.log")}"
		survived=$((survived + 1)) ;;
	esac
done
echo "mutants: $killed killed, $survived survived"
[ "$survived" -eq 0 ]
