// SPDX-License-Identifier: MIT
/*
 * The buddy allocator.
 *
 * Free memory is kept as blocks of 2^order pages, order 0..MAX_ORDER,
 * each aligned to its size.  free_area[order] lists the free blocks of
 * that order; the head page of a free block has PG_buddy set and its
 * order in page->private.
 *
 * Allocating order k: take a block from the smallest non-empty list of
 * order >= k, and split it in halves, putting each unused upper half
 * back on the list one order down (expand()).
 *
 * Freeing order k: the block's "buddy" is the other half of the order
 * k+1 block it came from: pfn ^ (1 << k).  If the buddy is free at the
 * same order, take it off its list and merge, then repeat one order up.
 *
 *   order 2 block     [ 0 1 2 3 ]
 *   split:            [ 0 1 ][ 2 3 ]      2,3 go on the order-1 list
 *   split:            [ 0 ][ 1 ]          1 goes on the order-0 list
 *
 * Linux adds zones, per-CPU lists and migrate types; one zone is enough
 * here.  A small reserve of pages is kept for the kernel: GFP_USER
 * allocations fail first, so user memory pressure cannot starve page
 * tables and slab (mm/oom.c then picks a victim).
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/string.h>

struct free_area {
	struct list_head free_list;
	unsigned long nr_free;
};

static struct free_area free_area[MAX_ORDER + 1];
bool page_poisoning; /* "page_poison=1": fill freed pages with PAGE_POISON, check on allocation */
#define PAGE_POISON 0xaa
static DEFINE_SPINLOCK(zone_lock);
static unsigned long nr_free;
unsigned long totalram_pages;
unsigned long min_free_kbytes_pages = 256; /* the kernel's reserve: 1 MiB */

struct page *mem_map;
unsigned long max_pfn;

/* Fault injection hook (mm/fail_page_alloc.c); false when injection is off. */
bool should_fail_alloc_page(gfp_t gfp, unsigned int order);

static void init_free_lists(void)
{
	static bool done;

	if (done)
		return;
	for (int o = 0; o <= MAX_ORDER; o++)
		INIT_LIST_HEAD(&free_area[o].free_list);
	done = true;
}

static void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	SetPageFlag(page, PG_buddy);
}

static void add_to_free_list(struct page *page, unsigned int order)
{
	set_buddy_order(page, order);
	list_add(&page->lru, &free_area[order].free_list);
	free_area[order].nr_free++;
}

static void del_from_free_list(struct page *page, unsigned int order)
{
	list_del(&page->lru);
	ClearPageFlag(page, PG_buddy);
	page->private = 0;
	free_area[order].nr_free--;
}

/* Is the page at pfn the head of a free block of exactly this order? */
static bool page_is_buddy(unsigned long pfn, unsigned int order)
{
	if (!pfn_valid(pfn))
		return false;
	struct page *p = pfn_to_page(pfn);
	return PageBuddy(p) && p->private == order;
}

static void __free_one_page(unsigned long pfn, unsigned int order)
{
	while (order < MAX_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);

		if (!page_is_buddy(buddy_pfn, order))
			break;
		del_from_free_list(pfn_to_page(buddy_pfn), order);
		pfn &= buddy_pfn; /* the merged block starts at the lower of the two */
		order++;
	}
	add_to_free_list(pfn_to_page(pfn), order);
}

/* Split a block of order high down to order low, freeing the upper halves. */
static void expand(unsigned long pfn, unsigned int low, unsigned int high)
{
	while (high > low) {
		high--;
		add_to_free_list(pfn_to_page(pfn + (1UL << high)), high);
	}
}

/* Is the freed page still all poison?  (A write after free changed it.) */
bool page_poison_intact(struct page *page)
{
	const u64 *w = page_address(page);
	const u64 poison = 0x0101010101010101ULL * PAGE_POISON;

	for (unsigned long i = 0; i < PAGE_SIZE / 8; i++)
		if (w[i] != poison)
			return false;
	return true;
}

static void poison_page(struct page *page)
{
	memset(page_address(page), PAGE_POISON, PAGE_SIZE);
	SetPageFlag(page, PG_poisoned);
}

