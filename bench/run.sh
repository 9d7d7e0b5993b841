#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench / make bench-smoke (docs/performance.md): a VM of the VM
# bench runs bench/vm/datapath.sh (tests/vm/run.sh --bench datapath: the
# data path, issue #12 items 1-2), a second one bench/vm/control.sh (the
# control plane, items 3-5), then bench/report.py turns their samples into
# a table, a JSON file and plots.
#
#   bench/run.sh           the full bench (about 15 minutes on two cores):
#                          results in bench/results/DATE.json and PNGs
#   bench/run.sh --smoke   ratios only (about a minute): JSON in
#                          $BUILD/bench/; fails if snapshots cost the
#                          member's GRO or TCP throughput with snapshots
#                          running drops below 0.9 of the module-absent
#                          one; the option encoding is the control that
#                          must fail both (report.py, smoke_checks)
#
# The data-path VM runs with one vCPU under QEMU's -icount (virtual time
# is the count of instructions executed, 1 ns each): its figures are then
# the same from run to run and host to host, whatever else the host does
# (docs/performance.md, Method). BEAVER_BENCH_QEMU replaces those qemu
# options ("" gives the old two vCPUs in real time, and its noise).
#
# Environment: BEAVER_VM_OUT (the VM's logs; default $BUILD/bench-vm),
# BEAVER_BENCH_ENV (more VAR=VALUE for the VM script, e.g. ROUNDS=7),
# BEAVER_BENCH_RESULTS (where the full bench's files go), BEAVER_BENCHES
# (which VM scripts the full bench runs: "datapath control"), and those of
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
dp_qemu=${BEAVER_BENCH_QEMU-"-icount shift=0,sleep=off -smp 1"}
icount=0
[[ "$dp_qemu" != *-icount* ]] || icount=1
if [ "$smoke" = 1 ]; then
	env="ROUNDS=3 SECS=1 MODES=ACO ONCE=O FLOWS= WORKLOADS=tcp"
	[ "$icount" = 1 ] || env="ROUNDS=5 SECS=3 MODES=ACO ONCE=O FLOWS= WORKLOADS=tcp"
	results=$BUILD/bench
	flag=--smoke
else
	# under -icount a second of the VM costs about seven of the host's,
	# and a round measures the same as the next: five rounds of one second
	# for A, B and C, the first round only for the split (D) and the
	# option (O)
	env="ROUNDS=5 SECS=1 ONCE=DO FLOW_ROUNDS=1 FLOW_PKTS=30000"
	[ "$icount" = 1 ] || env=""
	results=${BEAVER_BENCH_RESULTS:-$repo/bench/results}
	flag=
fi
export BEAVER_VM_ENV="ICOUNT=$icount $env ${BEAVER_BENCH_ENV:-}"
rc=0
benches=datapath
[ "$smoke" = 1 ] || benches=${BEAVER_BENCHES:-datapath control}
res=()
for b in $benches; do
	q=${BEAVER_VM_QEMU:-}
	[ "$b" != datapath ] || q="$q $dp_qemu"
	BEAVER_VM_QEMU=$q "$repo/tests/vm/run.sh" --bench "$b" || rc=$?
	r=$BEAVER_VM_OUT/logs/bench-$b.results
	[ -s "$r" ] || { echo "bench: no results from the VM ($r)" >&2; exit 1; }
	res+=("$r")
done
python3 "$here/report.py" "${res[@]}" "$results" $flag || rc=1
[ "$rc" = 0 ] || echo "bench: FAILED (the VMs' logs: $BEAVER_VM_OUT/logs/bench-*.log)"
exit "$rc"
