#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh MODE SECONDS NAME...  (called by tests/fuzz/Makefile)
#
#   smoke: every committed seed of tests/fuzz/corpus/NAME/ once, then
#          SECONDS of fuzzing from them in a scratch corpus (the committed
#          seeds are never written to)
#   fuzz:  SECONDS of fuzzing, the corpus kept in $FUZZ_DIR/corpus/NAME
#
# One line per harness, "fuzz: NAME: PASS (...)" or "fuzz: NAME: FAIL
# (...)", the log in $FUZZ_DIR/NAME.log, the failing input in
# $FUZZ_DIR/artifacts/; exit status non-zero if any failed.
set -uo pipefail

mode=$1 secs=$2
shift 2
FUZZ_DIR=${FUZZ_DIR:-build/fuzz}
MAKE=${MAKE:-make}
mkdir -p "$FUZZ_DIR/artifacts"
bad=0

for h in "$@"; do
	bin=$FUZZ_DIR/fuzz_$h
	log=$FUZZ_DIR/$h.log
	seeds=tests/fuzz/corpus/$h
	dict=()
	[ -f "tests/fuzz/$h.dict" ] && dict=(-dict="tests/fuzz/$h.dict")
	if ! $MAKE -s --no-print-directory -f tests/fuzz/Makefile "$bin" \
		>"$log" 2>&1; then
		echo "fuzz: $h: FAIL (build failed, see $log)"
		tail -n 20 "$log" | sed 's/^/    /'
		bad=1
		continue
	fi
	if [ "$mode" = smoke ]; then
		# the seeds one by one: libFuzzer runs the files it is given
		mapfile -t files < <(find "$seeds" -type f | sort)
		if [ ${#files[@]} -eq 0 ]; then
			echo "fuzz: $h: FAIL (no seeds in $seeds)"
			bad=1
			continue
		fi
		if ! "$bin" "${files[@]}" >>"$log" 2>&1; then
			echo "fuzz: $h: FAIL (a seed fails, see $log)"
			tail -n 30 "$log" | sed 's/^/    /'
			bad=1
			continue
		fi
		corpus=$FUZZ_DIR/smoke/$h
		rm -rf "$corpus"
	else
		corpus=$FUZZ_DIR/corpus/$h
	fi
	mkdir -p "$corpus"
	start=$SECONDS
	if "$bin" "${dict[@]}" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$FUZZ_DIR/artifacts/$h-" \
		"$corpus" "$seeds" >>"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
		echo "fuzz: $h: PASS (${runs:-?} runs in $((SECONDS - start)) s, ${cov:-cov: ?})"
	else
		art=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n1)
		echo "fuzz: $h: FAIL (${art:-see $log})"
		tail -n 30 "$log" | sed 's/^/    /'
		bad=1
	fi
done
exit $bad
