#!/usr/bin/env python3
"""Turn a bench VM console (ZSX-BENCH lines) into markdown tables, CSV and PNG plots.

    bench-report.py CONSOLE.log OUTDIR

Writes OUTDIR/{munmap.csv,tput.csv,bench.md,munmap.png,tput.png}. Exits 1 when
the console holds no munmap measurement at all (the VM did not get that far).
"""
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys

MUNMAP_ORDER = ["floor", "zram", "zsmalloc", "base", "classidx", "unlocked", "deferred"]
MUNMAP_LABEL = {
    "floor": "floor (brd swap, no per-slot free)",
    "zram": "kernel zram + its zsmalloc",
    "zsmalloc": "zsxram + kernel zsmalloc",
    "base": "zsx base",
    "classidx": "zsx classidx",
    "unlocked": "zsx classidx_unlocked_free",
    "deferred": "zsx classidx_unlocked_free + deferred",
}
TPUT_ORDER = ["zsmalloc", "base", "classidx", "unlocked", "deferred", "base4"]
TPUT_LABEL = {
    "zsmalloc": "kernel zsmalloc (chain 4)",
    "base": "zsx base",
    "classidx": "zsx classidx",
    "unlocked": "zsx classidx_unlocked_free",
    "deferred": "zsx unlocked + deferred",
    "base4": "zsx base, chain 4",
}


def parse(path):
    recs = {"munmap": [], "tput": [], "ratio": [], "info": [], "mix": []}
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"^ZSX-BENCH (\w+) (.*)$", line.strip())
            if not m or m.group(1) not in recs:
                continue
            kv = dict(p.split("=", 1) for p in m.group(2).split() if "=" in p)
            recs[m.group(1)].append(kv)
    return recs


def med(xs):
    return statistics.median(xs) if xs else None


def fmt(x, nd=1):
    return "-" if x is None else f"{x:.{nd}f}"


def ratio(a, b):
    return None if a is None or b in (None, 0) else a / b


def write_csv(path, rows):
    if not rows:
        return
    keys = list(rows[0].keys())
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)


def plot(out, name, title, xlabel, ylabel, series):
    """series: {label: [(x, y), ...]} -> OUTDIR/name.png with gnuplot (skipped without it)."""
    if not shutil.which("gnuplot") or not series:
        return False
    dat = os.path.join(out, name + ".dat")
    with open(dat, "w") as f:
        for label, pts in series.items():
            f.write(f'"{label}"\n')
            for x, y in pts:
                f.write(f"{x} {y}\n")
            f.write("\n\n")
    body = [
        f'set output "{os.path.join(out, name + ".png")}"',
        f'set title "{title}"', f'set xlabel "{xlabel}"', f'set ylabel "{ylabel}"',
        "set key outside right", "set grid", "set xtics 1",
        f'plot for [i=0:{len(series) - 1}] "{dat}" index i using 1:2 with linespoints title columnheader(1)',
    ]
    for term in ("pngcairo size 1000,560 noenhanced", "png size 1000,560"):
        r = subprocess.run(["gnuplot"], input="\n".join([f"set terminal {term}"] + body), text=True,
                           capture_output=True)
        if r.returncode == 0:
            return True
    print(r.stderr, file=sys.stderr)
    return False


