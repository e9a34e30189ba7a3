/*
 * segv.c - bad user accesses must kill the process with SIGSEGV (status 139
 * via the runner), as in linux-mm-spec.md §4.2/§4.3.  One case per run:
 *
 *   segv CASE
 *
 * Each faulting case prints "segv-case CASE: about to ..." with a direct
 * write(2) to fd 2 (stdout flushed first), then does the access; if it
 * survives it prints "survived" and exits 1.  Non-faulting controls:
 *   ok          exit 0
 *   exit42      exit_group(42)
 *   exit-sys60  exit(60) with status 7 (the single-thread exit syscall)
 *   exec-rx     run code written to an RW page after mprotect(R|X): prints 42
 *
 * Host notes: every faulting case gives status 139 (SIGSEGV) on the host,
 * including the non-canonical accesses (#GP, not #PF, but still SIGSEGV),
 * the kernel-half addresses and TASK_SIZE itself.  The "about to" line goes
 * to fd 2 while earlier output goes to fd 1, so the runner must capture both
 * into one stream (2>&1) in order.
 */
#include "fl_user.h"

#define PG PAGE_SIZE

static const char rodata_msg[] = "read-only string";
static unsigned char data_code[64] = {0xc3}; /* ret, in .data (RW, NX) */

typedef int (*fn_t)(void);

static void note(const char *name, const char *what)
{
    char line[200];
    size_t n = 0;
    const char *parts[] = {"segv-case ", name, ": about to ", what};
    for (unsigned i = 0; i < 4; i++) {
        size_t l = strlen(parts[i]);
        memcpy(line + n, parts[i], l);
        n += l;
    }
    line[n] = 0;
    fl_crash_note(line);
}

static void rd(const char *name, unsigned long addr)
{
    note(name, "read");
    volatile unsigned char *p = (volatile unsigned char *)addr;
    FL_HIDE(p);
    unsigned char v = *p;
    fl_printf("survived, read %u\n", v);
    fl_exit(1);
}

static void wr(const char *name, unsigned long addr)
{
    note(name, "write");
    volatile unsigned char *p = (volatile unsigned char *)addr;
    FL_HIDE(p);
    *p = 0x90;
    fl_printf("survived\n");
    fl_exit(1);
}

static void ex(const char *name, unsigned long addr)
{
    note(name, "execute");
    fn_t f = (fn_t)addr;
    FL_HIDE(f);
    int v = f();
    fl_printf("survived, returned %d\n", v);
    fl_exit(1);
}

