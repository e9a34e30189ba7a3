/*
 * oom_hog - the OOM killer, in a small guest (Faultline only; run with MEM=96M).
 *
 *   MEM=96M tools/run-elf build/user/oom_hog
 *
 * 1. Three rounds: a child maps 1 GiB (MAP_NORESERVE) and writes to it page
 *    after page, forever.  When no page is left, the fault path calls the
 *    OOM killer (mm/oom_kill.c), which must pick the child (largest RSS):
 *    the parent must see it killed by SIGKILL, and the free memory must come
 *    back to what it was before the round (/proc/meminfo MemFree).
 * 2. A normal allocation (16 MiB, written and read back) must then succeed.
 * 3. Requests too big for the address space fail with an errno and kill
 *    nobody: mmap of 2^47 bytes, of ~0, brk beyond TASK_SIZE.  Requests
 *    bigger than RAM are refused by the overcommit check (mm/util.c), as by
 *    Linux's default policy: brk +64 TiB, 64 GiB private writable.
 * 4. MAP_POPULATE of 1 GiB (MAP_NORESERVE, else the overcommit check refuses
 *    it) in a child: whatever happens (the populate stops
 *    at the first failure, and the child may be OOM-killed when it touches
 *    memory afterwards), the parent survives and the memory comes back.
 *
 * Exit status 0 when every expectation held; the output says what happened.
 * Not host-comparable (kept out of cases.txt): the host has other amounts
 * of memory (tests/user/overcommit.c compares the overcommit policy).
 */
#include "fl_user.h"

#define NR_open 2
#define NR_close 3
#define NR_nanosleep 35
#define NR_fork 57
#define NR_wait4 61
#define SIGKILL 9

#define MB (1024UL * 1024)
#define GB (1024UL * MB)

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

/* MemFree in KiB, from /proc/meminfo; -1 if unreadable. */
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
    for (char *p = buf; *p; p++) {
        if ((p == buf || p[-1] == '\n') && p[0] == 'M' && !memcmp(p, "MemFree:", 8)) {
            long v = 0;
            for (p += 8; *p == ' '; p++)
                ;
            while (*p >= '0' && *p <= '9')
                v = v * 10 + (*p++ - '0');
            return v;
        }
    }
    return -1;
}

/* Free memory once the kernel has caught up with the dead (the reaper frees their stacks). */
static long settled_free_kb(void)
{
    sleep_ms(30);
    return mem_free_kb();
}

static long fork_child(void)
{
    fl_flush();
    return fl_syscall0(NR_fork);
}

static int wait_child(long pid)
{
    int st = 0;
    long r = fl_syscall6(NR_wait4, pid, (long)&st, 0, 0, 0, 0);
    return r == pid ? st : -1;
}

static const char *describe(int st, char *buf)
{
    if (st < 0)
        return "wait4 failed";
    if ((st & 0x7f) == 0) {
        memcpy(buf, "exited ", 7);
        buf[7] = (char)('0' + ((st >> 8) & 0xff) / 100);
        buf[8] = (char)('0' + ((st >> 8) & 0xff) / 10 % 10);
        buf[9] = (char)('0' + ((st >> 8) & 0xff) % 10);
        buf[10] = 0;
        return buf;
    }
    if ((st & 0x7f) == SIGKILL)
        return "killed by SIGKILL";
    memcpy(buf, "killed by signal ", 17);
    buf[17] = (char)('0' + (st & 0x7f) / 10);
    buf[18] = (char)('0' + (st & 0x7f) % 10);
    buf[19] = 0;
    return buf;
}

/* Write to page after page of anonymous memory until the OOM killer ends us. */
static __attribute__((noreturn)) void hog(void)
{
    for (;;) {
        long a = fl_mmap(0, 1 * GB, PROT_RW, PRIV_ANON | MAP_NORESERVE, -1, 0);
        if (fl_is_err(a))
            a = fl_mmap(0, 64 * MB, PROT_RW, PRIV_ANON | MAP_NORESERVE, -1, 0);
        if (fl_is_err(a))
            fl_syscall1(SYS_exit_group, 3); /* not even address space: that is not what we test */
        for (unsigned long off = 0; off < 1 * GB; off += PAGE_SIZE)
            *(volatile char *)(a + off) = 1;
    }
}

static void rounds(void)
{
    for (int round = 1; round <= 3; round++) {
        long before = settled_free_kb();
        long pid = fork_child();
        if (pid == 0)
            hog();
        if (fl_is_err(pid)) {
            fl_printf("round %d: fork: %s\n", round, fl_errname(pid));
            failures++;
            continue;
        }
        int st = wait_child(pid);
        char buf[32];
        fl_printf("round %d: the hog was %s\n", round, describe(st, buf));
        expect(st >= 0 && (st & 0x7f) == SIGKILL, "  killed by SIGKILL");
        long after = settled_free_kb();
        /* A few pages may stay in slab caches; a hog's worth may not. */
        int back = before > 0 && after > 0 && after + 256 >= before;
        expect(back, "  its memory came back");
        if (!back)
            fl_printf("  MemFree %ld kB before, %ld kB after\n", before, after);
    }
}

