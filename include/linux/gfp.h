/* SPDX-License-Identifier: MIT */
/*
 * The page allocator interface (mm/page_alloc.c), Linux's names.
 *
 * alloc_pages(gfp, order) returns 2^order contiguous pages with
 * _refcount == 1; __free_pages() drops that reference.  __GFP_ZERO
 * zeroes them.  The free-page counter is what the leak checks read.
 */
#ifndef _LINUX_GFP_H
#define _LINUX_GFP_H

#include <linux/types.h>
#include <linux/mm_types.h>

#define __GFP_ZERO 0x1u
#define __GFP_NOFAIL 0x2u  /* never used for user memory: boot-time only */
#define __GFP_NOWARN 0x4u
#define __GFP_RESERVE 0x8u /* may dip into the kernel's reserve (see mm/page_alloc.c) */
#define GFP_KERNEL 0u
#define GFP_USER 0x10u     /* user memory: fails before the kernel's reserve is touched */
#define GFP_HIGHUSER_MOVABLE GFP_USER

#define MAX_ORDER 10 /* largest block: 2^10 pages = 4 MiB */

struct page *alloc_pages(gfp_t gfp, unsigned int order);
void __free_pages(struct page *page, unsigned int order);
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
unsigned long get_zeroed_page(gfp_t gfp);
void free_pages(unsigned long addr, unsigned int order);
#define alloc_page(gfp) alloc_pages(gfp, 0)
#define __get_free_page(gfp) __get_free_pages(gfp, 0)
#define __free_page(page) __free_pages(page, 0)
#define free_page(addr) free_pages(addr, 0)

/* Hand [start_pfn, end_pfn) to the buddy allocator (boot time: memblock_free_all). */
void free_pages_range_core(unsigned long start_pfn, unsigned long end_pfn);

/* Turn an order-n allocation into 2^n independent order-0 pages (Linux: split_page). */
void split_page(struct page *page, unsigned int order);

unsigned long nr_free_pages(void);
extern bool page_poisoning;
bool page_poison_intact(struct page *page);
extern unsigned long totalram_pages;
/* Blocks free at each order, for a /proc/buddyinfo-like view. */
unsigned long buddy_nr_free(unsigned int order);
/* Consistency check of the free lists; 0 or a negative code. */
int buddy_check(void);

#endif