static unsigned long map(size_t len, long prot)
{
    unsigned long p = (unsigned long)fl_map(len, prot);
    if (!p)
        fl_exit(1);
    return p;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fl_printf("usage: segv CASE\n");
        return 2;
    }
    const char *c = argv[1];

    if (!strcmp(c, "ok")) {
        fl_printf("segv-case ok: exiting 0\n");
        return 0;
    }
    if (!strcmp(c, "exit42")) {
        fl_printf("segv-case exit42: exiting 42\n");
        return 42;
    }
    if (!strcmp(c, "exit-sys60")) {
        fl_printf("segv-case exit-sys60: exit(7) via syscall 60\n");
        fl_flush();
        for (;;)
            fl_syscall1(SYS_exit, 7);
    }
    if (!strcmp(c, "exec-rx")) {
        /* mov $42, %eax ; ret */
        static const unsigned char code[] = {0xb8, 42, 0, 0, 0, 0xc3};
        unsigned long p = map(PG, PROT_RW);
        memcpy((void *)p, code, sizeof code);
        fl_check("mprotect R|X", fl_mprotect((void *)p, PG, PROT_READ | PROT_EXEC));
        fn_t f = (fn_t)p;
        FL_HIDE(f);
        fl_printf("code on an R|X page returned %d\n", f());
        fl_check("mprotect RW again", fl_mprotect((void *)p, PG, PROT_RW));
        ((volatile unsigned char *)p)[1] = 43;
        fl_check("mprotect X only", fl_mprotect((void *)p, PG, PROT_EXEC));
        fl_printf("code on an X-only page returned %d\n", f());
        return 0;
    }

    if (!strcmp(c, "null-read"))
        rd(c, 0);
    if (!strcmp(c, "null-write"))
        wr(c, 0);
    if (!strcmp(c, "null-exec"))
        ex(c, 0);
    if (!strcmp(c, "text-write"))
        wr(c, (unsigned long)&main);
    if (!strcmp(c, "rodata-write"))
        wr(c, (unsigned long)rodata_msg);
    if (!strcmp(c, "nx-exec")) /* .data buffer holding "ret" */
        ex(c, (unsigned long)data_code);
    if (!strcmp(c, "nx-exec-stack")) {
        volatile unsigned char buf[64];
        buf[0] = 0xc3;
        ex(c, (unsigned long)buf);
    }
    if (!strcmp(c, "nx-exec-mmap")) {
        unsigned long p = map(PG, PROT_RW);
        *(volatile unsigned char *)p = 0xc3;
        ex(c, p);
    }
    if (!strcmp(c, "nx-exec-readonly")) {
        unsigned long p = map(PG, PROT_RW);
        *(volatile unsigned char *)p = 0xc3;
        fl_mprotect((void *)p, PG, PROT_READ);
        ex(c, p);
    }
    if (!strcmp(c, "prot-none"))
        rd(c, map(PG, PROT_NONE));
    if (!strcmp(c, "prot-none-write"))
        wr(c, map(PG, PROT_NONE));
    if (!strcmp(c, "prot-none-after-use")) {
        unsigned long p = map(PG, PROT_RW);
        *(volatile unsigned char *)p = 1;
        fl_mprotect((void *)p, PG, PROT_NONE);
        rd(c, p);
    }
    if (!strcmp(c, "write-readonly")) /* never touched: not-present write */
        wr(c, map(PG, PROT_READ));
    if (!strcmp(c, "write-readonly-touched")) { /* present read-only page */
        unsigned long p = map(PG, PROT_READ);
        (void)*(volatile unsigned char *)p;
        wr(c, p);
    }
    if (!strcmp(c, "write-after-mprotect-ro")) { /* dirty page made read-only */
        unsigned long p = map(PG, PROT_RW);
        *(volatile unsigned char *)p = 1;
        fl_mprotect((void *)p, PG, PROT_READ);
        wr(c, p);
    }
    if (!strcmp(c, "after-munmap")) {
        unsigned long p = map(PG, PROT_RW);
        *(volatile unsigned char *)p = 1;
        fl_munmap((void *)p, PG);
        rd(c, p);
    }
    if (!strcmp(c, "munmap-middle")) {
        unsigned long p = map(3 * PG, PROT_RW);
        memset((void *)p, 1, 3 * PG);
        fl_munmap((void *)(p + PG), PG);
        rd(c, p + PG);
    }
    if (!strcmp(c, "mprotect-middle")) {
        unsigned long p = map(3 * PG, PROT_RW);
        memset((void *)p, 1, 3 * PG);
        fl_mprotect((void *)(p + PG), PG, PROT_NONE);
        rd(c, p + PG);
    }
    if (!strcmp(c, "madvise-then-prot-none")) {
        unsigned long p = map(PG, PROT_RW);
        *(volatile unsigned char *)p = 1;
        fl_madvise((void *)p, PG, MADV_DONTNEED);
        fl_mprotect((void *)p, PG, PROT_NONE);
        rd(c, p);
    }
    if (!strcmp(c, "above-brk")) {
        unsigned long b = (unsigned long)fl_brk(0);
        fl_brk((void *)(b + 10));
        *(volatile unsigned char *)b = 1; /* fine */
        rd(c, b + PG);                    /* the page after the heap */
    }
    if (!strcmp(c, "kernel-addr"))
        rd(c, 0xffff888000000000UL);
    if (!strcmp(c, "kernel-text"))
        rd(c, 0xffffffff80100000UL);
    if (!strcmp(c, "kernel-write"))
        wr(c, 0xffff888000000000UL);
    if (!strcmp(c, "task-size")) /* first non-user address, canonical */
        rd(c, TASK_SIZE);
    if (!strcmp(c, "noncanonical"))
        rd(c, 0x0000800000000000UL);
    if (!strcmp(c, "noncanonical-write"))
        wr(c, 0x8000000000000000UL);

    fl_printf("unknown case %s\n", c);
    return 2;
}
