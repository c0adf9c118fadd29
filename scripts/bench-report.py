#!/usr/bin/env python3
"""Turn bench VM consoles (ZSX-BENCH lines) into markdown tables, CSV, PNG plots and BENCH lines.

    bench-report.py OUTDIR [--arch ARCH] [--perf CONSOLE.log] [--icount CONSOLE.log] [--fastpath CENSUS.md]
    bench-report.py CONSOLE.log OUTDIR          (the perf boot only)

Writes OUTDIR/{bench.md,bench.txt,munmap.csv,tput.csv,icount.csv,munmap.png,tput.png}.
bench.txt holds one line per figure, "BENCH <arch> <kernel> <config> <metric> <value>"
(kernel: perf-<line> | icount-<line> | stock-<line>, e.g. perf-7.3), and ends with "BENCH-TARGETS met=N missed=M" over the
performance targets this run measured. The targets are those of scripts/bench-targets.tsv
(its header says how to read it). Exits 1 when a given console holds no
measurement at all (the VM did not get that far).
"""
import argparse
import collections
import csv
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys

MUNMAP_ORDER = ["floor", "zram", "zsmalloc", "base", "classidx", "unlocked", "release", "deferred"]
MUNMAP_LABEL = {
    "floor": "floor (brd swap, no per-slot free)",
    "zram": "kernel zram + its zsmalloc",
    "zsmalloc": "zsxram + kernel zsmalloc",
    "base": "zsx base",
    "classidx": "zsx classidx",
    "unlocked": "zsx classidx_unlocked_free",
    "release": "zsx classidx_unlocked_free + deferred zspage release only",
    "deferred": "zsx classidx_unlocked_free + deferred",
}
TPUT_ORDER = ["zsmalloc", "base", "classidx", "unlocked", "deferred", "base4"]
# the names tools read (BENCH lines): the kernel's zsmalloc is "zsmalloc",
# zsx configurations "zsx:<free policy>[:deferred]"; base4 is zsx base at chain 4
BENCH_NAME = {
    "floor": "floor", "zram": "zram", "zsmalloc": "zsmalloc",
    "base": "zsx:base", "classidx": "zsx:classidx", "unlocked": "zsx:classidx_unlocked_free",
    "deferred": "zsx:classidx_unlocked_free:deferred", "base4": "zsx:base:chain4",
    "release": "zsx:classidx_unlocked_free:release",
}
ICOUNT_ORDER = ["zsmalloc", "base", "classidx", "unlocked", "deferred"]
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TARGETS = os.path.join(ROOT, "scripts", "bench-targets.tsv")
# the committed results: the newest <arch>-<kernel>-<benchmark>-<date> file of each
RESULTS = os.path.join(ROOT, "qemu", "bench-results")
TPUT_LABEL = {
    "zsmalloc": "kernel zsmalloc (chain 4)",
    "base": "zsx base",
    "classidx": "zsx classidx",
    "unlocked": "zsx classidx_unlocked_free",
    "deferred": "zsx unlocked + deferred",
    "base4": "zsx base, chain 4",
}


def parse(path):
    recs = {"munmap": [], "munmapc": [], "tput": [], "ratio": [], "info": [], "mix": [], "insns": [], "calib": [], "slot": []}
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


Target = collections.namedtuple("Target", "section counted configs metric op limit slack ref_config ref_metric text")


def load_targets(path):
    """The targets of the data file (format: its header)."""
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            c = line.rstrip("\n").split("\t")
            where = f"{path}:{n}"
            if len(c) != 9:
                sys.exit(f"{where}: 9 tab-separated columns expected, found {len(c)}")
            section, counted, configs, metric, op, limit, ref_config, ref_metric, text = c
            if section not in ("perf", "icount") or counted not in ("yes", "no") or op not in ("<=", ">=") \
                    or metric.count("*") > 1 or metric.count("*") != ref_metric.count("*"):
                sys.exit(f"{where}: not a target (see the file's header)")
            slack = 0.0
            if limit.startswith("committed"):
                slack = float(limit[len("committed"):] or 0)
                limit = "committed"
            else:
                limit = float(limit)
            rows.append(Target(section, counted == "yes", configs.split(","), metric, op, limit, slack,
                               None if ref_config == "-" else ref_config, ref_metric, text))
    return rows


