// SPDX-License-Identifier: MIT
/*
 * A simple slab allocator in the spirit of Linux's SLUB.
 *
 * A slab is 2^order pages holding `objects` objects of `size` bytes.  The
 * head page's struct page describes the slab: slab_cache, freelist (first
 * free object; each free object stores the next one in its first word)
 * and inuse.  Tail pages point at the head (compound_head), so
 * kmem_cache_free() finds the slab of any object with virt_to_head_page().
 *
 *   slab (one page, 64-byte objects):
 *   +-----+-----+-----+-----+-- ... --+-----+
 *   | obj | obj |free |free |         |free |   freelist -> 3rd -> 4th -> ... -> NULL
 *   +-----+-----+-----+-----+-- ... --+-----+
 *
 * A slab whose last object is freed goes straight back to the buddy
 * allocator, so the free-page count returns to its baseline when every
 * object is gone: the leak checks depend on it.
 *
 * kmalloc() uses caches of 8 bytes to 4 KiB; larger requests go to the
 * page allocator directly (the head page records the order).
 */
#include <linux/fault-inject.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

LIST_HEAD(slab_caches);
bool slab_debug_poison;
static DEFINE_SPINLOCK(slab_lock);

#define POISON_FREE 0x6b

static struct kmem_cache kmem_cache_boot; /* the cache of kmem_cache structs */
static struct kmem_cache *kmalloc_caches[13];
static const unsigned int kmalloc_sizes[13] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 0 };

/* Slabs of small objects use one page; bigger objects a few, so waste stays low. */
static unsigned int calculate_order(unsigned int size)
{
	unsigned int order = 0;

	while (order < 3 && (PAGE_SIZE << order) / size < 8)
		order++;
	return order;
}

static void cache_init(struct kmem_cache *s, const char *name, unsigned int size, unsigned int align,
		       unsigned int flags)
{
	if (flags & SLAB_HWCACHE_ALIGN)
		align = max(align, (unsigned int)L1_CACHE_BYTES);
	align = max(align, 8u);
	s->name = name;
	s->object_size = size;
	s->size = ALIGN(max(size, 8u), align);
	s->align = align;
	s->flags = flags | (slab_debug_poison ? SLAB_POISON : 0);
	s->order = calculate_order(s->size);
	s->objects = (PAGE_SIZE << s->order) / s->size;
	INIT_LIST_HEAD(&s->partial);
	INIT_LIST_HEAD(&s->full);
	s->nr_slabs = 0;
	s->nr_objects_active = 0;
	list_add_tail(&s->list, &slab_caches);
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     unsigned int flags, void (*ctor)(void *))
{
	struct kmem_cache *s = kmem_cache_zalloc(&kmem_cache_boot, GFP_KERNEL);

	(void)ctor; /* constructors are not needed by any cache here */
	if (s)
		cache_init(s, name, size, align, flags);
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	if (!s)
		return;
	if (s->nr_objects_active)
		panic("kmem_cache_destroy(%s): %lu objects still allocated", s->name,
		      s->nr_objects_active);
	list_del(&s->list);
	kmem_cache_free(&kmem_cache_boot, s);
}

static struct page *new_slab(struct kmem_cache *s, gfp_t gfp)
{
	struct page *page = alloc_pages(gfp & ~__GFP_ZERO, s->order);

	if (!page)
		return NULL;
	SetPageFlag(page, PG_slab);
	page->slab_cache = s;
	page->inuse = 0;
	for (unsigned int i = 1; i < (1U << s->order); i++)
		page[i].compound_head = (unsigned long)page | 1;

	/* Chain the objects: each free object's first word points at the next. */
	char *base = page_address(page);
	if (s->flags & SLAB_POISON)
		memset(base, POISON_FREE, PAGE_SIZE << s->order);
	for (unsigned int i = 0; i < s->objects; i++)
		*(void **)(base + i * s->size) = i + 1 < s->objects ? base + (i + 1) * s->size : NULL;
	page->freelist = base;
	s->nr_slabs++;
	return page;
}

