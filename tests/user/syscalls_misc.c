/*
 * syscalls_misc.c - the small syscalls and user-pointer checking:
 * getpid, uname, write/writev EFAULT rules, read EOF on stdin, ioctl,
 * rt_sigprocmask, arch_prctl, set_tid_address, unknown syscalls.
 *
 * Host notes (what the host did; checks were chosen to avoid these):
 *  - A write() whose buffer starts readable and runs into an unmapped page
 *    is NOT all-or-nothing and depends on the file type of fd 1: a regular
 *    file returns the short count, a pipe returns EFAULT, /dev/null returns
 *    the full count without reading the buffer at all.  So only buffers whose
 *    FIRST byte is inaccessible are tested, and the host oracle must run with
 *    stdout redirected to a regular file (run-host.sh does that), never
 *    /dev/null (which would not report EFAULT).
 *  - read(0, bad pointer, n) on /dev/null returns 0 (EOF) without looking at
 *    the pointer, so read() EFAULT is not tested.
 *  - "Unknown" syscall numbers must really be unassigned: 333 is
 *    io_pgetevents, 334 rseq, 335 uretprobe (6.11+: KILLS the caller with
 *    SIGILL when not called from a uretprobe trampoline - the host did
 *    that), 336 uprobe (6.16+, ENXIO), 424-46x are the newer syscalls.  Only
 *    500, 1000 and -1 are used.
 *  - writev with a total length above SSIZE_MAX but no negative iov_len is
 *    clamped to MAX_RW_COUNT (then EFAULT here), not EINVAL; not tested.
 *  - write(fd, p, 0) still does the access_ok() range check: NULL or an
 *    unmapped user page with count 0 gives 0, a kernel-half or non-canonical
 *    pointer gives EFAULT.
 *  - Output contains 8 NUL bytes (the write from a never-touched page).
 */
#include "fl_user.h"

#define PG PAGE_SIZE

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define TIOCGWINSZ  0x5413
#define TCGETS      0x5401

static void yesno(const char *label, int v)
{
    fl_printf("%s: %s\n", label, v ? "yes" : "no");
}

/* print "label: " then do a write() to fd 1 and report its result; the
 * buffers used here are all invalid or empty, so nothing else is printed */
static void try_write(const char *label, const void *buf, size_t n)
{
    fl_printf("%s: ", label);
    fl_flush();
    long r = fl_write(1, buf, n);
    fl_printf("%s\n", fl_is_err(r) ? fl_errname(r) : (r == 0 ? "0" : "nonzero"));
}

static void try_writev(const char *label, const struct fl_iovec *iov, int cnt)
{
    fl_printf("%s: ", label);
    fl_flush();
    long r = fl_writev(1, iov, cnt);
    fl_printf("%s\n", fl_is_err(r) ? fl_errname(r) : (r == 0 ? "0" : "nonzero"));
}

static unsigned long fs_read0(void)
{
    unsigned long v;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
    return v;
}

