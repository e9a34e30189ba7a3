/*
 * fuzz.c - Faultline's system-call fuzzer (static, no libc), run as PID 1.
 *
 *   tools/run-elf build/robust/fuzz seed=N iters=N [calls=N] [par=N] [known=...] [verbose=1]
 *   build/robust/fuzz child=SEED calls=N      one child, directly (on a host: strace -f)
 *
 * PID 1 forks `iters` children, at most `par` at a time.  Child i seeds its
 * random generator from (seed, i), so a run is replayed by its seed (exactly
 * so under QEMU's -icount; without it only the interleaving may differ).
 * Each child makes `calls` system calls drawn from the supported set
 * (arch/x86/entry/syscall_64.c) plus unsupported numbers, with random and
 * edge-case arguments: NULL, kernel addresses (direct map, kernel image),
 * non-canonical addresses, addresses just below TASK_SIZE, unaligned and
 * huge lengths, random flags and prot bits, fds -1..70.  It also touches
 * random addresses (reads, writes, calls) and runs privileged or odd
 * instructions; dying of a signal is an accepted outcome.  Children fork,
 * vfork, clone threads, exec /init (this program: run as a non-PID-1 it does
 * a short fuzz and exits) and kill each other, never PID 1 or pid <= 1.
 *
 * PID 1 reaps everything (children and orphans), kills whatever is still
 * running after a watchdog period (and reports it: a task that cannot be
 * woken may be a kernel bug), makes sure no user task is left at the end
 * (the leak check needs every page back), prints its counts and exits 0.
 *
 * Safety rules that keep the run meaningful (a false failure is worse than
 * a missed case):
 *   - no kill/tkill/tgkill with a target <= 1;
 *   - the child writes (by instruction or through a syscall buffer) only
 *     into its "arena" mappings or at addresses that cannot be mapped;
 *     never its own stack, data or text, so a fuzzed call cannot redirect
 *     control flow into a raw syscall instruction with arbitrary registers;
 *   - no reads of fd 0; nanosleep only with <= 1 ms or invalid arguments;
 *     futex WAIT only with a value different from the word's; no writes of
 *     more than 64 bytes to a console fd;
 *   - MAP_FIXED only inside the arena or at addresses that cannot be mapped;
 *   - jumps only to the int3-filled trap page, kernel, non-canonical or
 *     unmappable addresses.
 * Known kernel bugs (numbers as in docs/reliability.md) each have a guard,
 * KNOWN(n): known=0 steers clear of all of them, known=2,4 of all but those,
 * known=all of none; the default steers clear of the open ones only.
 *
 * The last lines PID 1 prints are its counts and a verdict line with a check
 * value (tests/fuzz/fuzz_boot.py verifies it): children scribble on the
 * console, so nothing else there can be trusted.
 */
#include "fl_user.h"

/* ---- syscall numbers beyond fl_user.h ---- */
#define NR_open 2
#define NR_close 3
#define NR_lseek 8
#define NR_rt_sigaction 13
#define NR_readv 19
#define NR_sched_yield 24
#define NR_dup 32
#define NR_dup2 33
#define NR_nanosleep 35
#define NR_clone 56
#define NR_fork 57
#define NR_vfork 58
#define NR_execve 59
#define NR_wait4 61
#define NR_kill 62
#define NR_getuid 102
#define NR_getgid 104
#define NR_geteuid 107
#define NR_getegid 108
#define NR_getppid 110
#define NR_getpgrp 111
#define NR_setsid 112
#define NR_gettid 186
#define NR_tkill 200
#define NR_futex 202
#define NR_clock_gettime 228
#define NR_tgkill 234
#define NR_openat 257
#define NR_prlimit64 302
#define NR_getrandom 318
#define NR_fault_trace 0x666c
#define NR_fault_inject 0x666d /* run-time fault injection: never fuzzed (100 % would end the run) */

#define MAP_LOCKED 0x2000
#define MAP_32BIT 0x40
#define MAP_TYPE 0x0f
#define MAP_NONBLOCK 0x10000
#define MAP_HUGETLB 0x40000
#define MAP_SYNC 0x80000

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_VFORK 0x4000
#define CLONE_PARENT 0x8000
#define CLONE_THREAD 0x10000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_CHILD_SETTID 0x1000000

#define SIGKILL 9
#define SIGCHLD 17
#define WNOHANG 1
#define ESRCH 3
#define ECHILD 10

#define KB 1024UL
#define MB (1024UL * 1024)
#define GB (1024UL * MB)

/* Addresses that can never be user memory, or only barely. */
#define A_DIRECT_MAP 0xffff888000000000UL
#define A_KERNEL_TEXT 0xffffffff80000000UL
#define A_NONCANON 0x800000000000UL
#define A_TASK_TOP 0x7ffffffff000UL /* TASK_SIZE: the first byte user space cannot map */

/* ---------------------------------------------------------------------
 * Counters, shared by every process of the run through one MAP_SHARED page
 * that PID 1 maps before the first fork (exec'd children lose it).
 */
#define NR_COUNTED 340
struct stats {
    unsigned long calls;            /* system calls made by fuzzing code */
    unsigned long per_nr[NR_COUNTED + 1]; /* the last slot: unsupported/other numbers */
    unsigned long errors;           /* calls that returned -errno */
    unsigned long enomem;           /* ... of which -ENOMEM (injected failures show up here) */
    unsigned long touches;          /* direct memory accesses */
    unsigned long insns;            /* odd instructions executed */
    unsigned long forks, threads, vforks, execs, kills_sent;
    unsigned long tsc[NR_COUNTED + 1]; /* TSC ticks spent per number (what makes a run slow) */
    unsigned long tsc_max[NR_COUNTED + 1];
};
static struct stats *stats;
static struct stats dummy_stats; /* until/unless the shared page exists */

static void count(long nr, long ret)
{
    struct stats *s = stats ? stats : &dummy_stats;
    __atomic_fetch_add(&s->calls, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&s->per_nr[nr >= 0 && nr < NR_COUNTED ? nr : NR_COUNTED], 1, __ATOMIC_RELAXED);
    if (fl_is_err(ret))
        __atomic_fetch_add(&s->errors, 1, __ATOMIC_RELAXED);
    if (ret == -ENOMEM)
        __atomic_fetch_add(&s->enomem, 1, __ATOMIC_RELAXED);
}

#define BUMP(field) __atomic_fetch_add(&(stats ? stats : &dummy_stats)->field, 1, __ATOMIC_RELAXED)

/* ---------------------------------------------------------------------
 * Random numbers: xorshift64*, seeded with splitmix64.
 */
static unsigned long rng;

static unsigned long splitmix(unsigned long x)
{
    x += 0x9e3779b97f4a7c15UL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
    return x ^ (x >> 31);
}

static unsigned long rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dUL;
}

static unsigned long below(unsigned long n) { return n ? rnd() % n : 0; }
static int chance(unsigned pct) { return below(100) < pct; }
#define PICK(arr) ((arr)[below(sizeof(arr) / sizeof((arr)[0]))])

/* ---------------------------------------------------------------------
 * Options.
 */
static unsigned long opt_seed = 1, opt_iters = 20, opt_calls = 400, opt_par = 2, opt_verbose;
/* known=: which known kernel bugs (docs/reliability.md numbers) the fuzzer may hit:
 * known=0 none, known=all every one, known=2,4 those.  A bit per number.  The default
 * is every fixed one, and all ten are fixed (d73dfd2, c3873d7, 7fdd9ae and the thread-
 * group work).  A new bug that a run keeps hitting gets a number, a KNOWN(n) guard here
 * and is left out of this default until it is fixed. */
static unsigned long opt_known = ~0UL;
#define KNOWN(n) ((opt_known >> (n)) & 1)
/* Threads ran into bug 2 (a thread outliving its reaped leader) and bug 10 (a thread
 * group whose main thread has exited, or is exiting after an OOM kill, was invisible to
 * the OOM killer, which then killed PID 1). */
#define THREADS_OK (KNOWN(2) && KNOWN(10))

static int parse_known(const char *s, unsigned long *mask)
{
    unsigned long m = 0;
    if (!strcmp(s, "all") || !strcmp(s, "1")) {
        *mask = ~0UL;
        return 0;
    }
    while (*s) {
        unsigned long v = 0;
        if (*s < '0' || *s > '9')
            return -1;
        while (*s >= '0' && *s <= '9')
            v = v * 10 + (unsigned long)(*s++ - '0');
        if (v && v < 64)
            m |= 1UL << v;
        if (*s == ',')
            s++;
    }
    *mask = m;
    return 0;
}
static unsigned long opt_watchdog = 1000; /* polls of >= 1 tick (10 ms) without progress */

static int parse_ulong(const char *s, unsigned long *out)
{
    unsigned long v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (unsigned long)(*s - '0');
    }
    *out = v;
    return 0;
}

static int starts(const char *s, const char *p)
{
    while (*p)
        if (*s++ != *p++)
            return 0;
    return 1;
}

