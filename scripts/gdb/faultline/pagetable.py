"""Page-table walks with decoded entries, like Linux's translate-vm but starting from any PGD."""
import gdb

from faultline.page import page_line, pfn_to_page
from faultline.utils import (PAGE_OFFSET, PTE_PFN_MASK, parse_addr, phys_u64, ptr, register,
                             require_target, virt_to_phys)

FLAG_NAMES = [
    (0, "P", "present"), (1, "RW", "writable"), (2, "US", "user"), (3, "PWT", "write-through"),
    (4, "PCD", "cache-disable"), (5, "A", "accessed"), (6, "D", "dirty"), (7, "PS", "huge page"),
    (8, "G", "global"), (9, "SPECIAL", "special (no struct page refcount)"), (63, "NX", "no-execute"),
]
LEVELS = [("PGD", 39), ("PUD", 30), ("PMD", 21), ("PTE", 12)]
LEAF_SIZE = {"PUD": 1 << 30, "PMD": 1 << 21, "PTE": 1 << 12}
_PRESENT, _RW, _USER, _PSE, _PROTNONE, _SPECIAL = 1, 1 << 1, 1 << 2, 1 << 7, 1 << 8, 1 << 9


def decode_flags(entry, level="PTE"):
    """The set bits by their short names.  Bit 7 is PS only above the PTE level (PAT in a PTE),
    and bit 8 of a not-present PTE is the PROT_NONE marker (Linux's _PAGE_PROTNONE)."""
    if level == "PTE" and not entry & _PRESENT and entry & _PROTNONE:
        return "PROT_NONE" + (" SPECIAL" if entry & _SPECIAL else "")
    names = []
    for bit, short, _ in FLAG_NAMES:
        if entry >> bit & 1:
            names.append("PAT" if short == "PS" and level == "PTE" else short)
    return " ".join(names) or "-"


def entry_summary(entry, level):
    """'0x... [P RW US A D NX] pfn 0x...' for one entry of any level (used by the printers)."""
    text = f"{entry:#018x} [{decode_flags(entry, level)}]"
    if entry == 0:
        return text + " none"
    if entry & _PRESENT or (level == "PTE" and entry & _PROTNONE):
        pfn = (entry & PTE_PFN_MASK) >> 12
        if level != "PTE" and level != "PGD" and entry & _PSE:
            text += f" pfn {pfn:#x} ({LEAF_SIZE[level] >> 20} MiB page)"
        elif level == "PTE":
            text += f" pfn {pfn:#x}"
        else:
            text += f" next table at phys {pfn << 12:#x}"
    else:
        text += " not present"
    return text


def walk(pgd_phys, va):
    """Yield (level name, index, entry address (phys), entry value) down to the leaf."""
    table = pgd_phys
    for name, shift in LEVELS:
        index = (va >> shift) & 511
        entry_phys = table + index * 8
        entry = phys_u64(entry_phys)
        yield name, index, entry_phys, entry
        present = entry & _PRESENT or (name == "PTE" and entry & _PROTNONE)
        if not present:
            return
        if name in ("PUD", "PMD") and entry & _PSE:
            return
        table = entry & PTE_PFN_MASK


def leaf(pgd_phys, va):
    """(level, entry phys address, entry value) of the last entry the walk reached."""
    last = None
    for name, _, ephys, entry in walk(pgd_phys, va):
        last = (name, ephys, entry)
    return last


def current_pgd_phys():
    return int(gdb.parse_and_eval("$cr3")) & PTE_PFN_MASK


def pgd_for(arg):
    """(PGD physical address, what it belongs to): a PID's mm, else the loaded CR3."""
    if arg:
        try:
            from faultline.mm import mm_of, task_by_pid
        except ImportError:
            raise gdb.GdbError("the task helpers (faultline.mm) are not loaded")
        try:
            pid = int(arg, 0)
        except ValueError:
            raise gdb.GdbError(f"not a PID: {arg}")
        task = task_by_pid(pid)
        if task is None:
            raise gdb.GdbError(f"no task with PID {arg}")
        mm, borrowed = mm_of(task)
        if not ptr(mm):
            raise gdb.GdbError(f"PID {pid} has neither mm nor active_mm")
        who = f"PID {pid}'s {'active_mm (a kernel thread borrows it)' if borrowed else 'mm'} {ptr(mm):#x}"
        return virt_to_phys(ptr(mm["pgd"])), who
    return current_pgd_phys(), "CR3"


