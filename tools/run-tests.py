#!/usr/bin/env python3
"""Faultline's test runner: every tier, one line per test, then 'N passed, N failed'.

  tools/run-tests.py [--only TIER[,TIER]] [-v]

Tiers (DESIGN.md §2):
  host   unit tests of pure data structures, built with ASan/UBSan
  ktest  in-kernel KTAP suites, booted with ktest=all
  meta   the harness itself: a deliberate oops must be reported as a failure
  user   user programs run as PID 1, compared with the host Linux
  gdb    GDB batch sessions against QEMU's gdbstub
  labs   each course lab: the solution gets full marks, the generated skeleton does not
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flqemu  # noqa: E402
import ktap  # noqa: E402

ROOT = flqemu.ROOT
BUILD = os.path.join(ROOT, "build")
HOST_CFLAGS = ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter", "-g", "-O1",
               "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
               "-Iinclude", "-Iarch/x86/include", "-DHOST_TEST"]

passed = failed = 0
failures = []
verbose = False


def report(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        failures.append(name)
    line = f"{'PASS' if ok else 'FAIL'}  {name}"
    if detail and (not ok or verbose):
        line += f"  -- {detail}"
    print(line, flush=True)


def tier_host():
    os.makedirs(os.path.join(BUILD, "host"), exist_ok=True)
    for src in sorted(glob.glob(os.path.join(ROOT, "tests/host/test_*.c"))):
        name = os.path.splitext(os.path.basename(src))[0]
        with open(src) as f:
            m = re.search(r"//\s*SOURCES:\s*(.*)", f.read())
        sources = m.group(1).split() if m else []
        exe = os.path.join(BUILD, "host", name)
        build = subprocess.run(["gcc", *HOST_CFLAGS, *sources, os.path.relpath(src, ROOT), "-o", exe],
                               cwd=ROOT, capture_output=True, text=True)
        if build.returncode:
            report(f"host/{name}", False, "build failed:\n" + build.stderr[-2000:])
            continue
        t0 = time.monotonic()
        try:
            run = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            report(f"host/{name}", False, "timed out after 120 s")
            continue
        summary = [l for l in run.stdout.splitlines() if re.search(r"\d+ passed", l)]
        bad = [l for l in run.stdout.splitlines() if l.startswith("not ok")]
        detail = (summary[-1].lstrip("# ") if summary else "") + f" ({time.monotonic() - t0:.1f}s)"
        if run.returncode:
            detail += "\n" + "\n".join(bad[:10]) + "\n" + run.stderr[-2000:]
        report(f"host/{name}", run.returncode == 0, detail)


def run_ktest(cmdline, timeout=300):
    r = flqemu.boot(cmdline, timeout=timeout)
    text = r.console.decode(errors="replace")
    return r, text, ktap.parse(text)


def tier_ktest():
    r, text, results = run_ktest("quiet ktest=all")
    for suite, case, status, detail in results:
        if suite == "crash":
            continue  # skipped here by design; the meta tier runs it
        report(f"ktest/{suite}/{case}", status in ("ok", "skip"), detail)
    clean = r.exit_kind == "ktest" and r.qemu_status == flqemu.QEMU_EXIT_KTEST_DONE
    why = "timed out" if r.timed_out else f"control '{r.control}', QEMU status {r.qemu_status}"
    if not clean:
        tail = "\n".join(text.splitlines()[-30:])
        why += "\n" + tail
    report("ktest/powered-off-cleanly", clean and bool(results), why)


def tier_meta():
    # The deliberate kernel bugs: each must oops with a readable report and
    # a symbolised backtrace, panic, and be reported failed by our parsing.
    crashes = {
        "null": ["Oops: page fault (#PF)", "CR2 (faulting address): 0000000000000000",
                 "kernel NULL pointer dereference", "ktest_null_deref_now+0x", "ktest_crash+0x",
                 "ktest_run_from_cmdline+0x"],
        "stack": ["BUG: kernel stack overflow: the stack guard page was hit",
                  "Oops: double fault (#DF)", "recurse+0x", "ktest-overflow"],
        "smep": ["kernel tried to execute user memory at 0000000000400000 (SMEP)",
                 "[protection instruction-fetch kernel-mode]"],
        "smap": ["outside a uaccess window (SMAP)", "[protection read kernel-mode]", "ktest_crash+0x"],
    }
    for kind, needles in crashes.items():
        r, text, results = run_ktest(f"quiet ktest=crash ktest.crash={kind}", timeout=60)
        case = [res for res in results if res[0] == "crash"]
        checks = {f"'{n}'": n in text for n in needles}
        checks["panic"] = "Kernel panic - not syncing" in text
        checks["QEMU exit is the panic code"] = (r.qemu_status == flqemu.QEMU_EXIT_PANIC
                                                 and r.exit_kind == "panic")
        checks["reported failed, not passed"] = bool(case) and all(res[2] in ("fail", "missing")
                                                                    for res in case)
        bad = [k for k, v in checks.items() if not v]
        report(f"meta/deliberate-oops-{kind}", not bad, "missing: " + ", ".join(bad) + "\n" + text[-2000:])

    # The banner of a plain boot: memory map, page counts, command line.
    r = flqemu.boot("ktest=none banner-check", timeout=60)
    text = r.console.decode(errors="replace")
    checks = {
        "memory map": "BIOS-provided physical RAM map" in text and "usable" in text,
        "page counts": re.search(r"Memory: \d+ pages total .* \d+ pages free", text) is not None,
        "command line": "Command line: ktest=none banner-check" in text,
        "protections": "NX on, SMEP on, SMAP on" in text,
    }
    bad = [k for k, v in checks.items() if not v]
    report("meta/boot-banner", not bad, "missing: " + ", ".join(bad) + "\n" + text[-1500:])

    # A missing suite name runs nothing and still powers off cleanly.
    r, text, results = run_ktest("quiet ktest=no-such-suite", timeout=60)
    report("meta/unknown-suite-runs-nothing", r.qemu_status == flqemu.QEMU_EXIT_KTEST_DONE and not results,
           f"status {r.qemu_status}, {len(results)} results")


TIERS = {"host": tier_host, "ktest": tier_ktest, "meta": tier_meta}


def main():
    global verbose
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    verbose = a.verbose
    only = [t for t in a.only.split(",") if t]
    import run_tests_user  # noqa: E402
    import run_tests_gdb  # noqa: E402
    run_tests_user.register(TIERS, report)
    if os.path.exists(os.path.join(ROOT, "tools", "run_tests_robust.py")):
        import run_tests_robust  # noqa: E402
        run_tests_robust.register(TIERS, report)
    run_tests_gdb.register(TIERS, report)
    if os.path.exists(os.path.join(ROOT, "tools", "run_tests_labs.py")):
        import run_tests_labs  # noqa: E402
        run_tests_labs.register(TIERS, report)
    t0 = time.monotonic()
    for name, fn in TIERS.items():
        if only and name not in only:
            continue
        print(f"== {name}", flush=True)
        fn()
    print(f"({time.monotonic() - t0:.0f} s)")
    if failures:
        print("failed: " + " ".join(failures))
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
