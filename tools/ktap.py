"""Parse the KTAP output of Faultline's in-kernel tests (kernel/ktest.c).

parse(text) -> list of (suite, case, status, detail) where status is
"ok", "fail", "skip" or "missing" (the plan promised a case that never
reported: the kernel died first).  A suite that never started after the
top-level plan counts as missing too.
"""
import re

CASE = re.compile(r"^    (not ok|ok) (\d+) (\S+)(?: # SKIP (.*))?$")
SUITE_START = re.compile(r"^    # Subtest: (\S+)$")
SUITE_PLAN = re.compile(r"^    1\.\.(\d+)$")
TOP_PLAN = re.compile(r"^1\.\.(\d+)$")
DIAG = re.compile(r"^        # (.*)$")


def parse(text):
    results = []
    suite, planned, seen, diags = None, 0, 0, []
    top_plan, suites_started = None, 0

    def close_suite():
        for n in range(seen + 1, planned + 1):
            results.append((suite, f"case {n}", "missing", "never reported (kernel stopped)"))

    for raw in text.splitlines():
        line = raw.rstrip("\r")
        m = TOP_PLAN.match(line)
        if m and top_plan is None:
            top_plan = int(m.group(1))
            continue
        m = SUITE_START.match(line)
        if m:
            if suite:
                close_suite()
            suite, planned, seen, diags = m.group(1), 0, 0, []
            suites_started += 1
            continue
        m = SUITE_PLAN.match(line)
        if m and suite:
            planned = int(m.group(1))
            continue
        m = DIAG.match(line)
        if m:
            diags.append(m.group(1))
            continue
        m = CASE.match(line)
        if m and suite:
            seen = int(m.group(2))
            status = "skip" if m.group(4) else ("ok" if m.group(1) == "ok" else "fail")
            results.append((suite, m.group(3), status, "; ".join(diags) or (m.group(4) or "")))
            diags = []
    if suite:
        close_suite()
    if top_plan is not None:
        for n in range(suites_started + 1, top_plan + 1):
            results.append((f"suite {n}", "-", "missing", "never started (kernel stopped)"))
    return results
