"""Shared helpers: reading kernel memory and symbols from GDB."""
import gdb

PAGE_OFFSET = 0xffff888000000000
START_KERNEL_MAP = 0xffffffff80000000
PTE_PFN_MASK = 0x000ffffffffff000

_commands = []


def register(cls):
    """Class decorator: instantiate a gdb.Command and remember it for fl-help."""
    _commands.append(cls)
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


@register
class FlHelp(gdb.Command):
    """List Faultline's GDB commands."""

    def __init__(self):
        super().__init__("fl-help", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        for cls in _commands:
            inst_name = getattr(cls, "NAME", None)
            doc = (cls.__doc__ or "").strip().splitlines()[0]
            print(f"  {inst_name or cls.__name__:<16} {doc}")
