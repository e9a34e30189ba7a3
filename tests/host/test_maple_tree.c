// SOURCES: mm/maple_tree.c
/*
 * Host unit tests for the VMA tree (mm/maple_tree.c).
 *
 * A trivially correct reference model (a sorted array of [s, e, entry]
 * ranges tiling [0, ULONG_MAX], NULL ranges coalesced) is driven with long
 * random operation sequences alongside the tree, and the two are compared
 * after every operation; mt_validate() runs after every mutation.  Node
 * allocation goes through counting hooks that can be told to fail.
 *
 * Usage: test_maple_tree [seed ...]   (default: a fixed set of seeds)
 * Output is TAP: "ok N - ..." / "not ok N - ...", then "# N passed, M failed".
 */
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/maple_tree.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_KEY (~0UL)

/* ------------------------------------------------------------------ */
/* Node allocator hooks                                                */

static long live_nodes;	     /* nodes handed out and not yet freed */
static long total_allocs;    /* successful allocations, ever */
static long fail_after = -1; /* >= 0: that many more allocations succeed, then NULL */

struct maple_node *mt_alloc_node(void)
{
	struct maple_node *n;

	if (fail_after == 0)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	n = calloc(1, sizeof(*n));
	if (n) {
		live_nodes++;
		total_allocs++;
	}
	return n;
}

void mt_free_node(struct maple_node *node)
{
	if (node)
		live_nodes--;
	free(node);
}

/* ------------------------------------------------------------------ */
/* TAP                                                                 */

static int tests_run, tests_failed;
static int cur_failures; /* failures inside the current test */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			if (cur_failures++ < 10) {                                                 \
				printf("#   %s:%d: check failed: %s: ", __FILE__, __LINE__,        \
				       #cond);                                                     \
				printf(__VA_ARGS__);                                               \
				printf("\n");                                                      \
			}                                                                          \
		}                                                                                  \
	} while (0)

static void begin(void)
{
	cur_failures = 0;
}