static void discard_slab(struct kmem_cache *s, struct page *page)
{
	ClearPageFlag(page, PG_slab);
	page->slab_cache = NULL;
	page->freelist = NULL;
	s->nr_slabs--;
	__free_pages(page, s->order);
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	unsigned long flags;
	struct page *page;
	void *obj;

	if (!(gfp & __GFP_NOFAIL) && should_fail(&failslab))
		return NULL;
	spin_lock_irqsave(&slab_lock, flags);
	if (list_empty(&s->partial)) {
		spin_unlock_irqrestore(&slab_lock, flags);
		page = new_slab(s, gfp);
		if (!page)
			return NULL;
		spin_lock_irqsave(&slab_lock, flags);
		list_add(&page->lru, &s->partial);
	}
	page = list_first_entry(&s->partial, struct page, lru);
	obj = page->freelist;
	page->freelist = *(void **)obj;
	page->inuse++;
	s->nr_objects_active++;
	if (!page->freelist) {
		list_del(&page->lru);
		list_add(&page->lru, &s->full);
	}
	spin_unlock_irqrestore(&slab_lock, flags);

	if (s->flags & SLAB_POISON) {
		/* Every byte but the link word must still hold the poison: else a use-after-free wrote it. */
		for (unsigned int i = sizeof(void *); i < s->object_size; i++)
			if (((u8 *)obj)[i] != POISON_FREE)
				panic("slab %s: object %p was written after it was freed (offset %u)",
				      s->name, obj, i);
	}
	if (gfp & __GFP_ZERO)
		memset(obj, 0, s->object_size);
	return obj;
}

void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(s, gfp | __GFP_ZERO);
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	unsigned long flags;
	struct page *page;

	if (!obj)
		return;
	page = virt_to_head_page(obj);
	if (unlikely(!PageSlab(page) || page->slab_cache != s))
		panic("kmem_cache_free(%s): %p does not belong to this cache", s->name, obj);
	if (unlikely(((char *)obj - (char *)page_address(page)) % s->size))
		panic("kmem_cache_free(%s): %p is not the start of an object", s->name, obj);
	if (s->flags & SLAB_POISON)
		memset(obj, POISON_FREE, s->object_size);

	spin_lock_irqsave(&slab_lock, flags);
	for (void *f = page->freelist; f && (s->flags & SLAB_POISON); f = *(void **)f)
		if (f == obj)
			panic("kmem_cache_free(%s): double free of %p", s->name, obj);
	bool was_full = !page->freelist;
	*(void **)obj = page->freelist;
	page->freelist = obj;
	page->inuse--;
	s->nr_objects_active--;
	if (was_full) {
		list_del(&page->lru);
		list_add(&page->lru, &s->partial);
	}
	if (page->inuse == 0) {
		list_del(&page->lru);
		spin_unlock_irqrestore(&slab_lock, flags);
		discard_slab(s, page);
		return;
	}
	spin_unlock_irqrestore(&slab_lock, flags);
}

static int kmalloc_index(size_t size)
{
	for (int i = 0; kmalloc_sizes[i]; i++)
		if (size <= kmalloc_sizes[i])
			return i;
	return -1;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	int i = kmalloc_index(size ? size : 1);

	if (i >= 0)
		return kmem_cache_alloc(kmalloc_caches[i], gfp);

	/* Large: whole pages from the buddy allocator. */
	unsigned int order = 0;
	while ((PAGE_SIZE << order) < size)
		order++;
	struct page *page = alloc_pages(gfp, order);
	if (!page)
		return NULL;
	SetPageFlag(page, PG_head);
	page->private = order;
	for (unsigned int j = 1; j < (1U << order); j++)
		page[j].compound_head = (unsigned long)page | 1;
	return page_address(page);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

void kfree(const void *obj)
{
	if (!obj)
		return;
	struct page *page = virt_to_head_page(obj);
	if (PageSlab(page)) {
		kmem_cache_free(page->slab_cache, (void *)obj);
	} else if (PageHead(page)) {
		ClearPageFlag(page, PG_head);
		__free_pages(page, page->private);
	} else {
		panic("kfree(%p): not a kmalloc object", obj);
	}
}

size_t ksize(const void *obj)
{
	struct page *page = virt_to_head_page(obj);

	return PageSlab(page) ? page->slab_cache->object_size : PAGE_SIZE << page->private;
}

void kmem_cache_init(void)
{
	static char names[12][16];

	cache_init(&kmem_cache_boot, "kmem_cache", sizeof(struct kmem_cache), 8, 0);
	for (int i = 0; kmalloc_sizes[i]; i++) {
		snprintf(names[i], sizeof(names[i]), "kmalloc-%u", kmalloc_sizes[i]);
		kmalloc_caches[i] = kmem_cache_create(names[i], kmalloc_sizes[i], 8, 0, NULL);
	}
}
