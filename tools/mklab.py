#!/usr/bin/env python3
"""Make a course lab's student skeleton from the solution tree (labs/README.md).

  tools/mklab.py NAME OUT_DIR [--force]   write the skeleton of lab NAME to OUT_DIR
  tools/mklab.py --list                   the labs and where their regions are
  tools/mklab.py --check                  check every marker in the tree; exit 1 if any is wrong

The solution is the tree itself.  In its C and assembly sources the code a
student writes sits between marker comments, so the solution builds as it is:

    /* LAB lazy BEGIN: what the student must do, one line */
    ...solution lines...
    /* LAB lazy STUB
    return VM_FAULT_SIGBUS;
       LAB lazy END */

(a region with nothing to put back may end with the single line
"/* LAB lazy END */" instead of a STUB block).  The skeleton is a copy of
the tree's files (git ls-files: tracked, plus untracked files that are not
ignored; without git, every file outside build/ and .git/), except the
instructors' notes labs/*/solution*, in which each region of lab NAME
becomes

    /* LAB lazy: what the student must do -- your code here (see labs/lazy/README.md) */
    return VM_FAULT_SIGBUS;

(the STUB lines, now code: they keep the skeleton compiling and failing the
lab's tests).  Regions of the other labs stay solved, markers and all.
"""
import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Files that may hold markers.
MARKED = ("*.c", "*.h", "*.S")
# Never copied into a skeleton: the instructors' notes.
PRIVATE = ("labs/*/solution*", "labs/*/SOLUTION*")
# Without git: what not to copy.
SKIP_DIRS = {".git", "build", "__pycache__"}

BEGIN = re.compile(r"^(?P<indent>[ \t]*)/\* LAB (?P<lab>[a-z0-9_-]+) BEGIN(?::[ \t]*(?P<what>.*?))?[ \t]*\*/[ \t]*$")
STUB = re.compile(r"^[ \t]*/\* LAB (?P<lab>[a-z0-9_-]+) STUB[ \t]*$")
END_OF_STUB = re.compile(r"^[ \t]*LAB (?P<lab>[a-z0-9_-]+) END[ \t]*\*/[ \t]*$")
END_ALONE = re.compile(r"^[ \t]*/\* LAB (?P<lab>[a-z0-9_-]+) END[ \t]*\*/[ \t]*$")
ANY = re.compile(r"\bLAB [a-z0-9_-]+ (BEGIN|STUB|END)\b")


class MarkerError(Exception):
    pass


class Region:
    def __init__(self, lab, path, begin, end, indent, what, stub):
        self.lab, self.path, self.begin, self.end = lab, path, begin, end  # 1-based line numbers
        self.indent, self.what, self.stub = indent, what, stub

    def __str__(self):
        return f"{self.path}:{self.begin}-{self.end} ({self.function or 'file scope'}): {self.what}"

    function = None


def parse(path, lines):
    """The regions of one file, in order; MarkerError if the markers are malformed."""
    regions = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = BEGIN.match(line)
        if not m:
            if ANY.search(line):
                raise MarkerError(f"{path}:{i + 1}: marker outside a region or malformed: {line.strip()}")
            i += 1
            continue
        lab, start = m.group("lab"), i
        if not m.group("what"):
            raise MarkerError(f"{path}:{i + 1}: 'LAB {lab} BEGIN' needs ': what to do'")
        stub, j = None, i + 1
        while j < len(lines):
            s = lines[j]
            if BEGIN.match(s):
                raise MarkerError(f"{path}:{j + 1}: region of lab {lab} (line {i + 1}) not closed before this one")
            ms, me = STUB.match(s), END_ALONE.match(s)
            if ms or me:
                other = (ms or me).group("lab")
                if other != lab:
                    raise MarkerError(f"{path}:{j + 1}: 'LAB {other}' marker inside the region of lab {lab}")
                if me:
                    stub = []
                    break
                stub = []
                j += 1
                while j < len(lines) and not END_OF_STUB.match(lines[j]):
                    if ANY.search(lines[j]) or "/*" in lines[j] or "*/" in lines[j]:
                        raise MarkerError(f"{path}:{j + 1}: a STUB line may not hold a comment or a marker")
                    stub.append(lines[j])
                    j += 1
                if j == len(lines):
                    raise MarkerError(f"{path}:{i + 1}: STUB of lab {lab} never reaches 'LAB {lab} END */'")
                if END_OF_STUB.match(lines[j]).group("lab") != lab:
                    raise MarkerError(f"{path}:{j + 1}: STUB of lab {lab} closed by another lab's END")
                break
            if ANY.search(s):
                raise MarkerError(f"{path}:{j + 1}: unexpected marker inside the region of lab {lab}: {s.strip()}")
            j += 1
        if stub is None:
            raise MarkerError(f"{path}:{i + 1}: region of lab {lab} has no END")
        r = Region(lab, path, start + 1, j + 1, m.group("indent"), m.group("what"), stub)
        r.function = enclosing_function(lines, start)
        regions.append(r)
        i = j + 1
    return regions


FUNC = re.compile(r"^[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\(")


def enclosing_function(lines, index):
    """The C function a region is in (or, at file scope, the next one it holds): for --list."""
    depth = 0
    for k in range(index - 1, -1, -1):
        line = lines[k]
        depth += line.count("}") - line.count("{")
        if line.startswith("{") and depth < 0:
            for h in range(k - 1, max(k - 4, -1), -1):
                m = FUNC.match(lines[h])
                if m:
                    return m.group(1)
            return None
    for line in lines[index + 1:]:
        m = FUNC.match(line)
        if m:
            return m.group(1)
    return None


