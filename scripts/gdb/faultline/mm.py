"""Tasks and their address spaces: fl-ps and fl-mm (include/linux/sched.h, mm_types.h)."""
import gdb

from faultline.utils import (PAGE_MASK, PAGE_SIZE, atomic, comm_of, container_of, list_for_each,
                             ptr, register, require_target, virt_to_phys)

TASK_STATES = {0x0000: "R", 0x0001: "S", 0x0002: "D", 0x0080: "X"}
EXIT_ZOMBIE, EXIT_DEAD = 0x20, 0x10
PF_KTHREAD = 0x00200000


def task_ptr_type():
    return gdb.lookup_type("struct task_struct").pointer()


def tasks():
    """Every task_struct * on the task list, init_task (PID 0) first."""
    init = gdb.parse_and_eval("&init_task")
    yield init
    head = ptr(init["tasks"].address)
    for node in list_for_each(head):
        yield container_of(node, "task_struct", "tasks")


def task_by_pid(pid):
    """The task_struct * with this PID (thread id), or None.  Linux: $lx_task_by_pid."""
    for t in tasks():
        if int(t["pid"]) == pid:
            return t
    return None


def current_task():
    return gdb.parse_and_eval("current_task")


def resolve_task(arg):
    """A PID argument (empty: current_task) -> task_struct *, or a GdbError."""
    arg = (arg or "").strip()
    if not arg:
        t = current_task()
        if not ptr(t):
            raise gdb.GdbError("current_task is NULL (the scheduler is not set up yet)")
        return t
    try:
        pid = int(gdb.parse_and_eval(arg))
    except gdb.error:
        raise gdb.GdbError(f"not a PID: {arg}")
    t = task_by_pid(pid)
    if t is None:
        raise gdb.GdbError(f"no task with PID {pid} (fl-ps lists them)")
    return t


def mm_of(task):
    """(mm_struct *, borrowed): the task's mm, or for a kernel thread the active_mm it borrows."""
    mm = task["mm"]
    if ptr(mm):
        return mm, False
    return task["active_mm"], True


def mm_name(mm):
    """'init_mm' for the kernel's own mm, else the address."""
    a = ptr(mm)
    if not a:
        return "-"
    try:
        if a == ptr(gdb.parse_and_eval("&init_mm")):
            return "init_mm"
    except gdb.error:
        pass
    return f"{a:#x}"


def task_state(task):
    exit_state = int(task["exit_state"])
    if exit_state & EXIT_ZOMBIE:
        return "Z"
    if exit_state & EXIT_DEAD:
        return "X"
    state = int(task["state"])
    return TASK_STATES.get(state, f"{state:#x}")


def describe_task(task):
    return f"PID {int(task['pid'])} ({comm_of(task)})"


def mm_counter(mm, name):
    idx = int(gdb.parse_and_eval(name))
    return int(mm["rss_stat"][idx]["counter"])


@register
class FlPs(gdb.Command):
    """fl-ps: every task (from init_task.tasks, PID 0 included) with its mm and active_mm.

Columns: the task_struct address, PID, TGID, state (R running or runnable,
S sleeping, D uninterruptible, Z zombie, X dead), comm, mm (- for a kernel
thread), active_mm (the address space loaded while it runs; init_mm is the
kernel's), and mm_users/mm_count of the active_mm.  '>' marks current_task."""
    NAME = "fl-ps"

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        cur = ptr(current_task())
        print(f"  {'TASK':<18} {'PID':>5} {'TGID':>5} ST {'COMM':<16} {'MM':<18} {'ACTIVE_MM':<18} "
              f"{'USERS':>5} {'COUNT':>5}")
        for t in tasks():
            mm = t["mm"]
            amm = t["active_mm"]
            users = count = "-"
            if ptr(amm):
                users, count = atomic(amm["mm_users"]), atomic(amm["mm_count"])
            kthread = " (kthread)" if not ptr(mm) and int(t["flags"]) & PF_KTHREAD else ""
            print(f"{'>' if ptr(t) == cur else ' '} {ptr(t):#018x} {int(t['pid']):>5} {int(t['tgid']):>5} "
                  f"{task_state(t):<2} {comm_of(t):<16} {mm_name(mm):<18} {mm_name(amm):<18} "
                  f"{users:>5} {count:>5}{kthread}")


