/*
 * fl_task.h - processes, threads and /proc helpers for the Faultline user
 * tests (fork_cow, exec_test, threads, proc_maps, stress).  Header-only,
 * on top of fl_user.h; the raw thread-creating clone lives in
 * lib/fl_clone.S because the child must start on its own stack.
 */
#ifndef FL_TASK_H
#define FL_TASK_H

#include "fl_user.h"

/* ---- more syscall numbers (Linux x86-64) ---- */
#define SYS_open          2
#define SYS_close         3
#define SYS_lseek         8
#define SYS_rt_sigaction  13
#define SYS_sched_yield   24
#define SYS_nanosleep     35
#define SYS_clone         56
#define SYS_fork          57
#define SYS_vfork         58
#define SYS_execve        59
#define SYS_wait4         61
#define SYS_kill          62
#define SYS_getppid       110
#define SYS_gettid        186
#define SYS_tkill         200
#define SYS_futex         202
#define SYS_clock_gettime 228
#define SYS_tgkill        234

/* errno values fl_user.h lacks */
#define ESRCH   3
#define E2BIG   7
#define ENOEXEC 8
#define ECHILD  10
#define ENOTDIR 20
#define EISDIR  21

#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGCHLD 17

#define WNOHANG 1

#define WIFEXITED(s)   (((s) & 0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WTERMSIG(s)    ((s) & 0x7f)

#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_VFORK          0x00004000
#define CLONE_THREAD         0x00010000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_SETTLS         0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000

