// SPDX-License-Identifier: MIT
/*
 * The address-space code from inside the kernel: VMAs and the tree,
 * each kind of fault, page-table accounting, copy-on-write between two
 * mms, the reference counts, and a kernel thread borrowing an mm.
 *
 * Each case builds a scratch mm and makes the current task (the idle task,
 * when tests run at boot) use it, so do_mmap() and the uaccess helpers
 * work on it exactly as for a process; the leak check of kernel/ktest.c
 * then proves everything came back.
 */
#include <linux/ktest.h>
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <linux/string.h>
#include <asm/pgtable.h>
#include <asm/uaccess.h>
#include <uapi/mman.h>

static struct mm_struct *saved_mm, *saved_active;

/* Become a "process" with a fresh, empty address space. */
static struct mm_struct *use_new_mm(void)
{
	struct mm_struct *mm = mm_alloc();

	if (!mm)
		return NULL;
	arch_pick_mmap_layout(mm);
	saved_mm = current->mm;
	saved_active = current->active_mm;
	current->mm = current->active_mm = mm;
	switch_mm(saved_active, mm, current);
	return mm;
}

static void drop_mm(struct mm_struct *mm)
{
	current->mm = saved_mm;
	current->active_mm = saved_active;
	switch_mm(mm, saved_active, current);
	mmput(mm);
}

static unsigned long map(unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags)
{
	return vm_mmap_pgoff(NULL, addr, len, prot, flags | MAP_ANONYMOUS, 0);
}

static pte_t pte_at(struct mm_struct *mm, unsigned long addr)
{
	pte_t *p = follow_pte(mm, addr);
	return p ? *p : __pte(0);
}

