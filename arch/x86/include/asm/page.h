/* SPDX-License-Identifier: MIT */
/*
 * Virtual memory layout constants (x86-64, 4-level paging), as in Linux:
 *
 *   0x0000000000000000 - 0x00007ffffffff000   user space (TASK_SIZE)
 *   0xffff888000000000 - ...                  direct map of all RAM (PAGE_OFFSET)
 *   0xffffffff80000000 - ...                  kernel image (__START_KERNEL_map)
 */
#ifndef _ASM_X86_PAGE_H
#define _ASM_X86_PAGE_H

#include <linux/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGN_DOWN(x) ((x) & PAGE_MASK)
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)

#define __START_KERNEL_map 0xffffffff80000000UL
#define TASK_SIZE_MAX 0x00007ffffffff000UL
#define TASK_SIZE TASK_SIZE_MAX

#ifdef HOST_TEST
/* Host unit tests point the "direct map" at a malloc'ed arena. */
extern unsigned long page_offset_base;
#define PAGE_OFFSET page_offset_base
#else
#define PAGE_OFFSET 0xffff888000000000UL
#endif

#define __va(x) ((void *)((unsigned long)(x) + PAGE_OFFSET))
#define __pa(x) __phys_addr((unsigned long)(x))

/* Kernel image addresses and direct-map addresses both translate. */
static inline phys_addr_t __phys_addr(unsigned long x)
{
#ifndef HOST_TEST
	if (x >= __START_KERNEL_map)
		return x - __START_KERNEL_map;
#endif
	return x - PAGE_OFFSET;
}

#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)

#endif