static void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page *p = page + i;
		if (PageFlag(p, PG_poisoned) && !page_poison_intact(p))
			panic("page allocator: pfn %#lx was written after it was freed (use after free)",
			      page_to_pfn(p));
		if (unlikely(PageBuddy(p) || page_ref_count(p) || PageReserved(p)))
			panic("page allocator: bad state of pfn %#lx (flags %#lx refcount %d)",
			      page_to_pfn(p), p->flags, page_ref_count(p));
		p->flags = 0;
		p->compound_head = 0;
		p->mapping = NULL;
		p->index = 0;
		p->private = 0;
		p->inuse = 0;
		atomic_set(&p->_mapcount, -1);
	}
	atomic_set(&page->_refcount, 1);
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	unsigned long flags;
	struct page *page = NULL;

	if (order > MAX_ORDER)
		return NULL;
	if (should_fail_alloc_page(gfp, order))
		return NULL;
	spin_lock_irqsave(&zone_lock, flags);
	/* User memory may not eat into the kernel's reserve. */
	if ((gfp & GFP_USER) && nr_free < min_free_kbytes_pages + (1UL << order))
		goto out;
	for (unsigned int o = order; o <= MAX_ORDER; o++) {
		struct free_area *area = &free_area[o];
		if (list_empty(&area->free_list))
			continue;
		page = list_first_entry(&area->free_list, struct page, lru);
		del_from_free_list(page, o);
		expand(page_to_pfn(page), order, o);
		nr_free -= 1UL << order;
		break;
	}
out:
	spin_unlock_irqrestore(&zone_lock, flags);
	if (page)
		prep_new_page(page, order, gfp);
	return page;
}

void __free_pages(struct page *page, unsigned int order)
{
	unsigned long flags;

	if (!atomic_dec_and_test(&page->_refcount))
		return;
	if (unlikely(PageReserved(page) || PageBuddy(page) || page_mapcount(page) > 0))
		panic("freeing pfn %#lx in a bad state (flags %#lx mapcount %d)", page_to_pfn(page),
		      page->flags, page_mapcount(page));
	page->flags = 0;
	for (unsigned long i = 1; i < (1UL << order); i++) {
		page[i].compound_head = 0;
		page[i].flags = 0;
	}
	if (page_poisoning)
		for (unsigned long i = 0; i < (1UL << order); i++)
			poison_page(page + i);
	spin_lock_irqsave(&zone_lock, flags);
	__free_one_page(page_to_pfn(page), order);
	nr_free += 1UL << order;
	spin_unlock_irqrestore(&zone_lock, flags);
}

void split_page(struct page *page, unsigned int order)
{
	for (unsigned long i = 1; i < (1UL << order); i++)
		atomic_set(&page[i]._refcount, 1);
}

void put_page(struct page *page)
{
	__free_pages(page, 0);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		__free_pages(virt_to_page((void *)addr), order);
}

/*
 * Boot: give a range of page frames to the allocator in the largest
 * aligned blocks that fit.  The struct pages must already be initialised
 * (reserved, refcount 1) by mem_init().
 */
void free_pages_range_core(unsigned long pfn, unsigned long end)
{
	init_free_lists();
	while (pfn < end) {
		unsigned int order = MAX_ORDER;
		while (order && ((pfn & ((1UL << order) - 1)) || pfn + (1UL << order) > end))
			order--;
		for (unsigned long i = 0; i < (1UL << order); i++) {
			struct page *p = pfn_to_page(pfn + i);
			p->flags = 0;
			atomic_set(&p->_refcount, 0);
			atomic_set(&p->_mapcount, -1);
		}
		__free_one_page(pfn, order);
		nr_free += 1UL << order;
		totalram_pages += 1UL << order;
		pfn += 1UL << order;
	}
}

unsigned long nr_free_pages(void)
{
	return nr_free;
}

unsigned long buddy_nr_free(unsigned int order)
{
	return order <= MAX_ORDER ? free_area[order].nr_free : 0;
}

/* Every listed block is a free, aligned head of its order, and the counts add up. */
int buddy_check(void)
{
	unsigned long pages = 0;

	for (unsigned int o = 0; o <= MAX_ORDER; o++) {
		unsigned long n = 0;
		struct page *p;
		list_for_each_entry(p, &free_area[o].free_list, lru) {
			unsigned long pfn = page_to_pfn(p);
			if (!PageBuddy(p) || p->private != o)
				return -1;
			if (pfn & ((1UL << o) - 1))
				return -2;
			if (page_ref_count(p))
				return -3;
			/* A free block whose buddy is also free at the same order should have merged. */
			if (o < MAX_ORDER && page_is_buddy(pfn ^ (1UL << o), o))
				return -4;
			n++;
		}
		if (n != free_area[o].nr_free)
			return -5;
		pages += n << o;
	}
	return pages == nr_free ? 0 : -6;
}
