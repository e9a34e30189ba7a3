#!/usr/bin/env python3
"""mmviz: pictures of an address space and of its page tables, drawn by Graphviz.

  tools/mmviz.py maps FILE [-o OUT] [--title T] [--range START-END] [--no-files]
  tools/mmviz.py ptdump FILE [FILE2] [-o OUT] [--range START-END] [--maps MAPS]
                        [--title T] [--label NAME ...] [--collapse | --all-pages]

maps    FILE holds lines in the format of /proc/PID/maps (Faultline's, Linux's,
        or GDB's fl-vmas: they are the same).  The picture is the address
        space from high addresses (top) to low: one box per VMA with its
        permissions, name and size, the gaps between them labelled with their
        size, the stack guard gap under [stack], and the files that VMAs map.
        Heights grow with log2 of the size; gaps over 1 GiB are cut short.

ptdump  FILE holds Faultline's /proc/PID/ptdump ("pgd ... pgtables_bytes N",
        then indented pud[i] / pmd[j] / pte[k] tables and
        "VA -> PA FLAGS ref=N map=N" pages), or the output of GDB's
        fl-pagewalk for one or more addresses (optionally with fl-mm's
        pgtables_bytes line).  The picture is the tree PGD -> PUD -> PMD ->
        PTE tables -> pages for the pages in --range.  Pages are coloured by
        access: writable, read-only, the shared zero page, PROT_NONE.
        With a second FILE (say a parent and its child after fork) the two
        trees are drawn one above the other and meet at the physical pages
        on the right: a page both map has two arrows.

Lines that are not in the expected format (console noise, GDB prompts) are
skipped.  FILE may be '-' for standard input.  The output format follows
the extension of OUT: .svg (the default, on standard output without -o),
.png, .pdf, or .dot / .gv for the Graphviz source (needs no Graphviz).

Rendering needs Graphviz's `dot` (Debian package graphviz).  Otherwise this
is plain Python 3, no other modules.
"""
import argparse
import math
import os
import re
import shutil
import subprocess
import sys

PAGE = 4096
TASK_SIZE = 0x7ffffffff000        # arch/x86/include/asm/page.h: the end of the user half
STACK_GUARD_GAP = 256 * PAGE      # mm/mmap.c: stack_guard_gap, as on Linux (1 MiB)
CUT_GAP = 1 << 30                 # gaps wider than this are drawn cut short

FONT = "Helvetica"
MONO = "Courier"


class MmvizError(Exception):
    pass


# ---------------------------------------------------------------- helpers

def human(n):
    """4 KiB, 1 MiB, 127.99 TiB: binary units, at most two decimals, no trailing zeros."""
    units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    i = 0
    while i + 1 < len(units) and n >= 1 << (10 * (i + 1)):
        i += 1
    if i == 0:
        return f"{n} bytes"
    text = f"{n / (1 << (10 * i)):.2f}".rstrip("0").rstrip(".")
    exact = float(text) * (1 << (10 * i)) == n
    return f"{'' if exact else '~'}{text} {units[i]}"


def pages(n):
    count = n // PAGE
    return f"{count} page" + ("" if count == 1 else "s")


def esc(text):
    """Text for a Graphviz HTML-like label."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def parse_size(text):
    """A size: decimal bytes, 0x hex, or a decimal count of K, M, G or T (binary units): 4K, 2M."""
    t = text.strip().lower()
    m = re.fullmatch(r"(\d+)([kmgt])i?b?", t)
    if m:
        return int(m.group(1)) << (10 * ("kmgt".index(m.group(2)) + 1))
    return int(t, 0)


def parse_range(text):
    """START-END (hex addresses, END exclusive) or START+SIZE."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(?:0x)?([0-9a-fA-F]+)\s*([-+])\s*(\S+)\s*", text)
    try:
        start = int(m.group(1), 16)
        if m.group(2) == "+":
            end = start + parse_size(m.group(3))
        else:
            end = int(m.group(3), 16)
    except (AttributeError, ValueError):
        raise MmvizError(f"--range {text!r}: expected START-END or START+SIZE, e.g. "
                         "10000000-10400000 or 0x10000000+4M") from None
    if end <= start:
        raise MmvizError(f"--range {text!r}: the end must be above the start")
    return start, end


def read_input(path):
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError as e:
        raise MmvizError(f"cannot read {path}: {e.strerror}")


# ---------------------------------------------------------------- maps

MAPS_RE = re.compile(r"^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+)\s+([r-][w-][x-][psPS])\s+([0-9a-fA-F]+)\s+"
                     r"([0-9a-fA-F]+:[0-9a-fA-F]+)\s+(\d+)(?:\s+(.*?))?\s*$")


class Vma:
    def __init__(self, start, end, perms, offset, dev, inode, name):
        self.start, self.end, self.perms = start, end, perms
        self.offset, self.dev, self.inode, self.name = offset, dev, inode, name

    @property
    def size(self):
        return self.end - self.start

    @property
    def shared(self):
        return self.perms[3] == "s"

    @property
    def is_file(self):
        return self.inode != 0 and self.name != ""


def parse_maps(text):
    vmas = []
    for line in text.splitlines():
        m = MAPS_RE.match(line)
        if not m:
            continue
        start, end = int(m.group(1), 16), int(m.group(2), 16)
        if end <= start:
            continue
        vmas.append(Vma(start, end, m.group(3), int(m.group(4), 16), m.group(5), int(m.group(6)),
                        m.group(7) or ""))
    vmas.sort(key=lambda v: v.start)
    return vmas


# kind: (fill colour, what it is)
KINDS = {
    "text":    ("#f6bd60", "code (text)"),
    "rodata":  ("#f7e1a0", "read-only data"),
    "data":    ("#b5e48c", "data (private: a write copies the page)"),
    "rwxfile": ("#f4978e", "writable and executable"),
    "anon":    ("#bde0fe", "anonymous memory"),
    "heap":    ("#90caf9", "the heap: brk() moves its end"),
    "stack":   ("#cdb4db", "the main thread's stack: grows down"),
    "shared":  ("#ffafcc", "shared: every process that maps it sees the writes"),
    "shmem":   ("#ffafcc", "shared anonymous memory (a shmem object)"),
    "none":    ("#d9d9d9", "PROT_NONE: reserved, every access faults"),
    "special": ("#e5e5e5", "set up by the kernel"),
    "gap":     ("#ffffff", "unmapped"),
    "guard":   ("#fde2e4", "stack guard gap"),
}


