"""The user tier: programs run as PID 1 under Faultline, compared with the host Linux.

tests/user/run-host.sh builds the programs and runs every case of
tests/user/cases.txt on this machine's Linux: that is the expected output
and status.  Each case then boots Faultline with the same binary as /init
(tools/run-elf); output bytes and status must match, and every page the
program used must be free again when it exits.
"""
import concurrent.futures
import difflib
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flqemu  # noqa: E402

ROOT = flqemu.ROOT
USER = os.path.join(ROOT, "build", "user")
def load_run_elf():
    import importlib.machinery
    import importlib.util
    path = os.path.join(ROOT, "tools", "run-elf")
    loader = importlib.machinery.SourceFileLoader("run_elf", path)
    spec = importlib.util.spec_from_loader("run_elf", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def read_cases(name="cases.txt"):
    cases = []
    with open(os.path.join(ROOT, "tests", "user", name)) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if line:
                cases.append((line[0], line[1], line[2:]))
    return cases


def run_case(rel, case):
    name, prog, args = case
    r = rel.run(os.path.join(USER, prog), args, timeout=300)
    status, leaked = rel.status_of(r)
    return name, r, status, leaked


def tier_user(report):
    host = subprocess.run(["bash", "tests/user/run-host.sh"], cwd=ROOT, capture_output=True, text=True)
    if host.returncode:
        report("user/host-oracle-build-and-run", False, host.stdout[-2000:] + host.stderr[-2000:])
        return
    rel = load_run_elf()
    cases = read_cases()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for name, r, status, leaked in pool.map(lambda c: run_case(rel, c), cases):
            exp_dir = os.path.join(USER, "expected")
            with open(os.path.join(exp_dir, name + ".out"), "rb") as f:
                want_out = f.read()
            with open(os.path.join(exp_dir, name + ".status")) as f:
                want_status = int(f.read().strip())
            got_out = r.console
            problems = []
            if status != want_status:
                problems.append(f"status {status}, host Linux {want_status}")
            if got_out != want_out:
                diff = difflib.unified_diff(want_out.decode(errors="replace").splitlines(),
                                            got_out.decode(errors="replace").splitlines(),
                                            "host Linux", "Faultline", lineterm="", n=1)
                problems.append("output differs:\n" + "\n".join(list(diff)[:40]))
            if leaked:
                problems.append(f"{leaked} pages not freed after the program ended")
            if status in (rel.EXIT_PANIC, rel.EXIT_TIMEOUT):
                problems.append(r.console.decode(errors="replace")[-2000:])
            report(f"user/{name}", not problems, "; ".join(problems))
    tier_faultline_only(report, rel)


def tier_faultline_only(report, rel):
    """Cases with golden output (kernel state Linux does not show): build with musl, run, compare."""
    for name, prog, args in read_cases("faultline-only.txt"):
        exe = os.path.join(USER, prog)
        build = subprocess.run(["musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", exe,
                                os.path.join(ROOT, "tests", "user", prog + ".c"), "-lpthread"],
                               capture_output=True, text=True)
        if build.returncode:
            report(f"user/{name}", False, "build failed:\n" + build.stderr[-1500:])
            continue
        r = rel.run(exe, args, timeout=300)
        status, leaked = rel.status_of(r)
        with open(os.path.join(ROOT, "tests", "user", "golden", name + ".out"), "rb") as f:
            want = f.read()
        problems = []
        if status != 0:
            problems.append(f"status {status}")
        if r.console != want:
            diff = difflib.unified_diff(want.decode(errors="replace").splitlines(),
                                        r.console.decode(errors="replace").splitlines(),
                                        "golden", "Faultline", lineterm="", n=1)
            problems.append("output differs:\n" + "\n".join(list(diff)[:40]))
        if leaked:
            problems.append(f"{leaked} pages not freed after the program ended")
        report(f"user/{name}", not problems, "; ".join(problems))


def register(tiers, report):
    tiers["user"] = lambda: tier_user(report)
