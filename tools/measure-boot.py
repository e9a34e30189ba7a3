#!/usr/bin/env python3
"""Measure boot from QEMU start to start_kernel (docs/boot.md).

Instructions: under -icount shift=0 the TSC counts guest instructions, and
start_kernel records it first thing.  Wall time: from starting QEMU to the
moment the banner's first line appears on the console (TCG, no icount).
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flqemu  # noqa: E402

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
insns = []
for _ in range(runs):
    r = flqemu.boot("ktest=none", extra_opts="-icount shift=0,align=off,sleep=off", timeout=120)
    m = re.search(rb"TSC at start_kernel: (\d+)", r.console)
    insns.append(int(m.group(1)))

walls = []
for _ in range(runs):
    tmp = tempfile.mkdtemp()
    disk = os.path.join(tmp, "d.img")
    flqemu.make_disk(disk, "ktest=none", None)
    cmd = flqemu.qemu_command(disk, "stdio", "null")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    p.stdout.readline()  # the first banner line
    walls.append(time.monotonic() - t0)
    p.kill()
    p.wait()

print(f"instructions to start_kernel: median {statistics.median(insns):,.0f} (runs: {insns})")
print(f"wall time to the first console line: median {statistics.median(walls):.3f} s "
      f"(min {min(walls):.3f}, max {max(walls):.3f})")
