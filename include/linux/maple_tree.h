/* SPDX-License-Identifier: MIT */
/*
 * The VMA tree: a range B-tree in the manner of Linux's maple tree.
 *
 * The tree maps the whole key space [0, ULONG_MAX] as a sequence of
 * non-overlapping, touching ranges.  Every range holds an entry; a NULL
 * entry is a gap, and two gaps are never adjacent (they are coalesced).
 * Internal nodes remember, for each child, the size of the largest gap in
 * that child's subtree, so that a free area of a given size is found in
 * O(log n).  See docs/vma-tree.md.
 *
 * Locking is external: writers hold the mm's mmap_lock for writing, readers
 * hold it at least for reading.  There is no RCU.
 *
 * Node memory comes from two hooks that the kernel (slab) or a host test
 * (calloc) provides: mt_alloc_node() returns a zeroed node or NULL, and
 * mt_free_node() gives one back.  The tree code never calls a general
 * purpose allocator itself.
 */
#ifndef _LINUX_MAPLE_TREE_H
#define _LINUX_MAPLE_TREE_H

#include <linux/types.h>

#ifndef ULONG_MAX
#define ULONG_MAX (~0UL)
#endif

/*
 * Node geometry.  A node is 256 bytes (four cache lines):
 *   leaf     (maple_leaf_64):   15 pivots + 16 slots             = 248 bytes
 *   internal (maple_arange_64):  9 pivots + 10 slots + 10 gaps   = 232 bytes
 * plus an 8-byte trailer (end, type).
 */
#define MAPLE_RANGE64_SLOTS 16	/* slots in a leaf */
#define MAPLE_ARANGE64_SLOTS 10 /* slots (children) in an internal node */
#define MAPLE_NODE_SIZE 256
#define MAPLE_HEIGHT_MAX 16 /* far beyond what memory can hold */

enum maple_type {
	maple_leaf_64 = 1,   /* leaf: slots hold entries */
	maple_arange_64 = 2, /* internal: slots hold children, with gaps */
};

/*
 * Slot i of a node covers [pivot[i-1] + 1, pivot[i]], where "pivot[-1] + 1"
 * is the node's minimum and pivot[end] is the node's maximum.  Neither the
 * minimum nor the maximum is stored in the node: the parent knows them
 * (the root covers [0, ULONG_MAX]).  Only pivot[0 .. end-1] are meaningful.
 */
struct maple_range_64 {
	unsigned long pivot[MAPLE_RANGE64_SLOTS - 1];
	void *slot[MAPLE_RANGE64_SLOTS];
};

struct maple_arange_64 {
	unsigned long pivot[MAPLE_ARANGE64_SLOTS - 1];
	void *slot[MAPLE_ARANGE64_SLOTS];	 /* struct maple_node * children */
	unsigned long gap[MAPLE_ARANGE64_SLOTS]; /* largest NULL range in child i */
};

struct maple_node {
	union {
		struct maple_range_64 mr64;
		struct maple_arange_64 ma64;
	};
	unsigned char end;  /* index of the last used slot (count - 1) */
	unsigned char type; /* enum maple_type */
	unsigned char pad[6];
};

struct maple_tree {
	struct maple_node *ma_root; /* NULL: the tree is empty (all one gap) */
	unsigned int ma_height;	    /* levels; 0 when empty, 1 when the root is a leaf */
	unsigned long ma_nodes;	    /* nodes in the tree, for memory reporting */
};

#define MTREE_INIT(name)                                                                           \
	{                                                                                          \
		.ma_root = NULL, .ma_height = 0, .ma_nodes = 0                                     \
	}
#define DEFINE_MTREE(name) struct maple_tree name = MTREE_INIT(name)

/* Provided by the kernel (slab) or by the host test. */
struct maple_node *mt_alloc_node(void); /* zeroed node or NULL */
void mt_free_node(struct maple_node *node);

void mt_init(struct maple_tree *mt);
bool mtree_empty(const struct maple_tree *mt);
/* Entry whose range contains index, or NULL. */
void *mtree_load(struct maple_tree *mt, unsigned long index);
/*
 * Overwrite [first, last] (inclusive) with entry; NULL erases.  Ranges it
 * overlaps are trimmed or split.  Returns 0, -EINVAL if first > last, or
 * -ENOMEM with the tree unchanged.
 */
int mtree_store_range(struct maple_tree *mt, unsigned long first, unsigned long last, void *entry);
int mtree_store(struct maple_tree *mt, unsigned long index, void *entry);
/* Free every node (entries are not freed). */
void mtree_destroy(struct maple_tree *mt);
/*
 * First entry whose range intersects [*index, max].  On success *index is
 * set to the end of that range + 1, saturating at ULONG_MAX (so a loop
 * must also stop after an entry that ends at ULONG_MAX).
 */
void *mt_find(struct maple_tree *mt, unsigned long *index, unsigned long max);

/* Cursor status. */
enum maple_status {
	ma_start = 0, /* not walked yet: the next operation descends from the root */
	ma_active,    /* node/offset describe the range [index, last] */
};

