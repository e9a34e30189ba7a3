/*
 * zero_page.c - anonymous memory is zero-filled on first touch and lazily
 * allocated (linux-mm-spec.md §4.7, §4.10): read faults may share one zero
 * page, and the first write to such a page must give it a private copy
 * without disturbing the others.
 *
 * Memory actually touched stays small (a few MiB) so the test fits a small
 * guest; the large mappings are sparse.
 */
#include "fl_user.h"

#define PG PAGE_SIZE
#define MiB (1UL << 20)
#define GiB (1UL << 30)

static void yesno(const char *label, int v)
{
    fl_printf("%s: %s\n", label, v ? "yes" : "no");
}

static unsigned long count_nonzero(const void *p, size_t n)
{
    const volatile unsigned long *w = p;
    unsigned long c = 0;
    for (size_t i = 0; i < n / 8; i++)
        c += w[i] != 0;
    return c;
}

static unsigned long sum_bytes(const void *p, size_t n)
{
    const volatile unsigned char *b = p;
    unsigned long s = 0;
    for (size_t i = 0; i < n; i++)
        s = s * 31 + b[i];
    return s;
}

static unsigned char *map(size_t len, long prot, long extra)
{
    long r = fl_mmap(0, len, prot, PRIV_ANON | extra, -1, 0);
    if (fl_is_err(r)) {
        fl_printf("mmap %lu bytes: %s\n", (unsigned long)len, fl_errname(r));
        fl_exit(1);
    }
    return (unsigned char *)r;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;

    /* 1024 untouched pages read as zero */
    const size_t n = 1024;
    unsigned char *p = map(n * PG, PROT_RW, 0);
    fl_printf("1024 untouched pages: %lu nonzero words\n", count_nonzero(p, n * PG));

    /* write one page: only that page changes */
    for (size_t i = 0; i < PG; i++)
        p[100 * PG + i] = (unsigned char)(i * 7 + 1);
    fl_printf("after writing page 100: %lu nonzero words in pages 0-99\n", count_nonzero(p, 100 * PG));
    fl_printf("after writing page 100: %lu nonzero words in pages 101-1023\n",
              count_nonzero(p + 101 * PG, (n - 101) * PG));
    fl_printf("page 100 checksum: %lx\n", sum_bytes(p + 100 * PG, PG));
    {
        unsigned char ref[64];
        for (size_t i = 0; i < sizeof ref; i++)
            ref[i] = (unsigned char)(i * 7 + 1);
        yesno("page 100 content as written", memcmp(p + 100 * PG, ref, sizeof ref) == 0);
    }

    /* one byte in the middle of a page, and the last byte of the mapping */
    p[500 * PG + 1234] = 0xee;
    p[n * PG - 1] = 0x11;
    fl_printf("after 2 more single-byte writes: %lu nonzero words in total\n", count_nonzero(p, n * PG));
    fl_check("munmap", fl_munmap(p, n * PG));

    /* fresh memory never shows old contents */
    p = map(64 * PG, PROT_RW, 0);
    memset(p, 0xff, 64 * PG);
    fl_munmap(p, 64 * PG);
    p = map(64 * PG, PROT_RW, 0);
    fl_printf("remap after filling with 0xff: %lu nonzero words\n", count_nonzero(p, 64 * PG));
    fl_munmap(p, 64 * PG);

    /* read-only mapping reads zero */
    p = map(32 * PG, PROT_READ, 0);
    fl_printf("PROT_READ mapping: %lu nonzero words\n", count_nonzero(p, 32 * PG));
    fl_munmap(p, 32 * PG);

    /* shared anonymous memory too */
    {
        long r = fl_mmap(0, 32 * PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (!fl_is_err(r)) {
            p = (unsigned char *)r;
            fl_printf("MAP_SHARED anon: %lu nonzero words\n", count_nonzero(p, 32 * PG));
            p[5 * PG] = 1;
            fl_printf("MAP_SHARED anon after 1 write: %lu nonzero words\n", count_nonzero(p, 32 * PG));
            fl_munmap(p, 32 * PG);
        } else {
            fl_check("MAP_SHARED anon", r);
        }
    }

    /*
     * 1 GiB mapping, touch every 64th MiB; check the lazily untouched parts.
     * MAP_NORESERVE: 1 GiB is more than the 256 MiB test guest has, and the
     * overcommit check (Linux's and Faultline's) refuses a promise that big.
     */
    p = map(GiB, PROT_RW, MAP_NORESERVE);
    fl_puts("mmap 1 GiB: ok\n");
    {
        int zero = 1;
        for (unsigned long o = 0; o < GiB; o += 64 * MiB) {
            zero &= p[o] == 0 && p[o + 4095] == 0;
            memset(p + o, (int)(o >> 26) + 1, 16);
        }
        yesno("  every 64th MiB read zero before the write", zero);
        int ok = 1;
        for (unsigned long o = 0; o < GiB; o += 64 * MiB)
            ok &= p[o] == (unsigned char)((o >> 26) + 1) && p[o + 15] == p[o] && p[o + 16] == 0;
        yesno("  the 16 written bytes hold their values", ok);
        zero = 1;
        for (unsigned long o = 32 * MiB; o < GiB; o += 64 * MiB)
            zero &= p[o] == 0 && p[o + 2048] == 0;
        yesno("  the 32 MiB points in between read zero", zero);
        fl_printf("  last page: %lu nonzero words\n", count_nonzero(p + GiB - PG, PG));
    }
    fl_check("  munmap 1 GiB", fl_munmap(p, GiB));

    /* 16 GiB with MAP_NORESERVE, one page per GiB */
    {
        long r = fl_mmap(0, 16 * GiB, PROT_RW, PRIV_ANON | MAP_NORESERVE, -1, 0);
        fl_check("mmap 16 GiB MAP_NORESERVE", r);
        if (!fl_is_err(r)) {
            p = (unsigned char *)r;
            int ok = 1;
            for (unsigned long g = 0; g < 16; g++) {
                ok &= p[g * GiB + 12345] == 0;
                p[g * GiB + 12345] = (unsigned char)(g + 1);
            }
            for (unsigned long g = 0; g < 16; g++)
                ok &= p[g * GiB + 12345] == (unsigned char)(g + 1);
            yesno("  16 sparse pages zero then written", ok);
            fl_check("  munmap 16 GiB", fl_munmap(p, 16 * GiB));
        }
    }

    /* zero-page sharing: read several pages, then write one, the others stay 0 */
    p = map(8 * PG, PROT_RW, 0);
    {
        unsigned long s = 0;
        for (int i = 0; i < 8; i++)
            s += p[i * PG + 7];
        fl_printf("8 pages read first: sum %lu\n", s);
        p[3 * PG + 7] = 0x42;
        fl_printf("after writing page 3: page 2 byte %u, page 3 byte %u, page 4 byte %u\n", p[2 * PG + 7],
                  p[3 * PG + 7], p[4 * PG + 7]);
        fl_printf("  nonzero words in the 8 pages: %lu\n", count_nonzero(p, 8 * PG));
        /* a write into the middle of a read-faulted page keeps the rest zero */
        p[6 * PG + 2000] = 9;
        fl_printf("  page 6 nonzero words after one write: %lu\n", count_nonzero(p + 6 * PG, PG));
    }
    fl_munmap(p, 8 * PG);

    fl_puts("done\n");
    return 0;
}
