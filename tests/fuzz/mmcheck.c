/*
 * mmcheck.c - random address-space operations checked against a model (static, no libc).
 *
 *   tools/run-elf build/robust/mmcheck seed=N ops=N
 *   build/robust/mmcheck seed=N ops=N          (on the host: the model must agree with Linux)
 *
 * The fuzzer (fuzz.c) looks for crashes; this looks for wrong answers.  A
 * window of NPAGES pages is mapped and remapped at random: mmap MAP_FIXED
 * (private or shared anonymous, private file pages of this program, with or
 * without MAP_POPULATE), munmap, mprotect, madvise(MADV_DONTNEED), writes
 * and reads of tagged words, fork (the child checks everything, then
 * writes: the parent must see the writes to shared pages and only those),
 * brk-like growth is left alone.  Each page of the window has a model state
 * (unmapped, or mapped with a protection, private/shared/file, and the tags
 * it must hold); after every operation the return value is checked, and
 * every few operations the whole window is checked: /proc/self/maps must
 * give each page the modelled permissions, and every readable page must
 * hold the modelled words.  Linux semantics where they are subtle:
 * mprotect and madvise stop with ENOMEM at the first hole but keep what
 * they did before it; MADV_DONTNEED makes private anonymous pages read as
 * zero, private file pages read as the file again, shared pages keep their
 * contents.  Exit 0 when everything matched; else the first mismatch is
 * printed with the operation history's tail, and the status is 1.
 */
#include "fl_user.h"

#define NR_open 2
#define NR_close 3
#define NR_fork 57
#define NR_wait4 61
#define MAP_TYPE 0x0f

#define NPAGES 256 /* the window: 1 MiB */
#define PG 4096UL

enum kind { UNMAPPED, ANON, SHARED, FILE };
struct pstate {
    unsigned char kind, prot;
    unsigned long w0, w1; /* the words at offsets 0 and 4088 */
    unsigned long fpage;  /* FILE: the file page mapped here */
};
static struct pstate model[NPAGES];
static unsigned long win;            /* the window's address */
static unsigned char *file_data;     /* this program's own file, for FILE pages */
static unsigned long file_pages;
static long file_fd = -1;
static unsigned long rng, nops, ops_done;
static int in_child;

static unsigned long rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dUL;
}
static unsigned long below(unsigned long n) { return rnd() % n; }

/* ---- history, for the report ---- */
#define HIST 12
static char hist[HIST][96];
static int hist_n;

static void note(const char *op, unsigned long first, unsigned long n, long a, long ret)
{
    char *h = hist[hist_n++ % HIST];
    /* "op first+n a=.. ret=.." without printf into a buffer: build by hand */
    static const char hx[] = "0123456789abcdef";
    int k = 0;
    for (const char *p = op; *p && k < 40; p++)
        h[k++] = *p;
    h[k++] = ' ';
    unsigned long v[4] = { first, n, (unsigned long)a, (unsigned long)ret };
    for (int i = 0; i < 4; i++) {
        unsigned long x = v[i];
        char tmp[17];
        int t = 0;
        do {
            tmp[t++] = hx[x & 15];
            x >>= 4;
        } while (x && t < 16);
        while (t && k < 90)
            h[k++] = tmp[--t];
        h[k++] = i < 3 ? ' ' : 0;
    }
    h[95] = 0;
}

static __attribute__((noreturn)) void fail(const char *what, unsigned long page, unsigned long want, unsigned long got)
{
    fl_printf("mmcheck: MISMATCH after %lu ops%s: %s, page %lu: want %lx, got %lx\n", ops_done,
              in_child ? " (in the fork child)" : "", what, page, want, got);
    fl_printf("mmcheck: last operations (op first-page npages arg ret, hex):\n");
    for (int i = hist_n > HIST ? hist_n - HIST : 0; i < hist_n; i++)
        fl_printf("  %s\n", hist[i % HIST]);
    fl_exit(1);
}

