// SPDX-License-Identifier: MIT
/*
 * The kernel's own page table (init_mm.pgd == swapper_pg_dir), built once
 * at boot to replace the temporary one from boot/head.S:
 *
 *   0xffff888000000000 + phys   direct map of all RAM, RW+NX, 1 GiB or
 *                               2 MiB pages where alignment allows
 *   0xffffc90000000000 ...      vmalloc area: kernel stacks with guard
 *                               pages (its PGD entry exists from boot, so
 *                               every process's PGD shares it)
 *   0xffffffff80000000 + phys   the kernel image, 4 KiB pages, per section:
 *                               .text RX, .rodata R+NX, .data/.bss RW+NX
 *
 * Nothing is mapped below the kernel half: virtual address 0 faults.
 * All kernel entries are global (CR4.PGE) and never carry _PAGE_USER.
 */
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/pgtable.h>
#include <asm/pgtable_kernel.h>
#include <asm/processor.h>
#include <asm/setup.h>
#include <asm/tlbflush.h>

pgd_t swapper_pg_dir[PTRS_PER_PGD] __aligned(PAGE_SIZE);

#define VMALLOC_START 0xffffc90000000000UL
#define VMALLOC_END (VMALLOC_START + PGDIR_SIZE)

/*
 * Until CR3 points at swapper_pg_dir, only the boot map exists: the first
 * 1 GiB of RAM through __START_KERNEL_map.  Page-table pages made before
 * the switch are allocated there and reached that way.
 */
static bool direct_map_live;

static void *table_va(u64 entry)
{
	phys_addr_t pa = entry & PTE_PFN_MASK;

	return direct_map_live ? __va(pa) : (void *)(pa + __START_KERNEL_map);
}

static u64 alloc_table(void)
{
	phys_addr_t pa = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE, 0x40000000);
	memset(table_va(pa), 0, PAGE_SIZE);
	return pa | _KERNPG_TABLE;
}

/* Map [va, va+size) to [pa, pa+size) with prot, using huge pages if allowed and aligned. */
static void kernel_map_range(unsigned long va, phys_addr_t pa, unsigned long size, pteval_t prot,
			     bool huge)
{
	unsigned long end = va + size;

	while (va < end) {
		pgd_t *pgd = &swapper_pg_dir[pgd_index(va)];
		if (pgd_none(*pgd))
			set_pgd(pgd, __pgd(alloc_table()));
		pud_t *pud = (pud_t *)table_va(pgd_val(*pgd)) + pud_index(va);

		if (huge && boot_cpu_data.has_gbpages && IS_ALIGNED(va | pa, PUD_SIZE) &&
		    end - va >= PUD_SIZE) {
			set_pud(pud, __pud(pa | prot | _PAGE_PSE));
			va += PUD_SIZE, pa += PUD_SIZE;
			continue;
		}
		if (pud_none(*pud))
			set_pud(pud, __pud(alloc_table()));
		pmd_t *pmd = (pmd_t *)table_va(pud_val(*pud)) + pmd_index(va);

		if (huge && IS_ALIGNED(va | pa, PMD_SIZE) && end - va >= PMD_SIZE) {
			set_pmd(pmd, __pmd(pa | prot | _PAGE_PSE));
			va += PMD_SIZE, pa += PMD_SIZE;
			continue;
		}
		if (pmd_none(*pmd))
			set_pmd(pmd, __pmd(alloc_table()));
		pte_t *pte = (pte_t *)table_va(pmd_val(*pmd)) + pte_index(va);
		set_pte(pte, __pte(pa | prot));
		va += PAGE_SIZE, pa += PAGE_SIZE;
	}
}

static void map_kernel_section(char *start, char *end, pgprot_t prot)
{
	kernel_map_range((unsigned long)start, __pa(start), end - start, pgprot_val(prot), false);
}

void paging_init(void)
{
	/* The direct map: every usable RAM range. */
	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		struct memblock_region *r = &memblock.memory.regions[i];
		kernel_map_range((unsigned long)__va(r->base), r->base, r->size,
				 pgprot_val(PAGE_KERNEL), true);
	}
	/* The kernel image, section by section. */
	map_kernel_section(_text, _etext, PAGE_KERNEL_RX);
	map_kernel_section(__start_rodata, __end_rodata, PAGE_KERNEL_RO);
	map_kernel_section(_sdata, _end, PAGE_KERNEL);
	/* The vmalloc area's PUD table, so later stack mappings are shared by every PGD. */
	set_pgd(&swapper_pg_dir[pgd_index(VMALLOC_START)], __pgd(alloc_table()));

	write_cr3(__pa(swapper_pg_dir));
	direct_map_live = true;
	__flush_tlb_all();
}

void mem_init(void)
{
	max_pfn = PFN_DOWN(memblock_end_of_DRAM());
	phys_addr_t size = PAGE_ALIGN(max_pfn * sizeof(struct page));
	mem_map = __va(memblock_phys_alloc(size, PAGE_SIZE, memblock_end_of_DRAM()));

	/* Every frame starts reserved; memblock_free_all() releases the usable ones. */
	for (unsigned long pfn = 0; pfn < max_pfn; pfn++) {
		struct page *p = &mem_map[pfn];
		memset(p, 0, sizeof(*p));
		p->flags = 1UL << PG_reserved;
		atomic_set(&p->_refcount, 1);
		atomic_set(&p->_mapcount, -1);
	}
	memblock_free_all();
}

