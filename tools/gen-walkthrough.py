#!/usr/bin/env python3
"""Regenerate the transcripts in docs/walkthrough.md from real runs.

  make all                                # the kernel and ISO must be built and current
  python3 tools/gen-walkthrough.py        # rewrite the transcripts in docs/walkthrough.md
  python3 tools/gen-walkthrough.py --check

docs/walkthrough.md follows one page fault from the CPU exception to the
installed PTE, as a student would in GDB.  Its prose is written by hand and
lives in the file itself; every transcript sits between a pair of markers

  <!-- gen:NAME -->
  ...
  <!-- /gen:NAME -->

and this script replaces what is between them (and nothing else).  It:

  1. builds the walkthrough's program, tools/walkthrough/walkdemo.c, into
     build/walkthrough/ (gcc, then tools/mkinitramfs.py with it as /init);
  2. boots it once with tools/boot and `fault_trace` on the command line:
     the banner and the program's output with one trace line per fault;
  3. runs one batch GDB session against QEMU paused at the first
     instruction (flqemu.PausedMachine, the machine `make debug` starts),
     with the same prelude as `make debug`, and cuts GDB's output at an
     `echo @@N` marker before each command, so each command's output can be
     shown under "(gdb) COMMAND";
  4. checks that the transcripts still say what the prose says (the
     handler names, the refcounts, the same or a new page frame...), and
     refuses to write the file if they do not: fix the prose, then run it
     again (or --force to write anyway and look);
  5. splices the transcripts in.  Nothing is edited inside a transcript:
     the script only chooses where each one starts and ends (the banner
     stops at "Command line:", before the TSC count that changes at every
     boot) and leaves out GDB's marker lines.

Runs are repeatable: Faultline has no ASLR, and one CPU with a
non-preemptive kernel and interrupts off during a fault makes the same
program fault in the same order every time.  Two runs on the same build
give the same file.  After a change to the kernel, kernel text addresses,
line numbers and physical addresses may move; --check ignores those and
reports anything else that changed.

Options:
  --check        regenerate in memory and compare with the file, addresses and source line
                 numbers aside; exit 1 and show what differs.  Writes nothing.
  --force        write the file even when a check of the transcripts fails
  --allow-stale  run even if `make -q all` says the build is out of date
  -o FILE        write FILE instead of docs/walkthrough.md (the markers are read from docs/walkthrough.md)

Raw logs of the last run go to build/walkthrough/ (boot.log, gdb.log).
"""
import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
import flqemu  # noqa: E402

ROOT = flqemu.ROOT
DOC = "docs/walkthrough.md"
SRC = "tools/walkthrough/walkdemo.c"
OUT = "build/walkthrough"
EXE = f"{OUT}/walkdemo"
CPIO = f"{OUT}/walkdemo.cpio"
CFLAGS = ["-static", "-nostdlib", "-nostartfiles", "-ffreestanding", "-fno-pie", "-no-pie",
          "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-O1", "-g", "-Wall", "-Wextra"]
RUN_CMDLINE = "console=raw init=/init fault_trace"
GDB_CMDLINE = "console=raw init=/init"
ADDR = "0x10000000"
GDB_TIMEOUT = 120

# The GDB session, cut into the pieces the prose talks about, in order.
# Each piece: (marker name, [commands]).  All of it is one session.
SESSION = [
    ("gdb-break", [f"fl-break-fault {ADDR}", "continue", "info breakpoints"]),
    ("gdb-bt", ["bt"]),
    ("gdb-fault", ["fl-fault", "x/i regs->ip"]),
    ("gdb-vmas", ["fl-vmas"]),
    ("gdb-walk-before", [f"fl-pagewalk {ADDR} 1"]),
    ("gdb-handle-mm-fault", ["tbreak handle_mm_fault", "continue", "info args", "p/x flags"]),
    ("gdb-handle-pte-fault", ["tbreak handle_pte_fault", "continue", "print *vmf"]),
    ("gdb-walk-pte-empty", [f"fl-pagewalk {ADDR} 1"]),
    ("gdb-do-anonymous-page", ["tbreak do_anonymous_page", "continue", "bt"]),
    ("gdb-fault-inside", ["fl-fault"]),
    ("gdb-finish", ["finish", "print vmf->kind", f"fl-pagewalk {ADDR} 1"]),
    ("gdb-fork-stop", ["continue", "fl-ps"]),
    ("gdb-fork-fault", ["fl-fault", "x/i regs->ip"]),
    ("gdb-fork-walks", [f"fl-pagewalk {ADDR} 3", f"fl-pagewalk {ADDR} 1"]),
    ("gdb-do-wp-page", ["tbreak do_wp_page", "continue", "bt 4"]),
    ("gdb-copied", ["finish", "print vmf->kind", f"fl-pagewalk {ADDR} 3", f"fl-pagewalk {ADDR} 1"]),
    ("gdb-reuse-fault", ["continue", "fl-fault"]),
    ("gdb-reuse", ["tbreak wp_page_reuse", "continue", "bt 3", "finish", f"fl-pagewalk {ADDR} 1"]),
    ("gdb-end", ["continue"]),
]


