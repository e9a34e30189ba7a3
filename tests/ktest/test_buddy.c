// SPDX-License-Identifier: MIT
/* The buddy allocator: orders, alignment, splitting and merging, refcounts, the free counter. */
#include <linux/ktest.h>
#include <linux/mm.h>
#include <linux/string.h>

static void test_alloc_free_counts(struct ktest *t)
{
	unsigned long before = nr_free_pages();

	for (unsigned int order = 0; order <= MAX_ORDER; order++) {
		struct page *p = alloc_pages(GFP_KERNEL, order);
		KTEST_ASSERT_TRUE(t, p != NULL);
		KTEST_EXPECT_EQ(t, nr_free_pages(), before - (1UL << order));
		KTEST_EXPECT_EQ(t, page_ref_count(p), 1);
		/* A block of order n is aligned to 2^n pages. */
		KTEST_EXPECT_EQ(t, page_to_pfn(p) & ((1UL << order) - 1), 0);
		__free_pages(p, order);
		KTEST_EXPECT_EQ(t, nr_free_pages(), before);
	}
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static void test_split_and_merge(struct ktest *t)
{
	unsigned long before = nr_free_pages();
	struct page *big = alloc_pages(GFP_KERNEL, 2);
	KTEST_ASSERT_TRUE(t, big != NULL);
	unsigned long pfn = page_to_pfn(big);

	/* split_page(): four independent order-0 pages, each with its own reference. */
	split_page(big, 2);
	for (int i = 0; i < 4; i++)
		KTEST_EXPECT_EQ(t, page_ref_count(big + i), 1);
	/* Free them out of order; nothing merges until the last one is back. */
	static const int order_of_freeing[4] = { 2, 0, 3, 1 };
	for (int i = 0; i < 4; i++) {
		__free_pages(big + order_of_freeing[i], 0);
		KTEST_EXPECT_EQ(t, buddy_check(), 0);
	}
	KTEST_EXPECT_EQ(t, nr_free_pages(), before);
	/* The head of the merged block is at or below pfn, at order >= 2, covering all four. */
	bool merged = false;
	for (unsigned int o = 2; o <= MAX_ORDER && !merged; o++) {
		unsigned long head = pfn & ~((1UL << o) - 1);
		struct page *h = pfn_to_page(head);
		merged = PageBuddy(h) && h->private == o;
	}
	KTEST_EXPECT_TRUE(t, merged);
}

static void test_refcount(struct ktest *t)
{
	unsigned long before = nr_free_pages();
	struct page *p = alloc_page(GFP_KERNEL);

	KTEST_ASSERT_TRUE(t, p != NULL);
	get_page(p);
	KTEST_EXPECT_EQ(t, page_ref_count(p), 2);
	put_page(p); /* one reference left: still allocated */
	KTEST_EXPECT_EQ(t, nr_free_pages(), before - 1);
	KTEST_EXPECT_FALSE(t, PageBuddy(p));
	put_page(p); /* the last reference frees it */
	KTEST_EXPECT_EQ(t, nr_free_pages(), before);
	KTEST_EXPECT_EQ(t, page_ref_count(p), 0);
}

static void test_zeroed(struct ktest *t)
{
	struct page *p = alloc_pages(GFP_KERNEL, 1);
	KTEST_ASSERT_TRUE(t, p != NULL);
	memset(page_address(p), 0xa5, 2 * PAGE_SIZE);
	__free_pages(p, 1);
	p = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
	KTEST_ASSERT_TRUE(t, p != NULL);
	const u8 *b = page_address(p);
	bool zero = true;
	for (unsigned long i = 0; i < 2 * PAGE_SIZE; i++)
		zero &= b[i] == 0;
	KTEST_EXPECT_TRUE(t, zero);
	__free_pages(p, 1);
}

/* Take every free page (in order-4 blocks, then singles), check nothing overlaps, give all back. */
static void test_exhaust_and_restore(struct ktest *t)
{
	unsigned long before = nr_free_pages();
	struct page *list = NULL; /* chained through the first word of each block */
	unsigned long got = 0;

	for (unsigned int order = 4;; ) {
		struct page *p = alloc_pages(GFP_KERNEL, order);
		if (!p) {
			if (order == 0)
				break;
			order = 0;
			continue;
		}
		*(struct page **)page_address(p) = list;
		p->private = order; /* remember the order for freeing */
		list = p;
		got += 1UL << order;
	}
	KTEST_EXPECT_EQ(t, got, before);
	KTEST_EXPECT_EQ(t, nr_free_pages(), 0);
	KTEST_EXPECT_TRUE(t, alloc_page(GFP_KERNEL) == NULL);
	while (list) {
		struct page *next = *(struct page **)page_address(list);
		__free_pages(list, list->private);
		list = next;
	}
	KTEST_EXPECT_EQ(t, nr_free_pages(), before);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static void test_user_reserve(struct ktest *t)
{
	/* GFP_USER stops short of the kernel's reserve; GFP_KERNEL may use it. */
	unsigned long before = nr_free_pages();
	struct page *list = NULL;
	struct page *p;

	while ((p = alloc_page(GFP_USER))) {
		*(struct page **)page_address(p) = list;
		list = p;
	}
	KTEST_EXPECT_TRUE(t, nr_free_pages() > 0);
	p = alloc_page(GFP_KERNEL);
	KTEST_EXPECT_TRUE(t, p != NULL);
	if (p)
		__free_page(p);
	while (list) {
		struct page *next = *(struct page **)page_address(list);
		__free_page(list);
		list = next;
	}
	KTEST_EXPECT_EQ(t, nr_free_pages(), before);
}

static struct ktest_case buddy_cases[] = {
	KTEST_CASE(test_alloc_free_counts),
	KTEST_CASE(test_split_and_merge),
	KTEST_CASE(test_refcount),
	KTEST_CASE(test_zeroed),
	KTEST_CASE(test_exhaust_and_restore),
	KTEST_CASE(test_user_reserve),
	{},
};
KTEST_SUITE(buddy, buddy_cases);