class Bench:
    """Collects the BENCH lines and the targets of one make bench run."""

    def __init__(self, arch, lines, targets):
        self.arch = arch
        self.kernel_lines = lines  # boot kind (perf, icount, stock) -> kernel line ("7.3")
        self.lines = []
        self.values = {}  # (boot kind, BENCH config, metric) -> value, in the order measured
        self.target_rows = targets
        self.targets = []  # (text, met)

    def add(self, kernel, cfg, metric, value, nd=1, line=True):
        """A figure: kept for the targets and, with line, printed as a BENCH line."""
        if value is None:
            return
        self.values[(kernel, BENCH_NAME.get(cfg, cfg), metric)] = value
        if line:
            kernel = f"{kernel}-{self.kernel_lines[kernel]}" if kernel in self.kernel_lines else kernel
            self.lines.append(f"BENCH {self.arch} {kernel} {BENCH_NAME.get(cfg, cfg)} {metric} {value:.{nd}f}")

    def label(self, kernel):
        """The kernel's name in result files: its line (7.3), stock-<line> for Debian's."""
        line = self.kernel_lines.get(kernel, "?")
        return f"stock-{line}" if kernel == "stock" else line

    def check(self, section, kernel, committed=None):
        """Checks the targets of SECTION on the figures of boot KERNEL. Counted ones join
        self.targets; the reference ones come back as markdown lines.
        committed(config, ref_config, metric) -> (ratio, source): the committed results' ratio."""
        ref_md = []
        for t in self.target_rows:
            if t.section != section:
                continue
            rx = re.compile(re.escape(t.metric).replace(r"\*", "(.+)") + "$")
            found = []  # what '*' matched, in the order measured
            for k, c, m in self.values:
                mm = rx.match(m)
                if k == kernel and c in t.configs and mm and mm.groups()[:1] not in found:
                    found.append(mm.groups()[:1])
            for g in found:
                n = g[0] if g else ""
                vals = [self.values.get((kernel, c, t.metric.replace("*", n))) for c in t.configs]
                vals = [v for v in vals if v is not None]
                if not vals:
                    continue
                value = (max if t.op == ">=" else min)(vals)
                ref = None
                if t.ref_config:
                    ref = self.values.get((kernel, t.ref_config, t.ref_metric.replace("*", n)))
                    if not ref:
                        continue
                f = {"kernel": kernel, "n": n, "value": value, "reference": ref,
                     "ratio": None if ref is None else value / ref, "committed": None, "committed_src": None}
                if t.limit == "committed":
                    if ref is None or committed is None:
                        continue
                    f["committed"], f["committed_src"] = committed(t.configs[0], t.ref_config, t.metric)
                    f["limit"] = f["committed"] + t.slack
                    met = f["ratio"] <= f["limit"] if t.op == "<=" else f["ratio"] >= f["limit"]
                else:
                    f["limit"] = t.limit
                    bound = t.limit if ref is None else t.limit * ref
                    met = value <= bound if t.op == "<=" else value >= bound
                text = t.text.format(**f)
                if t.counted:
                    self.targets.append((text, met))
                else:
                    ref_md.append(f"- {text}: {'met' if met else 'missed'}")
        return ref_md


