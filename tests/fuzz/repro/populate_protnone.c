/*
 * populate_protnone - mmap(PROT_NONE | MAP_POPULATE) of a large range.
 *
 * Linux skips a PROT_NONE VMA as a whole when populating and returns at
 * once.  argv[1] = log2 of the length (default 40: 1 TiB).
 */
#include "fl_user.h"

int main(int argc, char **argv)
{
    int shift = 40;
    if (argc > 1) {
        shift = 0;
        for (const char *p = argv[1]; *p; p++)
            shift = shift * 10 + (*p - '0');
    }
    long r = fl_mmap(0, 1UL << shift, PROT_NONE, PRIV_ANON | MAP_POPULATE, -1, 0);
    fl_check("mmap PROT_NONE|MAP_POPULATE", r);
    return 0;
}
