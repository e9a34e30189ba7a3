/*
 * brk.c - brk(2) semantics (linux-mm-spec.md §5.1).  brk never returns an
 * errno: it returns the new break on success and the unchanged old break on
 * failure.  Only relations between breaks are printed (the start of the heap
 * is randomised), as byte offsets from the initial break.
 *
 * Host notes (host kernel 6.18):
 *  - Growing needs one unmapped page between the new end and the next VMA:
 *    with a mapping at start+16 pages, brk(start+15 pages) works but
 *    brk(start+15 pages+1) and brk(start+16 pages) fail.
 *  - After munmap of the whole heap, brk(start) fails (no VMA in
 *    [PAGE_ALIGN(start), PAGE_ALIGN(brk))) and the break stays; a following
 *    grow maps only [old break, new break), so the old part stays unmapped
 *    (probed with write() -> EFAULT).  Once a heap VMA is in range again,
 *    brk(start) succeeds and unmaps it.
 *  - Shrinking the break inside one page unmaps nothing: bytes above the
 *    new break in that page keep their values.
 */
#include "fl_user.h"

#define PG PAGE_SIZE

extern char _end[]; /* end of .bss, from the linker */

static unsigned long start;

static unsigned long cur(void)
{
    return (unsigned long)fl_brk(0);
}

static void yesno(const char *label, int v)
{
    fl_printf("%s: %s\n", label, v ? "yes" : "no");
}

/* call brk(addr) and describe the result relative to the old break */
static unsigned long do_brk(const char *label, unsigned long addr)
{
    unsigned long old = cur();
    unsigned long r = (unsigned long)fl_brk((void *)addr);
    unsigned long now = cur();
    if (r == addr && now == addr)
        fl_printf("%s: new break (start%+ld)\n", label, (long)(addr - start));
    else if (r == old && now == old)
        fl_printf("%s: failed, old break returned\n", label);
    else if (fl_is_err((long)r))
        fl_printf("%s: %s\n", label, fl_errname((long)r));
    else
        fl_printf("%s: unexpected (returned start%+ld, break now start%+ld)\n", label, (long)(r - start),
                  (long)(now - start));
    return r;
}