def vma_kind(v):
    r, w, x = v.perms[0] == "r", v.perms[1] == "w", v.perms[2] == "x"
    if v.name == "[heap]":
        return "heap"
    if v.name.startswith("[stack"):
        return "stack"
    if v.name.startswith("[") and v.name.endswith("]"):
        return "special"
    if not (r or w or x):
        return "none"
    if v.name.startswith("/dev/zero") or v.name.startswith("/SYSV") or v.name.startswith("/memfd:"):
        return "shmem"
    if v.shared:
        return "shared"
    if v.is_file:
        if w and x:
            return "rwxfile"
        if x:
            return "text"
        return "data" if w else "rodata"
    return "anon"


def vma_description(v, kind, below=None, above=None, offsets=True):
    """What a VMA is, for the column beside it.  below, above: the VMAs touching it, if any."""
    what = KINDS[kind][1]
    if (kind == "rodata" and v.offset == 0 and above is not None and above.is_file
            and above.inode == v.inode and above.dev == v.dev and above.perms[2] == "x"):
        what = "read-only: the ELF header and program headers"
    if kind == "anon" and v.perms[2] == "x":
        what = "anonymous, executable"
    elif (kind == "anon" and below is not None and below.is_file and below.perms[1] == "w"
          and not below.shared):
        what = "anonymous: the .bss after the file's data (zero-filled)"
    if offsets and kind in ("text", "rodata", "data", "rwxfile", "shared") and v.is_file:
        what += f"; file offset {v.offset:#x}"
    return what


def row_height(size):
    """Points: 22 for one page, +9 for each doubling, at most 150."""
    return int(min(150, 22 + 9 * math.log2(max(size, PAGE) / PAGE)))


def maps_rows(vmas, lo, hi):
    """Rows from the top (high addresses) down: (kind, start, end, vma or None)."""
    rows = []
    top = max(hi, vmas[-1].end) if vmas else hi
    cursor = top
    for v in reversed(vmas):
        if v.end < cursor:
            gap_lo = v.end
            if rows and rows[-1][0] == "stack":
                guard = max(gap_lo, cursor - STACK_GUARD_GAP)
                rows.append(("guard", guard, cursor, None))
                cursor = guard
            if gap_lo < cursor:
                rows.append(("gap", gap_lo, cursor, None))
        rows.append((vma_kind(v), v.start, v.end, v))
        cursor = v.start
    if cursor > lo:
        if rows and rows[-1][0] == "stack":
            guard = max(lo, cursor - STACK_GUARD_GAP)
            rows.append(("guard", guard, cursor, None))
            cursor = guard
        if cursor > lo:
            rows.append(("gap", lo, cursor, None))
    return rows


def maps_dot(vmas, title, lo, hi, files=True):
    """The DOT source of the address-space picture."""
    rows = maps_rows(vmas, lo, hi)
    top = rows[0][2] if rows else hi
    cells = []
    # The top edge: the highest address shown.
    top_note = ""
    if top == TASK_SIZE:
        top_note = "TASK_SIZE: the end of the user half"
    cells.append(f'<TR><TD ALIGN="RIGHT" VALIGN="BOTTOM" BORDER="0"><FONT FACE="{MONO}" POINT-SIZE="10">'
                 f'{top:012x}</FONT></TD><TD BORDER="0" HEIGHT="18"> </TD>{note_cell(esc(top_note))}</TR>')
    file_edges = []
    file_nodes = {}
    for i, (kind, start, end, v) in enumerate(rows):
        size = end - start
        addr = (f'<TD ALIGN="RIGHT" VALIGN="BOTTOM" BORDER="0"><FONT FACE="{MONO}" POINT-SIZE="10">'
                f'{start:012x}</FONT></TD>')
        if kind == "gap":
            cut = size > CUT_GAP
            height = 64 if cut else row_height(size)
            text = f"<I>gap: {esc(human(size))}</I>"
            if cut:
                text = f"<FONT POINT-SIZE='14'>≈</FONT><BR/>{text}<BR/><FONT POINT-SIZE='9'>(drawn cut short)</FONT>"
                text = text.replace("'", '"')
            box = (f'<TD WIDTH="220" HEIGHT="{height}" STYLE="dashed" BGCOLOR="#ffffff" COLOR="#999999">'
                   f'<FONT COLOR="#666666" POINT-SIZE="10">{text}</FONT></TD>')
            note = ""
            if start == 0 and lo == 0:
                note = "nothing is mapped at 0: a NULL pointer faults"
            elif start <= TASK_SIZE < end:
                note = "above TASK_SIZE: the non-canonical hole and the kernel half"
            cells.append(f"<TR>{addr}{box}{note_cell(esc(note))}</TR>")
            continue
        if kind == "guard":
            box = (f'<TD WIDTH="220" HEIGHT="{row_height(size)}" STYLE="dashed" BGCOLOR="{KINDS["guard"][0]}" '
                   f'COLOR="#c9184a"><FONT COLOR="#9d0208" POINT-SIZE="10"><B>stack guard gap</B> '
                   f'{esc(human(size))}</FONT></TD>')
            note = ("stack_guard_gap: mmap never places a mapping here;<BR ALIGN=\"LEFT\"/>"
                    "when the stack grows, the gap moves down with it<BR ALIGN=\"LEFT\"/>")
            cells.append(f"<TR>{addr}{box}{note_cell(note, '#9d0208')}</TR>")
            continue
        fill = KINDS[kind][0]
        name = v.name or "(anonymous)"
        label = (f'<B>{esc(name)}</B>  <FONT FACE="{MONO}">{esc(v.perms)}</FONT><BR/>'
                 f'<FONT POINT-SIZE="9">{esc(human(size))} ({pages(size)})</FONT>')
        box = (f'<TD WIDTH="220" HEIGHT="{row_height(size)}" BGCOLOR="{fill}" COLOR="#333333">'
               f'<FONT POINT-SIZE="10">{label}</FONT></TD>')
        port = f"r{i}"
        below = next((w for w in vmas if w.end == v.start), None)
        above = next((w for w in vmas if w.start == v.end), None)
        desc = esc(vma_description(v, kind, below, above, offsets=not files))
        cells.append(f"<TR>{addr}{box}{note_cell(desc, '#222222', port)}</TR>")
        if files and v.is_file:
            key = (v.dev, v.inode, v.name)
            if key not in file_nodes:
                file_nodes[key] = f"file{len(file_nodes)}"
            file_edges.append((port, file_nodes[key], v))
    table = ('<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">' + "".join(cells) + "</TABLE>")
    out = ["digraph mmviz_maps {",
           f'  graph [rankdir=LR, fontname="{FONT}", fontsize=14, labelloc=t, nodesep=0.15, ranksep=0.6,'
           f' label=<{title_html(title, maps_subtitle(vmas))}>];',
           f'  node [fontname="{FONT}", fontsize=10, shape=plaintext];',
           f'  edge [fontname="{FONT}", fontsize=9, color="#555555", arrowsize=0.6];',
           f"  space [label=<{table}>];"]
    for key, node in file_nodes.items():
        dev, inode, name = key
        kind = "shmem object" if name.startswith("/dev/zero") else "file"
        out.append(f'  {node} [shape=note, style=filled, fillcolor="#fff8e7", fontsize=10, '
                   f'label=<<B>{esc(name)}</B><BR/><FONT POINT-SIZE="9">{kind}, dev {esc(dev)} inode {inode}'
                   f'</FONT>>];')
    for port, node, v in file_edges:
        out.append(f'  space:{port}:e -> {node} [label="offset {v.offset:#x}"];')
    out.append("  legend [label=<" + maps_legend(vmas) + ">];")
    if file_nodes:
        out.append("  { rank=same; " + " ".join(file_nodes.values()) + " legend }")
    out.append("}")
    return "\n".join(out) + "\n"


