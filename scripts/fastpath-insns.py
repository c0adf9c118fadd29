#!/usr/bin/env python3
"""Static instruction census of zsx's fast paths, from `objdump -d -r` of a built zsx.ko.

    fastpath-insns.py ARCH ZSX_KO [OUT.md]

For each entry point (zsx_malloc, zsx_free, zsx_free_deferred, zsx_map_object,
zsx_unmap_object) it follows the direct calls and tail calls into functions
defined in the module (the C shim and the C++ core; mangled names are
demangled with c++filt) and lists, for every function reached, its static
counts of: instructions, calls (direct + indirect), tail calls out, atomic
read-modify-writes, ordering instructions and integer divisions. Static
counts: every instruction of the function, the slow paths included; the
executed counts are the icount table's. A regression shows as a new call,
atomic or division on a row.

  atomics   x86_64: lock-prefixed instructions, xchg (implicitly locked)
            arm64: store-exclusives (stxr/stlxr/stxp/stlxp: one per LL/SC loop)
                   and LSE atomics (cas*, swp*, ld<op>*, st<op>*)
  ordering  x86_64: mfence/lfence/sfence; arm64: dmb, dsb, ldar*/ldapr*, stlr*
  divisions x86_64: div, idiv; arm64: udiv, sdiv
On arm64 the kernel's own atomic_*() helpers are compiled both ways (LSE and
LL/SC behind a static branch patched at boot): both appear, one runs.

Also prints one line per entry point, "FASTPATH <arch> <function> calls=N
atomics=N divisions=N functions=N" (sums over the reachable set).
"""
import collections
import re
import shutil
import subprocess
import sys

ENTRIES = ["zsx_malloc", "zsx_free", "zsx_free_deferred", "zsx_map_object", "zsx_unmap_object"]

ARM64_ATOMIC = re.compile(
    r"^(stx[rp][bh]?|stlx[rp][bh]?|cas(a|l|al)?[bhp]?|casp(a|l|al)?|swp(a|l|al)?[bh]?|"
    r"ld(add|clr|eor|set|smax|smin|umax|umin)(a|l|al)?[bh]?|"
    r"st(add|clr|eor|set|smax|smin|umax|umin)(l)?[bh]?)$")
ARM64_ORDER = re.compile(r"^(dmb|dsb|ldar[bh]?|ldapr[bh]?|stlr[bh]?|ldaxr[bh]?|ldaxp)$")
X86_ORDER = re.compile(r"^(mfence|lfence|sfence)$")


def objdump_cmd(arch):
    if arch == "arm64":
        for c in ("aarch64-linux-gnu-objdump", "objdump"):
            if shutil.which(c):
                return c
    return "objdump"


