/*
 * walkdemo: the program docs/walkthrough.md follows through the page-fault
 * path.  tools/gen-walkthrough.py builds it and boots it as /init.
 *
 * No libc: _start is ours and system calls are inline asm, so the only
 * page faults are the ones written below, and those on the program's own
 * text, read-only data and stack.  One page, three faults on it:
 *
 *   mmap 0x10000000, one page, read/write, private anonymous (MAP_FIXED)
 *   1. the parent writes it     -> not-present write: do_anonymous_page(new page)
 *   2. fork: the page is now read-only in both address spaces, refcount 2;
 *      the parent waits in wait4 while the child runs
 *   3. the child writes it      -> protection write:  do_wp_page(copy)
 *   4. the parent, once the child has exited, writes it
 *                               -> protection write:  do_wp_page(reuse)
 *
 * It prints a line before each step, and exits 0 if every write stuck.
 * The child yields the CPU once before anything else: if the timer
 * happened to switch to it before the parent reached wait4, the parent
 * gets there first now, so every run looks the same from the child's
 * first fault on (the walkthrough's transcripts are compared run to run).
 * Build (as tools/gen-walkthrough.py does):
 *   gcc -static -nostdlib -nostartfiles -ffreestanding -fno-pie -no-pie
 *       -fno-stack-protector -fno-asynchronous-unwind-tables -O1 -g
 */
#define SYS_write 1
#define SYS_mmap 9
#define SYS_sched_yield 24
#define SYS_fork 57
#define SYS_exit 60
#define SYS_wait4 61
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20

#define PAGE 0x10000000UL

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

__attribute__((used, noreturn)) static void walkdemo_main(void)
{
	volatile char *a;
	long pid;

	put("walkdemo: mmap 0x10000000, one private anonymous page\n");
	a = (volatile char *)syscall6(SYS_mmap, (long)PAGE, 4096, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if ((unsigned long)a != PAGE)
		sys_exit(2);

	put("walkdemo: 1. parent writes 0x10000000\n");
	a[0] = 1; /* fault: new anonymous page */

	put("walkdemo: 2. fork\n");
	pid = syscall6(SYS_fork, 0, 0, 0, 0, 0, 0);
	if (pid < 0)
		sys_exit(3);
	if (pid == 0) {
		syscall6(SYS_sched_yield, 0, 0, 0, 0, 0, 0); /* let the parent reach wait4 */
		put("walkdemo: 3. child writes 0x10000000\n");
		a[0] = 2; /* fault: copy on write, the page has two owners */
		sys_exit(a[0] == 2 ? 0 : 1);
	}
	syscall6(SYS_wait4, pid, 0, 0, 0, 0, 0); /* the child goes first */

	put("walkdemo: 4. parent writes 0x10000000\n");
	a[0] = 3; /* fault: the parent is the only owner left: reuse */
	put(a[0] == 3 ? "walkdemo: done\n" : "walkdemo: wrong value\n");
	sys_exit(a[0] == 3 ? 0 : 1);
}

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	and $-16, %rsp\n"
	"	call walkdemo_main\n"
	"	hlt\n");