static int parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        static const struct { const char *key; unsigned long *val; } keys[] = {
            {"seed=", &opt_seed}, {"iters=", &opt_iters}, {"calls=", &opt_calls}, {"par=", &opt_par},
            {"verbose=", &opt_verbose}, {"watchdog=", &opt_watchdog},
        };
        int ok = starts(a, "known=") && parse_known(a + 6, &opt_known) == 0;
        for (unsigned k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (starts(a, keys[k].key) && parse_ulong(a + strlen(keys[k].key), keys[k].val) == 0)
                ok = 1;
        if (!ok)
            return -1;
    }
    if (opt_par < 1)
        opt_par = 1;
    if (opt_par > 8)
        opt_par = 8;
    return 0;
}

/* ---------------------------------------------------------------------
 * The child's world.
 *
 *   arena     ARENA_SIZE bytes reserved PROT_NONE, with regions mapped
 *             inside it by MAP_FIXED: the only memory fuzzed calls and
 *             touches may write to.
 *   trap      one page of int3 (0xcc), read+exec: the only mapped
 *             memory a fuzzed jump may land in.
 *   insn      one page of odd instructions, each followed by ret.
 *   thread stacks: one fresh mapping per thread, outside the arena.
 */
#define ARENA_SIZE (8 * MB)
static unsigned long arena, trap_page, insn_page;
static int careful;                     /* this child avoids deadly touches */
static unsigned long img_start, img_end; /* this program's image: never a MAP_FIXED target */
static unsigned long stack_lo;          /* below our frames: the stack is never written by fuzzing */
static int console_ok;                  /* this process kept console fds */
static unsigned long budget;            /* calls left for this process */
static int depth;                       /* fork generation below the top child */
static unsigned long max_pid_seen = 2;

extern char __executable_start[], _end[];

static unsigned long rdtsc(void)
{
    unsigned lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (unsigned long)hi << 32 | lo;
}

static long sc(long nr, long a, long b, long c, long d, long e, long f)
{
    unsigned long t0 = rdtsc();
    long r = fl_syscall6(nr, a, b, c, d, e, f);
    unsigned long dt = rdtsc() - t0;
    count(nr, r);
    if (stats) {
        long i = nr >= 0 && nr < NR_COUNTED ? nr : NR_COUNTED;
        __atomic_fetch_add(&stats->tsc[i], dt, __ATOMIC_RELAXED);
        if (dt > stats->tsc_max[i])
            stats->tsc_max[i] = dt;
    }
    return r;
}

/* Lengths at the edges. */
static unsigned long any_len(void)
{
    static const unsigned long lens[] = {
        0, 1, 7, 8, 16, 4095, 4096, 4097, 8191, 8192, 12288, 65536, 65537, 1 * MB, 2 * MB, 2 * MB + 4096,
        1 * GB, 1UL << 39, 1UL << 40, 1UL << 46, A_TASK_TOP - 4096, A_TASK_TOP, A_TASK_TOP + 1, A_NONCANON,
        0x7fffffffffffffffUL, 0x8000000000000000UL, ~0UL, ~0UL - 4095, ~0UL - 4096, 0xffffffffUL, 0x100000000UL,
    };
    switch (below(4)) {
    case 0: return below(3 * 4096);
    case 1: return (below(64) + 1) * 4096;
    default: return PICK(lens);
    }
}

/* A length a fuzzed call may really use on memory it may write to. */
static unsigned long small_len(void)
{
    switch (below(4)) {
    case 0: return below(64);
    case 1: return below(8192);
    case 2: return (below(16) + 1) * 4096;
    default: return below(ARENA_SIZE);
    }
}

static unsigned long arena_addr(void)
{
    unsigned long off = below(ARENA_SIZE);
    switch (below(4)) {
    case 0: return arena + (off & ~4095UL);
    case 1: return arena + ARENA_SIZE - 1 - below(64);
    default: return arena + off;
    }
}

/* An address no user mapping can ever cover (or the NULL page, which mmap refuses). */
static unsigned long bad_addr(void)
{
    static const unsigned long a[] = {
        0, 1, 8, 0xfff, 0x1000, 0x8000, 0xffff, A_TASK_TOP, A_TASK_TOP + 8, A_TASK_TOP + 0xfff,
        0x7fffffffffffUL, A_NONCANON, A_NONCANON + 0x1000, 0x0000800000000008UL, 0xffff800000000000UL,
        A_DIRECT_MAP, A_DIRECT_MAP + 0x1000, A_DIRECT_MAP + 0x100000, A_KERNEL_TEXT, A_KERNEL_TEXT + 0x1000,
        A_KERNEL_TEXT + 0x100000, 0xffffc90000000000UL, 0xfffffffffffff000UL, ~0UL, ~0UL - 7,
        0x8000000000000000UL, 0x7fffffffffffffffUL,
    };
    unsigned long v = PICK(a);
    if (chance(20))
        v = A_NONCANON + below(1UL << 62); /* somewhere non-canonical or kernel */
    if (v >= 0x10000 && v < A_TASK_TOP) /* never: keep bad addresses bad */
        v = 0;
    return v;
}

/* A pointer a syscall may write through: arena, or something bad. */
static unsigned long wptr(void)
{
    switch (below(10)) {
    case 0: case 1: case 2: return bad_addr();
    case 3: return img_start + below(img_end - img_start); /* text is read-only: EFAULT; data: see below */
    default: return arena_addr();
    }
}

/* A pointer a syscall only reads: also our text and data. */
static unsigned long rptr(void)
{
    if (chance(15))
        return img_start + below(img_end - img_start);
    return wptr();
}

/* A pointer into this program's image is only safe for writes if it is in the text. */
static unsigned long wptr_safe(void)
{
    unsigned long p = wptr();
    if (p >= img_start && p < img_end)
        p = img_start; /* the ELF header page: read-only, writes fail with EFAULT */
    return p;
}

static long any_fd(void)
{
    if (chance(60))
        return (long)below(8);
    return (long)below(72) - 1; /* -1 .. 70 */
}

static long any_int(void)
{
    static const long v[] = { 0, 1, -1, 2, 3, 4, 8, 16, 31, 32, 63, 64, 65, 127, 128, 255, 256, 1024, 4096,
                              0x7fffffff, -0x80000000L, 0xffffffffL, 0x7fffffffffffffffL };
    if (chance(30))
        return (long)rnd();
    return PICK(v);
}

/* A pid to signal: never <= 1. */
static long any_pid(void)
{
    long p;
    switch (below(4)) {
    case 0: p = fl_getpid(); break;
    case 1: p = 2 + (long)below(max_pid_seen + 8); break;
    case 2: p = (long)rnd(); break;
    default: p = (long)max_pid_seen - (long)below(4); break;
    }
    return p;
}

static const char *const paths[] = {
    "/init", "/proc/self/maps", "/proc/self/status", "/proc/self/mm_refs", "/proc/meminfo",
    "/proc/faultline/faults", "/proc/1/maps", "/proc/1/status", "/proc/2/status", "/proc/2/maps",
    "/proc/", "/proc/self/", "/proc/99999/maps", "/proc/self/../self/maps", "/nonexistent", "", "/",
    "/proc/2x/maps", "/proc/self/mapsx", "init", "/init/", "/proc/18446744073709551615/status",
};

/* ---- the odd instructions, each "insn; ret" in a slot of 16 bytes ---- */
static const unsigned char insns[][8] = {
    {0x0f, 0x0b},             /* ud2 */
    {0xcc},                   /* int3 */
    {0xf4},                   /* hlt */
    {0xfa},                   /* cli */
    {0xfb},                   /* sti */
    {0xcd, 0x80},             /* int $0x80 */
    {0xcd, 0x0e},             /* int $14 (page fault vector) */
    {0xcd, 0x08},             /* int $8 (double fault) */
    {0xcd, 0x20},             /* int $0x20 (timer) */
    {0xcd, 0x02},             /* int $2 (NMI) */
    {0xcd, 0x12},             /* int $18 (machine check) */
    {0xcd, 0xff},             /* int $255 */
    {0xf1},                   /* int1 / icebp */
    {0x0f, 0x34},             /* sysenter */
    {0x0f, 0x32},             /* rdmsr */
    {0x0f, 0x30},             /* wrmsr */
    {0xec},                   /* in %dx, %al */
    {0xe6, 0xf4},             /* out %al, $0xf4 (isa-debug-exit!) */
    {0x0f, 0x20, 0xd8},       /* mov %cr3, %rax */
    {0x0f, 0x01, 0xf8},       /* swapgs */
    {0x0f, 0x01, 0xcb},       /* stac */
    {0x0f, 0x06},             /* clts */
    {0x0f, 0x09},             /* wbinvd */
    {0x48, 0xcf},             /* iretq (with whatever is on the stack: it faults or returns to us) */
    {0x0f, 0x01, 0xd0},       /* xgetbv */
    {0x0f, 0x31},             /* rdtsc: fine */
    {0x0f, 0xa2},             /* cpuid: fine */
    {0x31, 0xc0, 0xf7, 0xf0}, /* xor %eax,%eax; div %eax: #DE */
    {0x8e, 0xd8},             /* mov %eax, %ds (eax = slot address low bits: #GP) */
    {0x0f, 0x00, 0xd8},       /* ltr %ax */
    {0xce},                   /* into: #UD in 64-bit mode */
    {0x0f, 0x05},             /* syscall with rax = the slot address: unsupported number */
};

