/*
 * mmap_errno.c - mmap(2) argument checking and basic anonymous-mapping
 * semantics (linux-mm-spec.md §5.2, §5.6).  One line per check.
 *
 * Host notes (recorded when the expected output was generated, host kernel
 * 6.18, x86-64, vm.mmap_min_addr = 4096 on that host):
 *  - vm.mmap_min_addr on the reference host is 4096, not Debian's usual 65536,
 *    so the only "below mmap_min_addr" address tested is 0 (EPERM under
 *    both settings), and "MAP_FIXED_NOREPLACE at 0x10000" must succeed under
 *    both settings.
 *  - The host runner runs as root but drops all capabilities first (setpriv);
 *    with CAP_SYS_RAWIO a MAP_FIXED mapping at address 0 would succeed.
 *  - mmap does NOT validate prot: unknown bits (0x10, 0x80000000), PROT_SEM
 *    and PROT_GROWSDOWN are all accepted ("ok"), unlike mprotect, which
 *    rejects them with EINVAL (see munmap_mprotect.c).
 *  - EBADF (bad fd, non-anonymous) is reported before len == 0 (EINVAL), but
 *    after the unaligned-offset EINVAL; anonymous mappings ignore fd and off.
 *  - An unaligned free hint (base+0x123) is rounded DOWN and used (base).
 *  - MAP_FIXED at a kernel-half address (0xffff800000000000) is ENOMEM, not
 *    EINVAL/EPERM.  MAP_FIXED_NOREPLACE at addr 0 is EPERM, same as MAP_FIXED.
 *  - MAP_POPULATE with PROT_NONE succeeds.
 */
#include "fl_user.h"

#define PG PAGE_SIZE

static int all_zero(const void *p, size_t n)
{
    const volatile unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i])
            return 0;
    return 1;
}

static void yesno(const char *label, int v)
{
    fl_printf("%s: %s\n", label, v ? "yes" : "no");
}

/* map, print the result, unmap again when it succeeded */
static void try_map(const char *label, void *addr, size_t len, long prot, long flags, long fd, long off)
{
    long r = fl_mmap(addr, len, prot, flags, fd, off);
    fl_check(label, r);
    if (!fl_is_err(r))
        fl_munmap((void *)r, len);
}

