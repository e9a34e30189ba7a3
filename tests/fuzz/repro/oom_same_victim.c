/*
 * oom_same_victim - how many times does the OOM killer kill one victim?
 *
 * Run with MEM=96M and without "quiet" so the OOM killer's lines reach the
 * console (tests/fuzz/fuzz_boot.py's boot_loud, or tools/run_tests_robust.py).
 * A sleeping child holds 56 MiB; a second child writes memory until none is
 * left.  The OOM killer must pick the sleeper (largest RSS) once and wait
 * for it to die: Linux skips a task that is already an OOM victim or has
 * SIGKILL pending ("oom_evaluate_task: abort").  The fault path retries at
 * once instead, and every retry picks and "kills" the same victim again,
 * printing a line each time, until the victim gets to run.
 * Expected: one "Out of memory: killed process" line per victim.
 */
#include "fl_user.h"

static void touch(unsigned long a, unsigned long len)
{
    for (unsigned long o = 0; o < len; o += 4096)
        *(volatile char *)(a + o) = 1;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fl_flush();
    long sleeper = fl_syscall0(57);
    if (sleeper == 0) {
        static volatile unsigned int word;
        long a = fl_mmap(0, 56UL << 20, PROT_RW, PRIV_ANON, -1, 0);
        touch((unsigned long)a, 56UL << 20);
        for (;;)
            fl_syscall6(202, (long)&word, 0, 0, 0, 0, 0); /* FUTEX_WAIT: asleep, holding 56 MiB */
    }
    long ts[2] = { 0, 200000000 };
    fl_syscall2(35, ts, 0); /* let it fill its memory */
    long hog = fl_syscall0(57);
    if (hog == 0) {
        long a = fl_mmap(0, 1UL << 30, PROT_RW, PRIV_ANON | MAP_NORESERVE, -1, 0);
        touch((unsigned long)a, 1UL << 30); /* runs out; the sleeper is the victim */
        fl_syscall1(SYS_exit_group, 0);
    }
    int st1 = 0, st2 = 0;
    fl_syscall6(61, sleeper, (long)&st1, 0, 0, 0, 0);
    fl_syscall6(61, hog, (long)&st2, 0, 0, 0, 0);
    fl_printf("sleeper: signal %d; hog: signal %d\n", st1 & 0x7f, st2 & 0x7f);
    return 0;
}
