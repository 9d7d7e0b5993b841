#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything CI runs (`make check`), in order, each step counted, continuing
# after a failure:
#
#   module      W=1 build of beaver.ko; any compiler/modpost warning fails it
#   checkpatch  scripts/checkpatch.sh
#   sparse      sparse over the module; any sparse warning fails it
#   user        the user-space tools
#   unit        cmocka tests: every test case counts
#   oracle      the consistency oracle's self-test: every case counts
#   lint        cppcheck and clang-tidy on user space (one count)
#   fuzz-smoke  every libFuzzer harness over its seed corpus: each counts
#   kunit       KUnit suites on UML: every test case counts
#   vm-test     VM scenarios: every "vm: NAME: PASS|FAIL" line counts
#               (SKIP lines are shown, not counted)
#
# A build step counts as one. Each step's full output goes to
# $BUILD/check/STEP.log; a failing step's tail is printed. The last line is
# "N passed, N failed" (the sum of everything), and the exit status is
# non-zero if anything failed.
#
# CHECK_STEPS     steps to run (default: all, in the order above)
# CHECK_TIMEOUT   seconds any one step may take (default 2400)
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo"
BUILD=${BUILD:-$repo/build}
logdir=$BUILD/check
mkdir -p "$logdir"
MAKE=${MAKE:-make}
steps=${CHECK_STEPS:-module checkpatch sparse user unit oracle lint fuzz-smoke kunit vm-test}
step_timeout=${CHECK_TIMEOUT:-2400}

total_pass=0
total_fail=0
summary=()

# run_step NAME: run `make NAME` into its log; sets $rc and $log
run_step() {
	log=$logdir/$1.log
	echo "check: $1 ..."
	start=$SECONDS
	timeout --kill-after=30 "$step_timeout" \
		"$MAKE" --no-print-directory -C "$repo" "$1" </dev/null >"$log" 2>&1
	rc=$?
	secs=$((SECONDS - start))
	[ "$rc" -ne 124 ] ||
		echo "check: $1 timed out after ${step_timeout}s" >>"$log"
}

# record NAME PASSED FAILED [NOTE]
record() {
	local status=ok
	[ "$3" -eq 0 ] || status=FAILED
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
	summary+=("$(printf '  %-10s %-6s %4d passed %4d failed  %4ds  %s' \
		"$1" "$status" "$2" "$3" "$secs" "${4:-}")")
	if [ "$3" -ne 0 ]; then
		echo "check: $1 FAILED; last lines of $log:"
		tail -n 40 "$log" | sed 's/^/    /'
	fi
}

# a build step: passes when make succeeds and (optionally) no line of its
# output matches a pattern
build_step() {
	local name=$1 bad_re=${2:-} n=0
	run_step "$name"
	if [ -n "$bad_re" ]; then
		n=$(grep -Eci "$bad_re" "$log" || true)
	fi
	if [ "$rc" -eq 0 ] && [ "$n" -eq 0 ]; then
		record "$name" 1 0
	elif [ "$rc" -eq 0 ]; then
		record "$name" 0 1 "$n warning(s)"
	else
		record "$name" 0 1 "exit status $rc"
	fi
}

sum_field() {	# sum_field SED-EXPR FILE: add up the numbers sed prints
	sed -n "$1" "$2" | awk '{ s += $1 } END { print s + 0 }'
}

unit_step() {
	local p f crashed
	run_step unit
	# cmocka: "[  PASSED  ] N test(s)." and
	# "[  FAILED  ] N test(s), listed below:" per binary; a binary that
	# stopped without its summary (sanitizer abort, crash, failed build)
	# is reported by tests/unit/Makefile as "unit: NAME: FAILED (...)"
	# with no cmocka count: one failure each.
	p=$(sum_field 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$log")
	f=$(sum_field 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s), listed below.*/\1/p' "$log")
	crashed=$(grep -Ec '^unit: [^ ]+: FAILED \((build failed|exit status|no test case)' "$log" || true)
	f=$((f + crashed))
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	record unit "$p" "$f"
}

kunit_step() {
	local line p=0 f=0 s=0
	run_step kunit
	line=$(grep -E '^# Totals: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+ total:[0-9]+' "$log" | tail -n1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*pass:([0-9]+).*/\1/' <<<"$line")
		f=$(sed -E 's/.*fail:([0-9]+).*/\1/' <<<"$line")
		s=$(sed -E 's/.*skip:([0-9]+).*/\1/' <<<"$line")
	fi
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	record kunit "$p" "$f" "$([ "$s" -eq 0 ] || echo "$s skipped")"
}

oracle_step() {
	local line p=0 f=0
	run_step oracle-selftest
	# "oracle-selftest: N passed, M failed"
	line=$(grep -E '^oracle-selftest: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^oracle-selftest: ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	fi
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	record oracle "$p" "$f"
}

fuzz_step() {
	local p f
	run_step fuzz-smoke
	# tests/fuzz/run.sh: "fuzz: NAME: PASS|FAIL ..." per harness
	p=$(grep -Ec '^fuzz: [^ ]+: PASS' "$log" || true)
	f=$(grep -Ec '^fuzz: [^ ]+: FAIL' "$log" || true)
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	record fuzz-smoke "$p" "$f"
}

vm_step() {
	local p f s
	run_step vm-test
	# tests/vm/run.sh: "vm: NAME: PASS|FAIL|SKIP ..." per scenario
	p=$(grep -Ec '^vm: [^ ]+: PASS' "$log" || true)
	f=$(grep -Ec '^vm: [^ ]+: FAIL' "$log" || true)
	s=$(grep -Ec '^vm: [^ ]+: SKIP' "$log" || true)
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	record vm-test "$p" "$f" "$([ "$s" -eq 0 ] || echo "$s skipped")"
}

for step in $steps; do
	case $step in
	module)
		# compiler and modpost warnings; "Skipping BTF generation" is
		# not one (Debian's headers have no vmlinux)
		build_step module '(^|[^[:alnum:]_])warning:' ;;
	checkpatch)
		build_step checkpatch ;;
	sparse)
		build_step sparse '(^|[^[:alnum:]_])(warning|error):' ;;
	user)
		build_step user ;;
	unit)
		unit_step ;;
	oracle)
		oracle_step ;;
	lint)
		build_step lint ;;
	fuzz-smoke)
		fuzz_step ;;
	kunit)
		kunit_step ;;
	vm-test)
		vm_step ;;
	*)
		echo "check: unknown step $step" >&2
		secs=0 log=/dev/null
		record "$step" 0 1 "unknown step" ;;
	esac
done

echo
echo "check: summary (logs in $logdir)"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