def note_cell(html, color="#555555", port=None):
    """The right-hand column of the address-space table: a remark, or nothing."""
    port = f' PORT="{port}"' if port else ""
    if not html:
        return f'<TD BORDER="0"{port}> </TD>'
    return (f'<TD ALIGN="LEFT" VALIGN="MIDDLE" BORDER="0"{port}><FONT POINT-SIZE="9" COLOR="{color}">'
            f'{html}</FONT></TD>')


def maps_subtitle(vmas):
    mapped = sum(v.size for v in vmas)
    return f"{len(vmas)} VMAs, {human(mapped)} mapped"


def maps_legend(vmas):
    seen = []
    for v in vmas:
        k = vma_kind(v)
        if k not in seen:
            seen.append(k)
    rows = []
    for k in seen:
        fill, what = KINDS[k]
        rows.append(f'<TR><TD BGCOLOR="{fill}" WIDTH="18"> </TD><TD ALIGN="LEFT">{esc(what)}</TD></TR>')
    rows.append(f'<TR><TD BGCOLOR="{KINDS["guard"][0]}" STYLE="dashed"> </TD>'
                f'<TD ALIGN="LEFT">stack guard gap (1 MiB below [stack])</TD></TR>')
    rows.append('<TR><TD STYLE="dashed"> </TD><TD ALIGN="LEFT">gap: nothing mapped</TD></TR>')
    rows.append('<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="8">Heights grow with log2 of the size '
                '(one page: smallest;<BR ALIGN="LEFT"/>each doubling adds a little); gaps over 1 GiB are '
                'cut short.<BR ALIGN="LEFT"/>Addresses: the start of the row beside them.<BR ALIGN="LEFT"/>'
                '</FONT></TD></TR>')
    return ('<TABLE BORDER="1" COLOR="#999999" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
            '<TR><TD COLSPAN="2"><B>Legend</B></TD></TR>' + "".join(rows) + "</TABLE>")


def title_html(title, subtitle):
    text = f"<B>{esc(title)}</B>" if title else ""
    if subtitle:
        text += (f'<BR/><FONT POINT-SIZE="10">{esc(subtitle)}</FONT>' if text
                 else f'<FONT POINT-SIZE="10">{esc(subtitle)}</FONT>')
    return text or " "


def cmd_maps(args):
    vmas = parse_maps(read_input(args.file))
    if not vmas:
        raise MmvizError(f"{args.file}: no lines in the /proc/PID/maps format "
                         "(START-END PERMS OFFSET DEV INODE [NAME])")
    lo, hi = 0, (TASK_SIZE if vmas[-1].end <= TASK_SIZE else vmas[-1].end)
    rng = parse_range(args.range)
    if rng:
        lo, hi = rng
        vmas = [v for v in vmas if v.end > lo and v.start < hi]
        if not vmas:
            raise MmvizError(f"no VMA in the range {lo:#x}-{hi:#x}")
        lo, hi = min(lo, vmas[0].start), max(hi, vmas[-1].end)
    title = args.title if args.title is not None else f"Address space ({os.path.basename(args.file)})"
    return maps_dot(vmas, title, lo, hi, files=not args.no_files)


# ---------------------------------------------------------------- page tables

LEVELS = ["PGD", "PUD", "PMD", "PTE"]
ENTRY_SHIFT = {"PGD": 39, "PUD": 30, "PMD": 21, "PTE": 12}    # what one entry of that table maps
PARENT_OF = {"PUD": "PGD", "PMD": "PUD", "PTE": "PMD"}
PFN_MASK = 0x000ffffffffff000
NUM = r"(0x[0-9a-fA-F]+|0)"


class Table:
    """One page-table page: level, the index of the entry above that points to it, its physical
    address, the first virtual address it maps, its child tables (or pages, for a PTE table)."""

    def __init__(self, level, index, phys, base, parent):
        self.level, self.index, self.phys, self.base, self.parent = level, index, phys, base, parent
        self.children = {}
        self.pages = {}

    @property
    def span(self):
        return 512 << ENTRY_SHIFT[self.level]

    def child(self, index, phys):
        level = LEVELS[LEVELS.index(self.level) + 1]
        t = self.children.get(index)
        if t is None:
            t = Table(level, index, phys, self.base + (index << ENTRY_SHIFT[self.level]), self)
            self.children[index] = t
        elif phys is not None:
            t.phys = phys
        return t

    def walk(self):
        yield self
        for i in sorted(self.children):
            yield from self.children[i].walk()