static void normal_allocation(const char *when)
{
    unsigned long len = 16 * MB;
    long a = fl_mmap(0, len, PROT_RW, PRIV_ANON, -1, 0);
    int ok = !fl_is_err(a);
    if (ok) {
        for (unsigned long off = 0; off < len; off += PAGE_SIZE)
            *(volatile unsigned long *)(a + off) = off ^ 0x5a5a5a5aUL;
        for (unsigned long off = 0; off < len; off += PAGE_SIZE)
            if (*(volatile unsigned long *)(a + off) != (off ^ 0x5a5a5a5aUL))
                ok = 0;
        fl_munmap((void *)a, len);
    }
    fl_printf("16 MiB allocation %s: %s\n", when, ok ? "ok" : "FAILED");
    if (!ok)
        failures++;
}

static void huge_requests(void)
{
    long r;

    r = fl_mmap(0, 1UL << 47, PROT_RW, PRIV_ANON, -1, 0);
    fl_printf("mmap 2^47 bytes: %s\n", fl_is_err(r) ? fl_errname(r) : "mapped");
    expect(r == -ENOMEM, "  fails with ENOMEM");
    r = fl_mmap(0, ~0UL, PROT_RW, PRIV_ANON, -1, 0);
    fl_printf("mmap ~0 bytes: %s\n", fl_is_err(r) ? fl_errname(r) : "mapped");
    expect(r == -ENOMEM, "  fails with ENOMEM");
    r = fl_mmap(0, TASK_SIZE, PROT_RW, PRIV_ANON | MAP_NORESERVE, -1, 0);
    fl_printf("mmap TASK_SIZE bytes: %s\n", fl_is_err(r) ? fl_errname(r) : "mapped");
    expect(r == -ENOMEM, "  fails with ENOMEM");

    unsigned long brk0 = (unsigned long)fl_brk(0);
    r = fl_brk((void *)(TASK_SIZE + PAGE_SIZE));
    expect((unsigned long)r == brk0, "brk beyond TASK_SIZE leaves the break alone");
    r = fl_brk((void *)~0UL);
    expect((unsigned long)r == brk0, "brk to ~0 leaves the break alone");

    /* Refused by the overcommit check: more than RAM in one promise. */
    r = fl_brk((void *)(brk0 + (1UL << 46)));
    fl_printf("brk +64 TiB: %s\n", (unsigned long)r == brk0 ? "refused" : "granted");
    expect((unsigned long)r == brk0, "  refused (overcommit)");
    if ((unsigned long)r != brk0)
        fl_brk((void *)brk0);
    r = fl_mmap(0, 64 * GB, PROT_RW, PRIV_ANON, -1, 0);
    fl_printf("mmap 64 GiB private writable: %s\n", fl_is_err(r) ? fl_errname(r) : "granted");
    expect(r == -ENOMEM, "  fails with ENOMEM (overcommit)");
    if (!fl_is_err(r))
        fl_munmap((void *)r, 64 * GB);
    expect((unsigned long)fl_brk(0) == brk0, "the break is back where it was");
}

static void populate_too_much(void)
{
    long before = settled_free_kb();
    long pid = fork_child();
    if (pid == 0) {
        long a = fl_mmap(0, 1 * GB, PROT_RW, PRIV_ANON | MAP_NORESERVE | MAP_POPULATE, -1, 0);
        fl_printf("  child: mmap 1 GiB MAP_POPULATE: %s\n", fl_is_err(a) ? fl_errname(a) : "returned an address");
        fl_flush();
        if (!fl_is_err(a))
            for (unsigned long off = 0; off < 1 * GB; off += PAGE_SIZE)
                *(volatile char *)(a + off) = 1; /* the rest of it: the OOM killer ends this */
        fl_syscall1(SYS_exit_group, 0);
    }
    int st = wait_child(pid);
    char buf[32];
    fl_printf("MAP_POPULATE 1 GiB in a child: the child %s\n", describe(st, buf));
    expect(st >= 0, "  the parent survived and reaped it");
    long after = settled_free_kb();
    int back = before > 0 && after > 0 && after + 256 >= before;
    expect(back, "  its memory came back");
    if (!back)
        fl_printf("  MemFree %ld kB before, %ld kB after\n", before, after);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fl_printf("MemTotal-sized test: MemFree at start %s\n", mem_free_kb() > 0 ? "read" : "UNREADABLE");
    rounds();
    normal_allocation("after the hogs");
    huge_requests();
    populate_too_much();
    normal_allocation("at the end");
    fl_printf("%s\n", failures ? "FAILED" : "all expectations held");
    return failures ? 1 : 0;
}