def perf_section(log, out, B, kernel="perf"):
    """The perf boot (munmap, throughput, density): markdown lines, BENCH lines, targets.
    Files of another kernel than perf carry its name as a prefix (stock-munmap.csv ...)."""
    pre = "" if kernel == "perf" else kernel + "-"
    recs = parse(log)
    info = recs["info"][0] if recs["info"] else {}
    md = []
    md.append(f"### zsx bench: {info.get('arch', '?')}, kernel {info.get('kernel', '?')}, "
              f"{info.get('cpus', '?')} vCPUs, {info.get('mem_mib', '?')} MiB, mode {info.get('mode', '?')}")
    md.append("QEMU TCG (no KVM) on a 2-core host: absolute times are emulated; compare rows, not machines.\n")

    # ---- workload 1: munmap ---------------------------------------------------
    mm = recs["munmap"]
    write_csv(os.path.join(out, pre + "munmap.csv"), mm)
    if not mm:
        print("bench-report: no munmap measurements in", log, file=sys.stderr)
        return None
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
            B.add(kernel, c, f"munmap_ms_P{p}", m)
            if c != "floor":
                B.add(kernel, c, f"overhead_ms_P{p}", ov)
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
            B.add(kernel, "deferred", f"drain_cpu_ms_P{p}", drain)
            B.add(kernel, "deferred", f"replaced_sync_ms_P{p}", uo)
            B.add(kernel, "deferred", f"sync_fallbacks_P{p}", fb, 0)
        holds = [int(r["hold_ns"]) for r in dfr if "hold_ns" in r]
        if holds:
            B.add(kernel, "deferred", "max_lock_hold_ns", max(holds), 0)
            B.add(kernel, "deferred", "sync_fallbacks", sum(int(r["fallbacks"]) for r in dfr), 0)
            md.append(f"Longest class-lock hold of a drainer over all runs: {max(holds)} ns.\n")
            # holds/holds_over_1ms: counters of the whole pool's life (a fresh pool per configuration and round)
            last = {}
            for r in dfr:
                if "holds" in r:
                    last[r["round"]] = r
            if last:
                nh = sum(int(r["holds"]) for r in last.values())
                no = sum(int(r["holds_over_1ms"]) for r in last.values())
                pd = sum(int(r.get("producer_drained", 0)) for r in last.values())
                B.add(kernel, "deferred", "holds", nh, 0)
                B.add(kernel, "deferred", "holds_over_1ms", no, 0)
                B.add(kernel, "deferred", "producer_drained", pd, 0)
                md.append(f"Class-lock holds of drainers and producer drains, all rounds: {nh}, of which longer than "
                          f"1 ms: {no} ({fmt(100 * no / nh if nh else 0, 2)}%); handles freed by producers that "
                          f"found their ring full: {pd}.\n")
        md.append("")
    # ---- munmap while the pool is compacted ----
    mc = recs["munmapc"]
    if mc:
        write_csv(os.path.join(out, pre + "munmap-compact.csv"), mc)
        ccfgs = [c for c in MUNMAP_ORDER if any(r["config"] == c for r in mc)]
        cprocs = sorted({int(r["procs"]) for r in mc})

        def ctimes(c, p):
            return [int(r["us"]) / 1000 for r in mc if r["config"] == c and int(r["procs"]) == p]
        cmed = {(c, p): med(ctimes(c, p)) for c in ccfgs for p in cprocs}
        md.append(f"#### munmap while the pool is compacted: a loop writes the device's compact attribute "
                  f"(zsx_compact / zs_compact) and vm.compact_memory throughout (ms per process, median)\n")
        md.append("| configuration |" + "".join(f" P={p} munmap | P={p} overhead | P={p} overhead vs zsmalloc "
                                               f"| P={p} compactions |" for p in cprocs))
        md.append("|---|" + "---:|---:|---:|---:|" * len(cprocs))
        for c in ccfgs:
            row = f"| {MUNMAP_LABEL[c]} |"
            for p in cprocs:
                m, f = cmed[(c, p)], cmed.get(("floor", p))
                o = None if m is None or f is None or c == "floor" else m - f
                zo = None if cmed.get(("zsmalloc", p)) is None or f is None else cmed[("zsmalloc", p)] - f
                comp = med([int(r["compactions"]) for r in mc if r["config"] == c and int(r["procs"]) == p])
                row += f" {fmt(m)} | {fmt(o) if o is not None else '-'} | " \
                       f"{fmt(ratio(o, zo), 2) + 'x' if o is not None and zo else '-'} | {fmt(comp, 0)} |"
                B.add(kernel, c, f"compact_munmap_ms_P{p}", m)
                if o is not None:
                    B.add(kernel, c, f"compact_overhead_ms_P{p}", o)
            md.append(row)
        md.append("")
    ratios = recs["ratio"]
    if ratios:
        md.append("Compression ratio seen (orig/compressed, median): " + ", ".join(
            f"{c} {fmt(med([float(r['ratio']) for r in ratios if r['config'] == c]), 2)}"
            for c in cfgs if any(r["config"] == c for r in ratios)) + "\n")

    # ---- workloads 2/3: throughput, latency, density ----------------------------
    tp = recs["tput"]
    write_csv(os.path.join(out, pre + "tput.csv"), tp)
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
                B.add(kernel, c, f"malloc_kops_T{t}", mk, 0)
                B.add(kernel, c, f"free_kops_T{t}", fk, 0)
                B.add(kernel, c, f"free_p50_ns_T{t}", tmed(c, t, "free_p50_ns"), 0)
                B.add(kernel, c, f"free_p99_ns_T{t}", tmed(c, t, "free_p99_ns"), 0)
                if c == "deferred":
                    B.add(kernel, c, f"drain_ms_T{t}", tmed(c, t, "drain_us") / 1000)
        md.append("")
        t1 = threads[0]
        md.append(f"#### Density: pages holding the same objects (T={t1} run's set, "
                  f"{fmt(tmed('zsmalloc', t1, 'stored_kib') / 1024)} MiB of objects)\n")
        md.append("| configuration | pages | vs kernel zsmalloc |")
        md.append("|---|---:|---:|")
        for c in tcfgs:
            pg = tmed(c, t1, "pages")
            md.append(f"| {TPUT_LABEL[c]} | {fmt(pg, 0)} | {fmt(ratio(pg, tmed('zsmalloc', t1, 'pages')), 3)} |")
            B.add(kernel, c, "pages", pg, 0)
        md.append("")
        plot(out, pre + "tput", "zs_free throughput vs threads (zsx_bench.ko)", "threads", "free kops/s",
             {TPUT_LABEL[c]: [(t, tmed(c, t, "free_kops")) for t in threads] for c in tcfgs})
    ref_md = B.check("perf", kernel, lambda c, rc, m: committed_ratio(B, kernel, tp[0]["objects"], c, rc, m))
    if ref_md:
        md.append("#### Reference targets (not counted)\n")
        md.extend(ref_md)
        md.append("")
    plot(out, pre + "munmap", "munmap of swapped-out memory vs processes", "processes", "munmap ms (median)",
         {MUNMAP_LABEL[c]: [(p, medians[(c, p)]) for p in procs] for c in cfgs})
    return md