class Page:
    def __init__(self, va, pa, flags, ref, mapcount):
        self.va, self.pa, self.flags, self.ref, self.map = va, pa, flags, ref, mapcount

    @property
    def shared(self):
        """Used more than once (more than one reference or mapping)."""
        return (self.ref or 0) > 1 or (self.map or 0) > 1

    @property
    def zero(self):
        return "zero-page" in self.flags

    @property
    def protnone(self):
        return "protnone" in self.flags

    @property
    def writable(self):
        return "RW" in self.flags

    @property
    def kind(self):
        if self.zero:
            return "zero"
        if self.protnone:
            return "protnone"
        if "P" not in self.flags:
            return "absent"
        return "rw" if self.writable else "ro"


class PageTables:
    def __init__(self):
        self.pgd = Table("PGD", None, None, 0, None)
        self.pgtables_bytes = None
        self.source = None
        self.who = None


def parse_ptdump(text):
    """Faultline's /proc/PID/ptdump, or fl-pagewalk output; None if neither is found."""
    if re.search(r"^\s*pgd\s+" + NUM + r"\s+pgtables_bytes\s+-?\d+\s*$", text, re.M):
        return _parse_proc_ptdump(text)
    if re.search(r"^walk of 0x[0-9a-fA-F]+ from PGD at phys", text, re.M):
        return _parse_pagewalk(text)
    return None


def _parse_proc_ptdump(text):
    pt = PageTables()
    pt.source = "ptdump"
    cur = {"PGD": None, "PUD": None, "PMD": None, "PTE": None}
    started = False
    for line in text.splitlines():
        m = re.match(r"^\s*pgd\s+" + NUM + r"\s+pgtables_bytes\s+(-?\d+)\s*$", line)
        if m:
            if started:   # a second dump in the same input: only the first is drawn
                break
            started = True
            pt.pgd.phys = int(m.group(1), 16)
            pt.pgtables_bytes = int(m.group(2))
            cur = {"PGD": pt.pgd, "PUD": None, "PMD": None, "PTE": None}
            continue
        if not started:
            continue
        m = re.match(r"^\s*(pud|pmd|pte)\[(\d+)\]\s+" + NUM + r"\s*$", line)
        if m:
            level = m.group(1).upper()
            parent = cur[PARENT_OF[level]]
            if parent is None:
                raise MmvizError(f"ptdump: {line.strip()!r} without the table above it")
            t = parent.child(int(m.group(2)), int(m.group(3), 16))
            cur[level] = t
            for below in LEVELS[LEVELS.index(level) + 1:]:
                cur[below] = None
            continue
        m = re.match(r"^\s*" + NUM + r"\s+->\s+" + NUM + r"\s+(.*?)\s+ref=(-?\d+)\s+map=(-?\d+)\s*$", line)
        if m:
            va = int(m.group(1), 16)
            table = cur["PTE"]
            if table is None or not table.base <= va < table.base + table.span:
                table = _table_for(pt, va)
            table.pages[(va >> 12) & 511] = Page(va, int(m.group(2), 16), m.group(3).split(),
                                                 int(m.group(4)), int(m.group(5)))
    if not started:
        return None
    return pt


def _table_for(pt, va, phys=(None, None, None)):
    t = pt.pgd
    for i, level in enumerate(["PGD", "PUD", "PMD"]):
        t = t.child((va >> ENTRY_SHIFT[level]) & 511, phys[i])
    return t


def pte_flags(entry, special_page=False):
    """A PTE's flags as show_ptdump prints them (fs/proc.c), from the entry's bits."""
    flags = ["P" if entry & 1 else "protnone"]
    for bit, name in ((1, "RW"), (2, "U"), (6, "D"), (5, "A")):
        if entry >> bit & 1:
            flags.append(name)
    if entry >> 9 & 1 or special_page:      # _PAGE_SPECIAL: the zero page
        flags.append("zero-page")
    else:
        flags.append("NX" if entry >> 63 & 1 else "X")
    return flags


def _parse_pagewalk(text):
    """fl-pagewalk ADDR [PID], any number of times (scripts/gdb/faultline/pagetable.py):
         walk of 0x... from PGD at phys 0x... (WHO)
           PGD[  0] @phys 0x... = 0x...  [P RW US A]
           ...
           PTE[  4] @phys 0x... = 0x...  [P RW US A D NX]
           -> 4 KiB page, physical address 0x... (...)
           -> struct page 0x... (pfn 0x...): refcount N, mapcount N (_mapcount N), flags 0x.. [...]
    fl-mm's "pgtables_bytes:<TAB>N" line is read too, if present."""
    pt = PageTables()
    pt.source = "fl-pagewalk"
    m = re.search(r"^pgtables_bytes:\s*(\d+)", text, re.M)
    if m:
        pt.pgtables_bytes = int(m.group(1))
    va = None
    tables = {}
    pte = None

    def finish():
        nonlocal pte
        if pte is None:
            return
        entry, page_text = pte["entry"], pte.get("page", "")
        flags = pte_flags(entry, re.search(r"\[[^]]*\bzero\b[^]]*\]", page_text) is not None)
        ref = re.search(r"refcount (-?\d+)", page_text)
        mapc = re.search(r"mapcount (-?\d+)", page_text)
        table = _table_for(pt, pte["va"], (tables.get("PUD"), tables.get("PMD"), tables.get("PTE")))
        table.pages[(pte["va"] >> 12) & 511] = Page(pte["va"] & ~(PAGE - 1), entry & PFN_MASK, flags,
                                                     int(ref.group(1)) if ref else None,
                                                     int(mapc.group(1)) if mapc else None)
        pte = None

    for line in text.splitlines():
        m = re.match(r"^walk of (0x[0-9a-fA-F]+) from PGD at phys (0x[0-9a-fA-F]+)(?: \((.*)\))?", line)
        if m:
            finish()
            va = int(m.group(1), 16)
            pgd = int(m.group(2), 16)
            if pt.pgd.phys is not None and pt.pgd.phys != pgd:
                raise MmvizError(f"fl-pagewalk: walks from two PGDs ({pt.pgd.phys:#x} and {pgd:#x}): "
                                 "draw one address space at a time")
            pt.pgd.phys = pgd
            pt.who = m.group(3)
            tables = {}
            continue
        if va is None:
            continue
        m = re.match(r"^\s+(PGD|PUD|PMD|PTE)\[\s*(\d+)\] @phys (0x[0-9a-fA-F]+) = (0x[0-9a-fA-F]+)\s+\[(.*)\]",
                     line)
        if m:
            level, entry, names = m.group(1), int(m.group(4), 16), m.group(5).split()
            present = "P" in names
            if level != "PTE":
                if present and "PS" not in names:
                    tables[LEVELS[LEVELS.index(level) + 1]] = entry & PFN_MASK
                    # make sure the table exists even if the walk stops below it
                    upto = LEVELS.index(level) + 1
                    t = pt.pgd
                    for lv in LEVELS[:upto]:
                        nxt = LEVELS[LEVELS.index(lv) + 1]
                        t = t.child((va >> ENTRY_SHIFT[lv]) & 511, tables.get(nxt))
            elif present or "PROT_NONE" in names:
                pte = {"va": va, "entry": entry, "flags": names}
            continue
        m = re.match(r"^\s+-> struct page .*", line)
        if m and pte is not None:
            pte["page"] = line
            continue
    finish()
    if pt.pgd.phys is None:
        return None
    return pt


