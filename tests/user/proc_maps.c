/*
 * proc_maps.c - /proc/self/maps and /proc/self/status (linux-mm-spec.md §7).
 * Addresses, inode and device numbers differ between the host and
 * Faultline, so only permissions, offsets, sizes, names of anonymous
 * mappings, format rules and accounting DELTAS are printed.
 *
 *   proc_maps maps     the program's file-backed segments (perms, offset,
 *                      pages), [heap] and [stack], a 3-page mapping split
 *                      into 3 VMAs by mprotect and merged back, MAP_SHARED
 *                      anonymous ("/dev/zero (deleted)", rw-s), PROT_NONE,
 *                      a private file mapping at offset 4096, adjacent
 *                      anonymous mappings merging; format rules (ascending,
 *                      8+ hex digits, trailing space after inode 0 on
 *                      unnamed lines, names at column 73)
 *   proc_maps status   which Vm and Rss keys exist (not their values), then
 *                      deltas of VmSize, VmData, VmRSS, RssAnon, RssShmem
 *                      around mmap, mprotect, reads (zero page), writes,
 *                      MADV_DONTNEED, munmap, brk, MAP_SHARED, and fork
 *
 * The mappings the test measures are surrounded by PROT_NONE guard pages
 * (separate VMAs, and no room for a transparent huge page).
 *
 * Host notes: the host also shows [vvar], [vvar_vclock], [vdso] and
 * [vsyscall] lines (not printed; Faultline has no vDSO).  The program's
 * path differs (absolute build path vs /init), so file names are compared
 * with the name of the first line (the first PT_LOAD of this static
 * non-PIE program).  In a forked child Linux does not copy the page table
 * entries of a MAP_SHARED anonymous mapping (no anon_vma: the child faults
 * them in later), so the child starts with RssShmem 0 kB.
 */
#include "fl_task.h"

#define PG PAGE_SIZE

static char buf[1 << 17];

struct line {
    unsigned long start, end, off, ino;
    char perms[5];
    char dev[8];
    const char *name; /* points into buf; "" if none */
    int name_len;
    int name_col;     /* column where the name starts */
    int trailing_space; /* unnamed line ends in "inode " */
};

static struct line lines[512];
static int nlines;
static int format_ok;

static void parse_maps(void)
{
    long n = fl_read_file("/proc/self/maps", buf, sizeof buf);
    nlines = 0;
    format_ok = 1;
    if (n < 0) {
        fl_printf("read /proc/self/maps: %s\n", fl_errname(n));
        return;
    }
    const char *p = buf;
    while (*p && nlines < 512) {
        const char *ls = p;
        struct line *l = &lines[nlines++];
        const char *q = p;
        l->start = fl_parse_hex(&q);
        if (q - p < 8)
            format_ok = 0;
        if (*q++ != '-')
            format_ok = 0;
        const char *e0 = q;
        l->end = fl_parse_hex(&q);
        if (q - e0 < 8)
            format_ok = 0;
        if (*q++ != ' ')
            format_ok = 0;
        memcpy(l->perms, q, 4);
        l->perms[4] = 0;
        q += 4;
        if (*q++ != ' ')
            format_ok = 0;
        const char *o0 = q;
        l->off = fl_parse_hex(&q);
        if (q - o0 < 8)
            format_ok = 0;
        q++;
        int dl = 0;
        while (*q && *q != ' ' && dl < 7)
            l->dev[dl++] = *q++;
        l->dev[dl] = 0;
        q++;
        l->ino = 0;
        while (*q >= '0' && *q <= '9')
            l->ino = l->ino * 10 + (unsigned long)(*q++ - '0');
        /* now at the space after the inode */
        if (*q != ' ')
            format_ok = 0;
        const char *after_ino = q;
        while (*q == ' ')
            q++;
        const char *ne = q;
        while (*ne && *ne != '\n')
            ne++;
        l->name = q;
        l->name_len = (int)(ne - q);
        l->name_col = (int)(q - ls);
        l->trailing_space = l->name_len == 0 && after_ino + 1 == ne;
        if (l->name_len == 0 && !l->trailing_space)
            format_ok = 0;
        if (l->name_len && (after_ino - ls) < 72 && l->name_col != 73)
            format_ok = 0;
        if (l->start >= l->end || (l->start & (PG - 1)) || (l->end & (PG - 1)))
            format_ok = 0;
        if (nlines > 1 && l->start < lines[nlines - 2].end)
            format_ok = 0;
        p = *ne ? ne + 1 : ne;
    }
}

