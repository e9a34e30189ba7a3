// SPDX-License-Identifier: MIT
/*
 * The VMA tree: a range B-tree in the manner of Linux's maple tree.
 *
 * Model.  The tree stores a sequence of "elements" (ranges) that tile the
 * key space [0, ULONG_MAX] in order.  A leaf holds a run of consecutive
 * elements: slot i is the entry, pivot[i] the last key of element i; the
 * first element starts at the leaf's minimum and the last one ends at the
 * leaf's maximum, both implied by the parent.  An internal node holds
 * children the same way, plus gap[i], the longest NULL element below
 * child i.
 *
 * Invariants (checked by mt_validate):
 *   - pivots strictly increase and lie inside the node's bounds, so every
 *     slot covers at least one key;
 *   - all leaves are at depth ma_height - 1;
 *   - no two adjacent elements are NULL, anywhere in the tree (so every
 *     maximal gap is exactly one element and the gap annotations are exact);
 *   - non-root leaves hold >= MT_LEAF_MIN elements, non-root internal nodes
 *     >= MT_INT_MIN children, an internal root >= 2 children;
 *   - an all-NULL tree has no nodes at all (ma_root == NULL).
 *
 * Writes.  A store [first, last] = entry is planned first, without touching
 * the tree: it becomes "replace the elements that exactly tile [S, T] with
 * a list of 1..3 new elements", where [S, T] has been widened so that NULL
 * neighbours are absorbed.  The nodes the write may need are then
 * allocated into the cursor's stash; after that nothing can fail.  If
 * [S, T] lies in one leaf, the leaf is rewritten (splitting upward if it
 * overflows, rebalancing if it underflows).  Otherwise the elements of
 * [S, T] are first collapsed into one element, leaf by leaf, by moving
 * leaf boundaries (a pivot in the lowest common ancestor) and
 * rebalancing; that only frees nodes.
 *
 * Lookups are a plain loop from the root with a linear pivot scan per
 * level; they never allocate and never recurse.
 */
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/maple_tree.h>

#define MT_MAX (~0UL)
#define MT_LEAF_SLOTS MAPLE_RANGE64_SLOTS
#define MT_INT_SLOTS MAPLE_ARANGE64_SLOTS
#define MT_LEAF_MIN 5
#define MT_INT_MIN 4
/* Largest temporary node: an underfull node (< MIN) plus a full sibling. */
#define MT_BIG (MT_LEAF_SLOTS + MT_LEAF_MIN + 2)

_Static_assert(sizeof(struct maple_node) == MAPLE_NODE_SIZE, "maple_node must be 256 bytes");
_Static_assert(MT_LEAF_SLOTS + 2 <= MT_BIG, "big node too small for a leaf insert");
_Static_assert(2 * MT_LEAF_MIN <= MT_LEAF_SLOTS + 1, "leaf minimum too large");
_Static_assert(2 * MT_INT_MIN <= MT_INT_SLOTS + 1, "internal minimum too large");

/* ------------------------------------------------------------------ */
/* Node accessors                                                      */

static inline unsigned long *mt_pivots(struct maple_node *n, bool leaf)
{
	return leaf ? n->mr64.pivot : n->ma64.pivot;
}

static inline void **mt_slots(struct maple_node *n, bool leaf)
{
	return leaf ? n->mr64.slot : n->ma64.slot;
}

static inline unsigned int mt_cap(bool leaf)
{
	return leaf ? MT_LEAF_SLOTS : MT_INT_SLOTS;
}

static inline unsigned int mt_min_fill(bool leaf)
{
	return leaf ? MT_LEAF_MIN : MT_INT_MIN;
}

/* Length of the range [s, e], saturating at ULONG_MAX for the whole space. */
static inline unsigned long mt_len(unsigned long s, unsigned long e)
{
	unsigned long len = e - s + 1;

	return len ? len : MT_MAX;
}

/* Largest gap inside a node whose bounds are [min, max]. */
static unsigned long mt_node_gap(struct maple_node *n, unsigned long min, unsigned long max,
				 bool leaf)
{
	unsigned long best = 0;
	unsigned int i;

	if (!leaf) {
		for (i = 0; i <= n->end; i++)
			if (n->ma64.gap[i] > best)
				best = n->ma64.gap[i];
		return best;
	}
	for (i = 0; i <= n->end; i++) {
		unsigned long e = i < n->end ? n->mr64.pivot[i] : max;

		if (!n->mr64.slot[i] && mt_len(min, e) > best)
			best = mt_len(min, e);
		min = e + 1;
	}
	return best;
}

/* ------------------------------------------------------------------ */
/* Big node: a node's contents with every pivot explicit, to edit freely */

struct mt_big {
	unsigned int n;
	unsigned long piv[MT_BIG];
	void *slot[MT_BIG];
	unsigned long gap[MT_BIG];
};

/* Append the contents of node n (bounds [.., max]) to b. */
static void big_append(struct mt_big *b, struct maple_node *n, unsigned long max, bool leaf)
{
	unsigned long *piv = mt_pivots(n, leaf);
	void **slots = mt_slots(n, leaf);
	unsigned int i;

	for (i = 0; i <= n->end; i++) {
		b->piv[b->n] = i < n->end ? piv[i] : max;
		b->slot[b->n] = slots[i];
		b->gap[b->n] = leaf ? 0 : n->ma64.gap[i];
		b->n++;
	}
}

