#!/usr/bin/env python3
"""Grade a course lab: build a tree, run the lab's tests on it, print the score.

  tools/grade.py LAB [TREE] [options]      make grade-LAB [TREE=dir]
  tools/grade.py lazy,cow TREE             several labs (shared boots), one score each
  tools/grade.py all [TREE]                every lab

TREE is the Faultline tree to grade: a skeleton made by `make lab-LAB`
that you have been working in, or by default the tree this script is in.
The grader
  1. builds it (`make -C TREE all`; --no-build uses the build already there),
  2. runs the lab's checks, listed in labs/LAB/tests.txt of the tree this
     script is in, against TREE's kernel (TREE/build/faultline.iso):
       ktest   a case of an in-kernel suite: one boot with ktest=SUITE,...
       user    a case of tests/user/cases.txt: the program runs as PID 1 and
               its output and exit status must equal the host Linux's
               (tests/user/run-host.sh), with every page freed at the end
       golden  a case of tests/user/faultline-only.txt, against its golden file
       prog    a lab's own program (labs/LAB/*.c), compared with the host too
  3. prints one line per check and "Score: X/Y".
Exit status: 0 full marks, 1 less, 2 the grader could not run.

Options: --no-build, --timeout S (per boot, default 60; up to --retries N
boots that time out, default 2, are run once more), -j N (boots at a
time, default 2), -v (details of passing checks too), --json FILE.
"""
import argparse
import concurrent.futures
import difflib
import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import flqemu  # noqa: E402
import ktap  # noqa: E402
import run_tests_user  # noqa: E402

USER = os.path.join(ROOT, "build", "user")
PROGS = os.path.join(ROOT, "build", "lab-progs")
USER_CFLAGS = ["-static", "-nostdlib", "-nostartfiles", "-ffreestanding", "-fno-stack-protector", "-fno-pie",
               "-no-pie", "-O2", "-Wall", "-Wextra", "-Werror", "-Itests/user/include"]
USER_RT = ["tests/user/lib/crt0.S", "tests/user/lib/ulib.c"]
KINDS = ("ktest", "user", "golden", "prog")


class GradeError(Exception):
    pass


class Check:
    def __init__(self, lab, kind, points, name, args=(), source=None):
        self.lab, self.kind, self.points, self.name = lab, kind, points, name
        self.args, self.source = list(args), source
        self.ok, self.detail, self.seconds = False, [], 0.0

    @property
    def key(self):
        """Checks of several labs that run the same thing share one run."""
        return (self.kind, self.name, tuple(self.args), self.source)

    @property
    def title(self):
        return f"{self.kind} {self.name}"


def all_labs():
    d = os.path.join(ROOT, "labs")
    return sorted(n for n in os.listdir(d) if os.path.isfile(os.path.join(d, n, "tests.txt"))) if os.path.isdir(d) else []


def load_checks(lab):
    """The checks of labs/LAB/tests.txt, globs expanded: KIND POINTS NAME [ARGS...]."""
    path = os.path.join(ROOT, "labs", lab, "tests.txt")
    if not os.path.exists(path):
        raise GradeError(f"no lab '{lab}' (labs: {', '.join(all_labs()) or 'none'})")
    user_cases = {n: (p, a) for n, p, a in run_tests_user.read_cases("cases.txt")}
    golden_cases = {n: (p, a) for n, p, a in run_tests_user.read_cases("faultline-only.txt")}
    checks = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            words = shlex.split(line.split("#", 1)[0])
            if not words:
                continue
            where = f"labs/{lab}/tests.txt:{lineno}"
            if len(words) < 3 or words[0] not in KINDS or not words[1].isdigit():
                raise GradeError(f"{where}: expected 'KIND POINTS NAME [ARGS...]', KIND one of {', '.join(KINDS)}")
            kind, points, name, rest = words[0], int(words[1]), words[2], words[3:]
            if kind == "ktest":
                if "/" not in name:
                    raise GradeError(f"{where}: a ktest check is SUITE/CASE")
                checks.append(Check(lab, kind, points, name))
            elif kind in ("user", "golden"):
                table = user_cases if kind == "user" else golden_cases
                names = sorted(n for n in table if fnmatch.fnmatchcase(n, name))
                if not names and not any(c in name for c in "*?["):
                    raise GradeError(f"{where}: no case '{name}' in tests/user/"
                                     f"{'cases.txt' if kind == 'user' else 'faultline-only.txt'}")
                for n in names:  # a glob matching nothing adds nothing
                    checks.append(Check(lab, kind, points, n, table[n][1]))
            else:
                if not rest or not rest[0].endswith(".c"):
                    raise GradeError(f"{where}: a prog check is 'prog POINTS NAME SOURCE.c [ARGS...]'")
                checks.append(Check(lab, kind, points, name, rest[1:], rest[0]))
    if not checks:
        raise GradeError(f"labs/{lab}/tests.txt lists no checks")
    return checks


