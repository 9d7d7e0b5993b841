#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench / make bench-smoke (docs/performance.md): one VM of the VM
# bench runs bench/vm/datapath.sh (tests/vm/run.sh --bench datapath), then
# bench/report.py turns its samples into a table, a JSON file and plots.
#
#   bench/run.sh           the full bench (about 11 minutes on two cores):
#                          results in bench/results/DATE.json and PNGs
#   bench/run.sh --smoke   ratios only, shorter (about a minute): JSON in
#                          $BUILD/bench/; fails if the TCP throughput with
#                          snapshots running falls below 0.9 of the
#                          module-absent one
#
# Environment: BEAVER_VM_OUT (the VM's logs; default $BUILD/bench-vm),
# BEAVER_BENCH_ENV (more VAR=VALUE for the VM script, e.g. ROUNDS=7),
# BEAVER_BENCH_RESULTS (where the full bench's files go), and those of
# tests/vm/run.sh. Needs beaver.ko and the tools built (make module user).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$repo/build}
smoke=0
case ${1:-} in
--smoke) smoke=1 ;;
"") ;;
*) echo "usage: bench/run.sh [--smoke]" >&2; exit 2 ;;
esac

export BEAVER_VM_OUT=${BEAVER_VM_OUT:-$BUILD/bench-vm}
if [ "$smoke" = 1 ]; then
	env="ROUNDS=3 SECS=2 FLOWS= WORKLOADS=tcp"
	results=$BUILD/bench
	flag=--smoke
else
	env=""
	results=${BEAVER_BENCH_RESULTS:-$repo/bench/results}
	flag=
fi
export BEAVER_VM_ENV="$env ${BEAVER_BENCH_ENV:-}"
rc=0
"$repo/tests/vm/run.sh" --bench datapath || rc=$?
res=$BEAVER_VM_OUT/logs/bench-datapath.results
[ -s "$res" ] || { echo "bench: no results from the VM ($res)" >&2; exit 1; }
python3 "$here/report.py" "$res" "$results" $flag || rc=1
[ "$rc" = 0 ] || echo "bench: FAILED (the VM's log: $BEAVER_VM_OUT/logs/bench-datapath.log)"
exit "$rc"
