/*
 * oom_fork - fork and copy-on-write when memory runs out (Faultline only; MEM=96M).
 *
 *   MEM=96M tools/run-elf build/user/oom_fork
 *
 * 1. COW storm: a child writes 32 MiB, forks four children that each write
 *    to every page (each write copies a page), three times over.  Memory
 *    runs out; the OOM killer ends some of them (which ones depends on RSS
 *    and timing).  Whatever it picks, PID 1 must survive, every process
 *    must be reaped (orphans come to PID 1), and the free memory must come
 *    back.
 * 2. Fork until ENOMEM: a child writes 48 MiB and forks sleepers until fork
 *    fails.  Each fork copies page tables and allocates a task and a kernel
 *    stack, so fork itself must fail cleanly with ENOMEM (dup_mmap, the
 *    page-table copy and copy_process unwinding) or the OOM killer must end
 *    someone; then every sleeper is killed and reaped and the memory comes
 *    back.
 * 3. A normal allocation (16 MiB) succeeds at the end.
 *
 * Exit status 0 when PID 1 survived, everything was reaped and the memory
 * came back.  Not host-comparable (kept out of cases.txt).
 */
#include "fl_user.h"

#define NR_open 2
#define NR_close 3
#define NR_nanosleep 35
#define NR_fork 57
#define NR_wait4 61
#define NR_kill 62
#define SIGKILL 9
#define WNOHANG 1
#define ECHILD 10

#define MB (1024UL * 1024)

static int failures;

static void expect(int ok, const char *what)
{
    fl_printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        failures++;
}

static void sleep_ms(long ms)
{
    long ts[2] = { ms / 1000, (ms % 1000) * 1000000L };
    fl_syscall2(NR_nanosleep, ts, 0);
}

