#!/usr/bin/env python3
"""Per-path zs_free latency from the `make trace` recordings.

    trace-report.py DIR      (DIR holds <run>.txt from `perf script --ns -F cpu,time,event,trace`)

Pairs each probe:zsx_free / zsx_free_deferred / zs_free entry with its return
on the same CPU; the zsx:zsx_free tracepoint seen in between names the path.
The deferred drain is reported per drain (zsx:zsx_deferred_drain: handles and
duration). Writes DIR/summary.md and prints it; exits 1 if a run holds no
paired call or the deferred accounting does not add up.
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
    open_calls = {}   # cpu -> [func, t0, path]
    lat = {}          # path label -> [ns]
    events = {}       # tracepoint path -> count
    drains = []       # (handles, ns)
    zspages = {"yes": 0, "no": 0}
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            cpu, t = int(m.group(1)), int(m.group(2)) * 10**9 + int(m.group(3).ljust(9, "0")[:9])
            ev, rest = m.group(4), m.group(5)
            if ev in ENTRY:
                open_calls[cpu] = [ENTRY[ev], t, None]
            elif ev in RETURN:
                c = open_calls.pop(cpu, None)
                if not c or c[0] != RETURN[ev]:
                    continue
                func, t0, p = c
                if func == "zs_free":
                    label = "kernel zs_free (zsmalloc)"
                elif func == "zsx_free_deferred":
                    label = "zsx_free_deferred: " + (p if p in ("fallback",) else "deferred-enqueue")
                else:
                    label = "zsx_free: " + (p or "?")
                lat.setdefault(label, []).append(t - t0)
            elif ev == "zsx:zsx_free":
                pm = re.search(r"path=(\S+)", rest)
                if pm:
                    events[pm.group(1)] = events.get(pm.group(1), 0) + 1
                    if cpu in open_calls:
                        open_calls[cpu][2] = pm.group(1)
            elif ev == "zsx:zsx_deferred_drain":
                hm, dm = re.search(r"handles=(\d+)", rest), re.search(r"duration_ns=(\d+)", rest)
                if hm and dm:
                    drains.append((int(hm.group(1)), int(dm.group(1))))
            elif ev == "zsx:zsx_zspage_free":
                um = re.search(r"under_lock=(\w+)", rest)
                if um:
                    zspages[um.group(1)] = zspages.get(um.group(1), 0) + 1
    return lat, events, drains, zspages


def fmt_ns(x):
    return "-" if x is None else f"{x / 1000:.2f}"


def main():
    d = sys.argv[1]
    runs = [os.path.basename(p)[:-4] for p in glob.glob(os.path.join(d, "*.txt"))]
    runs = [r for r in RUN_ORDER if r in runs] + sorted(r for r in runs if r not in RUN_ORDER)
    ok = True
    md = ["| run | path | calls | p50 us | p99 us | max us | total ms |", "|---|---|---:|---:|---:|---:|---:|"]
    notes = []
    for r in runs:
        lat, events, drains, zspages = parse(os.path.join(d, r + ".txt"))
        if not lat:
            ok = False
            notes.append(f"- {r}: no paired probe entry/return: FAIL")
        for label in sorted(lat):
            xs = lat[label]
            md.append(f"| {r} | {label} | {len(xs)} | {fmt_ns(pct(xs, 50))} | {fmt_ns(pct(xs, 99))} | "
                      f"{fmt_ns(max(xs))} | {sum(xs) / 1e6:.1f} |")
        if drains:
            durs = [ns for _, ns in drains]
            handles = sum(h for h, _ in drains)
            md.append(f"| {r} | deferred drain worker, per drain ({handles} handles, "
                      f"{sum(durs) / max(handles, 1):.0f} ns/handle) | {len(drains)} | {fmt_ns(pct(durs, 50))} | "
                      f"{fmt_ns(pct(durs, 99))} | {fmt_ns(max(durs))} | {sum(durs) / 1e6:.1f} |")
        tp = ", ".join(f"{k} {v}" for k, v in sorted(events.items()))
        notes.append(f"- {r}: zsx:zsx_free events by path: {tp or 'none'}; zspages freed under class->lock "
                     f"{zspages.get('yes', 0)}, after it {zspages.get('no', 0)}")
        enq = events.get("deferred-enqueue", 0)
        if enq:
            drained, fb = events.get("deferred-drain", 0), events.get("fallback", 0)
            good = enq == drained + fb and sum(h for h, _ in drains) == drained
            ok &= good
            notes.append(f"  - deferred accounting: {enq} enqueues = {drained} drained + {fb} fallbacks; drain events "
                         f"carry {sum(h for h, _ in drains)} handles: {'ok' if good else 'MISMATCH'}")
    out = "\n".join(["Per-call latency of the free paths (perf probe entry/return pairs; TCG, so compare rows):", ""]
                    + md + [""] + notes) + "\n"
    with open(os.path.join(d, "summary.md"), "w") as f:
        f.write(out)
    print(out)
    return 0 if ok and runs else 1


if __name__ == "__main__":
    sys.exit(main())