def parse(arch, ko):
    """-> {func: {...}}, addr index per section."""
    out = subprocess.run([objdump_cmd(arch), "-d", "-r", "-w", "--no-show-raw-insn", ko],
                         capture_output=True, text=True, check=True).stdout
    funcs = collections.OrderedDict()
    section = None
    cur = None
    hdr = re.compile(r"^([0-9a-f]+) <([^>]+)>:$")
    ins = re.compile(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$")
    rel = re.compile(r"^\s+([0-9a-f]+):\s+(R_\S+)\s+(\S+)$")
    for line in out.splitlines():
        if line.startswith("Disassembly of section "):
            section = line[len("Disassembly of section "):].rstrip(":")
            cur = None
            continue
        m = hdr.match(line)
        if m:
            cur = {"name": m.group(2), "section": section, "start": int(m.group(1), 16), "insns": []}
            funcs[m.group(2)] = cur
            continue
        if cur is None:
            continue
        m = rel.match(line)
        if m and cur["insns"]:
            cur["insns"][-1]["reloc"] = (m.group(2), m.group(3))
            continue
        m = ins.match(line)
        if m:
            mnem, ops = m.group(2), m.group(3)
            # objdump -w prints an instruction's relocation on its own line (arm64) or
            # after it on the same line (x86_64: "jmp 11f8 <f+0x8>\t11f4: R_X86_64_PLT32\tg-0x4")
            inl = re.search(r"\s+[0-9a-f]+:\s+(R_\S+)\s+(\S+)$", ops)
            reloc = None
            if inl:
                reloc, ops = (inl.group(1), inl.group(2)), ops[:inl.start()]
            if mnem in ("lock", "rep", "repz", "repnz", "notrack", "bnd") and ops:
                # x86 prefix: objdump prints "lock cmpxchg ..." as mnemonic "lock"
                p = ops.split(None, 1)
                mnem, ops = f"{m.group(2)} {p[0]}", (p[1] if len(p) > 1 else "")
            cur["insns"].append({"addr": int(m.group(1), 16), "mnem": mnem, "ops": ops, "reloc": reloc})
    # function extents per section, to resolve section-relative relocations
    by_sec = collections.defaultdict(list)
    for f in funcs.values():
        end = f["insns"][-1]["addr"] + 1 if f["insns"] else f["start"]
        by_sec[f["section"]].append((f["start"], end, f["name"]))
    return funcs, by_sec


def resolve(arch, sym, by_sec, funcs):
    """relocation symbol text (name, name-0x4, .text+0x40) -> function name or external name."""
    m = re.match(r"^([^+-]+)([+-]0x[0-9a-f]+)?$", sym)
    if not m:
        return sym
    name, add = m.group(1), int(m.group(2), 16) if m.group(2) else 0
    if arch == "x86_64":
        add += 4  # PC-relative: the addend carries -4 for the displacement's end
    if name in by_sec or name.startswith("."):
        for start, end, fn in by_sec.get(name, []):
            if start <= add < end:
                return fn
        return f"{name}+{add:#x}"
    return name


def classify(arch, funcs, by_sec):
    defined = set(funcs)
    for f in funcs.values():
        c = collections.Counter()
        callees = []
        for i in f["insns"]:
            mn, ops = i["mnem"], i["ops"]
            target = None
            if i["reloc"]:
                target = resolve(arch, i["reloc"][1], by_sec, funcs)
            else:
                t = re.search(r"<([^>+]+)(\+0x[0-9a-f]+)?>", ops)
                if t and not t.group(2):
                    target = t.group(1)
            c["insns"] += 1
            if arch == "arm64":
                if mn == "bl":
                    c["calls"] += 1
                    callees.append(target or "?")
                elif mn in ("blr", "blraa", "blraaz", "blrab", "blrabz"):
                    c["calls"] += 1
                    c["indirect"] += 1
                    callees.append("(indirect)")
                elif mn == "b" and target and target != f["name"]:
                    c["tailcalls"] += 1
                    callees.append(target)
                elif mn in ("br",) and i["reloc"] is None:
                    pass
                if ARM64_ATOMIC.match(mn):
                    c["atomics"] += 1
                if ARM64_ORDER.match(mn):
                    c["ordering"] += 1
                if mn in ("udiv", "sdiv"):
                    c["divisions"] += 1
            else:
                base = mn.split()[-1]
                if base.startswith("call"):
                    c["calls"] += 1
                    if target and "indirect_thunk" in target or ops.startswith("*"):
                        c["indirect"] += 1
                        callees.append("(indirect)")
                    else:
                        callees.append(target or "?")
                elif base.startswith("jmp") and target and target != f["name"] and \
                        not target.startswith("__x86_return_thunk") and not ops.startswith("*"):
                    c["tailcalls"] += 1
                    callees.append(target)
                if mn.startswith("lock ") or base.startswith("xchg") and "(" in ops:
                    c["atomics"] += 1
                if X86_ORDER.match(base):
                    c["ordering"] += 1
                if re.match(r"^i?div[bwlq]?$", base):
                    c["divisions"] += 1
        f["counts"] = c
        f["callees"] = callees
        f["internal"] = [t for t in dict.fromkeys(callees) if t in defined and t != f["name"]]
        f["external"] = [t for t in dict.fromkeys(callees) if t not in defined]


def demangle(names):
    names = list(names)
    if not names or not shutil.which("c++filt"):
        return {n: n for n in names}
    r = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True, text=True)
    out = r.stdout.splitlines()
    return dict(zip(names, out)) if len(out) == len(names) else {n: n for n in names}


