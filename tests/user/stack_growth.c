/*
 * stack_growth.c - growth of the initial stack VMA (VM_GROWSDOWN), the
 * RLIMIT_STACK limit (8 MiB) and the 1 MiB stack guard gap
 * (linux-mm-spec.md §4.3 step 8, §4.8, §5.6 hint rule).
 *
 * usage: stack_growth CASE
 *   grow           recursion over ~1.2 MiB, direct touches 3 and 7 MiB below
 *                  %rsp (no "near %rsp" rule), hints near the stack; exit 0
 *   too-far        touch 8 MiB + 64 KiB below %rsp: the stack VMA would
 *                  exceed RLIMIT_STACK -> SIGSEGV
 *   gap-near       grow the stack to a known start S, map an RW page that
 *                  ends 512 KiB below S, touch S-4096 -> inside the guard gap
 *                  of an accessible VMA -> SIGSEGV
 *   gap-far        same with the page ending 2 MiB below S -> grows, exit 0
 *   gap-edge       as gap-far, then grow page by page down to exactly 1 MiB
 *                  above the page (allowed), then one page lower -> SIGSEGV
 *   gap-prot-none  same as gap-near with a PROT_NONE page (not accessible,
 *                  so it does not block growth) -> exit 0
 *
 * The expected results assume RLIMIT_STACK = 8 MiB (run-host.sh sets
 * `ulimit -s 8192`) and that argv+envp+auxv use well under 1 MiB.
 * Host notes: deterministic on the host with ASLR on: the mmap area is
 * at least ~16 GiB below the stack, so nothing else lives in the ranges
 * touched here.
 */
#include "fl_user.h"

#define PG PAGE_SIZE
#define MiB (1UL << 20)
#define KiB (1UL << 10)

static inline unsigned long get_sp(void)
{
    unsigned long sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    return sp;
}

static void yesno(const char *label, int v)
{
    fl_printf("%s: %s\n", label, v ? "yes" : "no");
}

/* each level uses a 4 KiB frame; returns a checksum so it is not a tail call */
__attribute__((noinline)) static unsigned long recurse(int depth)
{
    volatile unsigned char buf[4000];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(depth + i);
    unsigned long sum = 0;
    if (depth > 0)
        sum = recurse(depth - 1);
    for (unsigned i = 0; i < sizeof buf; i += 97)
        sum += buf[i];
    return sum;
}

static unsigned long expected_sum(int depth)
{
    unsigned long sum = 0;
    for (int d = 0; d <= depth; d++)
        for (unsigned i = 0; i < 4000; i += 97)
            sum += (unsigned char)(d + i);
    return sum;
}

/* touch every page from 'hi' down to 'lo' (page-aligned), check zero, write */
static int touch_down(unsigned long hi, unsigned long lo)
{
    int zero = 1;
    for (unsigned long a = hi; a >= lo; a -= PG) {
        volatile unsigned char *p = (volatile unsigned char *)a;
        zero &= p[0] == 0 && p[PG - 1] == 0;
        p[0] = 0xa5;
        p[PG - 1] = 0x5a;
    }
    return zero;
}

