"""The gdb tier: batch GDB sessions against QEMU's gdbstub."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flqemu  # noqa: E402


def gdb_session(commands, cmdline="ktest=none", initramfs=None, timeout=120):
    """Run GDB in batch mode against a paused machine; returns GDB's output."""
    m = flqemu.PausedMachine(cmdline, initramfs)
    try:
        args = ["gdb", "-q", "-batch", "-nx"]
        for c in m.gdb_prelude() + commands + ["kill"]:
            args += ["-ex", c]
        r = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        return r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode(errors="replace") + "\nTIMEOUT"
    finally:
        m.close()


def tier_gdb(report):
    out = gdb_session(["hbreak start_kernel", "continue", "info registers rip", "bt 1"])
    ok = "start_kernel (mb2_info_phys=" in out and "Breakpoint 1," in out
    report("gdb/breakpoint-on-start_kernel", ok, out[-1500:])

    # After memory is set up: the helpers agree with the kernel's own view.
    out = gdb_session(["hbreak ktest_run_from_cmdline", "continue",
                       "fl-freepages", "print nr_free",
                       "fl-pagewalk &start_kernel",
                       "fl-pagewalk mem_map",
                       "fl-pagewalk 0"])
    lines = out.splitlines()
    free_line = next((l for l in lines if l.startswith("free pages:")), "")
    printed = next((l for l in lines if l.startswith("$1 = ")), "$1 = ?")
    checks = {
        "fl-freepages matches nr_free": free_line.split()[2:3] == [printed.split()[-1]],
        "text walk: 4 KiB, not writable": "-> 4 KiB page" in out and "PTE[" in out,
        "direct map walk: a huge page": "-> 1048576 KiB page" in out or "-> 2048 KiB page" in out,
        "address 0 is not mapped": "walk of 0x0000000000000000" in out and "-> not present" in out,
    }
    text_walk = out[out.find("walk of 0xffffffff8"):]
    text_pte = next((l for l in text_walk.splitlines() if "PTE[" in l), "")
    checks["text PTE decoded as present, global, no RW, no NX"] = (
        "[P " in text_pte and " G" in text_pte and " RW" not in text_pte and "NX" not in text_pte)
    bad = [k for k, v in checks.items() if not v]
    report("gdb/helpers-freepages-and-pagewalk", not bad, "failed: " + ", ".join(bad) + "\n" + out[-2500:])


def register(tiers, report):
    tiers["gdb"] = lambda: tier_gdb(report)