static void end(const char *fmt, ...)
{
	va_list ap;

	tests_run++;
	if (cur_failures)
		tests_failed++;
	printf("%s %d - ", cur_failures ? "not ok" : "ok", tests_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void dump_print(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static void devnull_print(const char *fmt, ...)
{
	(void)fmt;
}

/* ------------------------------------------------------------------ */
/* PRNG                                                                */

static unsigned long long rng_state;

static unsigned long long rnd(void)
{
	unsigned long long x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static unsigned long rnd_below(unsigned long n)
{
	return n ? (unsigned long)(rnd() % n) : 0;
}

/* ------------------------------------------------------------------ */
/* Reference model                                                     */

struct range {
	unsigned long s, e;
	void *entry;
};

struct model {
	struct range *r;
	size_t n, cap;
	struct range *tmp;
	size_t tmpcap;
};

static void model_init(struct model *m)
{
	m->cap = 16;
	m->r = malloc(m->cap * sizeof(*m->r));
	m->n = 1;
	m->r[0] = (struct range){0, MAX_KEY, NULL};
	m->tmp = NULL;
	m->tmpcap = 0;
}

static void model_free(struct model *m)
{
	free(m->r);
	free(m->tmp);
}

static void push(struct range **a, size_t *n, size_t *cap, struct range r)
{
	if (*n && !r.entry && !(*a)[*n - 1].entry) {
		(*a)[*n - 1].e = r.e; /* coalesce gaps */
		return;
	}
	if (*n == *cap) {
		*cap *= 2;
		*a = realloc(*a, *cap * sizeof(**a));
	}
	(*a)[(*n)++] = r;
}

static void model_store(struct model *m, unsigned long f, unsigned long l, void *entry)
{
	size_t n = 0, cap = m->n + 4, i;
	struct range *a;
	bool placed = false;

	if (m->tmpcap < cap) {
		m->tmp = realloc(m->tmp, cap * sizeof(*m->tmp));
		m->tmpcap = cap;
	}
	a = m->tmp;
	for (i = 0; i < m->n; i++) {
		struct range r = m->r[i];

		if (r.e < f || r.s > l) {
			if (r.s > l && !placed) {
				push(&a, &n, &cap, (struct range){f, l, entry});
				placed = true;
			}
			push(&a, &n, &cap, r);
			continue;
		}
		if (r.s < f)
			push(&a, &n, &cap, (struct range){r.s, f - 1, r.entry});
		if (!placed) {
			push(&a, &n, &cap, (struct range){f, l, entry});
			placed = true;
		}
		if (r.e > l)
			push(&a, &n, &cap, (struct range){l + 1, r.e, r.entry});
	}
	m->tmp = m->r;
	m->tmpcap = m->cap;
	m->r = a;
	m->n = n;
	m->cap = cap;
}

/* Index of the range containing k. */
static size_t model_find(struct model *m, unsigned long k)
{
	size_t lo = 0, hi = m->n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->r[mid].e < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void *model_load(struct model *m, unsigned long k)
{
	return m->r[model_find(m, k)].entry;
}

/* Lowest (rev: highest) gap of size within [min, max]; true if found. */
static bool model_empty_area(struct model *m, unsigned long min, unsigned long max,
			     unsigned long size, bool rev, unsigned long *index,
			     unsigned long *last)
{
	size_t i;

	if (max - min < size - 1)
		return false;
	for (i = 0; i < m->n; i++) {
		struct range *r = &m->r[rev ? m->n - 1 - i : i];
		unsigned long lo, hi;

		if (r->entry || r->e < min || r->s > max)
			continue;
		lo = r->s > min ? r->s : min;
		hi = r->e < max ? r->e : max;
		if (hi - lo < size - 1)
			continue;
		if (rev) {
			*last = hi;
			*index = hi - (size - 1);
		} else {
			*index = lo;
			*last = lo + (size - 1);
		}
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Comparison helpers                                                  */

/* Every range of the tree (entries and gaps), by mas_walk, against the model. */
static void compare_full(struct maple_tree *mt, struct model *m, const char *what)
{
	MA_STATE(mas, mt, 0, 0);
	size_t i = 0;
	void *entry;

	for (;;) {
		entry = mas_walk(&mas);
		if (i >= m->n) {
			CHECK(0, "%s: tree has more ranges than model (%zu)", what, m->n);
			return;
		}
		if (mas.index != m->r[i].s || mas.last != m->r[i].e || entry != m->r[i].entry) {
			CHECK(0, "%s: range %zu: tree %lx-%lx %p, model %lx-%lx %p", what, i,
			      mas.index, mas.last, entry, m->r[i].s, m->r[i].e, m->r[i].entry);
			return;
		}
		i++;
		if (mas.last == MAX_KEY)
			break;
		mas_set(&mas, mas.last + 1);
	}
	CHECK(i == m->n, "%s: tree has %zu ranges, model %zu", what, i, m->n);

	/* Forward iteration with mas_find over all entries. */
	mas_set(&mas, 0);
	i = 0;
	mas_for_each(&mas, entry, MAX_KEY)
	{
		while (i < m->n && !m->r[i].entry)
			i++;
		if (i >= m->n || entry != m->r[i].entry || mas.index != m->r[i].s ||
		    mas.last != m->r[i].e) {
			CHECK(0, "%s: mas_find mismatch at model %zu", what, i);
			return;
		}
		i++;
	}
	while (i < m->n && !m->r[i].entry)
		i++;
	CHECK(i == m->n, "%s: mas_find stopped early", what);
}

static void check_tree(struct maple_tree *mt, struct model *m, const char *what, bool full)
{
	int v = mt_validate(mt);

	CHECK(v == 0, "%s: mt_validate = %d", what, v);
	CHECK(live_nodes == (long)mt->ma_nodes, "%s: live nodes %ld, ma_nodes %lu", what,
	      live_nodes, mt->ma_nodes);
	CHECK(mtree_empty(mt) == (m->n == 1 && !m->r[0].entry), "%s: mtree_empty", what);
	if (full)
		compare_full(mt, m, what);
	if (v && cur_failures < 3)
		mt_dump(mt, dump_print);
}

/* ------------------------------------------------------------------ */
/* Random test                                                         */

struct rcfg {
	unsigned long universe; /* most keys fall in [0, universe) or near ULONG_MAX */
	int ops;
	unsigned long spread; /* medium ranges are up to universe/spread long */
	unsigned long big;    /* per mille of ranges that are universe-sized or huge */
	unsigned long erase;  /* percent of stores that erase */
};

static unsigned long rand_key(const struct rcfg *c)
{
	unsigned long r = rnd_below(100);

	if (r < 78)
		return rnd_below(c->universe);
	if (r < 93)
		return MAX_KEY - rnd_below(c->universe);
	if (r < 95)
		return 0;
	if (r < 97)
		return MAX_KEY;
	return rnd();
}

static void rand_range(const struct rcfg *c, unsigned long *f, unsigned long *l)
{
	unsigned long a = rand_key(c), len, r = rnd_below(1000);

	if (r < c->big / 4)
		len = rnd();
	else if (r < c->big)
		len = 1 + rnd_below(c->universe);
	else if (r < 700)
		len = 1 + rnd_below(8);
	else
		len = 1 + rnd_below(c->universe / c->spread + 1);
	if (!len)
		len = 1;
	*f = a;
	*l = (MAX_KEY - a < len - 1) ? MAX_KEY : a + len - 1;
}

static void *new_entry(void)
{
	static unsigned long id;

	return (void *)((++id << 4) | 8);
}

static void random_test(unsigned long long seed, const struct rcfg *c)
{
	DEFINE_MTREE(mt);
	struct model m;
	int op;
	long stores = 0, enomem = 0, finds = 0, gaps = 0;
	char what[96];

	begin();
	rng_state = seed ? seed : 1;
	model_init(&m);

	for (op = 0; op < c->ops && cur_failures == 0; op++) {
		unsigned long r = rnd_below(100), f, l, k, min, max;
		void *entry;
		int rc, i;

		snprintf(what, sizeof(what), "seed %llu op %d", seed, op);
		if (r < 50) {
			/* store or erase */
			rand_range(c, &f, &l);
			entry = rnd_below(100) >= c->erase ? new_entry() : NULL;
			if (r < 6) {
				MA_STATE(mas, &mt, f, l);

				rc = mas_preallocate(&mas);
				CHECK(rc == 0, "%s: mas_preallocate %d", what, rc);
				mas_store_prealloc(&mas, entry);
				mas_destroy(&mas);
			} else if (r < 10) {
				MA_STATE(mas, &mt, f, l);

				rc = mas_store_gfp(&mas, entry);
				CHECK(rc == 0, "%s: mas_store_gfp %d", what, rc);
				CHECK(mas.index == f && mas.last == l, "%s: cursor moved", what);
			} else {
				rc = mtree_store_range(&mt, f, l, entry);
				CHECK(rc == 0, "%s: store %d", what, rc);
			}
			model_store(&m, f, l, entry);
			stores++;
			check_tree(&mt, &m, what, m.n < 200 || (op & 63) == 0);
			/* the neighbourhood of the store */
			CHECK(mtree_load(&mt, f) == entry, "%s: load first", what);
			CHECK(mtree_load(&mt, l) == entry, "%s: load last", what);
			if (f)
				CHECK(mtree_load(&mt, f - 1) == model_load(&m, f - 1), "%s: f-1",
				      what);
			if (l != MAX_KEY)
				CHECK(mtree_load(&mt, l + 1) == model_load(&m, l + 1), "%s: l+1",
				      what);
		} else if (r < 55) {
			/* store with allocation failure injection */
			rand_range(c, &f, &l);
			entry = rnd_below(4) ? new_entry() : NULL;
			fail_after = (long)rnd_below(3);
			rc = mtree_store_range(&mt, f, l, entry);
			fail_after = -1;
			if (rc == -ENOMEM) {
				enomem++;
			} else {
				CHECK(rc == 0, "%s: store %d", what, rc);
				model_store(&m, f, l, entry);
			}
			check_tree(&mt, &m, what, true);
		} else if (r < 65) {
			for (i = 0; i < 8; i++) {
				k = rnd_below(4) ? m.r[rnd_below(m.n)].s + rnd_below(3) - 1
						 : rand_key(c);
				CHECK(mtree_load(&mt, k) == model_load(&m, k), "%s: load %lx", what,
				      k);
			}
		} else if (r < 70) {
			/* mt_find */
			unsigned long idx = rand_key(c), exp_idx = idx;
			size_t j;

			max = rnd_below(3) ? idx + rnd_below(c->universe) : rand_key(c);
			if (max < idx && rnd_below(2))
				max = MAX_KEY;
			entry = mt_find(&mt, &idx, max);
			finds++;
			if (exp_idx > max) {
				CHECK(!entry, "%s: mt_find beyond max", what);
				continue;
			}
			for (j = model_find(&m, exp_idx); j < m.n && m.r[j].s <= max; j++)
				if (m.r[j].entry)
					break;
			if (j < m.n && m.r[j].s <= max && m.r[j].entry) {
				unsigned long ni = m.r[j].e == MAX_KEY ? MAX_KEY : m.r[j].e + 1;

				CHECK(entry == m.r[j].entry && idx == ni, "%s: mt_find %p idx %lx",
				      what, entry, idx);
			} else {
				CHECK(!entry, "%s: mt_find found %p", what, entry);
			}
		} else if (r < 85) {
			/* cursor walk: mas_find / mas_next / mas_prev / mas_find_rev */
			MA_STATE(mas, &mt, 0, 0);
			unsigned long start = rnd_below(3) ? m.r[rnd_below(m.n)].s : rand_key(c);
			size_t cur = 0;
			bool started = false;
			int steps = 1 + (int)rnd_below(20);

			mas_set(&mas, start);
			finds++;
			for (i = 0; i < steps; i++) {
				unsigned long kind = rnd_below(4), lim;
				size_t j;
				bool found = false;

				if (kind == 0 || kind == 1) {
					/* forward: 0 find, 1 next */
					lim = rnd_below(4) ? MAX_KEY : rand_key(c);
					if (kind == 0)
						entry = mas_find(&mas, lim);
					else
						entry = mas_next(&mas, lim);
					j = started ? cur + 1 : model_find(&m, start);
					if (!started && kind == 1)
						j++;
					if (!started && kind == 0 && start > lim)
						j = m.n;
					for (; j < m.n && m.r[j].s <= lim; j++)
						if (m.r[j].entry) {
							found = true;
							break;
						}
				} else {
					lim = rnd_below(4) ? 0 : rand_key(c);
					if (kind == 2)
						entry = mas_find_rev(&mas, lim);
					else
						entry = mas_prev(&mas, lim);
					j = started ? cur : model_find(&m, start) + 1;
					if (!started && kind == 2 && start < lim)
						j = 0;
					if (!started && kind == 3)
						j--;
					while (j-- > 0 && m.r[j].e >= lim)
						if (m.r[j].entry) {
							found = true;
							break;
						}
				}
				if (found) {
					CHECK(entry == m.r[j].entry && mas.index == m.r[j].s &&
						  mas.last == m.r[j].e,
					      "%s: step %d kind %lu lim %lx: got %p %lx-%lx want "
					      "%p %lx-%lx",
					      what, i, kind, lim, entry, mas.index, mas.last,
					      m.r[j].entry, m.r[j].s, m.r[j].e);
					cur = j;
					started = true;
				} else {
					CHECK(!entry,
					      "%s: step %d kind %lu lim %lx: got %p want NULL",
					      what, i, kind, lim, entry);
				}
				if (cur_failures)
					break;
			}
			/* mas_walk from a random key */
			k = rand_key(c);
			mas_set(&mas, k);
			entry = mas_walk(&mas);
			{
				size_t j = model_find(&m, k);

				CHECK(entry == m.r[j].entry && mas.index == m.r[j].s &&
					  mas.last == m.r[j].e,
				      "%s: mas_walk %lx", what, k);
			}
		} else {
			/* gap search */
			MA_STATE(mas, &mt, 0, 0);
			unsigned long size, ei = 0, el = 0;
			bool rev = rnd_below(2), want;

			min = rand_key(c);
			max = rand_key(c);
			if (min > max) {
				unsigned long t = min;

				min = max;
				max = t;
			}
			if (rnd_below(4) == 0)
				min = 0;
			if (rnd_below(4) == 0)
				max = MAX_KEY;
			switch (rnd_below(4)) {
			case 0:
				size = 1 + rnd_below(4);
				break;
			case 1:
				size = 1 + rnd_below(c->universe / 16 + 1);
				break;
			case 2:
				size = 1 + rnd_below(c->universe);
				break;
			default:
				size = 1 + rnd_below(MAX_KEY / (1 + rnd_below(1000)));
				break;
			}
			want = model_empty_area(&m, min, max, size, rev, &ei, &el);
			rc = rev ? mas_empty_area_rev(&mas, min, max, size)
				 : mas_empty_area(&mas, min, max, size);
			gaps++;
			if (want)
				CHECK(rc == 0 && mas.index == ei && mas.last == el,
				      "%s: empty_area%s [%lx,%lx] size %lx: rc %d %lx-%lx want "
				      "%lx-%lx",
				      what, rev ? "_rev" : "", min, max, size, rc, mas.index,
				      mas.last, ei, el);
			else
				CHECK(rc == -EBUSY,
				      "%s: empty_area%s [%lx,%lx] size %lx: rc %d %lx-%lx", what,
				      rev ? "_rev" : "", min, max, size, rc, mas.index, mas.last);
		}
	}
	check_tree(&mt, &m, "final", true);
	printf("# seed %llu: universe %lu, %d ops (%ld stores, %ld -ENOMEM, %ld finds, %ld gap "
	       "searches), %zu ranges, height %u, %lu nodes\n",
	       seed, c->universe, op, stores, enomem, finds, gaps, m.n, mt.ma_height, mt.ma_nodes);
	mtree_destroy(&mt);
	CHECK(mt.ma_nodes == 0 && live_nodes == 0, "leak: ma_nodes %lu live %ld", mt.ma_nodes,
	      live_nodes);
	model_free(&m);
	end("random ops, seed %llu, universe %lu", seed, c->universe);
}

/* ------------------------------------------------------------------ */
/* Focused tests                                                       */

#define E(n) ((void *)(unsigned long)(((n) << 4) | 8))

static void test_empty(void)
{
	DEFINE_MTREE(mt);
	MA_STATE(mas, &mt, 12345, 12345);
	unsigned long idx = 0;

	begin();
	CHECK(mtree_empty(&mt), "empty");
	CHECK(mtree_load(&mt, 0) == NULL && mtree_load(&mt, MAX_KEY) == NULL, "load");
	CHECK(mt_find(&mt, &idx, MAX_KEY) == NULL, "mt_find");
	CHECK(mas_walk(&mas) == NULL && mas.index == 0 && mas.last == MAX_KEY, "walk");
	mas_set(&mas, 5);
	CHECK(mas_find(&mas, MAX_KEY) == NULL && mas_next(&mas, MAX_KEY) == NULL, "find");
	CHECK(mas_prev(&mas, 0) == NULL && mas_find_rev(&mas, 0) == NULL, "prev");
	CHECK(mas_empty_area(&mas, 10, 100, 91) == 0 && mas.index == 10 && mas.last == 100, "ea");
	CHECK(mas_empty_area(&mas, 10, 100, 92) == -EBUSY, "ea busy");
	CHECK(mas_empty_area_rev(&mas, 10, 100, 5) == 0 && mas.index == 96 && mas.last == 100,
	      "ea rev");
	CHECK(mas_empty_area(&mas, 0, MAX_KEY, MAX_KEY) == 0 && mas.index == 0 &&
		  mas.last == MAX_KEY - 1,
	      "ea whole");
	CHECK(mas_empty_area(&mas, 10, 5, 1) == -EINVAL, "min > max");
	CHECK(mas_empty_area(&mas, 0, 5, 0) == -EINVAL, "size 0");
	CHECK(mtree_store_range(&mt, 5, 4, E(1)) == -EINVAL, "first > last");
	CHECK(mtree_store_range(&mt, 5, 10, NULL) == 0 && mt.ma_nodes == 0, "erase empty");
	CHECK(mt_validate(&mt) == 0, "validate");
	end("empty tree");
}

static void test_basic(void)
{
	DEFINE_MTREE(mt);
	MA_STATE(mas, &mt, 0, 0);
	void *e;

	begin();
	CHECK(mtree_store_range(&mt, 100, 199, E(1)) == 0, "store");
	CHECK(mt.ma_nodes == 1 && mt.ma_height == 1, "one leaf");
	CHECK(mtree_load(&mt, 99) == NULL && mtree_load(&mt, 100) == E(1) &&
		  mtree_load(&mt, 199) == E(1) && mtree_load(&mt, 200) == NULL,
	      "load");
	/* B over the middle of A leaves A on both sides */
	CHECK(mtree_store_range(&mt, 150, 159, E(2)) == 0, "store mid");
	mas_set(&mas, 120);
	e = mas_walk(&mas);
	CHECK(e == E(1) && mas.index == 100 && mas.last == 149, "left part %lx-%lx", mas.index,
	      mas.last);
	e = mas_next(&mas, MAX_KEY);
	CHECK(e == E(2) && mas.index == 150 && mas.last == 159, "middle");
	e = mas_next(&mas, MAX_KEY);
	CHECK(e == E(1) && mas.index == 160 && mas.last == 199, "right part");
	CHECK(mas_next(&mas, MAX_KEY) == NULL && mas.index == 160, "end; cursor kept");
	e = mas_prev(&mas, 0);
	CHECK(e == E(2) && mas.index == 150, "prev");
	/* the same pointer stored over adjacent ranges stays two ranges */
	CHECK(mtree_store_range(&mt, 200, 209, E(1)) == 0, "adjacent same");
	mas_set(&mas, 205);
	CHECK(mas_walk(&mas) == E(1) && mas.index == 200 && mas.last == 209, "not merged");
	/* erase parts: gaps coalesce */
	CHECK(mtree_store_range(&mt, 150, 159, NULL) == 0, "erase mid");
	mas_set(&mas, 155);
	CHECK(mas_walk(&mas) == NULL && mas.index == 150 && mas.last == 159, "hole");
	CHECK(mtree_store_range(&mt, 100, 149, NULL) == 0, "erase left");
	mas_set(&mas, 155);
	CHECK(mas_walk(&mas) == NULL && mas.index == 0 && mas.last == 159, "coalesced %lx-%lx",
	      mas.index, mas.last);
	CHECK(mt_validate(&mt) == 0, "validate");
	CHECK(mtree_store_range(&mt, 0, MAX_KEY, NULL) == 0, "erase all");
	CHECK(mtree_empty(&mt) && mt.ma_nodes == 0 && live_nodes == 0, "empty again");
	end("basic store/split/erase/coalesce");
}

static void test_extremes(void)
{
	DEFINE_MTREE(mt);
	MA_STATE(mas, &mt, 0, 0);
	unsigned long idx;

	begin();
	CHECK(mtree_store_range(&mt, 0, 0, E(1)) == 0, "0");
	CHECK(mtree_store_range(&mt, MAX_KEY, MAX_KEY, E(2)) == 0, "max");
	CHECK(mtree_store_range(&mt, MAX_KEY - 10, MAX_KEY - 1, E(3)) == 0, "near max");
	CHECK(mt_validate(&mt) == 0, "validate");
	CHECK(mtree_load(&mt, 0) == E(1) && mtree_load(&mt, 1) == NULL, "load 0");
	CHECK(mtree_load(&mt, MAX_KEY) == E(2) && mtree_load(&mt, MAX_KEY - 1) == E(3), "load max");
	idx = MAX_KEY - 1;
	CHECK(mt_find(&mt, &idx, MAX_KEY) == E(3) && idx == MAX_KEY, "find near max");
	CHECK(mt_find(&mt, &idx, MAX_KEY) == E(2) && idx == MAX_KEY, "saturating");
	mas_set(&mas, MAX_KEY);
	CHECK(mas_find(&mas, MAX_KEY) == E(2), "find max");
	CHECK(mas_next(&mas, MAX_KEY) == NULL, "nothing after max");
	CHECK(mas_prev(&mas, 0) == E(3) && mas_prev(&mas, 0) == E(1) && mas_prev(&mas, 0) == NULL,
	      "prev chain");
	CHECK(mas_empty_area_rev(&mas, 0, MAX_KEY, 100) == 0 && mas.last == MAX_KEY - 11,
	      "rev below top");
	CHECK(mas_empty_area(&mas, 0, MAX_KEY, 100) == 0 && mas.index == 1, "lowest above 0");
	CHECK(mas_empty_area(&mas, MAX_KEY - 20, MAX_KEY, 11) == -EBUSY, "top too small");
	CHECK(mas_empty_area(&mas, MAX_KEY - 20, MAX_KEY, 10) == 0 && mas.index == MAX_KEY - 20 &&
		  mas.last == MAX_KEY - 11,
	      "top fits");
	/* the whole space */
	CHECK(mtree_store_range(&mt, 0, MAX_KEY, E(4)) == 0, "whole");
	CHECK(mt_validate(&mt) == 0 && mt.ma_nodes == 1, "one node");
	mas_set(&mas, 77);
	CHECK(mas_walk(&mas) == E(4) && mas.index == 0 && mas.last == MAX_KEY, "whole range");
	CHECK(mas_empty_area(&mas, 0, MAX_KEY, 1) == -EBUSY, "no gap");
	CHECK(mtree_store_range(&mt, 1, MAX_KEY - 1, NULL) == 0, "hollow");
	CHECK(mtree_load(&mt, 0) == E(4) && mtree_load(&mt, MAX_KEY) == E(4), "ends kept");
	CHECK(mas_empty_area_rev(&mas, 0, MAX_KEY, MAX_KEY - 1) == 0 && mas.index == 1, "huge gap");
	CHECK(mt_validate(&mt) == 0, "validate");
	mtree_destroy(&mt);
	CHECK(live_nodes == 0 && mt.ma_nodes == 0, "leak");
	end("keys near 0 and ULONG_MAX");
}

#define PAGE 4096UL

static void test_many(void)
{
	DEFINE_MTREE(mt);
	MA_STATE(mas, &mt, 0, 0);
	const unsigned long N = 100000;
	unsigned long i, cnt;
	void *e;
	int rc;
	clock_t t0 = clock();

	begin();
	/* 100k one-page entries with one-page holes, inserted in a scrambled order */
	for (i = 0; i < N; i++) {
		unsigned long j = (i * 7919) % N;

		rc = mtree_store_range(&mt, 0x10000 + j * 2 * PAGE,
				       0x10000 + j * 2 * PAGE + PAGE - 1, E(j + 1));
		if (rc) {
			CHECK(0, "store %lu: %d", i, rc);
			break;
		}
	}
	CHECK(mt_validate(&mt) == 0, "validate after insert");
	printf("# 100k entries: height %u, %lu nodes (%lu bytes, %.1f bytes/entry)\n", mt.ma_height,
	       mt.ma_nodes, mt.ma_nodes * sizeof(struct maple_node),
	       (double)(mt.ma_nodes * sizeof(struct maple_node)) / N);
	for (i = 0; i < N; i++) {
		unsigned long a = 0x10000 + i * 2 * PAGE;

		if (mtree_load(&mt, a + 5) != E(i + 1) || mtree_load(&mt, a + PAGE) != NULL) {
			CHECK(0, "load %lu", i);
			break;
		}
	}
	cnt = 0;
	mas_set(&mas, 0);
	mas_for_each(&mas, e, MAX_KEY)
	{
		if (e != E(cnt + 1))
			break;
		cnt++;
	}
	CHECK(cnt == N, "iterated %lu", cnt);
	/* top-down free area search */
	CHECK(mas_empty_area_rev(&mas, 0, 0x10000 + N * 2 * PAGE - 1, PAGE) == 0 &&
		  mas.index == 0x10000 + (N * 2 - 1) * PAGE,
	      "rev gap %lx", mas.index);
	CHECK(mas_empty_area_rev(&mas, 0x10000, 0x10000 + N * 2 * PAGE - 1, 2 * PAGE) == -EBUSY,
	      "no 2-page hole");
	CHECK(mas_empty_area(&mas, 0x10000, MAX_KEY, 2 * PAGE) == 0 &&
		  mas.index == 0x10000 + (N * 2 - 1) * PAGE,
	      "first 2-page hole at the end");
	/* erase every other entry: holes merge into 3-page holes */
	for (i = 0; i < N; i += 2)
		mtree_store_range(&mt, 0x10000 + i * 2 * PAGE, 0x10000 + i * 2 * PAGE + PAGE - 1,
				  NULL);
	CHECK(mt_validate(&mt) == 0, "validate after erase");
	/* [0, 0x11fff] is clipped to 2 pages by min; the next hole is 3 pages */
	CHECK(mas_empty_area(&mas, 0x10000, MAX_KEY, 3 * PAGE) == 0 &&
		  mas.index == 0x10000 + 3 * PAGE,
	      "3-page hole %lx", mas.index);
	/* the hole below entry N-2 is clipped by max; the one below N-4 is whole */
	CHECK(mas_empty_area_rev(&mas, 0, 0x10000 + (N - 2) * 2 * PAGE, 3 * PAGE) == 0 &&
		  mas.last == 0x10000 + (N - 3) * 2 * PAGE - 1,
	      "rev 3-page hole %lx", mas.last);
	/* one spanning erase over the middle half */
	CHECK(mtree_store_range(&mt, 0x10000 + N / 4 * 2 * PAGE, 0x10000 + 3 * N / 4 * 2 * PAGE - 1,
				NULL) == 0,
	      "span erase");
	CHECK(mt_validate(&mt) == 0, "validate after span erase");
	mas_set(&mas, 0x10000 + N / 2 * 2 * PAGE);
	CHECK(mas_walk(&mas) == NULL && mas.index == 0x10000 + (N / 4 - 1) * 2 * PAGE + PAGE &&
		  mas.last == 0x10000 + (3 * N / 4 + 1) * 2 * PAGE - 1,
	      "big hole %lx-%lx", mas.index, mas.last);
	/* one spanning store of an entry over everything but the ends */
	CHECK(mtree_store_range(&mt, PAGE, MAX_KEY - PAGE, E(0)) == 0, "span store");
	CHECK(mt_validate(&mt) == 0 && mt.ma_nodes == 1, "collapsed to one leaf (%lu)",
	      mt.ma_nodes);
	mtree_destroy(&mt);
	CHECK(live_nodes == 0 && mt.ma_nodes == 0, "leak");

	/* 100k touching entries inserted backwards, then erased with one store */
	for (i = N; i-- > 0;)
		if (mtree_store_range(&mt, i * PAGE, i * PAGE + PAGE - 1, E(i + 1)))
			break;
	CHECK(mt_validate(&mt) == 0, "validate touching");
	for (i = 0; i < N; i += 97)
		CHECK(mtree_load(&mt, i * PAGE + 17) == E(i + 1), "touching load %lu", i);
	CHECK(mtree_store_range(&mt, 0, MAX_KEY, NULL) == 0, "erase all");
	CHECK(mtree_empty(&mt) && mt.ma_nodes == 0 && live_nodes == 0, "empty after erase all");
	end("100k entries (%.2fs)", (double)(clock() - t0) / CLOCKS_PER_SEC);
}

static void test_prealloc(void)
{
	DEFINE_MTREE(mt);
	unsigned long i;
	int rc;

	begin();
	for (i = 0; i < 2000; i++)
		mtree_store_range(&mt, i * 10, i * 10 + 9, E(i + 1));
	{
		MA_STATE(mas, &mt, 5, 5);

		rc = mas_preallocate(&mas);
		CHECK(rc == 0 && mas.nr_alloc == mt.ma_height + 1, "prealloc %d %u", rc,
		      mas.nr_alloc);
		CHECK(live_nodes == (long)mt.ma_nodes + mas.nr_alloc, "stash counted");
		mas_destroy(&mas);
		CHECK(live_nodes == (long)mt.ma_nodes && mas.nr_alloc == 0, "destroy frees stash");
	}
	{
		MA_STATE(mas, &mt, 5, 5);

		CHECK(mas_preallocate(&mas) == 0, "prealloc");
		fail_after = 0; /* the store must not allocate */
		mas_store_prealloc(&mas, E(9999));
		fail_after = -1;
		CHECK(mtree_load(&mt, 5) == E(9999) && mtree_load(&mt, 4) == E(1), "stored");
		CHECK(live_nodes == (long)mt.ma_nodes, "leftovers freed");
		/* the cursor is reset after a store: re-walk works */
		CHECK(mas.status == ma_start && mas_walk(&mas) == E(9999) && mas.index == 5,
		      "rewalk");
	}
	CHECK(mt_validate(&mt) == 0, "validate");
	mtree_destroy(&mt);
	CHECK(live_nodes == 0, "leak");
	end("mas_preallocate / mas_store_prealloc / mas_destroy");
}

static void test_enomem(void)
{
	DEFINE_MTREE(mt);
	struct model m;
	unsigned long i, f, l;
	int rc, n, tries = 0, failed = 0;

	begin();
	model_init(&m);
	rc = 0;
	fail_after = 0;
	CHECK(mtree_store_range(&mt, 1, 2, E(1)) == -ENOMEM && mtree_empty(&mt), "first node");
	fail_after = -1;
	/* full leaves everywhere: many stores need several nodes */
	for (i = 0; i < 3000; i++) {
		mtree_store_range(&mt, i * 4, i * 4 + 1, E(i + 1));
		model_store(&m, i * 4, i * 4 + 1, E(i + 1));
	}
	rng_state = 42;
	for (n = 0; n < 3000 && !cur_failures; n++) {
		long before = total_allocs;
		void *e = rnd_below(3) ? E(100000 + n) : NULL;

		f = rnd_below(12000);
		l = f + (rnd_below(4) ? rnd_below(4) : rnd_below(200));
		fail_after = (long)rnd_below(4);
		rc = mtree_store_range(&mt, f, l, e);
		fail_after = -1;
		tries++;
		if (rc == -ENOMEM) {
			failed++;
			CHECK(total_allocs - before <= 3, "allocations counted");
		} else {
			CHECK(rc == 0, "rc %d", rc);
			model_store(&m, f, l, e);
		}
		check_tree(&mt, &m, "enomem", true);
	}
	printf("# %d stores under allocation failure injection, %d failed with -ENOMEM\n", tries,
	       failed);
	CHECK(failed > 0, "no failure was injected");
	mtree_destroy(&mt);
	CHECK(live_nodes == 0, "leak");
	model_free(&m);
	end("allocation failure leaves the tree unchanged");
}

static void test_validate_and_dump(void)
{
	DEFINE_MTREE(mt);
	unsigned long i, save;
	struct maple_node *root;
	int v;

	begin();
	for (i = 0; i < 40; i++)
		mtree_store_range(&mt, 0x1000 * (i + 1), 0x1000 * (i + 1) + 0x7ff, E(i + 1));
	CHECK(mt_validate(&mt) == 0, "valid");
	CHECK(mt.ma_height == 2, "two levels");
	root = mt.ma_root;
	save = root->ma64.gap[0];
	root->ma64.gap[0] = save + 1;
	v = mt_validate(&mt);
	CHECK(v == MT_ERR_GAP, "gap corruption detected: %d", v);
	root->ma64.gap[0] = save;
	save = root->ma64.pivot[0];
	root->ma64.pivot[0] = 0;
	v = mt_validate(&mt);
	CHECK(v == MT_ERR_PIVOT || v == MT_ERR_GAP, "pivot corruption detected: %d", v);
	root->ma64.pivot[0] = save;
	mt.ma_nodes++;
	CHECK(mt_validate(&mt) == MT_ERR_COUNT, "count");
	mt.ma_nodes--;
	CHECK(mt_validate(&mt) == 0, "valid again");
	mt_dump(&mt, devnull_print);
	mtree_destroy(&mt);
	for (i = 0; i < 20; i++)
		mtree_store_range(&mt, 0x1000 * (i + 1), 0x1000 * (i + 1) + 0x7ff, E(i + 1));
	mt_dump(&mt, dump_print);
	mtree_destroy(&mt);
	CHECK(live_nodes == 0, "leak");
	end("mt_validate catches corruption; mt_dump");
}

/* The mm's pattern: find a free area top-down, map it, munmap pieces. */
static void test_mmap_pattern(void)
{
	DEFINE_MTREE(mt);
	MA_STATE(mas, &mt, 0, 0);
	const unsigned long lo = 0x10000, hi = 0x7ffffffff000UL;
	unsigned long i, prev = hi;
	int rc;

	begin();
	for (i = 0; i < 5000; i++) {
		unsigned long len = PAGE * (1 + (i % 7));

		rc = mas_empty_area_rev(&mas, lo, hi - 1, len);
		CHECK(rc == 0 && mas.last == prev - 1, "unmapped area %lu: %d %lx", i, rc,
		      mas.last);
		if (rc)
			break;
		prev = mas.index;
		rc = mas_store_gfp(&mas, E(i + 1));
		CHECK(rc == 0, "map");
	}
	CHECK(mt_validate(&mt) == 0, "valid");
	/* find_vma: first vma ending above addr */
	for (i = 0; i < 2000; i++) {
		unsigned long addr = lo + rnd_below(hi - lo), idx = addr;
		void *e = mt_find(&mt, &idx, MAX_KEY);

		mas_set(&mas, addr);
		CHECK(mas_find(&mas, MAX_KEY) == e, "find_vma");
		if (e)
			CHECK(mas.last >= addr, "vma above");
	}
	/* munmap a range crossing several vmas, then unmap everything */
	rc = mtree_store_range(&mt, prev + 3 * PAGE, prev + 300 * PAGE, NULL);
	CHECK(rc == 0 && mt_validate(&mt) == 0, "munmap span");
	rc = mtree_store_range(&mt, lo, hi, NULL);
	CHECK(rc == 0 && mtree_empty(&mt) && live_nodes == 0, "munmap all");
	end("mmap-like top-down allocation, find_vma, munmap");
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	static const struct rcfg cfgs[] = {
	    {64, 6000, 8, 150, 30},
	    {400, 8000, 8, 150, 30},
	    {20000, 12000, 1000, 4, 20},
	    {1000000, 12000, 20000, 2, 15},
	};
	unsigned long long seeds[16];
	int nseeds = 0, i;
	clock_t t0 = clock();

	printf("TAP version 13\n");
	for (i = 1; i < argc && nseeds < 16; i++)
		seeds[nseeds++] = strtoull(argv[i], NULL, 0);
	if (!nseeds) {
		static const unsigned long long def[] = {1,	   2,  3,	0x5eed,
							 20240601, 77, 1234567, 99};

		for (i = 0; i < 8; i++)
			seeds[nseeds++] = def[i];
	}

	test_empty();
	test_basic();
	test_extremes();
	test_prealloc();
	test_enomem();
	test_validate_and_dump();
	test_mmap_pattern();
	test_many();
	for (i = 0; i < nseeds; i++)
		random_test(seeds[i], &cfgs[i % 4]);

	printf("1..%d\n", tests_run);
	printf("# run time %.2fs\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
	printf("# %d passed, %d failed\n", tests_run - tests_failed, tests_failed);
	return tests_failed ? 1 : 0;
}
