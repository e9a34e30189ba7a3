/*
 * oom_leaderless - the OOM killer and a process whose main thread has exited.
 *
 * Run with MEM=96M.  A child starts a thread and its main thread calls
 * exit() (the thread alone; the process lives on in the thread), then the
 * thread writes memory until none is left.  The OOM killer must kill that
 * process: Linux scores a process by any of its threads that still has the
 * mm (find_lock_task_mm).  mm/oom_kill.c's badness() looks at the group
 * leader only, whose mm is gone, and at no other thread (t->group_leader !=
 * t), so it finds nothing to kill but PID 1 ("init last"): PID 1 dies of
 * SIGKILL, the run ends with status 137 and the pages still held are
 * reported leaked.
 * Linux: exit 0, "child killed by signal 9".
 */
#include "fl_user.h"

static long clone_fn(unsigned long flags, void *stack_top, void (*fn)(void))
{
    long ret;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "call *%[fn]\n\t"
                     "mov $60, %%eax\n\t"
                     "xor %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "hlt\n"
                     "1:"
                     : "=a"(ret)
                     : "a"(56L), "D"(flags), "S"(stack_top), "d"(0L), [fn] "r"(fn)
                     : "rcx", "r11", "memory");
    return ret;
}

static void hog(void)
{
    long ts[2] = { 0, 50000000 };
    fl_syscall2(35, ts, 0); /* the main thread is gone by now */
    long a = fl_mmap(0, 1UL << 30, PROT_RW, PRIV_ANON | MAP_NORESERVE, -1, 0);
    for (unsigned long o = 0; !fl_is_err(a) && o < (1UL << 30); o += 4096)
        *(volatile char *)(a + o) = 1;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fl_flush();
    long pid = fl_syscall0(57);
    if (pid == 0) {
        char *stack = (char *)fl_mmap(0, 65536, PROT_RW, PRIV_ANON, -1, 0);
        clone_fn(0x100 | 0x200 | 0x400 | 0x800 | 0x10000, stack + 65536, hog);
        fl_syscall1(SYS_exit, 0); /* the main thread only */
    }
    int st = 0;
    fl_syscall6(61, pid, (long)&st, 0, 0, 0, 0);
    fl_printf("child killed by signal %d\n", st & 0x7f);
    return 0;
}
