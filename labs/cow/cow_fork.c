/*
 * cow_fork.c - fork's copy-on-write seen from user space, for the cow lab
 * (labs/cow/README.md).  No libc: the runtime of tests/user (crt0.S,
 * ulib.c, fl_user.h).  Runs on the host Linux too, which gives the
 * expected output; tools/grade.py compares.
 *
 *   cow_fork CASE     CASE is one of the names in cases[] below
 *
 * Each case forks, lets one side write, and checks that the other side
 * still sees the old bytes.  Output is deterministic: the parent prints
 * only before fork and after wait4, the child only while the parent waits
 * (or spins on a shared flag), and each flushes before the other runs.
 * Every process exits 0 when all its checks passed.
 */
#include "fl_user.h"

#define SYS_sched_yield 24
#define SYS_fork        57
#define SYS_wait4       61

#define PG PAGE_SIZE
#define NPAGES 8

static long fork_(void) { return fl_syscall0(SYS_fork); }
static void yield_(void) { fl_syscall0(SYS_sched_yield); }

/* Wait for the child; its exit code, or 128+signal, or -1 if wait4 failed. */
static int reap(long pid)
{
    int status = 0;
    if (fl_syscall6(SYS_wait4, pid, (long)&status, 0, 0, 0, 0) != pid)
        return -1;
    if (status & 0x7f)
        return 128 + (status & 0x7f);
    return (status >> 8) & 0xff;
}

static int failures;

static void yesno(const char *who, const char *what, int ok)
{
    fl_printf("%s: %s: %s\n", who, what, ok ? "yes" : "no");
    failures += !ok;
}

static void fill(unsigned char *p, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (unsigned char)(seed + i * 7 + i / PG);
}

/* Does p[from, to) hold the pattern fill(p, ..., seed) wrote there? */
static int holds_range(const unsigned char *p, size_t from, size_t to, unsigned seed)
{
    for (size_t i = from; i < to; i++)
        if (p[i] != (unsigned char)(seed + i * 7 + i / PG))
            return 0;
    return 1;
}

static int holds(const unsigned char *p, size_t len, unsigned seed) { return holds_range(p, 0, len, seed); }

static unsigned char *map(size_t len, long prot, long flags)
{
    long r = fl_mmap(0, len, prot, flags | MAP_ANONYMOUS, -1, 0);
    if (fl_is_err(r)) {
        fl_printf("mmap: %s\n", fl_errname(r));
        fl_exit(2);
    }
    return (unsigned char *)r;
}

/* Fork; the child runs fn and exits with 0 if its checks passed.  Returns the child's status. */
static int run_child(void (*fn)(void *), void *arg)
{
    fl_flush(); /* nothing buffered may be printed twice */
    long pid = fork_();
    if (pid < 0) {
        fl_printf("fork: %s\n", fl_errname(pid));
        fl_exit(2);
    }
    if (pid == 0) {
        failures = 0;
        fn(arg);
        fl_exit(failures ? 1 : 0);
    }
    return reap(pid);
}

static void report_child(int status)
{
    fl_printf("parent: child exited with status %d\n", status);
    failures += status != 0;
}

/* ---- private: the child writes; the parent must not see it ---- */
static void private_child(void *arg)
{
    unsigned char *p = arg;
    yesno("child", "sees the parent's data after fork", holds(p, NPAGES * PG, 1));
    fill(p, NPAGES / 2 * PG, 2); /* the first half: a private copy of each page */
    yesno("child", "reads back its own writes", holds(p, NPAGES / 2 * PG, 2));
    yesno("child", "untouched half still the parent's data", holds_range(p, NPAGES / 2 * PG, NPAGES * PG, 1));
}

static void case_private(void)
{
    unsigned char *p = map(NPAGES * PG, PROT_RW, MAP_PRIVATE);
    fill(p, NPAGES * PG, 1);
    report_child(run_child(private_child, p));
    yesno("parent", "data unchanged after the child wrote", holds(p, NPAGES * PG, 1));
    fill(p, NPAGES * PG, 3); /* now the only owner: writes in place */
    yesno("parent", "can still write all of it", holds(p, NPAGES * PG, 3));
}

/* ---- parent-first: the parent writes while the child still has to read ---- */
struct pf { unsigned char *priv; volatile unsigned long *flag; };

static void parent_first_child(void *arg)
{
    struct pf *s = arg;
    while (*s->flag != 1)
        yield_();
    yesno("child", "still sees the data as it was at fork", holds(s->priv, NPAGES * PG, 4));
    *s->flag = 2;
}

static void case_parent_first(void)
{
    struct pf s = { map(NPAGES * PG, PROT_RW, MAP_PRIVATE), (volatile unsigned long *)map(PG, PROT_RW, MAP_SHARED) };
    fill(s.priv, NPAGES * PG, 4);
    fl_flush();
    long pid = fork_();
    if (pid == 0) {
        failures = 0;
        parent_first_child(&s);
        fl_exit(failures ? 1 : 0);
    }
    fill(s.priv, NPAGES * PG, 5); /* before the child looks */
    *s.flag = 1;
    int status = reap(pid);
    report_child(status);
    yesno("parent", "child saw the flag (MAP_SHARED is shared)", *s.flag == 2);
    yesno("parent", "sees its own writes", holds(s.priv, NPAGES * PG, 5));
}

/* ---- globals: .data and .bss are private too ---- */
static unsigned long counter = 41;      /* .data */
static unsigned char table[3 * PG];     /* .bss */

static void globals_child(void *arg)
{
    (void)arg;
    yesno("child", ".data value inherited", counter == 42);
    yesno("child", ".bss contents inherited", table[0] == 9 && table[PG] == 0 && table[2 * PG + 5] == 7);
    counter = 1000;
    memset(table, 0x33, sizeof table);
    yesno("child", "its own writes stick", counter == 1000 && table[PG] == 0x33);
}

