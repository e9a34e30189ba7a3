/*
 * musl_malloc.c - a libc program (static musl, mallocng) hammering
 * malloc/calloc/realloc/free/aligned_alloc with small, medium and large
 * (>= 128 KiB, mmap-backed) sizes.  Every block is filled with a pattern
 * derived from (slot, generation) and verified before it is freed or after
 * it is resized; the output is only counts and checksums of data, never
 * addresses, so it is deterministic.
 *
 * Build: musl-gcc -static -O2 (see run-host.sh).
 *
 * Kernel features it exercises (linux-mm-spec.md §6.3): musl start-up
 * (arch_prctl SET_FS, set_tid_address, auxv AT_PAGESZ/AT_PHDR/AT_RANDOM),
 * ioctl(TIOCGWINSZ) -> ENOTTY then writev for stdout, brk(0)/brk(+2 pages)
 * for the first meta area, MAP_FIXED PROT_NONE guard page carved out of the
 * heap VMA, mmap PROT_NONE + mprotect RW for more meta areas, anonymous
 * mmap/munmap for groups and large blocks, and mremap(MREMAP_MAYMOVE) for
 * large realloc.
 *
 * mremap: Faultline returns -ENOSYS for it.  mallocng's realloc then falls
 * back to malloc + memcpy + free, which this program's checks cover.
 *
 * Host notes:
 *  - Verified on the host under tests/user/tools/fl_sysfilter (seccomp:
 *    mremap -> ENOSYS, madvise other than MADV_DONTNEED -> EINVAL, ioctl ->
 *    ENOTTY, every syscall Faultline lacks -> ENOSYS): the output is
 *    byte-identical to the plain run (run-host.sh --check does this).
 *  - Debian's musl 1.2.3 DOES call madvise(MADV_FREE) from free() (about
 *    3500 calls in this program); linux-mm-spec.md §6.3 says it is compiled
 *    out (musl 1.2.5).  musl ignores the result, so Faultline may fail it
 *    (EINVAL; verified under fl_sysfilter).  Zapping like MADV_DONTNEED is
 *    also legal MADV_FREE behaviour (freed pages may read back as zero at any
 *    time), but the host never does that without memory pressure, so that
 *    variant is not verified here.
 *  - The RW PT_LOAD of this binary starts mid-page (vaddr 0x40bfb8, offset
 *    0xafb8) with filesz < memsz: the loader must zero the .bss tail.
 *  - About 1.3 s on the host.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

static unsigned char pat(uint32_t seed, size_t i)
{
    uint32_t x = seed * 2654435761u + (uint32_t)i * 40503u;
    return (unsigned char)(x ^ (x >> 13) ^ (x >> 24));
}

static void fill(unsigned char *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pat(seed, i);
}

/* number of bytes in p[0..n) that do not match the pattern */
static size_t bad_bytes(const unsigned char *p, size_t n, uint32_t seed)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += p[i] != pat(seed, i);
    return bad;
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

struct slot {
    unsigned char *p;
    size_t n;
    uint32_t seed;
};

struct stats {
    unsigned long mallocs, frees, reallocs, callocs, fails, corrupt, nonzero;
    uint64_t sum;
};

/* one randomised phase over nslots slots with sizes in [lo, hi] */
static void phase(const char *name, int nslots, int ops, size_t lo, size_t hi)
{
    struct slot *s = calloc((size_t)nslots, sizeof *s);
    struct stats st = {0};
    st.sum = 0xcbf29ce484222325ULL;
    if (!s) {
        printf("%s: calloc of the slot table failed\n", name);
        return;
    }
    for (int op = 0; op < ops; op++) {
        int k = (int)(rnd() % (uint32_t)nslots);
        size_t n = lo + rnd() % (uint32_t)(hi - lo + 1);
        uint32_t what = rnd() % 8;
        struct slot *sl = &s[k];
        if (!sl->p) {
            if (what == 0) { /* calloc: must be zero */
                sl->p = calloc(1, n);
                st.callocs++;
                if (sl->p) {
                    for (size_t i = 0; i < n; i++)
                        st.nonzero += sl->p[i] != 0;
                }
            } else {
                sl->p = malloc(n);
                st.mallocs++;
            }
            if (!sl->p) {
                st.fails++;
                continue;
            }
            sl->n = n;
            sl->seed = (uint32_t)op * 7919u + (uint32_t)k;
            fill(sl->p, n, sl->seed);
        } else if (what < 3) { /* realloc: prefix preserved */
            unsigned char *q = realloc(sl->p, n);
            st.reallocs++;
            if (!q) {
                st.fails++;
                continue;
            }
            size_t keep = n < sl->n ? n : sl->n;
            st.corrupt += bad_bytes(q, keep, sl->seed);
            st.sum = fnv(st.sum, q, keep < 64 ? keep : 64);
            sl->p = q;
            sl->n = n;
            sl->seed = (uint32_t)op * 7919u + (uint32_t)k;
            fill(q, n, sl->seed);
        } else { /* free */
            st.corrupt += bad_bytes(sl->p, sl->n, sl->seed);
            st.sum = fnv(st.sum, sl->p, sl->n < 64 ? sl->n : 64);
            free(sl->p);
            st.frees++;
            sl->p = NULL;
        }
    }
    for (int k = 0; k < nslots; k++) {
        if (s[k].p) {
            st.corrupt += bad_bytes(s[k].p, s[k].n, s[k].seed);
            st.sum = fnv(st.sum, s[k].p, s[k].n < 64 ? s[k].n : 64);
            free(s[k].p);
            st.frees++;
        }
    }
    free(s);
    printf("%s: malloc %lu calloc %lu realloc %lu free %lu fail %lu corrupt %lu calloc-nonzero %lu sum %016llx\n",
           name, st.mallocs, st.callocs, st.reallocs, st.frees, st.fails, st.corrupt, st.nonzero,
           (unsigned long long)st.sum);
}

