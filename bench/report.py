#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's report: reads the samples bench/vm/datapath.sh and
bench/vm/control.sh printed on the VMs' results ports (BEAVER-BENCH lines),
writes one JSON file for the run, PNG plots beside it (gnuplot, when
installed) and prints a table.

  bench/report.py RESULTS [RESULTS...] OUTDIR [--smoke]

The control plane's figures (items 3-5) are medians and percentiles over
the samples of one VM run; their ratios (t1 - t0 over the RTT measured
beside it, parallel over one-at-a-time, 1,000 members over 100) are what
carry over from TCG, not the absolute times.

Every ratio is the median, over the rounds, of the ratio of two modes
measured in the same round (modes interleaved A, B, C in every round), so
that a slow drift of the host (other VMs, thermal) cancels within a round.
Exit status: 0, or 1 when --smoke and one of its checks fails (smoke_checks).
"""
import datetime
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile

# bench-smoke's bars (docs/performance.md, "What make check asserts").
# GRO kept: packets per MB up m1's stack with snapshots running (C) over
# the module-absent count (A). Deterministic: 1.1-1.3 measured, while the
# option encoding (O, the control, which must exceed the bar) is about 20.
SMOKE_GRO_BAR = 2.0
# Throughput (issue #12: fail if C/A drops below 0.9). Under -icount (the
# default) a round measures what the next does (0.96 in every round), so
# the median below 0.9 fails, and the option encoding (O: 0.68) is the
# control that must fall below it. Without -icount, single rounds of
# 3 s on a shared host spread 0.53-1.31 around a median of 0.82-1.01, so
# a median under 0.9 is not yet a drop: the run fails when every paired
# round is below 0.9 (a sign test: a true ratio of 0.9 or more gives that
# in 1 run of 2^5 = 32), or when the median is below 0.7 (a gross
# regression: a cut that holds packets, a per-packet slow path).
SMOKE_TCP_BAR = 0.9
SMOKE_TCP_FLOOR = 0.7


def parse(path):
    samples = []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.replace("\r", "")
            i = line.find("BEAVER-BENCH ")
            if i < 0:
                continue
            w = line[i + len("BEAVER-BENCH "):].split()
            if not w:
                continue
            s = {"kind": w[0]}
            for k, v in zip(w[1::2], w[2::2]):
                if k == "kind":
                    k = "kind_"     # a sample's own kind of something
                try:
                    s[k] = int(v)
                except ValueError:
                    try:
                        s[k] = float(v)
                    except ValueError:
                        s[k] = v
            samples.append(s)
    return samples


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def by(samples, kind, **kw):
    return [s for s in samples if s["kind"] == kind and
            all(s.get(k) == v for k, v in kw.items())]


def value(samples, kind, mode, rnd, key, **kw):
    for s in by(samples, kind, mode=mode, round=rnd, **kw):
        return s.get(key)
    return None


def paired(samples, kind, key, num, den, **kw):
    """median over rounds of key(num) / key(den), same round"""
    rounds = sorted({s["round"] for s in by(samples, kind, **kw)})
    rs = []
    for r in rounds:
        a = value(samples, kind, num, r, key, **kw)
        b = value(samples, kind, den, r, key, **kw)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
            rs.append(a / b)
    return (round(med(rs), 3) if rs else None), [round(x, 3) for x in rs]


def per_mb(s, key):
    if not s.get("bytes"):
        return None
    return s[key] / (s["bytes"] / 1e6)


def host_facts():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    qemu = ""
    try:
        qemu = subprocess.run(["qemu-system-x86_64", "--version"],
                              capture_output=True, text=True,
                              check=False).stdout.splitlines()[0]
    except (OSError, IndexError):
        pass
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {"hostname": socket.gethostname(), "kernel": platform.release(),
            "cpu": cpu, "cpus": os.cpu_count(), "qemu": qemu,
            "accel": "tcg", "loadavg_1min_at_report": load}


def git_commit(repo):
    try:
        return subprocess.run(["git", "-C", repo, "describe", "--always",
                               "--dirty"], capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return ""


def analyse(samples):
    fig = {}
    series = {}
    modes = ["A", "B", "C", "D", "O"]
    # the pairs compared: the default encoding (B, C) and the option (O)
    # against no module, the two encodings with snapshots running, and
    # C's cost split by the decoy mode D: the work beside the path (D/B)
    # and the cuts on it (C/D)
    pairs = (("B", "A"), ("C", "A"), ("O", "A"), ("C", "O"), ("D", "B"),
             ("C", "D"))
    # 1. the data path
    for w in ("tcp", "mm"):
        if not by(samples, w):
            continue
        pre = "tcp" if w == "tcp" else "mm_tcp"
        for num, den in pairs:
            r, rs = paired(samples, w, "mbit", num, den)
            fig[f"{pre}_ratio_{num.lower()}_{den.lower()}"] = r
            series[f"{pre}_ratio_{num.lower()}_{den.lower()}"] = rs
        for m in modes:
            ss = by(samples, w, mode=m)
            fig[f"{w}_mbit_{m.lower()}"] = med([s.get("mbit") for s in ss])
            stack = med([per_mb(s, "ip_in") for s in ss])
            wire = med([per_mb(s, "eth_rx") for s in ss])
            key = "stack_pkts_per_mb" if w == "tcp" else "mm_stack_pkts_per_mb"
            fig[f"{key}_{m.lower()}"] = round(stack, 1) if stack else None
            wkey = "wire_pkts_per_mb" if w == "tcp" else "mm_wire_pkts_per_mb"
            fig[f"{wkey}_{m.lower()}"] = round(wire, 1) if wire else None
    if by(samples, "rr"):
        for num, den in pairs:
            n, d = num.lower(), den.lower()
            fig[f"udp_pps_ratio_{n}_{d}"], series[f"udp_pps_ratio_{n}_{d}"] = \
                paired(samples, "rr", "tps", num, den)
            fig[f"udp_p50_ratio_{n}_{d}"], series[f"udp_p50_ratio_{n}_{d}"] = \
                paired(samples, "rr", "p50_us", num, den)
            fig[f"udp_p99_ratio_{n}_{d}"], series[f"udp_p99_ratio_{n}_{d}"] = \
                paired(samples, "rr", "p99_us", num, den)
        for m in modes:
            ss = by(samples, "rr", mode=m)
            fig[f"udp_tps_{m.lower()}"] = med([s.get("tps") for s in ss])
            fig[f"udp_p50_us_{m.lower()}"] = med([s.get("p50_us") for s in ss])
            fig[f"udp_p99_us_{m.lower()}"] = med([s.get("p99_us") for s in ss])
    # 1b. the module's cost on a round trip by role: the mean round trip
    # (1 / transactions a second) with each role set, less the module-absent one
    split = {s.get("roles"): s.get("tps") for s in by(samples, "rrsplit")}
    if split.get("none"):
        base = 1e6 / split["none"]
        fig["udp_rt_us_absent"] = round(base, 2)
        for r in ("gateway", "member", "both"):
            if split.get(r):
                fig[f"udp_rt_cost_us_{r}"] = round(1e6 / split[r] - base, 2)
    snaps = by(samples, "snaps", mode="C") + by(samples, "snaps", mode=None)
    if snaps:
        fig["snapshots_per_sec_c"] = round(med(
            [s["advances"] / s["secs"] for s in snaps if s.get("secs")]), 2)
    # the latency percentiles of each mode: the mean over its rounds of
    # each percentile (quantile averaging)
    pcts = {}
    for m in modes:
        rows = [[float(x) for x in str(s["pct_us"]).split(",")]
                for s in by(samples, "rrpct", mode=m) if "pct_us" in s]
        if rows:
            pcts[m] = [round(sum(c) / len(c), 1) for c in zip(*rows)]
    # 2. the flow table: busy CPU time (both vCPUs) per datagram, ratio
    # N tuples / 1 tuple in the same round and mode; the sender's wall
    # time per datagram beside it
    flows = by(samples, "flows")
    for s in flows:
        if s.get("sent") and s.get("secs"):
            s["wall_ns_per_pkt"] = round(s["secs"] * 1e9 / s["sent"], 1)
        if s.get("sent") and isinstance(s.get("cpu_ticks"), int) and s.get("hz"):
            s["cpu_ns_per_pkt"] = round(s["cpu_ticks"] / s["hz"] * 1e9 / s["sent"], 1)
    tuples = sorted({s["tuples"] for s in flows})
    rounds = sorted({s["round"] for s in flows})

    def one(m, r, n, key):
        for s in flows:
            if s["mode"] == m and s["round"] == r and s["tuples"] == n and key in s:
                return s[key]
        return None

    if flows and 1 in tuples:
        for m, name in (("B", "flow_cost_ratio"), ("A", "flow_cost_ratio_absent")):
            for key, kname in (("cpu_ns_per_pkt", name),
                               ("wall_ns_per_pkt", name.replace("cost", "wall"))):
                for n in tuples:
                    if n == 1:
                        continue
                    rs = []
                    for r in rounds:
                        a, b = one(m, r, 1, key), one(m, r, n, key)
                        if a and b:
                            rs.append(b / a)
                    k = kname + ("" if n == 100000 else f"_{n}")
                    fig[k] = round(med(rs), 3) if rs else None
                    series[k] = [round(x, 3) for x in rs]
            for n in tuples:
                for key in ("cpu_ns_per_pkt", "wall_ns_per_pkt"):
                    fig[f"flow_{key}_{m.lower()}_{n}"] = med(
                        [one(m, r, n, key) for r in rounds])
                tab = [one(m, r, n, "table") for r in rounds]
                tab = [t for t in tab if isinstance(t, int)]
                if tab:
                    fig[f"flow_table_{n}"] = min(tab)
        # the module's own share: B - A per datagram, same round
        for n in tuples:
            d = [one("B", r, n, "cpu_ns_per_pkt") - one("A", r, n, "cpu_ns_per_pkt")
                 for r in rounds if one("B", r, n, "cpu_ns_per_pkt") and
                 one("A", r, n, "cpu_ns_per_pkt")]
            fig[f"flow_module_cpu_ns_{n}"] = round(med(d), 1) if d else None
    control(samples, fig, series)
    return fig, series, pcts


def nums(v):
    """a sample's comma-separated list of numbers ('-': none)"""
    if isinstance(v, (int, float)):
        return [float(v)]
    return [float(x) for x in str(v or "").split(",") if x not in ("", "-")]


