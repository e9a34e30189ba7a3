/*
 * stress.c - many processes and threads faulting the same copy-on-write
 * pages at once (linux-mm-spec.md §4.7 do_wp_page: copy vs reuse, the PTE
 * recheck under the lock when two threads of one mm fault the same page).
 *
 *   stress
 *
 * The parent fills a 256-page private array, then forks 8 children.  Each
 * child runs 2 threads (main + 1 clone) that update random pages of the
 * array (each thread its own word of every page, so both threads of a
 * process keep hitting the same pages: concurrent COW faults in one mm),
 * with sched_yield now and then.  Then each child forks a grandchild and
 * both run a second single-threaded round on the now private pages (COW
 * again, between child and grandchild).  The parent runs its own round
 * meanwhile.  Every word's final value is predictable: each writer replays
 * its random sequence into a private tally and compares.  Results go
 * through a MAP_SHARED page; only the parent prints, after all waits.
 *
 * Host notes: about 40 ms on the host.
 */
#include "fl_task.h"

#define PG PAGE_SIZE
#define WPP (PG / sizeof(unsigned long))
#define NPROC 8
#define NPAGES 256
#define ITERS1 4000  /* per thread, round 1 */
#define ITERS2 3000  /* child and grandchild, round 2 */
#define W_PAT 0      /* parent's pattern, never written after fork */
#define W_T0 8       /* round-1 words: thread 0, thread 1 (other cache lines) */
#define W_T1 16
#define W_R2 24      /* round-2 word */
#define W_PARENT 32  /* the parent's own round */

static unsigned long *arr;

struct result {
    unsigned long checksum, gc_checksum;
    int errors, gc_errors, gc_status, done;
};
static volatile struct result *res;

static unsigned long pat(unsigned long i, unsigned long w)
{
    return (i * 0x9e3779b97f4a7c15UL) ^ (w << 48) ^ 0x5555;
}

static unsigned long rnd(unsigned long *s)
{
    *s = *s * 6364136223846793005UL + 1442695040888963407UL;
    return *s >> 33;
}

/* update word `w` of random pages, `iters` times; tally[i] counts updates */
static int round_run(unsigned long seed, unsigned long w, unsigned long inc, int iters, unsigned *tally)
{
    unsigned long s = seed;
    int errs = 0;
    for (int k = 0; k < iters; k++) {
        unsigned long i = rnd(&s) % NPAGES;
        volatile unsigned long *pg = arr + i * WPP;
        pg[w] += inc;
        tally[i]++;
        if (pg[W_PAT] != pat(i, W_PAT))
            errs++;
        if ((k & 31) == 31)
            fl_yield();
    }
    return errs;
}

static int verify_word(unsigned long w, unsigned long inc, const unsigned *tally)
{
    int errs = 0;
    for (unsigned long i = 0; i < NPAGES; i++)
        if (((volatile unsigned long *)arr)[i * WPP + w] != pat(i, w) + inc * tally[i])
            errs++;
    return errs;
}

static unsigned long checksum(void)
{
    unsigned long h = 1469598103934665603UL;
    for (unsigned long i = 0; i < NPAGES; i++)
        for (unsigned long w = 0; w < 40; w += 8)
            h = (h ^ arr[i * WPP + w]) * 1099511628211UL;
    return h;
}

/* ---- one child process ---- */

struct targ {
    int proc, t;
    volatile int *go;
    int errs;
    unsigned tally[NPAGES];
};

static int thread_round(void *p)
{
    struct targ *a = p;
    while (!*a->go)
        fl_yield();
    a->errs = round_run(1000UL * (unsigned long)a->proc + (unsigned long)a->t + 1, a->t ? W_T1 : W_T0,
                        (unsigned long)(a->proc * 2 + a->t + 1), ITERS1, a->tally);
    return 0;
}

static void child(int proc)
{
    static struct targ ta[2];
    static volatile int go;
    static struct fl_thread th;
    for (int t = 0; t < 2; t++) {
        ta[t].proc = proc;
        ta[t].t = t;
        ta[t].go = &go;
    }
    int errs = 0;
    if (fl_thread_start(&th, 64 * 1024, thread_round, &ta[1]))
        errs += 1000;
    go = 1;
    thread_round(&ta[0]);
    fl_thread_join(&th);
    errs += ta[0].errs + ta[1].errs;
    errs += verify_word(W_T0, (unsigned long)(proc * 2 + 1), ta[0].tally);
    errs += verify_word(W_T1, (unsigned long)(proc * 2 + 2), ta[1].tally);

    /* round 2: child and grandchild on the same (now private) pages */
    static unsigned tally2[NPAGES];
    long gpid = fl_fork();
    if (gpid == 0) {
        int e = round_run(5000UL + (unsigned long)proc, W_R2, 3, ITERS2, tally2);
        e += verify_word(W_R2, 3, tally2);
        e += verify_word(W_T0, (unsigned long)(proc * 2 + 1), ta[0].tally);
        e += verify_word(W_T1, (unsigned long)(proc * 2 + 2), ta[1].tally);
        res[proc].gc_errors = e;
        res[proc].gc_checksum = checksum();
        fl_exit(e ? 1 : 0);
    }
    if (fl_is_err(gpid))
        errs += 10000;
    errs += round_run(7000UL + (unsigned long)proc, W_R2, 5, ITERS2, tally2);
    errs += verify_word(W_R2, 5, tally2);
    int st = -1;
    if (fl_wait4(gpid, &st, 0) != gpid)
        errs += 100000;
    res[proc].gc_status = st;
    res[proc].errors = errs;
    res[proc].checksum = checksum();
    res[proc].done = 1;
    fl_exit(errs ? 1 : 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    arr = fl_map(NPAGES * PG, PROT_RW);
    long r = fl_mmap(0, PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!arr || fl_is_err(r)) {
        fl_printf("mmap failed\n");
        return 1;
    }
    res = (volatile struct result *)r;
    for (unsigned long i = 0; i < NPAGES; i++)
        for (unsigned long w = 0; w < 40; w += 8)
            arr[i * WPP + w] = pat(i, w);
    fl_printf("stress: %d processes x 2 threads, %d pages, %d + %d iterations\n", NPROC, NPAGES, ITERS1, ITERS2);
    fl_flush();

    long pids[NPROC];
    for (int p = 0; p < NPROC; p++) {
        pids[p] = fl_fork();
        if (pids[p] == 0)
            child(p);
        if (fl_is_err(pids[p])) {
            fl_printf("fork %d: %s\n", p, fl_err(pids[p]));
            return 1;
        }
    }
    static unsigned ptally[NPAGES];
    int perr = round_run(424242, W_PARENT, 7, ITERS1, ptally);
    perr += verify_word(W_PARENT, 7, ptally);

    for (int p = 0; p < NPROC; p++) {
        int st = -1;
        long w = fl_wait4(pids[p], &st, 0);
        fl_printf("proc %d: wait4 ok: %s, ", p, fl_yn(w == pids[p]));
        fl_print_status("status", st);
        fl_printf("proc %d: errors %d, checksum %016lx; grandchild: ", p, res[p].errors, res[p].checksum);
        fl_print_status("status", res[p].gc_status);
        fl_printf("proc %d: grandchild errors %d, checksum %016lx\n", p, res[p].gc_errors, res[p].gc_checksum);
    }
    /* the parent's words of the children are untouched: only W_PARENT changed */
    for (unsigned long w = 0; w < 32; w += 8)
        perr += verify_word(w, 0, ptally) ? 1 : 0;
    fl_printf("parent: errors %d, checksum %016lx\n", perr, checksum());
    return 0;
}
