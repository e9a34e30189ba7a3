/*
 * munmap_mprotect.c - munmap(2), mprotect(2) and madvise(MADV_DONTNEED)
 * (linux-mm-spec.md §5.3, §5.4).  One line per check.
 *
 * Faults kill the process, so accessibility is probed with syscalls that
 * touch user memory instead of touching it directly:
 *   readable?  write(1, p, 1): prints the byte at p, or EFAULT
 *   writable?  uname(p): 0 (390 bytes written at p) or EFAULT
 * Both need the kernel to fault in lazy pages from inside copy_{from,to}_user
 * and to return EFAULT (not kill the process) for inaccessible ones.
 *
 * Host notes (host kernel 6.18):
 *  - mprotect with a hole at the END or in the MIDDLE of the range returns
 *    ENOMEM but keeps the changes made before the hole (no rollback); a hole
 *    at the START changes nothing.
 *  - mprotect rejects unknown prot bits (0x10, 0x80, 0x80000000) with EINVAL
 *    but accepts PROT_SEM; PROT_GROWSUP alone is EINVAL on x86 (no growsup
 *    VMAs); PROT_GROWSDOWN on a MAP_GROWSDOWN VMA extends the change down to
 *    the VMA start.
 *  - mprotect(len=0) is 0 even on an unmapped address, but an unaligned addr
 *    with len=0 is still EINVAL.  munmap(len=0) is EINVAL.
 *  - munmap(addr=TASK_SIZE-1page, 2 pages) is EINVAL (range passes TASK_SIZE).
 *  - madvise(MADV_DONTNEED) over a range running past the mapping is ENOMEM
 *    but the mapped part IS zapped; over a fully unmapped range it is ENOMEM.
 *  - Earlier draft mistakes worth knowing: "holes" must be made by unmapping
 *    our own pages, as the top-down allocator places new mappings right below
 *    older ones (an mprotect "past the end" otherwise hits a neighbour and
 *    succeeds); and uname() as a write probe clobbers the page, so
 *    show_writable() restores it.
 */
#include "fl_user.h"

#define PG PAGE_SIZE

static void yesno(const char *label, int v)
{
    fl_printf("%s: %s\n", label, v ? "yes" : "no");
}

/* "label: <byte at p>" or "label: EFAULT" */
static void show_readable(const char *label, const void *p)
{
    fl_printf("%s: ", label);
    fl_flush();
    long r = fl_write(1, p, 1);
    if (fl_is_err(r))
        fl_puts(fl_errname(r));
    else if (r != 1)
        fl_printf("short write %ld", r);
    fl_putc('\n');
}

/* "label: writable" or "label: EFAULT".  uname() writes 390 bytes at p
 * (the kernel's own strings); on success the page is readable too, and the
 * clobbered bytes are restored from the byte just after them, so pages filled
 * with one value keep that value. */
static void show_writable(const char *label, void *p)
{
    long r = fl_uname((struct fl_utsname *)p);
    fl_printf("%s: %s\n", label, fl_is_err(r) ? fl_errname(r) : "writable");
    if (!fl_is_err(r)) {
        volatile unsigned char *c = p;
        memset(p, c[sizeof(struct fl_utsname)], sizeof(struct fl_utsname));
    }
}

static unsigned char *map(size_t npages, long prot)
{
    unsigned char *p = fl_map(npages * PG, prot);
    if (!p)
        fl_exit(1);
    return p;
}

/* fill each page i with the letter 'a'+i */
static void fill_pages(unsigned char *p, size_t npages)
{
    for (size_t i = 0; i < npages; i++)
        memset(p + i * PG, 'a' + (int)i, PG);
}

static int page_is(const unsigned char *p, unsigned char c)
{
    for (size_t i = 0; i < PG; i++)
        if (((const volatile unsigned char *)p)[i] != c)
            return 0;
    return 1;
}