static long mem_free_kb(void)
{
    char buf[512];
    long fd = fl_syscall3(NR_open, "/proc/meminfo", 0, 0);
    if (fl_is_err(fd))
        return -1;
    long n = fl_read((int)fd, buf, sizeof buf - 1);
    fl_syscall1(NR_close, fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    for (char *p = buf; *p; p++)
        if ((p == buf || p[-1] == '\n') && !memcmp(p, "MemFree:", 8)) {
            long v = 0;
            for (p += 8; *p == ' '; p++)
                ;
            while (*p >= '0' && *p <= '9')
                v = v * 10 + (*p++ - '0');
            return v;
        }
    return -1;
}

static long fork_child(void)
{
    fl_flush();
    return fl_syscall0(NR_fork);
}

/* Reap every child and orphan; returns how many were killed by SIGKILL. */
static int reap_all(int *reaped)
{
    int killed = 0;
    *reaped = 0;
    for (;;) {
        int st = 0;
        long r = fl_syscall6(NR_wait4, -1, (long)&st, 0, 0, 0, 0);
        if (r == -ECHILD)
            return killed;
        if (fl_is_err(r)) {
            sleep_ms(10);
            continue;
        }
        (*reaped)++;
        if ((st & 0x7f) == SIGKILL)
            killed++;
    }
}

static void touch(unsigned long a, unsigned long len, unsigned char v)
{
    for (unsigned long off = 0; off < len; off += PAGE_SIZE)
        *(volatile unsigned char *)(a + off) = v;
}

static __attribute__((noreturn)) void cow_storm_parent(void)
{
    unsigned long len = 32 * MB;
    long a = fl_mmap(0, len, PROT_RW, PRIV_ANON, -1, 0);
    if (fl_is_err(a))
        fl_syscall1(SYS_exit_group, 3);
    touch((unsigned long)a, len, 1);
    for (int i = 0; i < 4; i++) {
        long pid = fl_syscall0(NR_fork);
        if (pid == 0) {
            for (int pass = 0; pass < 3; pass++)
                touch((unsigned long)a, len, (unsigned char)(pass + 2));
            fl_syscall1(SYS_exit_group, 0);
        }
    }
    for (;;) { /* wait for our children; exit when none is left */
        long r = fl_syscall6(NR_wait4, -1, 0, 0, 0, 0, 0);
        if (r == -ECHILD)
            fl_syscall1(SYS_exit_group, 0);
    }
}

static void cow_storm(void)
{
    long before = mem_free_kb();
    long pid = fork_child();
    if (pid == 0)
        cow_storm_parent();
    int reaped, killed = reap_all(&reaped);
    sleep_ms(30);
    long after = mem_free_kb();
    fl_printf("COW storm: %d processes reaped, %d of them killed by SIGKILL\n", reaped, killed);
    expect(reaped == 5, "  all 5 processes reaped by PID 1 or their parent");
    expect(before > 0 && after + 256 >= before, "  memory came back");
    if (!(before > 0 && after + 256 >= before))
        fl_printf("  MemFree %ld kB before, %ld kB after\n", before, after);
}

static __attribute__((noreturn)) void fork_until_enomem_parent(void)
{
    unsigned long len = 48 * MB;
    long kids[2048];
    int n = 0;
    long a = fl_mmap(0, len, PROT_RW, PRIV_ANON, -1, 0);
    if (fl_is_err(a))
        fl_syscall1(SYS_exit_group, 3);
    touch((unsigned long)a, len, 1);
    long err = 0;
    while (n < 2048) {
        long pid = fl_syscall0(NR_fork);
        if (pid == 0) {
            /* Hold the copied page tables until killed: block in FUTEX_WAIT (not nanosleep:
             * a task killed in nanosleep trips known bug 4, see docs/reliability.md). */
            static volatile unsigned int word;
            for (;;)
                fl_syscall6(202, (long)&word, 0 /* FUTEX_WAIT */, 0, 0, 0, 0);
        }
        if (fl_is_err(pid)) {
            err = pid;
            break;
        }
        kids[n++] = pid;
    }
    /* Report through the exit status: 1 = fork failed with ENOMEM, 2 = another error, 0 = never failed */
    for (int i = 0; i < n; i++)
        fl_syscall2(NR_kill, kids[i], SIGKILL);
    for (int i = 0; i < n; i++)
        fl_syscall6(NR_wait4, kids[i], 0, 0, 0, 0, 0);
    for (;;)
        fl_syscall1(SYS_exit_group, err == -ENOMEM ? 1 : err ? 2 : 0);
}

static void fork_until_enomem(void)
{
    long before = mem_free_kb();
    long pid = fork_child();
    if (pid == 0)
        fork_until_enomem_parent();
    int st = 0;
    fl_syscall6(NR_wait4, pid, (long)&st, 0, 0, 0, 0);
    /* If the forker was OOM-killed, its sleepers are ours now and sleep forever: kill every
     * pid above the forker's (all of them its children; a probe fork tells the highest). */
    long last = fork_child();
    if (last == 0)
        fl_syscall1(SYS_exit_group, 0);
    for (long p = pid + 1; p < last; p++)
        fl_syscall2(NR_kill, p, SIGKILL);
    int reaped, killed = reap_all(&reaped); /* the orphans and the probe */
    reaped--;
    sleep_ms(30);
    long after = mem_free_kb();
    const char *how = (st & 0x7f) == SIGKILL ? "the forker was OOM-killed"
                      : (st & 0x7f)          ? "the forker died of a signal"
                      : ((st >> 8) & 0xff) == 1 ? "fork failed with ENOMEM"
                      : ((st >> 8) & 0xff) == 2 ? "fork failed with another errno"
                      : ((st >> 8) & 0xff) == 3 ? "the forker could not map its memory"
                                                : "fork never failed";
    fl_printf("fork until ENOMEM: %s (%d orphans reaped, %d killed)\n", how, reaped, killed);
    expect((st & 0x7f) == SIGKILL || ((st & 0x7f) == 0 && ((st >> 8) & 0xff) == 1),
           "  fork failed with ENOMEM or the OOM killer stepped in");
    expect(before > 0 && after + 256 >= before, "  memory came back");
    if (!(before > 0 && after + 256 >= before))
        fl_printf("  MemFree %ld kB before, %ld kB after\n", before, after);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cow_storm();
    fork_until_enomem();
    unsigned long len = 16 * MB;
    long a = fl_mmap(0, len, PROT_RW, PRIV_ANON, -1, 0);
    int ok = !fl_is_err(a);
    if (ok) {
        touch((unsigned long)a, len, 9);
        for (unsigned long off = 0; off < len; off += PAGE_SIZE)
            ok &= *(volatile unsigned char *)(a + off) == 9;
        fl_munmap((void *)a, len);
    }
    expect(ok, "16 MiB allocation at the end");
    fl_printf("%s\n", failures ? "FAILED" : "all expectations held");
    return failures ? 1 : 0;
}