def committed_ratio(B, kernel, objects, cfg, ref_cfg, metric):
    """(cfg's metric / ref_cfg's, source) at the first thread count of the newest committed zsx_bench
    results of this arch and kernel (qemu/bench-results/<arch>-<kernel>-tput-<date>.csv) that ran
    the same object count; else (1.0, why): the reference's own."""
    csv_name = {v: k for k, v in BENCH_NAME.items()}
    label = B.label(kernel)
    for path in sorted(glob.glob(os.path.join(RESULTS, f"{B.arch}-{label}-tput-[0-9]*.csv")), reverse=True):
        try:
            with open(path) as f:
                rows = [r for r in csv.DictReader(f) if r["objects"] == objects]
            if not rows:
                continue
            t1 = min(int(r["threads"]) for r in rows)
            u = med([float(r[metric]) for r in rows if r["config"] == csv_name[cfg] and int(r["threads"]) == t1])
            z = med([float(r[metric]) for r in rows if r["config"] == csv_name[ref_cfg] and int(r["threads"]) == t1])
            if u and z:
                return u / z, os.path.relpath(path, ROOT)
        except (OSError, ValueError, KeyError):
            pass
    return 1.0, f"no committed {B.arch} {label} results for {objects} objects: the kernel zsmalloc's"


