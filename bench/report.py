#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's report: reads the samples bench/vm/datapath.sh printed on
the VM's results port (BEAVER-BENCH lines), writes one JSON file for the
run, PNG plots beside it (gnuplot, when installed) and prints a table.

  bench/report.py RESULTS OUTDIR [--smoke] [--vm-log LOG]

Every ratio is the median, over the rounds, of the ratio of two modes
measured in the same round (modes interleaved A, B, C in every round), so
that a slow drift of the host (other VMs, thermal) cancels within a round.
Exit status: 0, or 1 when --smoke and tcp_ratio_c_a < 0.9 (or no sample).
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

SMOKE_BAR = 0.9


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
    modes = ["A", "B", "C"]
    # 1. the data path
    for w in ("tcp", "mm"):
        if not by(samples, w):
            continue
        pre = "tcp" if w == "tcp" else "mm_tcp"
        for num, den in (("B", "A"), ("C", "A")):
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
        for num, den in (("B", "A"), ("C", "A")):
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
    snaps = by(samples, "snaps")
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
    return fig, series, pcts


ORDER = [
    ("tcp_ratio_b_a", ">= 0.97 (target for c/a)"),
    ("tcp_ratio_c_a", ">= 0.97"),
    ("udp_pps_ratio_b_a", ""),
    ("udp_pps_ratio_c_a", ">= 0.97"),
    ("udp_p50_ratio_c_a", ""),
    ("udp_p99_ratio_b_a", ""),
    ("udp_p99_ratio_c_a", "<= 1.05"),
    ("mm_tcp_ratio_b_a", ""),
    ("mm_tcp_ratio_c_a", ">= 0.97"),
    ("stack_pkts_per_mb_a", "GRO: well below wire"),
    ("stack_pkts_per_mb_b", ""),
    ("stack_pkts_per_mb_c", ""),
    ("wire_pkts_per_mb_a", ""),
    ("wire_pkts_per_mb_b", ""),
    ("wire_pkts_per_mb_c", ""),
    ("mm_stack_pkts_per_mb_a", ""),
    ("mm_stack_pkts_per_mb_c", ""),
    ("mm_wire_pkts_per_mb_c", ""),
    ("snapshots_per_sec_c", "10 asked"),
    ("flow_cost_ratio_1000", ""),
    ("flow_cost_ratio", "<= 1.2"),
    ("flow_cost_ratio_absent", "(control: no module)"),
    ("flow_wall_ratio", "(sender wall time)"),
    ("flow_module_cpu_ns_1", "B - A, ns/datagram"),
    ("flow_module_cpu_ns_100000", "B - A, ns/datagram"),
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
set title "Beaver: ratios inside one VM run, median of the per-round ratios\\nA: no module, B: roles set, C: snapshots every 100 ms (dashed: 0.97)"
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
               for m in "abc"]
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
    return [m for m in made if os.path.exists(m)]


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    smoke = "--smoke" in argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    results, outdir = args
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    samples = parse(results)
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
        r = fig.get("tcp_ratio_c_a")
        if r is None:
            print("bench-smoke: FAIL: no tcp_ratio_c_a measured")
            return 1
        if r < SMOKE_BAR:
            print(f"bench-smoke: FAIL: tcp_ratio_c_a {r} < {SMOKE_BAR}")
            return 1
        print(f"bench-smoke: ok: tcp_ratio_c_a {r} >= {SMOKE_BAR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