# Page colours: (fill, border, what it means)
PAGE_STYLE = {
    "rw":       ("#b7e4c7", "#2d6a4f", "writable (RW)"),
    "ro":       ("#ffe8a3", "#b08900", "read-only: a write faults (copy-on-write if the VMA is writable)"),
    "zero":     ("#a9d6f5", "#1565c0", "the shared zero page: read, never written"),
    "protnone": ("#d9d9d9", "#555555", "PROT_NONE: not present, every access faults"),
    "absent":   ("#ffffff", "#999999", "not present"),
}
TABLE_FILL = {"PGD": "#264653", "PUD": "#2a9d8f", "PMD": "#8ab17d", "PTE": "#e9c46a"}
TABLE_TEXT = {"PGD": "#ffffff", "PUD": "#ffffff", "PMD": "#000000", "PTE": "#000000"}


def va_span_text(base, span):
    return f"{base:#x} – {base + span - 1:#x}"


def prune(pt, rng):
    """Copy of the tree with only the pages in [lo, hi) and the tables whose span meets it.
    Returns (tree, hidden) where hidden[id(table)] counts the entries left out."""
    lo, hi = rng
    hidden = {}

    def keep(t):
        nt = Table(t.level, t.index, t.phys, t.base, None)
        n_hidden = 0
        for i, c in sorted(t.children.items()):
            if c.base < hi and c.base + c.span > lo:
                nc = keep(c)
                nc.parent = nt
                nt.children[i] = nc
            else:
                n_hidden += 1
        for i, p in sorted(t.pages.items()):
            if lo <= p.va < hi:
                nt.pages[i] = p
            else:
                n_hidden += 1
        hidden[id(nt)] = n_hidden
        return nt

    new = PageTables()
    new.pgd = keep(pt.pgd)
    new.pgtables_bytes, new.source, new.who = pt.pgtables_bytes, pt.source, pt.who
    return new, hidden


def vma_of(vmas, va):
    for v in vmas or ():
        if v.start <= va < v.end:
            return v
    return None


def count_tables(pt):
    return {lv: sum(1 for t in pt.pgd.walk() if t.level == lv) for lv in LEVELS}


def pgd_label(pt, full_counts):
    rows = [f'<TR><TD BGCOLOR="{TABLE_FILL["PGD"]}"><FONT COLOR="white"><B>PGD</B> (mm-&gt;pgd)</FONT></TD></TR>']
    if pt.pgd.phys is not None:
        rows.append(f'<TR><TD><FONT FACE="{MONO}">phys {pt.pgd.phys:#x}</FONT></TD></TR>')
    if pt.who:
        rows.append(f'<TR><TD><FONT POINT-SIZE="9">{esc(pt.who)}</FONT></TD></TR>')
    rows.append('<TR><TD><FONT POINT-SIZE="9">entries 0–255: the user half (drawn)<BR/>'
                'entries 256–511: the kernel half, shared by every mm</FONT></TD></TR>')
    tables = full_counts["PUD"] + full_counts["PMD"] + full_counts["PTE"]
    if pt.pgtables_bytes is not None:
        if pt.pgtables_bytes == tables * PAGE:
            expl = f"= {tables} table pages × 4 KiB<BR/>(PUD + PMD + PTE; the PGD is not counted)"
        else:
            expl = (f"(this {esc(pt.source)} shows {full_counts['PUD']} PUD + {full_counts['PMD']} PMD "
                    f"+<BR/>{full_counts['PTE']} PTE tables = {tables * PAGE} bytes)")
        rows.append(f'<TR><TD><FONT POINT-SIZE="9"><B>pgtables_bytes {pt.pgtables_bytes}</B><BR/>{expl}'
                    f'</FONT></TD></TR>')
    elif pt.source == "fl-pagewalk":
        rows.append('<TR><TD><FONT POINT-SIZE="9">pgtables_bytes: not in the input<BR/>(fl-mm prints it)'
                    '</FONT></TD></TR>')
    return ('<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" COLOR="#264653">'
            + "".join(rows) + "</TABLE>")


def table_label(t, hidden_n, compact=False, walked=False):
    """A page-table page: its level, physical address, what it maps, how many entries are used."""
    level = t.level
    used = len(t.children) + len(t.pages) + hidden_n
    rows = [f'<TR><TD BGCOLOR="{TABLE_FILL[level]}"><FONT COLOR="{TABLE_TEXT[level]}"><B>{level} table</B>'
            f'</FONT></TD></TR>']
    if t.phys is not None:
        rows.append(f'<TR><TD><FONT FACE="{MONO}">phys {t.phys:#x}</FONT></TD></TR>')
    if not compact:
        # (one font per line: Graphviz under-measures lines that mix fonts)
        rows.append(f'<TR><TD><FONT POINT-SIZE="9">maps {va_span_text(t.base, t.span)}'
                    f'<BR/>({human(t.span)}, {human(t.span // 512)} per entry)</FONT></TD></TR>')
    if walked:
        count = f"{used} present {'entry' if used == 1 else 'entries'} walked"
    else:
        count = f"{used} of 512 entries used"
    if hidden_n:
        count += f";<BR/>{hidden_n} outside the range not drawn"
    rows.append(f'<TR><TD><FONT POINT-SIZE="9">{count}</FONT></TD></TR>')
    return ('<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" COLOR="#555555">'
            + "".join(rows) + "</TABLE>")