static void big_load(struct mt_big *b, struct maple_node *n, unsigned long max, bool leaf)
{
	b->n = 0;
	big_append(b, n, max, leaf);
}

/* Largest gap among b's elements [start, start+cnt), the first starting at min. */
static unsigned long big_gap(struct mt_big *b, unsigned int start, unsigned int cnt,
			     unsigned long min, bool leaf)
{
	unsigned long best = 0;
	unsigned int i;

	for (i = start; i < start + cnt; i++) {
		unsigned long g = leaf ? (b->slot[i] ? 0 : mt_len(min, b->piv[i])) : b->gap[i];

		if (g > best)
			best = g;
		min = b->piv[i] + 1;
	}
	return best;
}

/* Overwrite node n with b's elements [start, start+cnt). */
static void big_store(struct maple_node *n, struct mt_big *b, unsigned int start, unsigned int cnt,
		      bool leaf)
{
	unsigned long *piv = mt_pivots(n, leaf);
	void **slots = mt_slots(n, leaf);
	unsigned int i;

	__builtin_memset(n, 0, sizeof(*n));
	n->type = leaf ? maple_leaf_64 : maple_arange_64;
	n->end = (unsigned char)(cnt - 1);
	for (i = 0; i < cnt; i++) {
		if (i + 1 < cnt)
			piv[i] = b->piv[start + i];
		slots[i] = b->slot[start + i];
		if (!leaf)
			n->ma64.gap[i] = b->gap[start + i];
	}
}

/* Remove element i from b. */
static void big_remove(struct mt_big *b, unsigned int i)
{
	for (; i + 1 < b->n; i++) {
		b->piv[i] = b->piv[i + 1];
		b->slot[i] = b->slot[i + 1];
		b->gap[i] = b->gap[i + 1];
	}
	b->n--;
}

/* ------------------------------------------------------------------ */
/* Node stash                                                          */

static bool mas_fill_stash(struct ma_state *mas, unsigned int need)
{
	while (mas->nr_alloc < need) {
		struct maple_node *n = mt_alloc_node();

		if (!n)
			return false;
		n->mr64.slot[0] = mas->alloc;
		mas->alloc = n;
		mas->nr_alloc++;
	}
	return true;
}

static struct maple_node *mas_take_node(struct ma_state *mas, bool leaf)
{
	struct maple_node *n = mas->alloc;

	if (!n) {
		/* Should not happen: the caller reserved enough. */
		n = mt_alloc_node();
		if (!n)
			return NULL;
	} else {
		mas->alloc = n->mr64.slot[0];
		mas->nr_alloc--;
	}
	__builtin_memset(n, 0, sizeof(*n));
	n->type = leaf ? maple_leaf_64 : maple_arange_64;
	mas->tree->ma_nodes++;
	return n;
}

static void mt_put_node(struct maple_tree *mt, struct maple_node *n)
{
	mt->ma_nodes--;
	mt_free_node(n);
}

void mas_destroy(struct ma_state *mas)
{
	while (mas->alloc) {
		struct maple_node *n = mas->alloc;

		mas->alloc = n->mr64.slot[0];
		mt_free_node(n);
	}
	mas->nr_alloc = 0;
}

/* ------------------------------------------------------------------ */
/* Init, load                                                          */

void mt_init(struct maple_tree *mt)
{
	mt->ma_root = NULL;
	mt->ma_height = 0;
	mt->ma_nodes = 0;
}

bool mtree_empty(const struct maple_tree *mt)
{
	return mt->ma_root == NULL;
}

/*
 * The hot path: descend to the leaf element containing index.  Fills the
 * cursor (node, min, max, offset, index, last) and returns the entry.
 */
static void *mas_descend(struct ma_state *mas, unsigned long index)
{
	struct maple_node *node = mas->tree->ma_root;
	unsigned long min = 0, max = MT_MAX;
	unsigned int h = mas->tree->ma_height;
	unsigned int i, end;
	unsigned long *piv;

	mas->status = ma_active;
	if (!node) {
		mas->node = NULL;
		mas->min = mas->index = 0;
		mas->max = mas->last = MT_MAX;
		mas->offset = 0;
		return NULL;
	}
	while (--h) {
		piv = node->ma64.pivot;
		end = node->end;
		for (i = 0; i < end && index > piv[i]; i++)
			;
		if (i)
			min = piv[i - 1] + 1;
		if (i < end)
			max = piv[i];
		node = node->ma64.slot[i];
	}
	piv = node->mr64.pivot;
	end = node->end;
	for (i = 0; i < end && index > piv[i]; i++)
		;
	mas->node = node;
	mas->min = min;
	mas->max = max;
	mas->offset = (unsigned char)i;
	mas->index = i ? piv[i - 1] + 1 : min;
	mas->last = i < end ? piv[i] : max;
	return node->mr64.slot[i];
}

void *mtree_load(struct maple_tree *mt, unsigned long index)
{
	struct maple_node *node = mt->ma_root;
	unsigned int h = mt->ma_height;
	unsigned int i, end;

	if (!node)
		return NULL;
	while (--h) {
		end = node->end;
		for (i = 0; i < end && index > node->ma64.pivot[i]; i++)
			;
		node = node->ma64.slot[i];
	}
	end = node->end;
	for (i = 0; i < end && index > node->mr64.pivot[i]; i++)
		;
	return node->mr64.slot[i];
}

