"""The VMA tree (include/linux/maple_tree.h, mm/maple_tree.c): fl-vmas and fl-vmatree.

The tree tiles [0, ULONG_MAX] with ranges.  A node's slot i covers
[pivot[i-1] + 1, pivot[i]]: the first slot starts at the node's minimum and
the last (slot `end`) ends at its maximum, both known only to the parent
(the root covers everything).  Leaves are the nodes at depth ma_height - 1
(node->type says maple_leaf_64 too); their slots hold struct vm_area_struct
pointers, or NULL for a gap.  Internal nodes (maple_arange_64) hold
children and, per child, the largest gap below it.
"""
import gdb

from faultline.mm import describe_task, mm_of, resolve_task
from faultline.utils import U64, c_string, ptr, register

MT_MAX = U64
VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_MAYSHARE = 0x1, 0x2, 0x4, 0x8, 0x80
VM_GROWSDOWN = 0x100
MAPLE_LEAF_64, MAPLE_ARANGE_64 = 1, 2


def node_type():
    return gdb.lookup_type("struct maple_node").pointer()


def _node(addr):
    return gdb.Value(addr).cast(node_type()).dereference()


def mt_len(first, last):
    """Keys in [first, last], saturating like the kernel's mt_len for the whole space."""
    n = (last - first + 1) & U64
    return n if n else MT_MAX


class Node:
    """One maple node read out of memory, with its bounds made explicit."""

    def __init__(self, addr, lo, hi, depth, height):
        n = _node(addr)
        self.addr, self.lo, self.hi, self.depth = addr, lo, hi, depth
        self.leaf = depth == height - 1
        self.type = int(n["type"])
        self.end = int(n["end"])
        body = n["mr64"] if self.leaf else n["ma64"]
        cap = 16 if self.leaf else 10
        count = min(self.end + 1, cap)
        self.pivots = [int(body["pivot"][i]) & U64 for i in range(count - 1)]
        self.slots = [ptr(body["slot"][i]) for i in range(count)]
        self.gaps = [] if self.leaf else [int(n["ma64"]["gap"][i]) & U64 for i in range(count)]

    def ranges(self):
        """[(first, last, slot)] for every slot of the node."""
        out = []
        first = self.lo
        for i, slot in enumerate(self.slots):
            last = self.pivots[i] if i < len(self.pivots) else self.hi
            out.append((first, last, slot))
            first = (last + 1) & U64
        return out


def walk_tree(mt):
    """Yield every Node of a struct maple_tree, depth first, in key order."""
    root = ptr(mt["ma_root"])
    height = int(mt["ma_height"])
    if not root:
        return
    stack = [(root, 0, MT_MAX, 0)]
    while stack:
        addr, lo, hi, depth = stack.pop()
        if depth >= max(height, 1) or depth > 16:
            raise gdb.GdbError(f"maple node {addr:#x} below the tree's height {height}: corrupt tree?")
        node = Node(addr, lo, hi, depth, height)
        yield node
        if not node.leaf:
            children = [(child, first, last, depth + 1) for first, last, child in node.ranges()]
            stack.extend(reversed(children))


def tree_entries(mt):
    """Yield (first, last, entry) for each range of the tree's leaves, gaps (entry 0) included."""
    for node in walk_tree(mt):
        if node.leaf:
            yield from node.ranges()


def vma_ptr(addr):
    return gdb.Value(addr).cast(gdb.lookup_type("struct vm_area_struct").pointer())


def vmas_of(mm):
    """The VMAs of an mm in address order (for_each_vma), as vm_area_struct * values."""
    for first, last, entry in tree_entries(mm["mm_mt"]):
        if entry:
            yield vma_ptr(entry)


def find_vma(mm, addr):
    """Linux's find_vma: the first VMA with vm_end > addr, or None."""
    for vma in vmas_of(mm):
        if int(vma["vm_end"]) > addr:
            return vma
    return None


def vma_prev(mm, vma):
    prev = None
    for v in vmas_of(mm):
        if ptr(v) == ptr(vma):
            return prev
        prev = v
    return None


def perms(flags):
    return ("r" if flags & VM_READ else "-") + ("w" if flags & VM_WRITE else "-") + \
        ("x" if flags & VM_EXEC else "-") + ("s" if flags & VM_MAYSHARE else "p")


def _fl_file(v):
    return v.cast(gdb.lookup_type("struct fl_file").pointer()) if ptr(v) else None


def vma_name(mm, vma):
    """The name column, by the rules of fs/proc.c vma_name."""
    flags = int(vma["vm_flags"])
    start, end = int(vma["vm_start"]), int(vma["vm_end"])
    if ptr(vma["vm_file"]):
        return c_string(_fl_file(vma["vm_file"])["name"])
    if ptr(vma["vm_private_data"]) and flags & VM_MAYSHARE:
        return "/dev/zero (deleted)"
    if start < int(mm["brk"]) and end > int(mm["start_brk"]):
        return "[heap]"
    if start <= int(mm["start_stack"]) and end >= int(mm["start_stack"]):
        return "[stack]"
    return None


