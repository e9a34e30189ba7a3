"""The page-fault path: fl-fault (what is this fault, what will handle it) and fl-break-fault.

The decisions are those of arch/x86/mm/fault.c (exc_page_fault,
do_user_addr_fault, access_error) and mm/memory.c (handle_pte_fault and
the leaf handlers), redone here from the same inputs: the address, the
error code, the VMA and the PTE.
"""
import gdb

from faultline.mm import current_task, describe_task
from faultline.page import pfn_to_page
from faultline.pagetable import decode_flags, leaf
from faultline.utils import (PAGE_MASK, PTE_PFN_MASK, START_KERNEL_MAP, TASK_SIZE_MAX, U64, atomic,
                             enum_values, ptr, register, require_target, virt_to_phys)
from faultline.vmas import VM_GROWSDOWN, VM_MAYSHARE, VM_SHARED, VM_WRITE, find_vma, maps_line, vma_prev

X86_PF_PROT, X86_PF_WRITE, X86_PF_USER, X86_PF_RSVD, X86_PF_INSTR, X86_PF_PK, X86_PF_SHSTK = (
    1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 4, 1 << 5, 1 << 6)
FAULT_FLAG_WRITE, FAULT_FLAG_USER, FAULT_FLAG_INSTRUCTION = 0x01, 0x40, 0x100
X86_EFLAGS_AC = 1 << 18
VM_READ_WRITE_EXEC = 0x7
MMAP_MIN_ADDR = 65536
STACK_GUARD_GAP = 256 << 12
_PRESENT, _RW, _PROTNONE, _SPECIAL = 1, 2, 1 << 8, 1 << 9

# The fault path, outermost first.  Frames of these functions are where fl-fault looks.
ENTRY = ["exc_page_fault", "do_user_addr_fault", "do_kern_addr_fault"]
GENERIC = ["handle_mm_fault", "__handle_mm_fault", "handle_pte_fault"]
LEAVES = ["do_anonymous_page", "do_fault", "do_read_fault", "do_cow_fault", "do_shared_fault",
          "__do_fault", "file_fault", "do_wp_page", "wp_page_reuse", "wp_page_copy"]
HELPERS = ["find_vma", "expand_stack", "expand_downwards", "access_error", "bad_area",
           "__bad_area_nosemaphore", "kernelmode_fixup_or_oops", "force_sig_fault",
           "pmd_alloc_walk", "table_alloc", "alloc_pgtable_page", "trace_user_fault",
           "mmap_read_lock", "mmap_read_unlock", "down_read", "up_read", "alloc_pages", "alloc_page",
           "__alloc_pages", "get_page_from_freelist", "fl_file_get_page"]
FAULT_PATH = set(ENTRY + GENERIC + LEAVES)


def decode_error_code(ec):
    """As arch/x86/kernel/traps.c decode_pf_error_code prints it."""
    return ("%s %s %s-mode%s%s%s" % (
        "protection" if ec & X86_PF_PROT else "not-present",
        "instruction-fetch" if ec & X86_PF_INSTR else "write" if ec & X86_PF_WRITE else "read",
        "user" if ec & X86_PF_USER else "kernel",
        " reserved-bit" if ec & X86_PF_RSVD else "", " protection-key" if ec & X86_PF_PK else "",
        " shadow-stack" if ec & X86_PF_SHSTK else ""))


def read_var(frame, name):
    """A variable of a frame, or None when it does not exist there or is optimized out."""
    try:
        v = frame.read_var(name)
        v.fetch_lazy()
        if v.is_optimized_out:
            return None
        if v.type.strip_typedefs().code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_PTR):
            int(v)  # raises if the register or memory behind it cannot be read
        return v
    except (ValueError, gdb.error, RuntimeError):
        return None


def frame_name(frame):
    try:
        return frame.name() or "??"
    except gdb.error:
        return "??"


def fault_frames(start=None, limit=48):
    """[(level, name, frame)] of the fault path, innermost first, from start (the selected
    frame) outwards; stops one frame past exc_page_fault (its caller holds regs)."""
    out = []
    frame = start or gdb.selected_frame()
    try:
        level = _level_of(frame)
    except gdb.error:
        level = 0
    past_entry = False
    while frame is not None and len(out) < limit:
        name = frame_name(frame)
        out.append((level, name, frame))
        if past_entry:
            break
        if name == "exc_page_fault":
            past_entry = True
        try:
            frame = frame.older()
        except gdb.error:
            break
        level += 1
    return out