static void case_globals(void)
{
    counter++;
    table[0] = 9;
    table[2 * PG + 5] = 7; /* table[PG..2PG) never touched: the zero page, or nothing */
    report_child(run_child(globals_child, 0));
    yesno("parent", ".data unchanged", counter == 42);
    yesno("parent", ".bss unchanged", table[0] == 9 && table[PG] == 0 && table[2 * PG + 5] == 7);
}

/* ---- zero: pages only read before fork (the zero page) ---- */
static void zero_child(void *arg)
{
    unsigned char *p = arg;
    yesno("child", "untouched pages read zero", p[0] == 0 && p[PG + 17] == 0 && p[3 * PG - 1] == 0);
    memset(p, 0x5a, 2 * PG);
    yesno("child", "its writes to them stick", p[0] == 0x5a && p[2 * PG - 1] == 0x5a);
}

static void case_zero(void)
{
    unsigned char *p = map(3 * PG, PROT_RW, MAP_PRIVATE);
    volatile unsigned char sink = p[0] + p[PG] + p[2 * PG]; /* read faults only */
    (void)sink;
    report_child(run_child(zero_child, p));
    yesno("parent", "still reads zero", p[0] == 0 && p[2 * PG - 1] == 0 && p[3 * PG - 1] == 0);
    p[PG] = 1;
    yesno("parent", "can write after the child exited", p[PG] == 1 && p[PG + 1] == 0);
}

/* ---- shared: MAP_SHARED stays shared across fork, both ways ---- */
static void shared_child(void *arg)
{
    unsigned char *p = arg;
    yesno("child", "sees the parent's data", holds(p, 2 * PG, 6));
    fill(p, 2 * PG, 7);
}

static void case_shared(void)
{
    unsigned char *p = map(2 * PG, PROT_RW, MAP_SHARED);
    fill(p, 2 * PG, 6);
    report_child(run_child(shared_child, p));
    yesno("parent", "sees the child's writes", holds(p, 2 * PG, 7));
}

/* ---- readonly: a private page made read-only before fork, writable again in the child ---- */
static void readonly_child(void *arg)
{
    unsigned char *p = arg;
    yesno("child", "can read the read-only page", holds(p, PG, 8));
    fl_check("child: mprotect read-write", fl_mprotect(p, PG, PROT_RW));
    fill(p, PG, 9);
    yesno("child", "writes after mprotect stick", holds(p, PG, 9));
}

static void case_readonly(void)
{
    unsigned char *p = map(PG, PROT_RW, MAP_PRIVATE);
    fill(p, PG, 8);
    fl_check("parent: mprotect read-only", fl_mprotect(p, PG, PROT_READ));
    report_child(run_child(readonly_child, p));
    yesno("parent", "page unchanged", holds(p, PG, 8));
    fl_check("parent: mprotect read-write", fl_mprotect(p, PG, PROT_RW));
    p[0] = 1;
    yesno("parent", "can write it again", p[0] == 1 && p[1] == (unsigned char)(8 + 7));
}

/* ---- chain: three generations share a page until each writes ---- */
static void grandchild(void *arg)
{
    unsigned char *p = arg;
    yesno("grandchild", "sees the child's value", p[100] == 2);
    p[100] = 3;
}

static void chain_child(void *arg)
{
    unsigned char *p = arg;
    yesno("child", "sees the parent's value", p[100] == 1);
    p[100] = 2;
    int status = run_child(grandchild, p);
    fl_printf("child: grandchild exited with status %d\n", status);
    failures += status != 0;
    yesno("child", "keeps its value", p[100] == 2);
}

static void case_chain(void)
{
    unsigned char *p = map(PG, PROT_RW, MAP_PRIVATE);
    p[100] = 1;
    report_child(run_child(chain_child, p));
    yesno("parent", "keeps its value", p[100] == 1);
}

/* ---- many: a bigger region, children writing every other page ---- */
static void many_child(void *arg)
{
    unsigned char *p = arg;
    int ok = 1;
    for (int i = 0; i < 256; i += 2)
        p[i * PG + 1] = 0xee;
    for (int i = 0; i < 256; i++)
        ok &= p[i * PG + 1] == (i % 2 ? (unsigned char)i : 0xee);
    yesno("child", "256 pages: its writes and the parent's data", ok);
}

static void case_many(void)
{
    unsigned char *p = map(256 * PG, PROT_RW, MAP_PRIVATE);
    for (int i = 0; i < 256; i++)
        p[i * PG + 1] = (unsigned char)i;
    for (int round = 0; round < 3; round++)
        report_child(run_child(many_child, p));
    int ok = 1;
    for (int i = 0; i < 256; i++)
        ok &= p[i * PG + 1] == (unsigned char)i;
    yesno("parent", "256 pages unchanged after three children", ok);
}

static const struct { const char *name; void (*fn)(void); } cases[] = {
    { "private", case_private },   { "parent-first", case_parent_first },
    { "globals", case_globals },   { "zero", case_zero },
    { "shared", case_shared },     { "readonly", case_readonly },
    { "chain", case_chain },       { "many", case_many },
};

int main(int argc, char **argv)
{
    const char *c = argc > 1 ? argv[1] : "";
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!strcmp(c, cases[i].name)) {
            cases[i].fn();
            fl_printf("%s: %s\n", c, failures ? "FAILED" : "passed");
            return failures ? 1 : 0;
        }
    }
    fl_printf("usage: cow_fork CASE (private, parent-first, globals, zero, shared, readonly, chain, many)\n");
    return 2;
}
