/* SPDX-License-Identifier: MIT */
#ifndef _LINUX_MM_H
#define _LINUX_MM_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/mm_types.h>
#include <linux/gfp.h>
#include <asm/page.h>

extern struct page *mem_map;
extern unsigned long max_pfn; /* one past the highest page frame with a struct page */

static inline struct page *pfn_to_page(unsigned long pfn) { return mem_map + pfn; }
static inline unsigned long page_to_pfn(const struct page *page) { return page - mem_map; }
static inline phys_addr_t page_to_phys(const struct page *page) { return PFN_PHYS(page_to_pfn(page)); }
static inline void *page_address(const struct page *page) { return __va(page_to_phys(page)); }
static inline struct page *virt_to_page(const void *addr) { return pfn_to_page(__pa(addr) >> PAGE_SHIFT); }
static inline bool pfn_valid(unsigned long pfn) { return pfn < max_pfn; }

static inline bool PageFlag(const struct page *p, int bit) { return p->flags & (1UL << bit); }
static inline void SetPageFlag(struct page *p, int bit) { p->flags |= 1UL << bit; }
static inline void ClearPageFlag(struct page *p, int bit) { p->flags &= ~(1UL << bit); }
#define PageReserved(p) PageFlag(p, PG_reserved)
#define PageBuddy(p) PageFlag(p, PG_buddy)
#define PageSlab(p) PageFlag(p, PG_slab)
#define PageHead(p) PageFlag(p, PG_head)
#define PageAnon(p) PageFlag(p, PG_anon)

static inline bool PageTail(const struct page *p) { return p->compound_head & 1; }
static inline struct page *compound_head(struct page *p)
{
	return PageTail(p) ? (struct page *)(p->compound_head - 1) : p;
}
static inline struct page *virt_to_head_page(const void *addr) { return compound_head(virt_to_page(addr)); }

static inline int page_ref_count(const struct page *p) { return atomic_read(&p->_refcount); }
static inline int page_mapcount(const struct page *p) { return atomic_read(&p->_mapcount) + 1; }
static inline void get_page(struct page *p) { atomic_inc(&p->_refcount); }
/* Drop a reference; the last one returns an order-0 page to the buddy allocator. */
void put_page(struct page *page);

#endif
