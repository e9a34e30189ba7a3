// SPDX-License-Identifier: MIT
/*
 * The oops path: symbol lookup, error-code decoding, exception-table
 * fixups and the trace printer.  The "crash" suite is the deliberate bug:
 * with "ktest.crash" on the command line it dereferences NULL with no
 * catcher, and the runner must report an oops and a failure.
 */
#include <linux/init.h>
#include <linux/kallsyms.h>
#include <linux/ktest.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <uapi/mman.h>
#include <asm/traps.h>
#include <asm/uaccess.h>

extern char log_buf[];
extern unsigned long log_next;

/* A separate function, so the backtrace of the NULL crash names it. */
static noinline void ktest_null_deref_now(void)
{
	volatile int *null = NULL;

	__asm__("" : "+r"(null));
	*null = 1;
}

static void test_kallsyms(struct ktest *t)
{
	unsigned long start, size;
	const char *name = kallsyms_lookup((unsigned long)test_kallsyms + 3, &start, &size);

	KTEST_ASSERT_TRUE(t, name != NULL);
	KTEST_EXPECT_EQ(t, strcmp(name, "test_kallsyms"), 0);
	KTEST_EXPECT_EQ(t, start, (unsigned long)test_kallsyms);
	KTEST_EXPECT_TRUE(t, size > 3);
	KTEST_EXPECT_EQ(t, kallsyms_lookup_name("start_kernel"), kallsyms_lookup_name("start_kernel"));
	KTEST_EXPECT_NE(t, kallsyms_lookup_name("start_kernel"), 0);
	char buf[64];
	sprint_symbol(buf, sizeof(buf), (unsigned long)test_kallsyms + 3);
	KTEST_EXPECT_EQ(t, strncmp(buf, "test_kallsyms+0x3/0x", 20), 0);
	KTEST_EXPECT_TRUE(t, kallsyms_lookup(0x1000, NULL, NULL) == NULL);
}

static void test_pf_error_decode(struct ktest *t)
{
	char buf[96];
	decode_pf_error_code(X86_PF_WRITE | X86_PF_USER, buf, sizeof(buf));
	KTEST_EXPECT_EQ(t, strcmp(buf, "not-present write user-mode"), 0);
	decode_pf_error_code(X86_PF_PROT | X86_PF_INSTR, buf, sizeof(buf));
	KTEST_EXPECT_EQ(t, strcmp(buf, "protection instruction-fetch kernel-mode"), 0);
	KTEST_EXPECT_EQ(t, strcmp(trap_name(X86_TRAP_GP), "general protection fault"), 0);
}

static void test_extable_fixup(struct ktest *t)
{
	u64 v = 123;
	KTEST_EXPECT_EQ(t, get_kernel_nofault_u64(&v, NULL), -EFAULT);
	/* A non-canonical address raises #GP, not #PF; the same fixup applies. */
	KTEST_EXPECT_EQ(t, get_kernel_nofault_u64(&v, (void *)0x0000800000000000UL), -EFAULT);
	KTEST_EXPECT_TRUE(t, search_exception_tables((unsigned long)test_extable_fixup) == NULL);
}

static void test_fault_catcher_null(struct ktest *t)
{
	struct kernel_fault_catcher c;

	if (kernel_fault_setjmp(&c) == 0) {
		arm_fault_catcher(&c);
		volatile unsigned long *bad = (void *)0x10;
		__asm__("" : "+r"(bad)); /* hide the constant from the compiler's bounds checks */
		(void)*bad;
		disarm_fault_catcher();
		ktest_fail(t, __FILE__, __LINE__, "NULL read did not fault");
		return;
	}
	KTEST_EXPECT_EQ(t, c.vector, X86_TRAP_PF);
	KTEST_EXPECT_EQ(t, c.cr2, 0x10);
	KTEST_EXPECT_EQ(t, c.error_code & (X86_PF_PROT | X86_PF_WRITE | X86_PF_USER), 0);
}

