// SPDX-License-Identifier: MIT
/* Slab caches and kmalloc. */
#include <linux/ktest.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

struct thing {
	unsigned long a, b, c;
	char name[40];
};

static void test_cache_alloc_free(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("ktest_thing", sizeof(struct thing), 0,
						 SLAB_HWCACHE_ALIGN, NULL);
	KTEST_ASSERT_TRUE(t, c != NULL);
	KTEST_EXPECT_EQ(t, c->size, 64);
	struct thing *objs[200];
	for (int i = 0; i < 200; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KTEST_ASSERT_TRUE(t, objs[i] != NULL);
		KTEST_EXPECT_EQ(t, (unsigned long)objs[i] & 63, 0);
		memset(objs[i], i, sizeof(struct thing));
	}
	/* 200 objects of 64 bytes need at least 4 one-page slabs. */
	KTEST_EXPECT_TRUE(t, c->nr_slabs >= 4);
	KTEST_EXPECT_EQ(t, c->nr_objects_active, 200);
	/* No two objects overlap: each still holds its own pattern. */
	bool intact = true;
	for (int i = 0; i < 200; i++)
		for (unsigned j = 0; j < sizeof(struct thing); j++)
			intact &= ((u8 *)objs[i])[j] == (u8)i;
	KTEST_EXPECT_TRUE(t, intact);
	for (int i = 0; i < 200; i += 2)
		kmem_cache_free(c, objs[i]);
	for (int i = 1; i < 200; i += 2)
		kmem_cache_free(c, objs[i]);
	/* Empty slabs go back to the page allocator at once. */
	KTEST_EXPECT_EQ(t, c->nr_slabs, 0);
	kmem_cache_destroy(c);
}

static void test_zalloc(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("ktest_z", 100, 8, 0, NULL);
	KTEST_ASSERT_TRUE(t, c != NULL);
	u8 *p = kmem_cache_alloc(c, GFP_KERNEL);
	memset(p, 0xff, 100);
	kmem_cache_free(c, p);
	u8 *q = kmem_cache_zalloc(c, GFP_KERNEL);
	bool zero = true;
	for (int i = 0; i < 100; i++)
		zero &= q[i] == 0;
	KTEST_EXPECT_TRUE(t, zero);
	kmem_cache_free(c, q);
	kmem_cache_destroy(c);
}

static void test_kmalloc_sizes(struct ktest *t)
{
	static const size_t sizes[] = { 1, 8, 9, 63, 64, 100, 500, 4096, 4097, 20000, 100000 };

	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *p = kmalloc(sizes[i], GFP_KERNEL);
		KTEST_ASSERT_TRUE(t, p != NULL);
		KTEST_EXPECT_TRUE(t, ksize(p) >= sizes[i]);
		memset(p, 0x5a, sizes[i]);
		KTEST_EXPECT_EQ(t, p[sizes[i] - 1], 0x5a);
		kfree(p);
	}
	kfree(NULL);
}

static void test_kzalloc_large(struct ktest *t)
{
	u8 *p = kzalloc(3 * PAGE_SIZE, GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, p != NULL);
	KTEST_EXPECT_EQ(t, p[0], 0);
	KTEST_EXPECT_EQ(t, p[3 * PAGE_SIZE - 1], 0);
	/* The whole block is one 4-page allocation whose tail pages point at its head. */
	KTEST_EXPECT_TRUE(t, virt_to_head_page(p + 2 * PAGE_SIZE) == virt_to_page(p));
	kfree(p);
}

static struct ktest_case slab_cases[] = {
	KTEST_CASE(test_cache_alloc_free),
	KTEST_CASE(test_zalloc),
	KTEST_CASE(test_kmalloc_sizes),
	KTEST_CASE(test_kzalloc_large),
	{},
};
KTEST_SUITE(slab, slab_cases);
