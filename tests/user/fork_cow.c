/*
 * fork_cow.c - fork and copy-on-write (linux-mm-spec.md §2.4, §4.7
 * do_wp_page), shared anonymous memory across fork, and wait4 statuses.
 * One case per run:
 *
 *   fork_cow CASE
 *
 *   isolation     .data, .bss, brk heap, anonymous mmap and stack, each
 *                 written before fork: pages the parent writes after fork
 *                 still read the old value in the child (handshake through
 *                 a MAP_SHARED page), pages the child writes are unchanged
 *                 in the parent; getpid/getppid/fork return values
 *   three-way     parent + 2 children write their own tag into the same 12
 *                 COW pages at the same time; 4 pages nobody writes; then the
 *                 parent, alone again, writes the rest (reuse)
 *   chain         fork chain of depth 5: each level checks what it
 *                 inherited, writes its own page, forks, checks the child's
 *                 exit code (wait4) and that its own values are intact
 *   shared        MAP_SHARED|MAP_ANONYMOUS: pre-fork and post-fork writes,
 *                 pages first touched after fork, visible both ways
 *   ro-private    private anonymous memory made read-only before fork, and
 *                 a private read-only mapping of the program file: correct
 *                 in both; mprotect(RW) + write in the child must copy
 *   zero-pages    private memory only read (zero page) or never touched
 *                 before fork stays zero in the other process
 *   big           touch 160 MiB (of a 256 MiB guest), fork, the child writes
 *                 a few pages, the parent then rewrites every page
 *   wait-exit     exit(7) and exit_group(263) -> WIFEXITED, WEXITSTATUS 7
 *   wait-signal   null dereference -> WTERMSIG 11, kill(SIGKILL) -> 9,
 *                 kill(self, SIGUSR1) -> 10
 *   wait-nohang   WNOHANG while the child runs -> 0, then blocking wait4
 *   wait-nochild  wait4 without children -> ECHILD
 *   wait-pid      wait4(pid) picks that child even if another one is a
 *                 zombie; wait4(-1, NULL, 0); non-child pid -> ECHILD
 *   wait-efault   wait4 with a bad status pointer: EFAULT, and the child is
 *                 reaped anyway (Linux copies the status out after reaping)
 *
 * Output is written only by one task at a time: a child prints and exits
 * before the parent, which waits for it, prints again.  Every fork is
 * preceded by fl_flush() so no buffered text is inherited.
 *
 * Host notes: wait-efault - Linux 6.18 (kernel_wait4) reaps the child
 * first and then fails the put_user of the status with EFAULT; a second
 * wait4 finds no child (ECHILD).  WCOREDUMP is not printed (it depends on
 * RLIMIT_CORE and core_pattern).
 */
#include "fl_task.h"

#define PG PAGE_SIZE
#define WPP (PG / sizeof(unsigned long)) /* words per page */

static volatile int *sync_page; /* MAP_SHARED handshake page */