static int all_is(unsigned long a, unsigned long n, unsigned char c)
{
    for (unsigned long i = 0; i < n; i++)
        if (((volatile unsigned char *)a)[i] != c)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char local;
    char *lp = &local;
    FL_HIDE(lp);

    start = cur();
    yesno("brk(0) twice gives the same value", cur() == start);
    yesno("initial break page-aligned", (start & (PG - 1)) == 0);
    yesno("initial break >= end of bss", start >= (unsigned long)_end);
    yesno("initial break below the stack", start < (unsigned long)lp);

    /* failures: below the start, absurd values, into the stack */
    do_brk("brk(start-1 page)", start - PG);
    do_brk("brk(start-1)", start - 1);
    do_brk("brk(1)", 1);
    do_brk("brk(end of bss)", (unsigned long)_end & PAGE_MASK);
    do_brk("brk(TASK_SIZE)", TASK_SIZE);
    do_brk("brk(0x7fffffffffff)", 0x7fffffffffffUL);
    do_brk("brk(2^47)", 1UL << 47);
    do_brk("brk(0xffff800000000000)", 0xffff800000000000UL);
    do_brk("brk(-1)", (unsigned long)-1);
    do_brk("brk(address of a stack variable)", (unsigned long)lp & PAGE_MASK);
    do_brk("brk(start)", start);

    /* small growth, byte by byte-ish: contiguous, usable, zero-filled */
    unsigned long sizes[] = {1, 7, 100, 4000, 1, 4096, 3, 10000, 123};
    unsigned long b = start;
    int zero = 1, ok = 1;
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned long nb = b + sizes[i];
        if ((unsigned long)fl_brk((void *)nb) != nb) {
            ok = 0;
            break;
        }
        zero &= all_is(b, sizes[i], 0);
        memset((void *)b, 'a' + (int)i, sizes[i]);
        b = nb;
    }
    yesno("grow in 9 small steps: each returned the new break", ok);
    yesno("  new bytes read zero", zero);
    {
        unsigned long o = start;
        int kept = 1;
        for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            kept &= all_is(o, sizes[i], 'a' + (int)i);
            o += sizes[i];
        }
        yesno("  all data still there (contiguous)", kept);
    }
    fl_printf("break now start%+ld\n", (long)(cur() - start));
    /* the rest of the last page is mapped and zero */
    yesno("  tail of the last heap page reads zero", all_is(b, ((b + PG - 1) & PAGE_MASK) - b, 0));

    /* shrink inside a page: the page stays, its data too */
    unsigned long pg2 = start + 2 * PG;
    do_brk("brk(start+2 pages+100)", pg2 + 100);
    ((volatile char *)pg2)[5] = 'p';
    ((volatile char *)pg2)[50] = 'q';
    ((volatile char *)pg2)[3000] = 'r';
    do_brk("brk(start+2 pages+10) (shrink within the page)", pg2 + 10);
    yesno("  byte below the break kept", ((volatile char *)pg2)[5] == 'p');
    yesno("  bytes above the break, same page, kept",
          ((volatile char *)pg2)[50] == 'q' && ((volatile char *)pg2)[3000] == 'r');
    ((volatile char *)pg2)[4095] = 's';
    yesno("  rest of that page still writable", ((volatile char *)pg2)[4095] == 's');
    do_brk("brk(start+2 pages+4000) (regrow within the page)", pg2 + 4000);
    yesno("  data kept", ((volatile char *)pg2)[3000] == 'r' && ((volatile char *)pg2)[4095] == 's');

    /* shrink to a page boundary then regrow: zeroed pages */
    memset((void *)start, 0x77, 2 * PG);
    do_brk("brk(start+1 page) (shrink)", start + PG);
    do_brk("brk(start+3 pages) (regrow)", start + 3 * PG);
    yesno("  page below the break kept", all_is(start, PG, 0x77));
    yesno("  regrown pages read zero", all_is(start + PG, 2 * PG, 0));

    /* unaligned break and back */
    do_brk("brk(start+5 pages+1)", start + 5 * PG + 1);
    ((volatile char *)(start + 5 * PG))[4095] = 1;
    do_brk("brk(start+5 pages-1)", start + 5 * PG - 1);
    do_brk("brk(start+5 pages+1) again", start + 5 * PG + 1);
    yesno("  page 5 came back zeroed", all_is(start + 5 * PG, PG, 0));
    do_brk("brk(start+123)", start + 123);
    do_brk("brk(start)", start);
    do_brk("brk(start) again", start);

    /* large growth: 64 MiB, touch each MiB */
    do_brk("brk(start+64 MiB)", start + (64UL << 20));
    {
        int z = 1;
        for (unsigned long o = 0; o < (64UL << 20); o += 1UL << 20) {
            z &= ((volatile unsigned char *)start)[o] == 0;
            ((volatile unsigned char *)start)[o] = 1;
        }
        yesno("  every MiB reads zero then is writable", z);
    }
    do_brk("brk(start) (shrink 64 MiB)", start);

    /* collision with a mapping above the heap: one free page must remain */
    {
        unsigned long m = start + 16 * PG;
        long r = fl_mmap((void *)m, PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);
        fl_check("mmap 1 page at start+16 pages", r);
        if (!fl_is_err(r)) {
            do_brk("brk(start+16 pages) (up to the mapping)", m);
            do_brk("brk(start+15 pages+1) (no free page left)", m - PG + 1);
            do_brk("brk(start+17 pages) (over the mapping)", m + PG);
            do_brk("brk(start+100 pages) (across the mapping)", start + 100 * PG);
            do_brk("brk(start+15 pages) (one free page left)", m - PG);
            yesno("  mapping untouched", ((volatile char *)m)[0] == 0);
            do_brk("brk(start)", start);
            fl_munmap((void *)m, PG);
            do_brk("brk(start+17 pages) after munmap of the mapping", m + PG);
            do_brk("brk(start)", start);
        }
    }

    /* the heap may be unmapped by munmap; shrinking over nothing fails */
    do_brk("brk(start+4 pages)", start + 4 * PG);
    /* shrinking needs a VMA in [PAGE_ALIGN(new), PAGE_ALIGN(old)); with none
     * it fails and the break stays; growing then starts at the old break */
    memset((void *)start, 1, 4 * PG);
    fl_check("munmap the whole heap", fl_munmap((void *)start, 4 * PG));
    do_brk("brk(start) with the heap unmapped", start);
    do_brk("brk(start+8 pages) regrow", start + 8 * PG);
    yesno("  new part (start+4..8 pages) reads zero", all_is(start + 4 * PG, 4 * PG, 0));
    {
        /* start..start+4 pages is still unmapped: probe with write(), which
         * returns EFAULT instead of faulting */
        fl_puts("  old part (start..start+4 pages) readable: ");
        fl_flush();
        long r = fl_write(1, (void *)start, 1);
        fl_printf("%s\n", fl_is_err(r) ? fl_errname(r) : "yes");
    }
    do_brk("brk(start) (a VMA is in range again)", start);

    /* MAP_FIXED over the middle of the heap, then shrink across it */
    do_brk("brk(start+8 pages)", start + 8 * PG);
    {
        long r = fl_mmap((void *)(start + 2 * PG), PG, PROT_READ, PRIV_ANON | MAP_FIXED, -1, 0);
        fl_check("mmap MAP_FIXED read-only page into the heap", r);
        do_brk("brk(start+1 page) (shrink across it)", start + PG);
        r = fl_mmap((void *)(start + 2 * PG), PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);
        fl_check("  the page is free again (NOREPLACE)", r);
        if (!fl_is_err(r))
            fl_munmap((void *)r, PG);
    }
    do_brk("brk(start)", start);
    fl_puts("done\n");
    return 0;
}