/* ------------------------------------------------------------------ */
/* Cursor movement                                                     */

void mas_set_range(struct ma_state *mas, unsigned long first, unsigned long last)
{
	mas->index = first;
	mas->last = last;
	mas->node = NULL;
	mas->status = ma_start;
}

void mas_set(struct ma_state *mas, unsigned long index)
{
	mas_set_range(mas, index, index);
}

void mas_reset(struct ma_state *mas)
{
	mas->node = NULL;
	mas->status = ma_start;
}

void *mas_walk(struct ma_state *mas)
{
	return mas_descend(mas, mas->index);
}

static inline void *mas_entry(struct ma_state *mas)
{
	return mas->node ? mas->node->mr64.slot[mas->offset] : NULL;
}

/* Step an active cursor to the next element; false at the end of the space. */
static bool mas_next_elem(struct ma_state *mas)
{
	struct maple_node *n = mas->node;

	if (n && mas->offset < n->end) {
		mas->offset++;
		mas->index = mas->last + 1;
		mas->last = mas->offset < n->end ? n->mr64.pivot[mas->offset] : mas->max;
		return true;
	}
	if (mas->last == MT_MAX)
		return false;
	mas_descend(mas, mas->last + 1);
	return true;
}

/* Step an active cursor to the previous element; false at key 0. */
static bool mas_prev_elem(struct ma_state *mas)
{
	struct maple_node *n = mas->node;

	if (n && mas->offset > 0) {
		mas->offset--;
		mas->last = mas->index - 1;
		mas->index = mas->offset ? n->mr64.pivot[mas->offset - 1] + 1 : mas->min;
		return true;
	}
	if (mas->index == 0)
		return false;
	mas_descend(mas, mas->index - 1);
	return true;
}

struct mas_saved {
	unsigned long index, last, min, max;
	struct maple_node *node;
	unsigned char offset, status;
};

static void mas_save(struct ma_state *mas, struct mas_saved *s)
{
	s->index = mas->index;
	s->last = mas->last;
	s->min = mas->min;
	s->max = mas->max;
	s->node = mas->node;
	s->offset = mas->offset;
	s->status = mas->status;
}

static void *mas_restore(struct ma_state *mas, struct mas_saved *s)
{
	mas->index = s->index;
	mas->last = s->last;
	mas->min = s->min;
	mas->max = s->max;
	mas->node = s->node;
	mas->offset = s->offset;
	mas->status = s->status;
	return NULL;
}

/* Next non-NULL element after the current one, starting no later than max. */
static void *mas_next_entry(struct ma_state *mas, unsigned long max, struct mas_saved *s)
{
	void *entry;

	do {
		if (mas->last >= max || !mas_next_elem(mas))
			return mas_restore(mas, s);
		entry = mas_entry(mas);
	} while (!entry);
	return entry;
}

/* Previous non-NULL element before the current one, ending no earlier than min. */
static void *mas_prev_entry(struct ma_state *mas, unsigned long min, struct mas_saved *s)
{
	void *entry;

	do {
		if (mas->index <= min || !mas_prev_elem(mas))
			return mas_restore(mas, s);
		entry = mas_entry(mas);
	} while (!entry);
	return entry;
}

void *mas_find(struct ma_state *mas, unsigned long max)
{
	struct mas_saved s;
	void *entry;

	mas_save(mas, &s);
	if (mas->status == ma_start) {
		if (mas->index > max)
			return NULL;
		entry = mas_descend(mas, mas->index);
		if (entry)
			return entry;
	}
	return mas_next_entry(mas, max, &s);
}

void *mas_next(struct ma_state *mas, unsigned long max)
{
	struct mas_saved s;

	mas_save(mas, &s);
	if (mas->status == ma_start)
		mas_descend(mas, mas->index);
	return mas_next_entry(mas, max, &s);
}

void *mas_find_rev(struct ma_state *mas, unsigned long min)
{
	struct mas_saved s;
	void *entry;

	mas_save(mas, &s);
	if (mas->status == ma_start) {
		if (mas->index < min)
			return NULL;
		entry = mas_descend(mas, mas->index);
		if (entry)
			return entry;
	}
	return mas_prev_entry(mas, min, &s);
}

void *mas_prev(struct ma_state *mas, unsigned long min)
{
	struct mas_saved s;

	mas_save(mas, &s);
	if (mas->status == ma_start)
		mas_descend(mas, mas->index);
	return mas_prev_entry(mas, min, &s);
}

void *mt_find(struct maple_tree *mt, unsigned long *index, unsigned long max)
{
	MA_STATE(mas, mt, *index, *index);
	void *entry;

	if (*index > max)
		return NULL;
	entry = mas_find(&mas, max);
	if (entry)
		*index = mas.last == MT_MAX ? MT_MAX : mas.last + 1;
	return entry;
}

/* ------------------------------------------------------------------ */
/* Write path                                                          */

