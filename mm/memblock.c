// SPDX-License-Identifier: MIT
/*
 * memblock: the boot-time view of physical memory (see linux/memblock.h).
 * Regions are kept sorted and merged; allocations are made top-down below
 * a limit, the way Linux's memblock allocates.
 */
#include <linux/memblock.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <asm/page.h>

struct memblock memblock;

static void insert_region(struct memblock_type *type, phys_addr_t base, phys_addr_t size)
{
	phys_addr_t end = base + size;
	unsigned long i;

	if (!size)
		return;
	/* Absorb every region that overlaps or touches [base, end). */
	for (i = 0; i < type->cnt;) {
		struct memblock_region *r = &type->regions[i];
		if (r->base <= end && base <= r->base + r->size) {
			phys_addr_t rend = r->base + r->size;
			base = min(base, r->base);
			end = max(end, rend);
			type->regions[i] = type->regions[--type->cnt];
			continue;
		}
		i++;
	}
	if (type->cnt == MEMBLOCK_MAX_REGIONS)
		panic("memblock: too many regions");
	/* Insertion sort by base. */
	for (i = type->cnt; i > 0 && type->regions[i - 1].base > base; i--)
		type->regions[i] = type->regions[i - 1];
	type->regions[i].base = base;
	type->regions[i].size = end - base;
	type->cnt++;
	/* Removing entries above may have unsorted the tail: restore order. */
	for (unsigned long a = 1; a < type->cnt; a++)
		for (unsigned long b = a; b > 0 && type->regions[b - 1].base > type->regions[b].base; b--) {
			struct memblock_region t = type->regions[b];
			type->regions[b] = type->regions[b - 1];
			type->regions[b - 1] = t;
		}
}

int memblock_add(phys_addr_t base, phys_addr_t size)
{
	insert_region(&memblock.memory, base, size);
	return 0;
}

int memblock_reserve(phys_addr_t base, phys_addr_t size)
{
	insert_region(&memblock.reserved, base, size);
	return 0;
}

/* The first reserved region overlapping [base, base + size), or NULL. */
static struct memblock_region *reserved_overlap(phys_addr_t base, phys_addr_t size)
{
	for (unsigned long i = 0; i < memblock.reserved.cnt; i++) {
		struct memblock_region *r = &memblock.reserved.regions[i];
		if (base < r->base + r->size && r->base < base + size)
			return r;
	}
	return NULL;
}

bool memblock_is_reserved(phys_addr_t addr)
{
	return reserved_overlap(addr, 1) != NULL;
}

phys_addr_t memblock_phys_alloc(phys_addr_t size, phys_addr_t align, phys_addr_t limit)
{
	for (long i = (long)memblock.memory.cnt - 1; i >= 0; i--) {
		struct memblock_region *m = &memblock.memory.regions[i];
		phys_addr_t top = min(m->base + m->size, limit);

		while (top >= m->base + size) {
			phys_addr_t cand = ALIGN_DOWN(top - size, align);
			if (cand < m->base)
				break;
			struct memblock_region *r = reserved_overlap(cand, size);
			if (!r) {
				memblock_reserve(cand, size);
				return cand;
			}
			top = r->base; /* try again just below the obstacle */
		}
	}
	panic("memblock: cannot allocate %lu bytes below %#lx", (unsigned long)size,
	      (unsigned long)limit);
}

phys_addr_t memblock_end_of_DRAM(void)
{
	struct memblock_type *t = &memblock.memory;

	return t->cnt ? t->regions[t->cnt - 1].base + t->regions[t->cnt - 1].size : 0;
}

phys_addr_t memblock_phys_mem_size(void)
{
	phys_addr_t total = 0;

	for (unsigned long i = 0; i < memblock.memory.cnt; i++)
		total += memblock.memory.regions[i].size;
	return total;
}

unsigned long memblock_free_all(void)
{
	unsigned long freed = 0;

	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		struct memblock_region *m = &memblock.memory.regions[i];
		unsigned long pfn = PFN_UP(m->base), end = PFN_DOWN(m->base + m->size);

		/* Free maximal runs of pages that no reserved region touches. */
		while (pfn < end) {
			unsigned long run = pfn;
			while (run < end && !reserved_overlap(PFN_PHYS(run), PAGE_SIZE))
				run++;
			if (run > pfn) {
				free_pages_range_core(pfn, run);
				freed += run - pfn;
			}
			pfn = run + 1;
		}
	}
	return freed;
}