/* ---- the model ---- */

static unsigned long file_word(unsigned long fpage, unsigned long off)
{
    if (fpage >= file_pages)
        return 0; /* never mapped beyond the end */
    unsigned long v;
    memcpy(&v, file_data + fpage * PG + off, 8);
    return v;
}

static int readable(int i) { return model[i].kind != UNMAPPED && (model[i].prot & PROT_READ); }
static int writable(int i) { return model[i].kind != UNMAPPED && (model[i].prot & PROT_WRITE); }

/* ---- checks ---- */

static char maps[128 * 1024];

static unsigned long hexnum(const char **pp)
{
    unsigned long v = 0;
    for (;; (*pp)++) {
        char c = **pp;
        if (c >= '0' && c <= '9')
            v = v * 16 + (unsigned long)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (unsigned long)(c - 'a' + 10);
        else
            return v;
    }
}

static void check_maps(void)
{
    long fd = fl_syscall3(NR_open, "/proc/self/maps", 0, 0);
    if (fl_is_err(fd))
        fail("open /proc/self/maps", 0, 0, (unsigned long)fd);
    long n = 0, r;
    while (n < (long)sizeof maps - 1 && (r = fl_read((int)fd, maps + n, sizeof maps - 1 - (unsigned long)n)) > 0)
        n += r;
    fl_syscall1(NR_close, fd);
    maps[n] = 0;
    /* perms per page: 0xff = no VMA */
    unsigned char seen[NPAGES];
    memset(seen, 0xff, sizeof seen);
    for (const char *p = maps; *p;) {
        unsigned long lo = hexnum(&p);
        p++;
        unsigned long hi = hexnum(&p);
        p++;
        unsigned char perm = (unsigned char)((p[0] == 'r' ? PROT_READ : 0) | (p[1] == 'w' ? PROT_WRITE : 0) |
                                             (p[2] == 'x' ? PROT_EXEC : 0) | (p[3] == 's' ? 0x80 : 0));
        for (unsigned long a = lo; a < hi; a += PG)
            if (a >= win && a < win + NPAGES * PG)
                seen[(a - win) / PG] = perm;
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    for (int i = 0; i < NPAGES; i++) {
        unsigned char want = model[i].kind == UNMAPPED ? 0xff
                                                       : (unsigned char)(model[i].prot | (model[i].kind == SHARED ? 0x80 : 0));
        if (seen[i] != want)
            fail("/proc/self/maps permissions (0xff: no VMA, 0x80: shared)", (unsigned long)i, want, seen[i]);
    }
}

static void check_page(int i)
{
    if (!readable(i))
        return;
    const volatile unsigned long *p = (const volatile unsigned long *)(win + (unsigned long)i * PG);
    if (p[0] != model[i].w0)
        fail("word at offset 0", (unsigned long)i, model[i].w0, p[0]);
    if (p[511] != model[i].w1)
        fail("word at offset 4088", (unsigned long)i, model[i].w1, p[511]);
}

static void check_all(void)
{
    check_maps();
    for (int i = 0; i < NPAGES; i++)
        check_page(i);
}

static void expect_ret(const char *op, long want, long got, unsigned long first)
{
    if (want != got)
        fail(op, first, (unsigned long)want, (unsigned long)got);
}

/* ---- operations ---- */

static void op_mmap(unsigned long first, unsigned long n)
{
    static const unsigned char prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE };
    unsigned char prot = prots[below(4)];
    int k = (int)below(10);
    enum kind kind = k < 6 ? ANON : k < 8 ? SHARED : FILE;
    long flags = MAP_FIXED | (kind == SHARED ? MAP_SHARED : MAP_PRIVATE) | (kind != FILE ? MAP_ANONYMOUS : 0);
    if (below(4) == 0)
        flags |= MAP_POPULATE;
    unsigned long fpage = 0;
    long fd = -1, off = 0;
    if (kind == FILE) {
        if (file_fd < 0 || file_pages < n + 1) {
            kind = ANON;
            flags = (flags & ~(long)MAP_TYPE) | MAP_PRIVATE | MAP_ANONYMOUS;
        } else {
            fpage = below(file_pages - n + 1);
            fd = file_fd;
            off = (long)(fpage * PG);
        }
    }
    long r = fl_mmap((void *)(win + first * PG), n * PG, prot, flags, fd, off);
    note(kind == FILE ? "mmap-file" : kind == SHARED ? "mmap-shared" : "mmap-anon", first, n, prot | (flags & MAP_POPULATE ? 0x100 : 0), r);
    expect_ret("mmap MAP_FIXED return", (long)(win + first * PG), r, first);
    for (unsigned long i = first; i < first + n; i++) {
        model[i].kind = (unsigned char)kind;
        model[i].prot = prot;
        model[i].fpage = fpage + (i - first);
        model[i].w0 = kind == FILE ? file_word(model[i].fpage, 0) : 0;
        model[i].w1 = kind == FILE ? file_word(model[i].fpage, 4088) : 0;
    }
}

