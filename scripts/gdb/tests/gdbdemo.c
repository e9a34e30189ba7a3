/*
 * gdbdemo: the known program the GDB tests boot as /init.
 *
 * No libc: _start is ours, system calls are inline asm.  What it does,
 * in order, so a debugger knows which user faults to expect:
 *
 *   1. mmap 0x10000000, one page, read/write, private anonymous (MAP_FIXED)
 *      and write 42 there        -> not-present write: do_anonymous_page(new page)
 *   2. mmap 0x10002000 the same way, read it
 *                                -> not-present read:  do_anonymous_page(zero page)
 *      then write it             -> protection write:  do_wp_page(copy)
 *   3. grow the heap by two pages with brk and write its first page
 *                                -> do_anonymous_page(new page), in [heap]
 *   4. mmap 0x10004000 shared anonymous (MAP_SHARED) and write it
 *                                -> do_shared_fault; maps names it "/dev/zero (deleted)"
 *   5. "gdbdemo segv": write to 0x30000000, where nothing is mapped
 *                                -> no VMA: SIGSEGV
 *      "gdbdemo tree": map 40 separate pages from 0x20000000 (every other
 *      page), so that the VMA tree needs internal nodes
 *   6. copy /proc/self/maps and /proc/self/status to stdout, between
 *      "==maps==" / "==status==" / "==end==" lines, so the tests can hold the
 *      GDB helpers' view (stopped in sys_exit) against the kernel's own
 *   7. exit(0) if all the pages hold what was written, else exit(1).
 *
 * Build: scripts/gdb/tests/mkgdbdemo.py (gcc -static -nostdlib -nostartfiles -ffreestanding
 *        -fno-pie -no-pie -O1 -g, then an initramfs with it as /init)
 */
#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_mmap 9
#define SYS_brk 12
#define SYS_exit 60
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20

#define PAGE_A 0x10000000UL
#define PAGE_B 0x10002000UL
#define PAGE_C 0x10004000UL
#define UNMAPPED 0x30000000UL
#define MANY_BASE 0x20000000UL
#define MANY 40

static long syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static void *map_page(unsigned long addr, long shared)
{
	return (void *)syscall6(SYS_mmap, (long)addr, 4096, PROT_READ | PROT_WRITE,
				(shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static __attribute__((noreturn)) void sys_exit(long code)
{
	for (;;)
		syscall6(SYS_exit, code, 0, 0, 0, 0, 0);
}

static void put(const char *s)
{
	long n = 0;

	while (s[n])
		n++;
	syscall6(SYS_write, 1, (long)s, n, 0, 0, 0);
}

/* Copy a file to stdout.  The buffer is static: no new stack pages. */
static void cat(const char *path)
{
	static char buf[4096];
	long fd = syscall6(SYS_open, (long)path, 0, 0, 0, 0, 0);
	long n;

	if (fd < 0)
		return;
	while ((n = syscall6(SYS_read, fd, (long)buf, sizeof(buf), 0, 0, 0)) > 0)
		syscall6(SYS_write, 1, (long)buf, n, 0, 0, 0);
	syscall6(SYS_close, fd, 0, 0, 0, 0, 0);
}

/* Called from _start with the initial stack pointer: argc, then argv[]. */
__attribute__((used, noreturn)) static void gdbdemo_main(long *sp)
{
	long argc = sp[0];
	const char *arg = argc > 1 ? (const char *)sp[2] : "";
	volatile char *a = map_page(PAGE_A, 0);
	volatile char *b, *c, *heap;
	unsigned long brk0;
	char seen;

	if ((unsigned long)a != PAGE_A)
		sys_exit(2);
	a[0] = 42; /* fault 1: new anonymous page */

	b = map_page(PAGE_B, 0);
	if ((unsigned long)b != PAGE_B)
		sys_exit(3);
	seen = b[0]; /* fault 2: the shared zero page */
	b[0] = (char)(seen + 1); /* fault 3: copy on write of the zero page */

	brk0 = (unsigned long)syscall6(SYS_brk, 0, 0, 0, 0, 0, 0);
	if ((unsigned long)syscall6(SYS_brk, (long)brk0 + 8192, 0, 0, 0, 0, 0) != brk0 + 8192)
		sys_exit(4);
	heap = (volatile char *)brk0;
	heap[0] = 7; /* fault 4: a new anonymous page in [heap] */

	c = map_page(PAGE_C, 1);
	if ((unsigned long)c != PAGE_C)
		sys_exit(5);
	c[0] = 9; /* fault 5: do_shared_fault */

	if (arg[0] == 's')
		*(volatile char *)UNMAPPED = 1; /* fault 6: no VMA, SIGSEGV */
	if (arg[0] == 't')
		for (unsigned long i = 0; i < MANY; i++)
			if ((unsigned long)map_page(MANY_BASE + 2 * i * 4096, 0) != MANY_BASE + 2 * i * 4096)
				sys_exit(6);

	put("==maps==\n");
	cat("/proc/self/maps");
	put("==status==\n");
	cat("/proc/self/status");
	put("==end==\n");
	sys_exit(a[0] == 42 && b[0] == 1 && heap[0] == 7 && c[0] == 9 ? 0 : 1);
}

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call gdbdemo_main\n"
	"	hlt\n");