def text_width(text, size, mono=False, bold=False):
    """A generous estimate of a text's width in points (for lining the page boxes up)."""
    per = 0.61 if mono else (0.64 if bold else 0.58)
    return int(len(text) * size * per) + 8


class Leaf:
    """One box to the right of a PTE table: a page, or a run of alike neighbouring pages."""

    def __init__(self, pages, first, last, vma):
        self.pages, self.first, self.last, self.vma = pages, first, last, vma

    @property
    def run(self):
        return len(self.pages) > 1


def leaves_of(table, vmas, collapse):
    """The boxes for a PTE table's pages: with collapse, runs of 3 or more neighbours that look
    alike (same flags, counts and VMA; never the zero page or PROT_NONE) become one box."""
    out = []
    for i in sorted(table.pages):
        p = table.pages[i]
        v = vma_of(vmas, p.va)
        key = (tuple(p.flags), p.ref, p.map, id(v))
        last = out[-1] if out else None
        if (collapse and last and last[0] == key and last[1].last == i - 1 and p.kind in ("rw", "ro")):
            last[1].pages.append(p)
            last[1].last = i
        else:
            out.append((key, Leaf([p], i, i, v)))
    leaves = []
    for _, leaf in out:
        if len(leaf.pages) >= 3:
            leaves.append(leaf)
        else:   # short runs are drawn page by page
            for p in leaf.pages:
                n = (p.va >> 12) & 511
                leaves.append(Leaf([p], n, n, leaf.vma))
    return leaves


def leaf_cells(leaf, show_pa, show_counts, show_vma):
    """[(column, html, estimated width)] for one page box."""
    p = leaf.pages[0]
    cells = []
    idx = f"[{leaf.first}–{leaf.last}]" if leaf.run else f"[{leaf.first}]"
    cells.append(("idx", f'<FONT POINT-SIZE="9">{idx}</FONT>', text_width(idx, 9)))
    if leaf.run:
        a = f"{p.va:#014x} … {leaf.pages[-1].va:#x}"
        pas = ", ".join(f"{q.pa:#x}" for q in leaf.pages[:2]) + (", …" if len(leaf.pages) > 2 else "")
        b = f"{len(leaf.pages)} pages → {pas}" if show_pa else f"{len(leaf.pages)} pages"
        cells.append(("vapa", f'<FONT FACE="{MONO}">{a}</FONT><BR/><FONT POINT-SIZE="8">{esc(b)}</FONT>',
                      max(text_width(a, 10, mono=True), text_width(b, 8))))
    else:
        va = f"{p.va:#014x}"
        cells.append(("va", f'<FONT FACE="{MONO}">{va}</FONT>', text_width(va, 10, mono=True)))
        if show_pa:
            pa = f"→ {p.pa:#x}"
            cells.append(("pa", f'<FONT FACE="{MONO}">{pa}</FONT>', text_width(pa, 10, mono=True)))
    what = {"zero": "ZERO PAGE", "protnone": "PROT_NONE", "rw": "RW", "ro": "read-only",
            "absent": "not present"}[p.kind]
    cells.append(("what", f"<B>{what}</B>", text_width(what, 10, bold=True)))
    flags = " ".join(f for f in p.flags if f not in ("zero-page", "protnone"))
    cells.append(("flags", f'<FONT POINT-SIZE="9">{esc(flags)}</FONT>', text_width(flags, 9)))
    if show_counts:
        counts = f"{'each ' if leaf.run else ''}{counts_text(p)}"
        html = esc(counts)
        if p.shared:
            html = f'<FONT COLOR="#9d0208"><B>{html}</B></FONT>'
        cells.append(("counts", f'<FONT POINT-SIZE="9">{html}</FONT>', text_width(counts, 9, bold=True)))
    if show_vma:
        name = vma_short(leaf.vma)
        cells.append(("vma", f'<FONT POINT-SIZE="8">{esc(name)}</FONT>', text_width(name, 8)))
    return cells


def column_widths(all_cells):
    widths = {}
    for cells in all_cells:
        for col, _, w in cells:
            widths[col] = max(widths.get(col, 0), w)
    # a run's address cell stands where a page's va and pa cells stand
    va_pa = widths.get("va", 0) + widths.get("pa", 0)
    if widths.get("vapa", 0) > va_pa:
        widths["va"] = widths.get("va", 0) + widths["vapa"] - va_pa
    widths["vapa"] = widths.get("va", 0) + widths.get("pa", 0)
    return widths


def counts_text(p):
    if p.ref is None and p.map is None:
        return "ref=? map=?"
    return f"ref={p.ref} map={p.map}"


def leaf_label(leaf, cells, widths):
    fill, border, _ = PAGE_STYLE[leaf.pages[0].kind]
    tds = []
    for col, html, _ in cells:
        align = "CENTER" if col in ("what", "idx", "counts") else "LEFT"
        tds.append(f'<TD ALIGN="{align}" WIDTH="{widths[col]}">{html}</TD>')
    style = ' STYLE="rounded"' if leaf.run else ""
    return (f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{fill}" '
            f'COLOR="{border}"{style}><TR>{"".join(tds)}</TR></TABLE>')


def pages_label(leaves, cells, widths):
    rows = "".join(f'<TR><TD PORT="p{k}">{leaf_label(leaf, cells[id(leaf)], widths)}</TD></TR>'
                   for k, leaf in enumerate(leaves))
    return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="0">{rows}</TABLE>'


def vma_short(v):
    if v is None:
        return "(no VMA)"
    return f"{v.name or 'anon'} {v.perms}"