def apply(lines, regions, lab):
    """The lines of a file with lab's regions replaced by the note and the stub."""
    out, nxt = [], 0
    for r in regions:
        if r.lab != lab:
            continue
        out.extend(lines[nxt:r.begin - 1])
        out.append(f"{r.indent}/* LAB {lab}: {r.what} -- your code here (see labs/{lab}/README.md) */\n")
        out.extend(r.stub)
        nxt = r.end
    out.extend(lines[nxt:])
    return out


def tree_files(src):
    """Relative paths of the files that make up the tree."""
    try:
        out = subprocess.run(["git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             capture_output=True, check=True).stdout
        names = sorted(set(p for p in out.decode().split("\0") if p))
    except (OSError, subprocess.CalledProcessError):
        names = []
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            rel = os.path.relpath(dirpath, src)
            for f in filenames:
                names.append(os.path.normpath(os.path.join(rel, f)))
        names.sort()
    keep = []
    for p in names:
        full = os.path.join(src, p)
        if not os.path.isfile(full) or os.path.islink(full) and not os.path.exists(full):
            continue  # deleted in the working tree, or a dangling link
        if any(fnmatch.fnmatch(p, pat) for pat in PRIVATE):
            continue
        keep.append(p)
    return keep


def read_lines(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return f.readlines()


def scan(src):
    """{path: (lines, regions)} for every marked file of the tree."""
    found = {}
    for p in tree_files(src):
        if not any(fnmatch.fnmatch(os.path.basename(p), pat) for pat in MARKED):
            continue
        lines = read_lines(os.path.join(src, p))
        if not any("LAB " in l for l in lines):
            continue
        regions = parse(p, lines)
        if regions:
            found[p] = (lines, regions)
    return found


def labs_in(src):
    """Lab names: the directories of labs/ holding a README.md."""
    d = os.path.join(src, "labs")
    if not os.path.isdir(d):
        return []
    return sorted(n for n in os.listdir(d) if os.path.isfile(os.path.join(d, n, "README.md")))


def make_skeleton(lab, out, src=ROOT, force=False):
    """Write the skeleton; returns the list of regions replaced."""
    marked = scan(src)
    regions = [r for _, rs in marked.values() for r in rs if r.lab == lab]
    if not regions:
        known = sorted({r.lab for _, rs in marked.values() for r in rs})
        raise MarkerError(f"lab '{lab}' has no marked regions in {src} (labs with regions: {', '.join(known) or 'none'})")
    out = os.path.abspath(out)
    if os.path.realpath(out) == os.path.realpath(src) or os.path.realpath(src).startswith(os.path.realpath(out) + os.sep):
        raise MarkerError(f"refusing to write the skeleton over the solution tree {src}")
    if os.path.exists(out):
        if not force:
            raise MarkerError(f"{out} exists: it may hold your work. Remove it, or pass --force (make ... FORCE=1)")
        shutil.rmtree(out)
    os.makedirs(out)
    for p in tree_files(src):
        s, d = os.path.join(src, p), os.path.join(out, p)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if p in marked and any(r.lab == lab for r in marked[p][1]):
            lines, rs = marked[p]
            with open(d, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.writelines(apply(lines, rs, lab))
            shutil.copymode(s, d)
        else:
            shutil.copy2(s, d, follow_symlinks=True)
    head = subprocess.run(["git", "-C", src, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    with open(os.path.join(out, ".faultline-lab"), "w") as f:
        f.write(f"lab {lab}\nfrom {head.stdout.strip() or 'unknown'} (plus uncommitted changes, if any)\n")
    return regions


def main():
    ap = argparse.ArgumentParser(description="Make a lab skeleton from the solution tree.")
    ap.add_argument("lab", nargs="?")
    ap.add_argument("out", nargs="?")
    ap.add_argument("--force", action="store_true", help="replace OUT_DIR if it exists")
    ap.add_argument("--list", action="store_true", help="list the labs and their regions")
    ap.add_argument("--check", action="store_true", help="check the markers of the whole tree")
    ap.add_argument("--src", default=ROOT, help="the solution tree (default: this repository)")
    a = ap.parse_args()
    try:
        if a.list or a.check:
            marked = scan(a.src)
            regions = [r for _, rs in marked.values() for r in rs]
            labs = labs_in(a.src)
            problems = [f"lab {l}: no marked region in the sources" for l in labs
                        if not any(r.lab == l for r in regions)]
            problems += [f"{r.path}:{r.begin}: region of lab '{r.lab}', which has no labs/{r.lab}/README.md"
                         for r in regions if r.lab not in labs]
            for l in labs:
                if a.list:
                    print(f"{l}:")
                    for r in regions:
                        if r.lab == l:
                            print(f"  {r}")
            for p in problems:
                print(f"mklab: {p}", file=sys.stderr)
            if a.check and not problems:
                print(f"mklab: {len(regions)} regions in {len(marked)} files, labs: {' '.join(labs)}")
            sys.exit(1 if problems else 0)
        if not a.lab or not a.out:
            ap.error("need NAME and OUT_DIR (or --list / --check)")
        regions = make_skeleton(a.lab, a.out, a.src, a.force)
    except MarkerError as e:
        print(f"mklab: {e}", file=sys.stderr)
        sys.exit(1)
    out = os.path.relpath(os.path.abspath(a.out))
    print(f"Lab '{a.lab}': the skeleton is in {out}/ ({len(regions)} region(s) to fill in):")
    for r in regions:
        print(f"  {r.path}: {r.function or 'file scope'}: {r.what}")
    print(f"The handout: {out}/labs/{a.lab}/README.md")
    print(f"Build and grade it:  cd {out} && make grade-{a.lab}")


if __name__ == "__main__":
    main()