static void test_vmas_merge_and_split(struct ktest *t)
{
	struct mm_struct *mm = use_new_mm();
	KTEST_ASSERT_TRUE(t, mm != NULL);

	/* Two anonymous mmaps placed top-down touch each other and merge. */
	unsigned long a = map(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long b = map(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	KTEST_EXPECT_EQ(t, a, mm->mmap_base - 4 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, b, a - 4 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, mm->map_count, 1);
	KTEST_EXPECT_EQ(t, mm->total_vm, 8);
	KTEST_EXPECT_EQ(t, mm->data_vm, 8);

	struct vm_area_struct *vma = find_vma(mm, b);
	KTEST_ASSERT_TRUE(t, vma != NULL);
	KTEST_EXPECT_EQ(t, vma->vm_start, b);
	KTEST_EXPECT_EQ(t, vma->vm_end, a + 4 * PAGE_SIZE);
	KTEST_EXPECT_TRUE(t, vma_lookup(mm, b - 1) == NULL);
	KTEST_EXPECT_TRUE(t, find_vma(mm, b - 1) == vma); /* the first VMA ending above */

	/* mprotect of the middle splits into three; undoing it merges back to one. */
	extern long sys_mprotect(unsigned long, size_t, unsigned long);
	KTEST_EXPECT_EQ(t, sys_mprotect(b + 2 * PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ), 0);
	KTEST_EXPECT_EQ(t, mm->map_count, 3);
	KTEST_EXPECT_EQ(t, mm->data_vm, 6); /* read-only private: only in total_vm */
	KTEST_EXPECT_EQ(t, mm->total_vm, 8);
	KTEST_EXPECT_EQ(t, sys_mprotect(b + 2 * PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
	KTEST_EXPECT_EQ(t, mm->map_count, 1);

	/* munmap of the middle leaves two, with the pgoffs still linear. */
	mmap_write_lock(mm);
	KTEST_EXPECT_EQ(t, do_munmap(mm, b + PAGE_SIZE, PAGE_SIZE), 0);
	mmap_write_unlock(mm);
	KTEST_EXPECT_EQ(t, mm->map_count, 2);
	KTEST_EXPECT_EQ(t, mm->total_vm, 7);
	struct vm_area_struct *hi = find_vma(mm, b + PAGE_SIZE);
	KTEST_EXPECT_EQ(t, hi->vm_start, b + 2 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, hi->vm_pgoff, (b + 2 * PAGE_SIZE) >> PAGE_SHIFT);
	drop_mm(mm);
}

static void test_many_vmas_in_the_tree(struct ktest *t)
{
	struct mm_struct *mm = use_new_mm();
	KTEST_ASSERT_TRUE(t, mm != NULL);
	unsigned long base = map(0, 2000 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	extern long sys_mprotect(unsigned long, size_t, unsigned long);
	for (int i = 0; i < 2000; i += 2)
		sys_mprotect(base + i * PAGE_SIZE, PAGE_SIZE, PROT_READ);
	KTEST_EXPECT_EQ(t, mm->map_count, 2000);
	KTEST_EXPECT_EQ(t, mt_validate(&mm->mm_mt), 0);
	bool all_found = true;
	for (int i = 0; i < 2000; i++) {
		struct vm_area_struct *v = vma_lookup(mm, base + i * PAGE_SIZE + 123);
		all_found &= v && v->vm_start == base + i * PAGE_SIZE && v->vm_end == v->vm_start + PAGE_SIZE &&
			     !!(v->vm_flags & VM_WRITE) == (i & 1);
	}
	KTEST_EXPECT_TRUE(t, all_found);
	drop_mm(mm); /* exit_mmap frees 2000 VMAs and every tree node */
}

static void test_fault_kinds(struct ktest *t)
{
	struct mm_struct *mm = use_new_mm();
	KTEST_ASSERT_TRUE(t, mm != NULL);
	unsigned long a = map(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct vm_area_struct *vma = find_vma(mm, a);
	unsigned long zero_before = fault_counts[FAULT_ANON_ZERO_PAGE];

	/* read: the shared zero page, read-only, no RSS */
	KTEST_EXPECT_EQ(t, handle_mm_fault(vma, a, 0, NULL), 0);
	pte_t pte = pte_at(mm, a);
	KTEST_EXPECT_EQ(t, pte_pfn(pte), page_to_pfn(zero_page));
	KTEST_EXPECT_TRUE(t, pte_special(pte));
	KTEST_EXPECT_FALSE(t, pte_write(pte));
	KTEST_EXPECT_EQ(t, get_mm_rss(mm), 0);
	KTEST_EXPECT_EQ(t, fault_counts[FAULT_ANON_ZERO_PAGE], zero_before + 1);
	/* the tables above it: one PUD, one PMD and one PTE table page */
	KTEST_EXPECT_EQ(t, atomic_long_read(&mm->pgtables_bytes), 3 * PAGE_SIZE);

	/* write to the zero page: copy on write makes a private zeroed page */
	KTEST_EXPECT_EQ(t, handle_mm_fault(vma, a, FAULT_FLAG_WRITE, NULL), 0);
	pte = pte_at(mm, a);
	KTEST_EXPECT_NE(t, pte_pfn(pte), page_to_pfn(zero_page));
	KTEST_EXPECT_TRUE(t, pte_write(pte) && pte_dirty(pte));
	KTEST_EXPECT_EQ(t, get_mm_counter(mm, MM_ANONPAGES), 1);

	/* a first write: do_anonymous_page gives a new page at once */
	KTEST_EXPECT_EQ(t, handle_mm_fault(vma, a + PAGE_SIZE, FAULT_FLAG_WRITE, NULL), 0);
	struct page *page = pfn_to_page(pte_pfn(pte_at(mm, a + PAGE_SIZE)));
	KTEST_EXPECT_EQ(t, page_ref_count(page), 1);
	KTEST_EXPECT_EQ(t, page_mapcount(page), 1);
	KTEST_EXPECT_EQ(t, get_mm_counter(mm, MM_ANONPAGES), 2);

	/* the real path: a kernel write through the uaccess helpers faults the page in */
	KTEST_EXPECT_EQ(t, put_user_u64(0x1234, (void *)(a + 2 * PAGE_SIZE)), 0);
	u64 v = 0;
	KTEST_EXPECT_EQ(t, get_user_u64(&v, (void *)(a + 2 * PAGE_SIZE)), 0);
	KTEST_EXPECT_EQ(t, v, 0x1234);
	KTEST_EXPECT_EQ(t, get_mm_counter(mm, MM_ANONPAGES), 3);
	/* ...and a bad user address gives -EFAULT through the exception table */
	KTEST_EXPECT_EQ(t, get_user_u64(&v, (void *)0x1000), -EFAULT);

	/* munmap gives back the pages and the page tables */
	mmap_write_lock(mm);
	do_munmap(mm, a, 4 * PAGE_SIZE);
	mmap_write_unlock(mm);
	KTEST_EXPECT_EQ(t, get_mm_rss(mm), 0);
	KTEST_EXPECT_EQ(t, atomic_long_read(&mm->pgtables_bytes), 0);
	KTEST_EXPECT_EQ(t, mm->map_count, 0);
	drop_mm(mm);
}

static void test_write_to_readonly_vma_is_refused(struct ktest *t)
{
	struct mm_struct *mm = use_new_mm();
	KTEST_ASSERT_TRUE(t, mm != NULL);
	unsigned long a = map(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE);
	struct vm_area_struct *vma = find_vma(mm, a);
	KTEST_EXPECT_EQ(t, handle_mm_fault(vma, a, FAULT_FLAG_WRITE, NULL), VM_FAULT_SIGSEGV);
	KTEST_EXPECT_EQ(t, put_user_u64(1, (void *)a), -EFAULT); /* access_error, then the fixup */
	drop_mm(mm);
}

/* fork's copy: both sides read-only and sharing, then copy or reuse on write. */
static void test_cow_copy_and_reuse(struct ktest *t)
{
	struct mm_struct *parent = use_new_mm();
	KTEST_ASSERT_TRUE(t, parent != NULL);
	unsigned long a = map(0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	KTEST_EXPECT_EQ(t, put_user_u64(111, (void *)a), 0);
	KTEST_EXPECT_EQ(t, put_user_u64(222, (void *)(a + PAGE_SIZE)), 0);
	struct page *p0 = pfn_to_page(pte_pfn(pte_at(parent, a)));

	struct mm_struct *child = dup_mm(current, parent);
	KTEST_ASSERT_TRUE(t, child != NULL);
	KTEST_EXPECT_EQ(t, child->map_count, 1);
	KTEST_EXPECT_EQ(t, child->total_vm, parent->total_vm);
	KTEST_EXPECT_EQ(t, page_ref_count(p0), 2);
	KTEST_EXPECT_EQ(t, page_mapcount(p0), 2);
	KTEST_EXPECT_FALSE(t, pte_write(pte_at(parent, a))); /* write-protected in the parent too */
	KTEST_EXPECT_FALSE(t, pte_write(pte_at(child, a)));
	KTEST_EXPECT_EQ(t, get_mm_counter(child, MM_ANONPAGES), 2);

	/* The child writes first: it gets a copy (do_wp_page -> wp_page_copy). */
	struct vm_area_struct *cvma = find_vma(child, a);
	KTEST_EXPECT_EQ(t, handle_mm_fault(cvma, a, FAULT_FLAG_WRITE, NULL), 0);
	struct page *c0 = pfn_to_page(pte_pfn(pte_at(child, a)));
	KTEST_EXPECT_TRUE(t, c0 != p0);
	KTEST_EXPECT_EQ(t, *(u64 *)page_address(c0), 111);
	KTEST_EXPECT_EQ(t, page_ref_count(p0), 1);

	/* The parent then holds the only reference: it reuses its page, no copy. */
	unsigned long reuse_before = fault_counts[FAULT_WP_REUSE];
	KTEST_EXPECT_EQ(t, put_user_u64(333, (void *)a), 0);
	KTEST_EXPECT_EQ(t, fault_counts[FAULT_WP_REUSE], reuse_before + 1);
	KTEST_EXPECT_TRUE(t, pfn_to_page(pte_pfn(pte_at(parent, a))) == p0);
	KTEST_EXPECT_EQ(t, *(u64 *)page_address(c0), 111); /* isolated both ways */

	mmput(child);
	KTEST_EXPECT_EQ(t, page_ref_count(pfn_to_page(pte_pfn(pte_at(parent, a + PAGE_SIZE)))), 1);
	drop_mm(parent);
}

static void test_refcounts(struct ktest *t)
{
	struct mm_struct *mm = mm_alloc();
	KTEST_ASSERT_TRUE(t, mm != NULL);
	KTEST_EXPECT_EQ(t, atomic_read(&mm->mm_users), 1);
	KTEST_EXPECT_EQ(t, atomic_read(&mm->mm_count), 1);
	mmget(mm); /* a second user (a CLONE_VM thread) */
	KTEST_EXPECT_EQ(t, atomic_read(&mm->mm_users), 2);
	mmgrab(mm); /* a lazy-TLB borrower */
	mmput(mm);
	KTEST_EXPECT_EQ(t, atomic_read(&mm->mm_users), 1);
	mmput(mm); /* the last user: the address space goes, the struct stays */
	KTEST_EXPECT_EQ(t, atomic_read(&mm->mm_users), 0);
	KTEST_EXPECT_EQ(t, atomic_read(&mm->mm_count), 1);
	KTEST_EXPECT_FALSE(t, mmget_not_zero(mm)); /* too late to use the address space */
	mmdrop(mm); /* the borrower lets go: freed */
}

/* A kernel thread borrows the mm of the task it follows (user -> kernel), pinned by mm_count. */
static struct mm_struct *borrowed;
static int borrowed_count;

static int borrower(void *arg)
{
	borrowed = current->active_mm;
	borrowed_count = atomic_read(&current->active_mm->mm_count);
	for (;;) {
		current->state = TASK_INTERRUPTIBLE;
		schedule();
	}
	return 0;
}

static void test_kthread_borrows_active_mm(struct ktest *t)
{
	struct mm_struct *mm = use_new_mm();
	KTEST_ASSERT_TRUE(t, mm != NULL);
	int before = atomic_read(&mm->mm_count);
	struct task_struct *k = kthread_run(borrower, NULL, "ktest-borrow");
	KTEST_ASSERT_TRUE(t, k != NULL);
	KTEST_EXPECT_TRUE(t, k->mm == NULL);
	schedule(); /* we look like a user task: the thread borrows our mm */
	KTEST_EXPECT_TRUE(t, borrowed == mm);
	KTEST_EXPECT_EQ(t, borrowed_count, before + 1);
	/* Back here (kernel -> user): the borrowed reference was dropped after the switch. */
	KTEST_EXPECT_EQ(t, atomic_read(&mm->mm_count), before);
	KTEST_EXPECT_TRUE(t, k->active_mm == NULL);
	/* Retire the thread: mark it dead and let the switch hand it to the dead list. */
	k->state = TASK_DEAD;
	k->exit_state = EXIT_DEAD;
	list_del(&k->sibling);
	list_del(&k->tasks);
	k->tasks.next = NULL;
	nr_tasks--;
	extern void free_kernel_stack(void *);
	free_kernel_stack(k->stack);
	free_task_struct(k);
	drop_mm(mm);
}

static void test_stack_guard_gap(struct ktest *t)
{
	struct mm_struct *mm = use_new_mm();
	KTEST_ASSERT_TRUE(t, mm != NULL);
	unsigned long top = 0x7f0000000000UL;
	unsigned long s = map(top - 16 * PAGE_SIZE, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_FIXED | MAP_GROWSDOWN);
	KTEST_EXPECT_EQ(t, s, top - 16 * PAGE_SIZE);
	/* Something accessible 2 MiB below: growth may come within 1 MiB of it, no closer. */
	unsigned long below = map(s - (2UL << 20) - PAGE_SIZE, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_FIXED);
	struct vm_area_struct *stack = find_vma(mm, s);
	mmap_write_lock(mm);
	KTEST_EXPECT_EQ(t, expand_downwards(stack, s - (1UL << 20)), 0);
	KTEST_EXPECT_EQ(t, stack->vm_start, s - (1UL << 20));
	KTEST_EXPECT_EQ(t, expand_downwards(stack, below + PAGE_SIZE + (1UL << 20) - PAGE_SIZE), -ENOMEM);
	KTEST_EXPECT_EQ(t, mm->stack_vm, 16 + 256);
	mmap_write_unlock(mm);
	/* A hint inside the gap is not used: placement keeps out of [vm_start - 1 MiB, vm_start). */
	unsigned long h = map(stack->vm_start - 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ, MAP_PRIVATE);
	KTEST_EXPECT_NE(t, h, stack->vm_start - 2 * PAGE_SIZE);
	drop_mm(mm);
}

static struct ktest_case mm_cases[] = {
	KTEST_CASE(test_vmas_merge_and_split),
	KTEST_CASE(test_many_vmas_in_the_tree),
	KTEST_CASE(test_fault_kinds),
	KTEST_CASE(test_write_to_readonly_vma_is_refused),
	KTEST_CASE(test_cow_copy_and_reuse),
	KTEST_CASE(test_refcounts),
	KTEST_CASE(test_kthread_borrows_active_mm),
	KTEST_CASE(test_stack_guard_gap),
	{},
};
KTEST_SUITE(mm, mm_cases);
