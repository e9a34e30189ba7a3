"""Shared helpers: reading kernel memory and symbols from GDB."""
import gdb

PAGE_OFFSET = 0xffff888000000000
START_KERNEL_MAP = 0xffffffff80000000
PTE_PFN_MASK = 0x000ffffffffff000
PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
PAGE_MASK = ~(PAGE_SIZE - 1) & 0xffffffffffffffff
TASK_SIZE_MAX = 0x00007ffffffff000
U64 = 0xffffffffffffffff

_commands = []


def require_target():
    """Refuse to run on a dead target: GDB would quietly read the ELF file's initial data."""
    inferior = gdb.selected_inferior()
    if inferior is None or inferior.pid == 0 or not inferior.threads():
        raise gdb.GdbError("no live kernel to look at: attach first (target remote :PORT), "
                           "or QEMU has exited")


def register(cls):
    """Class decorator: instantiate a gdb.Command and remember it for fl-help.
    Unless the class says NEEDS_TARGET = False, its invoke first checks for a live target."""
    _commands.append(cls)
    if getattr(cls, "NEEDS_TARGET", True):
        inner = cls.invoke

        def invoke(self, arg, from_tty):
            require_target()
            return inner(self, arg, from_tty)
        invoke.__doc__ = inner.__doc__
        cls.invoke = invoke
    cls()
    return cls


def u64(addr):
    """The 64-bit word at a kernel virtual address."""
    inferior = gdb.selected_inferior()
    return int.from_bytes(inferior.read_memory(addr, 8).tobytes(), "little")


def phys_u64(phys):
    """The word at a physical address, through the kernel's direct map."""
    return u64(PAGE_OFFSET + phys)


def virt_to_phys(va):
    """Kernel image and direct-map addresses both translate (asm/page.h: __pa)."""
    return va - START_KERNEL_MAP if va >= START_KERNEL_MAP else va - PAGE_OFFSET


def sym_value(name):
    return gdb.parse_and_eval(name)


def addr_of(name):
    return int(gdb.parse_and_eval(f"(unsigned long)&{name}"))


def parse_int(arg):
    return int(gdb.parse_and_eval(arg))


def parse_addr(arg):
    """An address typed by the user: any GDB expression, as an unsigned 64-bit number."""
    return int(gdb.parse_and_eval(f"(unsigned long)({arg})")) & U64


def ptr(value):
    """A pointer (or integer) gdb.Value as a Python int (0 for NULL)."""
    return int(value) & U64


def atomic(value):
    """atomic_t / atomic_long_t -> int (Linux: atomic_read)."""
    return int(value["counter"])


_offsets = {}


def offset_of(struct, field):
    """offsetof(struct <struct>, field), cached."""
    key = (struct, field)
    if key not in _offsets:
        _offsets[key] = int(gdb.parse_and_eval(f"(unsigned long)&((struct {struct} *)0)->{field}"))
    return _offsets[key]


def container_of(addr, struct, field):
    """A `struct <struct> *` gdb.Value for the structure whose `field` is at addr."""
    ptype = gdb.lookup_type(struct if struct.startswith("struct ") else f"struct {struct}").pointer()
    return gdb.Value(addr - offset_of(struct, field)).cast(ptype)


def list_for_each(head_addr, limit=100000):
    """Addresses of the list_heads linked after the list_head at head_addr (not head itself)."""
    lh = gdb.lookup_type("struct list_head").pointer()
    node = ptr(gdb.Value(head_addr).cast(lh)["next"])
    seen = 0
    while node and node != head_addr:
        yield node
        seen += 1
        if seen >= limit:
            raise gdb.GdbError(f"list at {head_addr:#x} does not come back to its head")
        node = ptr(gdb.Value(node).cast(lh)["next"])


def enum_values(enum_name):
    """{enumerator name: value} of a C enum, read from the debug info."""
    t = gdb.lookup_type(f"enum {enum_name}")
    return {f.name: int(f.enumval) for f in t.fields()}


def c_string(value, limit=256):
    """A `char *` as a Python str ('' for NULL, '?' if unreadable)."""
    try:
        if not ptr(value):
            return ""
        return value.string(errors="replace")[:limit]
    except gdb.error:
        return "?"


def comm_of(task):
    arr = task["comm"]
    raw = bytes(int(arr[i]) & 0xff for i in range(arr.type.sizeof))
    return raw.split(b"\0", 1)[0].decode(errors="replace")


@register
class FlHelp(gdb.Command):
    """fl-help: list Faultline's GDB commands."""
    NAME = "fl-help"
    NEEDS_TARGET = False

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        for cls in _commands:
            name = getattr(cls, "NAME", None) or cls.__name__
            first = (cls.__doc__ or "").strip().splitlines()[0]
            usage, sep, what = first.partition(": ")
            if not sep or not usage.startswith(name):
                usage, what = name, first
            print(f"  {usage:<28} {what}")
        print("  pretty-printers: pte_t, pmd_t, pud_t, pgd_t and struct page (print/r for raw)")
        print("  convenience functions: $fl_fault_address(), $fl_task(PID), $fl_pte(ADDR [, PID]),")
        print("    $fl_pmd, $fl_pud, $fl_pgd (same arguments), $fl_page(ADDR [, PID])")
        print("  help fl-COMMAND for details; docs/gdb.md for a tour")
