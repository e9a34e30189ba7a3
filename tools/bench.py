#!/usr/bin/env python3
"""make bench: Faultline's instruction-count benchmark (docs/performance.md).

  python3 tools/bench.py [--no-build] [--raw] [--only main|fork256]

Builds tests/bench/bench.c as a static no-libc ELF (with the tests/user
runtime), boots it as PID 1 through tools/run-elf under
QEMU_OPTS="-icount shift=0,align=off,sleep=off" (the guest TSC then counts
guest instructions) and prints the table: Faultline's median, Linux 6.1's
figure and the ratio, then the issue's targets.

Two boots: "main" with the default 256 MiB of guest RAM, and "fork256"
(fork of a process with 256 MiB touched) with MEM=1G.

Exit status: 0 when the benchmark ran to the end, whatever the figures
(a missed target is not an error); 1 if the build failed or a boot
crashed: kernel panic, timeout, the program killed by a signal or ending
with a non-zero status.
"""
import argparse
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "tests", "bench", "bench.c")
OUT = os.path.join(ROOT, "build", "bench", "bench")
RUNTIME = [os.path.join(ROOT, "tests", "user", "lib", "crt0.S"),
           os.path.join(ROOT, "tests", "user", "lib", "ulib.c")]
CFLAGS = ["-static", "-nostdlib", "-nostartfiles", "-ffreestanding", "-fno-stack-protector",
          "-fno-pie", "-no-pie", "-O2", "-Wall", "-Wextra", "-Werror",
          "-I" + os.path.join(ROOT, "tests", "user", "include"),
          "-I" + os.path.join(ROOT, "tests", "bench")]
ICOUNT = "-icount shift=0,align=off,sleep=off"

# tools/run-elf's own codes for kernel trouble
EXIT_PANIC, EXIT_TIMEOUT, EXIT_UNKNOWN = 250, 251, 252
WHY = {EXIT_PANIC: "kernel panic", EXIT_TIMEOUT: "timeout", EXIT_UNKNOWN: "QEMU stopped without the kernel saying why"}

# (section, guest RAM, timeout in seconds)
BOOTS = [("main", "256M", 240), ("fork256", "1G", 240)]


def build():
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    cmd = ["gcc"] + CFLAGS + ["-o", OUT, SRC] + RUNTIME
    print("  CC      " + os.path.relpath(OUT, ROOT), flush=True)
    r = subprocess.run(cmd)
    return r.returncode == 0


def boot(section, mem, timeout):
    """Run the benchmark section; returns (status, output text, stderr text)."""
    env = dict(os.environ)
    opts = env.get("QEMU_OPTS", "")
    if "-icount" not in shlex.split(opts):
        opts = (opts + " " + ICOUNT).strip()
    env["QEMU_OPTS"] = opts
    env["MEM"] = mem
    env["ACCEL"] = "tcg"  # -icount needs TCG
    env["FL_TIMEOUT"] = str(timeout)
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "run-elf"), OUT, section],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def table_lines(text, keep_header):
    """The human-readable lines (not the '@key value' ones); optionally without the title and header."""
    lines = [l for l in text.splitlines() if not l.startswith("@")]
    if not keep_header:
        while lines and not lines[0].startswith("operation"):
            lines.pop(0)
        if lines:
            lines.pop(0)
    return lines


def main():
    ap = argparse.ArgumentParser(description="Faultline instruction-count benchmark")
    ap.add_argument("--no-build", action="store_true", help="use the existing build/bench/bench")
    ap.add_argument("--raw", action="store_true", help="also print the '@key value' lines")
    ap.add_argument("--only", choices=[b[0] for b in BOOTS], help="run one section")
    a = ap.parse_args()

    if not a.no_build and not build():
        print("bench: build failed", file=sys.stderr)
        return 1
    if not os.path.exists(os.path.join(ROOT, "build", "faultline.iso")):
        print("bench: build/faultline.iso is missing (run make)", file=sys.stderr)
        return 1

    crashed = False
    outputs = {}
    for section, mem, timeout in BOOTS:
        if a.only and section != a.only:
            continue
        status, out, err = boot(section, mem, timeout)
        outputs[section] = out
        if status != 0:
            crashed = True
            why = WHY.get(status) or (f"killed by signal {status - 128}" if status > 128 else f"exit status {status}")
            print(f"bench: section {section} (MEM={mem}) crashed: {why}", file=sys.stderr)
            tail = (err or "").strip().splitlines()[-30:]
            if tail:
                print("\n".join(tail), file=sys.stderr)
        elif err.strip():
            print(err.strip(), file=sys.stderr)  # e.g. "faultline: N pages leaked"

    # The main table, with the 256 MiB fork placed after the 16 MiB one.
    lines = table_lines(outputs["main"], True) if "main" in outputs else []
    extra = table_lines(outputs["fork256"], not lines) if "fork256" in outputs else []
    if lines and extra:
        at = next((i for i, l in enumerate(lines) if l.startswith("fork of a process with 16 MiB")), None)
        if at is not None:
            at += 1
            while at < len(lines) and lines[at].startswith("  "):
                at += 1
            lines[at:at] = extra
        else:
            lines += extra
    else:
        lines += extra
    print("\n".join(lines))
    if a.raw:
        for section in outputs:
            for l in outputs[section].splitlines():
                if l.startswith("@"):
                    print(f"{section} {l}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
