/*
 * threads.c - raw clone() threads (no libc): CLONE_VM|CLONE_FS|CLONE_FILES|
 * CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|
 * CLONE_CHILD_CLEARTID, each thread on its own mmap'd stack through the asm
 * trampoline in lib/fl_clone.S.  One case per run:
 *
 *   threads basic            tid/pid/ppid relations, PARENT_SETTID, the new
 *                            thread's TLS (%fs:0), writes seen both ways,
 *                            CHILD_CLEARTID + FUTEX_WAIT for the exit
 *   threads shared-mmap      a thread's mmap/munmap/mprotect are the main
 *                            thread's too, and the other way round
 *   threads cleartid         4 threads, each joined through its cleared tid
 *                            word; FUTEX_WAKE hand-off; FUTEX_WAIT EAGAIN
 *   threads many             16 threads at once, lock-xadd counter
 *   threads exit-group       a thread calls exit_group(42) while the main
 *                            thread and another one sleep in FUTEX_WAIT:
 *                            status 42
 *   threads main-exits-first the main thread calls exit(4) (thread only);
 *                            the other thread sees the main thread's
 *                            set_tid_address word cleared, then exit(9):
 *                            status 9 (see the host notes)
 *   threads leader-exit-wait a forked child's main thread calls exit(4)
 *                            while its other thread still runs for 200 ms:
 *                            the parent's wait4 (WNOHANG: 0) must not report
 *                            the child before its last thread is gone;
 *                            status 9 (the last thread's exit code)
 *   threads tgkill           tgkill(pid, thread, SIGKILL) kills the process
 *   threads thread-segv      a null write in a thread kills the process
 *   threads exec-with-thread exec from the main thread while another thread
 *                            runs: the new image runs alone
 *
 * Only one task writes at a time: the main thread flushes before starting
 * threads and prints after joining them; threads use fl_say (one write(2)
 * each) and only while the main thread waits.
 *
 * Host notes: main-exits-first gives status 9 on Linux 6.18, not the
 * leader's 4: since 5.19 do_exit -> synchronize_group_exit makes the LAST
 * thread to exit turn the exit into a group exit with its own code
 * (signal->group_exit_code), and wait_task_zombie reports that.  The futex waits are plain FUTEX_WAIT (shared key):
 * Linux wakes CHILD_CLEARTID words with a shared FUTEX_WAKE, which a
 * FUTEX_WAIT_PRIVATE waiter would never see.
 */
#include "fl_task.h"

#define PG PAGE_SIZE
#define STACK_SIZE (64 * 1024)
#define ARCH_GET_FS 0x1003

static const char *self;

static void start(struct fl_thread *t, int (*fn)(void *), void *arg)
{
    fl_flush();
    long r = fl_thread_start(t, STACK_SIZE, fn, arg);
    if (r) {
        fl_printf("clone: %s\n", fl_err(r));
        fl_exit(1);
    }
}

/* ---------------------------------------------------------------- basic */

static volatile int shared_word;

struct basic {
    int *main_stack_var;
    long pid, tid, ppid;
    unsigned long fs0;
    unsigned long *tls;
    int saw_main_write;
};

static int basic_fn(void *p)
{
    struct basic *b = p;
    b->pid = fl_getpid();
    b->tid = fl_gettid();
    b->ppid = fl_getppid();
    b->fs0 = fl_read_fs0();
    b->saw_main_write = shared_word == 1;
    *b->main_stack_var = 42;
    shared_word = 2;
    return 0;
}

