"""The gdb tier: batch GDB sessions against QEMU's gdbstub.

Each session boots QEMU paused (flqemu.PausedMachine), attaches `gdb -batch`
with the kernel's symbols and scripts/gdb loaded, and runs a fixed list of
commands.  `echo @@NAME\\n` markers cut the output into one section per
command, and each check reads its own section.

Most sessions boot scripts/gdb/tests/gdbdemo.c as /init: a no-libc
program that maps 0x10000000 and writes to it (a new anonymous page), maps
0x10002000, reads it (the zero page) and writes it (copy on write), grows
its heap, writes a shared anonymous page at 0x10004000, with an argument
writes to unmapped 0x30000000 (SIGSEGV), and otherwise prints its own
/proc/self/maps and /proc/self/status before exiting.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flqemu  # noqa: E402

sys.path.insert(0, os.path.join(flqemu.ROOT, "scripts", "gdb", "tests"))
import mkgdbdemo  # noqa: E402

SESSION_TIMEOUT = 60


def gdb_session(commands, cmdline="ktest=none", initramfs=None, timeout=SESSION_TIMEOUT, console=False):
    """Run GDB in batch mode against a paused machine; returns GDB's output (stderr merged in),
    or (output, what the kernel wrote to the console) with console=True."""
    m = flqemu.PausedMachine(cmdline, initramfs)
    try:
        args = ["gdb", "-q", "-batch", "-nx"]
        for c in m.gdb_prelude() + commands + ["kill"]:
            args += ["-ex", c]
        try:
            r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=timeout)
            out = r.stdout
        except subprocess.TimeoutExpired as e:
            out = e.stdout or b""
            out = (out.decode(errors="replace") if isinstance(out, bytes) else out) + "\nTIMEOUT"
        if not console:
            return out
        try:
            with open(m.console, "rb") as f:
                text = f.read().decode(errors="replace")
        except OSError:
            text = ""
        return out, text
    finally:
        m.close()


def sections(out):
    """{marker: text} for the '@@marker' lines that `echo @@marker\\n` printed."""
    parts = {}
    name = "@prelude"
    for line in out.splitlines():
        if line.startswith("@@"):
            name = line[2:].strip()
            parts[name] = ""
            continue
        parts[name] = parts.get(name, "") + line + "\n"
    return parts


def mark(name):
    return f"echo @@{name}\\n"


class Demo:
    """gdbdemo built on the fly (scripts/gdb/tests/mkgdbdemo.py), packed as /init."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="faultline-gdbtest-")
        self.cpio, self.error = mkgdbdemo.build(self.dir)

    def run(self, commands, args="", console=False):
        cmdline = "console=raw init=/init" + (f" -- {args}" if args else "")
        return gdb_session(commands, cmdline, self.cpio, console=console)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def check(report, name, checks, out):
    bad = [k for k, v in checks.items() if not v]
    report(name, not bad, "failed: " + ", ".join(bad) + "\n" + out[-3000:])


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

    demo = Demo()
    if demo.error:
        report("gdb/build-gdbdemo", False, demo.error[-2000:])
        return
    try:
        fault_session(demo, report)
        fault_kinds_session(demo, report)
        kernel_thread_session(demo, report)
        proc_session(demo, report)
    finally:
        demo.close()