def die(msg):
    print(f"gen-walkthrough: {msg}", file=sys.stderr)
    sys.exit(1)


def sh(argv):
    """A command as the reader would type it."""
    return " ".join(shlex.quote(a) for a in argv)


def run(argv, **kw):
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, **kw)


# --------------------------------------------------------------------------
# 1. Build


def preflight(allow_stale):
    for f in ("build/faultline.elf", "build/faultline.iso"):
        if not os.path.exists(os.path.join(ROOT, f)):
            die(f"{f} is missing: run `make all` first")
    r = run(["make", "-q", "all"])
    if r.returncode != 0:
        if not allow_stale:
            die("the kernel build is out of date (`make -q all` fails): run `make all` first, "
                "or pass --allow-stale")
        print("gen-walkthrough: warning: the build is older than the sources; the checks that read "
              "source lines at GDB's FILE:LINE read today's files, and may fail", file=sys.stderr)


def build_program():
    """Compile walkdemo and pack it as /init; returns the shell transcript of what ran."""
    os.makedirs(os.path.join(ROOT, OUT), exist_ok=True)
    steps = [["gcc", *CFLAGS, "-o", EXE, SRC],
             ["python3", "tools/mkinitramfs.py", CPIO, "--file", f"{EXE}=/init"]]
    lines = []
    for argv in steps:
        r = run(argv)
        if r.returncode:
            die(f"`{sh(argv)}` failed:\n{r.stdout}{r.stderr}")
        lines.append("$ " + sh(argv))
        lines += (r.stdout + r.stderr).splitlines()
    return "\n".join(lines)


def program_source():
    """walkdemo_main, from its first line to its closing brace."""
    with open(os.path.join(ROOT, SRC)) as f:
        lines = f.read().splitlines()
    start = next((i for i, l in enumerate(lines) if "walkdemo_main(" in l and l.startswith("__attribute__")), None)
    if start is None:
        die(f"{SRC}: no walkdemo_main")
    end = next((i for i in range(start, len(lines)) if lines[i] == "}"), None)
    if end is None:
        die(f"{SRC}: walkdemo_main has no closing brace in column 0")
    return "\n".join(lines[start:end + 1])


# --------------------------------------------------------------------------
# 2. Boot with fault_trace


def boot_and_run():
    """(banner transcript, program transcript, raw console)."""
    argv = ["tools/boot", "--initramfs", CPIO, "--cmdline", RUN_CMDLINE, "--timeout", "60"]
    r = run(argv, timeout=120)
    console = r.stdout
    with open(os.path.join(ROOT, OUT, "boot.log"), "w") as f:
        f.write(console + "\n--- stderr ---\n" + r.stderr)
    lines = console.replace("\r", "").splitlines()
    cmd_i = next((i for i, l in enumerate(lines) if l.startswith("Command line:")), None)
    init_i = next((i for i, l in enumerate(lines) if l.startswith("initramfs:")), None)
    if cmd_i is None or init_i is None or init_i < cmd_i:
        die(f"the boot did not print the expected banner ({OUT}/boot.log):\n{console[-2000:]}")
    banner = "$ " + sh(argv) + "\n" + "\n".join(lines[:cmd_i + 1])
    program = "\n".join(lines[init_i:])
    return banner, program, console


# --------------------------------------------------------------------------
# 3. The GDB session