/* Root-to-leaf path to the element containing some key. */
struct mt_path {
	unsigned int height;
	struct maple_node *node[MAPLE_HEIGHT_MAX];
	unsigned long min[MAPLE_HEIGHT_MAX], max[MAPLE_HEIGHT_MAX];
	unsigned char off[MAPLE_HEIGHT_MAX];
};

static void mt_walk_path(struct maple_tree *mt, unsigned long index, struct mt_path *p)
{
	struct maple_node *node = mt->ma_root;
	unsigned long min = 0, max = MT_MAX;
	unsigned int d, i, h = mt->ma_height;

	p->height = h;
	for (d = 0; d < h; d++) {
		bool leaf = d == h - 1;
		unsigned long *piv = mt_pivots(node, leaf);

		for (i = 0; i < node->end && index > piv[i]; i++)
			;
		p->node[d] = node;
		p->min[d] = min;
		p->max[d] = max;
		p->off[d] = (unsigned char)i;
		if (leaf)
			break;
		if (i)
			min = piv[i - 1] + 1;
		if (i < node->end)
			max = piv[i];
		node = node->ma64.slot[i];
	}
}

/* Bounds and entry of element `off` in the leaf at the bottom of p. */
static void path_elem(struct mt_path *p, unsigned int off, unsigned long *s, unsigned long *e,
		      void **entry)
{
	unsigned int d = p->height - 1;
	struct maple_node *n = p->node[d];

	*s = off ? n->mr64.pivot[off - 1] + 1 : p->min[d];
	*e = off < n->end ? n->mr64.pivot[off] : p->max[d];
	*entry = n->mr64.slot[off];
}

/* Refresh the gap annotations from level d up to the root. */
static void mt_gaps_up(struct mt_path *p, unsigned int d)
{
	for (; d > 0; d--) {
		struct maple_node *parent = p->node[d - 1];

		parent->ma64.gap[p->off[d - 1]] =
		    mt_node_gap(p->node[d], p->min[d], p->max[d], d == p->height - 1);
	}
}

/*
 * Fix an underfull node at level d of path p (d > 0) by merging it with,
 * or borrowing from, a sibling; cascades upward.  Invalidates p below the
 * level it stops at.
 */
static void mt_rebalance(struct maple_tree *mt, struct mt_path *p, unsigned int d, struct mt_big *b)
{
	for (; d > 0; d--) {
		bool leaf = d == p->height - 1;
		struct maple_node *node = p->node[d], *par = p->node[d - 1], *l, *r;
		unsigned long *ppiv = par->ma64.pivot;
		unsigned int o = p->off[d - 1], ls, nl;
		unsigned long lmin, lmax, rmax;

		if (node->end + 1u >= mt_min_fill(leaf))
			return;
		ls = o > 0 ? o - 1 : o;
		l = par->ma64.slot[ls];
		r = par->ma64.slot[ls + 1];
		lmin = ls ? ppiv[ls - 1] + 1 : p->min[d - 1];
		lmax = ppiv[ls];
		rmax = ls + 1 < par->end ? ppiv[ls + 1] : p->max[d - 1];
		big_load(b, l, lmax, leaf);
		big_append(b, r, rmax, leaf);

		if (b->n > mt_cap(leaf)) {
			/* Redistribute: both halves end up >= the minimum. */
			nl = b->n / 2;
			big_store(l, b, 0, nl, leaf);
			big_store(r, b, nl, b->n - nl, leaf);
			ppiv[ls] = b->piv[nl - 1];
			par->ma64.gap[ls] = big_gap(b, 0, nl, lmin, leaf);
			par->ma64.gap[ls + 1] = big_gap(b, nl, b->n - nl, b->piv[nl - 1] + 1, leaf);
			mt_gaps_up(p, d - 1);
			return;
		}

		/* Merge r into l and drop r from the parent. */
		big_store(l, b, 0, b->n, leaf);
		{
			unsigned long lgap = big_gap(b, 0, b->n, lmin, leaf);

			mt_put_node(mt, r);
			big_load(b, par, p->max[d - 1], false);
			b->piv[ls] = rmax;
			b->gap[ls] = lgap;
			big_remove(b, ls + 1);
			big_store(par, b, 0, b->n, false);
		}
		mt_gaps_up(p, d - 1);
		if (d - 1 == 0 && par->end == 0) {
			/* The root has a single child: drop a level. */
			mt->ma_root = l;
			mt->ma_height--;
			mt_put_node(mt, par);
			return;
		}
	}
}

/*
 * Replace the node at level d of path p by the contents of b (which cover
 * the same bounds).  Splits upward on overflow, using nodes from the
 * cursor's stash; rebalances on underflow.  pos is where in b the change
 * was: a split after an append at the tail keeps the left node nearly full
 * (and a split after a prepend keeps the right one full), so that
 * ascending or top-down (mmap) insertion does not leave half-empty nodes.
 */