def page_legend(kinds, runs_drawn, extra_rows=()):
    rows = []
    for k in ["rw", "ro", "zero", "protnone", "absent"]:
        if k not in kinds:
            continue
        fill, border, what = PAGE_STYLE[k]
        rows.append(f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" WIDTH="18"> </TD>'
                    f'<TD ALIGN="LEFT">{esc(what)}</TD></TR>')
    rows.append('<TR><TD><FONT COLOR="#9d0208" POINT-SIZE="9"><B>ref</B></FONT></TD><TD ALIGN="LEFT">'
                '<FONT COLOR="#9d0208"><B>ref=N map=N</B></FONT> in red: the page is used more than once'
                '</TD></TR>')
    rows.extend(extra_rows)
    notes = ("ref = page_ref_count, map = page_mapcount (how many PTEs map the page);",
             "the zero page's PTE is special: no counts are kept (0).",
             "Flags: P present, RW writable, U user, D dirty, A accessed, X / NX (no-)execute.",
             "[i] = the entry's index in its table; pmd[i] on an arrow: the entry that points down.")
    if runs_drawn:
        notes += ("Rounded boxes: a run of neighbouring pages with the same flags and counts.",)
    rows.append('<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="8">'
                + "".join(f'{esc(n)}<BR ALIGN="LEFT"/>' for n in notes) + "</FONT></TD></TR>")
    return ('<TABLE BORDER="1" COLOR="#999999" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
            '<TR><TD COLSPAN="2"><B>Legend</B></TD></TR>' + "".join(rows) + "</TABLE>")


def frame_label(pa, users):
    """A physical page that the trees' PTEs point at (the two-tree picture)."""
    p = users[0][1]
    counts = {counts_text(q) for _, q in users}
    head = "ZERO PAGE" if p.zero else "page"
    fill = PAGE_STYLE["zero"][0] if p.zero else "#f4f4f4"
    rows = [f'<TR><TD BGCOLOR="{fill}"><B>{head}</B> <FONT FACE="{MONO}">{pa:#x}</FONT></TD></TR>']
    if len(counts) == 1:
        text = next(iter(counts))
        if p.shared:
            text = f'<FONT COLOR="#9d0208"><B>{text}</B></FONT>'
        rows.append(f'<TR><TD><FONT POINT-SIZE="9">{text}</FONT></TD></TR>')
    else:   # the dumps were taken at different times
        for who, q in users:
            rows.append(f'<TR><TD><FONT POINT-SIZE="9">{esc(who)}: {counts_text(q)}</FONT></TD></TR>')
    shared = len({who for who, _ in users}) > 1
    return (f'<TABLE BORDER="{2 if shared else 1}" COLOR="{"#9d0208" if shared else "#777777"}" '
            f'CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="#ffffff">' + "".join(rows) + "</TABLE>")


def ptdump_dot(trees, labels, title, rng, vmas, collapse):
    """trees: [(PageTables, hidden counts or None, table counts of the whole dump)]."""
    two = len(trees) == 2
    show_vma = vmas is not None
    # First every page box, so that they can all have the same column widths.
    boxes = []          # (tree number, PTE table, [Leaf])
    for n, (pt, _, _) in enumerate(trees):
        for t in pt.pgd.walk():
            if t.level == "PTE":
                boxes.append((n, t, leaves_of(t, vmas, collapse)))
    cells = {}
    for n, t, leaves in boxes:
        for leaf in leaves:
            cells[id(leaf)] = leaf_cells(leaf, show_pa=not two, show_counts=not two, show_vma=show_vma)
    widths = column_widths(cells.values())

    out = ["digraph mmviz_ptdump {",
           f'  graph [rankdir=LR, fontname="{FONT}", fontsize=14, labelloc=t, nodesep=0.06, ranksep=0.5,'
           f' label=<{title_html(title, pt_subtitle(trees, labels, rng))}>];',
           f'  node [fontname="{FONT}", fontsize=10, shape=plaintext, margin=0, width=0, height=0];',
           f'  edge [fontname="{FONT}", fontsize=9, arrowsize=0.7, color="#444444"];']
    kinds, frames, runs_drawn = set(), {}, False
    for n, (pt, hidden, full) in enumerate(trees):
        prefix = f"t{n}"
        lines = []
        for t in pt.pgd.walk():
            name = f"{prefix}_{t.level}_{t.base:x}"
            # ordering=out keeps each table's children in index order, top to bottom
            if t.level == "PGD":
                lines.append(f"  {name} [ordering=out, label=<{pgd_label(pt, full)}>];")
            else:
                n_hidden = hidden.get(id(t), 0) if hidden else 0
                label = table_label(t, n_hidden, compact=two, walked=pt.source == "fl-pagewalk")
                lines.append(f"  {name} [ordering=out, label=<{label}>];")
                parent = f"{prefix}_{t.parent.level}_{t.parent.base:x}"
                lines.append(f'  {parent} -> {name} [label="{t.parent.level.lower()}[{t.index}]"];')
        for m, t, leaves in boxes:
            if m != n:
                continue
            table = f"{prefix}_PTE_{t.base:x}"
            # One node holds a PTE table's pages, so that they stay in index order, top to bottom;
            # an arrow goes to each, and (with two trees) from each to its physical page.
            group = f"{prefix}_pages_{t.base:x}"
            lines.append(f"  {group} [label=<{pages_label(leaves, cells, widths)}>];")
            for k, leaf in enumerate(leaves):
                kinds.add(leaf.pages[0].kind)
                runs_drawn |= leaf.run
                lines.append(f'  {table}:e -> {group}:p{k}:w [arrowsize=0.5, color="#888888"];')
                if two:
                    p = leaf.pages[0]
                    frames.setdefault(p.pa, []).append((labels[n], p))
                    out.append(f'  {group}:p{k}:e -> frame_{p.pa:x}:w [color="#555555", arrowsize=0.6];')
        if two:
            # The trees one above the other, both growing to the right towards the physical pages.
            out.append(f'  subgraph cluster_{prefix} {{ label=<<B>{esc(labels[n])}</B>>; labeljust=l; '
                       f'fontsize=13; style="rounded,dashed"; color="#888888";')
            out += ["  " + l for l in lines]
            out.append("  }")
        else:
            out += lines
    if two:
        # An invisible anchor to the left of the PGDs keeps the first tree above the second.
        out.append('  anchor [label="", style=invis, width=0, height=0, fixedsize=true, ordering=out];')
        out.append('  anchor -> t0_PGD_0 [style=invis]; anchor -> t1_PGD_0 [style=invis]; '
                   'anchor -> legend [style=invis];')
        out.append('  subgraph cluster_frames { label=<<B>physical pages</B>>; fontsize=12; style="rounded";'
                   ' color="#bbbbbb"; bgcolor="#fafafa";')
        for pa in sorted(frames):
            out.append(f"    frame_{pa:x} [label=<{frame_label(pa, frames[pa])}>];")
        out.append("  }")
    extra = ()
    if two:
        extra = ('<TR><TD BORDER="2" COLOR="#9d0208"> </TD><TD ALIGN="LEFT">a physical page both map '
                 '(two arrows)</TD></TR>',)
    out.append(f"  legend [label=<{page_legend(kinds, runs_drawn, extra)}>];")
    out.append("}")
    return "\n".join(out) + "\n"