def maps_line(mm, vma):
    """One line of /proc/<pid>/maps, byte for byte as fs/proc.c show_map_vma writes it."""
    flags = int(vma["vm_flags"])
    f = _fl_file(vma["vm_file"]) if ptr(vma["vm_file"]) else _fl_file(vma["vm_private_data"])
    ino = int(f["ino"]) if f is not None else 0
    minor = (1 if bool(f["shmem"]) else 2) if f is not None else 0
    offset = (int(vma["vm_pgoff"]) << 12) & U64 if f is not None else 0
    line = (f"{int(vma['vm_start']):08x}-{int(vma['vm_end']):08x} {perms(flags)} {offset:08x} "
            f"{0:02x}:{minor:02x} {ino} ")
    name = vma_name(mm, vma)
    if name:
        line = line.ljust(72) + " " + name
    return line


def vma_short(vma):
    """'10000000-10001000 rw-p' (and anon/file) for tree dumps and fault reports."""
    kind = "anon" if not ptr(vma["vm_ops"]) else "file"
    if ptr(vma["vm_file"]):
        kind = c_string(_fl_file(vma["vm_file"])["name"])
    elif ptr(vma["vm_private_data"]):
        kind = "shmem"
    elif ptr(vma["vm_mm"]):
        kind = vma_name(vma["vm_mm"], vma) or kind
    return f"{int(vma['vm_start']):x}-{int(vma['vm_end']):x} {perms(int(vma['vm_flags']))} {kind}"


@register
class FlVmas(gdb.Command):
    """fl-vmas [PID]: the VMAs in address order, exactly as /proc/PID/maps shows them.

Without PID: current_task.  Reads the VMA tree itself (mm->mm_mt), so it
works wherever the kernel is stopped; a kernel thread has no VMAs."""
    NAME = "fl-vmas"

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        task = resolve_task(arg)
        mm = task["mm"]
        if not ptr(mm):
            print(f"{describe_task(task)} is a kernel thread: no mm, no VMAs "
                  f"(/proc/{int(task['pid'])}/maps is empty)")
            return
        n = 0
        for vma in vmas_of(mm):
            print(maps_line(mm, vma))
            n += 1
        if n != int(mm["map_count"]):
            print(f"warning: {n} VMAs in the tree but mm->map_count is {int(mm['map_count'])}")


def human(nbytes):
    """4 KiB, 256 MiB, ~252 MiB, ~16 EiB: the size in the largest unit that fits (~ if rounded)."""
    units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    i = 0
    while i + 1 < len(units) and nbytes >= 1 << (10 * (i + 1)):
        i += 1
    if i == 0:
        return f"{nbytes} bytes"
    value = nbytes / (1 << (10 * i))
    return f"{value:.0f} {units[i]}" if nbytes % (1 << (10 * i)) == 0 else f"~{value:.3g} {units[i]}"


def _fmt_gap(g):
    if g == MT_MAX:
        return "all"
    return f"{g:#x}" + (f" = {human(g)}" if g else "")


@register
class FlVmaTree(gdb.Command):
    """fl-vmatree [PID]: the VMA tree's nodes, with their pivots, slots and gaps, indented.

Each node shows its address, kind (leaf / internal), the key range it
covers and its pivots.  Leaf slots show the VMA or (gap); internal slots
show the child's range and the largest gap below it ('!' marks an
annotation that differs from the real largest gap)."""
    NAME = "fl-vmatree"

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        task = resolve_task(arg)
        mm, borrowed = mm_of(task)
        if not ptr(mm):
            raise gdb.GdbError(f"{describe_task(task)} has no mm")
        mt = mm["mm_mt"]
        print(f"VMA tree of {describe_task(task)}{' (borrowed active_mm)' if borrowed else ''}: "
              f"maple_tree {ptr(mt.address):#x}, height {int(mt['ma_height'])}, "
              f"{int(mt['ma_nodes'])} nodes, root {ptr(mt['ma_root']):#x}")
        if not ptr(mt["ma_root"]):
            print("  (empty: one gap 0-ffffffffffffffff)")
            return
        real_gap = {}
        nodes = list(walk_tree(mt))
        # Largest real gap below each node, computed bottom-up, to check the annotations.
        for node in reversed(nodes):
            if node.leaf:
                real_gap[node.addr] = max([mt_len(a, b) for a, b, s in node.ranges() if not s] or [0])
            else:
                real_gap[node.addr] = max(real_gap.get(c, 0) for c in node.slots)
        by_addr = {node.addr: node for node in nodes}
        self.show(by_addr, nodes[0], real_gap)

    def show(self, by_addr, node, real_gap):
        ind = "  " * node.depth
        kind = "leaf (maple_leaf_64)" if node.leaf else "internal (maple_arange_64)"
        expect = MAPLE_LEAF_64 if node.leaf else MAPLE_ARANGE_64
        bad_type = "" if node.type == expect else f" [type field {node.type}!]"
        print(f"{ind}node {node.addr:#x} {kind}{bad_type} [{node.lo:x}, {node.hi:x}] {node.end + 1} slots")
        print(f"{ind}  pivots: " + (" ".join(f"{p:x}" for p in node.pivots) or "(none)"))
        for i, (first, last, slot) in enumerate(node.ranges()):
            if node.leaf:
                what = vma_short(vma_ptr(slot)) if slot else f"(gap, {_fmt_gap(mt_len(first, last))})"
                print(f"{ind}  [{i:2d}] {first:x}-{last:x}: {what}")
                continue
            g = node.gaps[i]
            mark = "" if g == real_gap.get(slot) else f" ! real largest gap {_fmt_gap(real_gap.get(slot, 0))}"
            print(f"{ind}  [{i:2d}] {first:x}-{last:x} gap {_fmt_gap(g)}{mark}")
            if slot in by_addr:
                self.show(by_addr, by_addr[slot], real_gap)