static void mt_commit(struct maple_tree *mt, struct mt_path *p, unsigned int d, struct mt_big *b,
		      unsigned int pos, struct ma_state *mas)
{
	for (;;) {
		bool leaf = d == p->height - 1;
		struct maple_node *node = p->node[d], *right;
		unsigned long lmax, rmax, lgap, rgap;
		unsigned int nl, o, i;

		if (b->n <= mt_cap(leaf)) {
			big_store(node, b, 0, b->n, leaf);
			if (d == 0)
				return;
			mt_gaps_up(p, d);
			if (b->n < mt_min_fill(leaf))
				mt_rebalance(mt, p, d, b);
			return;
		}

		/* Split in two; the new right half goes next to node in the parent. */
		if (pos + 2 >= b->n)
			nl = b->n - mt_min_fill(leaf);
		else if (pos <= 1)
			nl = mt_min_fill(leaf);
		else
			nl = (b->n + 1) / 2;
		right = mas_take_node(mas, leaf);
		if (!right)
			return; /* cannot happen: nodes were reserved */
		lmax = b->piv[nl - 1];
		rmax = b->piv[b->n - 1];
		lgap = big_gap(b, 0, nl, p->min[d], leaf);
		rgap = big_gap(b, nl, b->n - nl, lmax + 1, leaf);
		big_store(node, b, 0, nl, leaf);
		big_store(right, b, nl, b->n - nl, leaf);

		if (d == 0) {
			struct maple_node *root = mas_take_node(mas, false);

			if (!root)
				return;
			root->end = 1;
			root->ma64.pivot[0] = lmax;
			root->ma64.slot[0] = node;
			root->ma64.slot[1] = right;
			root->ma64.gap[0] = lgap;
			root->ma64.gap[1] = rgap;
			mt->ma_root = root;
			mt->ma_height++;
			return;
		}

		d--;
		o = p->off[d];
		big_load(b, p->node[d], p->max[d], false);
		for (i = b->n; i > o + 1; i--) {
			b->piv[i] = b->piv[i - 1];
			b->slot[i] = b->slot[i - 1];
			b->gap[i] = b->gap[i - 1];
		}
		b->n++;
		b->piv[o] = lmax;
		b->gap[o] = lgap;
		b->piv[o + 1] = rmax;
		b->slot[o + 1] = right;
		b->gap[o + 1] = rgap;
		pos = o + 1;
	}
}

/*
 * Collapse step across a leaf boundary.  The element containing S is the
 * last one in its leaf (bottom of p) and the leaf ends before T.  Move the
 * boundary between this leaf and the next one to the right so that the
 * element absorbs as many whole elements of the next leaf as possible
 * (never past T, always leaving that leaf at least one element).
 */
static void mt_move_boundary(struct maple_tree *mt, struct mt_path *p, unsigned long T,
			     struct mt_big *b)
{
	unsigned int h = p->height, d, k, j;
	struct maple_node *lca, *rl;
	struct mt_path r;
	unsigned long B;
	unsigned int o;

	/* Lowest ancestor where the path is not on the right edge. */
	d = h - 1;
	while (d > 0) {
		d--;
		if (p->off[d] < p->node[d]->end)
			break;
	}
	lca = p->node[d];
	o = p->off[d];

	/* Path to the leftmost leaf of lca's child o + 1. */
	for (j = 0; j <= d; j++) {
		r.node[j] = p->node[j];
		r.min[j] = p->min[j];
		r.max[j] = p->max[j];
		r.off[j] = p->off[j];
	}
	r.height = h;
	r.off[d] = (unsigned char)(o + 1);
	r.node[d + 1] = lca->ma64.slot[o + 1];
	r.min[d + 1] = lca->ma64.pivot[o] + 1;
	r.max[d + 1] = o + 1 < lca->end ? lca->ma64.pivot[o + 1] : p->max[d];
	for (j = d + 2; j < h; j++) {
		struct maple_node *up = r.node[j - 1];

		r.off[j - 1] = 0;
		r.node[j] = up->ma64.slot[0];
		r.min[j] = r.min[j - 1];
		r.max[j] = up->end ? up->ma64.pivot[0] : r.max[j - 1];
	}
	r.off[h - 1] = 0;
	rl = r.node[h - 1];

	/* Whole elements of rl that end by T; keep at least one. */
	for (k = 0; k < rl->end && rl->mr64.pivot[k] <= T; k++)
		;
	if (k == 0)
		return; /* cannot happen: rl is not the root, so it has >= 2 elements */
	B = rl->mr64.pivot[k - 1];
	lca->ma64.pivot[o] = B;
	big_load(b, rl, r.max[h - 1], true);
	big_store(rl, b, k, b->n - k, true);

	for (j = d + 1; j < h; j++) {
		p->max[j] = B;
		r.min[j] = B + 1;
	}
	mt_gaps_up(p, h - 1);
	mt_gaps_up(&r, h - 1);
	if (rl->end + 1u < MT_LEAF_MIN)
		mt_rebalance(mt, &r, h - 1, b);
}

struct mt_elem {
	unsigned long s, e;
	void *entry;
};

/* Nodes a write may need, given the plan. */
static unsigned int mt_nodes_needed(struct maple_tree *mt, unsigned long S, unsigned long T,
				    unsigned int m, struct mt_path *known)
{
	struct mt_path p;
	unsigned int h = mt->ma_height, d, a, b, need;
	struct maple_node *leaf;

	if (known)
		p = *known;
	else
		mt_walk_path(mt, S, &p);
	leaf = p.node[h - 1];
	if (p.max[h - 1] < T)
		return h + 1; /* spanning write: worst case */
	a = p.off[h - 1];
	for (b = a; b < leaf->end && leaf->mr64.pivot[b] < T; b++)
		;
	if (leaf->end + 1u - (b - a + 1) + m <= MT_LEAF_SLOTS)
		return 0;
	need = 1;
	for (d = h - 1;; d--) {
		if (d == 0) {
			need++; /* new root */
			break;
		}
		if (p.node[d - 1]->end + 1u < MT_INT_SLOTS)
			break;
		need++;
	}
	return need;
}