static void build_insn_page(void)
{
    long r = fl_mmap(0, 4096, PROT_RW, PRIV_ANON, -1, 0);
    if (fl_is_err(r))
        return;
    unsigned char *p = (unsigned char *)r;
    memset(p, 0xcc, 4096);
    for (unsigned i = 0; i < sizeof insns / sizeof insns[0]; i++) {
        unsigned char *slot = p + 64 + i * 16;
        unsigned n = 0;
        while (n < 8 && (insns[i][n] || n == 0 || (insns[i][0] == 0x31 && n < 4)))
            slot[n] = insns[i][n], n++;
        slot[n] = 0xc3; /* ret */
    }
    if (!fl_is_err(fl_mprotect(p, 4096, PROT_READ | PROT_EXEC)))
        insn_page = r;
}

static void run_insn(void)
{
    if (!insn_page)
        return;
    unsigned i = (unsigned)below(sizeof insns / sizeof insns[0]);
    /* iretq pops a frame off the stack: only where it cannot return (it faults) */
    unsigned long target = insn_page + 64 + i * 16;
    BUMP(insns);
    /* Registers that matter to the instructions: rax/rdx/rcx hold the target (kernel-looking
     * garbage for in/out/wrmsr), rsp is ours: the ret after each instruction comes back. */
    if (insns[i][0] == 0x48 && insns[i][1] == 0xcf)
        return; /* iretq would pop our return address as rip: jump to a random place; skip */
    if (insns[i][0] == 0x0f && insns[i][1] == 0x05)
        return; /* a syscall with rax = an address: rdi etc. are ours, skip (covered by unsupported nrs) */
    __asm__ volatile("call *%0" : : "r"(target), "a"(target), "c"(0L), "d"(0xf4L)
                     : "memory", "rsi", "rdi", "r8", "r9", "r10", "r11");
}

/* ---- memory touches ---- */

/*
 * Careful children look in /proc/self/maps before touching arena memory, so
 * that they live long enough to build up many VMAs (a touch of a PROT_NONE
 * or unmapped page would end them).  Returns the permissions "rwx" bits of
 * the VMA holding addr (bit 0 r, 1 w, 2 x), 0 if none, -1 if unknown.
 */
static char maps_buf[64 * 1024];

static unsigned long parse_hex(const char **pp)
{
    unsigned long v = 0;
    const char *p = *pp;
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

static int prot_at(unsigned long addr)
{
    long fd = sc(NR_open, (long)"/proc/self/maps", 0, 0, 0, 0, 0);
    if (fl_is_err(fd))
        return -1;
    long n = 0, r;
    while (n < (long)sizeof maps_buf - 1 && (r = sc(SYS_read, fd, (long)(maps_buf + n), (long)(sizeof maps_buf - 1 - n), 0, 0, 0)) > 0)
        n += r;
    sc(NR_close, fd, 0, 0, 0, 0, 0);
    if (n <= 0)
        return -1;
    maps_buf[n] = 0;
    for (const char *p = maps_buf; *p;) {
        unsigned long lo = parse_hex(&p);
        if (*p++ != '-')
            return -1;
        unsigned long hi = parse_hex(&p);
        if (*p++ != ' ')
            return -1;
        if (addr >= lo && addr < hi)
            return (p[0] == 'r') | (p[1] == 'w') << 1 | (p[2] == 'x') << 2;
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    return 0;
}

static void touch(void)
{
    BUMP(touches);
    int kind = (int)below(8);
    if (careful) {
        /* reads and writes of arena memory the maps say we may use; reads below the stack */
        unsigned long a = arena_addr();
        int prot = prot_at(a);
        if (kind < 3) {
            if (prot > 0 && (prot & 1))
                (void)fl_peek((void *)a);
        } else if (kind < 7) {
            if (prot > 0 && (prot & 2)) {
                fl_poke((void *)a, (unsigned char)rnd());
                /* the rest of the page too: the same VMA */
                for (unsigned long p = (a & ~4095UL) + below(4096); p < ((a & ~4095UL) + 4096); p += 64)
                    fl_poke((void *)p, (unsigned char)rnd());
            }
        } else {
            /* the stack may grow by up to 128 KiB below where it is (the guard gap is far) */
            (void)fl_peek((void *)(stack_lo - below(128 * KB)));
        }
        return;
    }
    switch (kind) {
    case 0: case 1: { /* read anywhere: arena, image, bad, below the stack (growth) */
        unsigned long a;
        switch (below(4)) {
        case 0: a = arena_addr(); break;
        case 1: a = img_start + below(img_end - img_start); break;
        case 2: a = stack_lo - below(16 * MB); break;
        default: a = bad_addr(); break;
        }
        (void)fl_peek((void *)a);
        break;
    }
    case 2: case 3: case 4: { /* write: arena or bad */
        unsigned long a = chance(85) ? arena_addr() : bad_addr();
        if (chance(30)) { /* a run of writes: populate, COW, page table allocation */
            unsigned long n = below(64);
            for (unsigned long i = 0; i < n && a + i * 4096 < arena + ARENA_SIZE; i++)
                fl_poke((void *)(a + i * 4096), (unsigned char)rnd());
        } else {
            fl_poke((void *)a, (unsigned char)rnd());
        }
        break;
    }
    case 5: { /* a jump: trap page or bad (always deadly) */
        if (!chance(25))
            break;
        unsigned long t = chance(50) && trap_page ? trap_page + below(4096) : bad_addr();
        __asm__ volatile("call *%0" : : "r"(t) : "memory");
        break;
    }
    case 6: /* read from the stack VMA top page (argv, env strings) */
        (void)fl_peek((void *)(A_TASK_TOP - 1 - below(4096)));
        break;
    default:
        if (chance(40))
            run_insn(); /* mostly deadly */
        break;
    }
}

/* ---- clone helpers ---- */

/* clone(2) in one asm block: the child never touches the parent's stack.  With a stack,
 * the child calls fn on it and exits; without, it exits at once. */
static long raw_clone(unsigned long flags, unsigned long newsp, unsigned long ptid, unsigned long ctid,
                      unsigned long tls, void (*fn)(void), long exit_code)
{
    long ret;
    register long r10 __asm__("r10") = (long)ctid;
    register long r8 __asm__("r8") = (long)tls;
    register long r12 __asm__("r12") = (long)fn;
    register long r13 __asm__("r13") = exit_code;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "test %%r12, %%r12\n\t"
                     "jz 2f\n\t"
                     "and $-16, %%rsp\n\t"
                     "call *%%r12\n"
                     "2:\n\t"
                     "mov $60, %%eax\n\t"
                     "mov %%r13, %%rdi\n\t"
                     "syscall\n\t"
                     "ud2\n"
                     "1:"
                     : "=a"(ret)
                     : "a"((long)NR_clone), "D"(flags), "S"(newsp), "d"(ptid), "r"(r10), "r"(r8), "r"(r12),
                       "r"(r13)
                     : "rcx", "r11", "memory");
    return ret;
}

/* vfork: the child exits (or execs /init) at once, in asm, on no stack of its own. */
static long raw_vfork_exit(long code)
{
    long ret;
    register long r13 __asm__("r13") = code;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "mov $60, %%eax\n\t"
                     "mov %%r13, %%rdi\n\t"
                     "syscall\n\t"
                     "ud2\n"
                     "1:"
                     : "=a"(ret)
                     : "a"((long)NR_vfork), "r"(r13)
                     : "rcx", "r11", "memory");
    return ret;
}

static long raw_vfork_exec(const char *path, char *const *argv, char *const *envp)
{
    long ret;
    register long r12 __asm__("r12") = (long)path;
    register long r13 __asm__("r13") = (long)argv;
    register long r14 __asm__("r14") = (long)envp;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "mov $59, %%eax\n\t"
                     "mov %%r12, %%rdi\n\t"
                     "mov %%r13, %%rsi\n\t"
                     "mov %%r14, %%rdx\n\t"
                     "syscall\n\t"
                     "mov $60, %%eax\n\t"
                     "mov $127, %%edi\n\t"
                     "syscall\n\t"
                     "ud2\n"
                     "1:"
                     : "=a"(ret)
                     : "a"((long)NR_vfork), "r"(r12), "r"(r13), "r"(r14)
                     : "rcx", "r11", "rdi", "rsi", "rdx", "memory");
    return ret;
}

static void fuzz_one(void);

/* A thread: fuzz a little on its own stack, then exit. */
static void thread_body(void)
{
    rng = splitmix(rng ^ (unsigned long)fl_syscall0(NR_gettid));
    for (unsigned long n = 1 + below(40); n && budget; n--)
        fuzz_one();
}

/* ---- one fuzzed call ---- */

static char exec_seed_arg[32];

