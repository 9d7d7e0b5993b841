#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything CI runs (`make check`), each step counted, continuing after a
# failure:
#
#   module      W=1 build of beaver.ko; any compiler/modpost warning fails it
#   checkpatch  scripts/checkpatch.sh
#   ynl-check   netlink/beaver.yaml against the uapi header and the
#               module's policies, and its self-test's mutants (one count)
#   sparse      sparse over the module; any sparse warning fails it
#   user        the user-space tools
#   unit        cmocka tests: every test case counts
#   oracle      the consistency oracle's self-test: every case counts
#   lint        cppcheck and clang-tidy on user space (one count)
#   deb         make deb-check: the Debian packages built (make deb),
#               lintian without error, their contents, the packaged
#               beaverctl run, and dkms add/build of the packaged module
#               source against the installed headers in scratch trees
#               (scripts/deb-check.sh): every check counts
#   fuzz-smoke  every libFuzzer harness over its seed corpus: each counts
#   kunit       KUnit suites on UML: every test case counts
#   vm-test     VM scenarios: every "vm: NAME: PASS|FAIL|SKIP" line counts
#   bench-smoke make bench-smoke (docs/performance.md): fails if TCP
#               throughput with snapshots running falls below 0.9 of the
#               module-absent throughput in the same VM (one count)
#   mutants     make check-full only: deliberately broken builds the VM
#               scenarios must catch (scripts/mutants.sh): every mutant
#               counts, killed = passed (about 6 minutes: make check
#               stays within 20)
#
# The steps before vm-test run in two lanes at once (module, sparse,
# checkpatch, ynl-check, kunit, fuzz-smoke and deb; user, unit, oracle
# and lint), each lane in order; measured 2026-12-06 on a loaded two-core
# host: 387 s and 446 s before deb (lint alone 363 s), deb 122 s; vm-test,
# bench-smoke and mutants follow, alone, because the VM's timing must not
# compete with a compiler. A build step counts as one. Each step's full output goes to
# $BUILD/check/STEP.log; a failing step's tail is printed.
#
# Nothing may be skipped: every step must run on this machine, so a skip
# (a cmocka skip(), a KUnit skip, a VM scenario's SKIP) fails the run as a
# failure would. The last two lines sum up everything:
#
#   check: N passed, N failed, N skipped
#   N passed, N failed
#
# (the second counts skips as failures, in the form CI reads) and the exit
# status is non-zero if anything failed or was skipped.
#
# CHECK_STEPS     steps to run (default: all but mutants, in the order above)
# CHECK_FULL=1    make check-full: the long soak too (BEAVER_VM_ENV SOAK=1),
#                 and the mutants
# CHECK_TIMEOUT   seconds any one step may take (default 2400; 4800 with
#                 CHECK_FULL: in vm-test the 1,000,000-flow soak alone
#                 takes ~20 min, 28-rss's 10,000 snapshots ~10)
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo"
BUILD=${BUILD:-$repo/build}
logdir=$BUILD/check
rm -rf "$logdir"
mkdir -p "$logdir"
MAKE=${MAKE:-make}
all_steps="module checkpatch ynl-check sparse user unit oracle lint deb fuzz-smoke kunit vm-test bench-smoke mutants"
if [ "${CHECK_FULL:-0}" = 1 ]; then
	steps=${CHECK_STEPS:-$all_steps}
else
	steps=${CHECK_STEPS:-${all_steps% mutants}}
fi
step_timeout=${CHECK_TIMEOUT:-2400}
[ "${CHECK_FULL:-0}" = 1 ] && step_timeout=${CHECK_TIMEOUT:-4800}
export BEAVER_VM_ENV=${BEAVER_VM_ENV:-}
[ "${CHECK_FULL:-0}" = 1 ] && BEAVER_VM_ENV="${BEAVER_VM_ENV:+$BEAVER_VM_ENV }SOAK=1"