def pt_subtitle(trees, labels, rng):
    parts = []
    if rng:
        parts.append(f"pages in {rng[0]:#x}–{rng[1]:#x}")
    elif all(pt.source == "fl-pagewalk" for pt, _, _ in trees):
        parts.append("the walked addresses")
    else:
        parts.append("the whole user half")
    for (pt, _, _), label in zip(trees, labels):
        n = sum(len(t.pages) for t in pt.pgd.walk())
        s = f"{label}: {n} PTE" + ("" if n == 1 else "s")
        if pt.source == "fl-pagewalk":
            s += " (from GDB's fl-pagewalk)"
        parts.append(s)
    return "; ".join(parts)


def cmd_ptdump(args):
    if len(args.files) > 2:
        raise MmvizError("ptdump: one FILE, or two (drawn one above the other, meeting at the physical pages)")
    rng = parse_range(args.range)
    vmas = None
    if args.maps:
        vmas = parse_maps(read_input(args.maps))
        if not vmas:
            raise MmvizError(f"{args.maps}: no lines in the /proc/PID/maps format")
    trees = []
    for f in args.files:
        pt = parse_ptdump(read_input(f))
        if pt is None:
            raise MmvizError(f"{f}: neither /proc/PID/ptdump output (a 'pgd 0x...' line) nor fl-pagewalk "
                             "output (a 'walk of 0x... from PGD at phys 0x...' line)")
        full = count_tables(pt)
        hidden = None
        if rng:
            pt, hidden = prune(pt, rng)
        trees.append((pt, hidden, full))
    labels = list(args.label or [])
    for f in args.files[len(labels):]:
        labels.append(os.path.basename(f) if f != "-" else "stdin")
    npages = max(sum(len(t.pages) for t in pt.pgd.walk()) for pt, _, _ in trees)
    collapse = args.collapse
    if collapse is None:
        collapse = len(trees) == 1 and npages > 24
    if collapse and len(trees) == 2:
        raise MmvizError("--collapse draws one tree only: with two FILEs, narrow the picture with --range")
    if len(trees) == 2 and npages > 80:
        print(f"mmviz: {npages} pages in one tree: the picture will be large (narrow it with --range)",
              file=sys.stderr)
    if args.title is not None:
        title = args.title
    elif len(trees) == 1:
        title = f"Page tables ({labels[0]})"
    else:
        title = f"Page tables: {labels[0]} and {labels[1]}"
    return ptdump_dot(trees, labels, title, rng, vmas, collapse)


# ---------------------------------------------------------------- output

def render(dot_text, out):
    fmt = "svg"
    if out:
        ext = os.path.splitext(out)[1].lower().lstrip(".")
        if ext in ("dot", "gv"):
            with open(out, "w") as f:
                f.write(dot_text)
            return
        if ext:
            fmt = ext
    dot = shutil.which("dot")
    if not dot:
        raise MmvizError("Graphviz's dot is not installed: install the Debian package graphviz "
                         "(apt-get install -y graphviz), or write the DOT source with -o FILE.dot")
    cmd = [dot, f"-T{fmt}"] + (["-o", out] if out else [])
    r = subprocess.run(cmd, input=dot_text.encode(), stdout=None if out else subprocess.PIPE,
                       stderr=subprocess.PIPE)
    err = r.stderr.decode(errors="replace").strip()
    if r.returncode != 0:
        raise MmvizError(f"dot failed (exit {r.returncode}): {err}")
    if err:
        print(f"mmviz: dot says: {err}", file=sys.stderr)
    if not out:
        sys.stdout.buffer.write(r.stdout)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="mmviz.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See docs/pictures.md for examples.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("maps", help="the address space, from /proc/PID/maps or fl-vmas")
    a.add_argument("file", metavar="FILE")
    a.add_argument("-o", "--output", metavar="OUT", help="OUT.svg, .png, .pdf or .dot (default: SVG on stdout)")
    a.add_argument("--title")
    a.add_argument("--range", metavar="START-END", help="only the VMAs that meet this range (hex)")
    a.add_argument("--no-files", action="store_true", help="do not draw the mapped files")
    b = sub.add_parser("ptdump", help="the page-table tree, from /proc/PID/ptdump or fl-pagewalk")
    b.add_argument("files", metavar="FILE", nargs="+", help="one dump, or two (drawn together, sharing the physical pages)")
    b.add_argument("-o", "--output", metavar="OUT", help="OUT.svg, .png, .pdf or .dot (default: SVG on stdout)")
    b.add_argument("--title")
    b.add_argument("--range", metavar="START-END",
                   help="only the pages in [START, END) (hex), or START+SIZE (e.g. 10000000+4M)")
    b.add_argument("--maps", metavar="MAPS", help="the same process's maps: name each page's VMA")
    b.add_argument("--label", action="append", metavar="NAME", help="a name for each FILE (repeat)")
    g = b.add_mutually_exclusive_group()
    g.add_argument("--collapse", dest="collapse", action="store_true", default=None,
                   help="merge runs of 3+ alike neighbouring pages into one box (default above 24 pages)")
    g.add_argument("--all-pages", dest="collapse", action="store_false", help="one box per page, always")
    args = ap.parse_args(argv)
    try:
        text = cmd_maps(args) if args.cmd == "maps" else cmd_ptdump(args)
        render(text, args.output)
    except MmvizError as e:
        print(f"mmviz: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
