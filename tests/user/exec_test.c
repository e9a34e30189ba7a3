/*
 * exec_test.c - execve (linux-mm-spec.md §2.5, §6): the old address space
 * goes away, argv/envp/auxv arrive intact, errors leave the caller intact,
 * fork+exec+wait and vfork+exec.  The program re-executes itself (argv[0]:
 * /init on Faultline, build/user/exec_test on the host) with a stage name
 * in argv[1]:
 *
 *   exec_test drop-mappings   maps a page with MAP_FIXED_NOREPLACE at a fixed
 *                             address, a shared page, grows brk, changes
 *                             .data, sets signal actions, opens a file; the
 *                             new image checks all of it is gone/reset
 *                             (except the fd and SIG_IGN, which survive)
 *   exec_test args            long/empty/odd argv and envp strings, 100 extra
 *                             arguments, string layout and auxv AT_PAGESZ;
 *                             then envp == NULL, then envp == {NULL}
 *   exec_test errors          ENOENT, EFAULT (path, argv, envp, elements),
 *                             E2BIG; the caller keeps running intact
 *   exec_test fork-exec       fork + exec + wait, one child at a time and
 *                             three at once
 *   exec_test vfork-exec      vfork + exec (the parent sleeps until the exec);
 *                             vfork + failed exec -> child exit 127
 *
 * Host notes: on the host argv[0] is a relative path, so the program never
 * prints it.  Exec of a directory gives EACCES on Linux; not tested (the
 * brief is ENOENT/EFAULT).  Linux limits the argument strings to a quarter
 * of RLIMIT_STACK (8 MiB -> 2 MiB) and each string to 32 pages, so 40
 * strings of 100 KiB give E2BIG.
 */
#include "fl_task.h"

#define PG PAGE_SIZE
#define FIXED_A 0x300000000UL
#define FIXED_S 0x310000000UL

static const char *self;
static char **envp_of(int argc, char **argv) { return argv + argc + 1; }

static int g_data = 5; /* .data: changed before exec, fresh after */

static void handler(int sig) { (void)sig; }

static void do_exec(char *const argv[], char *const envp[])
{
    fl_flush();
    long r = fl_execve(self, argv, envp);
    fl_printf("execve(self) failed: %s\n", fl_err(r));
    fl_exit(1);
}