def pct(xs, q):
    """the q-quantile (0..1) of xs, nearest rank; None if empty"""
    xs = sorted(xs)
    if not xs:
        return None
    return xs[min(len(xs) - 1, max(0, int(round(q * (len(xs) - 1)))))]


def control(samples, fig, series):
    """items 3-5: initiation, snapshot rate, completion time"""
    # 3. t1 - t0 against the plain UDP RTT of the same run, per gateway count
    for s in by(samples, "init"):
        n = s["n_gw"]
        b = nums(s.get("bounds_us"))
        rtt = [x["p50_us"] for x in by(samples, "rtt", n_gw=n)
               if isinstance(x.get("p50_us"), (int, float))]
        cal = [x["median_us"] for x in by(samples, "calib", n_gw=n)
               if isinstance(x.get("median_us"), (int, float))]
        fig[f"t1t0_median_us_{n}"] = med(b)
        fig[f"t1t0_p99_us_{n}"] = pct(b, 0.99)
        fig[f"rtt_median_us_{n}"] = med(rtt)
        fig[f"daemon_ping_median_us_{n}"] = med(cal)
        series[f"t1t0_us_{n}"] = b
        if b and rtt and med(rtt):
            fig[f"t1t0_over_rtt_{n}"] = round(med(b) / med(rtt), 2)
        if cal and rtt and med(rtt):
            fig[f"daemon_ping_over_rtt_{n}"] = round(med(cal) / med(rtt), 2)
        for p in by(samples, "initparts", n_gw=n):
            for part in ("out", "spread", "back"):
                fig[f"t1t0_{part}_median_us_{n}"] = med(nums(p.get(f"{part}_us")))
    # the run's RTT: every ping-pong of the run (under TCG each one is
    # bimodal, a few hundred us or a few ms as a wake-up crosses vCPUs or
    # not: the per-count medians of four samples jump between the modes)
    allrtt = [x["p50_us"] for x in by(samples, "rtt")
              if isinstance(x.get("p50_us"), (int, float))]
    if allrtt:
        fig["rtt_median_us"] = med(allrtt)
        for s in by(samples, "init"):
            n = s["n_gw"]
            if fig.get(f"t1t0_median_us_{n}"):
                fig[f"t1t0_over_run_rtt_{n}"] = round(
                    fig[f"t1t0_median_us_{n}"] / med(allrtt), 2)
    # 3b. the same with the gateways' fast path on (yes) and off (no)
    for s in by(samples, "initfp"):
        n, mode = s["n_gw"], s["fast"]
        b = nums(s.get("bounds_us"))
        fig[f"t1t0_fast_{mode}_median_us_{n}"] = med(b)
        series[f"t1t0_fast_{mode}_us_{n}"] = b
        if b and allrtt:
            fig[f"t1t0_fast_{mode}_over_run_rtt_{n}"] = round(
                med(b) / med(allrtt), 2)
    fy, fn = (fig.get(f"t1t0_fast_{m}_median_us_8") for m in ("yes", "no"))
    if fy and fn:
        fig["t1t0_fast_speedup_8"] = round(fn / fy, 2)
    if by(samples, "init"):
        top = max(s["n_gw"] for s in by(samples, "init"))
        fig["t1t0_over_rtt"] = fig.get(f"t1t0_over_run_rtt_{top}")
    # 4. accepted snapshots a second, per gateway count and max_outstanding
    for s in by(samples, "rate"):
        n, mo = s["n_gw"], s["mo"]
        if s.get("secs"):
            fig[f"rate_per_sec_{n}gw_mo{mo}"] = round(s["accepted"] / s["secs"], 2)
        if s.get("snaps"):
            fig[f"rate_accepted_share_{n}gw_mo{mo}"] = round(
                s["accepted"] / s["snaps"], 3)
        fig["rate_tau_min_us"] = s.get("tau_us")
        if s.get("secs") and s.get("hz") and isinstance(s.get("cpu_ticks"), int):
            cpu = s["cpu_ticks"] / s["hz"]
            # vCPUs busy on average (2: saturated), CPU ms per snapshot
            fig[f"rate_vcpus_busy_{n}gw_mo{mo}"] = round(cpu / s["secs"], 2)
            if s.get("accepted"):
                fig[f"rate_cpu_ms_per_snap_{n}gw_mo{mo}"] = round(
                    cpu * 1000 / s["accepted"], 1)
    for n in sorted({s["n_gw"] for s in by(samples, "rate")}):
        one, par = (fig.get(f"rate_per_sec_{n}gw_mo{m}") for m in (1, 16))
        if one and par:
            fig[f"rate_speedup_{n}gw"] = round(par / one, 2)
    # 5. completion time (ms): settle interval, simulated members
    for s in by(samples, "complete"):
        c = nums(s.get("comp_ms"))
        key = ("completion_ms_settle_%s" if s["kind_"] == "settle"
               else "completion_ms_%s") % s["value"]
        fig[key] = round(med(c), 1) if c else None
        series[key] = [round(x, 1) for x in c]
    a, b = fig.get("completion_ms_100"), fig.get("completion_ms_1000")
    if a and b:
        fig["completion_ms_1000_over_100"] = round(b / a, 2)