static unsigned long tls_block[4];

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;

    /* ---- getpid ---- */
    long pid = fl_getpid();
    yesno("getpid() > 0", pid > 0);
    yesno("getpid() stable", fl_getpid() == pid);

    /* ---- uname ---- */
    {
        struct fl_utsname u;
        memset(&u, 0x7f, sizeof u);
        fl_check_val("uname(&buf)", fl_uname(&u));
        int term = 1;
        const char *f[] = {u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname};
        for (int i = 0; i < 6; i++) {
            int t = 0;
            for (int j = 0; j < 65; j++)
                t |= f[i][j] == 0;
            term &= t;
        }
        yesno("  all 6 fields NUL-terminated", term);
        yesno("  sysname non-empty", u.sysname[0] != 0);
        fl_check("uname(NULL)", fl_uname(0));
        fl_check("uname(0xffff888000000000)", fl_uname((void *)0xffff888000000000UL));
        fl_check("uname(non-canonical 0x800000000000)", fl_uname((void *)0x800000000000UL));
        long r = fl_mmap(0, PG, PROT_READ, PRIV_ANON, -1, 0);
        if (!fl_is_err(r)) {
            fl_check("uname(read-only page)", fl_uname((void *)r));
            fl_munmap((void *)r, PG);
        }
        /* buffer straddling the end of a writable mapping into a hole */
        r = fl_mmap(0, 2 * PG, PROT_RW, PRIV_ANON, -1, 0);
        if (!fl_is_err(r)) {
            fl_munmap((void *)(r + PG), PG);
            fl_check("uname(buffer running into an unmapped page)", fl_uname((void *)(r + PG - 100)));
            fl_check("uname(untouched page)", fl_uname((void *)r));
            yesno("  untouched page now holds a string", ((volatile char *)r)[0] != 0);
            fl_munmap((void *)r, PG);
        }
    }

    /* ---- write: bad pointers ---- */
    try_write("write(1, NULL, 5)", 0, 5);
    try_write("write(1, 0xffff888000000000, 5)", (void *)0xffff888000000000UL, 5);
    try_write("write(1, 0xffffffff80100000, 5)", (void *)0xffffffff80100000UL, 5);
    try_write("write(1, non-canonical 0x800000000000, 5)", (void *)0x800000000000UL, 5);
    try_write("write(1, 0x7ffffffff000 (TASK_SIZE), 5)", (void *)TASK_SIZE, 5);
    try_write("write(1, 0x7ffffffffff0, 32) (crosses TASK_SIZE)", (void *)0x7ffffffffff0UL, 32);
    try_write("write(1, NULL, 0)", 0, 0);
    try_write("write(1, 0xffff888000000000, 0)", (void *)0xffff888000000000UL, 0);
    try_write("write(1, non-canonical, 0)", (void *)0x800000000000UL, 0);
    try_write("write(1, \"abc\", 2^63) (huge count)", "abc", 1UL << 63);
    {
        long r = fl_mmap(0, 3 * PG, PROT_RW, PRIV_ANON, -1, 0);
        if (!fl_is_err(r)) {
            char *p = (char *)r;
            fl_munmap(p + 2 * PG, PG);
            fl_mprotect(p + PG, PG, PROT_NONE);
            try_write("write(1, PROT_NONE page, 5)", p + PG, 5);
            try_write("write(1, unmapped page, 5)", p + 2 * PG, 5);
            try_write("write(1, unmapped page, 0)", p + 2 * PG, 0);
            fl_mprotect(p + PG, PG, PROT_RW);
            /* spanning two pages, the second never touched: 8 text bytes
             * then 8 NUL bytes (lazy zero page read by the kernel) */
            memcpy(p + PG - 8, "spanning", 8);
            fl_puts("write of 16 bytes across a page boundary: [");
            fl_flush();
            long w = fl_write(1, p + PG - 8, 16);
            fl_printf("] -> %ld\n", w);
            /* spanning, both pages with text */
            memcpy(p + PG - 6, "across", 6);
            memcpy(p + PG, " pages", 6);
            fl_puts("write across a page boundary: [");
            fl_flush();
            w = fl_write(1, p + PG - 6, 12);
            fl_printf("] -> %ld\n", w);
            /* a big write from many lazily-allocated pages after one touch each */
            for (int i = 0; i < 2; i++)
                memset(p + i * PG, 'a' + i, PG);
            p[2 * PG - 1] = '\n';
            fl_flush();
            w = fl_write(1, p, 2 * PG);
            fl_printf("write of 2 pages -> %ld\n", w);
            fl_munmap(p, 2 * PG);
        }
    }

    /* ---- write/read: bad fds ---- */
    fl_check("write(100, \"x\", 1)", fl_write(100, "x", 1));
    fl_check("write(-1, \"x\", 1)", fl_write(-1, "x", 1));
    fl_check("write(100, NULL, 1) (fd checked first)", fl_write(100, 0, 1));
    fl_check("read(100, buf, 1)", fl_read(100, (void *)tls_block, 1));
    {
        char buf[16];
        fl_check_val("read(0, buf, 16) on empty stdin", fl_read(0, buf, sizeof buf));
    }

    /* ---- writev ---- */
    {
        struct fl_iovec iov[3] = {{"two ", 4}, {"iovecs\n", 7}, {0, 0}};
        fl_flush();
        long r = fl_writev(1, iov, 2);
        fl_check_val("writev 2 iovecs", r);
        iov[0].iov_base = "with an empty one\n";
        iov[0].iov_len = 18;
        iov[1].iov_base = 0;
        iov[1].iov_len = 0;
        fl_flush();
        r = fl_writev(1, iov, 2);
        fl_check_val("writev with a NULL zero-length iovec", r);
        try_writev("writev iovcnt=0", iov, 0);
        try_writev("writev iovcnt=-1", iov, -1);
        try_writev("writev iovcnt=1025 (> UIO_MAXIOV)", iov, 1025);
        try_writev("writev iov=NULL iovcnt=1", 0, 1);
        try_writev("writev iov=0xffff888000000000", (void *)0xffff888000000000UL, 1);
        struct fl_iovec bad[2] = {{0, 5}, {"x", 1}};
        try_writev("writev first iovec base NULL", bad, 2);
        struct fl_iovec neg[1] = {{"abc", (size_t)-1}};
        try_writev("writev iov_len = -1", neg, 1);
        fl_check("writev(100, ...)", fl_writev(100, iov, 1));
    }

    /* ---- ioctl / rt_sigprocmask ---- */
    {
        unsigned short ws[4];
        fl_check("ioctl(1, TIOCGWINSZ) with stdout not a tty", fl_syscall3(SYS_ioctl, 1, TIOCGWINSZ, ws));
        unsigned char t[64];
        fl_check("ioctl(1, TCGETS)", fl_syscall3(SYS_ioctl, 1, TCGETS, t));
        unsigned long set = 1UL << 9, old = 0;
        fl_check_val("rt_sigprocmask(SIG_BLOCK, {SIGKILL}, NULL, 8)",
                     fl_syscall6(SYS_rt_sigprocmask, 0, (long)&set, 0, 8, 0, 0));
        fl_check_val("rt_sigprocmask(SIG_SETMASK, NULL, &old, 8)",
                     fl_syscall6(SYS_rt_sigprocmask, 2, 0, (long)&old, 8, 0, 0));
    }

    /* ---- arch_prctl / set_tid_address ---- */
    {
        tls_block[0] = (unsigned long)tls_block;
        tls_block[1] = 0x1234;
        fl_check_val("arch_prctl(ARCH_SET_FS, buf)", fl_syscall2(SYS_arch_prctl, ARCH_SET_FS, tls_block));
        yesno("  %fs:0 reads buf[0]", fs_read0() == (unsigned long)tls_block);
        unsigned long got = 0;
        fl_check_val("arch_prctl(ARCH_GET_FS, &v)", fl_syscall2(SYS_arch_prctl, ARCH_GET_FS, &got));
        yesno("  returns buf", got == (unsigned long)tls_block);
        fl_check("arch_prctl(0x9999, 0)", fl_syscall2(SYS_arch_prctl, 0x9999, 0));
        int tid_word = 0;
        long tid = fl_syscall1(SYS_set_tid_address, &tid_word);
        yesno("set_tid_address() returns getpid()", tid == fl_getpid());
    }

    /* ---- unknown syscalls ---- */
    fl_check("syscall 500", fl_syscall0(500));
    fl_check("syscall 1000", fl_syscall0(1000));
    fl_check("syscall -1", fl_syscall0(-1));
    yesno("getpid() still works after them", fl_getpid() == pid);

    fl_puts("done\n");
    return 0;
}