static noinline void trace_leaf(void)
{
	unsigned long bp, sp;
	__asm__ __volatile__("mov %%rbp, %0; mov %%rsp, %1" : "=r"(bp), "=r"(sp));
	show_trace((unsigned long)trace_leaf, bp, sp);
}

static noinline void trace_middle(void)
{
	trace_leaf();
	barrier();
}

static void test_backtrace_symbolised(struct ktest *t)
{
	unsigned long from = log_next;
	int saved = console_loglevel;

	console_loglevel = 0; /* keep it out of the console, read it back from log_buf */
	trace_middle();
	console_loglevel = saved;
	char out[1024];
	unsigned long n = min(log_next - from, sizeof(out) - 1);
	for (unsigned long i = 0; i < n; i++)
		out[i] = log_buf[(from + i) % (64 * 1024)];
	out[n] = 0;
	KTEST_EXPECT_TRUE(t, strstr(out, "Call Trace:"));
	KTEST_EXPECT_TRUE(t, strstr(out, "trace_leaf+0x0/"));
	KTEST_EXPECT_TRUE(t, strstr(out, "trace_middle+0x"));
	KTEST_EXPECT_TRUE(t, strstr(out, "test_backtrace_symbolised+0x"));
}

static struct ktest_case oops_cases[] = {
	KTEST_CASE(test_kallsyms),
	KTEST_CASE(test_pf_error_decode),
	KTEST_CASE(test_extable_fixup),
	KTEST_CASE(test_fault_catcher_null),
	KTEST_CASE(test_backtrace_symbolised),
	{},
};
KTEST_SUITE(oops, oops_cases);

/*
 * The deliberate kernel bugs.  Without "ktest.crash=KIND" on the command
 * line the case is skipped; the meta tier boots with each KIND and checks
 * the oops:  null   a NULL dereference
 *            stack  unbounded recursion in a kernel thread: guard page, double fault
 *            smep   the kernel calls code in a user page
 *            smap   the kernel reads a user page outside a uaccess window
 */
static volatile int recursion_limit = 1 << 30; /* never reached: the guard page comes first */

static noinline int recurse(int depth)
{
	volatile char pad[256];

	pad[0] = depth;
	if (depth >= recursion_limit)
		return 0;
	return recurse(depth + 1) + pad[0];
}

static int overflow_thread(void *arg)
{
	return recurse(0);
}

/* A scratch address space with one user page holding "ret". */
static unsigned long user_page_with_ret(void)
{
	struct mm_struct *mm = mm_alloc();

	arch_pick_mmap_layout(mm);
	current->mm = current->active_mm = mm;
	switch_mm(&init_mm, mm, current);
	unsigned long a = vm_mmap_pgoff(NULL, 0x400000, PAGE_SIZE, PROT_READ | PROT_EXEC | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	u8 ret = 0xc3;
	copy_to_user((void *)a, &ret, 1);
	return a;
}

static noinline void ktest_crash(struct ktest *t)
{
	char kind[16];

	if (!cmdline_get("ktest.crash", kind, sizeof(kind)) && !cmdline_has("ktest.crash")) {
		ktest_skip(t, "needs ktest.crash=null|stack|smep|smap on the command line");
		return;
	}
	if (!cmdline_get("ktest.crash", kind, sizeof(kind)))
		strlcpy(kind, "null", sizeof(kind));
	pr_info("ktest: crashing on purpose (%s)\n", kind);
	if (!strcmp(kind, "stack")) {
		kthread_run(overflow_thread, NULL, "ktest-overflow");
		schedule();
	} else if (!strcmp(kind, "smep")) {
		((void (*)(void))user_page_with_ret())();
	} else if (!strcmp(kind, "smap")) {
		volatile u8 *p = (u8 *)user_page_with_ret();
		(void)*p;
	}
	ktest_null_deref_now();
}

static struct ktest_case crash_cases[] = {
	KTEST_CASE(ktest_crash),
	{},
};
KTEST_SUITE(crash, crash_cases);