def _level_of(frame):
    try:
        return frame.level()
    except AttributeError:  # GDB < 11
        n, f = 0, gdb.newest_frame()
        while f is not None and f != frame:
            f, n = f.older(), n + 1
        return n


class FaultInfo:
    """What the frames say about the fault being handled."""

    def __init__(self, frames):
        self.frames = [(lv, nm, fr) for lv, nm, fr in frames]
        self.path = [nm for _, nm, _ in frames if nm in FAULT_PATH]
        # handle_mm_fault fills its struct vm_fault before calling __handle_mm_fault: only
        # below that call is vmf meaningful.
        self.vmf_valid = any(nm in GENERIC[1:] + LEAVES for nm in self.path)
        self.where = next(((lv, nm) for lv, nm, _ in frames if nm in FAULT_PATH or nm in HELPERS), None)
        self.address = self.address_from = None
        self.error_code = self.ec_from = None
        self.regs = self.vma = self.vmf = self.flags = None
        for level, name, frame in frames:
            if self.address is None and name in ("do_user_addr_fault", "exc_page_fault",
                                                 "do_kern_addr_fault", "handle_mm_fault"):
                v = read_var(frame, "address")
                if v is not None:
                    self.address, self.address_from = int(v) & U64, f"{name}'s address"
            if self.error_code is None and name in ("do_user_addr_fault", "exc_page_fault",
                                                    "do_kern_addr_fault"):
                v = read_var(frame, "error_code")
                if v is not None:
                    self.error_code, self.ec_from = int(v) & U64, f"{name}'s error_code"
            if self.regs is None and name in ENTRY + ["handle_mm_fault", "do_interrupt"]:
                v = read_var(frame, "regs")
                if v is not None and ptr(v):
                    self.regs = v
            if self.vmf is None and name in GENERIC + LEAVES:
                v = read_var(frame, "vmf")
                if v is not None:
                    if v.type.strip_typedefs().code != gdb.TYPE_CODE_PTR:
                        v = v.address  # handle_mm_fault's own struct vm_fault
                    if v is not None and ptr(v):
                        self.vmf = v
            # Arguments only: a leaf handler's `vma` local may not be assigned yet.
            if self.vma is None and name == "handle_mm_fault":
                v = read_var(frame, "vma")
                if v is not None and ptr(v):
                    self.vma = v
            if self.flags is None and name == "handle_mm_fault":
                v = read_var(frame, "flags")
                if v is not None:
                    self.flags = int(v)
        if not self.vmf_valid:
            self.vmf = None
        if self.vma is None and self.vmf is not None:
            try:
                if ptr(self.vmf["vma"]):
                    self.vma = self.vmf["vma"]
            except gdb.error:
                pass
        if self.address is None and self.vmf is not None:
            try:
                self.address, self.address_from = int(self.vmf["real_address"]) & U64, "vmf->real_address"
            except gdb.error:
                pass
        try:
            self.cr2 = int(gdb.parse_and_eval("$cr2")) & U64
        except gdb.error:
            self.cr2 = None
        if self.address is None and self.cr2 is not None:
            self.address, self.address_from = self.cr2, "CR2"
        if self.error_code is None and self.regs is not None:
            try:
                self.error_code, self.ec_from = int(self.regs["orig_ax"]) & U64, "regs->orig_ax"
            except gdb.error:
                pass
        if self.error_code is None and self.flags is not None:
            ec = (X86_PF_WRITE if self.flags & FAULT_FLAG_WRITE else 0) | \
                 (X86_PF_USER if self.flags & FAULT_FLAG_USER else 0) | \
                 (X86_PF_INSTR if self.flags & FAULT_FLAG_INSTRUCTION else 0)
            self.error_code, self.ec_from = ec, "handle_mm_fault's flags (present bit unknown)"

    def user_mode(self):
        if self.regs is not None:
            try:
                return int(self.regs["cs"]) & 3 == 3
            except gdb.error:
                pass
        return bool((self.error_code or 0) & X86_PF_USER)


_kind_names = None


def kind_name(kind):
    """fault_kind_names[FAULT_...] from the kernel (mm/memory.c), e.g. 'do_anonymous_page(new page)'."""
    global _kind_names
    if _kind_names is None:
        _kind_names = {}
        try:
            for name, value in enum_values("fault_kind").items():
                if name != "NR_FAULT_KINDS":
                    s = gdb.parse_and_eval(f"fault_kind_names[{value}]")
                    _kind_names[name] = s.string() if ptr(s) else name
        except gdb.error:
            pass
    return _kind_names.get(kind, kind)