int main(int argc, char **argv)
{
    long r;
    (void)argc;
    (void)argv;

    /* ---- argument errors, in Linux's evaluation order ---- */
    try_map("mmap off=1 (unaligned)", 0, PG, PROT_RW, PRIV_ANON, -1, 1);
    try_map("mmap off=0x800 (unaligned)", 0, PG, PROT_RW, PRIV_ANON, -1, 0x800);
    try_map("mmap off unaligned + bad fd (offset checked first)", 0, PG, PROT_RW, MAP_PRIVATE, 100, 1);
    try_map("mmap len=0", 0, 0, PROT_RW, PRIV_ANON, -1, 0);
    try_map("mmap len=0 + bad fd (fd checked first)", 0, 0, PROT_RW, MAP_PRIVATE, 100, 0);
    try_map("mmap file fd=100 (not open)", 0, PG, PROT_READ, MAP_PRIVATE, 100, 0);
    try_map("mmap file fd=-1", 0, PG, PROT_READ, MAP_PRIVATE, -1, 0);
    try_map("mmap file fd=-1 MAP_SHARED", 0, PG, PROT_READ, MAP_SHARED, -1, 0);
    try_map("mmap file fd=12345", 0, PG, PROT_READ, MAP_PRIVATE, 12345, 0);
    try_map("mmap anon no type (flags=MAP_ANONYMOUS)", 0, PG, PROT_RW, MAP_ANONYMOUS, -1, 0);
    try_map("mmap anon type=0xf", 0, PG, PROT_RW, MAP_ANONYMOUS | 0xf, -1, 0);
    try_map("mmap anon MAP_SHARED_VALIDATE", 0, PG, PROT_RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0);
    try_map("mmap anon MAP_SHARED|MAP_GROWSDOWN", 0, PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
    try_map("mmap len=-1 (PAGE_ALIGN wraps)", 0, (size_t)-1, PROT_RW, PRIV_ANON, -1, 0);
    try_map("mmap len=2^64-4095 (PAGE_ALIGN wraps)", 0, (size_t)-4095L, PROT_RW, PRIV_ANON, -1, 0);
    try_map("mmap len=2^63", 0, 1UL << 63, PROT_RW, PRIV_ANON, -1, 0);
    try_map("mmap len=2^47 (> TASK_SIZE)", 0, 1UL << 47, PROT_RW, PRIV_ANON, -1, 0);
    try_map("mmap len=TASK_SIZE+1 page", 0, TASK_SIZE + PG, PROT_RW, PRIV_ANON, -1, 0);
    try_map("mmap len=TASK_SIZE (no room)", 0, TASK_SIZE, PROT_RW, PRIV_ANON, -1, 0);

    /* MAP_FIXED placement errors */
    try_map("mmap MAP_FIXED addr=0x10001 (unaligned)", (void *)0x10001, PG, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    try_map("mmap MAP_FIXED addr=0x7fff00000800 (unaligned)", (void *)0x7fff00000800UL, PG, PROT_RW,
            PRIV_ANON | MAP_FIXED, -1, 0);
    try_map("mmap MAP_FIXED addr=0 (< mmap_min_addr)", 0, PG, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    try_map("mmap MAP_FIXED_NOREPLACE addr=0 (< mmap_min_addr)", 0, PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1,
            0);
    try_map("mmap MAP_FIXED addr=TASK_SIZE", (void *)TASK_SIZE, PG, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    try_map("mmap MAP_FIXED addr=TASK_SIZE-1page len=2 pages", (void *)(TASK_SIZE - PG), 2 * PG, PROT_RW,
            PRIV_ANON | MAP_FIXED, -1, 0);
    try_map("mmap MAP_FIXED addr=2^47", (void *)(1UL << 47), PG, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    try_map("mmap MAP_FIXED addr=0xffff800000000000", (void *)0xffff800000000000UL, PG, PROT_RW,
            PRIV_ANON | MAP_FIXED, -1, 0);
    try_map("mmap MAP_FIXED addr=0x10000 len=2^47", (void *)0x10000, 1UL << 47, PROT_RW, PRIV_ANON | MAP_FIXED, -1,
            0);
    try_map("mmap MAP_FIXED addr=0x10000 len=-0x10000", (void *)0x10000, (size_t)-0x10000L, PROT_RW,
            PRIV_ANON | MAP_FIXED, -1, 0);
    try_map("mmap MAP_FIXED_NOREPLACE addr=TASK_SIZE", (void *)TASK_SIZE, PG, PROT_RW,
            PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);
    try_map("mmap MAP_FIXED_NOREPLACE addr=0x10001 (unaligned)", (void *)0x10001, PG, PROT_RW,
            PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);

    /* prot values: mmap does not validate unknown prot bits (see host notes) */
    try_map("mmap prot=0x10 (unknown bit)", 0, PG, 0x10, PRIV_ANON, -1, 0);
    try_map("mmap prot=PROT_READ|PROT_SEM", 0, PG, PROT_READ | PROT_SEM, PRIV_ANON, -1, 0);
    try_map("mmap prot=PROT_READ|PROT_GROWSDOWN", 0, PG, PROT_READ | PROT_GROWSDOWN, PRIV_ANON, -1, 0);
    try_map("mmap prot=0x80000000", 0, PG, (long)0x80000000UL, PRIV_ANON, -1, 0);
    try_map("mmap prot=PROT_NONE", 0, PG, PROT_NONE, PRIV_ANON, -1, 0);
    try_map("mmap prot=RWX", 0, PG, PROT_READ | PROT_WRITE | PROT_EXEC, PRIV_ANON, -1, 0);

    /* flags that are accepted and ignored / harmless for anonymous memory */
    try_map("mmap anon MAP_DENYWRITE|MAP_EXECUTABLE (ignored)", 0, PG, PROT_RW,
            PRIV_ANON | MAP_DENYWRITE | MAP_EXECUTABLE, -1, 0);
    try_map("mmap anon MAP_NORESERVE", 0, PG, PROT_RW, PRIV_ANON | MAP_NORESERVE, -1, 0);
    try_map("mmap anon MAP_STACK", 0, PG, PROT_RW, PRIV_ANON | MAP_STACK, -1, 0);
    try_map("mmap anon fd=100 (fd ignored)", 0, PG, PROT_RW, PRIV_ANON, 100, 0);
    try_map("mmap anon off=0x7000 (offset ignored)", 0, PG, PROT_RW, PRIV_ANON, -1, 0x7000);
    try_map("mmap anon len=1 (rounded up)", 0, 1, PROT_RW, PRIV_ANON, -1, 0);

    /* ---- successful mappings ---- */
    r = fl_mmap(0, 3 * PG, PROT_RW, PRIV_ANON, -1, 0);
    fl_check("mmap anon 3 pages", r);
    if (!fl_is_err(r)) {
        unsigned char *p = (unsigned char *)r;
        yesno("  result page-aligned", (r & (PG - 1)) == 0);
        yesno("  result below TASK_SIZE", (unsigned long)r + 3 * PG <= TASK_SIZE);
        yesno("  reads zero", all_zero(p, 3 * PG));
        p[0] = 1;
        p[3 * PG - 1] = 2;
        yesno("  writable", p[0] == 1 && p[3 * PG - 1] == 2);
        fl_check("  munmap", fl_munmap(p, 3 * PG));
    }

    /* len rounded up: the whole page of a 1-byte map is usable */
    r = fl_mmap(0, 1, PROT_RW, PRIV_ANON, -1, 0);
    if (!fl_is_err(r)) {
        unsigned char *p = (unsigned char *)r;
        p[PG - 1] = 7;
        yesno("mmap len=1: last byte of page usable", p[PG - 1] == 7);
        fl_check("mmap len=1: munmap len=1", fl_munmap(p, 1));
    }

    /* hints: a free hint is used exactly, an occupied one is ignored */
    r = fl_mmap(0, 4 * PG, PROT_RW, PRIV_ANON, -1, 0);
    if (!fl_is_err(r)) {
        unsigned long base = (unsigned long)r;
        fl_munmap((void *)base, 4 * PG);
        long h = fl_mmap((void *)(base + PG), 2 * PG, PROT_RW, PRIV_ANON, -1, 0);
        fl_check("mmap free hint", h);
        yesno("  same address as hint", (unsigned long)h == base + PG);
        long h2 = fl_mmap((void *)(base + PG), PG, PROT_RW, PRIV_ANON, -1, 0);
        fl_check("mmap occupied hint", h2);
        yesno("  same address as hint", (unsigned long)h2 == base + PG);
        yesno("  outside the occupied range",
              (unsigned long)h2 + PG <= base + PG || (unsigned long)h2 >= base + 3 * PG);
        if (!fl_is_err(h2))
            fl_munmap((void *)h2, PG);
        /* partially overlapping hint: [base, base+2PG) overlaps [base+PG, ...) */
        long h3 = fl_mmap((void *)base, 2 * PG, PROT_RW, PRIV_ANON, -1, 0);
        fl_check("mmap partially occupied hint", h3);
        yesno("  same address as hint", (unsigned long)h3 == base);
        if (!fl_is_err(h3))
            fl_munmap((void *)h3, 2 * PG);
        /* unaligned free hint (base is free again): rounded down on the host */
        long h4 = fl_mmap((void *)(base + 0x123), PG, PROT_RW, PRIV_ANON, -1, 0);
        fl_check("mmap unaligned free hint base+0x123", h4);
        yesno("  result == hint rounded down", (unsigned long)h4 == base);
        yesno("  result == hint rounded up", (unsigned long)h4 == base + PG);
        if (!fl_is_err(h4))
            fl_munmap((void *)h4, PG);
        fl_munmap((void *)(base + PG), 2 * PG);

        /* MAP_FIXED_NOREPLACE on free space is placed exactly */
        long n = fl_mmap((void *)base, 2 * PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);
        fl_check("mmap MAP_FIXED_NOREPLACE free range", n);
        yesno("  same address as requested", (unsigned long)n == base);
        if (!fl_is_err(n)) {
            ((volatile char *)base)[0] = 'A';
            /* exact overlap, partial overlap at the end, partial at the start, inside */
            fl_check("mmap MAP_FIXED_NOREPLACE exact overlap",
                     fl_mmap((void *)base, 2 * PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0));
            fl_check("mmap MAP_FIXED_NOREPLACE overlap at start",
                     fl_mmap((void *)(base - PG), 2 * PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0));
            fl_check("mmap MAP_FIXED_NOREPLACE overlap at end",
                     fl_mmap((void *)(base + PG), 2 * PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0));
            fl_check("mmap MAP_FIXED_NOREPLACE covering it",
                     fl_mmap((void *)(base - PG), 4 * PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0));
            yesno("  old contents intact", ((volatile char *)base)[0] == 'A');

            /* MAP_FIXED replaces: old contents gone, new memory reads zero */
            memset((void *)base, 0x5a, 2 * PG);
            long f = fl_mmap((void *)(base + PG), PG, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
            fl_check("mmap MAP_FIXED over existing page", f);
            yesno("  same address as requested", (unsigned long)f == base + PG);
            yesno("  replaced page reads zero", all_zero((void *)(base + PG), PG));
            yesno("  neighbour page kept", ((volatile unsigned char *)base)[PG - 1] == 0x5a);
            /* MAP_FIXED replacing with PROT_NONE then back */
            f = fl_mmap((void *)base, 2 * PG, PROT_NONE, PRIV_ANON | MAP_FIXED, -1, 0);
            fl_check("mmap MAP_FIXED PROT_NONE over both", f);
            f = fl_mmap((void *)base, 2 * PG, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
            fl_check("mmap MAP_FIXED RW over both again", f);
            yesno("  reads zero", all_zero((void *)base, 2 * PG));
            fl_munmap((void *)base, 2 * PG);
        }
    }

    /* MAP_FIXED_NOREPLACE at 64 KiB: allowed with mmap_min_addr <= 65536 */
    r = fl_mmap((void *)0x10000, PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);
    fl_check("mmap MAP_FIXED_NOREPLACE addr=0x10000", r);
    if (!fl_is_err(r)) {
        yesno("  same address as requested", r == 0x10000);
        fl_munmap((void *)r, PG);
    }

    /* MAP_POPULATE */
    r = fl_mmap(0, 16 * PG, PROT_RW, PRIV_ANON | MAP_POPULATE, -1, 0);
    fl_check("mmap MAP_POPULATE 16 pages", r);
    if (!fl_is_err(r)) {
        yesno("  reads zero", all_zero((void *)r, 16 * PG));
        memset((void *)r, 0x11, 16 * PG);
        yesno("  writable", ((volatile unsigned char *)r)[16 * PG - 1] == 0x11);
        fl_munmap((void *)r, 16 * PG);
    }
    r = fl_mmap(0, 4 * PG, PROT_READ, PRIV_ANON | MAP_POPULATE, -1, 0);
    fl_check("mmap MAP_POPULATE read-only", r);
    if (!fl_is_err(r)) {
        yesno("  reads zero", all_zero((void *)r, 4 * PG));
        fl_munmap((void *)r, 4 * PG);
    }
    r = fl_mmap(0, 4 * PG, PROT_NONE, PRIV_ANON | MAP_POPULATE, -1, 0);
    fl_check("mmap MAP_POPULATE PROT_NONE", r);
    if (!fl_is_err(r))
        fl_munmap((void *)r, 4 * PG);

    /* MAP_SHARED anonymous */
    r = fl_mmap(0, 8 * PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    fl_check("mmap MAP_SHARED|MAP_ANONYMOUS", r);
    if (!fl_is_err(r)) {
        yesno("  reads zero", all_zero((void *)r, 8 * PG));
        memset((void *)r, 0x22, 8 * PG);
        yesno("  writable", ((volatile unsigned char *)r)[8 * PG - 1] == 0x22);
        fl_check("  munmap", fl_munmap((void *)r, 8 * PG));
    }

    /* MAP_GROWSDOWN */
    r = fl_mmap(0, 4 * PG, PROT_RW, PRIV_ANON | MAP_GROWSDOWN, -1, 0);
    fl_check("mmap MAP_GROWSDOWN", r);
    if (!fl_is_err(r)) {
        yesno("  reads zero", all_zero((void *)r, 4 * PG));
        ((volatile char *)r)[0] = 1;
        ((volatile char *)r)[4 * PG - 1] = 1;
        yesno("  writable", ((volatile char *)r)[0] == 1);
        fl_check("  munmap", fl_munmap((void *)r, 4 * PG));
    }

    /* a large anonymous mapping is lazy and readable */
    r = fl_mmap(0, 64UL << 20, PROT_RW, PRIV_ANON, -1, 0);
    fl_check("mmap 64 MiB", r);
    if (!fl_is_err(r)) {
        int z = 1;
        for (unsigned long o = 0; o < (64UL << 20); o += 1UL << 20)
            z &= ((volatile unsigned char *)r)[o] == 0;
        yesno("  one byte per MiB reads zero", z);
        fl_munmap((void *)r, 64UL << 20);
    }

    fl_puts("done\n");
    return 0;
}
