#!/usr/bin/env python3
"""Build gdbdemo (the GDB tests' /init) and an initramfs holding it as /init.

  scripts/gdb/tests/mkgdbdemo.py [OUTDIR]      default OUTDIR: build/gdbtest

Prints the initramfs path.  Then, for a debugging session on it:

  tools/debug --initramfs build/gdbtest/gdbdemo.cpio --cmdline "console=raw init=/init"

(add "-- segv" or "-- tree" to the command line for the other behaviours;
gdbdemo.c says what each does).
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SRC = os.path.join(HERE, "gdbdemo.c")
CFLAGS = ["-static", "-nostdlib", "-nostartfiles", "-ffreestanding", "-fno-pie", "-no-pie",
          "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-O1", "-g", "-Wall", "-Wextra"]


def build(outdir):
    """(path of the initramfs, None) or (None, the compiler's complaint)."""
    os.makedirs(outdir, exist_ok=True)
    exe = os.path.join(outdir, "gdbdemo")
    r = subprocess.run(["gcc", *CFLAGS, "-o", exe, SRC], capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import mkinitramfs
    with open(exe, "rb") as f:
        data = f.read()
    cpio = os.path.join(outdir, "gdbdemo.cpio")
    with open(cpio, "wb") as f:
        f.write(mkinitramfs.build([("init", 0o100755, data)]))
    return cpio, None


if __name__ == "__main__":
    path, err = build(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "gdbtest"))
    if err:
        sys.stderr.write(err)
        sys.exit(1)
    print(path)
