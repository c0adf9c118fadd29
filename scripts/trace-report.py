#!/usr/bin/env python3
"""Per-path zs_free latency and free-path accounting from the `make trace` recordings.

    trace-report.py DIR

DIR holds, per run, <run>.lat.txt (probe entry/return pairs on zsx_free,
zsx_free_deferred and zs_free, plus zsx:zsx_deferred_drain), <run>.paths.txt
(every zsx:* tracepoint, no probes), <run>.deferred (debugfs totals) and
<run>.profile (perf report of cpu-clock samples), all from `perf script --ns
-F cpu,time,event,trace` in the guest. Writes DIR/summary.md and prints it;
exits 1 if a run holds no paired call or the deferred accounting does not add up.
"""
import glob
import os
import re
import sys

LINE = re.compile(r"^\s*\[(\d+)\]\s+(\d+)\.(\d+):\s+(\S+):\s*(.*)$")
ENTRY = {"probe:zsx_free": "zsx_free", "probe:zsx_free_deferred": "zsx_free_deferred", "probe:zs_free": "zs_free"}
RETURN = {k + "__return": v for k, v in ENTRY.items()}
RUN_ORDER = ["zsx-base", "zsx-classidx", "zsx-unlocked", "zsx-deferred", "kernel-zsmalloc"]


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def parse(path):
    """-> (latency ns by function, path counts, drains [(handles, ns)], zspages {under_lock: n})"""
    open_calls = {}   # cpu -> [func, t0]
    lat = {}
    events = {}
    drains = []
    zspages = {}
    if not os.path.exists(path):
        return lat, events, drains, zspages
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            cpu, t = int(m.group(1)), int(m.group(2)) * 10**9 + int(m.group(3).ljust(9, "0")[:9])
            ev, rest = m.group(4), m.group(5)
            if ev in ENTRY:
                open_calls[cpu] = [ENTRY[ev], t]
            elif ev in RETURN:
                c = open_calls.pop(cpu, None)
                if c and c[0] == RETURN[ev]:
                    lat.setdefault(c[0], []).append(t - c[1])
            elif ev == "zsx:zsx_free":
                pm = re.search(r"path=(\S+)", rest)
                if pm:
                    events[pm.group(1)] = events.get(pm.group(1), 0) + 1
            elif ev == "zsx:zsx_deferred_drain":
                hm, dm = re.search(r"handles=(\d+)", rest), re.search(r"duration_ns=(\d+)", rest)
                if hm and dm:
                    drains.append((int(hm.group(1)), int(dm.group(1))))
            elif ev == "zsx:zsx_zspage_free":
                um = re.search(r"under_lock=(\w+)", rest)
                if um:
                    zspages[um.group(1)] = zspages.get(um.group(1), 0) + 1
    return lat, events, drains, zspages


RUN_PATH = {"zsx-base": "base", "zsx-classidx": "classidx", "zsx-unlocked": "classidx_unlocked",
            "zsx-deferred": "deferred-enqueue (+ fallbacks)", "kernel-zsmalloc": "kernel zsmalloc"}


def fmt_ns(x):
    return "-" if x is None else f"{x / 1000:.2f}"


def debugfs_totals(path):
    tot = {}
    if os.path.exists(path):
        for line in open(path):
            w = line.split()
            if len(w) == 4 and w[3].isdigit():
                tot[w[2]] = int(w[3])
    return tot


def main():
    d = sys.argv[1]
    runs = [os.path.basename(p)[:-len(".lat.txt")] for p in glob.glob(os.path.join(d, "*.lat.txt"))]
    runs = [r for r in RUN_ORDER if r in runs] + sorted(r for r in runs if r not in RUN_ORDER)
    ok = bool(runs)
    md = ["| run | function | path | calls | p50 us | p99 us | max us | total ms |",
          "|---|---|---|---:|---:|---:|---:|---:|"]
    paths_md = ["| run | zsx_free events by path | zspages freed under / after class->lock | drains | handles drained |",
                "|---|---|---|---:|---:|"]
    notes = []
    for r in runs:
        lat, _, ldrains, _ = parse(os.path.join(d, r + ".lat.txt"))
        _, events, drains, zspages = parse(os.path.join(d, r + ".paths.txt"))
        if not lat:
            ok = False
            notes.append(f"- {r}: no paired probe entry/return: FAIL")
        for func in sorted(lat):
            xs = lat[func]
            md.append(f"| {r} | {func} | {RUN_PATH.get(r, '?')} | {len(xs)} | {fmt_ns(pct(xs, 50))} | "
                      f"{fmt_ns(pct(xs, 99))} | {fmt_ns(max(xs))} | {sum(xs) / 1e6:.1f} |")
        if ldrains:
            durs = [ns for _, ns in ldrains]
            handles = sum(h for h, _ in ldrains)
            md.append(f"| {r} | drain worker (per drain; {sum(durs) / max(handles, 1):.0f} ns per handle) | "
                      f"deferred-drain | {len(ldrains)} drains, {handles} handles | {fmt_ns(pct(durs, 50))} | "
                      f"{fmt_ns(pct(durs, 99))} | {fmt_ns(max(durs))} | {sum(durs) / 1e6:.1f} |")
        if r.startswith("zsx"):
            paths_md.append(f"| {r} | {', '.join(f'{k} {v}' for k, v in sorted(events.items())) or 'none'} | "
                            f"{zspages.get('yes', 0)} / {zspages.get('no', 0)} | {len(drains)} | "
                            f"{sum(h for h, _ in drains)} |")
        enq = events.get("deferred-enqueue", 0)
        if enq:
            drained, fb = events.get("deferred-drain", 0), events.get("fallback", 0)
            # a handle parked just before the recording window drains inside it (or the
            # other way round): the window's edges may differ by a handful
            slack = max(2, enq // 1000)
            good = abs(enq - drained - fb) <= slack and abs(sum(h for h, _ in drains) - drained) <= slack
            ok &= good
            notes.append(f"- {r}, trace window: {enq} deferred-enqueue events = {drained} deferred-drain + {fb} "
                         f"fallback events (drain events carry {sum(h for h, _ in drains)} handles): "
                         f"{'ok (window edges may differ by a handful)' if good else 'MISMATCH'}")
            tot = debugfs_totals(os.path.join(d, r + ".deferred"))
            if tot:
                exact = tot.get("pending") == 0 and tot.get("drained") == tot.get("enqueued", -1) + tot.get("spilled", 0)
                ok &= exact
                notes.append(f"- {r}, whole device life (debugfs): zsx_free_deferred calls = {tot.get('enqueued')} parked "
                             f"+ {tot.get('sync_fallbacks')} synchronous fallbacks; drained {tot.get('drained')}, pending "
                             f"{tot.get('pending')}: {'exact' if exact else 'MISMATCH'}")
    out = "\n".join(["Per-call latency (perf probe entry/return pairs on the munmap phase, tracepoints off; "
                     "TCG: includes the probes' int3 cost, compare rows):", ""] + md + ["",
                     "Free paths taken (zsx:* tracepoints, a second run of the same workload):", ""] + paths_md
                    + [""] + notes) + "\n"
    for r in runs:
        prof = os.path.join(d, r + ".profile")
        if os.path.exists(prof) and os.path.getsize(prof):
            out += f"\nWhere {r}'s munmap time goes (perf cpu-clock samples of the workload, top symbols):\n\n```\n"
            out += open(prof).read() + "```\n"
    with open(os.path.join(d, "summary.md"), "w") as f:
        f.write(out)
    print(out)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