/* Element containing index: bounds and entry. */
static void *mt_elem_at(struct maple_tree *mt, unsigned long index, unsigned long *s,
			unsigned long *e)
{
	MA_STATE(mas, mt, index, index);
	void *entry = mas_descend(&mas, index);

	*s = mas.index;
	*e = mas.last;
	return entry;
}

static int mt_store(struct ma_state *mas, unsigned long first, unsigned long last, void *entry)
{
	struct maple_tree *mt = mas->tree;
	struct mt_elem list[3];
	unsigned int m = 0, i, a, b, h, need;
	unsigned long sp, ep, sq, eq, S, T, s, e;
	void *xp, *xq;
	struct mt_path p;
	struct mt_big big;

	if (first > last)
		return -EINVAL;

	if (!mt->ma_root) {
		struct maple_node *n;

		if (!entry)
			return 0;
		if (!mas_fill_stash(mas, 1))
			return -ENOMEM;
		n = mas_take_node(mas, true);
		if (first > 0) {
			n->mr64.pivot[m] = first - 1;
			n->mr64.slot[m++] = NULL;
		}
		n->mr64.slot[m] = entry;
		if (last < MT_MAX) {
			n->mr64.pivot[m++] = last;
			n->mr64.slot[m] = NULL;
		}
		n->end = (unsigned char)m;
		mt->ma_root = n;
		mt->ma_height = 1;
		return 0;
	}

	/* Plan: which elements [S, T] are replaced, and by what. */
	mt_walk_path(mt, first, &p);
	h = p.height;
	path_elem(&p, p.off[h - 1], &sp, &ep, &xp);
	if (last <= ep) {
		if (!xp && !entry)
			return 0; /* erasing inside a gap */
		if (xp && entry && sp == first && ep == last) {
			p.node[h - 1]->mr64.slot[p.off[h - 1]] = entry;
			return 0; /* same range, new entry */
		}
		sq = sp;
		eq = ep;
		xq = xp;
	} else {
		xq = mt_elem_at(mt, last, &sq, &eq);
	}
	if (sp < first)
		list[m++] = (struct mt_elem){sp, first - 1, xp};
	if (m && !list[m - 1].entry && !entry)
		list[m - 1].e = last;
	else
		list[m++] = (struct mt_elem){first, last, entry};
	if (last < eq) {
		if (!xq && !list[m - 1].entry)
			list[m - 1].e = eq;
		else
			list[m++] = (struct mt_elem){last + 1, eq, xq};
	}
	S = sp;
	T = eq;
	if (!list[0].entry && S > 0 && !mt_elem_at(mt, S - 1, &s, &e))
		S = list[0].s = s;
	if (!list[m - 1].entry && T < MT_MAX && !mt_elem_at(mt, T + 1, &s, &e))
		T = list[m - 1].e = e;

	/* Reserve every node the write can need; after this nothing fails. */
	bool reuse = S == first;
	need = mt_nodes_needed(mt, S, T, m, reuse ? &p : NULL);
	if (need > mt->ma_height && mt->ma_height >= MAPLE_HEIGHT_MAX)
		return -ENOMEM; /* the tree cannot grow taller (not reachable in practice) */
	if (!mas_fill_stash(mas, need))
		return -ENOMEM;

	/* Collapse [S, T] into the leaf holding S. */
	for (;;) {
		struct maple_node *leaf;

		if (!reuse)
			mt_walk_path(mt, S, &p);
		reuse = false;
		h = p.height;
		leaf = p.node[h - 1];
		a = p.off[h - 1];
		if (p.max[h - 1] >= T)
			break;
		if (a < leaf->end) {
			/* Element a swallows the rest of its leaf. */
			big_load(&big, leaf, p.max[h - 1], true);
			big.n = a + 1;
			big.piv[a] = p.max[h - 1];
			mt_commit(mt, &p, h - 1, &big, a, mas);
		} else {
			mt_move_boundary(mt, &p, T, &big);
		}
	}

	/* Now elements a..b of this leaf tile [S, T] exactly: replace them. */
	{
		struct maple_node *leaf = p.node[h - 1];

		for (b = a; b < leaf->end && leaf->mr64.pivot[b] < T; b++)
			;
		big_load(&big, leaf, p.max[h - 1], true);
		/* Shift the tail to make room for m elements in place of b-a+1. */
		if (m > b - a + 1) {
			unsigned int shift = m - (b - a + 1);

			for (i = big.n; i-- > b + 1;) {
				big.piv[i + shift] = big.piv[i];
				big.slot[i + shift] = big.slot[i];
			}
			big.n += shift;
		} else if (m < b - a + 1) {
			unsigned int shift = (b - a + 1) - m;

			for (i = b + 1; i < big.n; i++) {
				big.piv[i - shift] = big.piv[i];
				big.slot[i - shift] = big.slot[i];
			}
			big.n -= shift;
		}
		for (i = 0; i < m; i++) {
			big.piv[a + i] = list[i].e;
			big.slot[a + i] = list[i].entry;
		}
		mt_commit(mt, &p, h - 1, &big, a + m - 1 == big.n - 1 ? big.n - 1 : a, mas);
	}

	/* An all-NULL tree has no nodes. */
	if (mt->ma_height == 1 && mt->ma_root->end == 0 && !mt->ma_root->mr64.slot[0]) {
		mt_put_node(mt, mt->ma_root);
		mt->ma_root = NULL;
		mt->ma_height = 0;
	}
	return 0;
}