def gdb_session():
    """{marker name: transcript} for the attach output and every piece of SESSION."""
    flat = [(name, cmd) for name, cmds in SESSION for cmd in cmds]
    m = flqemu.PausedMachine(GDB_CMDLINE, os.path.join(ROOT, CPIO))
    try:
        # The prelude of `make debug`, with paths relative to the repository (GDB runs there).
        prelude = [c.replace(ROOT + os.sep, "") for c in m.gdb_prelude()]
        args = ["gdb", "-q", "-batch", "-nx"]
        for c in prelude:
            args += ["-ex", c]
        for i, (_, cmd) in enumerate(flat):
            args += ["-ex", f"echo @@{i}\\n", "-ex", cmd]
        args += ["-ex", "echo @@end\\n", "-ex", "kill"]
        try:
            r = subprocess.run(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=GDB_TIMEOUT)
            out = r.stdout
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            with open(os.path.join(ROOT, OUT, "gdb.log"), "w") as f:
                f.write(out)
            die(f"the GDB session timed out after {GDB_TIMEOUT} s ({OUT}/gdb.log)")
    finally:
        m.close()
    with open(os.path.join(ROOT, OUT, "gdb.log"), "w") as f:
        f.write(out)

    # Cut at the markers.  A marker may follow output that did not end its line.
    outputs = {"prelude": []}
    key = "prelude"
    for line in out.splitlines():
        mk = re.match(r"^(.*)@@(\d+|end)$", line)
        if mk:
            if mk.group(1):
                outputs[key].append(mk.group(1))
            key = mk.group(2)
            outputs[key] = []
            continue
        outputs[key].append(line)
    if "end" not in outputs:
        die(f"the GDB session stopped early ({OUT}/gdb.log):\n" + out[-2000:])

    def tidy(lines):
        while lines and not lines[-1].strip():
            lines = lines[:-1]
        return lines

    pieces = {"gdb-attach": "\n".join(tidy(outputs["prelude"]))}
    for i, (name, cmd) in enumerate(flat):
        text = "\n".join(["(gdb) " + cmd] + tidy(outputs.get(str(i), [])))
        pieces[name] = pieces[name] + "\n" + text if name in pieces else text
    return pieces


# --------------------------------------------------------------------------
# 4. Checks: what the prose says about the transcripts


def walk_facts(text):
    """[(pfn or None, writable?, refcount, mapcount)] for each fl-pagewalk in text, in order."""
    facts = []
    for w in re.split(r"(?m)^\(gdb\) fl-pagewalk ", text)[1:]:
        page = re.search(r"struct page 0x[0-9a-f]+ \(pfn (0x[0-9a-f]+)\): refcount (\d+), mapcount (\d+)", w)
        pte = re.search(r"^\s+PTE\[.*\[([^\]]*)\]$", w, re.M)
        facts.append((page.group(1) if page else None,
                      bool(pte) and " RW" in pte.group(1),
                      int(page.group(2)) if page else None,
                      int(page.group(3)) if page else None))
    return facts


def source_line(path, n):
    try:
        with open(os.path.join(ROOT, path)) as f:
            lines = f.read().splitlines()
    except OSError:
        return ""
    return lines[n - 1].strip() if 0 < n <= len(lines) else ""


def stop_source(text):
    """The source line GDB printed ("N<tab>source") at the first stop in text."""
    m = re.search(r"(?m)^\d+\t(.*)$", text)
    return m.group(1).strip() if m else None


def frame_source(text, n):
    """(the source line of frame #n's FILE:LINE, the line before it)."""
    m = re.search(rf"(?m)^#{n} .* at (\S+):(\d+)$", text)
    if not m:
        return "", ""
    return source_line(m.group(1), int(m.group(2))), source_line(m.group(1), int(m.group(2)) - 1)


def child_before_step3(run_text):
    """The child's trace lines before it prints step 3."""
    lines = run_text.splitlines()
    end = next((i for i, l in enumerate(lines) if l.startswith("walkdemo: 3.")), len(lines))
    return [l for l in lines[:end] if l.startswith("fault: init[3] ")]


