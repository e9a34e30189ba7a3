// SPDX-License-Identifier: MIT
/*
 * The kernel page table: the mappings have the permissions the design
 * promises, and the CPU enforces them (a caught fault proves it).
 */
#include <linux/ktest.h>
#include <linux/mm.h>
#include <asm/pgtable_kernel.h>
#include <asm/processor.h>
#include <asm/setup.h>
#include <asm/traps.h>
#include <asm/uaccess.h>

static const char rodata_byte = 42; /* lives in .rodata */
static char data_byte = 7;          /* lives in .data */
static u8 data_code[16] __aligned(16) = { 0xc3 }; /* "ret", in a non-executable page */

static u64 entry_of(unsigned long va, int *level)
{
	pte_t *e = lookup_address(va, level);
	return e ? pte_val(*e) : 0;
}

static void test_section_permissions(struct ktest *t)
{
	int level;
	u64 e;

	e = entry_of((unsigned long)_text, &level);
	KTEST_EXPECT_TRUE(t, e & _PAGE_PRESENT);
	KTEST_EXPECT_FALSE(t, e & _PAGE_RW); /* text: read + execute */
	KTEST_EXPECT_FALSE(t, e & _PAGE_NX);
	KTEST_EXPECT_FALSE(t, e & _PAGE_USER);

	e = entry_of((unsigned long)&rodata_byte, &level);
	KTEST_EXPECT_TRUE(t, e & _PAGE_PRESENT);
	KTEST_EXPECT_FALSE(t, e & _PAGE_RW); /* rodata: read only */
	KTEST_EXPECT_TRUE(t, e & _PAGE_NX);

	e = entry_of((unsigned long)&data_byte, &level);
	KTEST_EXPECT_TRUE(t, e & _PAGE_RW); /* data: read + write, never execute */
	KTEST_EXPECT_TRUE(t, e & _PAGE_NX);
	KTEST_EXPECT_EQ(t, level, 1);
}

static void test_direct_map(struct ktest *t)
{
	int level;
	struct page *p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, p != NULL);
	unsigned long va = (unsigned long)page_address(p);
	KTEST_EXPECT_EQ(t, va >> 40, PAGE_OFFSET >> 40);
	u64 e = entry_of(va, &level);
	KTEST_EXPECT_TRUE(t, e & _PAGE_RW);
	KTEST_EXPECT_TRUE(t, e & _PAGE_NX);
	/* The frame the walk finds is the page's own, whatever the page size. */
	unsigned long size = level == 3 ? PUD_SIZE : level == 2 ? PMD_SIZE : PAGE_SIZE;
	KTEST_EXPECT_EQ(t, (e & PTE_PFN_MASK & ~(size - 1)) + (va & (size - 1)), page_to_phys(p));
	__free_page(p);

	/* 16 MiB is 2 MiB-aligned RAM with RAM around it: a huge mapping, not 512 PTEs. */
	e = entry_of(PAGE_OFFSET + 16 * 1024 * 1024, &level);
	KTEST_EXPECT_TRUE(t, level >= 2);
	KTEST_EXPECT_TRUE(t, e & _PAGE_PSE);
	/* 1 MiB is not 2 MiB-aligned: the region start is mapped with 4 KiB pages. */
	entry_of(PAGE_OFFSET + 0x100000, &level);
	KTEST_EXPECT_EQ(t, level, 1);
}

static void test_nothing_at_zero(struct ktest *t)
{
	int level;
	KTEST_EXPECT_TRUE(t, lookup_address(0, &level) == NULL);
	KTEST_EXPECT_TRUE(t, lookup_address(0x100000, &level) == NULL); /* the boot identity map is gone */
	/* The user half of the kernel's own PGD is empty. */
	int used = 0;
	for (int i = 0; i < KERNEL_PGD_BOUNDARY; i++)
		used += !pgd_none(swapper_pg_dir[i]);
	KTEST_EXPECT_EQ(t, used, 0);
}

static void test_no_wx_mappings(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, count_wx_kernel_mappings(), 0);
}