int mas_store_gfp(struct ma_state *mas, void *entry)
{
	int ret = mt_store(mas, mas->index, mas->last, entry);

	mas_destroy(mas);
	mas_reset(mas);
	return ret;
}

int mas_preallocate(struct ma_state *mas)
{
	unsigned int need = mas->tree->ma_height + 1;

	if (!mas_fill_stash(mas, need)) {
		mas_destroy(mas);
		return -ENOMEM;
	}
	return 0;
}

void mas_store_prealloc(struct ma_state *mas, void *entry)
{
	mt_store(mas, mas->index, mas->last, entry);
	mas_destroy(mas);
	mas_reset(mas);
}

int mtree_store_range(struct maple_tree *mt, unsigned long first, unsigned long last, void *entry)
{
	MA_STATE(mas, mt, first, last);

	return mas_store_gfp(&mas, entry);
}

int mtree_store(struct maple_tree *mt, unsigned long index, void *entry)
{
	return mtree_store_range(mt, index, index, entry);
}

static void mt_free_subtree(struct maple_tree *mt, struct maple_node *n, unsigned int h)
{
	unsigned int i;

	if (h > 1)
		for (i = 0; i <= n->end; i++)
			mt_free_subtree(mt, n->ma64.slot[i], h - 1);
	mt_put_node(mt, n);
}

void mtree_destroy(struct maple_tree *mt)
{
	if (mt->ma_root)
		mt_free_subtree(mt, mt->ma_root, mt->ma_height);
	mt->ma_root = NULL;
	mt->ma_height = 0;
}

/* ------------------------------------------------------------------ */
/* Gap search                                                          */

/*
 * Depth-first search guided by the gap annotations.  A child is entered
 * only if its largest gap is big enough; it can still fail only when the
 * gap is clipped by [min, max], which happens only for the (at most two)
 * children straddling min or max on each level, so the search is O(log n).
 */
static int mt_gap_search(struct ma_state *mas, unsigned long min, unsigned long max,
			 unsigned long size, bool rev)
{
	struct maple_tree *mt = mas->tree;
	struct maple_node *node[MAPLE_HEIGHT_MAX];
	unsigned long nmin[MAPLE_HEIGHT_MAX], nmax[MAPLE_HEIGHT_MAX];
	int off[MAPLE_HEIGHT_MAX];
	unsigned int h = mt->ma_height;
	int d = 0;

	mas_reset(mas);
	if (size == 0 || min > max)
		return -EINVAL;
	if (max - min < size - 1)
		return -EBUSY;
	if (!mt->ma_root) {
		if (rev) {
			mas->last = max;
			mas->index = max - (size - 1);
		} else {
			mas->index = min;
			mas->last = min + (size - 1);
		}
		return 0;
	}
	node[0] = mt->ma_root;
	nmin[0] = 0;
	nmax[0] = MT_MAX;
	off[0] = rev ? node[0]->end : 0;

	while (d >= 0) {
		struct maple_node *n = node[d];
		bool leaf = (unsigned int)d == h - 1;
		unsigned long *piv = mt_pivots(n, leaf);
		int i = off[d];
		bool descended = false;

		for (; i >= 0 && i <= n->end; i += rev ? -1 : 1) {
			unsigned long cs = i ? piv[i - 1] + 1 : nmin[d];
			unsigned long ce = i < n->end ? piv[i] : nmax[d];

			if (ce < min) {
				if (rev)
					break;
				continue;
			}
			if (cs > max) {
				if (rev)
					continue;
				break;
			}
			if (leaf) {
				unsigned long lo = cs > min ? cs : min;
				unsigned long hi = ce < max ? ce : max;

				if (n->mr64.slot[i] || hi - lo < size - 1)
					continue;
				if (rev) {
					mas->last = hi;
					mas->index = hi - (size - 1);
				} else {
					mas->index = lo;
					mas->last = lo + (size - 1);
				}
				return 0;
			}
			if (n->ma64.gap[i] < size)
				continue;
			/* Descend; resume after child i when it fails. */
			off[d] = rev ? i - 1 : i + 1;
			node[d + 1] = n->ma64.slot[i];
			nmin[d + 1] = cs;
			nmax[d + 1] = ce;
			off[d + 1] = rev ? node[d + 1]->end : 0;
			d++;
			descended = true;
			break;
		}
		if (!descended)
			d--;
	}
	return -EBUSY;
}

int mas_empty_area(struct ma_state *mas, unsigned long min, unsigned long max, unsigned long size)
{
	return mt_gap_search(mas, min, max, size, false);
}

int mas_empty_area_rev(struct ma_state *mas, unsigned long min, unsigned long max,
		       unsigned long size)
{
	return mt_gap_search(mas, min, max, size, true);
}