static void op_munmap(unsigned long first, unsigned long n)
{
    long r = fl_munmap((void *)(win + first * PG), n * PG);
    note("munmap", first, n, 0, r);
    expect_ret("munmap return", 0, r, first);
    for (unsigned long i = first; i < first + n; i++)
        model[i].kind = UNMAPPED;
}

static void op_mprotect(unsigned long first, unsigned long n)
{
    static const unsigned char prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE };
    unsigned char prot = prots[below(3)];
    long r = fl_mprotect((void *)(win + first * PG), n * PG, prot);
    note("mprotect", first, n, prot, r);
    /* Linux: up to the first hole, then ENOMEM (a hole at the start: ENOMEM, nothing changed). */
    long want = 0;
    for (unsigned long i = first; i < first + n; i++) {
        if (model[i].kind == UNMAPPED) {
            want = -ENOMEM;
            break;
        }
        model[i].prot = prot;
    }
    expect_ret("mprotect return", want, r, first);
}

static void op_dontneed(unsigned long first, unsigned long n)
{
    long r = fl_madvise((void *)(win + first * PG), n * PG, MADV_DONTNEED);
    note("madvise-dontneed", first, n, 0, r);
    long want = 0;
    for (unsigned long i = first; i < first + n; i++) {
        if (model[i].kind == UNMAPPED) {
            want = -ENOMEM; /* Linux goes on past holes and reports ENOMEM at the end */
            continue;
        }
        if (model[i].kind == ANON)
            model[i].w0 = model[i].w1 = 0;
        else if (model[i].kind == FILE)
            model[i].w0 = file_word(model[i].fpage, 0), model[i].w1 = file_word(model[i].fpage, 4088);
        /* SHARED: the object keeps the page */
    }
    expect_ret("madvise(MADV_DONTNEED) return", want, r, first);
}

static void op_write(unsigned long i)
{
    if (!writable((int)i))
        return;
    unsigned long t0 = rnd() | 1, t1 = rnd() | 1;
    volatile unsigned long *p = (volatile unsigned long *)(win + i * PG);
    p[0] = t0;
    p[511] = t1;
    model[i].w0 = t0;
    model[i].w1 = t1;
    note("write", i, 1, 0, 0);
}