def main():
    log, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    recs = parse(log)
    info = recs["info"][0] if recs["info"] else {}
    md = []
    md.append(f"### zsx bench: {info.get('arch', '?')}, kernel {info.get('kernel', '?')}, "
              f"{info.get('cpus', '?')} vCPUs, {info.get('mem_mib', '?')} MiB, mode {info.get('mode', '?')}")
    md.append("QEMU TCG (no KVM) on a 2-core host: absolute times are emulated; compare rows, not machines.\n")

    # ---- workload 1: munmap ---------------------------------------------------
    mm = recs["munmap"]
    write_csv(os.path.join(out, "munmap.csv"), mm)
    if not mm:
        print("bench-report: no munmap measurements in", log, file=sys.stderr)
        return 1
    procs = sorted({int(r["procs"]) for r in mm})
    cfgs = [c for c in MUNMAP_ORDER if any(r["config"] == c for r in mm)]

    def times(c, p):
        return [int(r["us"]) / 1000 for r in mm if r["config"] == c and int(r["procs"]) == p]

    medians = {(c, p): med(times(c, p)) for c in cfgs for p in procs}
    rounds = max(int(r["round"]) for r in mm)
    md.append(f"#### munmap of {mm[0]['mib']} MiB per process, swapped out (ms per process; median of "
              f"{rounds} rounds x P processes, [min-max])")
    md.append("overhead = munmap(config) - munmap(floor) at the same P: the per-slot freeing the allocator adds.\n")
    hdr = "| configuration |" + "".join(f" P={p} munmap | P={p} overhead | P={p} overhead vs base |" for p in procs)
    md.append(hdr)
    md.append("|---|" + "---:|---:|---:|" * len(procs))
    for c in cfgs:
        row = f"| {MUNMAP_LABEL[c]} |"
        for p in procs:
            t = times(c, p)
            m = medians[(c, p)]
            ov = None if medians.get(("floor", p)) is None or m is None else m - medians[("floor", p)]
            bov = None if medians.get(("base", p)) is None or medians.get(("floor", p)) is None else \
                medians[("base", p)] - medians[("floor", p)]
            rb = ratio(ov, bov) if c != "floor" else None
            row += f" {fmt(m)} [{fmt(min(t))}-{fmt(max(t))}] | {fmt(ov) if c != 'floor' else '-'} | " \
                   f"{fmt(rb, 2) + 'x' if rb is not None else '-'} |"
        md.append(row)
    md.append("")
    md.append("| configuration |" + "".join(f" P={p} vs base | P={p} vs zsmalloc |" for p in procs))
    md.append("|---|" + "---:|---:|" * len(procs))
    for c in cfgs:
        row = f"| {MUNMAP_LABEL[c]} |"
        for p in procs:
            rb = ratio(medians[(c, p)], medians.get(("base", p)))
            rz = ratio(medians[(c, p)], medians.get(("zsmalloc", p)))
            row += f" {fmt(rb, 2)} | {fmt(rz, 2)} |"
        md.append(row)
    md.append("")
    # deferred: the drainer's own time against the synchronous free time it replaced
    dfr = [r for r in mm if r["config"] == "deferred"]
    if dfr:
        md.append("Deferred freeing, per run (all P processes): the drain worker's time vs the synchronous "
                  "free time it replaced (P x overhead of classidx_unlocked_free), medians:\n")
        md.append("| P | drain worker ms | sync free ms replaced | handles parked | synchronous fallbacks |")
        md.append("|---:|---:|---:|---:|---:|")
        for p in procs:
            runs = {}
            for r in dfr:
                if int(r["procs"]) == p:
                    runs[r["round"]] = r
            drain = med([int(r["drain_us"]) / 1000 for r in runs.values()])
            enq = med([int(r["enqueued"]) for r in runs.values()])
            fb = med([int(r["fallbacks"]) for r in runs.values()])
            uo = None
            if medians.get(("unlocked", p)) is not None and medians.get(("floor", p)) is not None:
                uo = p * (medians[("unlocked", p)] - medians[("floor", p)])
            md.append(f"| {p} | {fmt(drain)} | {fmt(uo)} | {fmt(enq, 0)} | {fmt(fb, 0)} |")
        md.append("")
    ratios = recs["ratio"]
    if ratios:
        md.append("Compression ratio seen (orig/compressed, median): " + ", ".join(
            f"{c} {fmt(med([float(r['ratio']) for r in ratios if r['config'] == c]), 2)}"
            for c in cfgs if any(r["config"] == c for r in ratios)) + "\n")
    # targets
    tg = []

    def ov(c, p):
        if medians.get((c, p)) is None or medians.get(("floor", p)) is None:
            return None
        return medians[(c, p)] - medians[("floor", p)]
    for p in procs:
        b, u, d = ov("base", p), ov("unlocked", p), ov("deferred", p)
        if b and u is not None and p == 2:
            tg.append(f"- lock changes only, P=2: overhead {fmt(100 * (1 - u / b), 0)}% lower than base "
                      f"(target >= 40%): {'met' if u <= 0.6 * b else 'missed'}")
        if b and d is not None and p in (1, 2):
            tg.append(f"- deferred, P={p}: overhead {fmt(100 * d / b, 0)}% of base's (target <= 10%): "
                      f"{'met' if d <= 0.1 * b else 'missed'}")

    # ---- workloads 2/3: throughput, latency, density ----------------------------
    tp = recs["tput"]
    write_csv(os.path.join(out, "tput.csv"), tp)
    if tp:
        threads = sorted({int(r["threads"]) for r in tp})
        tcfgs = [c for c in TPUT_ORDER if any(r["config"] == c for r in tp)]

        def tmed(c, t, k):
            return med([float(r[k]) for r in tp if r["config"] == c and int(r["threads"]) == t])
        trounds = max(int(r["round"]) for r in tp)
        md.append(f"#### In-kernel zs_malloc/zs_free (zsx_bench.ko: T kthreads pinned one per vCPU, "
                  f"{tp[0]['objects']} objects each, lzo-rle size mix; median of {trounds} rounds)\n")
        md.append("| configuration | T | malloc kops/s | malloc vs base | free kops/s | free vs base | free vs zsmalloc "
                  "| free p50 ns | free p99 ns | drain ms |")
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for c in tcfgs:
            for t in threads:
                mk, fk = tmed(c, t, "malloc_kops"), tmed(c, t, "free_kops")
                md.append(f"| {TPUT_LABEL[c]} | {t} | {fmt(mk, 0)} | {fmt(ratio(mk, tmed('base', t, 'malloc_kops')), 2)} "
                          f"| {fmt(fk, 0)} | {fmt(ratio(fk, tmed('base', t, 'free_kops')), 2)} "
                          f"| {fmt(ratio(fk, tmed('zsmalloc', t, 'free_kops')), 2)} | {fmt(tmed(c, t, 'free_p50_ns'), 0)} "
                          f"| {fmt(tmed(c, t, 'free_p99_ns'), 0)} | "
                          f"{fmt(tmed(c, t, 'drain_us') / 1000) if c == 'deferred' else '-'} |")
        md.append("")
        t1 = threads[0]
        md.append(f"#### Density: pages holding the same objects (T={t1} run's set, "
                  f"{fmt(tmed('zsmalloc', t1, 'stored_kib') / 1024)} MiB of objects)\n")
        md.append("| configuration | pages | vs kernel zsmalloc |")
        md.append("|---|---:|---:|")
        for c in tcfgs:
            pg = tmed(c, t1, "pages")
            md.append(f"| {TPUT_LABEL[c]} | {fmt(pg, 0)} | {fmt(ratio(pg, tmed('zsmalloc', t1, 'pages')), 3)} |")
        md.append("")
        tmax = 2 if 2 in threads else threads[-1]
        fb, fu, fz = (tmed(c, tmax, "free_kops") for c in ("base", "unlocked", "zsmalloc"))
        fd = tmed("deferred", tmax, "free_kops")
        best = max(x for x in (fu, fd) if x is not None)
        tg.append(f"- zs_free throughput, T={tmax}: best zsx {fmt(best, 0)} kops/s = {fmt(ratio(best, fb), 2)}x base "
                  f"(target >= 1.5x), {fmt(ratio(best, fz), 2)}x kernel zsmalloc (target >= 2x); "
                  f"unlocked alone {fmt(ratio(fu, fb), 2)}x base")
        mb, mu = tmed("base", tmax, "malloc_kops"), tmed("unlocked", tmax, "malloc_kops")
        tg.append(f"- zs_malloc throughput, T={tmax}: unlocked {fmt(ratio(mu, mb), 3)}x base (target >= 0.97x)")
        tg.append(f"- density: zsx chain 4 {fmt(ratio(tmed('base4', t1, 'pages'), tmed('zsmalloc', t1, 'pages')), 3)}x "
                  f"kernel zsmalloc (target <= 1.00x); zsx default chain 8 "
                  f"{fmt(ratio(tmed('base', t1, 'pages'), tmed('zsmalloc', t1, 'pages')), 3)}x")
        plot(out, "tput", "zs_free throughput vs threads (zsx_bench.ko)", "threads", "free kops/s",
             {TPUT_LABEL[c]: [(t, tmed(c, t, "free_kops")) for t in threads] for c in tcfgs})
    if tg:
        md.append("#### Targets (issue #7)\n")
        md.extend(tg)
        md.append("")
    plot(out, "munmap", "munmap of swapped-out memory vs processes", "processes", "munmap ms (median)",
         {MUNMAP_LABEL[c]: [(p, medians[(c, p)]) for p in procs] for c in cfgs})
    with open(os.path.join(out, "bench.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
