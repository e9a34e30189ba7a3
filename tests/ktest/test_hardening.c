// SPDX-License-Identifier: MIT
/*
 * Hardening checks: the CPU refuses what the design forbids, and the
 * debug switches catch use-after-free.
 *   - SMEP: the kernel may not execute a user page;
 *   - SMAP: the kernel may not read a user page outside stac/clac, and can inside;
 *   - no kernel mapping is writable and executable (also in test_pgtable);
 *   - mmap below vm.mmap_min_addr (64 KiB) is EPERM;
 *   - freed pages and slab objects, when poisoned, show a stray write.
 */
#include <linux/ktest.h>
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/pgtable_kernel.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <asm/uaccess.h>
#include <uapi/mman.h>

static struct mm_struct *scratch_mm(void)
{
	struct mm_struct *mm = mm_alloc();

	arch_pick_mmap_layout(mm);
	current->mm = current->active_mm = mm;
	switch_mm(&init_mm, mm, current);
	return mm;
}

static void scratch_mm_done(struct mm_struct *mm)
{
	current->mm = NULL;
	current->active_mm = &init_mm;
	switch_mm(mm, &init_mm, current);
	mmput(mm);
}

static void test_smep_blocks_user_code(struct ktest *t)
{
	struct kernel_fault_catcher c;

	if (!boot_cpu_data.has_smep) {
		ktest_skip(t, "no SMEP on this CPU");
		return;
	}
	struct mm_struct *mm = scratch_mm();
	unsigned long a = vm_mmap_pgoff(NULL, 0x400000, PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	u8 ret = 0xc3;
	KTEST_EXPECT_EQ(t, copy_to_user((void *)a, &ret, 1), 0);
	if (kernel_fault_setjmp(&c) == 0) {
		arm_fault_catcher(&c);
		((void (*)(void))a)();
		disarm_fault_catcher();
		ktest_fail(t, __FILE__, __LINE__, "the kernel executed a user page");
	} else {
		KTEST_EXPECT_EQ(t, c.vector, X86_TRAP_PF);
		KTEST_EXPECT_EQ(t, c.cr2, a);
		KTEST_EXPECT_EQ(t, c.error_code & (X86_PF_INSTR | X86_PF_USER | X86_PF_PROT),
				X86_PF_INSTR | X86_PF_PROT);
	}
	scratch_mm_done(mm);
}

static void test_smap_blocks_plain_access(struct ktest *t)
{
	struct kernel_fault_catcher c;

	if (!boot_cpu_data.has_smap) {
		ktest_skip(t, "no SMAP on this CPU");
		return;
	}
	struct mm_struct *mm = scratch_mm();
	unsigned long a = vm_mmap_pgoff(NULL, 0x400000, PAGE_SIZE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	KTEST_EXPECT_EQ(t, put_user_u64(42, (void *)a), 0); /* inside stac/clac: fine */
	if (kernel_fault_setjmp(&c) == 0) {
		arm_fault_catcher(&c);
		(void)*(volatile u64 *)a; /* no stac: the CPU must refuse */
		disarm_fault_catcher();
		ktest_fail(t, __FILE__, __LINE__, "a plain kernel read of user memory worked");
	} else {
		KTEST_EXPECT_EQ(t, c.vector, X86_TRAP_PF);
		KTEST_EXPECT_EQ(t, c.error_code & (X86_PF_USER | X86_PF_PROT), X86_PF_PROT);
	}
	u64 v = 0;
	KTEST_EXPECT_EQ(t, get_user_u64(&v, (void *)a), 0);
	KTEST_EXPECT_EQ(t, v, 42);
	scratch_mm_done(mm);
}

static void test_mmap_min_addr(struct ktest *t)
{
	struct mm_struct *mm = scratch_mm();
	long r = vm_mmap_pgoff(NULL, 0x1000, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	KTEST_EXPECT_EQ(t, r, -EPERM);
	r = vm_mmap_pgoff(NULL, MMAP_MIN_ADDR - PAGE_SIZE, PAGE_SIZE, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	KTEST_EXPECT_EQ(t, r, -EPERM);
	r = vm_mmap_pgoff(NULL, MMAP_MIN_ADDR, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	KTEST_EXPECT_EQ(t, r, MMAP_MIN_ADDR);
	/* A hint below the limit is raised to it, never an error. */
	r = vm_mmap_pgoff(NULL, 0x2000, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KTEST_EXPECT_TRUE(t, r >= (long)MMAP_MIN_ADDR);
	scratch_mm_done(mm);
}

static void test_no_wx_kernel_mappings(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, count_wx_kernel_mappings(), 0);
}

static void test_page_poison_shows_use_after_free(struct ktest *t)
{
	bool was = page_poisoning;

	page_poisoning = true;
	struct page *p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, p != NULL);
	u8 *va = page_address(p);
	__free_page(p);
	KTEST_EXPECT_TRUE(t, page_poison_intact(p));
	va[100] = 1; /* a use after free */
	KTEST_EXPECT_FALSE(t, page_poison_intact(p));
	va[100] = 0xaa; /* put the poison back so the next allocation of this page is clean */
	KTEST_EXPECT_TRUE(t, page_poison_intact(p));
	page_poisoning = was;
}

static void test_slab_poison(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("ktest_poison", 64, 8, SLAB_POISON, NULL);
	KTEST_ASSERT_TRUE(t, c != NULL);
	u8 *a = kmem_cache_alloc(c, GFP_KERNEL);
	u8 *b = kmem_cache_alloc(c, GFP_KERNEL); /* keeps the slab alive */
	memset(a, 0x11, 64);
	kmem_cache_free(c, a);
	/* Freed: every byte past the free-list link is the poison 0x6b. */
	bool poisoned = true;
	for (int i = 8; i < 64; i++)
		poisoned &= a[i] == 0x6b;
	KTEST_EXPECT_TRUE(t, poisoned);
	kmem_cache_free(c, b);
	kmem_cache_destroy(c);
}

static struct ktest_case hardening_cases[] = {
	KTEST_CASE(test_smep_blocks_user_code),
	KTEST_CASE(test_smap_blocks_plain_access),
	KTEST_CASE(test_mmap_min_addr),
	KTEST_CASE(test_no_wx_kernel_mappings),
	KTEST_CASE(test_page_poison_shows_use_after_free),
	KTEST_CASE(test_slab_poison),
	{},
};
KTEST_SUITE(hardening, hardening_cases);