def pgd_phys_for(arg):
    """Kept for callers of the old interface: just the PGD's physical address."""
    return pgd_for(arg)[0]


@register
class FlPageWalk(gdb.Command):
    """fl-pagewalk ADDR [PID]: the 4-level walk of a virtual address, entry by entry.

Starts from CR3 (the loaded address space), or from mm->pgd of task PID
(a kernel thread's active_mm).  Each entry is shown with its flags; the
leaf gives the physical address and the struct page behind it:
refcount, mapcount (= _mapcount + 1) and the PG_* flags by name."""
    NAME = "fl-pagewalk"

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if not argv or len(argv) > 2:
            raise gdb.GdbError("usage: fl-pagewalk ADDR [PID]")
        va = parse_addr(argv[0])
        pgd, who = pgd_for(argv[1] if len(argv) > 1 else None)
        print(f"walk of {va:#018x} from PGD at phys {pgd:#x} ({who})")
        last = None
        for name, index, ephys, entry in walk(pgd, va):
            print(f"  {name}[{index:3d}] @phys {ephys:#012x} = {entry:#018x}  [{decode_flags(entry, name)}]")
            last = (name, entry)
        name, entry = last
        size = LEAF_SIZE.get(name)
        if not entry & _PRESENT:
            print("  -> not present" + (" (PROT_NONE)" if name == "PTE" and entry & _PROTNONE else ""))
            return
        if name == "PGD" or (name != "PTE" and not entry & _PSE):
            print("  -> walk stopped early")
            return
        phys = (entry & PTE_PFN_MASK & ~(size - 1)) + (va & (size - 1))
        access = ("writable" if entry & _RW else "read-only") + (", user" if entry & _USER else ", kernel only")
        access += ", no-execute" if entry >> 63 else ", executable"
        print(f"  -> {size >> 10} KiB page, physical address {phys:#x} ({access})")
        try:
            print(f"  -> {page_line(phys >> 12)}"
                  + (" (special PTE: the kernel does not count this mapping)"
                     if name == "PTE" and entry & _SPECIAL else ""))
        except gdb.error as e:
            print(f"  -> no struct page ({e})")


def _pgd_from_args(pid):
    return pgd_for(str(int(pid)) if pid is not None else None)[0]


class EntryFunction(gdb.Function):
    """$fl_pte(ADDR [, PID]) and $fl_pmd / $fl_pud / $fl_pgd: a pointer to the entry that maps
ADDR at that level (from CR3, or PID's mm), for `print *$fl_pte(0x10000000, 1)`."""

    def __init__(self, level, ctype):
        super().__init__(f"fl_{level.lower()}")
        self.level, self.ctype = level, ctype

    def invoke(self, addr, pid=None):
        require_target()
        va = int(addr) & 0xffffffffffffffff
        for name, _, ephys, entry in walk(_pgd_from_args(pid), va):
            if name == self.level:
                return gdb.Value(PAGE_OFFSET + ephys).cast(gdb.lookup_type(self.ctype).pointer())
        raise gdb.GdbError(f"the walk of {va:#x} stops above the {self.level} level")


class PageFunction(gdb.Function):
    """$fl_page(ADDR [, PID]): the struct page * that ADDR is mapped to."""

    def __init__(self):
        super().__init__("fl_page")

    def invoke(self, addr, pid=None):
        require_target()
        va = int(addr) & 0xffffffffffffffff
        name, _, entry = leaf(_pgd_from_args(pid), va)
        if not entry & _PRESENT or (name != "PTE" and not entry & _PSE) or name == "PGD":
            raise gdb.GdbError(f"{va:#x} is not mapped (the walk ends at a not-present {name})")
        size = LEAF_SIZE[name]
        phys = (entry & PTE_PFN_MASK & ~(size - 1)) + (va & (size - 1))
        return pfn_to_page(phys >> 12)


for _level, _ctype in (("PTE", "pte_t"), ("PMD", "pmd_t"), ("PUD", "pud_t"), ("PGD", "pgd_t")):
    EntryFunction(_level, _ctype)
PageFunction()