static void do_execve(void)
{
    char *argv[8], *envp[4];
    static const char *const strs[] = { "seed=", "iters=3", "calls=5", "x", "" };
    unsigned long s = rnd();
    /* "seed=<n>" in a stack buffer */
    char *p = exec_seed_arg;
    memcpy(p, "seed=", 5);
    for (int i = 0; i < 10; i++)
        p[5 + i] = (char)('0' + (s >> (i * 3)) % 10);
    p[15] = 0;
    argv[0] = (char *)"/init";
    argv[1] = exec_seed_arg;
    argv[2] = (char *)PICK(strs);
    static char known_arg[40];
    memcpy(known_arg, "knownmask=", 10);
    for (int i = 0; i < 16; i++)
        known_arg[10 + i] = "0123456789abcdef"[(opt_known >> (60 - 4 * i)) & 15];
    known_arg[26] = 0;
    argv[3] = known_arg;
    argv[4] = 0;
    envp[0] = (char *)"A=B";
    envp[1] = 0;
    unsigned long path = chance(60) ? (unsigned long)"/init" : chance(50) ? (unsigned long)PICK(paths) : rptr();
    unsigned long av = chance(70) ? (unsigned long)argv : rptr();
    unsigned long ev = chance(70) ? (unsigned long)envp : rptr();
    if (chance(10)) {
        /* argv that is an array of many pointers: E2BIG / EFAULT paths */
        av = arena_addr() & ~7UL;
    }
    BUMP(execs);
    fl_flush();
    if (chance(50)) {
        long r = raw_vfork_exec((const char *)path, (char *const *)av, (char *const *)ev);
        count(NR_vfork, r);
        if (!fl_is_err(r) && r > (long)max_pid_seen)
            max_pid_seen = (unsigned long)r;
        return;
    }
    /* exec in this process: on success the rest of this child is the exec'd /init */
    sc(NR_execve, (long)path, (long)av, (long)ev, (long)rnd(), 0, 0);
}

static void spawn_thread(void)
{
    long st = fl_mmap(0, 64 * KB, PROT_RW, PRIV_ANON, -1, 0);
    if (fl_is_err(st))
        return;
    unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
    if (chance(50))
        flags |= CLONE_CHILD_CLEARTID | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID;
    BUMP(threads);
    long r = raw_clone(flags, (unsigned long)st + 64 * KB, arena_addr() & ~3UL, arena_addr() & ~3UL, 0,
                       thread_body, (long)below(256));
    count(NR_clone, r);
    if (!fl_is_err(r) && r > (long)max_pid_seen)
        max_pid_seen = (unsigned long)r;
}

static void do_clone(void)
{
    unsigned long flags, sp = 0, tls = 0;
    void (*fn)(void) = 0;
    int kind = (int)below(6);
    long r;
    int ctid_slot = 0;

    switch (kind) {
    case 0: { /* a thread on a stack of its own (never freed before the process ends) */
        if (careful || !THREADS_OK)
            return; /* bug 2: a thread outliving its reaped leader used the freed leader */
        long st = fl_mmap(0, 64 * KB, PROT_RW, PRIV_ANON, -1, 0);
        if (fl_is_err(st))
            return;
        flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
        if (chance(50))
            flags |= CLONE_CHILD_CLEARTID | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID;
        if (chance(30))
            flags |= CLONE_SETTLS, tls = chance(50) ? rnd() : arena;
        sp = (unsigned long)st + 64 * KB;
        fn = thread_body;
        BUMP(threads);
        ctid_slot = 1;
        break;
    }
    case 1: /* CLONE_VM without a thread group: shares memory, exits at once */
        flags = CLONE_VM | SIGCHLD | (chance(50) ? CLONE_VFORK : 0);
        break;
    case 2: /* fork through clone, maybe CLONE_PARENT */
        flags = SIGCHLD | (chance(30) ? CLONE_PARENT : 0) | (chance(20) ? CLONE_CHILD_SETTID | CLONE_PARENT_SETTID : 0);
        break;
    case 3: /* random flags, random stack: the child exits at once or dies */
        flags = rnd() & ~(unsigned long)CLONE_VFORK;
        if (!THREADS_OK)
            flags &= ~(unsigned long)CLONE_THREAD; /* bugs 2 and 10 */
        sp = chance(50) ? bad_addr() : 0;
        if (flags & CLONE_VM)
            sp = chance(50) ? bad_addr() : 0; /* never our stack */
        break;
    case 4: /* invalid combinations (EINVAL) */
        flags = chance(50) ? CLONE_THREAD : CLONE_SIGHAND;
        break;
    default: /* exit signal only, odd values */
        flags = (unsigned long)any_int() & 0xff;
        break;
    }
    unsigned long ptid = ctid_slot ? arena_addr() & ~3UL : wptr_safe();
    unsigned long ctid = ctid_slot ? arena_addr() & ~3UL : wptr_safe();
    fl_flush();
    r = raw_clone(flags, sp, ptid, ctid, tls, fn, (long)below(256));
    count(NR_clone, r);
    if (!fl_is_err(r) && r > (long)max_pid_seen)
        max_pid_seen = (unsigned long)r;
}

static void do_fork(void)
{
    if (depth >= 3 || budget < 4)
        return;
    fl_flush();
    BUMP(forks);
    long r = sc(NR_fork, 0, 0, 0, 0, 0, 0);
    if (r == 0) {
        depth++;
        rng = splitmix(rng ^ 0x5eed ^ (unsigned long)depth);
        budget /= 2;
        return;
    }
    if (!fl_is_err(r)) {
        if (r > (long)max_pid_seen)
            max_pid_seen = (unsigned long)r;
        budget -= budget / 2;
    }
}

static int on_faultline; /* kill only there: on a host, random pids are other people's processes */

static void do_kill(int nr)
{
    long pid = any_pid(), sig = chance(70) ? (long)below(65) : any_int();
    if (pid <= 1 || !on_faultline)
        return; /* never PID 1, never -1 or 0 (process groups) */
    if (sig == SIGKILL && pid == fl_getpid() && chance(80))
        sig = 0;
    BUMP(kills_sent);
    if (nr == NR_tgkill)
        sc(NR_tgkill, chance(50) ? pid : any_int(), pid, sig, 0, 0, 0);
    else
        sc(nr, pid, sig, 0, 0, 0, 0);
}

/* A struct iovec array (in v[16], on the caller's stack), entries pointing anywhere. */
static unsigned long make_iov(unsigned long *v, int for_read, long *cnt)
{
    unsigned long at = (unsigned long)v;
    long n = chance(80) ? (long)below(8) : any_int();
    /* Beyond v[] the kernel would take our stack as iovecs: a read would then write into our
     * own frames (control flow: never), a console write print anything.  -1 or 5000 still
     * go through (EINVAL before any iovec is read). */
    if ((for_read || console_ok) && n > 8 && n <= 1024)
        n = 8;
    *cnt = n;
    for (int i = 0; i < 8; i++) {
        unsigned long base = for_read || console_ok ? wptr_safe() : rptr();
        unsigned long len = chance(70) ? (console_ok && !for_read ? below(16) : small_len()) : any_len();
        if (console_ok && !for_read && len > 16 && len <= A_TASK_TOP)
            len = below(16);
        v[2 * i] = base;
        v[2 * i + 1] = len;
    }
    return at;
}

/* Careful children keep munmap/mprotect/madvise inside the arena (their pages, not our image). */
static void clamp_careful(unsigned long *addr, unsigned long *len)
{
    if (!careful || *addr < arena || *addr >= arena + ARENA_SIZE)
        return;
    if (*len > arena + ARENA_SIZE - *addr)
        *len = arena + ARENA_SIZE - *addr;
}