ORDER = [
    ("tcp_ratio_b_a", ">= 0.97 (target for c/a)"),
    ("tcp_ratio_c_a", ">= 0.97"),
    ("tcp_ratio_o_a", "(the option encoding)"),
    ("tcp_ratio_c_o", "(ID over option)"),
    ("tcp_ratio_d_b", "(C's work beside the path: decoy cuts)"),
    ("tcp_ratio_c_d", "(C's cuts on the path)"),
    ("udp_pps_ratio_b_a", ""),
    ("udp_pps_ratio_c_a", ">= 0.97"),
    ("udp_p50_ratio_c_a", ""),
    ("udp_p99_ratio_b_a", ""),
    ("udp_p99_ratio_c_a", "<= 1.05"),
    ("udp_rt_us_absent", "us a round trip, no module"),
    ("udp_rt_cost_us_gateway", "us the gateway's role adds"),
    ("udp_rt_cost_us_member", "us the member's role adds"),
    ("udp_rt_cost_us_both", "us both add"),
    ("mm_tcp_ratio_b_a", ""),
    ("mm_tcp_ratio_c_a", ">= 0.97"),
    ("mm_tcp_ratio_o_a", "(the option encoding)"),
    ("mm_tcp_ratio_d_b", "(decoy cuts beside the path)"),
    ("mm_tcp_ratio_c_d", "(cuts on the path)"),
    ("stack_pkts_per_mb_a", "GRO: well below wire"),
    ("stack_pkts_per_mb_b", ""),
    ("stack_pkts_per_mb_c", ""),
    ("stack_pkts_per_mb_o", "(the option encoding)"),
    ("wire_pkts_per_mb_a", ""),
    ("wire_pkts_per_mb_b", ""),
    ("wire_pkts_per_mb_c", ""),
    ("mm_stack_pkts_per_mb_a", ""),
    ("mm_stack_pkts_per_mb_c", ""),
    ("mm_stack_pkts_per_mb_o", ""),
    ("mm_wire_pkts_per_mb_c", ""),
    ("snapshots_per_sec_c", "10 asked"),
    ("flow_cost_ratio_1000", ""),
    ("flow_cost_ratio", "<= 1.2"),
    ("flow_cost_ratio_absent", "(control: no module)"),
    ("flow_wall_ratio", "(sender wall time)"),
    ("flow_module_cpu_ns_1", "B - A, ns/datagram"),
    ("flow_module_cpu_ns_100000", "B - A, ns/datagram"),
    ("t1t0_over_rtt", "<= 1.5 (8 gateways)"),
    ("rate_speedup_2gw", ">= 20"),
    ("rate_speedup_4gw", ">= 20"),
    ("completion_ms_1000_over_100", "<= 12"),
]


