"""Page-table walks with decoded entries, like Linux's translate-vm but starting from any PGD."""
import gdb

from faultline.utils import PTE_PFN_MASK, phys_u64, register, virt_to_phys

FLAG_NAMES = [
    (0, "P", "present"), (1, "RW", "writable"), (2, "US", "user"), (3, "PWT", "write-through"),
    (4, "PCD", "cache-disable"), (5, "A", "accessed"), (6, "D", "dirty"), (7, "PS", "huge page"),
    (8, "G", "global"), (9, "SPECIAL", "special (no struct page refcount)"), (63, "NX", "no-execute"),
]
LEVELS = [("PGD", 39), ("PUD", 30), ("PMD", 21), ("PTE", 12)]


def decode_flags(entry):
    return " ".join(short for bit, short, _ in FLAG_NAMES if entry >> bit & 1) or "-"


def walk(pgd_phys, va):
    """Yield (level name, index, entry address (phys), entry value) down to the leaf."""
    table = pgd_phys
    for depth, (name, shift) in enumerate(LEVELS):
        index = (va >> shift) & 511
        entry_phys = table + index * 8
        entry = phys_u64(entry_phys)
        yield name, index, entry_phys, entry
        present = entry & 1 or (name == "PTE" and entry & (1 << 8))  # PROT_NONE marker
        if not present:
            return
        if name in ("PUD", "PMD") and entry & (1 << 7):
            return
        table = entry & PTE_PFN_MASK


def current_pgd_phys():
    return int(gdb.parse_and_eval("$cr3")) & PTE_PFN_MASK


def pgd_phys_for(arg):
    """The PGD to start from: a PID's mm (if tasks exist), else the loaded CR3."""
    if arg:
        try:
            from faultline.mm import task_by_pid
            task = task_by_pid(int(arg, 0))
            mm = task["mm"] or task["active_mm"]
            return virt_to_phys(int(mm["pgd"]))
        except (ImportError, gdb.error):
            raise gdb.GdbError(f"no task with PID {arg}")
    return current_pgd_phys()


@register
class FlPageWalk(gdb.Command):
    """fl-pagewalk ADDR [PID]: the 4-level walk of a virtual address, entry by entry."""
    NAME = "fl-pagewalk"

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if not argv:
            raise gdb.GdbError("usage: fl-pagewalk ADDR [PID]")
        va = int(gdb.parse_and_eval(f"(unsigned long)({argv[0]})")) & 0xffffffffffffffff
        pgd = pgd_phys_for(argv[1] if len(argv) > 1 else None)
        print(f"walk of {va:#018x} from PGD at phys {pgd:#x}")
        last = None
        for name, index, ephys, entry in walk(pgd, va):
            print(f"  {name}[{index:3d}] @phys {ephys:#012x} = {entry:#018x}  [{decode_flags(entry)}]")
            last = (name, entry)
        name, entry = last
        size = {"PUD": 1 << 30, "PMD": 1 << 21, "PTE": 1 << 12}.get(name)
        if not entry & 1:
            print("  -> not present" + (" (PROT_NONE)" if entry & (1 << 8) else ""))
            return
        if name == "PGD" or (name != "PTE" and not entry & (1 << 7)):
            print("  -> walk stopped early")
            return
        phys = (entry & PTE_PFN_MASK & ~(size - 1)) + (va & (size - 1))
        print(f"  -> {size >> 10} KiB page, physical address {phys:#x}")
        try:
            pfn = phys >> 12
            page = gdb.parse_and_eval(f"&mem_map[{pfn}]")
            print(f"  -> struct page {int(page):#x}: _refcount {int(page['_refcount']['counter'])}, "
                  f"_mapcount {int(page['_mapcount']['counter'])}, flags {int(page['flags']):#x}")
        except gdb.error:
            pass