# ---------------------------------------------------------------------------
# Building

def clean_env():
    """The environment for a nested make: not the outer make's jobserver."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


def build_tree(tree, jobs):
    t0 = time.monotonic()
    r = subprocess.run(["make", "-C", tree, f"-j{jobs}", "all"], capture_output=True, text=True, env=clean_env())
    log = r.stdout + r.stderr
    return r.returncode == 0, log, time.monotonic() - t0


def compile_errors(log, limit=25):
    lines = log.splitlines()
    picked = [l for l in lines if re.search(r"error:|warning:|Error \d|undefined reference", l)]
    return (picked or lines)[-limit:]


def host_oracle(checks, reuse=False):
    """Build the user programs and record the host Linux's output for user and prog checks.
    reuse: if build/user holds every program and expected result needed, trust it as an earlier
    run of tests/user/run-host.sh left it (the labs tier).  A lab's own programs are always rebuilt."""
    users = [c for c in checks if c.kind == "user"]
    user_prog = {n: p for n, p, _ in run_tests_user.read_cases("cases.txt")}
    if reuse and all(os.path.exists(os.path.join(USER, "expected", c.name + ".status")) and
                     os.path.exists(os.path.join(USER, user_prog[c.name])) for c in users):
        users = []  # run-host.sh's programs and results are there already
    if users:
        r = subprocess.run(["bash", os.path.join(ROOT, "tests", "user", "run-host.sh")], cwd=ROOT,
                           capture_output=True, text=True)
        if r.returncode:
            raise GradeError("tests/user/run-host.sh failed:\n" + (r.stdout + r.stderr)[-2000:])
    built = set()
    for c in checks:
        if c.kind == "golden" and c.name not in built:
            prog = dict((n, p) for n, p, _ in run_tests_user.read_cases("faultline-only.txt"))[c.name]
            os.makedirs(USER, exist_ok=True)
            r = subprocess.run(["musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o",
                                os.path.join(USER, prog), os.path.join("tests", "user", prog + ".c"), "-lpthread"],
                               cwd=ROOT, capture_output=True, text=True)
            if r.returncode:
                raise GradeError(f"building tests/user/{prog}.c failed:\n{r.stderr[-1500:]}")
            built.add(c.name)
        if c.kind == "prog":
            exe = prog_exe(c)
            if exe not in built:
                os.makedirs(PROGS, exist_ok=True)
                r = subprocess.run(["gcc", *USER_CFLAGS, "-o", exe, c.source, *USER_RT], cwd=ROOT,
                                   capture_output=True, text=True)
                if r.returncode:
                    raise GradeError(f"building {c.source} failed:\n{r.stderr[-1500:]}")
                built.add(exe)
            out, status = prog_expected(c)
            # As run-host.sh runs a case: 8 MiB stack limit, stdin empty, 2>&1 into a file, no capabilities.
            wrap = "setpriv --bounding-set=-all --inh-caps=-all -- " if os.geteuid() == 0 and \
                subprocess.run(["sh", "-c", "command -v setpriv"], capture_output=True).returncode == 0 else ""
            cmd = f"( ulimit -s 8192; exec {wrap}{shlex.quote(exe)} {' '.join(map(shlex.quote, c.args))} ) " \
                  f"</dev/null >{shlex.quote(out)} 2>&1; echo $? >{shlex.quote(status)}"
            subprocess.run(["bash", "-c", cmd], cwd=ROOT, stderr=subprocess.DEVNULL)


def prog_exe(c):
    return os.path.join(PROGS, os.path.splitext(os.path.basename(c.source))[0])


def prog_expected(c):
    base = os.path.join(PROGS, "expected", c.name)
    os.makedirs(os.path.dirname(base), exist_ok=True)
    return base + ".out", base + ".status"


# ---------------------------------------------------------------------------
# Running