static void test_munmap(void)
{
    unsigned char *p;

    fl_puts("== munmap ==\n");
    p = map(1, PROT_RW);
    fl_check("munmap addr+1 (unaligned)", fl_munmap(p + 1, PG));
    fl_check("munmap addr+0x800 (unaligned)", fl_munmap(p + 0x800, PG));
    fl_check("munmap len=0", fl_munmap(p, 0));
    fl_check("munmap unaligned addr, len=0", fl_munmap(p + 1, 0));
    fl_check("munmap len=-1", fl_munmap(p, (size_t)-1));
    fl_check("munmap len=2^47", fl_munmap(p, 1UL << 47));
    fl_check("munmap addr=TASK_SIZE len=1 page", fl_munmap((void *)TASK_SIZE, PG));
    fl_check("munmap addr=TASK_SIZE-1page len=2 pages", fl_munmap((void *)(TASK_SIZE - PG), 2 * PG));
    fl_check("munmap addr=2^47", fl_munmap((void *)(1UL << 47), PG));
    fl_check("munmap addr=0xffff800000000000", fl_munmap((void *)0xffff800000000000UL, PG));
    fl_check("munmap addr=0 len=1 page (no VMA)", fl_munmap(0, PG));
    fl_check("munmap addr=0x10000 len=16 pages (no VMA)", fl_munmap((void *)0x10000, 16 * PG));
    fl_check("munmap the mapping", fl_munmap(p, PG));
    fl_check("munmap it again (no VMA now)", fl_munmap(p, PG));
    show_readable("  unmapped page readable", p);

    /* len is rounded up to a page */
    p = map(2, PROT_RW);
    fill_pages(p, 2);
    fl_check("munmap len=1 of a 2-page map", fl_munmap(p, 1));
    show_readable("  page 0 readable", p);
    show_readable("  page 1 readable", p + PG);
    fl_munmap(p + PG, PG);

    /* middle of a 3-page mapping */
    p = map(3, PROT_RW);
    fill_pages(p, 3);
    fl_check("munmap middle page of 3", fl_munmap(p + PG, PG));
    show_readable("  page 0 readable", p);
    show_readable("  page 1 readable", p + PG);
    show_readable("  page 2 readable", p + 2 * PG);
    p[0] = 'A';
    p[2 * PG] = 'C';
    yesno("  sides still writable and keep data",
          p[0] == 'A' && p[1] == 'a' && p[2 * PG] == 'C' && p[3 * PG - 1] == 'c');
    {
        long r = fl_mmap(p + PG, PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);
        fl_check("  hole can be mapped again (NOREPLACE)", r);
        yesno("  at the hole", (unsigned char *)r == p + PG);
        yesno("  new page reads zero", page_is(p + PG, 0));
    }
    /* one call over three merged-or-not VMAs and a range beyond */
    fl_check("munmap all 3 pages", fl_munmap(p, 3 * PG));
    show_readable("  page 0 readable", p);
    show_readable("  page 2 readable", p + 2 * PG);

    /* range covering two mappings and the hole between them */
    p = map(5, PROT_RW);
    fill_pages(p, 5);
    fl_munmap(p + 2 * PG, PG);
    fl_check("munmap range with a hole inside", fl_munmap(p, 5 * PG));
    show_readable("  page 0 readable", p);
    show_readable("  page 4 readable", p + 4 * PG);
    fl_check("  range can be mapped again (NOREPLACE)",
             fl_mmap(p, 5 * PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0));
    yesno("  reads zero", page_is(p, 0) && page_is(p + 4 * PG, 0));
    fl_munmap(p, 5 * PG);

    /* unmap the first and the last page */
    p = map(4, PROT_RW);
    fill_pages(p, 4);
    fl_check("munmap first page", fl_munmap(p, PG));
    fl_check("munmap last page", fl_munmap(p + 3 * PG, PG));
    yesno("  inner pages keep data", page_is(p + PG, 'b') && page_is(p + 2 * PG, 'c'));
    fl_munmap(p + PG, 2 * PG);
}

