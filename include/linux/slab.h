/* SPDX-License-Identifier: MIT */
/*
 * Slab caches (mm/slab.c) and kmalloc, with Linux's interface.
 * mm_struct, vm_area_struct, tree nodes and task structs each get a
 * cache: objects of one size packed into pages, free objects chained
 * through their first word.
 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/gfp.h>

#define SLAB_HWCACHE_ALIGN 0x1u /* align objects to the cache line */
#define SLAB_POISON 0x2u        /* fill free objects with 0x6b (set for all caches by slub_debug) */

struct kmem_cache {
	const char *name;
	unsigned int object_size; /* what the caller asked for */
	unsigned int size;        /* object_size rounded up to the alignment */
	unsigned int align;
	unsigned int order;       /* each slab is 2^order pages */
	unsigned int objects;     /* objects per slab */
	unsigned int flags;
	struct list_head partial; /* slabs with free objects */
	struct list_head full;    /* slabs with none */
	unsigned long nr_slabs;
	unsigned long nr_objects_active;
	struct list_head list;    /* on slab_caches */
};

extern struct list_head slab_caches;

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     unsigned int flags, void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *obj);

void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void kfree(const void *obj);
size_t ksize(const void *obj);

void kmem_cache_init(void);
extern bool slab_debug_poison;

#endif