/* Merge a shared page's new words into the model after the child wrote them. */
static void op_fork(void)
{
    unsigned long seed = rnd();
    fl_flush();
    long pid = fl_syscall0(NR_fork);
    if (pid == 0) {
        in_child = 1;
        check_all(); /* the child sees exactly the parent's memory */
        rng = seed | 1;
        for (int i = 0; i < NPAGES; i++)
            if (writable(i)) {
                volatile unsigned long *p = (volatile unsigned long *)(win + (unsigned long)i * PG);
                p[0] = rnd() | 1;
                p[511] = rnd() | 1;
            }
        fl_syscall1(SYS_exit_group, 0);
    }
    int st = -1;
    long r = fl_syscall6(NR_wait4, pid, (long)&st, 0, 0, 0, 0);
    note("fork", 0, 0, pid, st);
    expect_ret("fork+wait4", pid, r, 0);
    expect_ret("fork child status (0: it saw the parent's memory)", 0, st, 0);
    /* the child's writes: visible in shared pages only, in the order it made them */
    rng = seed | 1;
    for (int i = 0; i < NPAGES; i++)
        if (writable(i)) {
            unsigned long t0 = rnd() | 1, t1 = rnd() | 1;
            if (model[i].kind == SHARED)
                model[i].w0 = t0, model[i].w1 = t1;
        }
}

static void load_file(void)
{
    static const char *const names[] = { "/init", "/proc/self/exe" };
    for (int k = 0; k < 2 && file_fd < 0; k++) {
        long fd = fl_syscall3(NR_open, names[k], 0, 0);
        if (fl_is_err(fd))
            continue;
        long size = fl_syscall3(8, fd, 0, 2); /* lseek SEEK_END */
        fl_syscall3(8, fd, 0, 0);
        if (size <= 0)
            continue;
        long m = fl_mmap(0, (unsigned long)size + PG, PROT_RW, PRIV_ANON, -1, 0);
        if (fl_is_err(m))
            continue;
        long got = 0, r;
        while (got < size && (r = fl_read((int)fd, (char *)m + got, (unsigned long)(size - got))) > 0)
            got += r;
        file_data = (unsigned char *)m;
        file_pages = (unsigned long)size / PG; /* whole pages only: no SIGBUS, no partial page */
        file_fd = fd;
    }
}

static int parse(const char *a, const char *key, unsigned long *v)
{
    unsigned long n = strlen(key), x = 0;
    if (memcmp(a, key, n))
        return 0;
    for (a += n; *a >= '0' && *a <= '9'; a++)
        x = x * 10 + (unsigned long)(*a - '0');
    *v = x;
    return 1;
}

int main(int argc, char **argv)
{
    unsigned long seed = 1;
    nops = 2000;
    for (int i = 1; i < argc; i++)
        if (!parse(argv[i], "seed=", &seed) && !parse(argv[i], "ops=", &nops)) {
            fl_printf("usage: mmcheck seed=N ops=N\n");
            return 2;
        }
    rng = seed * 0x9e3779b97f4a7c15UL | 1;
    load_file();
    /* The window: reserved PROT_NONE with a page of guard on each side, then unmapped (a hole). */
    long r = fl_mmap(0, (NPAGES + 2) * PG, PROT_NONE, PRIV_ANON, -1, 0);
    if (fl_is_err(r))
        return 3;
    win = (unsigned long)r + PG;
    fl_munmap((void *)win, NPAGES * PG);
    for (int i = 0; i < NPAGES; i++)
        model[i].kind = UNMAPPED;

    for (ops_done = 0; ops_done < nops; ops_done++) {
        unsigned long first = below(NPAGES), n = 1 + below(below(4) ? 8 : 64);
        if (first + n > NPAGES)
            n = NPAGES - first;
        switch (below(16)) {
        case 0: case 1: case 2: op_mmap(first, n); break;
        case 3: op_munmap(first, n); break;
        case 4: case 5: op_mprotect(first, n); break;
        case 6: op_dontneed(first, n); break;
        case 7: if (below(4) == 0) op_fork(); break;
        case 8: check_page((int)first); break;
        default:
            for (unsigned long i = first; i < first + n; i++)
                op_write(i);
            break;
        }
        if (ops_done % 32 == 31)
            check_all();
    }
    check_all();
    fl_printf("mmcheck: seed %lu: %lu operations, model and kernel agree\n", seed, nops);
    return 0;
}