/* does /proc/self/maps have a line starting at addr?  -1 if unreadable */
static char maps[65536];
static int maps_has(unsigned long addr)
{
    if (fl_is_err(fl_read_file("/proc/self/maps", maps, sizeof maps)))
        return -1;
    const char *p = maps;
    while (*p) {
        unsigned long start = fl_parse_hex(&p);
        if (start == addr)
            return 1;
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    return 0;
}

static int maps_count(const char *name)
{
    int n = 0;
    size_t l = strlen(name);
    const char *p = maps;
    while (*p) {
        const char *e = p;
        while (*e && *e != '\n')
            e++;
        if ((size_t)(e - p) >= l && !memcmp(e - l, name, l))
            n++;
        p = *e ? e + 1 : e;
    }
    return n;
}

/* ---------------------------------------------------------------- drop-mappings */

static int stage_drop(void)
{
    long r = fl_mmap((void *)FIXED_A, 2 * PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);
    fl_printf("mmap(FIXED_A, MAP_FIXED_NOREPLACE) at the address: %s\n", fl_yn(r == (long)FIXED_A));
    if (r == (long)FIXED_A)
        ((volatile unsigned long *)FIXED_A)[0] = 0x1234;
    r = fl_mmap((void *)FIXED_S, PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    fl_printf("mmap(FIXED_S, shared, MAP_FIXED_NOREPLACE) at the address: %s\n", fl_yn(r == (long)FIXED_S));
    if (r == (long)FIXED_S)
        ((volatile unsigned long *)FIXED_S)[0] = 0x5678;
    fl_printf("both in /proc/self/maps: %s\n", fl_yn(maps_has(FIXED_A) == 1 && maps_has(FIXED_S) == 1));
    long b = fl_brk(0);
    long nb = fl_brk((void *)(b + 3 * (long)PG));
    fl_printf("brk grown: %s\n", fl_yn(nb == b + 3 * (long)PG));
    ((volatile char *)b)[0] = 1;
    fl_read_file("/proc/self/maps", maps, sizeof maps);
    fl_printf("[heap] lines before exec: %d\n", maps_count("[heap]"));
    g_data = 99;

    struct fl_ksigaction act = {(unsigned long)handler, 0, 0, 0};
    fl_check("rt_sigaction(SIGUSR1, handler)", fl_sigaction(SIGUSR1, &act, 0));
    act.handler = 1; /* SIG_IGN */
    fl_check("rt_sigaction(SIGUSR2, SIG_IGN)", fl_sigaction(SIGUSR2, &act, 0));

    long fd = fl_open(self, O_RDONLY);
    fl_check("open(self)", fd);
    char fdbuf[24];
    fl_read((int)fd, fdbuf, 8); /* move the offset to 8: it is shared state that survives */
    fl_ltoa(fd, fdbuf);
    char *argv[] = {(char *)self, "after-drop", fdbuf, 0};
    char *envp[] = {"FL_STAGE=after-drop", 0};
    do_exec(argv, envp);
    return 1;
}

static int stage_after_drop(int argc, char **argv)
{
    fl_printf("new image: argc %d, argv[1] %s\n", argc, argv[1]);
    fl_printf("new image: .data variable has its initial value: %s\n", fl_yn(g_data == 5));
    int a = maps_has(FIXED_A), s = maps_has(FIXED_S);
    fl_printf("new image: old private mapping absent from /proc/self/maps: %s\n", fl_yn(a == 0));
    fl_printf("new image: old shared mapping absent from /proc/self/maps: %s\n", fl_yn(s == 0));
    fl_printf("new image: [heap] lines: %d\n", maps_count("[heap]"));
    long r = fl_mmap((void *)FIXED_A, 2 * PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);
    fl_printf("new image: MAP_FIXED_NOREPLACE at the old private address: %s\n",
              r == (long)FIXED_A ? "ok" : fl_is_err(r) ? fl_err(r) : "other address");
    if (r == (long)FIXED_A)
        fl_printf("new image: it reads zero: %s\n", fl_yn(((volatile unsigned long *)FIXED_A)[0] == 0));
    r = fl_mmap((void *)FIXED_S, PG, PROT_RW, PRIV_ANON | MAP_FIXED_NOREPLACE, -1, 0);
    fl_printf("new image: MAP_FIXED_NOREPLACE at the old shared address: %s\n",
              r == (long)FIXED_S ? "ok" : fl_is_err(r) ? fl_err(r) : "other address");
    if (r == (long)FIXED_S)
        fl_printf("new image: it reads zero: %s\n", fl_yn(((volatile unsigned long *)FIXED_S)[0] == 0));

    struct fl_ksigaction old = {7, 7, 7, 7};
    fl_sigaction(SIGUSR1, 0, &old);
    fl_printf("new image: SIGUSR1 handler reset to SIG_DFL: %s\n", fl_yn(old.handler == 0));
    old.handler = 7;
    fl_sigaction(SIGUSR2, 0, &old);
    fl_printf("new image: SIGUSR2 SIG_IGN kept: %s\n", fl_yn(old.handler == 1));

    long fd = fl_atol(argv[2]);
    unsigned char m[8] = {0};
    long n = fl_read((int)fd, m, 4);
    fl_printf("new image: fd survives exec, offset kept (read at 8): %s\n", fl_yn(n == 4 && m[0] != 0x7f));
    fl_lseek(fd, 0, SEEK_SET);
    n = fl_read((int)fd, m, 4);
    fl_printf("new image: fd reads the ELF magic after lseek(0): %s\n",
              fl_yn(n == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F'));
    fl_check("new image: close(fd)", fl_close(fd));
    return 0;
}

/* ---------------------------------------------------------------- args */

static char longarg[3001];
static char longenv[5001 + 5];
static char shortargs[100][8];

static unsigned long sum(const char *s)
{
    unsigned long h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}

static int stage_args(void)
{
    static char *argv[120];
    int n = 0;
    argv[n++] = (char *)self;
    argv[n++] = "after-args";
    argv[n++] = "hello world";
    argv[n++] = "";
    argv[n++] = "tab\there";
    argv[n++] = "x=y";
    for (int i = 0; i < 3000; i++)
        longarg[i] = (char)('a' + i % 26);
    argv[n++] = longarg;
    for (int i = 0; i < 100; i++) {
        char *p = shortargs[i];
        *p++ = 'a';
        fl_ltoa(i, p);
        argv[n++] = shortargs[i];
    }
    argv[n] = 0;
    memcpy(longenv, "LONG=", 5);
    for (int i = 0; i < 5000; i++)
        longenv[5 + i] = (char)('A' + i % 26);
    char *envp[] = {"FOO=bar", "EMPTY=", longenv, "LAST=1", 0};
    fl_printf("exec with %d arguments and 4 environment strings\n", n);
    do_exec(argv, envp);
    return 1;
}

static int stage_after_args(int argc, char **argv)
{
    char **envp = envp_of(argc, argv);
    fl_printf("argc %d\n", argc);
    for (int i = 1; i < 6; i++)
        fl_printf("argv[%d] = \"%s\" (%lu bytes)\n", i, argv[i], (unsigned long)strlen(argv[i]));
    fl_printf("argv[6]: %lu bytes, hash %lx\n", (unsigned long)strlen(argv[6]), sum(argv[6]));
    int ok = 1;
    for (int i = 0; i < 100; i++) {
        char want[8];
        want[0] = 'a';
        fl_ltoa(i, want + 1);
        if (7 + i >= argc || strcmp(argv[7 + i], want))
            ok = 0;
    }
    fl_printf("argv[7..106] = a0..a99: %s\n", fl_yn(ok));
    fl_printf("argv[argc] is NULL: %s\n", fl_yn(argv[argc] == 0));
    int envc = 0;
    while (envp[envc])
        envc++;
    fl_printf("envc %d\n", envc);
    for (int i = 0; i < envc; i++) {
        if (strlen(envp[i]) > 100)
            fl_printf("envp[%d]: %lu bytes, hash %lx\n", i, (unsigned long)strlen(envp[i]), sum(envp[i]));
        else
            fl_printf("envp[%d] = \"%s\"\n", i, envp[i]);
    }
    /* Linux lays the strings out back to back: argv strings, then envp strings */
    int contiguous = 1;
    for (int i = 0; i + 1 < argc; i++)
        if (argv[i + 1] != argv[i] + strlen(argv[i]) + 1)
            contiguous = 0;
    if (envc && envp[0] != argv[argc - 1] + strlen(argv[argc - 1]) + 1)
        contiguous = 0;
    for (int i = 0; i + 1 < envc; i++)
        if (envp[i + 1] != envp[i] + strlen(envp[i]) + 1)
            contiguous = 0;
    fl_printf("argv and envp strings are contiguous: %s\n", fl_yn(contiguous));
    fl_printf("strings lie above the pointer arrays: %s\n", fl_yn((char *)argv[0] > (char *)&envp[envc]));
    unsigned long *auxv = (unsigned long *)&envp[envc + 1];
    long pagesz = -1;
    int naux = 0;
    for (; auxv[0] != 0 && naux < 64; auxv += 2, naux++)
        if (auxv[0] == 6) /* AT_PAGESZ */
            pagesz = (long)auxv[1];
    fl_printf("auxv AT_PAGESZ: %ld, terminated by AT_NULL: %s\n", pagesz, fl_yn(auxv[0] == 0));
    char *argv2[] = {(char *)self, "after-nullenv", 0};
    do_exec(argv2, 0);
    return 1;
}

/* envp must be empty, followed by auxv with AT_PAGESZ */
static void check_empty_env(const char *how, int argc, char **argv)
{
    char **envp = envp_of(argc, argv);
    fl_printf("after %s: argc %d, argv[1] %s, argv[argc] is NULL: %s, envp[0] is NULL: %s\n", how, argc,
              argv[1], fl_yn(argv[argc] == 0), fl_yn(envp[0] == 0));
    if (envp[0] == 0) {
        unsigned long *auxv = (unsigned long *)&envp[1];
        long pagesz = -1;
        for (int n = 0; auxv[0] != 0 && n < 64; auxv += 2, n++)
            if (auxv[0] == 6)
                pagesz = (long)auxv[1];
        fl_printf("after %s: auxv AT_PAGESZ: %ld\n", how, pagesz);
    }
}

static int stage_after_nullenv(int argc, char **argv)
{
    check_empty_env("execve(self, argv, NULL)", argc, argv);
    char *argv2[] = {(char *)self, "after-emptyenv", 0};
    char *envp[] = {0};
    do_exec(argv2, envp);
    return 1;
}

static int stage_after_emptyenv(int argc, char **argv)
{
    check_empty_env("execve(self, argv, {NULL})", argc, argv);
    return 0;
}

/* ---------------------------------------------------------------- errors */

static void try_exec(const char *label, const char *path, const void *argv, const void *envp)
{
    fl_flush();
    long r = fl_syscall3(SYS_execve, path, argv, envp); /* raw: argv/envp may be bad pointers */
    fl_printf("%s: %s\n", label, fl_is_err(r) ? fl_err(r) : "returned a non-error");
}

static int stage_errors(void)
{
    volatile unsigned long *mark = fl_map(PG, PROT_RW);
    if (!mark)
        return 1;
    mark[0] = 0xfeed;
    static int stackmark_dummy;
    (void)stackmark_dummy;
    unsigned long canary = 0x1122334455667788UL;
    FL_HIDE(canary);

    char *argv[] = {(char *)self, "should-not-run", 0};
    char *envp[] = {"A=1", 0};
    try_exec("execve(\"/no/such/file\")", "/no/such/file", argv, envp);
    try_exec("execve(\"\")", "", argv, envp);
    try_exec("execve(NULL path)", 0, argv, envp);
    try_exec("execve(path = (char *)1)", (const char *)1, argv, envp);
    try_exec("execve(path = kernel address)", (const char *)0xffffffff81000000UL, argv, envp);
    try_exec("execve(self, argv = (char **)1)", self, (const void *)1, envp);
    char *badargv[] = {(char *)self, (char *)8, 0};
    try_exec("execve(self, argv[1] = (char *)8)", self, badargv, envp);
    try_exec("execve(self, envp = (char **)1)", self, argv, (const void *)1);
    char *badenvp[] = {"A=1", (char *)0x10, 0};
    try_exec("execve(self, envp[1] = (char *)0x10)", self, argv, badenvp);
    /* unterminated argv array running into an unmapped page */
    char **edge = fl_map(2 * PG, PROT_RW);
    if (edge) {
        fl_munmap((char *)edge + PG, PG);
        char **last = (char **)((char *)edge + PG) - 1;
        for (char **p = edge; p <= last; p++)
            *p = (char *)"x";
        try_exec("execve(self, argv without NULL up to an unmapped page)", self, edge, envp);
    }
    /* 40 strings of 100 KiB: more than Linux's limit of RLIMIT_STACK / 4 */
    long big = fl_mmap(0, 100 * 1024 + PG, PROT_RW, PRIV_ANON, -1, 0);
    if (!fl_is_err(big)) {
        memset((void *)big, 'z', 100 * 1024);
        static char *many[42];
        many[0] = (char *)self;
        for (int i = 1; i <= 40; i++)
            many[i] = (char *)big;
        many[41] = 0;
        try_exec("execve(self, 40 strings of 100 KiB)", self, many, envp);
    }
    fl_printf("still running, mapping intact: %s, stack intact: %s\n", fl_yn(mark[0] == 0xfeed),
              fl_yn(canary == 0x1122334455667788UL));
    return 0;
}

/* ---------------------------------------------------------------- fork-exec */

static int stage_fork_exec(void)
{
    char pidbuf[24];
    fl_ltoa(fl_getpid(), pidbuf);
    char *envp[] = {"FL_STAGE=child", 0};

    fl_flush();
    long pid = fl_fork();
    if (pid == 0) {
        char *argv[] = {(char *)self, "child-image", pidbuf, "7", 0};
        do_exec(argv, envp);
    }
    int st = -1;
    long r = fl_wait4(pid, &st, 0);
    fl_printf("parent: wait4 returned the child's pid: %s\n", fl_yn(r == pid));
    fl_print_status("parent: child", st);

    /* three at once; only the statuses are printed */
    static char codes[3][4] = {"21", "22", "23"};
    long pids[3];
    for (int i = 0; i < 3; i++) {
        fl_flush();
        pids[i] = fl_fork();
        if (pids[i] == 0) {
            char *argv[] = {(char *)self, "quiet-child", pidbuf, codes[i], 0};
            do_exec(argv, envp);
        }
    }
    for (int i = 2; i >= 0; i--) {
        st = -1;
        r = fl_wait4(pids[i], &st, 0);
        fl_printf("parent: child %d: wait4 ok: %s, ", i, fl_yn(r == pids[i]));
        fl_print_status("status", st);
    }
    return 0;
}

/* runs in the exec'd child: exit code argv[3] if the parent pid matches */
static int stage_child_image(int argc, char **argv, int verbose)
{
    char **envp = envp_of(argc, argv);
    int ok = argc == 4 && fl_getppid() == fl_atol(argv[2]) && envp[0] && !strcmp(envp[0], "FL_STAGE=child") &&
             !envp[1];
    if (verbose) {
        fl_printf("child image: argc %d, getppid() is the parent's pid: %s, envp ok: %s\n", argc,
                  fl_yn(fl_getppid() == fl_atol(argv[2])), fl_yn(envp[0] && !strcmp(envp[0], "FL_STAGE=child")));
        fl_printf("child image: [heap] lines: %d\n", (fl_read_file("/proc/self/maps", maps, sizeof maps), maps_count("[heap]")));
    }
    return ok ? (int)fl_atol(argv[3]) : 99;
}

/* ---------------------------------------------------------------- vfork-exec */

static int stage_vfork_exec(void)
{
    char pidbuf[24];
    fl_ltoa(fl_getpid(), pidbuf);
    char *argv[] = {(char *)self, "child-image", pidbuf, "5", 0};
    char *envp[] = {"FL_STAGE=child", 0};
    volatile unsigned long canary = 0xa5a5a5a55a5a5a5aUL;
    volatile int ran = 0;

    fl_flush();
    long pid = fl_vfork_exec(&ran, self, argv, envp);
    /* the child has exec'd (or died): its stores before exec are ours too */
    int saw_ran = ran;
    int st = -1;
    long r = fl_wait4(pid, &st, 0);
    fl_printf("parent: vfork returned a pid: %s\n", fl_yn(pid > 0));
    fl_printf("parent: child's store before exec visible (shared memory): %s\n", fl_yn(saw_ran == 1));
    fl_printf("parent: stack intact after the child ran on it: %s\n", fl_yn(canary == 0xa5a5a5a55a5a5a5aUL));
    fl_printf("parent: wait4 returned the child's pid: %s\n", fl_yn(r == pid));
    fl_print_status("parent: child", st);

    ran = 0;
    fl_flush();
    pid = fl_vfork_exec(&ran, "/no/such/file", argv, envp);
    saw_ran = ran;
    st = -1;
    r = fl_wait4(pid, &st, 0);
    fl_printf("parent: failed exec: child ran: %s, wait4 ok: %s\n", fl_yn(saw_ran == 1), fl_yn(r == pid));
    fl_print_status("parent: child whose exec failed", st);
    return 0;
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc < 2) {
        fl_printf("usage: exec_test STAGE\n");
        return 2;
    }
    const char *c = argv[1];
    if (!strcmp(c, "after-drop"))
        return stage_after_drop(argc, argv);
    if (!strcmp(c, "after-args"))
        return stage_after_args(argc, argv);
    if (!strcmp(c, "after-nullenv"))
        return stage_after_nullenv(argc, argv);
    if (!strcmp(c, "after-emptyenv"))
        return stage_after_emptyenv(argc, argv);
    if (!strcmp(c, "child-image"))
        return stage_child_image(argc, argv, 1);
    if (!strcmp(c, "quiet-child"))
        return stage_child_image(argc, argv, 0);
    if (!strcmp(c, "should-not-run")) {
        fl_printf("an execve that should have failed ran the program\n");
        return 3;
    }
    fl_printf("exec_test %s\n", c);
    if (!strcmp(c, "drop-mappings"))
        return stage_drop();
    if (!strcmp(c, "args"))
        return stage_args();
    if (!strcmp(c, "errors"))
        return stage_errors();
    if (!strcmp(c, "fork-exec"))
        return stage_fork_exec();
    if (!strcmp(c, "vfork-exec"))
        return stage_vfork_exec();
    fl_printf("unknown stage\n");
    return 2;
}
