// SPDX-License-Identifier: MIT
/*
 * TLB flushes for user mappings.  One CPU: flush only if the mm is the
 * one loaded (mm_cpumask would name the other CPUs to interrupt on SMP).
 * A range flush uses invlpg up to 32 pages, then reloads CR3 (Linux's
 * tlb_single_page_flush_ceiling is 33).
 */
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <asm/tlbflush.h>

void flush_tlb_mm(struct mm_struct *mm)
{
	atomic_long_inc(&mm->context.tlb_gen);
	if (cpu_loaded_mm == mm)
		__flush_tlb_local();
}

void flush_tlb_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	atomic_long_inc(&mm->context.tlb_gen);
	if (cpu_loaded_mm != mm)
		return;
	if ((end - start) >> PAGE_SHIFT > 32) {
		__flush_tlb_local();
		return;
	}
	for (unsigned long a = start; a < end; a += PAGE_SIZE)
		__flush_tlb_one(a);
}

void flush_tlb_page(struct mm_struct *mm, unsigned long addr)
{
	flush_tlb_range(mm, addr, addr + PAGE_SIZE);
}