def check(t):
    """Failed checks, as strings; t maps marker names to transcripts."""
    g = lambda k: t.get(k, "")  # noqa: E731
    has = lambda k, pat: re.search(pat, g(k), re.M) is not None  # noqa: E731
    trace = [l for l in g("run").splitlines() if l.startswith("fault:")]
    ours = [l for l in trace if f" addr {ADDR} " in l]
    fork = walk_facts(g("gdb-fork-walks"))
    copied = walk_facts(g("gdb-copied"))
    first = walk_facts(g("gdb-finish"))
    reused = walk_facts(g("gdb-reuse"))
    checks = {
        "banner: NX, SMEP and SMAP on": has("boot", r"NX on, SMEP on, SMAP on"),
        "banner ends with the command line": g("boot").rstrip().endswith("Command line: " + RUN_CMDLINE),
        "the program finished": has("run", r"^walkdemo: done$"),
        "three trace lines on 0x10000000: new page (1), copy (3), reuse (1)":
            len(ours) == 3 and ours[0].startswith("fault: init[1] ") and ours[0].endswith("do_anonymous_page(new page)")
            and ours[1].startswith("fault: init[3] ") and ours[1].endswith("do_wp_page(copy)")
            and ours[2].startswith("fault: init[1] ") and ours[2].endswith("do_wp_page(reuse)"),
        "exec's kernel-mode stack write comes first": bool(trace) and "[not-present write kernel-mode]" in trace[0],
        "before step 3 the child faults only on its stack (copy) and, maybe, /init's pages (read)":
            all(l.endswith("do_wp_page(copy)") and " addr 0x7fff" in l
                or l.endswith("do_read_fault") and " vma 0x40" in l
                for l in child_before_step3(g("run")))
            and any(l.endswith("do_wp_page(copy)") for l in child_before_step3(g("run"))),
        "stack COW after fork: the child copies, the parent reuses":
            any(l.startswith("fault: init[3] addr 0x7fff") and l.endswith("do_wp_page(copy)") for l in trace)
            and any(l.startswith("fault: init[1] addr 0x7fff") and l.endswith("do_wp_page(reuse)") for l in trace),
        "stopped by breakpoint 1 in do_user_addr_fault, error_code 6":
            has("gdb-break", r"^Breakpoint 1, do_user_addr_fault \(.*error_code=6"),
        "earlier faults did not stop it (hit 1 time)": has("gdb-break", r"breakpoint already hit 1 time"),
        "bt: do_user_addr_fault <- exc_page_fault <- do_interrupt <- common_interrupt":
            re.search(r"#0 +do_user_addr_fault.*\n#1 .* exc_page_fault .*\n#2 .* do_interrupt .*\n"
                      r"#3 .* common_interrupt ", g("gdb-bt")) is not None,
        "fl-fault predicts do_anonymous_page(new page)": has("gdb-fault", r"handler\s+do_anonymous_page\(new page\)"),
        "fl-fault: 0x6 not-present write user-mode": has("gdb-fault", r"error\s+0x6 \[not-present write user-mode\]"),
        "fl-fault: no PTE table yet": has("gdb-fault", r"no PTE table yet"),
        "the faulting instruction is the movb to 0x10000000": has("gdb-fault", r"movb\s+\$0x1,0x10000000"),
        "fl-vmas shows the mapping and [stack]": has("gdb-vmas", r"^10000000-10001000 rw-p ")
                                                and has("gdb-vmas", r"\[stack\]$"),
        "walk before: PMD[128] empty": has("gdb-walk-before", r"PMD\[128\] .*\[-\]$")
                                       and has("gdb-walk-before", r"-> not present"),
        "handle_mm_fault: flags 0x41": has("gdb-handle-mm-fault", r"Temporary breakpoint \d+, handle_mm_fault")
                                       and has("gdb-handle-mm-fault", r"= 0x41$"),
        "handle_pte_fault: vmf->pte set, orig_pte none, kind FAULT_NONE":
            has("gdb-handle-pte-fault", r"Temporary breakpoint \d+, handle_pte_fault")
            and has("gdb-handle-pte-fault", r"pte = 0x[0-9a-f]+, orig_pte = pte 0x0+ \[-\] none, kind = FAULT_NONE"),
        "PTE table now there, PTE[0] empty": has("gdb-walk-pte-empty", r"PTE\[  0\] .* = 0x0+  \[-\]$"),
        "bt in do_anonymous_page shows the whole path":
            re.search(r"#0 +do_anonymous_page .*\n#1 .* handle_pte_fault .*\n#2 .* __handle_mm_fault .*\n"
                      r"#3 .* handle_mm_fault .*\n#4 .* do_user_addr_fault .*\n#5 .* exc_page_fault ",
                      g("gdb-do-anonymous-page")) is not None,
        "fl-fault inside reads vmf->orig_pte": has("gdb-fault-inside", r"vmf->orig_pte, before the fault")
                                               and has("gdb-fault-inside", r"now in\s+do_anonymous_page"),
        "after finish: FAULT_ANON_NEW_PAGE, writable, refcount 1":
            has("gdb-finish", r"= FAULT_ANON_NEW_PAGE$") and len(first) == 1 and first[0][1:] == (True, 1, 1),
        "second stop: PID 3 is current": has("gdb-fork-stop", r"^> +0x[0-9a-f]+ +3 +3 R +init ")
                                         and has("gdb-fork-stop", r"error_code=7"),
        "second stop: PID 1 sleeps (in wait4)": has("gdb-fork-stop", r"^ +0x[0-9a-f]+ +1 +1 S +init "),
        "fl-fault predicts do_wp_page(copy), refcount 2": has("gdb-fork-fault", r"handler\s+do_wp_page\(copy\)")
                                                          and has("gdb-fork-fault", r"refcount 2"),
        "after fork: the first fault's frame in both, read-only, refcount 2, mapcount 2":
            len(fork) == 2 and bool(first) and fork[0] == fork[1] == (first[0][0], False, 2, 2),
        "do_wp_page bt": re.search(r"#0 +do_wp_page .*\n#1 .* handle_pte_fault ", g("gdb-do-wp-page")) is not None,
        "after the copy: child new frame rw refcount 1; parent old frame ro refcount 1":
            has("gdb-copied", r"= FAULT_WP_COPY$") and len(copied) == 2 and bool(first)
            and copied[0][0] != first[0][0] and copied[0][1:] == (True, 1, 1)
            and copied[1][0] == first[0][0] and copied[1][1:] == (False, 1, 1),
        "third stop: fl-fault predicts reuse in PID 1": has("gdb-reuse-fault", r"handler\s+do_wp_page\(reuse\)")
                                                         and has("gdb-reuse-fault", r"current is PID 1 "),
        "reuse: wp_page_reuse called by do_wp_page": re.search(r"#0 +wp_page_reuse .*\n#1 .* do_wp_page ",
                                                               g("gdb-reuse")) is not None,
        "after reuse: the same frame, now writable": len(reused) == 1 and bool(first)
                                                     and reused[0] == (first[0][0], True, 1, 1),
        "the program ran to its end": has("gdb-end", r"Remote connection closed"),
        # The source lines the prose describes instead of citing line numbers.
        "do_user_addr_fault stops on its opening brace": stop_source(g("gdb-break")) == "{",
        "handle_mm_fault stops on the vmf initializer":
            (stop_source(g("gdb-handle-mm-fault")) or "").startswith("struct vm_fault vmf = {"),
        "handle_pte_fault stops before reading orig_pte":
            stop_source(g("gdb-handle-pte-fault")) == "vmf->orig_pte = ptep_get(vmf->pte);",
        "finish lands on handle_pte_fault's closing brace": has("gdb-finish", r" in handle_pte_fault ")
                                                            and stop_source(g("gdb-finish")) == "}",
        "frame #1 of do_anonymous_page: the pte_none branch":
            "do_anonymous_page(" in frame_source(g("gdb-do-anonymous-page"), 1)[0]
            and "pte_none" in frame_source(g("gdb-do-anonymous-page"), 1)[1],
        "frame #1 of do_wp_page: the write to a !pte_write PTE branch":
            "do_wp_page(" in frame_source(g("gdb-do-wp-page"), 1)[0]
            and "!pte_write" in frame_source(g("gdb-do-wp-page"), 1)[1],
        "frame #1 of wp_page_reuse: under page_ref_count(page) == 1":
            "wp_page_reuse(" in frame_source(g("gdb-reuse"), 1)[0]
            and "page_ref_count(page) == 1" in frame_source(g("gdb-reuse"), 1)[1],
    }
    return [k for k, ok in checks.items() if not ok]