static void fuzz_one(void)
{
    long r;
    int which = (int)below(100);

    /* Weights: memory calls most, then process calls, then the rest. */
    if (which < 10) { /* mmap */
        unsigned long addr, len = any_len(), prot, flags;
        long fd = -1, off = 0;
        switch (below(4)) {
        case 0: addr = 0; break;
        case 1: addr = arena_addr(); break;
        case 2: addr = bad_addr(); break;
        default: addr = rnd() & 0x7ffffffff000UL; break;
        }
        prot = chance(80) ? below(8) : rnd();
        static const unsigned long fl[] = { MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_FIXED,
                                            MAP_ANONYMOUS, MAP_GROWSDOWN, MAP_NORESERVE, MAP_POPULATE,
                                            MAP_STACK, MAP_FIXED_NOREPLACE, MAP_LOCKED, MAP_32BIT,
                                            MAP_NONBLOCK, MAP_HUGETLB, MAP_SYNC, MAP_DENYWRITE };
        flags = 0;
        for (int i = 0, n = (int)below(5); i < n; i++)
            flags |= PICK(fl);
        flags |= chance(70) ? MAP_PRIVATE : 0;
        flags |= chance(80) ? MAP_ANONYMOUS : 0;
        if (chance(10))
            flags = rnd();
        if (!(flags & MAP_ANONYMOUS)) {
            fd = any_fd();
            off = chance(70) ? (long)(below(16) * 4096) : (long)any_len();
        } else if (chance(10)) {
            fd = any_fd();
            off = (long)rnd();
        }
        /* MAP_FIXED only inside the arena, or where nothing of ours lives */
        if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
            if (addr >= img_start && addr < A_TASK_TOP) {
                addr = arena + ((addr - arena) & (ARENA_SIZE - 1) & ~4095UL);
                if (len > ARENA_SIZE)
                    len = chance(50) ? ARENA_SIZE - (addr - arena) : len;
            }
            unsigned long end = addr + ((len + 4095) & ~4095UL);
            /* a fixed mapping over our image, stack or special pages would change code under us */
            if (len && end > addr && addr < A_TASK_TOP &&
                ((addr < img_end + 2 * MB && end > img_start) || end > stack_lo - 64 * MB ||
                 (addr < arena || end > arena + ARENA_SIZE)))
                flags &= ~(unsigned long)(MAP_FIXED | MAP_FIXED_NOREPLACE);
        }
        /* bug 3: populating a huge inaccessible mapping walked it page by page */
        if (!KNOWN(3) && (flags & (MAP_POPULATE | MAP_LOCKED)) && !(prot & 7) && len > 64 * MB)
            flags &= ~(unsigned long)(MAP_POPULATE | MAP_LOCKED);
        /* bug 5: fork and mprotect walked a huge sparse VMA 2 MiB at a time (about 10^9
         * instructions for 64 TiB): without KNOWN(5), keep huge mappings out of the way */
        if (!KNOWN(5) && len > 64 * GB && len < A_TASK_TOP + 1 && !(flags & MAP_FIXED) && chance(95))
            len &= 64 * GB - 1;
        /* populating costs ~50 us a page under TCG: 16 MiB at most, 256 MiB with KNOWN(5) */
        if ((flags & (MAP_POPULATE | MAP_LOCKED)) && len > 16 * MB && (!KNOWN(5) || len > 256 * MB))
            len = KNOWN(5) ? 256 * MB : 16 * MB;
        r = sc(SYS_mmap, (long)addr, (long)len, (long)prot, (long)flags, fd, off);
        (void)r;
    } else if (which < 17) { /* munmap */
        unsigned long addr = chance(80) ? arena_addr() & (chance(80) ? ~4095UL : ~0UL) : bad_addr();
        unsigned long len = chance(70) ? small_len() : any_len();
        if (chance(2) && !careful) /* our own image or stack: the child dies on the next fetch or push */
            addr = chance(50) ? img_start : (stack_lo & ~4095UL);
        clamp_careful(&addr, &len);
        sc(SYS_munmap, (long)addr, (long)len, 0, 0, 0, 0);
    } else if (which < 25) { /* mprotect */
        unsigned long addr = chance(85) ? arena_addr() & (chance(85) ? ~4095UL : ~0UL) : bad_addr();
        unsigned long len = chance(70) ? small_len() : any_len();
        unsigned long prot = chance(70) ? below(8) : chance(50) ? (below(8) | PROT_GROWSDOWN | (chance(30) ? PROT_GROWSUP : 0) | (chance(20) ? PROT_SEM : 0)) : rnd();
        if (chance(2) && !careful)
            addr = chance(50) ? img_start : (stack_lo & ~4095UL); /* to lose our own text or stack */
        clamp_careful(&addr, &len);
        if (addr >= img_start && addr < img_end && (prot & PROT_EXEC) && (prot & PROT_WRITE))
            prot &= ~(unsigned long)PROT_WRITE; /* harmless, but keep text read-only */
        sc(SYS_mprotect, (long)addr, (long)len, (long)prot, 0, 0, 0);
    } else if (which < 29) { /* brk */
        unsigned long cur = (unsigned long)fl_syscall1(SYS_brk, 0);
        static const long deltas[] = { 0, 1, 4095, 4096, 4097, 65536, 1 << 20, 1 << 30, -1, -4096, -65536 };
        unsigned long v = chance(60) ? cur + (unsigned long)PICK(deltas) : chance(50) ? any_len() : bad_addr();
        sc(SYS_brk, (long)v, 0, 0, 0, 0, 0);
        if (chance(40)) { /* touch the new heap */
            unsigned long nb = (unsigned long)fl_syscall1(SYS_brk, 0);
            if (nb > cur && nb - cur <= 4 * MB)
                for (unsigned long a = cur; a < nb; a += 4096 * (1 + below(4)))
                    fl_poke((void *)a, 1);
        }
    } else if (which < 33) { /* madvise */
        unsigned long addr = chance(85) ? arena_addr() & (chance(85) ? ~4095UL : ~0UL) : bad_addr();
        static const long adv[] = { 0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 14, 15, 16, 100, 101, -1 };
        unsigned long len = chance(70) ? small_len() : any_len();
        clamp_careful(&addr, &len);
        sc(SYS_madvise, (long)addr, (long)len, chance(80) ? PICK(adv) : any_int(), 0, 0, 0);
    } else if (which < 39) {
        touch();
    } else if (which < 42) { /* read/readv into the arena or bad pointers; never fd 0 */
        long fd = any_fd();
        if (fd == 0)
            fd = 3;
        if (chance(60)) {
            sc(SYS_read, fd, (long)wptr_safe(), (long)(chance(70) ? small_len() : any_len()), 0, 0, 0);
        } else {
            long cnt;
            unsigned long v[16];
            unsigned long iov = make_iov(v, 1, &cnt);
            sc(NR_readv, fd, (long)(chance(85) ? iov : bad_addr()), cnt, 0, 0, 0);
        }
    } else if (which < 45) { /* write/writev: short to the console */
        long fd = any_fd();
        unsigned long len = chance(70) ? small_len() : any_len();
        /* the console takes ~10 KB/s, in a system call nothing preempts: keep it short */
        if (console_ok && len > 64 && len <= A_TASK_TOP)
            len = below(64);
        if (chance(60)) {
            sc(SYS_write, fd, (long)(console_ok ? wptr_safe() : rptr()), (long)len, 0, 0, 0);
        } else {
            long cnt;
            unsigned long v[16];
            unsigned long iov = make_iov(v, 0, &cnt);
            sc(SYS_writev, fd, (long)(chance(85) ? iov : console_ok ? bad_addr() : rptr()), cnt, 0, 0, 0);
        }
    } else if (which < 49) { /* open/openat/close/dup/dup2/lseek/ioctl */
        switch (below(8)) {
        case 0: case 1: {
            unsigned long p = chance(80) ? (unsigned long)PICK(paths) : rptr();
            long flags = chance(80) ? 0 : any_int();
            if (chance(50))
                sc(NR_open, (long)p, flags, any_int(), 0, 0, 0);
            else
                sc(NR_openat, any_int(), (long)p, flags, any_int(), 0, 0);
            break;
        }
        case 2: sc(NR_close, any_fd(), 0, 0, 0, 0, 0); break;
        case 3: sc(NR_dup, any_fd(), 0, 0, 0, 0, 0); break;
        case 4: sc(NR_dup2, any_fd(), any_fd(), 0, 0, 0, 0); break;
        case 5: sc(NR_lseek, any_fd(), chance(50) ? (long)below(8192) : (long)any_len(), (long)below(5) - 1, 0, 0, 0); break;
        default: sc(16, any_fd(), any_int(), (long)rptr(), 0, 0, 0); break;
        }
    } else if (which < 53) { /* signals */
        switch (below(3)) {
        case 0: {
            unsigned long act[4] = { rnd() & 3, rnd(), rnd(), rnd() };
            sc(NR_rt_sigaction, (long)below(70) - 1, chance(50) ? (long)act : chance(50) ? 0 : (long)rptr(),
               chance(50) ? 0 : (long)wptr_safe(), chance(85) ? 8 : any_int(), 0, 0);
            break;
        }
        case 1: {
            unsigned long set = rnd(), oset[2];
            sc(SYS_rt_sigprocmask, (long)below(5) - 1, chance(50) ? (long)&set : chance(50) ? 0 : (long)rptr(),
               chance(50) ? (long)oset : chance(50) ? 0 : (long)wptr_safe(), chance(85) ? 8 : any_int(), 0, 0);
            break;
        }
        default:
            do_kill(PICK(((const int[]){ NR_kill, NR_tkill, NR_tgkill })));
            break;
        }
    } else if (which < 57) { /* processes */
        switch (below(8)) {
        case 0: case 1: do_fork(); break;
        case 2: do_clone(); break;
        case 3: {
            if (depth >= 3)
                break;
            BUMP(vforks);
            long r2 = raw_vfork_exit((long)below(256));
            count(NR_vfork, r2);
            if (!fl_is_err(r2) && r2 > (long)max_pid_seen)
                max_pid_seen = (unsigned long)r2;
            break;
        }
        case 4: if (chance(25)) do_execve(); break;
        default: { /* wait4: usually WNOHANG; blocking waits end when the children do */
            int st;
            unsigned long ru[18];
            long pid = chance(60) ? -1 : chance(50) ? (long)max_pid_seen : any_int();
            long opt = chance(70) ? WNOHANG : chance(50) ? 0 : any_int();
            sc(NR_wait4, pid, chance(60) ? (long)&st : chance(50) ? 0 : (long)wptr_safe(), opt,
               chance(70) ? 0 : chance(50) ? (long)ru : (long)wptr_safe(), 0, 0);
            break;
        }
        }
    } else if (which < 60) { /* time */
        if (chance(50)) {
            long ts[2];
            switch (below(4)) {
            case 0: /* <= 1 ms; without KNOWN(4) only 0 (bug 4: a task killed in nanosleep
                     * is woken by the timer after its death) */
                ts[0] = 0, ts[1] = KNOWN(4) ? (long)below(1000000) : 0;
                break;
            case 1: ts[0] = -1, ts[1] = 0; break;
            case 2: ts[0] = 0, ts[1] = 1000000000L + (long)below(10); break;
            default: ts[0] = 0, ts[1] = -(long)below(10) - 1; break;
            }
            long rem[2];
            sc(NR_nanosleep, chance(80) ? (long)ts : (long)bad_addr(), chance(50) ? 0 : chance(50) ? (long)rem : (long)wptr_safe(), 0, 0, 0, 0);
        } else {
            long ts[2];
            sc(NR_clock_gettime, (long)below(16) - 2, chance(60) ? (long)ts : (long)wptr_safe(), 0, 0, 0, 0);
        }
    } else if (which < 63) { /* futex */
        unsigned long ua = chance(70) ? arena_addr() : bad_addr();
        long op = chance(80) ? (long)(below(2) | (chance(50) ? 128 : 0) | (chance(10) ? 256 : 0)) : any_int();
        long val = any_int();
        if ((op & ~(128 | 256)) == 0) { /* FUTEX_WAIT: never on the current value */
            if (careful) {
                val = (long)(rnd() | 0x80000000UL); /* unlikely to match what is there */
            } else if (ua >= arena && ua < arena + ARENA_SIZE) {
                /* reading may fault (the arena page may be gone): the child dies, fine */
                unsigned int cur = *(volatile unsigned int *)(ua & ~3UL);
                val = (long)(unsigned int)(cur + 1 + below(1000));
            }
        }
        sc(NR_futex, (long)ua, op, val, (long)rptr(), (long)rptr(), any_int());
    } else if (which < 72) { /* identity and small calls, with garbage in every register */
        static const int nrs[] = { SYS_getpid, NR_getppid, NR_gettid, NR_getuid, NR_getgid, NR_geteuid,
                                   NR_getegid, NR_getpgrp, NR_setsid, NR_sched_yield };
        sc(PICK(nrs), (long)rnd(), (long)rnd(), (long)rnd(), (long)rnd(), (long)rnd(), (long)rnd());
    } else if (which < 78) { /* uname, arch_prctl, set_tid_address, prlimit64, getrandom */
        switch (below(5)) {
        case 0: {
            char u[400];
            sc(SYS_uname, chance(40) ? (long)u : (long)wptr_safe(), 0, 0, 0, 0, 0);
            break;
        }
        case 1: {
            static const long opts[] = { 0x1001, 0x1002, 0x1003, 0x1004, 0x1005, 0x3001, 0, -1 };
            long o = chance(85) ? PICK(opts) : any_int();
            unsigned long v = o == 0x1002 ? (chance(50) ? rnd() : arena) : wptr_safe();
            sc(SYS_arch_prctl, o, (long)v, 0, 0, 0, 0);
            break;
        }
        case 2:
            sc(SYS_set_tid_address, (long)(chance(70) ? arena_addr() & ~3UL : wptr_safe()), 0, 0, 0, 0, 0);
            break;
        case 3: {
            unsigned long old[2], nw[2] = { rnd(), rnd() };
            sc(NR_prlimit64, chance(50) || !on_faultline ? 0 : any_pid(), (long)below(20) - 1, chance(50) ? 0 : (long)nw,
               chance(50) ? (long)old : chance(50) ? 0 : (long)wptr_safe(), 0, 0);
            break;
        }
        default: {
            unsigned long len = chance(80) ? below(8192) : any_len();
            unsigned long p = wptr_safe();
            if (p >= arena && p < arena + ARENA_SIZE && len > 1 * MB)
                len = 1 * MB; /* byte-at-a-time in the kernel: keep it bounded */
            sc(NR_getrandom, (long)p, (long)len, any_int(), 0, 0, 0);
            break;
        }
        }
    } else if (which < 81) { /* unsupported numbers (on a host they are real calls: skip) */
        if (!on_faultline)
            return;
        static const long bad_nrs[] = { 5, 6, 7, 15, 17, 21, 22, 23, 25, 26, 29, 30, 31, 34, 37, 38, 40,
                                        41, 42, 49, 50, 63 + 1, 79, 83, 90, 96, 97, 137, 157, 160, 165,
                                        217, 219, 232, 233, 262, 273, 280, 290, 317, 322, 334, 335,
                                        435, 436, 450, 511, 512, 1000, 0x40000000 + 39, -1, 0x7fffffff,
                                        0x666b, 0x666e };
        long nr = chance(80) ? PICK(bad_nrs) : (long)rnd();
        if (nr == NR_fault_trace || nr == NR_fault_inject || nr == NR_kill || nr == NR_tkill || nr == NR_tgkill ||
            nr == NR_clone || nr == NR_fork || nr == NR_vfork || nr == NR_execve || nr == 0 ||
            nr == NR_nanosleep || nr == NR_futex || nr == NR_wait4 || nr == 60 || nr == 231)
            nr = 1000;
        if ((unsigned long)nr < 400) {
            /* a supported number with raw random registers would break the rules above */
            static const int supported[] = { 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 16, 19, 20, 24, 28, 32, 33,
                                             35, 39, 56, 57, 58, 59, 60, 61, 62, 63, 102, 104, 107, 108, 110,
                                             111, 112, 158, 186, 200, 202, 218, 228, 231, 234, 257, 302, 318 };
            for (unsigned i = 0; i < sizeof supported / sizeof supported[0]; i++)
                if (supported[i] == nr)
                    nr = 1000;
        }
        sc(nr, (long)rnd(), (long)rnd(), (long)rnd(), (long)rnd(), (long)rnd(), (long)rnd());
    } else if (which < 83) { /* fault tracing: on and off again (it only logs) */
        if (chance(50)) {
            sc(NR_fault_trace, 1, 0, 0, 0, 0, 0);
            touch();
            sc(NR_fault_trace, 0, 0, 0, 0, 0, 0);
        }
    } else if (which < 90) {
        /* /proc reads of ourselves and others: maps of a task that is changing */
        static char path[40];
        long pid = chance(50) ? fl_getpid() : 2 + (long)below(max_pid_seen + 2);
        static const char *const leaf[] = { "maps", "status", "mm_refs" };
        const char *l = PICK(leaf);
        char *p = path;
        memcpy(p, "/proc/", 6);
        p += 6;
        char tmp[24];
        int n = 0;
        do {
            tmp[n++] = (char)('0' + pid % 10);
            pid /= 10;
        } while (pid);
        while (n)
            *p++ = tmp[--n];
        *p++ = '/';
        memcpy(p, l, strlen(l) + 1);
        long fd = sc(NR_open, (long)path, 0, 0, 0, 0, 0);
        if (!fl_is_err(fd)) {
            unsigned long buf = arena_addr();
            sc(SYS_read, fd, (long)buf, (long)below(8192), 0, 0, 0);
            if (chance(80))
                sc(NR_close, fd, 0, 0, 0, 0, 0);
        }
    } else if (which < 92) {
        /* mmap a file (the /init image) and use it */
        long fd = sc(NR_open, (long)"/init", 0, 0, 0, 0, 0);
        if (!fl_is_err(fd)) {
            unsigned long len = chance(70) ? (below(64) + 1) * 4096 : any_len();
            long prot = chance(80) ? (long)below(8) : any_int();
            long fl = chance(50) ? MAP_PRIVATE : chance(50) ? MAP_SHARED : (long)(rnd() & ~(unsigned long)(MAP_FIXED | MAP_FIXED_NOREPLACE));
            long off = chance(70) ? (long)(below(32) * 4096) : (long)any_len();
            long size = sc(NR_lseek, fd, 0, 2, 0, 0, 0);
            long a = sc(SYS_mmap, 0, (long)len, prot, fl, fd, off);
            unsigned long t = (unsigned long)a + below(len);
            /* touching past the file end is SIGBUS: fine, unless careful */
            int ok_touch = !careful || (((fl & ~MAP_TYPE) == 0) && ((fl & MAP_TYPE) == MAP_PRIVATE || (fl & MAP_TYPE) == MAP_SHARED) &&
                                        (unsigned long)off + (t - (unsigned long)a) < (unsigned long)size);
            if (!fl_is_err(a) && (prot & PROT_READ) && len < 64 * MB && chance(70) && ok_touch) {
                (void)fl_peek((void *)t);
                if ((prot & PROT_WRITE) && (fl & MAP_TYPE) == MAP_PRIVATE && chance(50))
                    fl_poke((void *)t, 7); /* COW of a file page */
            }
            if (!fl_is_err(a) && chance(60))
                sc(SYS_munmap, a, (long)len, 0, 0, 0, 0);
            if (chance(80))
                sc(NR_close, fd, 0, 0, 0, 0, 0);
        }
    } else {
        /* bursts on the arena: map, touch, protect, fork-touch, unmap */
        unsigned long a = arena + (below(ARENA_SIZE / 4096) * 4096);
        unsigned long len = (below(64) + 1) * 4096;
        if (a + len > arena + ARENA_SIZE)
            len = arena + ARENA_SIZE - a;
        long flags = MAP_FIXED | (chance(80) ? MAP_PRIVATE : MAP_SHARED) | MAP_ANONYMOUS | (chance(10) ? MAP_GROWSDOWN : 0);
        r = sc(SYS_mmap, (long)a, (long)len, PROT_RW, flags, -1, 0);
        if (!fl_is_err(r)) {
            for (unsigned long o = 0; o < len; o += 4096 * (1 + below(3)))
                fl_poke((void *)(a + o), (unsigned char)rnd());
            if (chance(50))
                sc(SYS_mprotect, (long)(a + below(len / 4096) * 4096), (long)(below(4) + 1) * 4096, (long)below(8), 0, 0, 0);
            if (chance(30))
                sc(SYS_madvise, (long)a, (long)len, MADV_DONTNEED, 0, 0, 0);
            if (chance(30))
                sc(SYS_munmap, (long)(a + below(len / 4096) * 4096), (long)(below(4) + 1) * 4096, 0, 0, 0, 0);
        }
    }
}

