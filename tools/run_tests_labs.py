"""The labs tier: every course lab's solution gets full marks, its generated skeleton does not.

For the labs of labs/ (each with a README.md handout and a tests.txt):
  labs/markers                the marker comments of the whole tree are well formed
                              (tools/mklab.py --check)
  labs/NAME/solution          tools/grade.py on this tree, as built (like the other
                              tiers, this one does not build the kernel): full score
  labs/NAME/skeleton-builds   tools/mklab.py NAME build/labs-test/NAME, then make all there
  labs/NAME/skeleton-fails    tools/grade.py NAME on that skeleton: less than full score
The solution is graded once for all labs (one ktest boot, each user case
once); each skeleton is built once and booted once per check, two at a time.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flqemu  # noqa: E402

ROOT = flqemu.ROOT
PY = sys.executable or "python3"
GRADE = os.path.join(ROOT, "tools", "grade.py")
MKLAB = os.path.join(ROOT, "tools", "mklab.py")
TIMEOUT = "60"  # per boot; a check takes a few seconds when it works, musl-malloc up to ~30 s on a loaded host


def labs():
    d = os.path.join(ROOT, "labs")
    if not os.path.isdir(d):
        return []
    return sorted(n for n in os.listdir(d)
                  if os.path.isfile(os.path.join(d, n, "README.md")) and os.path.isfile(os.path.join(d, n, "tests.txt")))


def grade(lab_list, tree, extra):
    """Run tools/grade.py; (results from its JSON or None, its output)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as t:
        out_json = t.name
    try:
        r = subprocess.run([PY, GRADE, ",".join(lab_list), tree, "--json", out_json, "--timeout", TIMEOUT, *extra],
                           cwd=ROOT, capture_output=True, text=True)
        try:
            with open(out_json) as f:
                results = json.load(f)
        except (OSError, ValueError):
            results = None
        return results, r.stdout + r.stderr
    finally:
        os.unlink(out_json)


def failing(result):
    """Short lines naming the checks that lost points, with the first line of each one's detail."""
    lines = []
    for c in result["checks"]:
        if not c["ok"]:
            lines.append(f"{c['check']}: " + (c["detail"][0] if c["detail"] else "failed"))
    return lines


def tier_labs(report):
    marker = os.path.join(ROOT, ".faultline-lab")
    if os.path.exists(marker):
        with open(marker) as f:
            what = f.readline().strip()
        print(f"(skipped: this tree is a generated skeleton ({what}); grade it with tools/grade.py)")
        return
    names = labs()
    if not names:
        report("labs/present", False, "no labs/*/README.md with a tests.txt")
        return
    chk = subprocess.run([PY, MKLAB, "--check"], cwd=ROOT, capture_output=True, text=True)
    report("labs/markers", chk.returncode == 0, (chk.stdout + chk.stderr).strip())

    results, text = grade(names, ROOT, ["--no-build"])
    for lab in names:
        res = (results or {}).get(lab)
        if not res:
            report(f"labs/{lab}/solution", False, "the grader did not run:\n" + text[-2500:])
            continue
        ok = res["score"] == res["total"]
        report(f"labs/{lab}/solution", ok, f"Score: {res['score']}/{res['total']}"
               + ("" if ok else "\n" + "\n".join(failing(res))))

    for lab in names:
        t0 = time.monotonic()
        out = os.path.join(ROOT, "build", "labs-test", lab)
        mk = subprocess.run([PY, MKLAB, lab, out, "--force"], cwd=ROOT, capture_output=True, text=True)
        if mk.returncode:
            report(f"labs/{lab}/skeleton-builds", False, "mklab failed:\n" + (mk.stdout + mk.stderr)[-2000:])
            continue
        results, text = grade([lab], out, ["--reuse-oracle"])
        res = (results or {}).get(lab)
        if not res:
            report(f"labs/{lab}/skeleton-builds", False, "the grader did not run:\n" + text[-2500:])
            continue
        report(f"labs/{lab}/skeleton-builds", res["built"],
               os.path.relpath(out, ROOT) + ("" if res["built"] else "\n" + results.get("_build_log", "")[-2500:]))
        if not res["built"]:
            continue
        secs = time.monotonic() - t0
        report(f"labs/{lab}/skeleton-fails", res["score"] < res["total"],
               f"Score: {res['score']}/{res['total']} ({secs:.0f} s)"
               + ("\nthe skeleton passes every check: the markers leave nothing to do" if res["score"] == res["total"]
                  else ""))


def register(tiers, report):
    tiers["labs"] = lambda: tier_labs(report)