# --------------------------------------------------------------------------
# 5. Splice


MARKER = re.compile(r"(<!-- gen:([\w-]+) -->\n)(.*?)(<!-- /gen:\2 -->)", re.S)


def fence(body, lang=""):
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return f"{ticks}{lang}\n{body}\n{ticks}\n"


def splice(doc, pieces):
    names = []

    def repl(mk):
        name = mk.group(2)
        names.append(name)
        if name not in pieces:
            die(f"{DOC} has a marker gen:{name} that this script does not produce")
        body, lang = pieces[name]
        return mk.group(1) + fence(body, lang) + mk.group(4)

    new = MARKER.sub(repl, doc)
    missing = [n for n in pieces if n not in names]
    if missing:
        print("gen-walkthrough: not used in the doc: " + ", ".join(missing), file=sys.stderr)
    return new


def slug(heading):
    """GitHub's anchor for a heading."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(path):
    with open(path) as f:
        text = f.read()
    text = re.sub(r"(?ms)^```.*?^```", "", text)  # headings in code blocks are not headings
    return {slug(h) for h in re.findall(r"(?m)^#{1,6} (.*)$", text)}


def check_links(doc):
    """Links to sections of this or another doc that do not exist."""
    bad = []
    for target, frag in re.findall(r"\]\(([\w./-]*\.md|)#([^)]+)\)", doc):
        path = os.path.join(ROOT, "docs", target) if target else os.path.join(ROOT, DOC)
        if not os.path.exists(path) or frag not in anchors(path):
            bad.append(f"{target}#{frag}")
    return bad


def mask(line):
    """For --check: what may move when the kernel changes (addresses, source line numbers, sizes)."""
    # The banner's page counts follow the size of the kernel image.
    line = re.sub(r"\b\d+ pages (total|free) \(\d+ KiB\)", r"# pages \1 (# KiB)", line)
    line = re.sub(r"0x[0-9a-f]+", "0x#", line)
    line = re.sub(r"\b[0-9a-f]{8,}\b", "#", line)
    line = re.sub(r"\b\d{9,}\b", "#", line)
    line = re.sub(r"(\.[chS]):\d+", r"\1:#", line)
    line = re.sub(r"\bline \d+\.", "line #.", line)
    return re.sub(r"^\d+\t", "#\t", line)


def masked_diff(old, new):
    """The hunks where old and new differ beyond mask(), shown with their real lines."""
    a, b = old.splitlines(), new.splitlines()
    sm = difflib.SequenceMatcher(None, [mask(l) for l in a], [mask(l) for l in b], autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        out.append(f"@@ {DOC} line {i1 + 1} @@")
        out += ["-" + l for l in a[i1:i2]] + ["+" + l for l in b[j1:j2]]
    return out


def versions():
    out = []
    for argv in (["gcc", "--version"], ["gdb", "--version"], ["qemu-system-x86_64", "--version"]):
        r = run(argv)
        out.append(f"$ {sh(argv)} | head -1\n" + (r.stdout.splitlines() or ["?"])[0])
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--allow-stale", action="store_true")
    ap.add_argument("-o", dest="output")
    a = ap.parse_args()

    # The same machine every time, whatever the caller's environment says.
    os.environ.update(ACCEL="tcg", MEM="256M")
    os.environ.pop("QEMU_OPTS", None)
    os.environ.pop("FL_CMDLINE", None)

    doc_path = os.path.join(ROOT, DOC)
    if not os.path.exists(doc_path):
        die(f"{DOC} is missing: it holds the prose and the markers (restore it from git)")
    with open(doc_path) as f:
        doc = f.read()

    preflight(a.allow_stale)
    print("gen-walkthrough: building walkdemo", file=sys.stderr)
    build = build_program()
    print("gen-walkthrough: booting it with fault_trace", file=sys.stderr)
    banner, program, _ = boot_and_run()
    print("gen-walkthrough: the GDB session", file=sys.stderr)
    gdb = gdb_session()

    text = {"boot": banner, "run": program, **gdb}
    failed = check(text)
    if failed:
        print("gen-walkthrough: the transcripts no longer say what the prose says:", file=sys.stderr)
        for f in failed:
            print("  - " + f, file=sys.stderr)
        print(f"  (raw logs in {OUT}/; update the prose and these checks together)", file=sys.stderr)
        if not a.force:
            sys.exit(1)

    pieces = {name: (body, "") for name, body in text.items()}
    pieces["program"] = (program_source(), "c")
    pieces["build"] = (build, "")
    pieces["debug-command"] = (sh(["tools/debug", "--initramfs", CPIO, "--cmdline", GDB_CMDLINE]), "sh")
    pieces["versions"] = (versions(), "")
    new = splice(doc, pieces)

    bad_links = check_links(new)
    if bad_links:
        print("gen-walkthrough: links to missing sections: " + ", ".join(bad_links), file=sys.stderr)
        if not a.force:
            sys.exit(1)

    if a.check:
        diff = masked_diff(doc, new)
        if not diff:
            print(f"gen-walkthrough: {DOC} is up to date (addresses and line numbers aside)", file=sys.stderr)
            return
        print("\n".join(diff))
        print(f"gen-walkthrough: {DOC} is out of date: run python3 tools/gen-walkthrough.py", file=sys.stderr)
        sys.exit(1)

    out_path = os.path.abspath(a.output) if a.output else doc_path
    if out_path == doc_path and new == doc:
        print(f"gen-walkthrough: {DOC} unchanged", file=sys.stderr)
        return
    with open(out_path, "w") as f:
        f.write(new)
    print(f"gen-walkthrough: wrote {os.path.relpath(out_path, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