/* what glibc and musl pass for pthread_create */
#define FL_THREAD_FLAGS                                                                       \
    (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |       \
     CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1

#define O_RDONLY 0
#define SEEK_SET 0
#define CLOCK_MONOTONIC 1

struct fl_timespec {
    long tv_sec;
    long tv_nsec;
};

/* the kernel's struct sigaction on x86-64 (not glibc's) */
struct fl_ksigaction {
    unsigned long handler;
    unsigned long flags;
    unsigned long restorer;
    unsigned long mask;
};

static inline long fl_fork(void) { return fl_syscall0(SYS_fork); }
static inline long fl_wait4(long pid, int *status, long options)
{
    return fl_syscall6(SYS_wait4, pid, (long)status, options, 0, 0, 0);
}
static inline long fl_execve(const char *path, char *const argv[], char *const envp[])
{
    return fl_syscall3(SYS_execve, path, argv, envp);
}
static inline long fl_kill(long pid, long sig) { return fl_syscall2(SYS_kill, pid, sig); }
static inline long fl_tgkill(long tgid, long tid, long sig) { return fl_syscall3(SYS_tgkill, tgid, tid, sig); }
static inline long fl_getppid(void) { return fl_syscall0(SYS_getppid); }
static inline long fl_gettid(void) { return fl_syscall0(SYS_gettid); }
static inline long fl_yield(void) { return fl_syscall0(SYS_sched_yield); }
static inline long fl_open(const char *path, long flags) { return fl_syscall3(SYS_open, path, flags, 0); }
static inline long fl_close(long fd) { return fl_syscall1(SYS_close, fd); }
static inline long fl_lseek(long fd, long off, long whence) { return fl_syscall3(SYS_lseek, fd, off, whence); }
static inline long fl_futex(volatile int *uaddr, long op, long val)
{
    return fl_syscall6(SYS_futex, (long)uaddr, op, val, 0, 0, 0);
}
static inline long fl_sigaction(long sig, const struct fl_ksigaction *act, struct fl_ksigaction *old)
{
    return fl_syscall6(SYS_rt_sigaction, sig, (long)act, (long)old, 8, 0, 0);
}
__attribute__((noreturn)) static inline void fl_exit_thread(int code)
{
    for (;;)
        fl_syscall1(SYS_exit, code);
}

static inline long fl_now_ns(void)
{
    struct fl_timespec ts;
    if (fl_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts))
        return 0;
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static inline void fl_sleep_ms(long ms)
{
    struct fl_timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    fl_syscall2(SYS_nanosleep, &ts, 0);
}

/* errno names, including the ones ulib.c does not know */
static inline const char *fl_err(long neg)
{
    switch (-neg) {
    case ESRCH: return "ESRCH";
    case E2BIG: return "E2BIG";
    case ENOEXEC: return "ENOEXEC";
    case ECHILD: return "ECHILD";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    default: return fl_errname(neg);
    }
}

static inline const char *fl_yn(int v) { return v ? "yes" : "no"; }

/*
 * Spin (yielding) until *p == want, at most `ms` milliseconds.  Returns 1 on
 * success, 0 on timeout, so a broken kernel gives a wrong line rather than a
 * hang.  Used for handshakes through MAP_SHARED memory or between threads.
 */
static inline int fl_wait_eq(volatile int *p, int want, long ms)
{
    long start = fl_now_ns();
    for (unsigned long i = 0;; i++) {
        if (*p == want)
            return 1;
        fl_yield();
        if ((i & 15) == 15 && fl_now_ns() - start > ms * 1000000L)
            return *p == want;
        if (i > 20000000UL) /* no working clock_gettime */
            return 0;
    }
}

/* "label: exited N" / "label: killed by signal N" / "label: status 0xN" */
static inline void fl_print_status(const char *label, int st)
{
    if (WIFEXITED(st))
        fl_printf("%s: exited %d\n", label, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        fl_printf("%s: killed by signal %d\n", label, WTERMSIG(st));
    else
        fl_printf("%s: status 0x%x\n", label, (unsigned)st);
}

/* Read a whole (small, generated) file into buf; returns the length or -errno. */
static inline long fl_read_file(const char *path, char *buf, size_t size)
{
    long fd = fl_open(path, O_RDONLY);
    if (fl_is_err(fd))
        return fd;
    size_t n = 0;
    for (;;) {
        if (n + 1 >= size)
            break;
        long r = fl_read((int)fd, buf + n, size - 1 - n);
        if (fl_is_err(r)) {
            fl_close(fd);
            return r;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = 0;
    fl_close(fd);
    return (long)n;
}

/*
 * The value of "Key:" in a /proc/.../status text (first number after the
 * colon), or -1 if the key is missing.
 */
static inline long fl_status_value(const char *text, const char *key)
{
    size_t kl = strlen(key);
    const char *p = text;
    while (*p) {
        if (!memcmp(p, key, kl) && p[kl] == ':') {
            p += kl + 1;
            while (*p == ' ' || *p == '\t')
                p++;
            long v = 0;
            int any = 0;
            while (*p >= '0' && *p <= '9') {
                v = v * 10 + (*p++ - '0');
                any = 1;
            }
            return any ? v : -1;
        }
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    return -1;
}

static inline unsigned long fl_parse_hex(const char **pp)
{
    const char *p = *pp;
    unsigned long v = 0;
    for (;; p++) {
        char c = *p;
        if (c >= '0' && c <= '9')
            v = v * 16 + (unsigned long)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (unsigned long)(c - 'a' + 10);
        else
            break;
    }
    *pp = p;
    return v;
}

static inline long fl_atol(const char *s)
{
    long v = 0, neg = 0;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return neg ? -v : v;
}

/* decimal into buf (at least 21 bytes); returns buf */
static inline char *fl_ltoa(long v, char *buf)
{
    char tmp[24];
    int i = 0, neg = v < 0;
    unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;
    do {
        tmp[i++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    char *p = buf;
    if (neg)
        *p++ = '-';
    while (i)
        *p++ = tmp[--i];
    *p = 0;
    return buf;
}

/*
 * Unbuffered output for threads and for code that runs while another task
 * may use the shared fl_printf buffer: one write() per call.
 */
static inline void fl_say(const char *s) { fl_write(1, s, strlen(s)); }

/* ---- threads (lib/fl_clone.S) ---- */

/*
 * clone(flags, stack_top, ptid, ctid, tls) whose child calls fn(arg) on
 * the new stack and then exit(fn's result) (the thread-only exit).  Returns
 * the child's tid to the parent, or -errno.
 */
long fl_clone_fn(unsigned long flags, void *stack_top, int *ptid, int *ctid, void *tls,
                 int (*fn)(void *), void *arg);

/*
 * vfork(); the child stores 1 into *ran, then execve(path, argv, envp), and
 * exit_group(127) if that fails.  The child never returns into C, so the
 * shared stack is not disturbed.  Returns the child's pid (after it exec'd
 * or died), or -errno.
 */
long fl_vfork_exec(volatile int *ran, const char *path, char *const argv[], char *const envp[]);

struct fl_thread {
    int tid;                /* CLONE_PARENT_SETTID target; cleared at exit (CHILD_CLEARTID) */
    int pad;
    unsigned long tls[8];   /* tls[0] = its own address (x86-64 TLS ABI: %fs:0 = self) */
    void *stack;
    size_t stack_size;
    long ret;               /* what clone returned */
};

/* Start fn(arg) in a new thread with a fresh mmap'd stack; 0 or -errno. */
static inline long fl_thread_start(struct fl_thread *t, size_t stack_size, int (*fn)(void *), void *arg)
{
    long m = fl_mmap(0, stack_size, PROT_RW, PRIV_ANON, -1, 0);
    t->tid = 0; /* no thread: fl_thread_join returns at once */
    t->ret = m;
    if (fl_is_err(m))
        return m;
    t->stack = (void *)m;
    t->stack_size = stack_size;
    t->tid = -1;
    t->tls[0] = (unsigned long)&t->tls[0];
    t->ret = fl_clone_fn(FL_THREAD_FLAGS, (char *)m + stack_size, &t->tid, &t->tid, &t->tls[0], fn, arg);
    if (fl_is_err(t->ret)) {
        t->tid = 0; /* clone failed (ENOMEM under fault injection, say): nothing to join */
        fl_munmap(t->stack, stack_size);
        return t->ret;
    }
    return 0;
}

/*
 * Wait for the thread's exit through CLONE_CHILD_CLEARTID: the kernel
 * stores 0 into t->tid and does a FUTEX_WAKE on it.  Plain (shared)
 * FUTEX_WAIT, as the kernel's wake is not a private one.  Then free its
 * stack.
 */
static inline void fl_thread_join(struct fl_thread *t)
{
    if (fl_is_err(t->ret))
        return; /* it never started (and its stack is gone already) */
    for (;;) {
        int v = *(volatile int *)&t->tid;
        if (v == 0)
            break;
        fl_futex(&t->tid, FUTEX_WAIT, v);
    }
    fl_munmap(t->stack, t->stack_size);
}

static inline unsigned long fl_read_fs0(void)
{
    unsigned long v;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
    return v;
}

static inline int fl_atomic_add(volatile int *p, int v)
{
    __asm__ volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}

#endif