def fault_session(demo, report):
    """Stopped in do_user_addr_fault for the write to 0x10000000: every command has a look."""
    out = demo.run([
        mark("break"), "fl-break-fault 0x10000000", "continue",
        mark("fl-fault"), "fl-fault",
        mark("fl-vmas"), "fl-vmas",
        mark("fl-vmas-1"), "fl-vmas 1",
        mark("fl-mm"), "fl-mm",
        mark("fl-ps"), "fl-ps",
        mark("fl-vmatree"), "fl-vmatree",
        mark("walk-before"), "fl-pagewalk 0x10000000 1",
        mark("info-break"), "info breakpoints",
        mark("finish"), "tbreak handle_mm_fault", "continue", "finish",
        mark("walk-after"), "fl-pagewalk 0x10000000 1",
        mark("walk-cr3"), "fl-pagewalk 0x10000000",
        mark("printers"),
        "print *$fl_pte(0x10000000, 1)", "print *$fl_pmd(0x10000000, 1)",
        "print *$fl_pud(0x10000000, 1)", "print *$fl_pgd(0x10000000, 1)",
        "print *$fl_page(0x10000000, 1)", "print/r *$fl_pte(0x10000000, 1)",
        "print $fl_task(1)->pid",
        mark("fault-after"), "fl-fault",
        mark("help"), "fl-help",
        mark("end"),
    ])
    s = sections(out)
    get = s.get

    fault = get("fl-fault", "")
    check(report, "gdb/fl-break-fault-stops-at-0x10000000", {
        "breakpoint set on do_user_addr_fault": "breakpoint: the next user-address fault on page 0x10000000"
                                                in get("break", ""),
        "stopped in do_user_addr_fault": re.search(r"Breakpoint 1, .*do_user_addr_fault", get("break", "")) is not None,
        "earlier faults (stack, text) did not stop it": "already hit 1 time" in get("info-break", ""),
        "condition visible in info breakpoints": "$fl_fault_address()" in get("info-break", ""),
    }, out)

    check(report, "gdb/fl-fault-new-anonymous-page", {
        "address 0x10000000": re.search(r"^\s+address\s+0x10000000\b", fault, re.M) is not None,
        "error code decoded": "[not-present write user-mode]" in fault,
        "the VMA": re.search(r"^\s+VMA\s+10000000-10001000 rw-p ", fault, re.M) is not None,
        "handler": re.search(r"^\s+handler\s+do_anonymous_page\(new page\)", fault, re.M) is not None,
        "user ip": "(user code)" in fault,
        "after the fault: spurious, last_fault_kind new page":
            "spurious" in get("fault-after", "") and "last_fault_kind = do_anonymous_page(new page)"
            in get("fault-after", ""),
    }, out)

    vmas = get("fl-vmas", "")
    vma_lines = [l for l in vmas.splitlines() if re.match(r"^[0-9a-f]{8,}-[0-9a-f]{8,} ", l)]
    maps_re = re.compile(r"^([0-9a-f]{8,})-([0-9a-f]{8,}) [r-][w-][x-][sp] [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} \d+ "
                         r"(\s*\S.*)?$")
    stack = next((l for l in vma_lines if l.endswith("[stack]")), "")
    init_text = next((l for l in vma_lines if " r-xp " in l), "")
    check(report, "gdb/fl-vmas-is-proc-maps", {
        "the mmap line": any(l.startswith("10000000-10001000 rw-p 00000000 00:00 0") for l in vma_lines),
        "every line in maps format": bool(vma_lines) and all(maps_re.match(l) for l in vma_lines),
        "in address order": [int(l.split("-")[0], 16) for l in vma_lines]
                            == sorted(int(l.split("-")[0], 16) for l in vma_lines),
        "[stack] named at column 73": stack.find("[stack]") == 73,
        "/init text, file offset and device": init_text.endswith(" /init") and " 00:02 " in init_text,
        "fl-vmas 1 is the same": get("fl-vmas-1", None) == vmas,
        "no map_count warning": "warning" not in vmas,
    }, out)

    mm = get("fl-mm", "")
    kb = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+):\t\s*(\d+) kB$", mm, re.M)}
    val = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+):\t(\d+)$", mm, re.M)}
    total = sum(int(l.split()[0].split("-")[1], 16) - int(l.split("-")[0], 16) for l in vma_lines) >> 10
    mm_addr = re.search(r"^mm_struct (0x[0-9a-f]+) of PID 1 \(init\)", mm, re.M)
    check(report, "gdb/fl-mm-status-counters", {
        "the mm of PID 1": mm_addr is not None,
        "every /proc status Vm line": all(k in kb for k in ("VmPeak", "VmSize", "VmRSS", "RssAnon", "RssFile",
                                                            "RssShmem", "VmData", "VmStk", "VmExe", "VmPTE")),
        "VmSize is the sum of the VMAs": kb.get("VmSize") == total and total > 0,
        "VmRSS = RssAnon + RssFile + RssShmem": kb.get("VmRSS") == kb.get("RssAnon", -1) + kb.get("RssFile", -1)
                                               + kb.get("RssShmem", -1),
        "VmPTE = pgtables_bytes": kb.get("VmPTE") == val.get("pgtables_bytes", -1) >> 10,
        "map_count = VMA lines": val.get("map_count") == len(vma_lines),
        "mm_users 1, mm_count 1": val.get("mm_users") == 1 and val.get("mm_count") == 1,
        "region fields": all(f in mm for f in ("start_code", "end_code", "start_data", "end_data", "start_brk",
                                               "brk", "start_stack", "arg_start", "env_end", "mmap_base")),
    }, out)

    ps = get("fl-ps", "")
    init_row = next((l for l in ps.splitlines() if re.match(r"^>\s+0x[0-9a-f]+\s+1\s+1 R\s+init\b", l)), "")
    check(report, "gdb/fl-ps-tasks", {
        "header": "PID" in ps and "ACTIVE_MM" in ps,
        "PID 0 swapper, a kernel thread": re.search(r"^\s+0x[0-9a-f]+\s+0\s+0 \S+\s+swapper\s+-\s", ps, re.M)
                                          is not None,
        "PID 1 init is current": bool(init_row),
        "init's mm and active_mm are fl-mm's": bool(mm_addr) and init_row.count(mm_addr.group(1)) == 2,
        "init's mm_users/mm_count": init_row.split()[-2:] == ["1", "1"],
    }, out)

    tree = get("fl-vmatree", "")
    check(report, "gdb/fl-vmatree-nodes-pivots-gaps", {
        "header": re.search(r"VMA tree of PID 1 \(init\): maple_tree 0x[0-9a-f]+, height \d+", tree) is not None,
        "at least one node": re.search(r"^\s*node 0x[0-9a-f]+ (leaf|internal)", tree, re.M) is not None,
        "pivots around the mapping": re.search(r"pivots: .*\bfffffff\b.*\b10000fff\b", tree) is not None,
        "the VMA in its slot": "10000000-10000fff: 10000000-10001000 rw-p anon" in tree,
        "a gap": "(gap, " in tree,
        "gap annotations agree": " ! real largest gap" not in tree,
    }, out)

    before, after = get("walk-before", ""), get("walk-after", "")
    pte = next((l for l in after.splitlines() if "PTE[" in l), "")
    check(report, "gdb/fl-pagewalk-pid-after-fault", {
        "walks from PID 1's mm": "(PID 1's mm 0x" in after,
        "before the fault: not present": "-> not present" in before,
        "after: a present, writable user PTE": "[P RW US" in pte,
        "after: a 4 KiB page": "-> 4 KiB page" in after,
        "struct page refcount 1, mapcount 1": "refcount 1, mapcount 1" in after,
        "struct page flags decoded: anon": "[anon]" in after,
        "the CR3 walk agrees": pte != "" and pte in get("walk-cr3", ""),
    }, out)

    pr = get("printers", "")
    check(report, "gdb/pretty-printers", {
        "pte_t": re.search(r"= pte 0x8[0-9a-f]{15} \[P RW US A D NX\] pfn 0x[0-9a-f]+", pr) is not None,
        "pmd_t": re.search(r"= pmd 0x[0-9a-f]{16} \[P RW US A D\] next table at phys", pr) is not None,
        "pud_t": re.search(r"= pud 0x[0-9a-f]{16} \[P RW US", pr) is not None,
        "pgd_t": re.search(r"= pgd 0x[0-9a-f]{16} \[P RW US", pr) is not None,
        "struct page": re.search(r"= struct page pfn 0x[0-9a-f]+: refcount 1, mapcount 1 .*\[anon\]", pr)
                       is not None,
        "print/r is raw": "{pte = " in pr,
        "$fl_task": re.search(r"^\$\d+ = 1$", pr, re.M) is not None,
    }, out)

    helptext = get("help", "")
    names = ["fl-help", "fl-ps", "fl-mm", "fl-vmas", "fl-vmatree", "fl-pagewalk", "fl-fault", "fl-break-fault",
             "fl-freepages"]
    check(report, "gdb/fl-help-lists-all", {n: re.search(rf"^\s+{n}\b", helptext, re.M) is not None
                                           for n in names}, out)