/*
 * Walk the kernel page table: the entry that maps va and its level
 * (1 = 4 KiB PTE, 2 = 2 MiB PMD, 3 = 1 GiB PUD), or NULL if unmapped.
 * Linux calls this lookup_address().
 */
pte_t *lookup_address_in_pgd(pgd_t *pgd_base, unsigned long va, int *level)
{
	pgd_t *pgd = pgd_offset_pgd(pgd_base, va);

	*level = 0;
	if (!pgd_present(*pgd))
		return NULL;
	pud_t *pud = pud_offset(pgd, va);
	*level = 3;
	if (!pud_present(*pud))
		return NULL;
	if (pud_leaf(*pud))
		return (pte_t *)pud;
	pmd_t *pmd = pmd_offset(pud, va);
	*level = 2;
	if (!pmd_present(*pmd))
		return NULL;
	if (pmd_leaf(*pmd))
		return (pte_t *)pmd;
	*level = 1;
	pte_t *pte = pte_offset(pmd, va);
	return pte_present(*pte) ? pte : NULL;
}

pte_t *lookup_address(unsigned long va, int *level)
{
	return lookup_address_in_pgd(swapper_pg_dir, va, level);
}

/* --- the vmalloc area: 4 KiB kernel mappings made after boot -------------- */

/* Map one page in the vmalloc area; the PGD entry already exists. */
int vmap_page(unsigned long va, struct page *page, pgprot_t prot)
{
	pgd_t *pgd = pgd_offset_pgd(swapper_pg_dir, va);
	pud_t *pud = pud_offset(pgd, va);

	if (va < VMALLOC_START || va >= VMALLOC_END)
		return -1;
	if (pud_none(*pud)) {
		unsigned long t = get_zeroed_page(GFP_KERNEL);
		if (!t)
			return -1;
		set_pud(pud, __pud(__pa(t) | _KERNPG_TABLE));
	}
	pmd_t *pmd = pmd_offset(pud, va);
	if (pmd_none(*pmd)) {
		unsigned long t = get_zeroed_page(GFP_KERNEL);
		if (!t)
			return -1;
		set_pmd(pmd, __pmd(__pa(t) | _KERNPG_TABLE));
	}
	set_pte(pte_offset(pmd, va), pfn_pte(page_to_pfn(page), prot));
	return 0;
}

void vunmap_page(unsigned long va)
{
	int level;
	pte_t *pte = lookup_address(va, &level);

	if (pte && level == 1) {
		pte_clear(pte);
		__flush_tlb_one(va);
	}
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	for (unsigned long a = start; a < end; a += PAGE_SIZE)
		__flush_tlb_one(a);
}

/* --- walking a whole table ------------------------------------------------ */

static unsigned long sign_extend(unsigned long va)
{
	return (va & (1UL << 47)) ? (va | 0xffff000000000000UL) : va;
}

void walk_page_table(pgd_t *pgd, int first, int last, pt_leaf_fn fn, void *arg)
{
	for (int i = first; i <= last; i++) {
		if (!pgd_present(pgd[i]))
			continue;
		pud_t *pud = __va(pgd_val(pgd[i]) & PTE_PFN_MASK);
		for (int j = 0; j < 512; j++) {
			unsigned long va_pud = sign_extend(((unsigned long)i << PGDIR_SHIFT) | ((unsigned long)j << PUD_SHIFT));
			if (!pud_present(pud[j]))
				continue;
			if (pud_leaf(pud[j])) {
				fn(va_pud, pud_val(pud[j]), 3, arg);
				continue;
			}
			pmd_t *pmd = __va(pud_val(pud[j]) & PTE_PFN_MASK);
			for (int k = 0; k < 512; k++) {
				unsigned long va_pmd = va_pud | ((unsigned long)k << PMD_SHIFT);
				if (!pmd_present(pmd[k]))
					continue;
				if (pmd_leaf(pmd[k])) {
					fn(va_pmd, pmd_val(pmd[k]), 2, arg);
					continue;
				}
				pte_t *pte = __va(pmd_val(pmd[k]) & PTE_PFN_MASK);
				for (int l = 0; l < 512; l++)
					if (pte_val(pte[l]) & _PAGE_PRESENT)
						fn(va_pmd | ((unsigned long)l << PAGE_SHIFT), pte_val(pte[l]), 1, arg);
			}
		}
	}
}

static void count_wx(unsigned long va, u64 entry, int level, void *arg)
{
	if ((entry & _PAGE_RW) && !(entry & _PAGE_NX)) {
		if (*(unsigned long *)arg < 4)
			pr_err("W+X kernel mapping at %#lx (level %d, entry %#lx)\n", va, level,
			       (unsigned long)entry);
		(*(unsigned long *)arg)++;
	}
}

/* Linux's CONFIG_DEBUG_WX: every kernel mapping is writable or executable, never both. */
unsigned long count_wx_kernel_mappings(void)
{
	unsigned long n = 0;

	walk_page_table(swapper_pg_dir, KERNEL_PGD_BOUNDARY, PTRS_PER_PGD - 1, count_wx, &n);
	return n;
}