def short(d):
    """zsx::Pool::free(unsigned long, int) -> zsx::Pool::free"""
    return re.sub(r"\(.*\)( const)?$", "", d)


def main():
    arch, ko = sys.argv[1], sys.argv[2]
    outp = sys.argv[3] if len(sys.argv) > 3 else None
    funcs, by_sec = parse(arch, ko)
    classify(arch, funcs, by_sec)
    # breadth-first from each entry point, over calls and tail calls into the module
    reach = collections.OrderedDict()  # func -> (depth, entries)
    per_entry = {}
    for e in ENTRIES:
        if e not in funcs:
            continue
        seen = {e: 0}
        q = collections.deque([e])
        while q:
            f = q.popleft()
            for t in funcs[f]["internal"]:
                if t not in seen:
                    seen[t] = seen[f] + 1
                    q.append(t)
        per_entry[e] = seen
        for f, d in seen.items():
            dep, ents = reach.get(f, (d, []))
            reach[f] = (min(dep, d), ents + [e])
    dm = demangle(reach)
    md = []
    md.append(f"#### Fast-path instruction census: objdump of zsx.ko ({arch})\n")
    md.append("Static counts per function (slow paths included; what runs is in the icount table). "
              "Functions reached from the entry points through direct calls and tail calls inside "
              "the module; `depth` is the shortest call distance from an entry point. atomics: "
              + ("lock-prefixed and xchg" if arch == "x86_64" else
                 "store-exclusives (one per LL/SC loop) and LSE atomics; the kernel's atomic_*() "
                 "helpers appear both ways (LSE and LL/SC behind a boot-patched branch), one runs")
              + "; ordering: " + ("mfence/lfence/sfence" if arch == "x86_64" else "dmb/dsb, load-acquire, store-release")
              + ".\n")
    md.append("| function | section | depth | reached from | insns | calls (indirect) | tail calls | atomics "
              "| ordering | divisions | calls out of the module |")
    md.append("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for f, (d, ents) in sorted(reach.items(), key=lambda kv: (kv[1][0], ENTRIES.index(kv[1][1][0]), kv[0])):
        c = funcs[f]["counts"]
        ext = ", ".join(sorted(set(funcs[f]["external"]) - {"__stack_chk_fail"})) or "-"
        md.append(f"| `{short(dm[f])}` | {funcs[f]['section']} | {d} | {', '.join(ents)} | {c['insns']} | "
                  f"{c['calls']} ({c['indirect']}) | {c['tailcalls']} | {c['atomics']} | {c['ordering']} | "
                  f"{c['divisions']} | {ext} |")
    md.append("")
    md.append("Totals over each entry point's reachable set:\n")
    md.append("| entry point | functions | insns | calls | tail calls | atomics | ordering | divisions |")
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    lines = []
    for e, seen in per_entry.items():
        tot = collections.Counter()
        for f in seen:
            tot.update(funcs[f]["counts"])
        md.append(f"| {e} | {len(seen)} | {tot['insns']} | {tot['calls']} | {tot['tailcalls']} | {tot['atomics']} "
                  f"| {tot['ordering']} | {tot['divisions']} |")
        lines.append(f"FASTPATH {arch} {e} functions={len(seen)} insns={tot['insns']} calls={tot['calls']} "
                     f"tailcalls={tot['tailcalls']} atomics={tot['atomics']} divisions={tot['divisions']}")
    md.append("")
    text = "\n".join(md) + "\n"
    if outp:
        with open(outp, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    print("\n".join(lines), file=sys.stderr if not outp else sys.stdout)
    return 0 if per_entry else 1


if __name__ == "__main__":
    sys.exit(main())
