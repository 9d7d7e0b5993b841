#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/profile/run.sh's report: instructions per round trip, by role and
by function, from the plugin's block counts (tbcount.c) and the guest's
symbols (datapath.sh, PROF=1).

    report.py DIR BEAVER_KO [FUNCTION...]
"""
import bisect
import collections
import os
import re
import subprocess
import sys

USER = '[user space]'


def runs(log):
    """(label, transactions) of each rr run, in the order they ran"""
    out = []
    pat = re.compile(r'^\[bench\] (rr mode (\S+) round \S+|rrsplit roles (\S+)) requests (\d+) answered (\d+)')
    for line in open(log, errors='replace'):
        m = pat.match(line)
        if m:
            label = 'mode ' + m.group(2) if m.group(2) else m.group(3)
            out.append((label, int(m.group(5))))
    return out


def symbols(path):
    syms = []
    for line in open(path):
        f = line.split()
        if len(f) >= 3 and f[1] in 'tTwW':
            syms.append((int(f[0], 16), f[2] + (' ' + f[3] if len(f) > 3 else '')))
    syms.sort()
    return [a for a, _ in syms], syms


def blocks(path):
    for line in open(path):
        v, n, k = line.split()
        yield int(v, 16), int(n), int(k)


def by_function(path, syms):
    keys, table = syms
    c = collections.Counter()
    for v, n, k in blocks(path):
        if v < 0xffff800000000000:
            c[USER] += n * k
            continue
        i = bisect.bisect_right(keys, v) - 1
        c[table[i][1] if i >= 0 else '?'] += n * k
    return c


def detail(path, syms, ko, func, per):
    """one beaver.ko function block by block, with its source lines"""
    keys, table = syms
    nm = {}
    for line in subprocess.run(['nm', ko], capture_output=True, text=True).stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in 'tT':
            nm[f[2]] = int(f[0], 16)
    if func not in nm:
        print(f'{func}: not a function of {ko}')
        return
    rows = collections.defaultdict(lambda: [0, 0])
    for v, n, k in blocks(path):
        i = bisect.bisect_right(keys, v) - 1
        if i >= 0 and table[i][1] == func + ' [beaver]':
            r = rows[v - table[i][0]]
            r[0] = max(r[0], n)
            r[1] += n * k
    total = sum(r[1] for r in rows.values()) / per
    print(f'\n{func}: {total:.0f} instructions a round trip')
    for off in sorted(rows):
        cost = rows[off][1] / per
        if cost < 2:
            continue
        src = subprocess.run(['addr2line', '-i', '-e', ko, hex(nm[func] + off)],
                             capture_output=True, text=True).stdout.split()
        where = ' <- '.join(os.path.basename(s) for s in src[:3])
        print(f'  +{off:#06x} {rows[off][0]:3d} insns  {cost:7.1f}  {where}')


def main():
    d, ko, funcs = sys.argv[1], sys.argv[2], sys.argv[3:]
    rr = runs(os.path.join(d, 'vm', 'logs', 'bench-datapath.log'))
    # one file up to the first sync, two per run (the run, then up to the
    # next run's first sync), more after the last run (the VM's shutdown
    # syncs too, and the plugin writes one at exit): fewer means a sync
    # the plugin did not see, and the runs would be misnamed
    dumps = [f for f in os.listdir(os.path.join(d, 'share')) if f.startswith('blocks.')]
    if len(dumps) < 2 * len(rr) + 1:
        sys.exit(f'profile: {len(dumps)} count files for {len(rr)} runs '
                 f'(want at least {2 * len(rr) + 1}): the marker was missed')
    prof = {}
    for k, (label, n) in enumerate(rr, 1):
        dump = os.path.join(d, 'share', 'blocks.%03d' % (2 * k - 1))
        syms = symbols(os.path.join(d, 'share', 'kallsyms.%d' % k))
        if not os.path.exists(dump) or not n:
            sys.exit(f'profile: no counts for run {k} ({label})')
        prof[label] = (by_function(dump, syms), n, syms, dump)
    for need in ('none', 'both', 'gateway', 'member'):
        if need not in prof:
            sys.exit(f'profile: no "{need}" run in the log')

    def per(label):
        c, n = prof[label][0], prof[label][1]
        return {f: v / n for f, v in c.items()}

    base = per('none')
    total0 = sum(base.values())
    print(f'Instructions per round trip (bvperf rr through the VIP), module absent: {total0:,.0f}')
    print(f'{"roles":10s} {"added":>8s} {"in beaver.ko":>13s} {"round trips/s vs absent":>24s}')
    for label in ('gateway', 'member', 'both'):
        p = per(label)
        own = sum(v for f, v in p.items() if f.endswith('[beaver]'))
        ratio = prof[label][1] / prof['none'][1]
        print(f'{label:10s} {sum(p.values()) - total0:8,.0f} {own:13,.0f} {ratio:24.3f}')
    both = per('both')
    diff = {f: both.get(f, 0) - base.get(f, 0) for f in set(base) | set(both)}
    print('\nWhat both roles add, by function (instructions per round trip;'
          ' the scheduler\'s lines move by tens from run to run):')
    for f, v in sorted(diff.items(), key=lambda x: -abs(x[1]))[:30]:
        print(f'  {v:8.1f}  {f}')
    _, n, syms, dump = prof['both']
    for f in funcs:
        detail(dump, syms, ko, f, n)


if __name__ == '__main__':
    main()