def panic_summary(text, limit=12):
    """The lines of a console that say what went wrong in the kernel."""
    lines = text.splitlines()
    keep, frames = [], 0
    for i, l in enumerate(lines):
        if re.match(r"(BUG:|Oops|WARNING:|RIP:|Kernel panic|kernel BUG)", l):
            keep.append(l)
        elif l.startswith("Call Trace:"):
            keep.append(l)
            frames = 5
        elif frames and l.startswith(" ["):
            keep.append(l)
            frames -= 1
    return keep[:limit]


HANG_HINT = ("hint: a hang, or a fault that never ends: a handler that returns 0 without "
             "a PTE that allows the access is entered again at once, forever")


def hint_for(text):
    if "No working init found" in text:
        return ("hint: the kernel could not even start /init: exec writes the new program's stack and "
                "data with copy_to_user/clear_user, and those faults go through the code you are writing")
    return None


def run_ktest(suites, timeout):
    r = flqemu.boot("quiet ktest=" + ",".join(sorted(suites)), timeout=timeout)
    text = r.console.decode(errors="replace")
    return r, text, ktap.parse(text)


def last_started_case(text, suite):
    """The case of suite that was running when the console ends: the one after the last reported."""
    cases = [m.group(1) for m in re.finditer(r"^\s*KTEST_CASE\((\w+)\)", suite_source(suite), re.M)]
    done = [res[1] for res in ktap.parse(text) if res[0] == suite and res[2] != "missing"]
    for c in cases:
        if c not in done:
            return c
    return None


def suite_source(suite):
    """The text of the tests/ktest file that defines suite (for the order of its cases)."""
    for name in sorted(os.listdir(os.path.join(ROOT, "tests", "ktest"))):
        with open(os.path.join(ROOT, "tests", "ktest", name), errors="replace") as f:
            src = f.read()
        if re.search(r"KTEST_SUITE\(\s*%s\s*," % re.escape(suite), src):
            return src
    return ""


def judge_ktest(check, boot):
    r, text, results = boot
    suite, case = check.name.split("/", 1)
    found = [res for res in results if res[0] == suite and res[1] == case]
    check.ok = bool(found) and found[0][2] == "ok"
    if check.ok:
        if getattr(r, "timeouts_before", 0):
            check.detail = ["note: the first ktest boot timed out and was run again"]
        return
    if found and found[0][2] == "fail":
        check.detail = [d.strip() for d in found[0][3].split("; ") if d.strip()][:8]
    elif found and found[0][2] == "skip":
        check.detail = [f"skipped: {found[0][3]}"]
    elif found or any(res[0] == suite and res[2] == "missing" for res in results):
        running = last_started_case(text, suite)
        if r.timed_out and running == case:
            check.detail = [f"the kernel stopped answering during this case (timed out after {r.seconds:.0f} s)",
                            HANG_HINT]
        elif r.timed_out:
            check.detail = [f"never ran: the kernel stopped answering in {running or 'an earlier case'}"]
        else:
            check.detail = ["never reported: the kernel stopped before this case finished"]
    elif r.timed_out:
        check.detail = [f"the ktest boot timed out ({r.seconds:.0f} s): an endless fault loop, or a hang"]
    elif not any(res[0] == suite for res in results):
        check.detail = [f"suite '{suite}' never ran (not in this kernel, or the kernel died first)"]
    else:
        check.detail = [f"no case '{case}' in suite '{suite}'"]
    if r.timed_out and "timed out" not in check.detail[0] and "stopped answering" not in check.detail[0]:
        check.detail.append(f"(the ktest boot timed out after {r.seconds:.0f} s)")
    check.detail += panic_summary(text)


class RetryBudget:
    """Boots that timed out are run again, a slow host is not a wrong answer, but only a few per
    grading run: a kernel that hangs every time would otherwise double the wait."""

    def __init__(self, n):
        self.left = n
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def user_run(rel, exe, args, timeout, budget):
    timeouts = 0
    while True:
        r = rel.run(exe, args, timeout=timeout)
        status, leaked = rel.status_of(r)
        if status != rel.EXIT_TIMEOUT or not budget.take():
            r.timeouts_before = timeouts
            return r, status, leaked
        timeouts += 1


def snapshot_iso(iso, into):
    """A private copy of the tree's ISO, so that a rebuild while we grade cannot change the kernel under us."""
    dst = os.path.join(into, "faultline.iso")
    for _ in range(5):
        before = os.stat(iso)
        shutil.copyfile(iso, dst)
        after = os.stat(iso)
        if (before.st_mtime_ns, before.st_size) == (after.st_mtime_ns, after.st_size) == \
                (after.st_mtime_ns, os.path.getsize(dst)):
            return dst
        time.sleep(2)  # being rewritten (make in progress): wait for it to settle
    raise GradeError(f"{iso} keeps changing: is a build running in that tree?")


