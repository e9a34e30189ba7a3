#!/usr/bin/env python3
"""One fuzzing boot: run build/robust/fuzz as PID 1 and judge the result.

  tests/fuzz/fuzz_boot.py [--cmdline WORDS] [--timeout S] [--log FILE] FUZZ-ARGS...

A boot passes when the kernel did not panic or hang, did not complain
(WARNING:/BUG: lines: the boot is not "quiet", so they reach the console),
the fuzzer exited 0 after printing its verdict line (with a valid check
value, since children scribble on the console), and every page came back.  Prints one
line, "PASS ..." or "FAIL <why> ...", and exits 0 or 1.  With --log the whole
console (and the oops) is written to FILE.  FUZZ_ISO overrides the ISO
(tests/fuzz/run.sh boots a snapshot so that a rebuild meanwhile cannot
change the kernel under a long run).
"""
import argparse
import importlib.machinery
import importlib.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import flqemu  # noqa: E402


def load_run_elf():
    path = os.path.join(ROOT, "tools", "run-elf")
    loader = importlib.machinery.SourceFileLoader("run_elf", path)
    spec = importlib.util.spec_from_loader("run_elf", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


M64 = (1 << 64) - 1


def splitmix(x):
    """tests/fuzz/fuzz.c's splitmix(): the check value of the verdict line."""
    x = (x + 0x9e3779b97f4a7c15) & M64
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M64
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M64
    return x ^ (x >> 31)


VERDICT = re.compile(r"fuzz: result seed=(\d+) children=(\d+) syscalls=(\d+) drained=(\d+) watchdog=(\d+) "
                     r"stuck=(\d+) check=([0-9a-f]+)")


def verdict(text):
    """The fuzzer's own verdict line, if one with a valid check value was printed (the last one)."""
    for m in reversed(list(VERDICT.finditer(text))):
        seed, children, calls, drained, watchdog, stuck = (int(g) for g in m.groups()[:6])
        want = splitmix(seed ^ splitmix(children ^ splitmix(calls ^ splitmix((drained + watchdog * 7 + stuck * 131) & M64))))
        if int(m.group(7), 16) == want:
            return dict(children=children, syscalls=calls, drained=drained, watchdog=watchdog, stuck=stuck)
    return None


def _last(pattern, text):
    ms = list(re.finditer(pattern, text))
    return ms[-1] if ms else None


# Kernel complaints that do not stop the machine (WARN_ON, check_mm's "BUG: mm ... freed
# with rss_stat"): printed at KERN_WARNING/KERN_ERR, which "quiet" hides.  Fuzz boots run
# without "quiet" (boot_loud) so that these lines reach the console.
KERNEL_COMPLAINT = re.compile(r"^(WARNING: .* at \S+:\d+|BUG: .*)$", re.M)


def boot_loud(rel, elf, args, cmdline, timeout):
    """run-elf's run(), without "quiet": every printk reaches the console."""
    import tempfile
    import mkinitramfs
    with open(elf, "rb") as f:
        items = [("init", 0o100755, f.read())]
    with tempfile.NamedTemporaryFile(suffix=".cpio", delete=False) as t:
        t.write(mkinitramfs.build(items))
        cpio = t.name
    try:
        line = f"console=raw init=/init {cmdline}".strip()
        if args:
            line += " -- " + " ".join(args)
        return flqemu.boot(line, cpio, timeout=timeout)
    finally:
        os.unlink(cpio)


def judge(rel, r):
    """(ok, why, summary) for one fuzz boot.

    Children write random bytes to the console, pieces of the fuzzer's own image (its
    format strings) included, so only the verdict line with a valid check value counts.
    """
    status, leaked = rel.status_of(r)
    text = r.console.decode(errors="replace")
    why = []
    summary = {}
    if status == rel.EXIT_PANIC:
        m = re.search(r"Kernel panic - not syncing: (.*)", text)
        why.append("kernel panic: " + (m.group(1) if m else "?"))
    elif status == rel.EXIT_TIMEOUT:
        why.append("timeout (kernel hang or livelock)")
    elif status == rel.EXIT_UNKNOWN:
        why.append(f"QEMU stopped without the kernel saying why (status {r.qemu_status})")
    elif status != 0:
        why.append(f"fuzzer exit status {status}")
    if leaked:
        why.append(f"{leaked} pages leaked")
    complaints = KERNEL_COMPLAINT.findall(text)
    if complaints:
        why.append("kernel complained: " + "; ".join(sorted(set(complaints))[:3]))
    m = _last(r"fuzz: ENOMEM returns (\d+)", text)
    if m:
        summary["enomem"] = int(m.group(1))
    summary["oom_kills"] = text.count("Out of memory: killed process")
    m = _last(r"fuzz: injected failures: page allocator (\d+), slab (\d+)", text)
    if m:
        summary["injected"] = int(m.group(1)) + int(m.group(2))
    v = verdict(text)
    if status in (0, 4) and not v:
        why.append("no valid verdict line from the fuzzer")
    if v and not v["drained"]:
        why.append("tasks would not die at the end (killed, still there)")
    m = _last(r"fuzz: children (\d+), syscalls (\d+) \((\d+) returned -errno\), touches (\d+), odd instructions (\d+)", text)
    if m:
        summary.update(errors=int(m.group(3)),
                       touches=int(m.group(4)), insns=int(m.group(5)))
    m = _last(r"fuzz: forks (\d+), threads (\d+), vforks (\d+), execs (\d+), kills sent (\d+)", text)
    if m:
        summary.update(forks=int(m.group(1)), threads=int(m.group(2)), vforks=int(m.group(3)),
                       execs=int(m.group(4)), kills=int(m.group(5)))
    m = _last(r"fuzz: reaped: exited (\d+), killed by a signal (\d+)", text)
    if m:
        summary.update(exited=int(m.group(1)), signaled=int(m.group(2)))
    if v:
        summary.update(children=v["children"], syscalls=v["syscalls"], watchdog=v["watchdog"], stuck=v["stuck"])
    return not why, "; ".join(why), summary


def judge_mmcheck(rel, r):
    """(ok, why, summary) for a boot of build/robust/mmcheck (model check, no fuzzing noise)."""
    status, leaked = rel.status_of(r)
    text = r.console.decode(errors="replace")
    why = []
    if status == rel.EXIT_PANIC:
        m = re.search(r"Kernel panic - not syncing: (.*)", text)
        why.append("kernel panic: " + (m.group(1) if m else "?"))
    elif status == rel.EXIT_TIMEOUT:
        why.append("timeout (kernel hang or livelock)")
    elif status != 0:
        m = re.search(r"mmcheck: MISMATCH.*", text)
        why.append(m.group(0) if m else f"status {status}")
    if leaked:
        why.append(f"{leaked} pages leaked")
    complaints = KERNEL_COMPLAINT.findall(text)
    if complaints:
        why.append("kernel complained: " + "; ".join(sorted(set(complaints))[:3]))
    m = re.search(r"mmcheck: seed \d+: (\d+) operations, model and kernel agree", text)
    return not why, "; ".join(why), {"ops": int(m.group(1))} if m else {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmdline", default="")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--log")
    ap.add_argument("--elf", default=os.path.join(ROOT, "build", "robust", "fuzz"))
    ap.add_argument("--quiet", action="store_true", help="boot with 'quiet' (kernel warnings hidden)")
    ap.add_argument("--mmcheck", action="store_true", help="boot build/robust/mmcheck and judge it")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    if os.environ.get("FUZZ_ISO"):
        flqemu.ISO = os.environ["FUZZ_ISO"]
    rel = load_run_elf()
    if a.mmcheck:
        a.elf = os.path.join(ROOT, "build", "robust", "mmcheck")
    r = rel.run(a.elf, a.args, a.cmdline, a.timeout) if a.quiet else boot_loud(rel, a.elf, a.args, a.cmdline, a.timeout)
    ok, why, summary = (judge_mmcheck if a.mmcheck else judge)(rel, r)
    if a.log:
        with open(a.log, "wb") as f:
            f.write(f"# fuzz boot: args {' '.join(a.args)}; cmdline '{a.cmdline}'; ISO {flqemu.ISO}\n".encode())
            f.write(f"# control line: {r.control!r}; QEMU status {r.qemu_status}; {r.seconds:.1f} s\n".encode())
            f.write(r.console)
    counts = " ".join(f"{k}={v}" for k, v in summary.items())
    print(f"{'PASS' if ok else 'FAIL ' + why} [{r.seconds:.0f}s] {counts}", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
