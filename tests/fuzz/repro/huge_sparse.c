/*
 * huge_sparse - how long do mprotect, fork and munmap take on one huge,
 * almost empty VMA?  Linux skips absent upper-level tables; a walk that
 * steps 2 MiB at a time over 2^46 bytes makes 2^25 steps per call.
 * argv[1] = log2 of the length (default 46).  Run under
 * QEMU_OPTS="-icount shift=0,align=off,sleep=off": the figures are then
 * millions of guest instructions (jiffies do not advance inside a
 * system call, so clock_gettime cannot time one).
 */
#include "fl_user.h"

/* Under QEMU -icount shift=0 the TSC counts guest instructions (DESIGN.md section 3). */
static long now_ms(void)
{
    unsigned lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (long)(((unsigned long)hi << 32 | lo) / 1000000);
}

int main(int argc, char **argv)
{
    int shift = 46;
    if (argc > 1) {
        shift = 0;
        for (const char *p = argv[1]; *p; p++)
            shift = shift * 10 + (*p - '0');
    }
    unsigned long len = 1UL << shift;
    long t0 = now_ms();
    long a = fl_mmap(0, len, PROT_NONE, PRIV_ANON | MAP_NORESERVE, -1, 0);
    fl_check("mmap", a);
    if (fl_is_err(a))
        return 1;
    long t1 = now_ms();
    /* touch one page at each end so a few tables exist */
    fl_check("mprotect rw", fl_mprotect((void *)a, len, PROT_RW));
    long t2 = now_ms();
    ((volatile char *)a)[0] = 1;
    ((volatile char *)a)[len - 1] = 1;
    fl_flush();
    long pid = fl_syscall0(57);
    if (pid == 0)
        fl_syscall1(SYS_exit_group, 0);
    int st;
    fl_syscall6(61, pid, (long)&st, 0, 0, 0, 0);
    long t3 = now_ms();
    fl_check("munmap", fl_munmap((void *)a, len));
    long t4 = now_ms();
    fl_printf("millions of TSC ticks (= guest instructions under -icount shift=0): mmap %ld, mprotect %ld, "
              "fork+exit+wait %ld, munmap %ld\n", t1 - t0, t2 - t1, t3 - t2, t4 - t3);
    return 0;
}