/* ------------------------------------------------------------------ */
/* Debugging                                                           */

struct mt_check {
	unsigned long nodes;
	bool prev_null; /* the previous element (in key order) was NULL */
	bool first;
	int err;
};

static void mt_check_node(struct maple_tree *mt, struct maple_node *n, unsigned long min,
			  unsigned long max, unsigned int depth, struct mt_check *c,
			  unsigned long *gap_out)
{
	bool leaf = depth == mt->ma_height - 1;
	unsigned long *piv = mt_pivots(n, leaf);
	void **slots = mt_slots(n, leaf);
	unsigned int i, cap = mt_cap(leaf);
	unsigned long s = min, best = 0;

	c->nodes++;
	if (n->type != (leaf ? maple_leaf_64 : maple_arange_64) || n->end >= cap) {
		c->err = (n->type == maple_leaf_64 || n->type == maple_arange_64) ? MT_ERR_DEPTH
										  : MT_ERR_TYPE;
		return;
	}
	if (depth > 0 && n->end + 1u < mt_min_fill(leaf) && !c->err)
		c->err = MT_ERR_OCCUPANCY;
	for (i = n->end; i < cap; i++) {
		if ((i > n->end && slots[i]) || (i < cap - 1 && piv[i]) ||
		    (!leaf && i > n->end && n->ma64.gap[i])) {
			if (!c->err)
				c->err = MT_ERR_JUNK;
		}
	}
	for (i = 0; i <= n->end; i++) {
		unsigned long e = i < n->end ? piv[i] : max;

		if (e < s || (i < n->end && e >= max)) {
			c->err = MT_ERR_PIVOT;
			return;
		}
		if (leaf) {
			if (!slots[i]) {
				if (c->prev_null && !c->err)
					c->err = MT_ERR_NULLS;
				if (mt_len(s, e) > best)
					best = mt_len(s, e);
			}
			c->prev_null = !slots[i];
		} else {
			unsigned long g = 0;

			if (!slots[i]) {
				c->err = MT_ERR_TYPE;
				return;
			}
			mt_check_node(mt, slots[i], s, e, depth + 1, c, &g);
			if (c->err == MT_ERR_TYPE || c->err == MT_ERR_PIVOT ||
			    c->err == MT_ERR_DEPTH)
				return;
			if (g != n->ma64.gap[i] && !c->err)
				c->err = MT_ERR_GAP;
			if (g > best)
				best = g;
		}
		s = e + 1;
	}
	*gap_out = best;
}

int mt_validate(struct maple_tree *mt)
{
	struct mt_check c = {0, false, true, 0};
	unsigned long g;
	struct maple_node *root = mt->ma_root;

	if (!root) {
		if (mt->ma_height != 0)
			return MT_ERR_ROOT;
		return mt->ma_nodes ? MT_ERR_COUNT : 0;
	}
	if (mt->ma_height == 0 || mt->ma_height > MAPLE_HEIGHT_MAX)
		return MT_ERR_ROOT;
	if (mt->ma_height == 1 && root->end == 0 && !root->mr64.slot[0])
		return MT_ERR_ROOT; /* an all-NULL tree must be empty */
	if (mt->ma_height > 1 && root->end == 0)
		return MT_ERR_ROOT;
	/* Depth uniformity: descending by height means every leaf is checked
	 * as a leaf; a leaf-typed node above the bottom is a type error. */
	mt_check_node(mt, root, 0, MT_MAX, 0, &c, &g);
	if (c.err)
		return c.err;
	if (c.nodes != mt->ma_nodes)
		return MT_ERR_COUNT;
	return 0;
}

static void mt_dump_node(struct maple_node *n, unsigned long min, unsigned long max,
			 unsigned int depth, unsigned int height,
			 void (*print)(const char *fmt, ...))
{
	bool leaf = depth == height - 1;
	unsigned long *piv = mt_pivots(n, leaf);
	void **slots = mt_slots(n, leaf);
	int ind = (int)depth * 2;
	unsigned int i;
	unsigned long s = min;

	print("%*s%s %p [%lx, %lx] %u slots\n", ind, "", leaf ? "leaf" : "node", (void *)n, min,
	      max, n->end + 1u);
	for (i = 0; i <= n->end; i++) {
		unsigned long e = i < n->end ? piv[i] : max;

		if (leaf) {
			if (slots[i])
				print("%*s  %lx-%lx: %p\n", ind, "", s, e, slots[i]);
			else
				print("%*s  %lx-%lx: (gap)\n", ind, "", s, e);
		} else {
			print("%*s  [%u] %lx-%lx gap %lx\n", ind, "", i, s, e, n->ma64.gap[i]);
			mt_dump_node(slots[i], s, e, depth + 1, height, print);
		}
		s = e + 1;
	}
}

void mt_dump(struct maple_tree *mt, void (*print)(const char *fmt, ...))
{
	print("maple_tree %p: height %u, %lu nodes\n", (void *)mt, mt->ma_height, mt->ma_nodes);
	if (!mt->ma_root) {
		print("  (empty) 0-%lx: (gap)\n", MT_MAX);
		return;
	}
	mt_dump_node(mt->ma_root, 0, MT_MAX, 0, mt->ma_height, print);
}