def judge_user(check, rel, run, want_out, want_status, oracle):
    r, status, leaked = run
    names = {rel.EXIT_PANIC: "kernel panic", rel.EXIT_TIMEOUT: "timed out", rel.EXIT_UNKNOWN: "no verdict"}
    problems = []
    text = r.console.decode(errors="replace")
    if status == rel.EXIT_TIMEOUT:
        check.ok = False
        check.detail = [f"timed out after {r.seconds:.0f} s (host Linux: exit status {want_status})", HANG_HINT]
        tail = [l for l in text.splitlines() if l.strip()][-4:]
        check.detail += ["its last output:"] + ["  " + l for l in tail] if tail else ["it printed nothing"]
        return
    if status != want_status:
        how = f" ({names[status]})" if status in names else f" (killed by signal {status - 128})" if status > 128 else ""
        problems.append(f"exit status {status}{how}, {oracle} {want_status}")
    if status == rel.EXIT_PANIC:
        problems += panic_summary(text)
        hint = hint_for(text)
        if hint:
            problems.append(hint)
    elif r.console != want_out:
        diff = difflib.unified_diff(want_out.decode(errors="replace").splitlines(), text.splitlines(),
                                    oracle, "Faultline", lineterm="", n=1)
        problems.append("output differs:")
        problems += ["  " + l for l in list(diff)[2:24]]
    if leaked:
        problems.append(f"{leaked} pages not freed after the program ended")
    check.ok = not problems
    check.detail = problems
    if getattr(r, "timeouts_before", 0):
        check.detail.append(f"note: the first boot timed out and was run again")


def run_checks(checks, tree, jobs, timeout, retries=2):
    """Run each distinct check once on TREE's kernel; fill in every check's verdict."""
    iso = os.path.join(tree, "build", "faultline.iso")
    if not os.path.exists(iso):
        raise GradeError(f"{os.path.relpath(iso)} does not exist: build the tree first")
    tmp = tempfile.mkdtemp(prefix="faultline-grade-")
    saved = flqemu.ISO
    try:
        flqemu.ISO = snapshot_iso(iso, tmp)  # every boot below uses TREE's kernel
        _run_checks(checks, jobs, timeout, retries)
    finally:
        flqemu.ISO = saved
        shutil.rmtree(tmp, ignore_errors=True)


def _run_checks(checks, jobs, timeout, retries):
    budget = RetryBudget(retries)
    rel = run_tests_user.load_run_elf()
    suites = {c.name.split("/")[0] for c in checks if c.kind == "ktest"}
    golden_prog = {n: p for n, p, _ in run_tests_user.read_cases("faultline-only.txt")}
    user_prog = {n: p for n, p, _ in run_tests_user.read_cases("cases.txt")}
    distinct = {}
    for c in checks:
        if c.kind != "ktest":
            distinct.setdefault(c.key, c)

    def task(item):
        t0 = time.monotonic()
        if item == "ktest":
            boot = run_ktest(suites, timeout)
            if boot[0].timed_out and budget.take():
                boot = run_ktest(suites, timeout)
                boot[0].timeouts_before = 1
            return item, boot, time.monotonic() - t0
        c = item
        exe = prog_exe(c) if c.kind == "prog" else os.path.join(USER, (user_prog if c.kind == "user" else golden_prog)[c.name])
        return c.key, user_run(rel, exe, c.args, timeout, budget), time.monotonic() - t0

    items = (["ktest"] if suites else []) + list(distinct.values())
    print(f"  running {len(checks)} checks in {len(items)} boots, {max(1, jobs)} at a time "
          f"({timeout:.0f} s timeout each)...", flush=True)
    runs = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for key, run, secs in pool.map(task, items):
            runs[key] = (run, secs)
    for c in checks:
        if c.kind == "ktest":
            boot, c.seconds = runs["ktest"]
            judge_ktest(c, boot)
            continue
        run, c.seconds = runs[c.key]
        if c.kind == "user":
            with open(os.path.join(USER, "expected", c.name + ".out"), "rb") as f:
                want = f.read()
            with open(os.path.join(USER, "expected", c.name + ".status")) as f:
                want_status = int(f.read().strip())
            judge_user(c, rel, run, want, want_status, "host Linux")
        elif c.kind == "golden":
            with open(os.path.join(ROOT, "tests", "user", "golden", c.name + ".out"), "rb") as f:
                want = f.read()
            judge_user(c, rel, run, want, 0, "golden")
        else:
            out, status = prog_expected(c)
            with open(out, "rb") as f:
                want = f.read()
            with open(status) as f:
                want_status = int(f.read().strip())
            judge_user(c, rel, run, want, want_status, "host Linux")


