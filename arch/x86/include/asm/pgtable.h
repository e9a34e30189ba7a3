/* SPDX-License-Identifier: MIT */
/*
 * Walking and editing 4-level page tables, with Linux's names.  The P4D
 * level is folded away (4-level paging), so pud_offset() takes a pgd_t *.
 *
 *  47      39 38      30 29      21 20      12 11         0
 * +----------+----------+----------+----------+------------+
 * | pgd idx  | pud idx  | pmd idx  | pte idx  |  offset    |
 * +----------+----------+----------+----------+------------+
 */
#ifndef _ASM_X86_PGTABLE_H
#define _ASM_X86_PGTABLE_H

#include <linux/compiler.h>
#include <asm/page.h>
#include <asm/pgtable_types.h>

static inline unsigned long pgd_index(unsigned long a) { return (a >> PGDIR_SHIFT) & 511; }
static inline unsigned long pud_index(unsigned long a) { return (a >> PUD_SHIFT) & 511; }
static inline unsigned long pmd_index(unsigned long a) { return (a >> PMD_SHIFT) & 511; }
static inline unsigned long pte_index(unsigned long a) { return (a >> PAGE_SHIFT) & 511; }

#define pgd_offset_pgd(pgd, addr) ((pgd) + pgd_index(addr))
#define pgd_offset(mm, addr) pgd_offset_pgd((mm)->pgd, (addr))
#define pgd_offset_k(addr) pgd_offset(&init_mm, (addr))

static inline bool pgd_none(pgd_t p) { return pgd_val(p) == 0; }
static inline bool pgd_present(pgd_t p) { return pgd_val(p) & _PAGE_PRESENT; }
static inline bool pud_none(pud_t p) { return pud_val(p) == 0; }
static inline bool pud_present(pud_t p) { return pud_val(p) & _PAGE_PRESENT; }
static inline bool pud_leaf(pud_t p) { return (pud_val(p) & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE); }
static inline bool pmd_none(pmd_t p) { return pmd_val(p) == 0; }
static inline bool pmd_present(pmd_t p) { return pmd_val(p) & _PAGE_PRESENT; }
static inline bool pmd_leaf(pmd_t p) { return (pmd_val(p) & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE); }

static inline pud_t *pud_offset(pgd_t *pgd, unsigned long addr)
{
	return (pud_t *)__va(pgd_val(*pgd) & PTE_PFN_MASK) + pud_index(addr);
}

static inline pmd_t *pmd_offset(pud_t *pud, unsigned long addr)
{
	return (pmd_t *)__va(pud_val(*pud) & PTE_PFN_MASK) + pmd_index(addr);
}

static inline pte_t *pte_offset(pmd_t *pmd, unsigned long addr)
{
	return (pte_t *)__va(pmd_val(*pmd) & PTE_PFN_MASK) + pte_index(addr);
}
#define pte_offset_kernel pte_offset
#define pte_offset_map pte_offset

static inline void set_pgd(pgd_t *p, pgd_t v) { WRITE_ONCE(p->pgd, v.pgd); }
static inline void set_pud(pud_t *p, pud_t v) { WRITE_ONCE(p->pud, v.pud); }
static inline void set_pmd(pmd_t *p, pmd_t v) { WRITE_ONCE(p->pmd, v.pmd); }
static inline void set_pte(pte_t *p, pte_t v) { WRITE_ONCE(p->pte, v.pte); }
static inline void pte_clear(pte_t *p) { WRITE_ONCE(p->pte, 0); }
static inline pte_t ptep_get(pte_t *p) { return __pte(READ_ONCE(p->pte)); }

/* PTE queries.  A PROT_NONE PTE is "present" to the mm, not to the CPU. */
static inline bool pte_none(pte_t p) { return pte_val(p) == 0; }
static inline bool pte_present(pte_t p) { return pte_val(p) & (_PAGE_PRESENT | _PAGE_PROTNONE); }
static inline bool pte_protnone(pte_t p) { return (pte_val(p) & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE; }
static inline bool pte_write(pte_t p) { return pte_val(p) & _PAGE_RW; }
static inline bool pte_dirty(pte_t p) { return pte_val(p) & _PAGE_DIRTY; }
static inline bool pte_young(pte_t p) { return pte_val(p) & _PAGE_ACCESSED; }
static inline bool pte_special(pte_t p) { return pte_val(p) & _PAGE_SPECIAL; }
static inline bool pte_exec(pte_t p) { return !(pte_val(p) & _PAGE_NX); }
static inline unsigned long pte_pfn(pte_t p) { return (pte_val(p) & PTE_PFN_MASK) >> PAGE_SHIFT; }

static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte(((pteval_t)pfn << PAGE_SHIFT) | pgprot_val(prot));
}

static inline pte_t pte_mkwrite(pte_t p) { return __pte(pte_val(p) | _PAGE_RW); }
static inline pte_t pte_wrprotect(pte_t p) { return __pte(pte_val(p) & ~_PAGE_RW); }
static inline pte_t pte_mkdirty(pte_t p) { return __pte(pte_val(p) | _PAGE_DIRTY); }
static inline pte_t pte_mkclean(pte_t p) { return __pte(pte_val(p) & ~_PAGE_DIRTY); }
static inline pte_t pte_mkyoung(pte_t p) { return __pte(pte_val(p) | _PAGE_ACCESSED); }
static inline pte_t pte_mkold(pte_t p) { return __pte(pte_val(p) & ~_PAGE_ACCESSED); }
static inline pte_t pte_mkspecial(pte_t p) { return __pte(pte_val(p) | _PAGE_SPECIAL); }

/* Keep the frame and the software state, take new permissions (mprotect). */
static inline pte_t pte_modify(pte_t p, pgprot_t newprot)
{
	pteval_t keep = pte_val(p) & (PTE_PFN_MASK | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_SPECIAL);
	return __pte(keep | pgprot_val(newprot));
}

#endif