def predict_stack_growth(mm, vma, address):
    """expand_downwards (mm/mmap.c) without doing it: None if it would work, else why not."""
    address &= PAGE_MASK
    if address < MMAP_MIN_ADDR:
        return "below mmap_min_addr"
    prev = vma_prev(mm, vma)
    if prev is not None:
        pflags = int(prev["vm_flags"])
        gap = (address - int(prev["vm_end"])) & U64
        if not pflags & VM_GROWSDOWN and pflags & VM_READ_WRITE_EXEC and gap < STACK_GUARD_GAP:
            return "within the stack guard gap above the VMA below"
        if address < int(prev["vm_end"]):
            return "the VMA below is in the way"
    grow = (int(vma["vm_start"]) - address) >> 12
    if grow > int(vma["vm_pgoff"]):
        return "would grow below address 0 of its pgoff"
    try:
        limit = int(gdb.parse_and_eval("rlimit_stack"))
        if int(vma["vm_end"]) - address > limit:
            return f"stack would exceed RLIMIT_STACK ({limit >> 10} KiB)"
    except gdb.error:
        pass
    return None


def pte_handler(vma, pte, write):
    """handle_pte_fault's choice for this PTE value: (FAULT_* kind or outcome, why)."""
    flags = int(vma["vm_flags"])
    anonymous = not ptr(vma["vm_ops"])
    if pte == 0:
        if anonymous:
            if flags & VM_SHARED:
                return "SIGBUS", "empty PTE in a shared VMA without an object"
            return ("FAULT_ANON_NEW_PAGE", "empty PTE, anonymous VMA, write") if write else \
                ("FAULT_ANON_ZERO_PAGE", "empty PTE, anonymous VMA, read")
        try:
            has_fault = ptr(vma["vm_ops"]["fault"])
        except gdb.error:
            has_fault = True
        if not has_fault:
            return "SIGBUS", "empty PTE and vm_ops->fault is NULL"
        if not write:
            return "FAULT_FILE_READ", "empty PTE, file/shmem VMA, read"
        if not flags & VM_SHARED:
            return "FAULT_FILE_COW", "empty PTE, private file VMA, write"
        return "FAULT_SHARED", "empty PTE, shared VMA, write"
    if not pte & _PRESENT and pte & _PROTNONE:
        return "SIGSEGV", "PROT_NONE PTE"
    if not pte & _PRESENT:
        return "SIGSEGV", f"not-present PTE {pte:#x} that is not PROT_NONE (no swap here)"
    if write and not pte & _RW:
        if flags & (VM_SHARED | VM_MAYSHARE):
            return "FAULT_WP_REUSE", "write to a read-only PTE of a shared VMA"
        if pte & _SPECIAL:
            return "FAULT_WP_COPY", "write to the zero page (special PTE): copy"
        page = pfn_to_page((pte & PTE_PFN_MASK) >> 12).dereference()
        anon = int(page["flags"]) >> 4 & 1
        refs = atomic(page["_refcount"])
        if anon and refs == 1:
            return "FAULT_WP_REUSE", "write to a read-only PTE; anonymous page with refcount 1: reuse"
        return "FAULT_WP_COPY", (f"write to a read-only PTE; page {'anonymous' if anon else 'not anonymous'}, "
                                 f"refcount {refs}: copy")
    return "FAULT_SPURIOUS", "the PTE already allows the access"


def vma_text(mm, vma):
    """The VMA's maps line with the name padding squeezed out."""
    return " ".join(maps_line(mm, vma).split())