def fault_kinds_session(demo, report):
    """The other predictions: zero page, copy on write of it (also from inside do_wp_page),
    a shared mapping, no VMA."""
    out = demo.run([
        "fl-break-fault 0x10002000", "continue",
        mark("read"), "fl-fault",
        "continue",
        mark("write"), "fl-fault",
        "tbreak do_wp_page", "continue",
        mark("inside"), "fl-fault",
        "delete", "fl-break-fault 0x10004000", "continue",
        mark("shared"), "fl-fault",
        "delete", "fl-break-fault 0x30000000", "continue",
        mark("segv"), "fl-fault",
        "continue",
        mark("dead"), "fl-ps",
        mark("end"),
    ], args="segv")
    s = sections(out)
    read, write, inside, shared, segv = (s.get(k, "") for k in ("read", "write", "inside", "shared", "segv"))
    check(report, "gdb/fl-fault-predicts-each-kind", {
        "read: not-present read user-mode": "[not-present read user-mode]" in read,
        "read: the zero page": re.search(r"handler\s+do_anonymous_page\(zero page\)", read) is not None,
        "write: protection write user-mode": "[protection write user-mode]" in write,
        "write: the zero page PTE is special": "SPECIAL" in write,
        "write: copy on write": re.search(r"handler\s+do_wp_page\(copy\)", write) is not None,
        "inside do_wp_page: from vmf->orig_pte": "vmf->orig_pte" in inside and "now in    do_wp_page" in inside
                                                 and "do_wp_page(copy)" in inside,
        "shared anonymous: do_shared_fault": re.search(r"VMA\s+10004000-10005000 rw-s .*/dev/zero \(deleted\)",
                                                      shared) is not None
                                            and re.search(r"handler\s+do_shared_fault", shared) is not None,
        "unmapped: no VMA: SIGSEGV": "no VMA: SIGSEGV" in segv and "0x30000000" in segv,
    }, out)
    check(report, "gdb/helpers-refuse-a-dead-target", {
        "QEMU gone after init's SIGSEGV": "Remote connection closed" in s.get("segv", ""),
        "fl-ps says so instead of reading the ELF file": "no live kernel to look at" in s.get("dead", ""),
    }, out)