static int name_is(const struct line *l, const char *s)
{
    return l->name_len == (int)strlen(s) && !memcmp(l->name, s, (size_t)l->name_len);
}

static int same_name(const struct line *a, const struct line *b)
{
    return a->name_len == b->name_len && !memcmp(a->name, b->name, (size_t)a->name_len);
}

static void print_name(const struct line *l)
{
    if (!l->name_len) {
        fl_printf("(none)");
        return;
    }
    for (int i = 0; i < l->name_len; i++)
        fl_putc(l->name[i]);
}

/* print the lines covering [a, a + len) */
static void show_range(const char *label, unsigned long a, unsigned long len)
{
    int n = 0;
    for (int i = 0; i < nlines; i++) {
        struct line *l = &lines[i];
        if (l->end <= a || l->start >= a + len)
            continue;
        n++;
        fl_printf("%s: %s %08lx %lu page%s, name ", label, l->perms, l->off, (l->end - l->start) / PG,
                  (l->end - l->start) / PG == 1 ? "" : "s");
        print_name(l);
        fl_printf("%s\n", l->start < a || l->end > a + len ? " (extends beyond the range)" : "");
    }
    fl_printf("%s: %d line%s\n", label, n, n == 1 ? "" : "s");
}

static void *guarded(unsigned long pages, long prot)
{
    /* guard page, the mapping, guard page */
    long r = fl_mmap(0, (pages + 2) * PG, PROT_NONE, PRIV_ANON, -1, 0);
    if (fl_is_err(r)) {
        fl_printf("mmap: %s\n", fl_errname(r));
        fl_exit(1);
    }
    if (prot != PROT_NONE)
        fl_mprotect((char *)r + PG, pages * PG, prot);
    return (char *)r + PG;
}

