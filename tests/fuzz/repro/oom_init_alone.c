/*
 * oom_init_alone - PID 1 alone runs out of memory (run with MEM=96M).
 *
 * mm/oom_kill.c means to kill PID 1 when nothing else is left ("init
 * last"), which ends the run with status 137 (SIGKILL).  PID 1 still carries
 * PF_KTHREAD from the kernel thread it was before kernel_execve (nothing
 * clears it; Linux's begin_new_exec does), so badness() scores it 0 and the
 * OOM killer panics: "Out of memory and no killable processes".
 * The same happens at the first injected page-allocation failure in a user
 * fault of any single-process test (fail_page_alloc=...).
 */
#include "fl_user.h"

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    long a = fl_mmap(0, 1UL << 30, PROT_RW, PRIV_ANON | MAP_NORESERVE, -1, 0);
    if (fl_is_err(a))
        return 3;
    for (unsigned long off = 0; off < (1UL << 30); off += PAGE_SIZE)
        *(volatile char *)(a + off) = 1;
    return 0; /* a machine with 1 GiB free: nothing to see */
}