def kernel_thread_session(demo, report):
    """Before exec, init is a kernel thread borrowing init_mm: the commands say so."""
    out = demo.run([
        "hbreak kernel_init", "continue",
        mark("ps"), "fl-ps",
        mark("mm"), "fl-mm",
        mark("vmas"), "fl-vmas 1",
        mark("walk"), "fl-pagewalk &start_kernel 1",
        mark("fault"), "fl-fault",
        mark("end"),
    ])
    s = sections(out)
    check(report, "gdb/kernel-thread-borrows-init_mm", {
        "fl-ps: init has no mm, active_mm init_mm": re.search(r"^>\s+0x[0-9a-f]+\s+1\s+1 R\s+init\s+-\s+init_mm\b",
                                                              s.get("ps", ""), re.M) is not None,
        "fl-mm says it is borrowed": "is a kernel thread: mm is NULL; showing its active_mm (borrowed) init_mm"
                                    in s.get("mm", ""),
        "fl-vmas: no VMAs": "kernel thread: no mm, no VMAs" in s.get("vmas", ""),
        "fl-pagewalk PID 1 uses init_mm": "active_mm" in s.get("walk", "") and "-> 4 KiB page" in s.get("walk", ""),
        "fl-fault outside the fault path says so": "not stopped in the page-fault path" in s.get("fault", ""),
    }, out)