static int case_basic(void)
{
    int stack_var = 0;
    static struct basic b;
    static unsigned long tls[4];
    static int ptid = -1, ctid = -1;
    void *stk = fl_map(STACK_SIZE, PROT_RW);
    if (!stk)
        return 1;
    tls[0] = (unsigned long)tls;
    b.main_stack_var = &stack_var;
    b.tls = tls;
    shared_word = 1;
    fl_flush();
    long tid = fl_clone_fn(FL_THREAD_FLAGS, (char *)stk + STACK_SIZE, &ptid, &ctid, tls, basic_fn, &b);
    if (fl_is_err(tid)) {
        fl_printf("clone: %s\n", fl_err(tid));
        return 1;
    }
    int pt = *(volatile int *)&ptid;
    for (;;) {
        int v = *(volatile int *)&ctid;
        if (v == 0)
            break;
        fl_futex(&ctid, FUTEX_WAIT, v);
    }
    long main_pid = fl_getpid(), main_tid = fl_gettid();
    fl_printf("clone returned a tid > 0: %s\n", fl_yn(tid > 0));
    fl_printf("CLONE_PARENT_SETTID stored that tid: %s\n", fl_yn(pt == tid));
    fl_printf("CLONE_CHILD_CLEARTID cleared the word at exit: %s\n", fl_yn(ctid == 0));
    fl_printf("main thread: gettid() == getpid(): %s\n", fl_yn(main_tid == main_pid));
    fl_printf("thread: getpid() is the main thread's pid (CLONE_THREAD): %s\n", fl_yn(b.pid == main_pid));
    fl_printf("thread: gettid() is what clone returned: %s\n", fl_yn(b.tid == tid));
    fl_printf("thread: gettid() != getpid(): %s\n", fl_yn(b.tid != b.pid));
    fl_printf("thread: getppid() is the main thread's getppid(): %s\n", fl_yn(b.ppid == fl_getppid()));
    fl_printf("thread: %%fs:0 is its own TLS block (CLONE_SETTLS): %s\n", fl_yn(b.fs0 == (unsigned long)tls));
    fl_printf("thread: saw the main thread's write: %s\n", fl_yn(b.saw_main_write));
    fl_printf("main: sees the thread's writes (stack variable, global): %s\n",
              fl_yn(stack_var == 42 && shared_word == 2));
    unsigned long fs = 1;
    long r = fl_syscall2(SYS_arch_prctl, ARCH_GET_FS, &fs);
    fl_printf("main: own FS base still 0: %s\n", fl_yn(r == 0 && fs == 0));
    fl_check("munmap(thread stack)", fl_munmap(stk, STACK_SIZE));
    return 0;
}

/* ---------------------------------------------------------------- shared-mmap */

struct sm {
    unsigned long *main_region;   /* made by main before the thread */
    unsigned long *unmap_me;      /* made by main, unmapped by the thread */
    unsigned long *protect_me;    /* made by main, mprotect'ed RO by the thread */
    unsigned long *volatile thread_region; /* made by the thread */
    unsigned long *volatile late_region;   /* made by main while the thread runs */
    int saw_main_region, saw_late_region, late_ok;
    long munmap_ret, mprotect_ret;
};

#define WPP (PG / sizeof(unsigned long))

static int sm_fn(void *p)
{
    struct sm *s = p;
    int ok = 1;
    for (unsigned long w = 0; w < 4 * WPP; w += 61)
        if (s->main_region[w] != 0x1000 + w)
            ok = 0;
    s->saw_main_region = ok;
    s->main_region[2 * WPP] = 0xabc;
    s->munmap_ret = fl_munmap(s->unmap_me, 2 * PG);
    s->mprotect_ret = fl_mprotect(s->protect_me, PG, PROT_READ);
    long r = fl_mmap(0, 8 * PG, PROT_RW, PRIV_ANON, -1, 0);
    if (!fl_is_err(r)) {
        unsigned long *t = (unsigned long *)r;
        for (unsigned long w = 0; w < 8 * WPP; w++)
            t[w] = 0x2000 + w;
        s->thread_region = t;
    }
    /* wait for main's region, made after we started */
    for (int i = 0; i < 200000 && !s->late_region; i++)
        fl_yield();
    if (s->late_region) {
        s->saw_late_region = s->late_region[5] == 0x3005;
        s->late_region[6] = 0x3006;
        s->late_ok = 1;
    }
    return 0;
}

static char maps[65536];