# run_step NAME TARGET: `make TARGET` into NAME's log; sets $rc, $log, $secs
run_step() {
	log=$logdir/$1.log
	echo "check: $1 ..."
	local start=$SECONDS
	timeout --kill-after=30 "$step_timeout" \
		"$MAKE" --no-print-directory -C "$repo" "$2" </dev/null >"$log" 2>&1
	rc=$?
	secs=$((SECONDS - start))
	[ "$rc" -ne 124 ] ||
		echo "check: $1 timed out after ${step_timeout}s" >>"$log"
}

# record NAME PASSED FAILED SKIPPED [NOTE]: the step's result file
record() {
	printf '%s %s %s %s %s\n' "$2" "$3" "$4" "$secs" "${5:-}" >"$logdir/$1.result"
	if [ "$3" -ne 0 ] || [ "$4" -ne 0 ]; then
		echo "check: $1 FAILED ($3 failed, $4 skipped); last lines of $log:"
		tail -n 40 "$log" | sed 's/^/    /'
	fi
}

count() {	# count ERE FILE: lines matching
	grep -Ec -- "$1" "$2" || true
}

names() {	# names ERE FILE: the second fields of matching lines, joined
	grep -E -- "$1" "$2" | awk '{ sub(/:$/, "", $2); printf "%s%s", s, $2; s = " " }'
}

sum_field() {	# sum_field SED-EXPR FILE: add up the numbers sed prints
	sed -n "$1" "$2" | awk '{ s += $1 } END { print s + 0 }'
}

# a build step: passes when make succeeds and (optionally) no line of its
# output matches a pattern
build_step() {
	local name=$1 bad_re=${2:-} n=0
	run_step "$name" "$name"
	[ -z "$bad_re" ] || n=$(grep -Eci "$bad_re" "$log" || true)
	if [ "$rc" -eq 0 ] && [ "$n" -eq 0 ]; then
		record "$name" 1 0 0
	elif [ "$rc" -eq 0 ]; then
		record "$name" 0 1 0 "$n warning(s)"
	else
		record "$name" 0 1 0 "exit status $rc"
	fi
}

unit_step() {
	local p f s crashed
	run_step unit unit
	# cmocka: "[  PASSED  ] N test(s).", "[  FAILED  ] N test(s), listed
	# below:" and "[  SKIPPED ] N test(s), listed below:" per binary; a
	# binary that stopped without its summary (sanitizer abort, crash,
	# failed build) is reported by tests/unit/Makefile as "unit: NAME:
	# FAILED (...)" with no cmocka count: one failure each.
	p=$(sum_field 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$log")
	f=$(sum_field 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s), listed below.*/\1/p' "$log")
	s=$(sum_field 's/^\[  SKIPPED \] \([0-9][0-9]*\) test(s), listed below.*/\1/p' "$log")
	crashed=$(count '^unit: [^ ]+: FAILED \((build failed|exit status|no test case)' "$log")
	f=$((f + crashed))
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	record unit "$p" "$f" "$s"
}

kunit_step() {
	local line p=0 f=0 s=0
	run_step kunit kunit
	line=$(grep -E '^# Totals: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+ total:[0-9]+' "$log" | tail -n1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*pass:([0-9]+).*/\1/' <<<"$line")
		f=$(sed -E 's/.*fail:([0-9]+).*/\1/' <<<"$line")
		s=$(sed -E 's/.*skip:([0-9]+).*/\1/' <<<"$line")
	fi
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	record kunit "$p" "$f" "$s"
}

oracle_step() {
	local line p=0 f=0
	run_step oracle oracle-selftest
	# "oracle-selftest: N passed, M failed"
	line=$(grep -E '^oracle-selftest: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^oracle-selftest: ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	fi
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	record oracle "$p" "$f" 0
}

fuzz_step() {
	local p f
	run_step fuzz-smoke fuzz-smoke
	# tests/fuzz/run.sh: "fuzz: NAME: PASS|FAIL ..." per harness
	p=$(count '^fuzz: [^ ]+: PASS' "$log")
	f=$(count '^fuzz: [^ ]+: FAIL' "$log")
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	record fuzz-smoke "$p" "$f" 0
}

deb_step() {
	local p f
	run_step deb deb-check
	# scripts/deb-check.sh: "deb: CHECK: PASS|FAIL ..." per check; a
	# failed package build prints none of them
	p=$(count '^deb: [^ ]+: PASS' "$log")
	f=$(count '^deb: [^ ]+: FAIL' "$log")
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	record deb "$p" "$f" 0 "$(names '^deb: [^ ]+: FAIL' "$log")"
}

vm_step() {
	local p f s
	run_step vm-test vm-test
	# tests/vm/run.sh: "vm: NAME: PASS|FAIL|SKIP ..." per scenario
	p=$(count '^vm: [^ ]+: PASS' "$log")
	f=$(count '^vm: [^ ]+: FAIL' "$log")
	s=$(count '^vm: [^ ]+: SKIP' "$log")
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	# the summary names them: CI shows only the last lines
	record vm-test "$p" "$f" "$s" "$(names '^vm: [^ ]+: (FAIL|SKIP)' "$log")"
}

mutants_step() {
	local p f
	run_step mutants mutants
	# scripts/mutants.sh: "mutants: NAME: KILLED|SURVIVED|ERROR ..."
	p=$(count '^mutants: [^ ]+: KILLED' "$log")
	f=$(count '^mutants: [^ ]+: (SURVIVED|ERROR)' "$log")
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	record mutants "$p" "$f" 0 "$(names '^mutants: [^ ]+: (SURVIVED|ERROR)' "$log")"
}

one_step() {
	case $1 in
	module)
		# compiler and modpost warnings; "Skipping BTF generation" is
		# not one (Debian's headers have no vmlinux)
		build_step module '(^|[^[:alnum:]_])warning:' ;;
	checkpatch)
		build_step checkpatch ;;
	ynl-check)
		# the check and its self-test, one make target: one count
		build_step ynl-check ;;
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
	deb)
		deb_step ;;
	fuzz-smoke)
		fuzz_step ;;
	kunit)
		kunit_step ;;
	vm-test)
		vm_step ;;
	bench-smoke)
		# bench/run.sh --smoke: a ratio under its bar exits non-zero
		build_step bench-smoke ;;
	mutants)
		mutants_step ;;
	*)
		echo "check: unknown step $1" >&2
		secs=0 log=/dev/null
		record "$1" 0 1 0 "unknown step" ;;
	esac
}

