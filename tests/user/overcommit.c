/*
 * overcommit.c - Linux's default overcommit policy (vm.overcommit_memory = 0,
 * "guess"): a single promise of more memory than RAM + swap is refused with
 * ENOMEM; anything smaller is granted, however many there are.
 *
 * R = MemTotal + SwapTotal from /proc/meminfo (Faultline has no swap and
 * prints no SwapTotal).  "Too big" below means R + 64 MiB, "half" R / 2.
 * Nothing is touched, so no memory is used: only promises are made.
 *   - private writable mmap: too big -> ENOMEM; half -> ok; ten halves -> all ok;
 *   - PROT_READ (not promised) -> ok, then mprotect to writable -> ENOMEM;
 *   - MAP_NORESERVE -> ok (no promise is made);
 *   - shared anonymous: too big -> ENOMEM, with MAP_NORESERVE -> ok;
 *   - brk by too much -> refused (the break stays);
 *   - MAP_FIXED of too much over an existing mapping -> ENOMEM, and the old
 *     mapping is still there (Linux 6.12 and later check before unmapping);
 *   - fork of a process holding one writable VMA bigger than R (two halves
 *     and a bit, merged) -> ENOMEM: the child would be promised it again.
 * Assumes vm.overcommit_memory = 0, the default.
 */
#include "fl_user.h"
#include "fl_task.h"

#define PG PAGE_SIZE
#define MB (1UL << 20)

static const char *res(long r)
{
    return fl_is_err(r) ? fl_errname(r) : "ok";
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static char info[4096];
    if (fl_read_file("/proc/meminfo", info, sizeof(info)) < 0)
        return 1;
    long swap = fl_status_value(info, "SwapTotal");
    unsigned long R = ((unsigned long)fl_status_value(info, "MemTotal") + (swap > 0 ? (unsigned long)swap : 0)) * 1024;
    R &= ~(PG - 1);
    unsigned long big = R + 64 * MB, half = (R / 2) & ~(PG - 1);
    long r;

    r = fl_mmap(0, big, PROT_RW, PRIV_ANON, -1, 0);
    fl_printf("private writable, too big: %s\n", res(r));
    r = fl_mmap(0, half, PROT_RW, PRIV_ANON, -1, 0);
    fl_printf("private writable, half: %s\n", res(r));
    if (!fl_is_err(r))
        fl_munmap((void *)r, half);

    long many[10];
    int ok = 0;
    for (int i = 0; i < 10; i++) {
        many[i] = fl_mmap(0, half, PROT_RW, PRIV_ANON, -1, 0);
        ok += !fl_is_err(many[i]);
    }
    fl_printf("ten halves, one after another: %d of 10 ok\n", ok);
    for (int i = 0; i < 10; i++)
        if (!fl_is_err(many[i]))
            fl_munmap((void *)many[i], half);

    r = fl_mmap(0, big, PROT_READ, PRIV_ANON, -1, 0);
    fl_printf("read-only, too big: %s\n", res(r));
    if (!fl_is_err(r)) {
        fl_printf("  mprotect to writable: %s\n", res(fl_mprotect((void *)r, big, PROT_RW)));
        fl_printf("  mprotect of half of it to writable: %s\n", res(fl_mprotect((void *)r, half, PROT_RW)));
        fl_munmap((void *)r, big);
    }
    r = fl_mmap(0, big, PROT_RW, PRIV_ANON | MAP_NORESERVE, -1, 0);
    fl_printf("private writable MAP_NORESERVE, too big: %s\n", res(r));
    if (!fl_is_err(r))
        fl_munmap((void *)r, big);

    r = fl_mmap(0, big, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    fl_printf("shared anonymous, too big: %s\n", res(r));
    if (!fl_is_err(r))
        fl_munmap((void *)r, big);
    r = fl_mmap(0, big, PROT_RW, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    fl_printf("shared anonymous MAP_NORESERVE, too big: %s\n", res(r));
    if (!fl_is_err(r))
        fl_munmap((void *)r, big);

    unsigned long brk0 = (unsigned long)fl_brk(0);
    r = fl_brk((void *)(brk0 + big));
    fl_printf("brk by too much: %s\n", (unsigned long)r == brk0 ? "refused" : "granted");
    r = fl_brk((void *)(brk0 + 16 * PG));
    fl_printf("brk by 16 pages: %s\n", (unsigned long)r == brk0 + 16 * PG ? "granted" : "refused");
    fl_brk((void *)brk0);

    /* MAP_FIXED of too much over a page holding data. */
    long old = fl_mmap(0, big + PG, PROT_NONE, PRIV_ANON | MAP_NORESERVE, -1, 0); /* room for it */
    if (fl_is_err(old))
        return 1;
    fl_munmap((void *)old, big + PG);
    long page = fl_mmap((void *)old, PG, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    *(volatile long *)page = 42;
    r = fl_mmap((void *)old, big, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    fl_printf("MAP_FIXED of too much over a mapping: %s\n", res(r));
    fl_printf("  the old mapping is still there: %s\n",
              fl_yn(fl_mmap((void *)page, PG, PROT_READ, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0) == -EEXIST &&
                    *(volatile long *)page == 42));
    fl_munmap((void *)page, PG);

    /* One writable VMA bigger than R, made of two mappings that merge. */
    unsigned long part = half + 32 * MB;
    long a = fl_mmap(0, 2 * part, PROT_NONE, PRIV_ANON | MAP_NORESERVE, -1, 0);
    if (fl_is_err(a))
        return 1;
    fl_munmap((void *)a, 2 * part);
    long hi = fl_mmap((void *)(a + part), part, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    long lo = fl_mmap((void *)a, part, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    fl_printf("two writable mappings of half + 32 MiB, side by side: %s, %s\n", res(hi), res(lo));
    long pid = fl_fork();
    if (pid == 0)
        fl_exit(0);
    fl_printf("fork with them merged into one VMA bigger than R: %s\n", res(pid));
    if (pid > 0)
        fl_wait4(pid, 0, 0);
    fl_munmap((void *)lo, part);
    pid = fl_fork();
    if (pid == 0)
        fl_exit(0);
    fl_printf("fork after unmapping one of them: %s\n", res(pid));
    if (pid > 0)
        fl_wait4(pid, 0, 0);
    fl_munmap((void *)hi, part);
    return 0;
}