def predict(info, mm, address, ec, pte_override=None):
    """[(label, text)] lines: the VMA, the PTE and the handler the kernel will pick."""
    out = []
    user = info.user_mode()
    if address >= TASK_SIZE_MAX:
        out.append(("VMA", "none: a kernel address"))
        out.append(("handler", "do_kern_addr_fault: " + (
            "SIGSEGV (SEGV_MAPERR)" if user else "exception-table fixup, else oops")))
        return out
    if ec is not None:
        if ec & (X86_PF_USER | X86_PF_INSTR) == X86_PF_INSTR:
            out.append(("handler", "oops: the kernel tried to execute user memory (SMEP)"))
            return out
        if ec & X86_PF_RSVD:
            out.append(("handler", "oops: reserved bit set in a page-table entry"))
            return out
        try:
            smap = bool(gdb.parse_and_eval("boot_cpu_data.has_smap"))
        except gdb.error:
            smap = False
        ac = None
        if info.regs is not None:
            try:
                ac = int(info.regs["flags"]) & X86_EFLAGS_AC
            except gdb.error:
                pass
        if smap and not ec & X86_PF_USER and ac == 0:
            out.append(("handler", "oops: kernel access to user memory outside a uaccess window (SMAP)"))
            return out
    if not ptr(mm):
        out.append(("VMA", "no mm (kernel thread)"))
        out.append(("handler", "bad area (no mm): " + ("SIGSEGV" if user else "fixup or oops")))
        return out
    bad = "SIGSEGV" if user else "-EFAULT through the exception table (else oops)"
    vma = find_vma(mm, address)
    if vma is None:
        out.append(("VMA", "no VMA: SIGSEGV" if user else "no VMA"))
        out.append(("handler", f"bad area: {bad} (SEGV_MAPERR)"))
        return out
    if int(vma["vm_start"]) > address:
        if not int(vma["vm_flags"]) & VM_GROWSDOWN:
            out.append(("VMA", f"no VMA: {'SIGSEGV' if user else 'bad area'} "
                               f"(next one up: {vma_text(mm, vma)})"))
            out.append(("handler", f"bad area: {bad} (SEGV_MAPERR)"))
            return out
        why = predict_stack_growth(mm, vma, address)
        if why:
            out.append(("VMA", f"no VMA: {'SIGSEGV' if user else 'bad area'} (the stack VMA above, "
                               f"{int(vma['vm_start']):x}-{int(vma['vm_end']):x}, cannot grow down to it: {why})"))
            out.append(("handler", f"bad area (expand_stack failed): {bad} (SEGV_MAPERR)"))
            return out
        out.append(("VMA", f"{vma_text(mm, vma)}  (a stack: expand_stack grows it down to "
                           f"{address & PAGE_MASK:#x})"))
    else:
        out.append(("VMA", f"{vma_text(mm, vma)}  (vm_area_struct {ptr(vma):#x}, "
                           f"{'anonymous' if not ptr(vma['vm_ops']) else 'file/shmem'})"))
    if ec is None:
        out.append(("handler", "unknown: no error code found"))
        return out
    flags = int(vma["vm_flags"])
    write = bool(ec & X86_PF_WRITE)
    if ec & X86_PF_PK or (write and not flags & VM_WRITE) or (not write and ec & X86_PF_PROT) or \
            (not write and not flags & VM_READ_WRITE_EXEC):
        out.append(("handler", f"bad area (access_error): {bad} (SEGV_ACCERR)"))
        return out
    if pte_override is not None:
        pte, src = pte_override, "vmf->orig_pte, before the fault"
    else:
        level, _, entry = leaf(virt_to_phys(ptr(mm["pgd"])), address)
        if level == "PTE":
            pte, src = entry, "page tables now"
        else:
            pte, src = 0, f"no PTE table yet (the walk stops at the {level}); __handle_mm_fault allocates it"
    out.append(("PTE", f"{pte:#018x} [{decode_flags(pte)}]  ({src})"))
    kind, why = pte_handler(vma, pte, write)
    text = kind_name(kind) if kind.startswith("FAULT_") else f"{kind} (VM_FAULT_{kind})"
    out.append(("handler", f"{text}  ({why})"))
    if kind == "FAULT_SPURIOUS":
        try:
            names = {v: k for k, v in enum_values("fault_kind").items()}
            last = names.get(int(gdb.parse_and_eval("last_fault_kind")))
            out.append(("last", f"last_fault_kind = {kind_name(last)}  (what the latest handle_mm_fault "
                                "did: if it handled this fault, the PTE above is its work)"))
        except gdb.error:
            pass
    return out


