/*
 * map_count.c - vm.max_map_count (65530 by default): how many mappings a
 * process may have, and what fails at the limit (linux-mm-spec.md §5).
 *
 * Mappings of one page with alternating protections are made until mmap
 * fails; they cannot merge, so each is one VMA.  What Linux does at the
 * limit, and Faultline must match:
 *   - mmap refuses only once map_count is *above* the limit (the check is
 *     map_count > max_map_count), so a process can hold one VMA more;
 *   - anything that splits a VMA fails with ENOMEM: munmap or mprotect of a
 *     page in the middle, and munmap of a mapping's first page too (it is
 *     done as a split followed by a removal);
 *   - mprotect of a whole mapping and munmap of a whole mapping work (the
 *     mprotect here merges the mapping with a neighbour of the same
 *     protection, so it also lowers the count), after which mmap works again.
 * The exact count depends on how many VMAs the process had before (Linux
 * has a vDSO and vvar, Faultline does not), so only bounds are printed.
 * Assumes vm.max_map_count is the default, 65530.
 */
#include "fl_user.h"

#define PG PAGE_SIZE
#define MAX 70000

static unsigned long maps[MAX];

static const char *res(long r)
{
    return fl_is_err(r) ? fl_errname(r) : "ok"; /* 0, or a mapping's address */
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    /* A three-page mapping to split later, made first. */
    long three = fl_mmap(0, 3 * PG, PROT_READ, PRIV_ANON, -1, 0);
    if (fl_is_err(three))
        return 1;

    long n = 0, r = 0;
    while (n < MAX) {
        r = fl_mmap(0, PG, n % 2 ? PROT_READ : PROT_RW, PRIV_ANON, -1, 0);
        if (fl_is_err(r))
            break;
        maps[n++] = (unsigned long)r;
    }
    fl_printf("mmap until it fails: %s\n", res(r));
    fl_printf("at least 65,500 one-page mappings: %s\n", n >= 65500 ? "yes" : "no");
    fl_printf("more than 65,530: %s\n", n > 65530 ? "yes" : "no");

    fl_printf("munmap of the middle page of a mapping (a split): %s\n",
              res(fl_munmap((void *)(three + PG), PG)));
    fl_printf("mprotect of the middle page of a mapping (a split): %s\n",
              res(fl_mprotect((void *)(three + PG), PG, PROT_RW)));
    fl_printf("mprotect of a whole mapping (no split): %s\n",
              res(fl_mprotect((void *)three, 3 * PG, PROT_RW)));
    fl_printf("munmap of the first page of a mapping (split, then removed): %s\n",
              res(fl_munmap((void *)three, PG)));
    fl_printf("munmap of a whole one-page mapping: %s\n", res(fl_munmap((void *)maps[n - 1], PG)));
    r = fl_mmap(0, PG, PROT_NONE, PRIV_ANON, -1, 0);
    fl_printf("mmap after that: %s\n", res(r));
    long r2 = fl_mmap(0, PG, PROT_NONE, PRIV_ANON, -1, 0);
    fl_printf("and one more: %s\n", res(r2));
    fl_printf("and a third: %s\n", res(fl_mmap(0, PG, PROT_NONE, PRIV_ANON, -1, 0)));

    for (long i = 0; i < n - 1; i++)
        fl_munmap((void *)maps[i], PG);
    if (!fl_is_err(r))
        fl_munmap((void *)r, PG);
    if (!fl_is_err(r2))
        fl_munmap((void *)r2, PG);
    fl_munmap((void *)(three + PG), 2 * PG);
    fl_printf("all unmapped; munmap of a middle page now: %s\n",
              res(fl_munmap((void *)(fl_mmap(0, 3 * PG, PROT_READ, PRIV_ANON, -1, 0) + PG), PG)));
    return 0;
}