# lane STEP...: the selected ones of these steps, in order
lane() {
	local st
	for st in "$@"; do
		[[ " $steps " == *" $st "* ]] && one_step "$st"
	done
	return 0
}

for st in $steps; do
	[[ " $all_steps " == *" $st "* ]] || one_step "$st"
done
t0=$SECONDS
lane module sparse checkpatch ynl-check kunit fuzz-smoke deb &
lane user unit oracle lint &
wait
lane vm-test bench-smoke mutants

total_pass=0 total_fail=0 total_skip=0 failed_steps=
echo
echo "check: summary (logs in $logdir; $((SECONDS - t0))s in all)"
for st in $all_steps $steps; do
	[ -f "$logdir/$st.result" ] || continue
	read -r p f s secs note <"$logdir/$st.result"
	rm -f "$logdir/$st.result"	# an unknown step listed twice: once
	status=ok
	[ "$f" -eq 0 ] && [ "$s" -eq 0 ] || status=FAILED
	[ "$status" = ok ] || failed_steps+=" $st"
	printf '  %-10s %-6s %4d passed %4d failed %3d skipped %5ds  %s\n' \
		"$st" "$status" "$p" "$f" "$s" "$secs" "$note"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
done
# why, in the lines CI shows: the failures' own words (figures cut), or
# a failed step's last error line
for st in $failed_steps; do
	grep -aE '^(vm|deb|fuzz|mutants): [^ ]+: (FAIL|SURVIVED|ERROR)' "$logdir/$st.log" 2>/dev/null ||
		grep -aiE 'error|fail' "$logdir/$st.log" 2>/dev/null | tail -n 1 | sed "s/^/$st: /"
done | sed -E 's/ \[figures: .*\]//; s/^/check: why: /' | cut -c1-400 | head -n 4
echo "check: $total_pass passed, $total_fail failed, $total_skip skipped"
echo "$total_pass passed, $((total_fail + total_skip)) failed"
[ "$total_fail" -eq 0 ] && [ "$total_skip" -eq 0 ]