static void test_mprotect(void)
{
    unsigned char *p;

    fl_puts("== mprotect ==\n");
    p = map(3, PROT_RW);
    fill_pages(p, 3);
    fl_check("mprotect len=0", fl_mprotect(p, 0, PROT_READ));
    fl_check("mprotect len=0 on unmapped addr", fl_mprotect((void *)0x10000, 0, PROT_READ));
    fl_check("mprotect unaligned addr, len=0", fl_mprotect(p + 1, 0, PROT_READ));
    fl_check("mprotect addr+1 (unaligned)", fl_mprotect(p + 1, PG, PROT_READ));
    fl_check("mprotect unaligned len (rounded up)", fl_mprotect(p, 1, PROT_RW));
    fl_check("mprotect prot=0x10 (unknown bit)", fl_mprotect(p, PG, 0x10));
    fl_check("mprotect prot=PROT_READ|0x80", fl_mprotect(p, PG, PROT_READ | 0x80));
    fl_check("mprotect prot=0x80000000", fl_mprotect(p, PG, (long)0x80000000UL));
    fl_check("mprotect prot=PROT_RW|PROT_SEM", fl_mprotect(p, PG, PROT_RW | PROT_SEM));
    fl_check("mprotect PROT_GROWSDOWN|PROT_GROWSUP", fl_mprotect(p, PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP));
    fl_check("mprotect PROT_GROWSDOWN on a non-growsdown VMA", fl_mprotect(p + PG, PG, PROT_READ | PROT_GROWSDOWN));
    fl_check("mprotect PROT_GROWSUP (x86 has no growsup VMAs)", fl_mprotect(p + PG, PG, PROT_READ | PROT_GROWSUP));
    fl_check("mprotect len wraps (len=-1 page)", fl_mprotect(p, (size_t)-PG, PROT_READ));
    fl_check("mprotect addr=0x10000 (no VMA)", fl_mprotect((void *)0x10000, PG, PROT_READ));
    fl_check("mprotect addr=TASK_SIZE", fl_mprotect((void *)TASK_SIZE, PG, PROT_READ));
    fl_check("mprotect addr=2^47", fl_mprotect((void *)(1UL << 47), PG, PROT_READ));
    fl_check("mprotect addr=0xffff800000000000", fl_mprotect((void *)0xffff800000000000UL, PG, PROT_READ));
    fl_check("mprotect addr=0", fl_mprotect(0, PG, PROT_READ));

    fl_munmap(p, 3 * PG);

    /* holes (made by unmapping our own pages, so they are really free) */
    p = map(4, PROT_RW);
    fill_pages(p, 4);
    fl_munmap(p, PG);          /* hole, b, c, d */
    fl_munmap(p + 3 * PG, PG); /* hole, b, c, hole */
    fl_check("mprotect hole at start", fl_mprotect(p, 3 * PG, PROT_READ));
    show_writable("  page 1 unchanged (still writable)", p + PG);
    fl_check("mprotect past the end", fl_mprotect(p + PG, 3 * PG, PROT_READ));
    show_writable("  page 1 changed anyway (no rollback)", p + PG);
    show_writable("  page 2 changed anyway (no rollback)", p + 2 * PG);
    fl_check("mprotect exactly the mapped part back to RW", fl_mprotect(p + PG, 2 * PG, PROT_RW));
    show_writable("  page 1 writable again", p + PG);
    fl_munmap(p + PG, 2 * PG);

    p = map(3, PROT_RW);
    fl_munmap(p + PG, PG); /* a, hole, c */
    fl_check("mprotect hole in the middle", fl_mprotect(p, 3 * PG, PROT_READ));
    show_writable("  page 0 changed anyway (no rollback)", p);
    show_writable("  page 2 unchanged (after the hole)", p + 2 * PG);
    fl_munmap(p, 3 * PG);

    /* NONE -> READ keeps contents */
    p = map(2, PROT_RW);
    fill_pages(p, 2);
    fl_check("mprotect RW -> NONE", fl_mprotect(p, 2 * PG, PROT_NONE));
    show_readable("  page 0 readable", p);
    fl_check("mprotect NONE -> READ", fl_mprotect(p, 2 * PG, PROT_READ));
    show_readable("  page 0 readable", p);
    show_readable("  page 1 readable", p + PG);
    yesno("  contents kept", page_is(p, 'a') && page_is(p + PG, 'b'));
    show_writable("  page 0 writable", p);
    fl_check("mprotect READ -> RW", fl_mprotect(p, 2 * PG, PROT_RW));
    show_writable("  page 0 writable", p);
    fl_munmap(p, 2 * PG);

    /* PROT_NONE on never-touched memory, then READ: zeros */
    p = map(2, PROT_NONE);
    fl_check("mprotect untouched NONE -> READ", fl_mprotect(p, 2 * PG, PROT_READ));
    yesno("  reads zero", page_is(p, 0) && page_is(p + PG, 0));
    fl_munmap(p, 2 * PG);

    /* split in the middle and restore */
    p = map(3, PROT_RW);
    fill_pages(p, 3);
    fl_check("mprotect middle page of 3 to READ", fl_mprotect(p + PG, PG, PROT_READ));
    show_writable("  page 0", p);
    show_writable("  page 1", p + PG);
    show_writable("  page 2", p + 2 * PG);
    fill_pages(p, 1);
    yesno("  middle page kept data", page_is(p + PG, 'b'));
    fl_check("mprotect middle page to NONE", fl_mprotect(p + PG, PG, PROT_NONE));
    show_readable("  page 1 readable", p + PG);
    show_readable("  page 2 readable", p + 2 * PG);
    fl_check("mprotect middle back to RW", fl_mprotect(p + PG, PG, PROT_RW));
    show_writable("  page 1", p + PG);
    fill_pages(p, 3);
    yesno("  all three pages usable", page_is(p, 'a') && page_is(p + PG, 'b') && page_is(p + 2 * PG, 'c'));

    /* range spanning two VMAs of different protection */
    fl_check("mprotect page 0 to READ (two VMAs now)", fl_mprotect(p, PG, PROT_READ));
    fl_check("mprotect range over both VMAs to NONE", fl_mprotect(p, 3 * PG, PROT_NONE));
    show_readable("  page 0 readable", p);
    show_readable("  page 2 readable", p + 2 * PG);
    fl_check("mprotect range over both VMAs to RW", fl_mprotect(p, 3 * PG, PROT_RW));
    yesno("  all three pages kept data", page_is(p, 'a') && page_is(p + PG, 'b') && page_is(p + 2 * PG, 'c'));
    fl_munmap(p, 3 * PG);

    /* two separately created adjacent mappings */
    p = map(4, PROT_RW);
    fl_munmap(p, 4 * PG);
    fl_mmap(p, 2 * PG, PROT_READ, PRIV_ANON | MAP_FIXED, -1, 0);
    fl_mmap(p + 2 * PG, 2 * PG, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    fl_check("mprotect over 2 adjacent mmaps (R and RW) to RW", fl_mprotect(p, 4 * PG, PROT_RW));
    show_writable("  first", p);
    show_writable("  last", p + 3 * PG);
    fl_munmap(p, 4 * PG);

    /* PROT_WRITE alone: x86 cannot express write-only, reads work */
    p = map(1, PROT_WRITE);
    p[5] = 'w';
    yesno("mmap PROT_WRITE only: write then read", p[5] == 'w' && p[6] == 0);
    fl_check("mprotect to PROT_WRITE only", fl_mprotect(p, PG, PROT_WRITE));
    show_readable("  readable", p + 5);
    fl_munmap(p, PG);
    p = map(1, PROT_RW);
    fl_check("mprotect untouched page to PROT_WRITE only", fl_mprotect(p, PG, PROT_WRITE));
    yesno("  reads zero", page_is(p, 0));
    fl_munmap(p, PG);

    /* PROT_EXEC alone is accepted.  HOST-NOTE: whether it is readable is not
     * checked: without protection keys x86 lets it be read, but on a CPU
     * with PKU Linux makes it execute-only, so the oracle would depend on
     * the host CPU.  (The reference host has no PKU.) */
    p = map(1, PROT_RW);
    fl_check("mprotect to PROT_EXEC only", fl_mprotect(p, PG, PROT_EXEC));
    fl_munmap(p, PG);

    /* PROT_GROWSDOWN on a MAP_GROWSDOWN mapping extends to its start */
    p = map(1, PROT_RW); /* find a free spot */
    fl_munmap(p, PG);
    {
        long g = fl_mmap(0, 4 * PG, PROT_RW, PRIV_ANON | MAP_GROWSDOWN, -1, 0);
        fl_check("mmap MAP_GROWSDOWN 4 pages", g);
        if (!fl_is_err(g)) {
            unsigned char *q = (unsigned char *)g;
            fl_check("mprotect page 2 READ|PROT_GROWSDOWN", fl_mprotect(q + 2 * PG, PG, PROT_READ | PROT_GROWSDOWN));
            show_writable("  page 0 (extended down to vm_start)", q);
            show_writable("  page 2", q + 2 * PG);
            show_writable("  page 3 (above the range)", q + 3 * PG);
            fl_munmap(q, 4 * PG);
        }
    }
}

static void test_madvise(void)
{
    unsigned char *p;

    fl_puts("== madvise ==\n");
    p = map(4, PROT_RW);
    fill_pages(p, 4);
    fl_check("madvise DONTNEED unaligned", fl_madvise(p + 1, PG, MADV_DONTNEED));
    fl_check("madvise DONTNEED len=0", fl_madvise(p, 0, MADV_DONTNEED));
    fl_check("madvise DONTNEED pages 1-2", fl_madvise(p + PG, 2 * PG, MADV_DONTNEED));
    yesno("  page 0 kept", page_is(p, 'a'));
    yesno("  pages 1-2 read zero", page_is(p + PG, 0) && page_is(p + 2 * PG, 0));
    yesno("  page 3 kept", page_is(p + 3 * PG, 'd'));
    p[PG] = 'z';
    yesno("  page 1 writable again", p[PG] == 'z');
    fl_check("madvise DONTNEED len=1 (rounded up)", fl_madvise(p, 1, MADV_DONTNEED));
    yesno("  page 0 reads zero", page_is(p, 0));
    fl_check("madvise DONTNEED on never-touched memory", fl_madvise(p + 2 * PG, PG, MADV_DONTNEED));
    fl_munmap(p + 3 * PG, PG);
    fill_pages(p, 3);
    fl_check("madvise DONTNEED range past the end", fl_madvise(p, 4 * PG, MADV_DONTNEED));
    yesno("  mapped part zapped anyway", page_is(p, 0) && page_is(p + 2 * PG, 0));
    fl_munmap(p, 3 * PG);
    fl_check("madvise DONTNEED unmapped range", fl_madvise(p, 3 * PG, MADV_DONTNEED));

    p = map(1, PROT_READ);
    fl_check("madvise DONTNEED on read-only untouched page", fl_madvise(p, PG, MADV_DONTNEED));
    yesno("  reads zero", page_is(p, 0));
    fl_munmap(p, PG);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    test_munmap();
    test_mprotect();
    test_madvise();
    fl_puts("done\n");
    return 0;
}