static int case_grow(void)
{
    unsigned long sum = recurse(300);
    yesno("recursion 300 x 4 KiB frames: checksum right", sum == expected_sum(300));

    unsigned long sp = get_sp() & PAGE_MASK;
    /* direct touch far below %rsp, without moving %rsp */
    volatile unsigned char *p3 = (volatile unsigned char *)(sp - 3 * MiB);
    yesno("touch 3 MiB below %rsp: reads zero", *p3 == 0);
    *p3 = 1;
    yesno("  writable", *p3 == 1);
    yesno("pages between 2 and 3 MiB below %rsp read zero, writable", touch_down(sp - 2 * MiB, sp - 3 * MiB + PG));
    volatile unsigned char *p7 = (volatile unsigned char *)(sp - 7 * MiB);
    yesno("touch 7 MiB below %rsp: reads zero", *p7 == 0);
    *p7 = 2;
    yesno("  writable", *p7 == 2);
    yesno("  3 MiB point kept its data", *p3 == 1);

    /* the stack VMA now starts at sp-7MiB; the guard gap below it is avoided
     * by hinted mmaps, while MAP_FIXED_NOREPLACE may use it */
    unsigned long s = sp - 7 * MiB;
    long r = fl_mmap((void *)(s - 16 * PG), PG, PROT_RW, PRIV_ANON, -1, 0);
    fl_check("mmap hint 16 pages below the stack (inside the guard gap)", r);
    yesno("  same address as hint", (unsigned long)r == s - 16 * PG);
    if (!fl_is_err(r))
        fl_munmap((void *)r, PG);
    r = fl_mmap((void *)(s - 2 * MiB), PG, PROT_RW, PRIV_ANON, -1, 0);
    fl_check("mmap hint 2 MiB below the stack (outside the gap)", r);
    yesno("  same address as hint", (unsigned long)r == s - 2 * MiB);
    if (!fl_is_err(r))
        fl_munmap((void *)r, PG);
    r = fl_mmap((void *)(s - 16 * PG), PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);
    fl_check("mmap MAP_FIXED_NOREPLACE inside the guard gap", r);
    yesno("  same address as requested", (unsigned long)r == s - 16 * PG);
    if (!fl_is_err(r))
        fl_munmap((void *)r, PG);
    return 0;
}

/* grow the stack so its VMA starts exactly at the returned address */
static unsigned long grow_to_known_start(void)
{
    unsigned long s = (get_sp() & PAGE_MASK) - 2 * MiB;
    touch_down(s, s);
    return s;
}

/* edge: 0 = touch just below the stack; 1 = also grow down to exactly 1 MiB
 * above the page, then touch one page lower (inside the gap) */
static int case_gap(unsigned long dist, long prot, int expect_death, int edge)
{
    unsigned long s = grow_to_known_start();
    unsigned long m = s - dist - PG;
    long r = fl_mmap((void *)m, PG, prot, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);
    fl_check("mmap 1 page below the stack", r);
    if (fl_is_err(r))
        return 1;
    if (expect_death && !edge)
        fl_crash_note("stack-gap: about to touch the page below the stack (expect SIGSEGV)");
    else
        fl_crash_note("stack-gap: about to touch the page below the stack (expect growth)");
    volatile unsigned char *t = (volatile unsigned char *)(s - PG);
    *t = 3;
    fl_printf("grew below the stack: %s\n", *t == 3 ? "yes" : "no");
    if (edge) {
        /* lowest allowed start: 1 MiB above the end of the page */
        unsigned long lo = m + PG + MiB;
        fl_printf("grow down to exactly 1 MiB above the page: %s\n",
                  touch_down(s - 2 * PG, lo) ? "zeros" : "data?");
        fl_crash_note("stack-gap: about to touch one page lower (expect SIGSEGV)");
        *(volatile unsigned char *)(lo - PG) = 4;
        fl_printf("stack-gap: survived\n");
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *c = argc > 1 ? argv[1] : "grow";

    if (!strcmp(c, "grow"))
        return case_grow();
    if (!strcmp(c, "too-far")) {
        unsigned long sp = get_sp() & PAGE_MASK;
        volatile unsigned char *p = (volatile unsigned char *)(sp - 7 * MiB);
        *p = 1; /* allowed */
        fl_printf("touch 7 MiB below %%rsp: ok\n");
        fl_crash_note("stack too-far: about to touch 8 MiB + 64 KiB below %rsp");
        p = (volatile unsigned char *)(sp - 8 * MiB - 64 * KiB);
        *p = 1;
        fl_printf("stack too-far: survived\n");
        return 1;
    }
    if (!strcmp(c, "gap-near"))
        return case_gap(512 * KiB, PROT_RW, 1, 0);
    if (!strcmp(c, "gap-far"))
        return case_gap(2 * MiB, PROT_RW, 0, 0);
    if (!strcmp(c, "gap-edge"))
        return case_gap(2 * MiB, PROT_RW, 1, 1);
    if (!strcmp(c, "gap-prot-none"))
        return case_gap(512 * KiB, PROT_NONE, 0, 0);
    fl_printf("unknown case %s\n", c);
    return 2;
}