@register
class FlFault(gdb.Command):
    """fl-fault: while stopped in the page-fault path: the address, error code, VMA and handler.

Walks out from the selected frame through exc_page_fault,
do_user_addr_fault, handle_mm_fault ... the leaf handlers, reading the
arguments it finds (address, error_code, regs, vma, vmf); what is
optimized out comes from CR2 and regs->orig_ax instead.  Then it redoes the
kernel's decisions: find_vma (or "no VMA: SIGSEGV"), access_error, and
handle_pte_fault's choice from the PTE: zero page, new anonymous page,
file read, COW, shared, write-protect reuse or copy, spurious."""
    NAME = "fl-fault"

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        try:
            frames = fault_frames()
        except gdb.error as e:
            raise gdb.GdbError(f"no frames: {e}")
        info = FaultInfo(frames)
        if info.where is None:
            names = " <- ".join(nm for _, nm, _ in frames[:6])
            raise gdb.GdbError("not stopped in the page-fault path (frames: " + names + "); try "
                               "fl-break-fault ADDR, or break exc_page_fault")
        level, name = info.where
        task = current_task()
        print(f"page fault: stopped in {name} (frame #{level}), current is "
              f"{describe_task(task) if ptr(task) else '(none)'}")
        print(f"  path      {' -> '.join(reversed(info.path))}")
        addr = info.address
        cr2 = f"CR2 {info.cr2:#x}" if info.cr2 is not None else "CR2 unreadable"
        print(f"  address   {addr:#x}  (from {info.address_from}; {cr2})")
        if info.error_code is not None:
            print(f"  error     {info.error_code:#x} [{decode_error_code(info.error_code)}]  (from {info.ec_from})")
        else:
            print("  error     unknown (no error_code, regs or flags readable)")
        if info.regs is not None:
            try:
                ip = int(info.regs["ip"]) & U64
                print(f"  ip        {ip:#x} ({'user' if ip < START_KERNEL_MAP else 'kernel'} code), "
                      f"regs at {ptr(info.regs):#x}")
            except gdb.error:
                pass
        if info.vma is not None:
            mm = info.vma["vm_mm"]
        else:
            mm = task["mm"] if ptr(task) else gdb.Value(0)
        override = None
        inner = [nm for nm in info.path if nm in LEAVES]
        if inner and info.vmf is not None:
            try:
                override = int(info.vmf["orig_pte"]["pte"]) & U64
            except gdb.error:
                override = None
        for label, text in predict(info, mm, addr, info.error_code, override):
            print(f"  {label:<9} {text}")
        if inner:
            print(f"  now in    {inner[0]}: the handler is already running")
        if info.vmf is not None:
            try:
                kind = int(info.vmf["kind"])
                if kind:
                    names = {v: k for k, v in enum_values("fault_kind").items()}
                    print(f"  done      vmf->kind = {kind_name(names.get(kind, str(kind)))}")
            except gdb.error:
                pass


def fault_address_now():
    """The faulting address at this stop: the innermost fault-path frame's, else CR2."""
    try:
        frames = fault_frames(gdb.newest_frame(), limit=12)
    except gdb.error:
        frames = []
    info = FaultInfo(frames)
    if info.address is None:
        raise gdb.GdbError("no fault address: neither an address argument nor CR2 is readable")
    return info.address


class FaultAddress(gdb.Function):
    """$fl_fault_address(): the address of the page fault being handled (the fault path's
`address` argument where it is readable, CR2 otherwise).  Usable in breakpoint conditions."""

    def __init__(self):
        super().__init__("fl_fault_address")

    def invoke(self):
        require_target()
        return gdb.Value(fault_address_now()).cast(gdb.lookup_type("unsigned long"))


FaultAddress()


@register
class FlBreakFault(gdb.Command):
    """fl-break-fault ADDR [hw|sw]: stop in do_user_addr_fault at the next fault on ADDR's page.

A conditional breakpoint on do_user_addr_fault:
  ($fl_fault_address() & ~0xfff) == (ADDR & ~0xfff)
`address` itself is optimized out where the breakpoint lands, so a plain
`break do_user_addr_fault if address == X` stops with an error instead.
The breakpoint is a hardware one (hbreak) while the kernel is not running
yet (before it is loaded, software breakpoints cannot be written), else a
software one; hw/sw forces the choice."""
    NAME = "fl-break-fault"
    NEEDS_TARGET = False

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if not argv or len(argv) > 2 or (len(argv) == 2 and argv[1] not in ("hw", "sw")):
            raise gdb.GdbError("usage: fl-break-fault ADDR [hw|sw]")
        page = int(gdb.parse_and_eval(f"(unsigned long)({argv[0]})")) & PAGE_MASK
        if len(argv) == 2:
            hw = argv[1] == "hw"
        else:
            try:
                hw = (int(gdb.parse_and_eval("$pc")) & U64) < START_KERNEL_MAP
            except gdb.error:
                hw = True
        cond = f"($fl_fault_address() & ~0xfffUL) == {page:#x}"
        gdb.execute(f"{'hbreak' if hw else 'break'} do_user_addr_fault if {cond}", to_string=False)
        print(f"{'hardware' if hw else 'software'} breakpoint: the next user-address fault on page "
              f"{page:#x}; then fl-fault")
