#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The checks of a VM bench run that passed closest to their bars.

    tests/vm/margins.py [--all] LOG...      (e.g. build/vm/logs/*.log)

A scenario's numeric check that passes prints "[.] ok: WHAT = V >= BAR"
(or "> BAR", "<= BAR"; tests/vm/lib.sh). A check that passed by a hair
in one run fails in another: CI caught 22-trust that way (a median of 1
against "> 0"). This lists, per log, the ones within 2 of their bar or
20 % of it, the narrowest first; --all lists every numeric check. Some
are exact by construction (3 forged datagrams sent, ">= 3"): read the
list, do not chase it to zero.
"""
import os
import re
import sys

CHECK = re.compile(r'^\[\.\] ok: (.*) = (-?\d+) (>=|>|<=) (-?\d+)\s*$')


def slack(v, op, bar):
    """How far V is inside its bar: absolute, and relative to the bar."""
    if op == '>=':
        d = v - bar
    elif op == '>':
        d = v - bar - 1
    else:
        d = bar - v
    return d, d / max(abs(bar), 1)


def main(argv):
    show_all = '--all' in argv
    logs = [a for a in argv if a != '--all']
    if not logs:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = []
    for path in logs:
        name = os.path.basename(path).removesuffix('.log')
        with open(path, errors='replace') as f:
            for line in f:
                m = CHECK.match(line.rstrip('\r\n'))
                if not m:
                    continue
                what, v, op, bar = m[1], int(m[2]), m[3], int(m[4])
                d, rel = slack(v, op, bar)
                if show_all or d <= 2 or rel <= 0.2:
                    rows.append((rel, d, name, what, v, op, bar))
    rows.sort(key=lambda r: (r[0], r[1]))
    for rel, d, name, what, v, op, bar in rows:
        print(f'{name}: {what}: {v} {op} {bar} (slack {d}, {rel:.0%})')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