def icount_section(log, out, B):
    """The icount boot: exact instructions per operation (median of the rounds, spread)."""
    recs = parse(log)
    info = recs["info"][0] if recs["info"] else {}
    ins = recs["insns"]
    md = []
    md.append(f"### Exact instruction counts: {info.get('arch', '?')}, kernel {info.get('kernel', '?')}, "
              f"QEMU -icount shift=0, {info.get('cpus', '?')} vCPU, {info.get('objects', '?')} objects per phase, "
              f"{info.get('rounds', '?')} rounds")
    mix = recs["mix"][0] if recs["mix"] else {}
    md.append("Retired instructions (arm64 PMU INST_RETIRED, which QEMU backs with its exact icount), summed over "
              "every CPU (system-wide: RCU callbacks, the drain worker and timer ticks inside a phase count), "
              "per operation, one thread, the same lzo-rle object-size mix for every configuration "
              f"({mix.get('sizes', '?')} sizes, mean {mix.get('mean_bytes', '?')} bytes: qemu/guest/icount.mix), "
              "every slab cache shrunk before each run. "
              "Subtracted: the same loop with the allocator call skipped (the harness's 4-11 instructions per "
              "iteration; the call itself stays in), rcu_barrier() with nothing pending (synchronous frees), a "
              "flush with nothing parked (drain). A synchronous free's window ends with rcu_barrier(), so the "
              "RCU callbacks its frees queued are in its count. Each configuration runs once as a warm-up "
              "first (not reported); median of the measured rounds, [min-max], spread = (max-min)/median.\n")
    for c in recs["calib"]:
        md.append(f"Counter check: a loop of {c.get('expected')} instructions counted as {c.get('counted')} "
                  f"(window's fixed cost {c.get('window_fixed')}).")
    md.append("")
    write_csv(os.path.join(out, "icount.csv"), ins)
    if not ins:
        print("bench-report: no instruction counts in", log, file=sys.stderr)
        return None

    def per_op(r):
        n = int(r["objects"])
        d = {"insns_per_malloc": (int(r["malloc"]) - int(r["malloc_base"])) / n}
        if "free" in r:
            d["insns_per_free"] = (int(r["free"]) - int(r["free_base"])) / n
        if "enqueue" in r:
            d["insns_per_enqueue"] = (int(r["enqueue"]) - int(r["enqueue_base"])) / n
            d["insns_per_drained"] = (int(r["drain"]) - int(r["drain_base"])) / max(int(r["drained"]), 1)
            d["insns_per_free_total"] = d["insns_per_enqueue"] + d["insns_per_drained"]
        return d
    metrics = ["insns_per_malloc", "insns_per_free", "insns_per_enqueue", "insns_per_drained", "insns_per_free_total"]
    vals = collections.defaultdict(list)
    for r in ins:
        for k, v in per_op(r).items():
            vals[(r["config"], k)].append(v)
    cfgs = [c for c in ICOUNT_ORDER if any(r["config"] == c for r in ins)]
    res = {}
    md.append("| configuration | " + " | ".join(m.replace("insns_per_", "per ").replace("_", " ") for m in metrics)
              + " | vs zsmalloc (malloc / free) |")
    md.append("|---|" + "---:|" * (len(metrics) + 1))
    for c in cfgs:
        row = f"| {BENCH_NAME[c]} |"
        for m in metrics:
            xs = vals.get((c, m))
            if not xs:
                row += " - |"
                continue
            mm = med(xs)
            spread = 100 * (max(xs) - min(xs)) / mm if mm else 0
            res[(c, m)] = mm
            row += f" {mm:.1f} [{min(xs):.1f}-{max(xs):.1f}] {spread:.2f}% |"
            B.add("icount", c, m, mm, line=m != "insns_per_free_total")
            if m != "insns_per_free_total":
                B.add("icount", c, m + "_spread_pct", spread, 2)
        zm, zf = res.get(("zsmalloc", "insns_per_malloc")), res.get(("zsmalloc", "insns_per_free"))
        f = res.get((c, "insns_per_free"), res.get((c, "insns_per_free_total")))
        row += f" {fmt(ratio(res.get((c, 'insns_per_malloc')), zm), 2)} / {fmt(ratio(f, zf), 2)} |"
        md.append(row)
    md.append("")
    md.append("per free total (deferred) = per enqueue + per drained handle: all the work one deferred free "
              "causes, wherever it runs.\n")
    md += slot_section(recs, B)
    B.check("icount", "icount")
    return md