static void map_sync(void)
{
    long r = fl_mmap(0, PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (fl_is_err(r)) {
        fl_printf("mmap(MAP_SHARED|MAP_ANONYMOUS): %s\n", fl_errname(r));
        fl_exit(1);
    }
    sync_page = (volatile int *)r;
}

static long do_fork(void)
{
    fl_flush();
    long pid = fl_fork();
    if (fl_is_err(pid)) {
        fl_printf("fork: %s\n", fl_err(pid));
        fl_exit(1);
    }
    return pid;
}

static int wait_child(long pid, const char *label)
{
    int st = -1;
    long r = fl_wait4(pid, &st, 0);
    if (r != pid) {
        fl_printf("%s: wait4 returned %s\n", label, fl_is_err(r) ? fl_err(r) : "another pid");
        return -1;
    }
    fl_print_status(label, st);
    return st;
}

/* ---------------------------------------------------------------- isolation */

static unsigned long data_arr[2 * WPP] __attribute__((aligned(4096))) = {1};
static unsigned long bss_arr[2 * WPP] __attribute__((aligned(4096)));

enum { NREG = 5 };
static const char *const reg_name[NREG] = {".data", ".bss", "heap", "mmap", "stack"};

/* value of word w of page half h (0: the parent writes it, 1: the child) */
static unsigned long val(int gen, int reg, int h, unsigned long w)
{
    return ((unsigned long)gen << 40) ^ ((unsigned long)reg << 32) ^ ((unsigned long)h << 24) ^ (w * 2654435761UL);
}

static void fill(unsigned long *const reg[NREG], int h, int gen)
{
    for (int r = 0; r < NREG; r++)
        for (unsigned long w = 0; w < WPP; w++)
            reg[r][h * WPP + w] = val(gen, r, h, w);
}

/* number of words of half h of region r that do not hold generation gen */
static unsigned long bad(unsigned long *const reg[NREG], int r, int h, int gen)
{
    unsigned long n = 0;
    for (unsigned long w = 0; w < WPP; w++)
        if (((volatile unsigned long *)reg[r])[h * WPP + w] != val(gen, r, h, w))
            n++;
    return n;
}

static int case_isolation(void)
{
    unsigned long stack_arr[2 * WPP] __attribute__((aligned(4096)));
    unsigned long *reg[NREG];
    map_sync();

    long cur = fl_brk(0);
    long want = ((cur + (long)PG - 1) & (long)PAGE_MASK) + 2 * (long)PG;
    long nb = fl_brk((void *)want);
    if (nb < want) {
        fl_printf("brk failed\n");
        return 1;
    }
    unsigned long *heap = (unsigned long *)(want - 2 * (long)PG);
    unsigned long *mm = fl_map(2 * PG, PROT_RW);
    if (!mm)
        return 1;
    reg[0] = data_arr;
    reg[1] = bss_arr;
    reg[2] = heap;
    reg[3] = mm;
    reg[4] = stack_arr;
    FL_HIDE(reg[4]);

    /* generation 1 everywhere before fork */
    fill(reg, 0, 1);
    fill(reg, 1, 1);
    long mypid = fl_getpid();

    long pid = do_fork();
    if (pid == 0) {
        /* child: wait until the parent rewrote half 0 */
        int synced = fl_wait_eq(&sync_page[0], 1, 5000);
        fl_printf("child: fork returned 0\n");
        fl_printf("child: getppid() == parent's getpid(): %s\n", fl_yn(fl_getppid() == mypid));
        fl_printf("child: getpid() != parent's getpid(): %s\n", fl_yn(fl_getpid() != mypid));
        sync_page[1] = (int)fl_getpid();
        fl_printf("child: parent finished its writes: %s\n", fl_yn(synced));
        for (int r = 0; r < NREG; r++)
            fl_printf("child: %s page written by the parent after fork still has the old value: %s\n",
                      reg_name[r], fl_yn(bad(reg, r, 0, 1) == 0));
        /* now write half 1 (generation 3) */
        fill(reg, 1, 3);
        for (int r = 0; r < NREG; r++)
            fl_printf("child: %s own write reads back: %s\n", reg_name[r],
                      fl_yn(bad(reg, r, 1, 3) == 0 && bad(reg, r, 0, 1) == 0));
        fl_exit(0);
    }
    /* parent: rewrite half 0 with generation 2, then let the child look */
    fill(reg, 0, 2);
    sync_page[0] = 1;
    int st = wait_child(pid, "parent: child");
    (void)st;
    fl_printf("parent: fork returned the child's pid: %s\n", fl_yn(sync_page[1] == pid));
    for (int r = 0; r < NREG; r++)
        fl_printf("parent: %s own post-fork write intact: %s, child's write invisible: %s\n", reg_name[r],
                  fl_yn(bad(reg, r, 0, 2) == 0), fl_yn(bad(reg, r, 1, 1) == 0));
    /* alone again: write half 1 (COW reuse or copy, either is fine) */
    fill(reg, 1, 4);
    unsigned long nbad = 0;
    for (int r = 0; r < NREG; r++)
        nbad += bad(reg, r, 1, 4) + bad(reg, r, 0, 2);
    fl_printf("parent: writes after the child exited read back: %s\n", fl_yn(nbad == 0));
    return 0;
}

/* ---------------------------------------------------------------- three-way */

#define TW_PAGES 16
#define TW_WRITTEN 12

static int tw_check(unsigned long *m, unsigned long tag)
{
    int errs = 0;
    for (unsigned long i = 0; i < TW_PAGES; i++) {
        volatile unsigned long *pg = m + i * WPP;
        unsigned long want0 = i < TW_WRITTEN ? (tag << 32 | i) : (0xc0ffeeUL << 32 | i);
        if (pg[0] != want0)
            errs++;
        for (unsigned long w = 1; w < WPP; w += 97)
            if (pg[w] != (0xabcdUL << 32 | (i * WPP + w)))
                errs++;
    }
    return errs;
}

static void tw_write(unsigned long *m, unsigned long tag, int yield)
{
    for (unsigned long i = 0; i < TW_WRITTEN; i++) {
        m[i * WPP] = tag << 32 | i;
        if (yield)
            fl_yield();
    }
}

static int case_three_way(void)
{
    map_sync();
    unsigned long *m = fl_map(TW_PAGES * PG, PROT_RW);
    if (!m)
        return 1;
    for (unsigned long i = 0; i < TW_PAGES; i++) {
        m[i * WPP] = 0xc0ffeeUL << 32 | i;
        for (unsigned long w = 1; w < WPP; w += 97)
            m[i * WPP + w] = 0xabcdUL << 32 | (i * WPP + w);
    }
    long pids[2];
    for (int k = 0; k < 2; k++) {
        pids[k] = do_fork();
        if (pids[k] == 0) {
            fl_atomic_add(&sync_page[0], 1);
            fl_wait_eq(&sync_page[1], 1, 5000); /* go */
            tw_write(m, (unsigned long)(k + 1), 1);
            /* wait until everybody wrote, then check our own view */
            fl_atomic_add(&sync_page[2], 1);
            fl_wait_eq(&sync_page[2], 3, 5000);
            int errs = tw_check(m, (unsigned long)(k + 1));
            fl_exit(errs > 100 ? 100 : errs);
        }
    }
    int ready = fl_wait_eq(&sync_page[0], 2, 5000);
    sync_page[1] = 1;
    tw_write(m, 3, 1);
    fl_atomic_add(&sync_page[2], 1);
    fl_wait_eq(&sync_page[2], 3, 5000);
    int errs = tw_check(m, 3);
    fl_printf("both children started: %s\n", fl_yn(ready));
    wait_child(pids[0], "child 1 (0 = its 16 pages were right)");
    wait_child(pids[1], "child 2 (0 = its 16 pages were right)");
    fl_printf("parent: its 16 pages were right while the children ran: %s\n", fl_yn(errs == 0));
    fl_printf("parent: still right after the children exited: %s\n", fl_yn(tw_check(m, 3) == 0));
    /* sole owner again: write every page, including the 4 never written since fork */
    for (unsigned long i = 0; i < TW_PAGES; i++)
        m[i * WPP] = 4UL << 32 | i;
    int e2 = 0;
    for (unsigned long i = 0; i < TW_PAGES; i++)
        if (m[i * WPP] != (4UL << 32 | i) || m[i * WPP + 1] != (0xabcdUL << 32 | (i * WPP + 1)))
            e2++;
    fl_printf("parent: rewrote all 16 pages after the children exited: %s\n", fl_yn(e2 == 0));
    return 0;
}

/* ---------------------------------------------------------------- chain */

#define CHAIN_DEPTH 5
static unsigned long *chain_mem; /* page k: level k's value; page 6: "current level" */

static int chain_level(int d)
{
    volatile unsigned long *m = chain_mem;
    int inherited_ok = 1;
    for (int k = 0; k < d; k++)
        if (m[k * WPP] != 100UL + (unsigned long)k || m[k * WPP + 1] != 200UL + (unsigned long)k)
            inherited_ok = 0;
    if (d > 0 && m[6 * WPP] != (unsigned long)(d - 1))
        inherited_ok = 0;
    for (int k = d; k <= CHAIN_DEPTH; k++)
        if (m[k * WPP] != 0)
            inherited_ok = 0; /* deeper levels' pages: never written here */
    m[d * WPP] = 100UL + (unsigned long)d;
    m[d * WPP + 1] = 200UL + (unsigned long)d;
    m[6 * WPP] = (unsigned long)d;

    if (d == CHAIN_DEPTH) {
        fl_printf("level %d: inherited values ok: %s (last level)\n", d, fl_yn(inherited_ok));
        fl_flush();
        return inherited_ok ? 10 + d : 100 + d;
    }
    long pid = do_fork();
    if (pid == 0)
        fl_exit(chain_level(d + 1));
    int st = -1;
    long r = fl_wait4(pid, &st, 0);
    int child_ok = r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 10 + d + 1;
    int own_ok = m[d * WPP] == 100UL + (unsigned long)d && m[6 * WPP] == (unsigned long)d &&
                 m[(d + 1) * WPP] == 0;
    fl_printf("level %d: inherited values ok: %s, child exit status %d as expected: %s, own values intact: %s\n",
              d, fl_yn(inherited_ok), WIFEXITED(st) ? WEXITSTATUS(st) : -1, fl_yn(child_ok), fl_yn(own_ok));
    fl_flush();
    return inherited_ok && child_ok && own_ok ? 10 + d : 100 + d;
}

static int case_chain(void)
{
    chain_mem = fl_map(8 * PG, PROT_RW);
    if (!chain_mem)
        return 1;
    int code = chain_level(0);
    fl_printf("chain of %d forks: %s\n", CHAIN_DEPTH, code == 10 ? "ok" : "FAILED");
    return 0;
}

/* ---------------------------------------------------------------- shared */

static int case_shared(void)
{
    long r = fl_mmap(0, 6 * PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (fl_is_err(r)) {
        fl_printf("mmap shared: %s\n", fl_errname(r));
        return 1;
    }
    volatile unsigned long *s = (volatile unsigned long *)r;
    volatile int *flag = (volatile int *)(s + 5 * WPP); /* page 5: handshakes */
    /* page 0 written before fork; pages 1-4 untouched before fork */
    for (unsigned long w = 0; w < WPP; w++)
        s[w] = 0x5a5a0000UL + w;

    long pid = do_fork();
    if (pid == 0) {
        int ok = 1;
        for (unsigned long w = 0; w < WPP; w++)
            if (s[w] != 0x5a5a0000UL + w)
                ok = 0;
        fl_printf("child: sees the pre-fork contents: %s\n", fl_yn(ok));
        fl_printf("child: page untouched before fork reads zero: %s\n", fl_yn(s[4 * WPP] == 0));
        s[1 * WPP] = 0x1111;        /* first touch of page 1 is in the child */
        s[0 * WPP + 7] = 0xc0c0;    /* overwrite a pre-fork value */
        flag[0] = 1;                /* tell the parent */
        int got = fl_wait_eq(&flag[1], 1, 5000); /* parent wrote page 2 */
        fl_printf("child: parent's signal arrived through the shared page: %s\n", fl_yn(got));
        fl_printf("child: sees the parent's post-fork write to page 2: %s\n", fl_yn(s[2 * WPP] == 0x2222));
        fl_printf("child: sees the parent's overwrite in page 0: %s\n", fl_yn(s[8] == 0xd0d0));
        s[3 * WPP + 5] = 0x3333;    /* another first touch by the child, after the parent's */
        fl_munmap((void *)(s + 4 * WPP), PG); /* must not affect the parent */
        fl_exit(0);
    }
    int got = fl_wait_eq(&flag[0], 1, 5000);
    int seen1 = s[1 * WPP] == 0x1111 && s[7] == 0xc0c0;
    s[2 * WPP] = 0x2222; /* first touch of page 2 is in the parent */
    s[8] = 0xd0d0;
    s[3 * WPP] = 0x3030;
    flag[1] = 1;
    wait_child(pid, "child");
    fl_printf("parent: child's signal arrived through the shared page: %s\n", fl_yn(got));
    fl_printf("parent: saw the child's writes while it ran: %s\n", fl_yn(seen1));
    fl_printf("parent: child's write to page 3 visible after exit: %s\n",
              fl_yn(s[3 * WPP + 5] == 0x3333 && s[3 * WPP] == 0x3030));
    s[4 * WPP + 1] = 0x4444;
    fl_printf("parent: page 4 still mapped after the child unmapped it: %s\n", fl_yn(s[4 * WPP + 1] == 0x4444));
    int ok = 1;
    for (unsigned long w = 0; w < WPP; w++)
        if (w != 7 && w != 8 && s[w] != 0x5a5a0000UL + w)
            ok = 0;
    fl_printf("parent: rest of page 0 unchanged: %s\n", fl_yn(ok));
    return 0;
}

/* ---------------------------------------------------------------- ro-private */

static int case_ro_private(const char *self)
{
    unsigned long *ro = fl_map(4 * PG, PROT_RW);
    if (!ro)
        return 1;
    for (unsigned long w = 0; w < 4 * WPP; w++)
        ro[w] = 0x7e57UL << 32 | w;
    fl_check("mprotect(anon, PROT_READ) before fork", fl_mprotect(ro, 4 * PG, PROT_READ));

    /* a private read-only mapping of the program file, and the same bytes via read() */
    static unsigned char filebuf[2 * PG];
    const unsigned char *fm = 0;
    long fd = fl_open(self, O_RDONLY);
    fl_check("open(program)", fd);
    if (!fl_is_err(fd)) {
        long n = 0, r;
        while (n < (long)sizeof filebuf && (r = fl_read((int)fd, filebuf + n, sizeof filebuf - (size_t)n)) > 0)
            n += r;
        fl_printf("read first 2 pages of the program: %s\n", fl_yn(n == (long)sizeof filebuf));
        long m = fl_mmap(0, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
        fl_check("mmap(program, PROT_READ, MAP_PRIVATE)", m);
        if (!fl_is_err(m))
            fm = (const unsigned char *)m;
        fl_close(fd);
    }
    if (fm)
        fl_printf("file mapping starts with ELF magic: %s\n",
                  fl_yn(fm[0] == 0x7f && fm[1] == 'E' && fm[2] == 'L' && fm[3] == 'F'));

    long pid = do_fork();
    if (pid == 0) {
        int ok = 1;
        for (unsigned long w = 0; w < 4 * WPP; w++)
            if (((volatile unsigned long *)ro)[w] != (0x7e57UL << 32 | w))
                ok = 0;
        fl_printf("child: read-only anonymous pages correct: %s\n", fl_yn(ok));
        if (fm)
            fl_printf("child: file mapping equals read() data: %s\n", fl_yn(!memcmp(fm, filebuf, sizeof filebuf)));
        fl_check("child: mprotect(anon, RW)", fl_mprotect(ro, 4 * PG, PROT_RW));
        ro[0] = 0xdead;
        ro[WPP + 3] = 0xbeef;
        fl_printf("child: its writes read back: %s\n", fl_yn(ro[0] == 0xdead && ro[WPP + 3] == 0xbeef));
        fl_printf("child: untouched page 2 still correct: %s\n", fl_yn(ro[2 * WPP + 9] == (0x7e57UL << 32 | (2 * WPP + 9))));
        fl_exit(0);
    }
    wait_child(pid, "child");
    int ok = 1;
    for (unsigned long w = 0; w < 4 * WPP; w++)
        if (((volatile unsigned long *)ro)[w] != (0x7e57UL << 32 | w))
            ok = 0;
    fl_printf("parent: read-only pages unchanged by the child's writes: %s\n", fl_yn(ok));
    if (fm)
        fl_printf("parent: file mapping still equals read() data: %s\n", fl_yn(!memcmp(fm, filebuf, sizeof filebuf)));
    fl_check("parent: mprotect(anon, RW)", fl_mprotect(ro, 4 * PG, PROT_RW));
    ro[2 * WPP] = 0x1234;
    fl_printf("parent: write after mprotect reads back, rest intact: %s\n",
              fl_yn(ro[2 * WPP] == 0x1234 && ro[0] == (0x7e57UL << 32) && ro[WPP + 3] == (0x7e57UL << 32 | (WPP + 3))));
    return 0;
}

/* ---------------------------------------------------------------- zero-pages */

static int all_zero(const unsigned long *p, unsigned long words)
{
    for (unsigned long w = 0; w < words; w++)
        if (((const volatile unsigned long *)p)[w])
            return 0;
    return 1;
}

static int case_zero_pages(void)
{
    map_sync();
    /* pages 0-7: read before fork (zero page); pages 8-11: never touched */
    unsigned long *z = fl_map(12 * PG, PROT_RW);
    if (!z)
        return 1;
    fl_printf("read before fork: zero: %s\n", fl_yn(all_zero(z, 8 * WPP)));

    long pid = do_fork();
    if (pid == 0) {
        fl_printf("child: all 12 pages zero: %s\n", fl_yn(all_zero(z, 12 * WPP)));
        for (unsigned long i = 0; i < 4; i++)
            z[i * WPP + i] = 0x100 + i; /* zero-page COW */
        z[8 * WPP] = 0x108;             /* untouched page, first write in the child */
        int got = fl_wait_eq(&sync_page[0], 1, 5000);
        fl_printf("child: parent done: %s\n", fl_yn(got));
        int ok = 1;
        for (unsigned long i = 0; i < 4; i++)
            if (z[i * WPP + i] != 0x100 + i)
                ok = 0;
        fl_printf("child: own writes read back: %s\n", fl_yn(ok && z[8 * WPP] == 0x108));
        fl_printf("child: pages the parent wrote are still zero here: %s\n",
                  fl_yn(all_zero(z + 4 * WPP, 2 * WPP) && all_zero(z + 9 * WPP, WPP)));
        fl_printf("child: other pages zero: %s\n",
                  fl_yn(all_zero(z + 6 * WPP, 2 * WPP) && all_zero(z + 10 * WPP, 2 * WPP)));
        fl_exit(0);
    }
    z[4 * WPP] = 0x204;
    z[5 * WPP + 100] = 0x205;
    z[9 * WPP] = 0x209;
    sync_page[0] = 1;
    wait_child(pid, "child");
    fl_printf("parent: pages the child wrote are still zero here: %s\n",
              fl_yn(all_zero(z, 4 * WPP) && all_zero(z + 8 * WPP, WPP)));
    fl_printf("parent: own writes read back: %s\n",
              fl_yn(z[4 * WPP] == 0x204 && z[5 * WPP + 100] == 0x205 && z[9 * WPP] == 0x209));
    fl_printf("parent: other pages zero: %s\n",
              fl_yn(all_zero(z + 6 * WPP, 2 * WPP) && all_zero(z + 10 * WPP, 2 * WPP)));
    return 0;
}

/* ---------------------------------------------------------------- big */

#define BIG_MB 160
#define BIG_PAGES (BIG_MB * 256UL)

static unsigned long big_val(unsigned long i, unsigned long gen)
{
    return (i * 0x9e3779b97f4a7c15UL) ^ (gen << 56);
}

static int case_big(void)
{
    unsigned long *b = fl_map(BIG_PAGES * PG, PROT_RW);
    if (!b)
        return 1;
    for (unsigned long i = 0; i < BIG_PAGES; i++)
        b[i * WPP + (i & 511)] = big_val(i, 1);
    fl_printf("touched %d MiB\n", BIG_MB);

    long pid = do_fork();
    if (pid == 0) {
        int ok = 1;
        for (unsigned long i = 0; i < BIG_PAGES; i += 641)
            if (b[i * WPP + (i & 511)] != big_val(i, 1))
                ok = 0;
        fl_printf("child: sampled pages inherited correctly: %s\n", fl_yn(ok));
        for (unsigned long i = 0; i < BIG_PAGES; i += BIG_PAGES / 16)
            b[i * WPP + (i & 511)] = big_val(i, 2);
        ok = 1;
        for (unsigned long i = 0; i < BIG_PAGES; i += BIG_PAGES / 16)
            if (b[i * WPP + (i & 511)] != big_val(i, 2) || b[i * WPP + ((i + 1) & 511)] != 0)
                ok = 0;
        fl_printf("child: wrote 16 pages, they read back: %s\n", fl_yn(ok));
        fl_exit(0);
    }
    wait_child(pid, "child");
    unsigned long badn = 0;
    for (unsigned long i = 0; i < BIG_PAGES; i++)
        if (b[i * WPP + (i & 511)] != big_val(i, 1))
            badn++;
    fl_printf("parent: all %lu pages unchanged by the child: %s\n", BIG_PAGES, fl_yn(badn == 0));
    for (unsigned long i = 0; i < BIG_PAGES; i++)
        b[i * WPP + (i & 511)] = big_val(i, 3);
    badn = 0;
    for (unsigned long i = 0; i < BIG_PAGES; i++)
        if (b[i * WPP + (i & 511)] != big_val(i, 3) || b[i * WPP + ((i + 7) & 511)] != 0)
            badn++;
    fl_printf("parent: rewrote all pages after the child exited: %s\n", fl_yn(badn == 0));
    fl_check("munmap 160 MiB", fl_munmap(b, BIG_PAGES * PG));
    return 0;
}

/* ---------------------------------------------------------------- wait4 */

static void show_status(const char *label, long pid, long r, int st)
{
    fl_printf("%s: wait4 returned the child's pid: %s\n", label, fl_yn(r == pid));
    fl_printf("%s: WIFEXITED %s", label, fl_yn(WIFEXITED(st)));
    if (WIFEXITED(st))
        fl_printf(", WEXITSTATUS %d", WEXITSTATUS(st));
    fl_printf(", WIFSIGNALED %s", fl_yn(WIFSIGNALED(st)));
    if (WIFSIGNALED(st))
        fl_printf(", WTERMSIG %d", WTERMSIG(st));
    fl_printf("\n");
}

static int case_wait_exit(void)
{
    long pid = do_fork();
    if (pid == 0)
        fl_exit_thread(7); /* SYS_exit */
    int st = -1;
    long r = fl_wait4(pid, &st, 0);
    show_status("exit(7)", pid, r, st);

    pid = do_fork();
    if (pid == 0)
        fl_exit(263); /* exit_group: only the low 8 bits survive */
    st = -1;
    r = fl_wait4(-1, &st, 0);
    show_status("exit_group(263)", pid, r, st);

    pid = do_fork();
    if (pid == 0)
        fl_exit(0);
    st = -1;
    r = fl_wait4(pid, &st, 0);
    show_status("exit_group(0)", pid, r, st);
    fl_printf("raw status of exit(0) is 0: %s\n", fl_yn(st == 0));
    return 0;
}

static int case_wait_signal(void)
{
    map_sync();
    long pid = do_fork();
    if (pid == 0) {
        volatile int *p = 0;
        FL_HIDE(p);
        *p = 1;
        fl_say("child survived the null write\n");
        fl_exit(1);
    }
    int st = -1;
    long r = fl_wait4(pid, &st, 0);
    show_status("null write", pid, r, st);

    pid = do_fork();
    if (pid == 0) {
        sync_page[0] = 1;
        for (;;)
            fl_yield();
    }
    fl_wait_eq(&sync_page[0], 1, 5000);
    fl_check("kill(child, SIGKILL)", fl_kill(pid, SIGKILL));
    st = -1;
    r = fl_wait4(pid, &st, 0);
    show_status("SIGKILL", pid, r, st);

    pid = do_fork();
    if (pid == 0) {
        fl_kill(fl_getpid(), SIGUSR1);
        fl_say("child survived SIGUSR1\n");
        fl_exit(1);
    }
    st = -1;
    r = fl_wait4(pid, &st, 0);
    show_status("kill(self, SIGUSR1)", pid, r, st);
    r = fl_kill(pid, 0);
    fl_printf("kill(reaped child, 0): %s\n", fl_is_err(r) ? fl_err(r) : "ok");
    return 0;
}

static int case_wait_nohang(void)
{
    map_sync();
    long pid = do_fork();
    if (pid == 0) {
        sync_page[0] = 1;
        fl_wait_eq(&sync_page[1], 1, 5000); /* run until the parent says stop */
        fl_exit(3);
    }
    fl_wait_eq(&sync_page[0], 1, 5000);
    int st = 12345;
    long r = fl_wait4(pid, &st, WNOHANG);
    fl_check_val("wait4(child, WNOHANG) while it runs", r);
    fl_printf("status left alone: %s\n", fl_yn(st == 12345));
    r = fl_wait4(-1, &st, WNOHANG);
    fl_check_val("wait4(-1, WNOHANG) while it runs", r);
    sync_page[1] = 1;
    r = fl_wait4(-1, &st, 0);
    show_status("blocking wait4(-1)", pid, r, st);
    r = fl_wait4(-1, &st, WNOHANG);
    fl_printf("wait4(-1, WNOHANG) after it was reaped: %s\n", fl_is_err(r) ? fl_err(r) : "a pid");
    return 0;
}

static int case_wait_nochild(void)
{
    int st = 0;
    long r = fl_wait4(-1, &st, 0);
    fl_printf("wait4(-1) without children: %s\n", fl_is_err(r) ? fl_err(r) : "a pid");
    r = fl_wait4(-1, &st, WNOHANG);
    fl_printf("wait4(-1, WNOHANG) without children: %s\n", fl_is_err(r) ? fl_err(r) : "a pid");
    r = fl_wait4(fl_getpid(), &st, 0);
    fl_printf("wait4(own pid): %s\n", fl_is_err(r) ? fl_err(r) : "a pid");
    r = fl_wait4(4000000, &st, 0);
    fl_printf("wait4(4000000): %s\n", fl_is_err(r) ? fl_err(r) : "a pid");
    return 0;
}

static int case_wait_pid(void)
{
    map_sync();
    long a = do_fork();
    if (a == 0) {
        fl_wait_eq(&sync_page[1], 1, 5000);
        fl_exit(1);
    }
    long b = do_fork();
    if (b == 0) {
        sync_page[0] = 1;
        fl_exit(2);
    }
    fl_wait_eq(&sync_page[0], 1, 5000);
    fl_sleep_ms(50); /* let b become a zombie */
    int st = 777;
    long r = fl_wait4(a, &st, WNOHANG);
    fl_printf("wait4(a, WNOHANG) while a runs and b is done: %s\n",
              r == 0 ? "0" : fl_is_err(r) ? fl_err(r) : r == b ? "b's pid" : "another pid");
    sync_page[1] = 1;
    r = fl_wait4(a, &st, 0);
    show_status("wait4(a)", a, r, st);
    r = fl_wait4(-1, 0, 0);
    fl_printf("wait4(-1, NULL, 0) returned b's pid: %s\n", fl_yn(r == b));
    r = fl_wait4(b, &st, 0);
    fl_printf("wait4(b) again: %s\n", fl_is_err(r) ? fl_err(r) : "a pid");
    r = fl_wait4(-1, &st, 0);
    fl_printf("wait4(-1) with no children left: %s\n", fl_is_err(r) ? fl_err(r) : "a pid");
    return 0;
}

static int case_wait_efault(void)
{
    long pid = do_fork();
    if (pid == 0)
        fl_exit(5);
    fl_sleep_ms(50);
    long r = fl_wait4(pid, (int *)8, 0);
    fl_printf("wait4(child, status=(int *)8): %s\n", fl_is_err(r) ? fl_err(r) : "a pid");
    int st = 0;
    r = fl_wait4(pid, &st, 0);
    fl_printf("wait4(child) again: %s\n", fl_is_err(r) ? fl_err(r) : r == pid ? "the child's pid" : "a pid");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fl_printf("usage: fork_cow CASE\n");
        return 2;
    }
    const char *c = argv[1];
    fl_printf("fork_cow %s\n", c);
    if (!strcmp(c, "isolation"))
        return case_isolation();
    if (!strcmp(c, "three-way"))
        return case_three_way();
    if (!strcmp(c, "chain"))
        return case_chain();
    if (!strcmp(c, "shared"))
        return case_shared();
    if (!strcmp(c, "ro-private"))
        return case_ro_private(argv[0]);
    if (!strcmp(c, "zero-pages"))
        return case_zero_pages();
    if (!strcmp(c, "big"))
        return case_big();
    if (!strcmp(c, "wait-exit"))
        return case_wait_exit();
    if (!strcmp(c, "wait-signal"))
        return case_wait_signal();
    if (!strcmp(c, "wait-nohang"))
        return case_wait_nohang();
    if (!strcmp(c, "wait-nochild"))
        return case_wait_nochild();
    if (!strcmp(c, "wait-pid"))
        return case_wait_pid();
    if (!strcmp(c, "wait-efault"))
        return case_wait_efault();
    fl_printf("unknown case\n");
    return 2;
}