def between(text, start, end):
    """The lines of text between the marker lines start and end."""
    lines = text.replace("\r", "").splitlines()
    try:
        i = lines.index(start)
        return lines[i + 1:lines.index(end, i + 1)]
    except ValueError:
        return None


def proc_session(demo, report):
    """Stopped in sys_exit: fl-vmas and fl-mm against the /proc files the program printed.
    With "tree", gdbdemo maps 40 more pages: the VMA tree grows internal nodes."""
    out, console = demo.run([
        "hbreak sys_exit", "continue",
        mark("vmas"), "fl-vmas",
        mark("mm"), "fl-mm",
        mark("tree"), "fl-vmatree",
        mark("end"),
    ], args="tree", console=True)
    s = sections(out)
    maps = between(console, "==maps==", "==status==")
    status = between(console, "==status==", "==end==")
    ours = s.get("vmas", "").splitlines()
    keys = ("VmPeak", "VmSize", "VmLck", "VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmData", "VmStk",
            "VmExe", "VmLib", "VmPTE")
    theirs = [l for l in status or [] if l.split(":")[0] in keys]
    mine = [l for l in s.get("mm", "").splitlines() if l.split(":")[0] in keys]
    check(report, "gdb/fl-vmas-and-fl-mm-match-proc", {
        "the program printed its /proc files": bool(maps) and bool(status),
        "fl-vmas is /proc/self/maps byte for byte": maps is not None and ours == maps,
        "fl-mm's Vm lines are /proc/self/status's": len(theirs) == len(keys) and mine == theirs,
    }, out + "\n--- console ---\n" + console[-2000:])
    tree = s.get("tree", "")
    leaves = re.findall(r"^\s+node 0x[0-9a-f]+ leaf", tree, re.M)
    vmas_in_tree = re.findall(r"^\s+\[\s*\d+\] [0-9a-f]+-[0-9a-f]+: [0-9a-f]+-[0-9a-f]+ ", tree, re.M)
    check(report, "gdb/fl-vmatree-internal-nodes", {
        "an internal root": re.search(r"^node 0x[0-9a-f]+ internal \(maple_arange_64\) \[0, ffffffffffffffff\]",
                                      tree, re.M) is not None,
        "leaves one level down": len(leaves) >= 2 and all(l.startswith("  node") for l in leaves),
        "children with their gaps": re.search(r"^\s+\[ 1\] [0-9a-f]+-[0-9a-f]+ gap 0x", tree, re.M) is not None,
        "every VMA once": maps is not None and len(vmas_in_tree) == len(maps),
        "named VMAs": "[heap]" in tree and "[stack]" in tree and "shmem" in tree,
        "gap annotations agree": " ! real largest gap" not in tree,
    }, out)


def check_walkthrough(report):
    """docs/walkthrough.md must still match a fresh run (tools/gen-walkthrough.py --check)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        r = subprocess.run([sys.executable, os.path.join(root, "tools", "gen-walkthrough.py"), "--check"],
                           cwd=root, capture_output=True, text=True, timeout=300)
        ok, detail = r.returncode == 0, (r.stdout + r.stderr)[-2500:]
    except subprocess.TimeoutExpired:
        ok, detail = False, "timed out"
    report("gdb/walkthrough-doc-is-current", ok, detail)


def register(tiers, report):
    tiers["gdb"] = lambda: (tier_gdb(report), check_walkthrough(report))
