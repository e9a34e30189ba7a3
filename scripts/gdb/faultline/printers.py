"""Pretty-printers: page-table entries (pte_t, pmd_t, pud_t, pgd_t) and struct page.

  (gdb) print *$fl_pte(0x10000000, 1)
  $2 = pte 0x8000000000154067 [P RW US A D NX] pfn 0x154
  (gdb) print *$fl_pmd(0x10000000, 1)
  $3 = pmd 0x0000000000153067 [P RW US A D] next table at phys 0x153000
  (gdb) print *$fl_page(0x10000000, 1)
  $4 = struct page pfn 0x154: refcount 1, mapcount 1 (_mapcount 0), flags 0x10 [anon] = {flags = 16, ...}

`print/r` shows the raw value without them; `disable pretty-printer
global faultline` turns them off.
"""
import gdb
import gdb.printing

from faultline.page import mem_map, page_summary, page_type
from faultline.pagetable import entry_summary
from faultline.utils import ptr

ENTRY_TYPES = {"pte_t": ("pte", "PTE"), "pmd_t": ("pmd", "PMD"), "pud_t": ("pud", "PUD"),
               "pgd_t": ("pgd", "PGD")}


class EntryPrinter:
    """pte_t and friends: the value, its flags by name and the frame (or next table)."""

    def __init__(self, val, field, level):
        self.val, self.field, self.level = val, field, level

    def to_string(self):
        try:
            raw = int(self.val[self.field]) & 0xffffffffffffffff
        except gdb.error as e:
            return f"<{self.field}: {e}>"
        return f"{self.field} {entry_summary(raw, self.level)}"


class PagePrinter:
    """struct page: its PFN and a summary line, then the fields as usual."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        try:
            text = page_summary(self.val)
            addr = self.val.address
            if addr is not None:
                offset = ptr(addr) - mem_map()
                size = page_type().sizeof
                if 0 <= offset and offset % size == 0:
                    return f"struct page pfn {offset // size:#x}: {text}"
            return f"struct page: {text}"
        except gdb.error as e:
            return f"struct page <{e}>"

    def children(self):
        for field in self.val.type.strip_typedefs().fields():
            if field.name is None:  # an anonymous union: show its members as they are
                yield f"<union@{field.bitpos // 8}>", self.val[field]
            else:
                yield field.name, self.val[field.name]


def lookup(val):
    """Find a printer by the type's own name, looking through typedefs and qualifiers."""
    t = val.type.unqualified()
    seen = 0
    while t is not None and seen < 8:
        name = t.name
        if name in ENTRY_TYPES:
            field, level = ENTRY_TYPES[name]
            return EntryPrinter(val, field, level)
        if t.code == gdb.TYPE_CODE_STRUCT and t.tag == "page":
            return PagePrinter(val)
        if t.code != gdb.TYPE_CODE_TYPEDEF:
            break
        t = t.target().unqualified()
        seen += 1
    return None


class FaultlinePrinters:
    """The collection, named so `info pretty-printer` lists and can disable it."""

    def __init__(self):
        self.name = "faultline"
        self.enabled = True
        self.subprinters = None

    def __call__(self, val):
        if not self.enabled:
            return None
        return lookup(val)


def install():
    objfile = gdb.current_objfile()
    for existing in list(gdb.pretty_printers):
        if getattr(existing, "name", None) == "faultline":
            gdb.pretty_printers.remove(existing)
    gdb.printing.register_pretty_printer(objfile, FaultlinePrinters(), replace=True)


install()
