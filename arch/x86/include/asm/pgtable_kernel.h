/* SPDX-License-Identifier: MIT */
/* The kernel page table (arch/x86/mm/init.c). */
#ifndef _ASM_X86_PGTABLE_KERNEL_H
#define _ASM_X86_PGTABLE_KERNEL_H

#include <linux/mm_types.h>
#include <asm/pgtable.h>

extern pgd_t swapper_pg_dir[PTRS_PER_PGD];

/* The entry mapping va and its level (1 = PTE 4K, 2 = PMD 2M, 3 = PUD 1G), or NULL. */
pte_t *lookup_address(unsigned long va, int *level);
pte_t *lookup_address_in_pgd(pgd_t *pgd, unsigned long va, int *level);
int vmap_page(unsigned long va, struct page *page, pgprot_t prot);
void vunmap_page(unsigned long va);

/*
 * Visit every present leaf mapping of a page table (kernel half and user
 * half): fn(va, entry, level, arg).  Used by the W^X check and the ptdump.
 */
typedef void (*pt_leaf_fn)(unsigned long va, u64 entry, int level, void *arg);
void walk_page_table(pgd_t *pgd, int first_pgd, int last_pgd, pt_leaf_fn fn, void *arg);
/* Number of kernel mappings that are writable and executable at once (must be 0). */
unsigned long count_wx_kernel_mappings(void);

#endif