/* grow one block by doubling up to 4 MiB, then shrink, checking the prefix */
static void realloc_chain(void)
{
    size_t n = 1;
    unsigned char *p = malloc(n);
    unsigned long corrupt = 0, steps = 0;
    uint64_t sum = 0xcbf29ce484222325ULL;
    if (!p) {
        printf("realloc chain: malloc failed\n");
        return;
    }
    fill(p, n, 1);
    while (n < (4u << 20)) {
        size_t m = n * 2 + 3;
        unsigned char *q = realloc(p, m);
        if (!q) {
            printf("realloc chain: grow to %zu failed\n", m);
            free(p);
            return;
        }
        corrupt += bad_bytes(q, n, (uint32_t)steps + 1);
        p = q;
        n = m;
        steps++;
        fill(p, n, (uint32_t)steps + 1);
    }
    printf("realloc chain: grew to %zu bytes in %lu steps, corrupt %lu\n", n, steps, corrupt);
    while (n > 16) {
        size_t m = n / 3;
        unsigned char *q = realloc(p, m);
        if (!q) {
            printf("realloc chain: shrink to %zu failed\n", m);
            free(p);
            return;
        }
        corrupt += bad_bytes(q, m, (uint32_t)steps + 1);
        sum = fnv(sum, q, m < 256 ? m : 256);
        p = q;
        n = m;
        steps++;
        fill(p, n, (uint32_t)steps + 1);
    }
    printf("realloc chain: shrank to %zu bytes, %lu steps total, corrupt %lu, sum %016llx\n", n, steps, corrupt,
           (unsigned long long)sum);
    free(p);
}

/* large block realloc around the mmap threshold, both directions */
static void threshold(void)
{
    static const size_t sizes[] = {100000, 131052, 131053, 140000, 1 << 20, 3 << 20, 200000, 131000, 5000, 300000};
    unsigned char *p = NULL;
    size_t n = 0;
    unsigned long corrupt = 0;
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *q = realloc(p, sizes[i]);
        if (!q) {
            printf("threshold: realloc to %zu failed\n", sizes[i]);
            break;
        }
        size_t keep = n < sizes[i] ? n : sizes[i];
        corrupt += bad_bytes(q, keep, i);
        p = q;
        n = sizes[i];
        fill(p, n, i + 1);
    }
    printf("threshold: %zu resizes around 128 KiB, corrupt %lu\n", sizeof sizes / sizeof sizes[0], corrupt);
    free(p);
}

static void calloc_reuse(void)
{
    /* dirty memory, free it, calloc the same sizes: must read zero */
    unsigned long nonzero = 0;
    static const size_t sizes[] = {24, 1000, 40000, 200000, 2 << 20};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = malloc(sizes[i]);
        if (!p)
            continue;
        memset(p, 0xab, sizes[i]);
        free(p);
        unsigned char *q = calloc(sizes[i], 1);
        if (!q) {
            printf("calloc %zu failed\n", sizes[i]);
            continue;
        }
        for (size_t j = 0; j < sizes[i]; j++)
            nonzero += q[j] != 0;
        free(q);
    }
    printf("calloc after dirty free: %lu nonzero bytes\n", nonzero);
}

static void aligned(void)
{
    unsigned long misaligned = 0, fails = 0;
    for (size_t a = 16; a <= (1u << 20); a <<= 1) {
        for (size_t n = a / 2; n <= a * 3; n += a) {
            void *p = aligned_alloc(a, n);
            if (!p) {
                fails++;
                continue;
            }
            misaligned += ((uintptr_t)p & (a - 1)) != 0;
            memset(p, 0x5c, n);
            free(p);
        }
    }
    void *p = NULL;
    int r = posix_memalign(&p, 4096, 10000);
    misaligned += r == 0 && ((uintptr_t)p & 4095);
    free(p);
    printf("aligned_alloc 16..1 MiB: %lu misaligned, %lu failed, posix_memalign %d\n", misaligned, fails, r);
}

int main(void)
{
    printf("musl malloc test\n");
    phase("small 1-256 B", 1000, 60000, 1, 256);
    phase("medium 257 B-64 KiB", 200, 8000, 257, 65536);
    phase("large 128 KiB-1 MiB", 16, 200, 128 << 10, 1 << 20);
    phase("mixed 1 B-512 KiB", 300, 3000, 1, 512 << 10);
    realloc_chain();
    threshold();
    calloc_reuse();
    aligned();
    /* a huge request fails cleanly */
    void *h = malloc((size_t)1 << 62);
    printf("malloc(2^62): %s\n", h ? "non-NULL?" : "NULL");
    free(h);
    printf("done\n");
    return 0;
}
