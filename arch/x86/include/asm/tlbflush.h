/* SPDX-License-Identifier: MIT */
/*
 * TLB maintenance.  Faultline runs on one CPU, so a flush is a local
 * invlpg or a CR3 reload; mm_cpumask is still kept so the SMP story reads
 * the same as Linux's.
 */
#ifndef _ASM_X86_TLBFLUSH_H
#define _ASM_X86_TLBFLUSH_H

#include <asm/processor.h>

static inline void __flush_tlb_one(unsigned long addr)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(addr) : "memory");
}

/* Drop every non-global translation: reload CR3. */
static inline void __flush_tlb_local(void)
{
	write_cr3(read_cr3());
}

/* Drop global translations too: toggle CR4.PGE. */
static inline void __flush_tlb_all(void)
{
	unsigned long cr4 = read_cr4();
	if (cr4 & X86_CR4_PGE) {
		write_cr4(cr4 & ~X86_CR4_PGE);
		write_cr4(cr4);
	} else {
		__flush_tlb_local();
	}
}

struct mm_struct;
void flush_tlb_mm(struct mm_struct *mm);
void flush_tlb_range(struct mm_struct *mm, unsigned long start, unsigned long end);
void flush_tlb_page(struct mm_struct *mm, unsigned long addr);
void flush_tlb_kernel_range(unsigned long start, unsigned long end);
#define flush_tlb_all() __flush_tlb_all()

#endif