/* perms of the /proc/self/maps line starting at addr, or "none" */
static const char *perms_at(unsigned long addr, char out[5])
{
    memcpy(out, "none", 5);
    if (fl_is_err(fl_read_file("/proc/self/maps", maps, sizeof maps)))
        return out;
    const char *p = maps;
    while (*p) {
        unsigned long start = fl_parse_hex(&p);
        if (start == addr) {
            while (*p && *p != ' ')
                p++;
            memcpy(out, p + 1, 4);
            out[4] = 0;
            return out;
        }
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    return out;
}

static int case_shared_mmap(void)
{
    static struct sm s;
    static struct fl_thread t;
    s.main_region = fl_map(4 * PG, PROT_RW);
    s.unmap_me = fl_map(2 * PG, PROT_RW);
    s.protect_me = fl_map(3 * PG, PROT_RW);
    if (!s.main_region || !s.unmap_me || !s.protect_me)
        return 1;
    for (unsigned long w = 0; w < 4 * WPP; w++)
        s.main_region[w] = 0x1000 + w;
    s.unmap_me[0] = 1;
    start(&t, sm_fn, &s);
    /* wait for the thread's region, then make one for it */
    for (int i = 0; i < 200000 && !s.thread_region; i++)
        fl_yield();
    unsigned long *late = fl_map(PG, PROT_RW);
    late[5] = 0x3005;
    s.late_region = late;
    fl_thread_join(&t);

    fl_printf("thread saw main's pre-clone mapping: %s\n", fl_yn(s.saw_main_region));
    fl_printf("main sees the thread's write into it: %s\n", fl_yn(s.main_region[2 * WPP] == 0xabc));
    unsigned long *tr = s.thread_region;
    int ok = tr != 0;
    for (unsigned long w = 0; ok && w < 8 * WPP; w++)
        if (tr[w] != 0x2000 + w)
            ok = 0;
    fl_printf("main reads the thread's mmap'd region: %s\n", fl_yn(ok));
    fl_printf("thread saw the region main mapped while it ran: %s, main sees its write: %s\n",
              fl_yn(s.saw_late_region), fl_yn(s.late_ok && late[6] == 0x3006));
    fl_check("thread: munmap(main's region)", s.munmap_ret);
    char pr[5], pr2[5];
    fl_printf("main: /proc/self/maps at that region: %s\n", perms_at((unsigned long)s.unmap_me, pr));
    fl_check("thread: mprotect(main's region, PROT_READ) first page", s.mprotect_ret);
    fl_printf("main: /proc/self/maps perms there: %s, next page: %s\n", perms_at((unsigned long)s.protect_me, pr),
              perms_at((unsigned long)s.protect_me + PG, pr2));
    if (tr)
        fl_check("main: munmap(thread's region)", fl_munmap(tr, 8 * PG));
    return 0;
}

/* ---------------------------------------------------------------- cleartid */

static volatile int finished;
static volatile int handoff;

static int ct_fn(void *p)
{
    long i = (long)p;
    for (long k = 0; k < i * 5; k++)
        fl_yield();
    if (i == 0) {
        /* sleep until main hands off */
        while (handoff == 0)
            fl_futex(&handoff, FUTEX_WAIT, 0);
    }
    fl_atomic_add(&finished, 1);
    return (int)i;
}

static int case_cleartid(void)
{
    static struct fl_thread t[4];
    for (long i = 0; i < 4; i++)
        start(&t[i], ct_fn, (void *)i);
    fl_sleep_ms(30);
    int unaligned_dummy[2] = {0, 0};
    long r = fl_futex((volatile int *)((char *)unaligned_dummy + 1), FUTEX_WAIT, 0);
    fl_printf("FUTEX_WAIT on an unaligned address: %s\n", fl_is_err(r) ? fl_err(r) : "returned");
    r = fl_futex(&handoff, FUTEX_WAIT, 5);
    fl_printf("FUTEX_WAIT with a stale value: %s\n", fl_is_err(r) ? fl_err(r) : "returned");
    handoff = 1;
    r = fl_futex(&handoff, FUTEX_WAKE, 1000);
    fl_printf("FUTEX_WAKE woke at most 1: %s\n", fl_yn(r == 0 || r == 1));
    int all_tids = 1;
    for (int i = 0; i < 4; i++)
        if (t[i].ret <= 0)
            all_tids = 0;
    for (int i = 3; i >= 0; i--)
        fl_thread_join(&t[i]);
    int cleared = 1;
    for (int i = 0; i < 4; i++)
        if (t[i].tid != 0)
            cleared = 0;
    fl_printf("4 threads started with distinct positive tids: %s\n",
              fl_yn(all_tids && t[0].ret != t[1].ret && t[1].ret != t[2].ret && t[2].ret != t[3].ret &&
                    t[0].ret != t[3].ret));
    fl_printf("all joined through CHILD_CLEARTID, words cleared: %s\n", fl_yn(cleared));
    fl_printf("all ran to the end: %d\n", finished);
    fl_printf("the process is still alive after its threads' exit(): yes\n");
    r = fl_futex(&handoff, FUTEX_WAKE, 1);
    fl_check_val("FUTEX_WAKE with no waiters", r);
    return 0;
}

/* ---------------------------------------------------------------- many */

#define NTHREADS 16
#define NADD 1000
static volatile int counter;
static volatile unsigned long slots[NTHREADS][8];

static int many_fn(void *p)
{
    long i = (long)p;
    for (int k = 0; k < NADD; k++) {
        fl_atomic_add(&counter, 1);
        slots[i][0] += (unsigned long)i + 1;
        if ((k & 63) == 0)
            fl_yield();
    }
    return 0;
}

static int case_many(void)
{
    static struct fl_thread t[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        start(&t[i], many_fn, (void *)i);
    for (int i = 0; i < NTHREADS; i++)
        fl_thread_join(&t[i]);
    int ok = 1;
    for (int i = 0; i < NTHREADS; i++)
        if (slots[i][0] != (unsigned long)(i + 1) * NADD)
            ok = 0;
    fl_printf("%d threads x %d atomic increments: %d\n", NTHREADS, NADD, counter);
    fl_printf("per-thread slots right: %s\n", fl_yn(ok));
    return 0;
}

/* ---------------------------------------------------------------- exit-group */

static volatile int never;

static int sleeper_fn(void *p)
{
    (void)p;
    for (;;)
        fl_futex(&never, FUTEX_WAIT, 0);
    return 0;
}

static int eg_fn(void *p)
{
    (void)p;
    fl_sleep_ms(30);
    fl_say("thread: calling exit_group(42)\n");
    fl_syscall1(SYS_exit_group, 42);
    fl_say("thread: survived exit_group\n");
    return 0;
}

static int case_exit_group(void)
{
    static struct fl_thread t1, t2;
    start(&t1, sleeper_fn, 0);
    start(&t2, eg_fn, 0);
    fl_printf("main: sleeping in FUTEX_WAIT\n");
    fl_flush();
    for (int i = 0; i < 1000; i++)
        fl_futex(&never, FUTEX_WAIT, 0);
    fl_say("main: woke up, should have been killed\n");
    return 1;
}

/* ---------------------------------------------------------------- main-exits-first */

static volatile int main_tid_word;

static int mef_fn(void *p)
{
    (void)p;
    for (int i = 0; i < 100000; i++) {
        int v = main_tid_word;
        if (v == 0)
            break;
        fl_futex(&main_tid_word, FUTEX_WAIT, v);
    }
    fl_say(main_tid_word == 0 ? "thread: the main thread's tid word was cleared\n"
                              : "thread: the main thread's tid word was NOT cleared\n");
    fl_say("thread: exit(9)\n");
    fl_exit_thread(9);
}

static int case_main_exits_first(void)
{
    static struct fl_thread t;
    main_tid_word = (int)fl_gettid();
    long r = fl_syscall1(SYS_set_tid_address, &main_tid_word);
    fl_printf("set_tid_address returned the main tid: %s\n", fl_yn(r == main_tid_word));
    start(&t, mef_fn, 0);
    fl_printf("main: exit(4), the thread keeps running\n");
    fl_flush();
    fl_exit_thread(4);
}

/* ---------------------------------------------------------------- leader-exit-wait */

static volatile int *lew_flag; /* MAP_SHARED: set by the child's last thread */

static int lew_fn(void *p)
{
    (void)p;
    fl_sleep_ms(200);
    lew_flag[0] = 1;
    fl_exit_thread(9);
}

static int case_leader_exit_wait(void)
{
    long m = fl_mmap(0, PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (fl_is_err(m)) {
        fl_printf("mmap shared: %s\n", fl_err(m));
        return 1;
    }
    lew_flag = (volatile int *)m;
    fl_flush();
    long pid = fl_fork();
    if (pid == 0) {
        static struct fl_thread t;
        if (fl_thread_start(&t, STACK_SIZE, lew_fn, 0))
            fl_exit(50);
        lew_flag[1] = 1;
        fl_exit_thread(4); /* the main thread only */
    }
    if (fl_is_err(pid)) {
        fl_printf("fork: %s\n", fl_err(pid));
        return 1;
    }
    fl_wait_eq(&lew_flag[1], 1, 5000);
    fl_sleep_ms(50);
    int st = -1;
    long r = fl_wait4(pid, &st, WNOHANG);
    int early = lew_flag[0];
    fl_printf("wait4(WNOHANG) after the child's main thread exited, other thread running: %s%s\n",
              r == 0 ? "0" : fl_is_err(r) ? fl_err(r) : r == pid ? "the child's pid" : "another pid",
              early ? " (but the thread had already finished)" : "");
    if (r == 0)
        r = fl_wait4(pid, &st, 0);
    int flag = lew_flag[0];
    fl_printf("wait4 returned the child's pid: %s\n", fl_yn(r == pid));
    fl_printf("the child's last thread had finished when wait4 returned: %s\n", fl_yn(flag == 1));
    fl_print_status("child", st);
    return 0;
}

/* ---------------------------------------------------------------- tgkill / thread-segv */

static volatile int spin_started;

static int spin_fn(void *p)
{
    (void)p;
    spin_started = 1;
    for (;;)
        fl_yield();
    return 0;
}

static int case_tgkill(void)
{
    static struct fl_thread t;
    start(&t, spin_fn, 0);
    fl_wait_eq(&spin_started, 1, 5000);
    fl_printf("main: tgkill(pid, thread, SIGKILL)\n");
    fl_flush();
    long r = fl_tgkill(fl_getpid(), t.ret, SIGKILL);
    for (int i = 0; i < 100000; i++)
        fl_yield();
    fl_printf("main: survived (tgkill returned %s)\n", fl_is_err(r) ? fl_err(r) : "0");
    return 1;
}

static int segv_fn(void *p)
{
    (void)p;
    fl_sleep_ms(20);
    fl_say("thread: writing to NULL\n");
    volatile int *z = 0;
    FL_HIDE(z);
    *z = 1;
    fl_say("thread: survived\n");
    return 0;
}

static int case_thread_segv(void)
{
    static struct fl_thread t;
    start(&t, segv_fn, 0);
    fl_printf("main: waiting for the thread\n");
    fl_flush();
    fl_thread_join(&t);
    fl_say("main: thread exited, process survived\n");
    return 1;
}

/* ---------------------------------------------------------------- exec-with-thread */

static int noisy_fn(void *p)
{
    (void)p;
    spin_started = 1;
    fl_sleep_ms(50);
    for (int i = 0; i < 50; i++) {
        fl_say("old thread: still alive\n");
        fl_sleep_ms(20);
    }
    return 0;
}

static int case_exec_with_thread(void)
{
    static struct fl_thread t;
    start(&t, noisy_fn, 0);
    fl_wait_eq(&spin_started, 1, 5000);
    fl_printf("main: exec while another thread runs\n");
    fl_flush();
    char *argv[] = {(char *)self, "after-exec", 0};
    char *envp[] = {0};
    long r = fl_execve(self, argv, envp);
    fl_printf("execve: %s\n", fl_err(r));
    return 1;
}

static int after_exec(void)
{
    fl_printf("new image: running\n");
    fl_flush();
    fl_sleep_ms(300);
    fl_printf("new image: nothing else ran in 300 ms\n");
    return 0;
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc < 2) {
        fl_printf("usage: threads CASE\n");
        return 2;
    }
    const char *c = argv[1];
    if (!strcmp(c, "after-exec"))
        return after_exec();
    fl_printf("threads %s\n", c);
    if (!strcmp(c, "basic"))
        return case_basic();
    if (!strcmp(c, "shared-mmap"))
        return case_shared_mmap();
    if (!strcmp(c, "cleartid"))
        return case_cleartid();
    if (!strcmp(c, "many"))
        return case_many();
    if (!strcmp(c, "exit-group"))
        return case_exit_group();
    if (!strcmp(c, "main-exits-first"))
        return case_main_exits_first();
    if (!strcmp(c, "leader-exit-wait"))
        return case_leader_exit_wait();
    if (!strcmp(c, "tgkill"))
        return case_tgkill();
    if (!strcmp(c, "thread-segv"))
        return case_thread_segv();
    if (!strcmp(c, "exec-with-thread"))
        return case_exec_with_thread();
    fl_printf("unknown case\n");
    return 2;
}