static int case_maps(const char *self)
{
    /* heap */
    long b = fl_brk(0);
    fl_brk((void *)(b + 3 * (long)PG));
    ((volatile char *)b)[0] = 1;

    /* 3 pages, split in 3 by mprotect */
    char *split = guarded(3, PROT_RW);
    memset(split, 1, 3 * PG);
    fl_check("mprotect(middle page, PROT_READ)", fl_mprotect(split + PG, PG, PROT_READ));

    /* MAP_SHARED anonymous */
    long s = fl_mmap(0, 2 * PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    fl_check("mmap(MAP_SHARED|MAP_ANONYMOUS)", s);
    if (!fl_is_err(s))
        ((volatile char *)s)[0] = 1;

    /* PROT_NONE */
    long none = fl_mmap(0, 2 * PG, PROT_NONE, PRIV_ANON, -1, 0);
    fl_check("mmap(PROT_NONE)", none);

    /* the program file, 2 pages from offset 4096 */
    long fd = fl_open(self, O_RDONLY);
    fl_check("open(program)", fd);
    long fm = fl_mmap(0, 2 * PG, PROT_READ, MAP_PRIVATE, fd, PG);
    fl_check("mmap(program, offset 4096)", fm);
    if (!fl_is_err(fd))
        fl_close(fd);

    /* two adjacent anonymous mappings (MAP_FIXED inside a reserved range) */
    char *adj = guarded(4, PROT_NONE);
    long a1 = fl_mmap(adj, 2 * PG, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    long a2 = fl_mmap(adj + 2 * PG, 2 * PG, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    fl_printf("two adjacent MAP_FIXED mappings: %s\n", fl_yn(a1 == (long)adj && a2 == (long)(adj + 2 * PG)));

    parse_maps();
    fl_printf("format rules hold on every line: %s\n", fl_yn(format_ok));

    /* the program's own segments: lines named like the first line */
    struct line *exe = &lines[0];
    int nexe = 0;
    for (int i = 0; i < nlines; i++) {
        struct line *l = &lines[i];
        if (!same_name(l, exe) || (!fl_is_err(fm) && l->start == (unsigned long)fm))
            continue;
        nexe++;
        fl_printf("program segment: %s offset %08lx, %lu pages\n", l->perms, l->off, (l->end - l->start) / PG);
    }
    fl_printf("program segments: %d, first line has a file name: %s\n", nexe, fl_yn(exe->name_len > 0 && exe->name[0] == '/'));

    int nheap = 0, nstack = 0;
    for (int i = 0; i < nlines; i++) {
        if (name_is(&lines[i], "[heap]")) {
            nheap++;
            fl_printf("[heap]: %s offset %08lx\n", lines[i].perms, lines[i].off);
        }
        if (name_is(&lines[i], "[stack]")) {
            nstack++;
            fl_printf("[stack]: %s offset %08lx\n", lines[i].perms, lines[i].off);
        }
    }
    fl_printf("[heap] lines: %d, [stack] lines: %d\n", nheap, nstack);

    show_range("split", (unsigned long)split, 3 * PG);
    show_range("guards around split", (unsigned long)split - PG, PG);
    if (!fl_is_err(s))
        show_range("shared", (unsigned long)s, 2 * PG);
    if (!fl_is_err(none))
        show_range("prot-none", (unsigned long)none, 2 * PG);
    show_range("adjacent", (unsigned long)adj, 4 * PG);
    if (!fl_is_err(fm)) {
        for (int i = 0; i < nlines; i++)
            if (lines[i].start == (unsigned long)fm)
                fl_printf("file mapping: %s offset %08lx, %lu pages, same name/dev/inode as the program: %s\n",
                          lines[i].perms, lines[i].off, (lines[i].end - lines[i].start) / PG,
                          fl_yn(same_name(&lines[i], exe) && !strcmp(lines[i].dev, exe->dev) &&
                                lines[i].ino == exe->ino));
    }

    /* merge back: mprotect the middle page RW again -> one VMA */
    fl_check("mprotect(middle page, RW)", fl_mprotect(split + PG, PG, PROT_RW));
    parse_maps();
    show_range("split after mprotect back", (unsigned long)split, 3 * PG);
    /* punch a hole */
    fl_check("munmap(middle page)", fl_munmap(split + PG, PG));
    parse_maps();
    show_range("split after munmap middle", (unsigned long)split, 3 * PG);
    /* grow the heap: still one [heap] line */
    fl_brk((void *)(b + 20 * (long)PG));
    parse_maps();
    nheap = 0;
    for (int i = 0; i < nlines; i++)
        nheap += name_is(&lines[i], "[heap]");
    fl_printf("[heap] lines after growing brk: %d\n", nheap);
    fl_printf("format rules still hold: %s\n", fl_yn(format_ok));
    return 0;
}

/* ---------------------------------------------------------------- status */

static const char *const keys[] = {"VmSize", "VmData", "VmRSS", "RssAnon", "RssFile", "RssShmem"};
enum { NK = sizeof keys / sizeof keys[0] };
static long cur[NK];

static void snap(long out[NK])
{
    fl_read_file("/proc/self/status", buf, sizeof buf);
    for (int i = 0; i < NK; i++)
        out[i] = fl_status_value(buf, keys[i]);
}

/* print the deltas since the last call */
static void delta(const char *step)
{
    long now[NK];
    fl_flush(); /* keep the output buffer's use (.bss pages) the same at every snapshot */
    snap(now);
    fl_printf("%s:", step);
    for (int i = 0; i < NK; i++)
        fl_printf(" %s %+ld", keys[i], now[i] - cur[i]);
    fl_printf("\n");
    for (int i = 0; i < NK; i++)
        cur[i] = now[i];
}

/* "VmRSS:\t" + the number right-aligned in 8 characters + " kB" */
static int rss_line_ok(const char *k)
{
    while (*k) {
        if (!memcmp(k, "VmRSS:\t", 7)) {
            int ok = k[14] >= '0' && k[14] <= '9' && !memcmp(k + 15, " kB\n", 4);
            for (int d = 7; d < 14; d++)
                if (k[d] != ' ' && (k[d] < '0' || k[d] > '9'))
                    ok = 0;
            return ok;
        }
        while (*k && *k != '\n')
            k++;
        if (*k)
            k++;
    }
    return 0;
}

/*
 * Touch 32 KiB of stack below the current frame once, so that later calls
 * never fault in a new stack page between two snapshots (where the stack
 * crosses a page boundary depends on the randomized stack top on the host).
 */
__attribute__((noinline)) static void pretouch_stack(void)
{
    volatile char big[32 * 1024];
    for (unsigned i = 0; i < sizeof big; i += 512)
        big[i] = 0;
}

/*
 * Read every page of the program's file-backed mappings once: Linux maps
 * file pages with fault-around (16 at a time), Faultline one by one, so
 * RssFile (part of VmRSS) would otherwise change whenever new code runs.
 */
static void pretouch_program(void)
{
    parse_maps();
    for (int i = 0; i < nlines; i++) {
        struct line *l = &lines[i];
        if (!same_name(l, &lines[0]) || l->perms[0] != 'r')
            continue;
        for (unsigned long a = l->start; a < l->end; a += PG)
            (void)fl_peek((const void *)a);
    }
}

static int case_status(void)
{
    pretouch_stack();
    pretouch_program();
    long r = fl_read_file("/proc/self/status", buf, sizeof buf);
    if (r < 0) {
        fl_printf("read /proc/self/status: %s\n", fl_errname(r));
        return 1;
    }
    /* which memory keys exist, in order */
    fl_printf("keys:");
    const char *p = buf;
    while (*p) {
        if ((!memcmp(p, "Vm", 2) || !memcmp(p, "Rss", 3))) {
            fl_putc(' ');
            while (*p && *p != ':')
                fl_putc(*p++);
        }
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    fl_printf("\n");
    long v = fl_status_value(buf, "VmRSS");
    fl_printf("VmRSS line is \"VmRSS:\\t\" + 8 right-aligned characters + \" kB\": %s\n", fl_yn(rss_line_ok(buf)));
    fl_printf("VmHWM >= VmRSS: %s, VmPeak >= VmSize: %s\n",
              fl_yn(fl_status_value(buf, "VmHWM") >= v),
              fl_yn(fl_status_value(buf, "VmPeak") >= fl_status_value(buf, "VmSize")));

    /* warm up: the snapshot code itself must not fault new pages later */
    snap(cur);
    snap(cur);
    delta("nothing");

    char *g = (char *)fl_mmap(0, 102 * PG, PROT_NONE, PRIV_ANON, -1, 0);
    delta("mmap 102 pages PROT_NONE");
    fl_mprotect(g + PG, 100 * PG, PROT_RW);
    delta("mprotect 100 of them RW");
    unsigned long s = 0;
    for (unsigned long i = 0; i < 100; i++)
        s += ((volatile char *)g)[PG + i * PG];
    delta(s == 0 ? "read 100 pages (zero page)" : "read 100 pages: NOT ZERO");
    for (unsigned long i = 0; i < 100; i++)
        ((volatile char *)g)[PG + i * PG + (i % 7)] = 1;
    delta("write 100 pages");
    for (unsigned long i = 0; i < 100; i++)
        ((volatile char *)g)[PG + i * PG + 9] = 2;
    delta("write them again");
    fl_check("madvise(50 pages, MADV_DONTNEED)", fl_madvise(g + PG, 50 * PG, MADV_DONTNEED));
    delta("MADV_DONTNEED 50 pages");
    fl_munmap(g, 102 * PG);
    delta("munmap all 102");

    long b = fl_brk(0);
    long b2 = (b + 10 * (long)PG + (long)PG - 1) & (long)PAGE_MASK;
    fl_brk((void *)b2);
    delta("brk up to 10 pages");
    for (long a = (b + (long)PG - 1) & (long)PAGE_MASK; a < b2; a += (long)PG)
        ((volatile char *)a)[0] = 1;
    delta("touch the new whole brk pages");

    char *sh = (char *)fl_mmap(0, 10 * PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    delta("mmap 10 pages MAP_SHARED|MAP_ANONYMOUS");
    for (unsigned long i = 0; i < 10; i++)
        ((volatile char *)sh)[i * PG] = 1;
    delta("write them");

    /* fork: the child's counters right after fork */
    long before[NK];
    snap(before);
    snap(before);
    fl_flush();
    long pid = fl_fork();
    if (pid == 0) {
        long c[NK];
        snap(c);
        fl_printf("child: RssAnon equals the parent's at fork: %s\n", fl_yn(c[3] == before[3]));
        fl_printf("child: VmSize equals the parent's at fork: %s\n", fl_yn(c[0] == before[0]));
        fl_printf("child: VmData equals the parent's at fork: %s\n", fl_yn(c[1] == before[1]));
        fl_printf("child: RssShmem right after fork: %ld kB\n", c[5]);
        for (unsigned long i = 0; i < 10; i++)
            s += ((volatile char *)sh)[i * PG];
        long d[NK];
        snap(d);
        fl_printf("child: RssShmem after reading the shared pages: %ld kB\n", d[5]);
        fl_exit(0);
    }
    int st = 0;
    fl_wait4(pid, &st, 0);
    fl_print_status("child", st);
    snap(cur);
    fl_printf("parent: RssAnon unchanged by the fork: %s\n", fl_yn(cur[3] == before[3]));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fl_printf("usage: proc_maps maps|status\n");
        return 2;
    }
    fl_printf("proc_maps %s\n", argv[1]);
    if (!strcmp(argv[1], "maps"))
        return case_maps(argv[0]);
    if (!strcmp(argv[1], "status"))
        return case_status();
    fl_printf("unknown case\n");
    return 2;
}