def slot_section(recs, B):
    """The icount boot's munmap workload: instructions per swap slot freed, system-wide and in the task."""
    rows = recs["slot"]
    if not rows:
        return []
    md = ["#### Per swap slot freed: munmap of 64 MiB swapped out, one process, system-wide",
          "One process munmaps 64 MiB it had pushed to swap. A system-wide window (every instruction on the "
          "CPU: the task, softirqs, the deferred drainers, RCU callbacks; what `perf stat -a` counts) opens "
          "just before the munmap and closes one idle second after the process exited, once every RCU "
          "callback ran. Per slot = window / swap slots freed in it (SwapFree before and after); over the "
          "floor = per slot - the brd floor's per slot in the same round (the swap core's own work, which "
          "every configuration does). task = the munmapping process's own count (per-task counter around "
          "munmap()). Median of the rounds after a warm-up round, [min-max].\n"]
    by_round = collections.defaultdict(dict)
    for r in rows:
        slots = max(int(r["slots"]), 1)
        by_round[r["round"]][r["config"]] = (int(r["insns"]) / slots, int(r["task_insns"]) / slots)
    vals = collections.defaultdict(list)
    for rnd in by_round.values():
        fl = rnd.get("floor")
        for c, (w, t) in rnd.items():
            vals[(c, "sys")].append(w)
            vals[(c, "task")].append(t)
            if fl:
                vals[(c, "sys_over_floor")].append(w - fl[0])
                vals[(c, "task_over_floor")].append(t - fl[1])
    res = {k: med(v) for k, v in vals.items()}

    def cell(c, m):
        xs = vals.get((c, m))
        return "-" if not xs else f"{med(xs):.1f} [{min(xs):.1f}-{max(xs):.1f}]"
    md.append("| configuration | system-wide per slot | over the floor | task per slot | task over the floor "
              "| over floor vs zram | over floor vs zsxram + zsmalloc |")
    md.append("|---|---:|---:|---:|---:|---:|---:|")
    for c in MUNMAP_ORDER:
        if (c, "sys") not in res:
            continue
        o = res.get((c, "sys_over_floor"))
        md.append(f"| {MUNMAP_LABEL[c]} | {cell(c, 'sys')} | {cell(c, 'sys_over_floor')} | {cell(c, 'task')} | "
                  f"{cell(c, 'task_over_floor')} | {fmt(ratio(o, res.get(('zram', 'sys_over_floor'))), 2)} | "
                  f"{fmt(ratio(o, res.get(('zsmalloc', 'sys_over_floor'))), 2)} |")
        for m, metric in (("sys", "slot_insns"), ("sys_over_floor", "slot_insns_over_floor"),
                          ("task", "slot_task_insns"), ("task_over_floor", "slot_task_insns_over_floor")):
            B.add("icount", c, metric, res.get((c, m)))
    md.append("")
    dt = res.get(("deferred", "task_over_floor"))
    ut = res.get(("unlocked", "task_over_floor"))
    if dt is not None and ut is not None:
        md.append(f"The munmapping task with deferral: {dt:.1f} instructions per slot over the floor against "
                  f"{ut:.1f} synchronous ({fmt(ratio(dt, ut), 2)}x).\n")
    return md


WORKLOAD_ORDER = ["zswap-zsx", "zswap-zsx-sync", "zswap-zsmalloc", "zswap-zbud", "zsxram", "zsxram-sync", "zram",
                  "zswap-zsx+race", "zswap-zsx-sync+race", "zsxram+race", "zsxram-sync+race"]
WORKLOAD_LABEL = {
    "zswap-zsx": "zswap on zsx, deferred freeing (+ swap disk)",
    "zswap-zsx-sync": "zswap on zsx, synchronous freeing (+ swap disk)",
    "zswap-zsmalloc": "zswap on the kernel's zsmalloc (+ swap disk)",
    "zswap-zbud": "zswap on zbud, Debian 12's default (+ swap disk)",
    "zsxram": "zsxram swap on zsx, deferred freeing",
    "zsxram-sync": "zsxram swap on zsx, synchronous freeing",
    "zram": "the kernel's zram (zsmalloc)",
}
for _c in ("zswap-zsx", "zswap-zsx-sync", "zsxram", "zsxram-sync"):
    WORKLOAD_LABEL[_c + "+race"] = WORKLOAD_LABEL[_c] + ", exiting processes beside it"