def table(fig, series):
    lines = [f"{'figure':<30} {'value':>10}  {'rounds':<34} target"]
    seen = set()
    for k, t in ORDER + [(k, "") for k in sorted(fig)]:
        if k in seen or k not in fig:
            continue
        seen.add(k)
        v = fig[k]
        vs = "-" if v is None else (f"{v:.3f}" if isinstance(v, float) and v < 100
                                    else f"{v:.0f}" if isinstance(v, float) else str(v))
        rs = ",".join(f"{x:.2f}" for x in series.get(k, []))
        lines.append(f"{k:<30} {vs:>10}  {rs:<34} {t}")
    return "\n".join(lines)


def plots(base, fig, pcts):
    gp = shutil.which("gnuplot")
    if not gp:
        return []
    made = []
    with tempfile.TemporaryDirectory() as d:
        keys = [k for k in ("tcp_ratio_b_a", "tcp_ratio_c_a", "udp_pps_ratio_b_a",
                            "udp_pps_ratio_c_a", "udp_p99_ratio_c_a",
                            "mm_tcp_ratio_b_a", "mm_tcp_ratio_c_a",
                            "mm_tcp_ratio_o_a",
                            "flow_cost_ratio", "flow_cost_ratio_absent")
                if fig.get(k) is not None]
        if keys:
            with open(f"{d}/ratios.dat", "w") as f:
                for i, k in enumerate(keys):
                    f.write(f'{i} {fig[k]} "{k}"\n')
            out = f"{base}-ratios.png"
            script = f"""
set terminal pngcairo size 960,540 noenhanced
set output '{out}'
set title "Beaver: ratios inside one VM run, median of the per-round ratios\\nA: no module, B: roles set, C: snapshots every 100 ms, O: C with the option encoding (dashed: 0.97)"
set rmargin 12
set bmargin 9
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
set ylabel 'ratio'
set xtics rotate by -30
set grid ytics
set arrow from graph 0, first 1 to graph 1, first 1 nohead lc rgb 'black'
set arrow from graph 0, first 0.97 to graph 1, first 0.97 nohead dt 2 lc rgb 'red'
plot '{d}/ratios.dat' using 1:2:xtic(3) with boxes notitle, \
     '' using 1:2:(sprintf('%.2f', $2)) with labels offset 0,0.7 notitle
"""
            subprocess.run([gp], input=script, text=True, check=False)
            made.append(out)
        gro = [(m, fig.get(f"wire_pkts_per_mb_{m}"), fig.get(f"stack_pkts_per_mb_{m}"))
               for m in "abco" if fig.get(f"stack_pkts_per_mb_{m}")]
        if any(s for _, _, s in gro):
            with open(f"{d}/gro.dat", "w") as f:
                for m, w, s in gro:
                    f.write(f"{m.upper()} {w or 0} {s or 0}\n")
            out = f"{base}-gro.png"
            script = f"""
set terminal pngcairo size 640,420 noenhanced
set output '{out}'
set title 'client -> VIP -> m1 TCP: packets per MB at m1'
set key below
set style data histograms
set style histogram clustered
set style fill solid 0.6
set yrange [0:*]
set ylabel 'packets per MB'
set grid ytics
plot '{d}/gro.dat' using 2:xtic(1) title 'on the wire (eth0 rx_packets)', \
     '' using 3 title 'up the stack (Ip InReceives, after GRO)'
"""
            subprocess.run([gp], input=script, text=True, check=False)
            made.append(out)
        if pcts:
            plot = []
            for m in sorted(pcts):
                with open(f"{d}/lat{m}.dat", "w") as f:
                    for p, v in enumerate(pcts[m]):
                        f.write(f"{v} {p}\n")
                plot.append(f"'{d}/lat{m}.dat' using 1:2 with lines lw 2 title 'mode {m}'")
            out = f"{base}-latency.png"
            script = f"""
set terminal pngcairo size 640,420 noenhanced
set output '{out}'
set title 'UDP request/response client -> VIP -> m1: round trips'
set xlabel 'round trip (us, TCG)'
set ylabel 'percentile'
set logscale x
set key bottom right
set grid
plot {", ".join(plot)}
"""
            subprocess.run([gp], input=script, text=True, check=False)
            made.append(out)
        gws = sorted(int(k.rsplit("_", 1)[1]) for k in fig
                     if k.startswith("t1t0_median_us_"))
        if gws:
            with open(f"{d}/init.dat", "w") as f:
                for n in gws:
                    f.write(" ".join(str(fig.get(k) or 0) for k in (
                        f"t1t0_out_median_us_{n}", f"t1t0_spread_median_us_{n}",
                        f"t1t0_back_median_us_{n}", f"t1t0_median_us_{n}",
                        "rtt_median_us")) + f" {n}\n")
            out = f"{base}-initiation.png"
            script = f"""
set terminal pngcairo size 720,460 noenhanced
set output '{out}'
set title "t1 - t0 (median) against the plain UDP RTT of the same run\\nbars: its parts at the gateways' switches (medians of each part)"
set key top left
set style data histograms
set style histogram rowstacked
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
set ylabel 'us (TCG)'
set xlabel 'gateways'
set grid ytics
plot '{d}/init.dat' using 1:xtic(6) title 'out: t0 -> first switch', \
     '' using 2 title 'spread: first -> last switch', \
     '' using 3 title 'back: last switch -> t1', \
     '' using 0:4 with linespoints lw 2 pt 7 title 'median t1 - t0', \
     '' using 0:($5 * 1.5) with lines lw 2 dt 2 title '1.5 x median RTT (the run)'
"""
            subprocess.run([gp], input=script, text=True, check=False)
            made.append(out)
    return [m for m in made if os.path.exists(m)]


