/* SPDX-License-Identifier: MIT */
/* Page census and leak report (mm/page_census.c). */
#ifndef _LINUX_PAGE_CENSUS_H
#define _LINUX_PAGE_CENSUS_H

#include <linux/types.h>

struct kmem_cache;

enum page_kind { PK_SLAB, PK_PGTABLE, PK_ANON, PK_ZERO, PK_LARGE, PK_FILE, PK_OTHER, NR_PAGE_KINDS };

#define CENSUS_MAX_CACHES 48
#define BITS_PER_LONG 64
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

struct page_census {
	unsigned long pages[NR_PAGE_KINDS]; /* allocated page frames of each kind */
	unsigned long *allocated;           /* one bit per page frame (baseline only) */
	struct {
		const struct kmem_cache *cache;
		unsigned long active;
	} cache[CENSUS_MAX_CACHES];
	int nr_caches;
};

/* Count allocated page frames by kind (and mark them in c->allocated, if set). */
void page_census_take(struct page_census *c);
void leak_check_start(void);
void leak_check_stop(void);
void leak_report(long missing);

#endif
