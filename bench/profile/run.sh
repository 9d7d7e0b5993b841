#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the module's instructions go on a request/response round trip
# (docs/performance.md, "Where the instructions go"). The data-path VM of
# make bench (one vCPU under -icount) runs bvperf rr through the VIP with
# the module absent, then with the gateway's and the member's roles
# (datapath.sh's section 1b, PROF=1), while a QEMU plugin
# (tbcount.c) counts the instructions every translated block executed.
# report.py then prints, per transaction, what each role adds and the
# functions that add it, the guest's own symbols naming them.
#
#   bench/profile/run.sh [FUNCTION...]
#
# FUNCTION: beaver.ko functions to show block by block, with source lines
# (addr2line on the beaver.ko that ran). About two minutes. Results in
# $BUILD/profile. Needs beaver.ko and the tools built (make module user).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$repo/build}
out=$BUILD/profile
rm -rf "$out"
mkdir -p "$out/share"
"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC \
	-o "$out/tbcount.so" "$here/tbcount.c"

# the marker: sync(2), which nothing else in the VM calls while rr runs
plugin="$out/tbcount.so,out=$out/share/blocks,kallsyms=$out/share/kallsyms"
plugin+=",marker=__x64_sys_sync"
BEAVER_VM_SHARE=$out/share BEAVER_VM_OUT=$out/vm BEAVER_BENCHES=datapath \
	BEAVER_VM_QEMU="-plugin $plugin" BEAVER_BENCH_RESULTS=$out/bench \
	BEAVER_BENCH_ENV="PROF=1 MODES=AB ROUNDS=1 SECS=1 FLOWS= WORKLOADS=rr SPLIT=1" \
	"$repo/bench/run.sh" >"$out/bench.log" 2>&1 ||
	{ tail -n 20 "$out/bench.log"; echo "profile: the bench failed ($out/bench.log)" >&2; exit 1; }
python3 "$here/report.py" "$out" "$repo/beaver.ko" "$@"