def smoke_checks(fig, series, icount=False):
    """bench-smoke's verdict: 0 when every check passes, 1 otherwise.
    Each check prints its value, its bar and how far the run was from
    it; the GRO check also needs its control (the option encoding) to
    fail, or the run could not have told."""
    bad = 0

    def gro(mode):
        a = fig.get("stack_pkts_per_mb_a")
        x = fig.get(f"stack_pkts_per_mb_{mode}")
        return round(x / a, 2) if a and x else None

    c, o = gro("c"), gro("o")
    if c is None:
        print("bench-smoke: FAIL: no packets-per-MB sample of modes A and C")
        bad = 1
    elif c > SMOKE_GRO_BAR:
        print(f"bench-smoke: FAIL: GRO lost: {c} x the packets per MB "
              f"up m1's stack without the module (bar {SMOKE_GRO_BAR})")
        bad = 1
    else:
        print(f"bench-smoke: ok: GRO kept: {c} x the packets per MB "
              f"without the module (bar {SMOKE_GRO_BAR})")
    if o is None:
        print("bench-smoke: FAIL: no sample of the control (mode O)")
        bad = 1
    elif o <= SMOKE_GRO_BAR:
        print(f"bench-smoke: FAIL: the control did not fail: the option "
              f"encoding gave {o} x (must exceed {SMOKE_GRO_BAR}), so the "
              f"GRO check could not see a loss")
        bad = 1
    else:
        print(f"bench-smoke: ok: control: the option encoding gave {o} x "
              f"(fails the bar, as it must; sensitivity "
              f"{round(o / SMOKE_GRO_BAR, 1)} x the bar)")
    r = fig.get("tcp_ratio_c_a")
    rounds = series.get("tcp_ratio_c_a", [])
    if r is None:
        print("bench-smoke: FAIL: no tcp_ratio_c_a measured")
        bad = 1
    elif icount:
        if r < SMOKE_TCP_BAR:
            print(f"bench-smoke: FAIL: tcp_ratio_c_a {r} < {SMOKE_TCP_BAR} "
                  f"(rounds: {rounds})")
            bad = 1
        else:
            print(f"bench-smoke: ok: tcp_ratio_c_a {r} (rounds {rounds}; "
                  f"bar {SMOKE_TCP_BAR}; make bench measures the 0.97 "
                  f"target)")
        o = fig.get("tcp_ratio_o_a")
        if o is None:
            print("bench-smoke: FAIL: no tcp_ratio_o_a (the control)")
            bad = 1
        elif o >= SMOKE_TCP_BAR:
            print(f"bench-smoke: FAIL: the control did not fail: the option "
                  f"encoding kept {o} of the throughput (must be below "
                  f"{SMOKE_TCP_BAR}), so the check could not see a loss")
            bad = 1
        else:
            print(f"bench-smoke: ok: control: the option encoding kept {o} "
                  f"(fails the bar, as it must; the bar sits "
                  f"{round(SMOKE_TCP_BAR - o, 2)} above it)")
    elif r < SMOKE_TCP_FLOOR:
        print(f"bench-smoke: FAIL: tcp_ratio_c_a {r} < {SMOKE_TCP_FLOOR} "
              f"(rounds: {rounds})")
        bad = 1
    elif rounds and max(rounds) < SMOKE_TCP_BAR:
        print(f"bench-smoke: FAIL: tcp_ratio_c_a below {SMOKE_TCP_BAR} in "
              f"every one of {len(rounds)} rounds ({rounds}; a ratio of "
              f"{SMOKE_TCP_BAR} or more does that in 1 run of "
              f"{2 ** len(rounds)})")
        bad = 1
    else:
        above = sum(1 for x in rounds if x >= SMOKE_TCP_BAR)
        print(f"bench-smoke: ok: tcp_ratio_c_a {r} (rounds {rounds}: "
              f"{above} of {len(rounds)} at or above {SMOKE_TCP_BAR}, "
              f"median >= {SMOKE_TCP_FLOOR}; make bench measures the 0.97 "
              f"target)")
    return bad


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    smoke = "--smoke" in argv
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    *inputs, outdir = args
    results = inputs[-1]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    samples = [x for r in inputs for x in parse(r)]
    fig, series, pcts = analyse(samples)
    # the run's time: when the VM wrote its last sample
    now = datetime.datetime.fromtimestamp(os.path.getmtime(results),
                                          datetime.timezone.utc)
    vm = next((s for s in samples if s["kind"] == "host"), {})
    shape = next((s for s in samples if s["kind"] == "shape"), {})
    doc = {
        "format": "beaver-bench/1",
        "date": now.isoformat(timespec="seconds"),
        "smoke": smoke,
        "commit": git_commit(repo),
        "host": host_facts(),
        "vm": {"kernel": vm.get("kernel"), "cpus": vm.get("cpus"),
               "cpu": str(vm.get("cpu", "")).replace("_", " ")},
        "shape": {k: v for k, v in shape.items() if k != "kind"},
        "control_shape": next(({k: v for k, v in x.items() if k != "kind"}
                               for x in samples if x["kind"] == "cshape"), {}),
        "figures": fig,
        "per_round_ratios": series,
        "latency_percentiles_us": pcts,
        "samples": samples,
    }
    os.makedirs(outdir, exist_ok=True)
    base = os.path.join(outdir, now.strftime("%Y%m%d-%H%M%S") +
                        ("-smoke" if smoke else ""))
    doc["plots"] = [os.path.basename(p) for p in
                    ([] if smoke else plots(base, fig, pcts))]
    with open(base + ".json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(table(fig, series))
    print(f"bench: results in {base}.json" +
          (f", plots {', '.join(doc['plots'])}" if doc["plots"] else ""))
    if smoke:
        return smoke_checks(fig, series, str(shape.get("icount")) == "1")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