def status_lines(mm):
    """The Vm* lines of /proc/<pid>/status, computed as fs/proc.c show_status does."""
    anon = mm_counter(mm, "MM_ANONPAGES")
    file = mm_counter(mm, "MM_FILEPAGES")
    shmem = mm_counter(mm, "MM_SHMEMPAGES")
    rss = anon + file + shmem
    total_vm, hiwater_vm = int(mm["total_vm"]), int(mm["hiwater_vm"])
    exec_vm = int(mm["exec_vm"])
    start_code, end_code = int(mm["start_code"]), int(mm["end_code"])
    text = ((end_code + PAGE_SIZE - 1) & PAGE_MASK) - (start_code & PAGE_MASK)
    text = min(text >> 10, exec_vm * 4)
    return [
        ("VmPeak", max(hiwater_vm, total_vm) * 4),
        ("VmSize", total_vm * 4),
        ("VmLck", int(mm["locked_vm"]) * 4),
        ("VmPin", 0),
        ("VmHWM", max(int(mm["hiwater_rss"]), rss) * 4),
        ("VmRSS", rss * 4),
        ("RssAnon", anon * 4),
        ("RssFile", file * 4),
        ("RssShmem", shmem * 4),
        ("VmData", int(mm["data_vm"]) * 4),
        ("VmStk", int(mm["stack_vm"]) * 4),
        ("VmExe", text),
        ("VmLib", exec_vm * 4 - text),
        ("VmPTE", atomic(mm["pgtables_bytes"]) >> 10),
        ("VmSwap", 0),
    ]


@register
class FlMm(gdb.Command):
    """fl-mm [PID]: a task's mm_struct: region boundaries and the /proc/PID/status counters.

Without PID: current_task.  A kernel thread has no mm; fl-mm then shows
the active_mm it borrows, and says so.  The Vm* lines are computed from
the mm exactly as /proc/PID/status computes them (fs/proc.c)."""
    NAME = "fl-mm"

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        task = resolve_task(arg)
        mm, borrowed = mm_of(task)
        if not ptr(mm):
            raise gdb.GdbError(f"{describe_task(task)} has no mm and no active_mm")
        if borrowed:
            print(f"{describe_task(task)} is a kernel thread: mm is NULL; "
                  f"showing its active_mm (borrowed) {mm_name(mm)}")
        print(f"mm_struct {ptr(mm):#x} of {describe_task(task)}"
              + (f", owner {describe_task(mm['owner'])}" if ptr(mm["owner"]) and ptr(mm["owner"]) != ptr(task)
                 else ""))
        pgd = ptr(mm["pgd"])
        print(f"  pgd          {pgd:#x} (phys {virt_to_phys(pgd):#x})")

        def pair(a, b):
            va, vb = int(mm[a]), int(mm[b])
            print(f"  {a:<12} {va:#014x}   {b:<10} {vb:#014x}   ({(vb - va) if vb >= va else 0} bytes)")

        pair("start_code", "end_code")
        pair("start_data", "end_data")
        pair("start_brk", "brk")
        print(f"  {'start_stack':<12} {int(mm['start_stack']):#014x}")
        pair("arg_start", "arg_end")
        pair("env_start", "env_end")
        print(f"  {'mmap_base':<12} {int(mm['mmap_base']):#014x}   {'task_size':<10} {int(mm['task_size']):#014x}")
        for key, value in status_lines(mm):
            print(f"{key}:\t{value:8d} kB")  # show_status's "%s:\t%8lu kB"
        print(f"map_count:\t{int(mm['map_count'])}")
        print(f"mm_users:\t{atomic(mm['mm_users'])}")
        print(f"mm_count:\t{atomic(mm['mm_count'])}")
        print(f"pgtables_bytes:\t{atomic(mm['pgtables_bytes'])}")
        print(f"total_vm {int(mm['total_vm'])} pages, data_vm {int(mm['data_vm'])}, exec_vm {int(mm['exec_vm'])}, "
              f"stack_vm {int(mm['stack_vm'])}, hiwater_rss {int(mm['hiwater_rss'])}, "
              f"VMA tree height {int(mm['mm_mt']['ma_height'])}, {int(mm['mm_mt']['ma_nodes'])} nodes")


class TaskFunction(gdb.Function):
    """$fl_task(PID): the task_struct * with that PID (Linux: $lx_task_by_pid)."""

    def __init__(self):
        super().__init__("fl_task")

    def invoke(self, pid):
        require_target()
        t = task_by_pid(int(pid))
        if t is None:
            raise gdb.GdbError(f"no task with PID {int(pid)}")
        return t


TaskFunction()