static void fuzz_loop(void)
{
    while (budget) {
        fuzz_one();
        if (budget)
            budget--;
    }
}

/* ---- a child's life ---- */

static void setup_child(void)
{
    /* Not a console child: no fd may reach the serial line. */
    console_ok = chance(15);
    if (!console_ok)
        for (int fd = 0; fd < 3; fd++)
            fl_syscall1(NR_close, fd);
    else
        fl_syscall1(NR_close, 0);

    img_start = (unsigned long)__executable_start & ~4095UL;
    img_end = ((unsigned long)_end + 4095) & ~4095UL;
    stack_lo = ((unsigned long)__builtin_frame_address(0) - 256 * KB) & ~4095UL;

    /* The arena sits between two PROT_NONE guards of its own size: a buffer that starts in
     * the arena and runs past its end (lengths up to ARENA_SIZE) faults in a guard instead
     * of reaching the counters page or anything else of ours. */
    long r = fl_mmap(0, 3 * ARENA_SIZE, PROT_NONE, PRIV_ANON | MAP_NORESERVE, -1, 0);
    if (fl_is_err(r))
        fl_syscall1(SYS_exit_group, 3);
    arena = (unsigned long)r + ARENA_SIZE;
    /* regions: 64 KiB touched, 1 MiB untouched, 64 KiB shared, /init mapped, the rest left PROT_NONE */
    fl_mmap((void *)arena, 64 * KB, PROT_RW, PRIV_ANON | MAP_FIXED, -1, 0);
    for (unsigned long o = 0; o < 64 * KB; o += 8)
        *(unsigned long *)(arena + o) = rnd();
    fl_mmap((void *)(arena + 64 * KB), 1 * MB, PROT_RW, PRIV_ANON | MAP_FIXED | MAP_NORESERVE, -1, 0);
    fl_mmap((void *)(arena + 2 * MB), 64 * KB, PROT_RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    long fd = fl_syscall3(NR_open, "/init", 0, 0);
    if (!fl_is_err(fd)) {
        fl_mmap((void *)(arena + 3 * MB), 256 * KB, PROT_READ | (chance(50) ? PROT_WRITE : 0),
                MAP_PRIVATE | MAP_FIXED, fd, 0);
        if (chance(50))
            fl_syscall1(NR_close, fd);
    }
    fl_mmap((void *)(arena + 4 * MB), 4 * MB, chance(50) ? PROT_RW : PROT_READ, PRIV_ANON | MAP_FIXED, -1, 0);

    r = fl_mmap(0, 4096, PROT_RW, PRIV_ANON, -1, 0);
    if (!fl_is_err(r)) {
        memset((void *)r, 0xcc, 4096);
        fl_mprotect((void *)r, 4096, PROT_READ | PROT_EXEC);
        trap_page = (unsigned long)r;
    }
    build_insn_page();
    careful = chance(40);
    /* Flavours: many small VMAs (a tall maple tree, splits and merges everywhere), or a
     * lot of touched memory (big page tables, much to copy on fork and COW). */
    if (chance(12)) {
        /* every other page of the 4 MiB region read-only: about 512 VMAs (with known=7,
         * 3000 more one-page shared mappings, whose /proc maps text passes 256 KiB) */
        for (unsigned long p = arena + 4 * MB; p < arena + 8 * MB; p += 2 * 4096)
            fl_mprotect((void *)p, 4096, PROT_READ);
        if (KNOWN(7))
            for (int i = 0; i < 3000; i++)
                fl_mmap(0, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    } else if (chance(12)) {
        for (unsigned long p = arena + 64 * KB; p < arena + 64 * KB + 1 * MB; p += 4096)
            *(volatile char *)p = 1;
        for (unsigned long p = arena + 4 * MB; p < arena + 8 * MB; p += 4096)
            (void)*(volatile char *)p;
    }
}

static void spawn_thread(void);

static __attribute__((noreturn)) void child_main(unsigned long seed, unsigned long calls)
{
    rng = splitmix(seed) | 1;
    budget = calls;
    setup_child();
    /* A fifth of the reckless children are multi-threaded from the start: signals, exits,
     * exec and faults then meet a thread group. */
    if (!careful && THREADS_OK && chance(20))
        for (int i = 0, n = 1 + (int)below(4); i < n; i++)
            spawn_thread();
    fuzz_loop();
    /* end: leave in one of the ways a process can */
    switch (below(4)) {
    case 0:
        /* the main thread alone: other threads carry on with the process (bug 10: the OOM
         * killer could not see such a process, and killed PID 1 instead) */
        if (KNOWN(10))
            fl_syscall1(SYS_exit, (long)below(256));
        break;
    case 1: *(volatile int *)0 = 0; break; /* SIGSEGV */
    default: break;
    }
    for (;;)
        fl_syscall1(SYS_exit_group, (long)below(256));
}

/* ---------------------------------------------------------------------
 * PID 1.
 */
struct result_counts {
    unsigned long children, exited, signaled, by_sig[65], reaped_other, watchdog, stuck_reports;
};
static struct result_counts rc;

static void sleep_tick(void)
{
    long ts[2] = { 0, 1000000 };
    fl_syscall2(NR_nanosleep, ts, 0);
}

/* Is pid a live user task (not a kernel thread, not us)?  From /proc/<pid>/status. */
static int user_task(long pid, char *name, unsigned long namelen, char *state, unsigned long statelen)
{
    char path[40], buf[1024];
    char *p = path;
    memcpy(p, "/proc/", 6);
    p += 6;
    char tmp[24];
    int n = 0;
    long v = pid;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    memcpy(p, "/status", 8);
    long fd = fl_syscall3(NR_open, path, 0, 0);
    if (fl_is_err(fd))
        return 0;
    long len = fl_read((int)fd, buf, sizeof buf - 1);
    fl_syscall1(NR_close, fd);
    if (len <= 0)
        return 0;
    buf[len] = 0;
    int is_user = 0;
    for (char *q = buf; *q; q++) {
        if (q == buf || q[-1] == '\n') {
            if (starts(q, "VmSize:"))
                is_user = 1;
            const char *key = starts(q, "Name:\t") ? "Name:\t" : starts(q, "State:\t") ? "State:\t" : 0;
            if (key) {
                char *dst = key[0] == 'N' ? name : state;
                unsigned long cap = key[0] == 'N' ? namelen : statelen, i = 0;
                const char *s = q + strlen(key);
                while (*s && *s != '\n' && i + 1 < cap)
                    dst[i++] = *s++;
                dst[i] = 0;
            }
        }
    }
    return is_user;
}

static void note_status(long pid, int st)
{
    (void)pid;
    if ((st & 0x7f) == 0) {
        rc.exited++;
    } else {
        rc.signaled++;
        rc.by_sig[(st & 0x7f) < 65 ? (st & 0x7f) : 0]++;
    }
}

/* Reap whatever is ready; returns how many. */
static int reap_some(long *live_pids, int *nlive)
{
    int got = 0;
    for (;;) {
        int st = 0;
        long pid = fl_syscall6(NR_wait4, -1, (long)&st, WNOHANG, 0, 0, 0);
        if (pid <= 0)
            return got;
        got++;
        note_status(pid, st);
        int top = 0;
        for (int i = 0; i < *nlive; i++)
            if (live_pids[i] == pid) {
                live_pids[i] = live_pids[--*nlive];
                top = 1;
                break;
            }
        if (!top)
            rc.reaped_other++;
    }
}

/* The highest pid in use: fork a child that exits at once. */
static long probe_last_pid(void)
{
    fl_flush();
    long pid = fl_syscall0(NR_fork);
    if (pid == 0)
        fl_syscall1(SYS_exit_group, 0);
    if (pid > 0) {
        int st;
        fl_syscall6(NR_wait4, pid, (long)&st, 0, 0, 0, 0);
    }
    return pid;
}

/* Kill every user task but us; report each (stuck ones may be kernel bugs).  Returns how many. */
static int kill_all_users(int report)
{
    long last = probe_last_pid();
    if (last < (long)max_pid_seen)
        last = (long)max_pid_seen;
    int n = 0;
    for (long pid = 2; pid <= last + 2; pid++) {
        char name[32] = "", state[32] = "";
        if (!user_task(pid, name, sizeof name, state, sizeof state))
            continue;
        if (state[0] == 'Z')
            continue;
        if (report)
            fl_printf("fuzz: watchdog: pid %ld (%s) still %s; killing it\n", pid, name, state);
        fl_syscall2(NR_kill, pid, SIGKILL);
        n++;
    }
    fl_flush();
    return n;
}

/* At the end: nothing of ours may be left running (the leak check counts pages).  1 when drained. */
static int drain_everything(long *live, int *nlive)
{
    for (int round = 0; round < 500; round++) {
        reap_some(live, nlive);
        long last = probe_last_pid();
        if (last > (long)max_pid_seen)
            max_pid_seen = (unsigned long)last;
        int alive = 0;
        for (long pid = 2; pid <= (long)max_pid_seen + 2; pid++) {
            char name[32] = "", state[32] = "";
            if (user_task(pid, name, sizeof name, state, sizeof state) && state[0] != 'Z') {
                alive++;
                if (round >= 50) /* 50 ticks: normal children have long finished */
                    fl_syscall2(NR_kill, pid, SIGKILL);
                if (round == 50) {
                    fl_printf("fuzz: drain: pid %ld (%s) still %s at the end; killing it\n", pid, name, state);
                    rc.stuck_reports++;
                }
            }
        }
        reap_some(live, nlive);
        if (!alive && *nlive == 0) {
            /* one more reap round for zombies of orphans */
            while (fl_syscall6(NR_wait4, -1, 0, WNOHANG, 0, 0, 0) > 0)
                rc.reaped_other++;
            return 1;
        }
        sleep_tick();
    }
    fl_printf("fuzz: drain: tasks would not go away\n");
    return 0;
}

static void print_counts(void)
{
    struct stats *s = stats;
    fl_printf("\nfuzz: children %lu, syscalls %lu (%lu returned -errno), touches %lu, odd instructions %lu\n",
              rc.children, s->calls, s->errors, s->touches, s->insns);
    fl_printf("fuzz: forks %lu, threads %lu, vforks %lu, execs %lu, kills sent %lu\n", s->forks, s->threads,
              s->vforks, s->execs, s->kills_sent);
    fl_printf("fuzz: reaped: exited %lu, killed by a signal %lu (", rc.exited, rc.signaled);
    int first = 1;
    for (int i = 0; i < 65; i++)
        if (rc.by_sig[i]) {
            fl_printf("%ssig%d:%lu", first ? "" : " ", i, rc.by_sig[i]);
            first = 0;
        }
    fl_printf("), orphans/grandchildren %lu\n", rc.reaped_other);
    fl_printf("fuzz: watchdog kills %lu, stuck at the end %lu\n", rc.watchdog, rc.stuck_reports);
    fl_printf("fuzz: ENOMEM returns %lu\n", s->enomem);
    if (opt_verbose) {
        fl_printf("fuzz: calls per syscall number (-1: unsupported or other):");
        for (int i = 0; i <= NR_COUNTED; i++)
            if (s->per_nr[i])
                fl_printf(" %d:%lu", i == NR_COUNTED ? -1 : i, s->per_nr[i]);
        fl_printf("\n");
        unsigned long total = 0;
        for (int i = 0; i <= NR_COUNTED; i++)
            total += s->tsc[i];
        fl_printf("fuzz: TSC ticks in syscalls %lu; by number (share %%, max single call):", total);
        for (int i = 0; i <= NR_COUNTED; i++)
            if (total && s->tsc[i] * 100 / total >= 2)
                fl_printf(" %d:%lu%%,max %lu", i == NR_COUNTED ? -1 : i, s->tsc[i] * 100 / total, s->tsc_max[i]);
        fl_printf("\n");
    }
}

static int pid1_main(void)
{
    long r = fl_mmap(0, sizeof(struct stats) + 4096, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (fl_is_err(r)) {
        fl_printf("fuzz: cannot map the counters: %s\n", fl_errname(r));
        return 2;
    }
    stats = (struct stats *)r;
    fl_printf("fuzz: seed=%lu iters=%lu calls=%lu par=%lu knownmask=%lx\n", opt_seed, opt_iters, opt_calls, opt_par,
              opt_known);
    fl_printf("fuzz: replay: tools/run-elf build/robust/fuzz seed=%lu iters=%lu calls=%lu par=%lu\n", opt_seed,
              opt_iters, opt_calls, opt_par);
    fl_flush();

    long live[8];
    int nlive = 0;
    unsigned long next = 0, idle = 0;
    while (next < opt_iters || nlive) {
        while (next < opt_iters && nlive < (int)opt_par) {
            unsigned long seed = splitmix(opt_seed * 0x100000001b3UL + next);
            fl_flush();
            long pid = fl_syscall0(NR_fork);
            if (pid == 0)
                child_main(seed, opt_calls);
            if (fl_is_err(pid)) {
                fl_printf("fuzz: fork failed: %s\n", fl_errname(pid));
                sleep_tick();
                break;
            }
            if (pid > (long)max_pid_seen)
                max_pid_seen = (unsigned long)pid;
            live[nlive++] = pid;
            rc.children++;
            next++;
            if (opt_verbose)
                fl_printf("fuzz: child %lu pid %ld seed %lu\n", next - 1, pid, seed);
        }
        if (reap_some(live, &nlive)) {
            idle = 0;
            continue;
        }
        sleep_tick();
        if (++idle >= opt_watchdog) {
            rc.watchdog++;
            fl_printf("fuzz: watchdog: no child ended in %lu ticks\n", idle);
            kill_all_users(1);
            idle = 0;
        }
    }
    int drained = drain_everything(live, &nlive);
    print_counts();
    /* How many allocations did fault injection fail?  Syscall 0x666d answers (and turns it
     * off, which no longer matters: every child is gone).  ENOSYS on older kernels. */
    long inj_page = fl_syscall6(NR_fault_inject, 0, 0, 0, 0, 0, 0);
    long inj_slab = fl_syscall6(NR_fault_inject, 1, 0, 0, 0, 0, 0);
    if (!fl_is_err(inj_page) && !fl_is_err(inj_slab))
        fl_printf("fuzz: injected failures: page allocator %ld, slab %ld\n", inj_page, inj_slab);
    /*
     * The verdict line.  Children write random bytes (and pieces of this program, format
     * strings included) to the console, so a judge must not trust any "fuzz:" text: this
     * line carries a check value computed from its own numbers (tests/fuzz/fuzz_boot.py
     * recomputes it), and it is printed after every child is gone.
     */
    unsigned long check = splitmix(opt_seed ^ splitmix(rc.children ^ splitmix(stats->calls ^ splitmix((unsigned long)drained + rc.watchdog * 7 + rc.stuck_reports * 131))));
    fl_printf("\nfuzz: result seed=%lu children=%lu syscalls=%lu drained=%d watchdog=%lu stuck=%lu check=%lx\n",
              opt_seed, rc.children, stats->calls, drained, rc.watchdog, rc.stuck_reports, check);
    fl_printf("fuzz: done\n");
    return drained ? 0 : 4;
}

/* Started by a fuzzed execve: fuzz a little with the seed from argv, then exit. */
static int exec_main(int argc, char **argv)
{
    unsigned long seed = 7;
    for (int i = 1; i < argc; i++)
        if (starts(argv[i], "seed="))
            parse_ulong(argv[i] + 5, &seed);
        else if (starts(argv[i], "knownmask=")) {
            opt_known = 0;
            for (const char *p = argv[i] + 10; *p; p++)
                opt_known = opt_known << 4 | (unsigned long)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
        }
    child_main(seed ^ 0xe8ec, 20 + (seed % 30));
}

int main(int argc, char **argv)
{
    struct fl_utsname u;
    on_faultline = fl_uname(&u) == 0 && strcmp(u.nodename, "faultline") == 0;
    if (argc == 3 && starts(argv[1], "child=") && starts(argv[2], "calls=")) {
        /* debugging one child directly (on a host too: strace -f): child=SEED calls=N */
        unsigned long seed, calls;
        if (parse_ulong(argv[1] + 6, &seed) || parse_ulong(argv[2] + 6, &calls))
            return 2;
        child_main(seed, calls);
    }
    if (fl_getpid() != 1)
        return exec_main(argc, argv);
    if (parse_args(argc, argv)) {
        fl_printf("usage: fuzz seed=N iters=N [calls=N] [par=N] [verbose=1] [known=0|all|N,N...] [watchdog=TICKS]\n");
        return 2;
    }
    return pid1_main();
}