/*
 * A cursor.  tree, index and last are public; the rest is private.
 * While active, [index, last] is the range (entry or gap) the cursor is on
 * and node/offset/min/max cache where it lives.
 */
struct ma_state {
	struct maple_tree *tree;
	unsigned long index, last;
	struct maple_node *node;  /* leaf holding [index, last] (NULL if tree empty) */
	unsigned long min, max;	  /* bounds of node */
	unsigned char offset;	  /* slot of [index, last] in node */
	unsigned char status;	  /* enum maple_status */
	unsigned short nr_alloc;  /* preallocated nodes in the stash */
	struct maple_node *alloc; /* stash, chained through slot[0] */
};

#define MA_STATE(name, mt, first, end)                                                             \
	struct ma_state name = {.tree = (mt),                                                      \
				.index = (first),                                                  \
				.last = (end),                                                     \
				.node = NULL,                                                      \
				.min = 0,                                                          \
				.max = 0,                                                          \
				.offset = 0,                                                       \
				.status = ma_start,                                                \
				.nr_alloc = 0,                                                     \
				.alloc = NULL}

/* Reset the cursor to [index, index] / [first, last]; the next call walks from the root. */
void mas_set(struct ma_state *mas, unsigned long index);
void mas_set_range(struct ma_state *mas, unsigned long first, unsigned long last);
/* Keep index/last but forget the cached position. */
void mas_reset(struct ma_state *mas);
/* Entry (or NULL for a gap) containing mas->index; index/last := that range. */
void *mas_walk(struct ma_state *mas);
/*
 * mas_find: the first call after mas_set returns the entry containing
 * mas->index or, if that is a gap, the next entry; later calls return the
 * next entry after the current range.  Only entries starting <= max count.
 * mas_find_rev is the mirror image (entries ending >= min).
 * mas_next / mas_prev: the entry after / before the current range (from a
 * fresh cursor, the range containing mas->index).
 * All four set index/last to the entry's range and return it; when there
 * is none they return NULL and leave the cursor as it was.
 */
void *mas_find(struct ma_state *mas, unsigned long max);
void *mas_find_rev(struct ma_state *mas, unsigned long min);
void *mas_next(struct ma_state *mas, unsigned long max);
void *mas_prev(struct ma_state *mas, unsigned long min);
/*
 * Store entry over [mas->index, mas->last].  0, -EINVAL or -ENOMEM (tree
 * unchanged).  Afterwards the cursor is reset (as by mas_set_range with
 * the same range): it must be walked again before it is used.  A store
 * through one cursor invalidates every other cursor on the tree; reset
 * those with mas_set before reuse.
 */
int mas_store_gfp(struct ma_state *mas, void *entry);
/*
 * Reserve the worst case (ma_height + 1 nodes) for one store, so that the
 * following mas_store_prealloc cannot fail.  0 or -ENOMEM.  The tree must
 * not change between the two calls.  mas_store_prealloc releases what it
 * did not use; mas_destroy releases the reserve without storing.
 */
int mas_preallocate(struct ma_state *mas);
void mas_store_prealloc(struct ma_state *mas, void *entry);
void mas_destroy(struct ma_state *mas);
/*
 * Lowest (mas_empty_area) or highest (mas_empty_area_rev) run of size free
 * keys inside [min, max].  On success 0 with [mas->index, mas->last] set
 * to that run (size keys, at the bottom of the lowest gap or at the top of
 * the highest), the cursor reset so it can be stored to directly.
 * -EBUSY if there is none, -EINVAL if size == 0 or min > max.
 */
int mas_empty_area(struct ma_state *mas, unsigned long min, unsigned long max, unsigned long size);
int mas_empty_area_rev(struct ma_state *mas, unsigned long min, unsigned long max,
		       unsigned long size);

/* Iterate over every entry in [mas->index, max]. */
#define mas_for_each(mas, entry, max) while (((entry) = mas_find((mas), (max))) != NULL)

/* mt_validate() results: 0 or one of these (negative). */
enum mt_validate_err {
	MT_ERR_ROOT = -1,      /* bad root / height / empty-tree normal form */
	MT_ERR_TYPE = -2,      /* bad node type, end, or NULL child */
	MT_ERR_PIVOT = -3,     /* pivots not strictly increasing inside node bounds */
	MT_ERR_DEPTH = -4,     /* leaves not all at the same depth */
	MT_ERR_GAP = -5,       /* a gap annotation differs from the real largest gap */
	MT_ERR_NULLS = -6,     /* two adjacent NULL ranges */
	MT_ERR_COUNT = -7,     /* node count differs from ma_nodes */
	MT_ERR_OCCUPANCY = -8, /* non-root node below minimum occupancy */
	MT_ERR_JUNK = -9,      /* unused pivot/slot/gap not zero */
};

int mt_validate(struct maple_tree *mt);
void mt_dump(struct maple_tree *mt, void (*print)(const char *fmt, ...));

#endif /* _LINUX_MAPLE_TREE_H */
