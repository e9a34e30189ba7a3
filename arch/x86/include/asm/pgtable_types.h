/* SPDX-License-Identifier: MIT */
/*
 * x86-64 page-table entry bits (Intel SDM vol. 3, 4.5).  Every level has
 * the same shape:
 *
 *  63  62..52  51.........................12  11..9  8 7 6 5 4 3 2 1 0
 * +--+-------+-------------------------------+------+-+-+-+-+-+-+-+-+-+
 * |NX| avail | physical frame number         |avail |G|S|D|A|C|T|U|W|P|
 * +--+-------+-------------------------------+------+-+-+-+-+-+-+-+-+-+
 *                                                      S = PSE (huge page) in PUD/PMD
 *
 * Linux's software bits are reused: bit 9 marks a "special" PTE (the zero
 * page: it has no struct page refcount to touch), and a not-present PTE
 * with bit 8 set is a PROT_NONE mapping.
 */
#ifndef _ASM_X86_PGTABLE_TYPES_H
#define _ASM_X86_PGTABLE_TYPES_H

#include <linux/types.h>

#define _PAGE_BIT_PRESENT 0
#define _PAGE_BIT_RW 1
#define _PAGE_BIT_USER 2
#define _PAGE_BIT_PWT 3
#define _PAGE_BIT_PCD 4
#define _PAGE_BIT_ACCESSED 5
#define _PAGE_BIT_DIRTY 6
#define _PAGE_BIT_PSE 7
#define _PAGE_BIT_GLOBAL 8
#define _PAGE_BIT_SPECIAL 9
#define _PAGE_BIT_NX 63

#define _PAGE_PRESENT (1UL << _PAGE_BIT_PRESENT)
#define _PAGE_RW (1UL << _PAGE_BIT_RW)
#define _PAGE_USER (1UL << _PAGE_BIT_USER)
#define _PAGE_PWT (1UL << _PAGE_BIT_PWT)
#define _PAGE_PCD (1UL << _PAGE_BIT_PCD)
#define _PAGE_ACCESSED (1UL << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY (1UL << _PAGE_BIT_DIRTY)
#define _PAGE_PSE (1UL << _PAGE_BIT_PSE)
#define _PAGE_GLOBAL (1UL << _PAGE_BIT_GLOBAL)
#define _PAGE_SPECIAL (1UL << _PAGE_BIT_SPECIAL)
#define _PAGE_PROTNONE _PAGE_GLOBAL /* only meaningful when !_PAGE_PRESENT */
#define _PAGE_NX (1UL << _PAGE_BIT_NX)

#define PTE_PFN_MASK 0x000ffffffffff000UL
#define PTE_FLAGS_MASK (~PTE_PFN_MASK)

/* Upper-level entries carry every permission; the leaf PTE restricts. */
#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

typedef u64 pteval_t;
typedef u64 pmdval_t;
typedef u64 pudval_t;
typedef u64 pgdval_t;

typedef struct { pteval_t pte; } pte_t;
typedef struct { pmdval_t pmd; } pmd_t;
typedef struct { pudval_t pud; } pud_t;
typedef struct { pgdval_t pgd; } pgd_t;
typedef struct { pteval_t pgprot; } pgprot_t;

#define __pte(x) ((pte_t){ (x) })
#define __pmd(x) ((pmd_t){ (x) })
#define __pud(x) ((pud_t){ (x) })
#define __pgd(x) ((pgd_t){ (x) })
#define __pgprot(x) ((pgprot_t){ (x) })
#define pte_val(x) ((x).pte)
#define pmd_val(x) ((x).pmd)
#define pud_val(x) ((x).pud)
#define pgd_val(x) ((x).pgd)
#define pgprot_val(x) ((x).pgprot)

/* Kernel mappings (init_mm).  Global: they survive CR3 reloads. */
#define __PAGE_KERNEL (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL __pgprot(__PAGE_KERNEL)
#define PAGE_KERNEL_RO __pgprot(__PAGE_KERNEL & ~_PAGE_RW & ~_PAGE_DIRTY)
#define PAGE_KERNEL_RX __pgprot((__PAGE_KERNEL & ~_PAGE_RW & ~_PAGE_DIRTY) & ~_PAGE_NX)
#define PAGE_KERNEL_LARGE __pgprot(__PAGE_KERNEL | _PAGE_PSE)

/* User mappings: the protection_map of spec §3.4. */
#define PAGE_NONE __pgprot(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_SHARED __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_SHARED_EXEC __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_COPY_EXEC __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_READONLY __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_READONLY_EXEC __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)

#define PTRS_PER_PGD 512
#define PTRS_PER_PUD 512
#define PTRS_PER_PMD 512
#define PTRS_PER_PTE 512
#define PGDIR_SHIFT 39
#define PUD_SHIFT 30
#define PMD_SHIFT 21
#define PGDIR_SIZE (1UL << PGDIR_SHIFT)
#define PUD_SIZE (1UL << PUD_SHIFT)
#define PMD_SIZE (1UL << PMD_SHIFT)
#define PGDIR_MASK (~(PGDIR_SIZE - 1))
#define PUD_MASK (~(PUD_SIZE - 1))
#define PMD_MASK (~(PMD_SIZE - 1))
#define KERNEL_PGD_BOUNDARY 256 /* pgd entries >= 256 are the shared kernel half */

#endif