static void test_rodata_write_faults(struct ktest *t)
{
	struct kernel_fault_catcher c;

	KTEST_EXPECT_EQ(t, put_kernel_nofault_u8((void *)&rodata_byte, 1), -EFAULT);
	KTEST_EXPECT_EQ(t, rodata_byte, 42);
	KTEST_EXPECT_EQ(t, put_kernel_nofault_u8(&data_byte, 9), 0);
	KTEST_EXPECT_EQ(t, data_byte, 9);

	/* The same write without a fixup: the CPU raises #PF, protection + write. */
	if (kernel_fault_setjmp(&c) == 0) {
		arm_fault_catcher(&c);
		*(volatile char *)&rodata_byte = 1;
		disarm_fault_catcher();
		ktest_fail(t, __FILE__, __LINE__, "write to rodata did not fault");
		return;
	}
	KTEST_EXPECT_EQ(t, c.vector, X86_TRAP_PF);
	KTEST_EXPECT_EQ(t, c.cr2, (unsigned long)&rodata_byte);
	KTEST_EXPECT_EQ(t, c.error_code & (X86_PF_PROT | X86_PF_WRITE | X86_PF_USER),
			X86_PF_PROT | X86_PF_WRITE);
}

static void test_nx_data_fetch_faults(struct ktest *t)
{
	struct kernel_fault_catcher c;

	if (kernel_fault_setjmp(&c) == 0) {
		arm_fault_catcher(&c);
		((void (*)(void))data_code)();
		disarm_fault_catcher();
		ktest_fail(t, __FILE__, __LINE__, "executing .data did not fault");
		return;
	}
	KTEST_EXPECT_EQ(t, c.vector, X86_TRAP_PF);
	KTEST_EXPECT_EQ(t, c.cr2, (unsigned long)data_code);
	KTEST_EXPECT_EQ(t, c.error_code & (X86_PF_PROT | X86_PF_INSTR), X86_PF_PROT | X86_PF_INSTR);
}

static void test_text_write_faults(struct ktest *t)
{
	u8 first = *(u8 *)test_text_write_faults;
	KTEST_EXPECT_EQ(t, put_kernel_nofault_u8((void *)test_text_write_faults, 0xcc), -EFAULT);
	KTEST_EXPECT_EQ(t, *(u8 *)test_text_write_faults, first);
}

static void test_unmapped_read_faults(struct ktest *t)
{
	u64 v;
	KTEST_EXPECT_EQ(t, get_kernel_nofault_u64(&v, (void *)0x1000), -EFAULT);
	KTEST_EXPECT_EQ(t, get_kernel_nofault_u64(&v, (void *)(PAGE_OFFSET - PAGE_SIZE)), -EFAULT);
	KTEST_EXPECT_EQ(t, get_kernel_nofault_u64(&v, &data_byte), 0);
}

static void test_flag_helpers(struct ktest *t)
{
	pte_t pte = pfn_pte(0x1234, PAGE_COPY);
	KTEST_EXPECT_EQ(t, pte_pfn(pte), 0x1234);
	KTEST_EXPECT_TRUE(t, pte_present(pte));
	KTEST_EXPECT_FALSE(t, pte_write(pte));
	pte = pte_mkdirty(pte_mkwrite(pte));
	KTEST_EXPECT_TRUE(t, pte_write(pte) && pte_dirty(pte));
	pte = pte_wrprotect(pte);
	KTEST_EXPECT_FALSE(t, pte_write(pte));
	/* PROT_NONE: present to the mm, not to the CPU. */
	pte_t none = pfn_pte(5, PAGE_NONE);
	KTEST_EXPECT_TRUE(t, pte_present(none) && pte_protnone(none));
	KTEST_EXPECT_FALSE(t, pte_val(none) & _PAGE_PRESENT);
	KTEST_EXPECT_EQ(t, pgd_index(0xffff888000000000UL), 273);
	KTEST_EXPECT_EQ(t, pgd_index(0xffffffff80000000UL), 511);
	KTEST_EXPECT_EQ(t, pud_index(0xffffffff80000000UL), 510);
	KTEST_EXPECT_EQ(t, pte_index(0x7ffffffff000UL), 511);
}

static struct ktest_case pgtable_cases[] = {
	KTEST_CASE(test_section_permissions),
	KTEST_CASE(test_direct_map),
	KTEST_CASE(test_nothing_at_zero),
	KTEST_CASE(test_no_wx_mappings),
	KTEST_CASE(test_rodata_write_faults),
	KTEST_CASE(test_nx_data_fetch_faults),
	KTEST_CASE(test_text_write_faults),
	KTEST_CASE(test_unmapped_read_faults),
	KTEST_CASE(test_flag_helpers),
	{},
};
KTEST_SUITE(pgtable, pgtable_cases);