# ---------------------------------------------------------------------------

def grade(labs, tree, build=True, jobs=2, timeout=60, verbose=False, out=sys.stdout, retries=2,
          reuse_oracle=False):
    """Grade labs on tree; returns {lab: {"score", "total", "built", "checks": [...]}}."""
    tree = os.path.abspath(tree)
    checks = [c for lab in labs for c in load_checks(lab)]
    shown = os.path.relpath(tree) if not os.path.relpath(tree).startswith("../..") else tree
    print(f"Grading {', '.join(labs)} in {shown}", file=out, flush=True)
    built, build_log = True, ""
    if build:
        built, build_log, secs = build_tree(tree, jobs)
        print(f"  build: make -C {shown} all: {'ok' if built else 'FAILED'} ({secs:.0f} s)", file=out, flush=True)
        if not built:
            for l in compile_errors(build_log):
                print(f"        {l}", file=out)
    if built:
        host_oracle(checks, reuse_oracle)
        run_checks(checks, tree, jobs, timeout, retries)
    else:
        for c in checks:
            c.detail = ["the tree does not build"]
    results = {}
    seen_details = {}
    for lab in labs:
        mine = [c for c in checks if c.lab == lab]
        if len(labs) > 1:
            print(f"== lab {lab}", file=out)
        width = max(len(c.title) for c in mine) + 2
        for c in mine:
            pts = f"{c.points if c.ok else 0}/{c.points}"
            print(f"{'PASS' if c.ok else 'FAIL'}  {c.title:<{width}} {pts:>5}   ({c.seconds:.1f} s)", file=out)
            if c.ok and not verbose:
                for l in c.detail:
                    if l.startswith("note:"):
                        print(f"        {l}", file=out)
            elif built and c.detail:
                rest = "\n".join(c.detail[1:])  # after the status line: a diff, or a panic report
                if rest in seen_details and len(c.detail) > 2:
                    print(f"        {c.detail[0]}  (the rest as for {seen_details[rest]})", file=out)
                else:
                    seen_details.setdefault(rest, c.title)
                    for l in c.detail:
                        print(f"        {l}", file=out)
        score = sum(c.points for c in mine if c.ok)
        total = sum(c.points for c in mine)
        print(f"Score: {score}/{total}" + (f"  (lab {lab})" if len(labs) > 1 else ""), file=out, flush=True)
        results[lab] = {"score": score, "total": total, "built": built,
                        "checks": [{"check": c.title, "points": c.points, "ok": c.ok, "detail": c.detail,
                                    "seconds": round(c.seconds, 1)} for c in mine]}
    if not built:
        results["_build_log"] = build_log[-4000:]
    return results


def main():
    ap = argparse.ArgumentParser(description="Grade a Faultline course lab.", usage=__doc__.split("\n\n")[0])
    ap.add_argument("labs", help="LAB, LAB,LAB,... or all")
    ap.add_argument("tree", nargs="?", default="", help="the tree to grade (default: this repository)")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--retries", type=int, default=2,
                    help="how many timed-out boots may be run again, in all (default 2)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--reuse-oracle", action="store_true",
                    help="do not re-run tests/user/run-host.sh if its results are there")
    a = ap.parse_args()
    labs = all_labs() if a.labs == "all" else [l for l in a.labs.split(",") if l]
    tree = a.tree or ROOT
    if not os.path.isfile(os.path.join(tree, "Makefile")):
        print(f"grade: {tree} is not a Faultline tree (no Makefile)", file=sys.stderr)
        sys.exit(2)
    try:
        results = grade(labs, tree, not a.no_build, a.jobs, a.timeout, a.verbose, retries=a.retries,
                        reuse_oracle=a.reuse_oracle)
    except GradeError as e:
        print(f"grade: {e}", file=sys.stderr)
        sys.exit(2)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    full = all(r["score"] == r["total"] for k, r in results.items() if not k.startswith("_"))
    sys.exit(0 if full else 1)


if __name__ == "__main__":
    main()
