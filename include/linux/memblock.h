/* SPDX-License-Identifier: MIT */
/*
 * Boot-time physical memory bookkeeping (mm/memblock.c), as in Linux: the
 * firmware memory map gives the "memory" regions, the kernel image,
 * boot-loader data and modules are "reserved", and memblock_alloc()
 * carves early allocations (page tables, mem_map) out of what is left,
 * before the buddy allocator exists.
 */
#ifndef _LINUX_MEMBLOCK_H
#define _LINUX_MEMBLOCK_H

#include <linux/types.h>

#define MEMBLOCK_MAX_REGIONS 64

struct memblock_region {
	phys_addr_t base, size;
};

struct memblock_type {
	unsigned long cnt;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];
};

struct memblock {
	struct memblock_type memory;
	struct memblock_type reserved;
};

extern struct memblock memblock;

int memblock_add(phys_addr_t base, phys_addr_t size);
int memblock_reserve(phys_addr_t base, phys_addr_t size);
/* Physical address of size bytes aligned to align, below limit; panics when out of memory. */
phys_addr_t memblock_phys_alloc(phys_addr_t size, phys_addr_t align, phys_addr_t limit);
phys_addr_t memblock_end_of_DRAM(void);
phys_addr_t memblock_phys_mem_size(void);
bool memblock_is_reserved(phys_addr_t addr);
/* Release every unreserved page to the buddy allocator; returns how many. */
unsigned long memblock_free_all(void);

#endif