# BENCH names: workload:<set-up>; metrics wl_* (docs/benchmarks.md lists them)
WORKLOAD_BENCH = {"zswap-zsx": "workload:zswap:zsx", "zswap-zsx-sync": "workload:zswap:zsx:sync",
                  "zswap-zsmalloc": "workload:zswap:zsmalloc", "zswap-zbud": "workload:zswap:zbud",
                  "zsxram": "workload:zsxram:zsx", "zsxram-sync": "workload:zsxram:zsx:sync", "zram": "workload:zram"}
for _c in ("zswap-zsx", "zswap-zsx-sync", "zsxram", "zsxram-sync"):
    WORKLOAD_BENCH[_c + "+race"] = WORKLOAD_BENCH[_c] + ":race"


def workload_section(log, out, B, kernel="stock"):
    """ZSX-WORKLOAD lines of the realistic-workload boot -> a table, CSV and BENCH lines."""
    runs, info = [], {}
    with open(log, errors="replace") as f:
        for line in f:
            m = re.match(r"^ZSX-WORKLOAD (info )?(.*)$", line.strip())
            if not m:
                continue
            kv = dict(p.split("=", 1) for p in m.group(2).split() if "=" in p)
            if m.group(1):
                info = kv
            elif kv.get("ok") == "1":
                runs.append(kv)
    if not runs:
        return None
    write_csv(os.path.join(out, "workload.csv" if kernel == "stock" else f"workload-{kernel}.csv"), runs)
    metrics = [("wall_ms", "wall s", 1000.0, 1), ("sys_ms", "system s", 1000.0, 2),
               ("user_ms", "user s", 1000.0, 1), ("swapout_dev_pages", "pages to disk", 1, 0),
               ("stored_peak_pages", "pages in pool at peak", 1, 0), ("pool_peak_kib", "pool peak MiB", 1024.0, 1),
               ("ratio_x100", "compression ratio", 100.0, 2), ("drained", "handles drained", 1, 0),
               ("drain_us", "drainers' ms", 1000.0, 1)]
    whose = "Debian's kernel" if kernel == "stock" else "the perf kernel"
    md = [f"### Realistic workload on {whose} {info.get('kernel', '?')}: xz -4 of {info.get('input_kib', '?')} KiB "
          f"in a {info.get('limit', '?')} memory cgroup (median of {info.get('rounds', '?')} rounds, "
          f"{info.get('cpus', '?')} vCPUs, {info.get('mem_mib', '?')} MiB)", "",
          "| set-up | " + " | ".join(h for _, h, _, _ in metrics) + " | wall vs zswap on zsmalloc |",
          "|---|" + "---:|" * (len(metrics) + 1)]
    base_cfg = "zswap-zsmalloc" if any(r["config"] == "zswap-zsmalloc" for r in runs) else "zram"
    md[2] = md[2].replace("wall vs zswap on zsmalloc", "wall vs " + ("zswap on zsmalloc" if base_cfg != "zram" else "zram"))
    base = med([float(r["wall_ms"]) for r in runs if r["config"] == base_cfg])
    for cfg in WORKLOAD_ORDER:
        rs = [r for r in runs if r["config"] == cfg]
        if not rs:
            continue
        cells = []
        for key, _, div, nd in metrics:
            v = med([float(r[key]) for r in rs if key in r])
            cells.append(fmt(None if v is None else v / div, nd))
            if v is not None:
                B.add(kernel, WORKLOAD_BENCH[cfg], "wl_" + key.replace("_x100", ""), v / (100.0 if key == "ratio_x100" else 1),
                      2 if key == "ratio_x100" else 0)
        w = med([float(r["wall_ms"]) for r in rs])
        md.append(f"| {WORKLOAD_LABEL[cfg]} | " + " | ".join(cells) + f" | {fmt(ratio(w, base), 2)} |")
    md += ["", "pages to disk: pswpout during the run (zswap: pages it did not keep; zram: every swap-out);"
           " pages in pool / pool peak: the compressed pool's largest size seen (sampled every 0.2 s) and what it"
           " held then; ratio: those stored bytes over the pool's bytes; handles drained, drainers' ms: what zsx's"
           " deferred-freeing drainers freed during the run and the time they took. +race: processes that fill"
           " 8 MiB in the same group, push it to swap and exit, one after another, for the whole run.", ""]
    for d, s in (("zswap-zsx", "zswap-zsx-sync"), ("zsxram", "zsxram-sync"),
                 ("zswap-zsx+race", "zswap-zsx-sync+race"), ("zsxram+race", "zsxram-sync+race")):
        wd = med([float(r["wall_ms"]) for r in runs if r["config"] == d])
        ws = med([float(r["wall_ms"]) for r in runs if r["config"] == s])
        sd = med([float(r["sys_ms"]) for r in runs if r["config"] == d])
        ss = med([float(r["sys_ms"]) for r in runs if r["config"] == s])
        if wd is not None and ws is not None:
            md.append(f"- {WORKLOAD_LABEL[d]}: wall {wd / 1000:.1f} s vs {ws / 1000:.1f} s synchronous "
                      f"({fmt(ratio(wd, ws), 2)}x), system {fmt(None if sd is None else sd / 1000, 2)} s vs "
                      f"{fmt(None if ss is None else ss / 1000, 2)} s")
    md.append("")
    return md


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pos", nargs="*")
    ap.add_argument("--arch")
    ap.add_argument("--perf")
    ap.add_argument("--icount")
    ap.add_argument("--stock", help="console of the same workloads on Debian's own kernel")
    ap.add_argument("--fastpath")
    ap.add_argument("--workload", help="console of the realistic-workload boot (Debian's kernel)")
    ap.add_argument("--workload-perf", help="console of the realistic-workload boot on the perf kernel")
    ap.add_argument("--line", default="6.1", help="kernel line of the perf and icount boots")
    ap.add_argument("--stock-line", default="6.1", help="kernel line of Debian's kernel")
    ap.add_argument("--targets", default=TARGETS, help="the targets' data file")
    a = ap.parse_args()
    if len(a.pos) == 2:
        a.perf, out = a.pos
    elif len(a.pos) == 1:
        out = a.pos[0]
    else:
        ap.error("OUTDIR required")
    os.makedirs(out, exist_ok=True)
    arch = a.arch
    if not arch:
        info = parse(a.perf or a.icount)["info"]
        arch = {"aarch64": "arm64"}.get(info[0].get("arch"), info[0].get("arch")) if info else "?"
    B = Bench(arch, {"perf": a.line, "icount": a.line, "stock": a.stock_line}, load_targets(a.targets))
    md, rc = [], 0
    if a.perf:
        part = perf_section(a.perf, out, B)
        rc |= part is None
        md += part or [f"### perf boot: no measurements in {a.perf}", ""]
    if a.stock:
        part = perf_section(a.stock, out, B, kernel="stock")
        rc |= part is None
        md += part or [f"### stock boot: no measurements in {a.stock}", ""]
    if a.workload:
        part = workload_section(a.workload, out, B)
        rc |= part is None
        md += part or [f"### realistic workload: no runs in {a.workload}", ""]
    if a.workload_perf:
        part = workload_section(a.workload_perf, out, B, kernel="perf")
        rc |= part is None
        md += part or [f"### realistic workload: no runs in {a.workload_perf}", ""]
    if a.icount:
        part = icount_section(a.icount, out, B)
        rc |= part is None
        md += part or [f"### icount boot: no instruction counts in {a.icount}", ""]
    if a.fastpath and os.path.exists(a.fastpath):
        with open(a.fastpath) as f:
            md += [f.read()]
    met = sum(1 for _, m in B.targets if m)
    md.append("#### Targets measured by this run\n")
    md += [f"- {t}: {'met' if m else 'missed'}" for t, m in B.targets] or ["- none measured"]
    md.append(f"\n{met} met, {len(B.targets) - met} missed.\n")
    with open(os.path.join(out, "bench.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(out, "bench.txt"), "w") as f:
        f.write("\n".join(B.lines + [f"BENCH-TARGETS met={met} missed={len(B.targets) - met}"]) + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
