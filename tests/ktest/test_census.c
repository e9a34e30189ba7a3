// SPDX-License-Identifier: MIT
/*
 * The page census (mm/page_census.c) behind init's leak report: it must put
 * each allocation under the right kind, count every page of a multi-page
 * allocation, follow slab objects per cache, and come back to the same
 * numbers when everything is freed.
 */
#include <linux/ktest.h>
#include <linux/mm.h>
#include <linux/page_census.h>
#include <linux/slab.h>
#include <linux/string.h>

extern char log_buf[];
extern unsigned long log_next;

static struct page_census before, during, after;

static unsigned long cache_active(const struct page_census *c, const struct kmem_cache *s)
{
	for (int i = 0; i < c->nr_caches; i++)
		if (c->cache[i].cache == s)
			return c->cache[i].active;
	return 0;
}

static void test_census_kinds(struct ktest *t)
{
	struct kmem_cache *s = kmem_cache_create("ktest_census", 200, 0, 0, NULL);
	KTEST_ASSERT_TRUE(t, s != NULL);

	page_census_take(&before);
	struct page *anon = alloc_pages(GFP_KERNEL, 0);
	struct page *pt = alloc_pages(GFP_KERNEL, 0);
	struct page *raw = alloc_pages(GFP_KERNEL, 2); /* 4 pages nobody marks: "other" */
	void *large = kmalloc(3 * PAGE_SIZE, GFP_KERNEL); /* beyond the caches: order 2, head page */
	void *obj = kmem_cache_alloc(s, GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, anon && pt && raw && large && obj);
	SetPageFlag(anon, PG_anon);
	SetPageFlag(pt, PG_pgtable);
	page_census_take(&during);

	KTEST_EXPECT_EQ(t, during.pages[PK_ANON] - before.pages[PK_ANON], 1);
	KTEST_EXPECT_EQ(t, during.pages[PK_PGTABLE] - before.pages[PK_PGTABLE], 1);
	KTEST_EXPECT_EQ(t, during.pages[PK_OTHER] - before.pages[PK_OTHER], 4);
	KTEST_EXPECT_EQ(t, during.pages[PK_LARGE] - before.pages[PK_LARGE], 4);
	KTEST_EXPECT_EQ(t, during.pages[PK_SLAB] - before.pages[PK_SLAB], 1UL << s->order);
	KTEST_EXPECT_EQ(t, cache_active(&during, s) - cache_active(&before, s), 1);

	ClearPageFlag(anon, PG_anon);
	ClearPageFlag(pt, PG_pgtable);
	__free_pages(anon, 0);
	__free_pages(pt, 0);
	__free_pages(raw, 2);
	kfree(large);
	kmem_cache_free(s, obj);
	page_census_take(&after);
	for (int k = 0; k < NR_PAGE_KINDS; k++)
		KTEST_EXPECT_EQ(t, after.pages[k], before.pages[k]);
	KTEST_EXPECT_EQ(t, cache_active(&after, s), cache_active(&before, s));
	kmem_cache_destroy(s);
}

/* Every allocated page frame is counted once: the kinds add up to what is not free. */
static void test_census_adds_up(struct ktest *t)
{
	unsigned long sum = 0, reserved = 0;

	page_census_take(&before);
	for (int k = 0; k < NR_PAGE_KINDS; k++)
		sum += before.pages[k];
	for (unsigned long pfn = 0; pfn < max_pfn; pfn++)
		reserved += PageReserved(pfn_to_page(pfn)) ? 1 : 0;
	KTEST_EXPECT_EQ(t, sum + nr_free_pages() + reserved, max_pfn);
}

/* What init's exit prints when pages are missing names the kind, the cache and the frame. */
static void test_leak_report_names_the_leak(struct ktest *t)
{
	static char out[8192];
	char want[64];
	unsigned long from;
	int saved = console_loglevel;

	leak_check_start();
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	void *obj = kmalloc(500, GFP_KERNEL); /* kmalloc-512 */
	KTEST_ASSERT_TRUE(t, p && obj);
	SetPageFlag(p, PG_anon);

	from = log_next;
	console_loglevel = 0; /* read it back from log_buf instead */
	leak_report(1);
	console_loglevel = saved;
	unsigned long n = min(log_next - from, sizeof(out) - 1);
	for (unsigned long i = 0; i < n; i++)
		out[i] = log_buf[(from + i) % (64 * 1024)];
	out[n] = 0;

	KTEST_EXPECT_TRUE(t, strstr(out, "leak: 1 pages are not back"));
	KTEST_EXPECT_TRUE(t, strstr(out, "leak:   anon "));
	KTEST_EXPECT_TRUE(t, strstr(out, "leak:   cache kmalloc-512 "));
	snprintf(want, sizeof(want), "pfn %#lx anon ", page_to_pfn(p));
	KTEST_EXPECT_TRUE(t, strstr(out, want));

	ClearPageFlag(p, PG_anon);
	__free_pages(p, 0);
	kfree(obj);
	leak_check_stop();
}

static struct ktest_case census_cases[] = {
	KTEST_CASE(test_census_kinds),
	KTEST_CASE(test_census_adds_up),
	KTEST_CASE(test_leak_report_names_the_leak),
	{},
};
KTEST_SUITE(census, census_cases);
