"""struct page: finding one from a PFN and saying what it is (include/linux/mm_types.h)."""
import gdb

from faultline.utils import atomic, enum_values, ptr

_flag_bits = None


def flag_bits():
    """[(bit, name)] from enum pageflags, e.g. (4, 'anon')."""
    global _flag_bits
    if _flag_bits is None:
        try:
            vals = enum_values("pageflags")
        except gdb.error:
            vals = {"PG_reserved": 0, "PG_buddy": 1, "PG_slab": 2, "PG_head": 3, "PG_anon": 4,
                    "PG_zero": 5, "PG_pgtable": 6, "PG_poisoned": 7}
        _flag_bits = sorted((v, k[3:] if k.startswith("PG_") else k) for k, v in vals.items())
    return _flag_bits


def decode_page_flags(flags):
    """'anon zero' for the set PG_* bits; unknown bits as bitN; '-' for none."""
    names = []
    known = 0
    for bit, name in flag_bits():
        known |= 1 << bit
        if flags >> bit & 1:
            names.append(name)
    rest = flags & ~known
    bit = 0
    while rest:
        if rest & 1:
            names.append(f"bit{bit}")
        rest >>= 1
        bit += 1
    return " ".join(names) or "-"


def page_type():
    return gdb.lookup_type("struct page")


def mem_map():
    return ptr(gdb.parse_and_eval("mem_map"))


def max_pfn():
    return int(gdb.parse_and_eval("max_pfn"))


def pfn_to_page(pfn):
    """A `struct page *` gdb.Value (Linux: pfn_to_page = mem_map + pfn)."""
    return gdb.Value(mem_map() + pfn * page_type().sizeof).cast(page_type().pointer())


def page_to_pfn(page_addr):
    return (page_addr - mem_map()) // page_type().sizeof


def page_summary(page):
    """One line about a struct page (a pointer or the struct itself)."""
    if page.type.strip_typedefs().code != gdb.TYPE_CODE_PTR:
        page = page.address
    p = page.dereference()
    flags = int(p["flags"]) & 0xffffffffffffffff
    mapc = atomic(p["_mapcount"])
    text = (f"refcount {atomic(p['_refcount'])}, mapcount {mapc + 1} (_mapcount {mapc}), "
            f"flags {flags:#x} [{decode_page_flags(flags)}]")
    if flags >> 1 & 1:  # PG_buddy: private holds the order
        text += f", free block of order {int(p['private'])}"
    return text


def page_line(pfn):
    """'struct page 0x... (pfn 0x...): refcount ...' or why there is none."""
    if pfn >= max_pfn():
        return f"pfn {pfn:#x} is beyond max_pfn {max_pfn():#x}: no struct page"
    page = pfn_to_page(pfn)
    return f"struct page {ptr(page):#x} (pfn {pfn:#x}): {page_summary(page)}"
