// SPDX-License-Identifier: MIT
/*
 * Page census and leak report: what every allocated page frame is, and
 * which ones were not given back.
 *
 * The leak checks (tests, the fuzzer) only see one number: the free-page
 * count when PID 1 exits minus the count just before /init started.  When
 * that number is not zero, the question is *what* leaked, and the machine
 * is about to power off.  So just before /init starts, leak_check_start()
 * takes a census:
 *
 *   - a bitmap with one bit per page frame: allocated or not;
 *   - how many allocated pages there are of each kind (below);
 *   - how many objects each slab cache holds.
 *
 * and when PID 1 exits with pages missing, leak_report() prints the
 * difference: pages per kind, objects per slab cache, the first page frames
 * that are allocated now and were not then (with their struct page), and
 * the tasks still alive, at KERN_CRIT so that "quiet" boots (every test)
 * show it too.  That is enough to tell "an mm_struct and its page
 * tables" from "a task's kernel stack" from "anonymous pages nobody maps".
 *
 * How a page frame is classified, walking mem_map in order:
 *   PG_reserved                         never the allocator's; skipped
 *   PG_buddy, private = order           a free block: skip 2^order frames
 *   refcount > 0                        the first page of an allocation:
 *                                       its flags say slab / pgtable / anon /
 *                                       zero / kmalloc-large / file / other
 *   refcount 0, not free                a later page of a multi-page
 *                                       allocation: same kind as the page
 *                                       that started it
 * "other" is everything the kernel allocates without marking it: kernel
 * stacks, PGDs, the kernel's own page tables, vmalloc'ed memory.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/page_census.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

static const char *const page_kind_name[NR_PAGE_KINDS] = {
	[PK_SLAB] = "slab",       [PK_PGTABLE] = "pgtable", [PK_ANON] = "anon",
	[PK_ZERO] = "zero",       [PK_LARGE] = "kmalloc-large",
	[PK_FILE] = "file",       [PK_OTHER] = "other",
};

static enum page_kind kind_of(const struct page *p)
{
	if (PageSlab(p))
		return PK_SLAB;
	if (PageFlag(p, PG_pgtable))
		return PK_PGTABLE;
	if (PageAnon(p))
		return PK_ANON;
	if (PageFlag(p, PG_zero))
		return PK_ZERO;
	if (PageHead(p))
		return PK_LARGE;
	if (p->mapping)
		return PK_FILE;
	return PK_OTHER;
}

/*
 * Walk every page frame; call fn(pfn, kind, arg) for each allocated one.
 * Runs with the allocator quiet (PID 1 starting or ending, nothing else
 * running that allocates), so it takes no lock.
 */
static void for_each_allocated_page(void (*fn)(unsigned long pfn, enum page_kind kind, void *arg),
				    void *arg)
{
	enum page_kind kind = PK_OTHER;

	for (unsigned long pfn = 0; pfn < max_pfn;) {
		struct page *p = pfn_to_page(pfn);

		if (PageReserved(p)) {
			pfn++;
			continue;
		}
		if (PageBuddy(p)) {
			pfn += 1UL << p->private;
			continue;
		}
		if (p->compound_head & 1)
			kind = kind_of((struct page *)(p->compound_head - 1));
		else if (page_ref_count(p) > 0)
			kind = kind_of(p);
		/* else: a later page of the allocation before; kind carries over */
		fn(pfn, kind, arg);
		pfn++;
	}
}

static void count_page(unsigned long pfn, enum page_kind kind, void *arg)
{
	struct page_census *c = arg;

	c->pages[kind]++;
	if (c->allocated)
		c->allocated[pfn / BITS_PER_LONG] |= 1UL << (pfn % BITS_PER_LONG);
}

void page_census_take(struct page_census *c)
{
	struct kmem_cache *s;

	memset(c->pages, 0, sizeof(c->pages));
	for_each_allocated_page(count_page, c);
	c->nr_caches = 0;
	list_for_each_entry(s, &slab_caches, list) {
		if (c->nr_caches == CENSUS_MAX_CACHES)
			break;
		c->cache[c->nr_caches].cache = s;
		c->cache[c->nr_caches].active = s->nr_objects_active;
		c->nr_caches++;
	}
}

static struct page_census baseline;

/* Just before /init starts: remember what is allocated. */
void leak_check_start(void)
{
	size_t words = BITS_TO_LONGS(max_pfn);

	/* Allocated first, so that the bitmap itself is part of the baseline. */
	baseline.allocated = kmalloc(words * sizeof(unsigned long), GFP_KERNEL | __GFP_ZERO);
	page_census_take(&baseline);
}

/* Forget the baseline (the census ktest takes its own). */
void leak_check_stop(void)
{
	kfree(baseline.allocated);
	memset(&baseline, 0, sizeof(baseline));
}

static unsigned long baseline_active(const struct kmem_cache *s)
{
	for (int i = 0; i < baseline.nr_caches; i++)
		if (baseline.cache[i].cache == s)
			return baseline.cache[i].active;
	return 0; /* created after the baseline */
}

struct new_pages {
	unsigned long shown, total;
};

#define LEAK_SHOW_PAGES 24

static void show_new_page(unsigned long pfn, enum page_kind kind, void *arg)
{
	struct new_pages *np = arg;
	struct page *p = pfn_to_page(pfn);

	if (baseline.allocated[pfn / BITS_PER_LONG] & (1UL << (pfn % BITS_PER_LONG)))
		return;
	np->total++;
	if (np->shown++ >= LEAK_SHOW_PAGES)
		return;
	printk(KERN_CRIT "leak:   pfn %#lx %-13s flags %#lx ref %d map %d %s%s\n", pfn,
	       page_kind_name[kind], p->flags, page_ref_count(p), page_mapcount(p),
	       kind == PK_SLAB && !(p->compound_head & 1) && p->slab_cache ? "cache " : "",
	       kind == PK_SLAB && !(p->compound_head & 1) && p->slab_cache ? p->slab_cache->name : "");
}

/* PID 1 is exiting and `missing` pages did not come back: say which. */
void leak_report(long missing)
{
	struct page_census now = { 0 };
	struct kmem_cache *s;
	struct task_struct *t;
	struct new_pages np = { 0 };

	printk(KERN_CRIT "leak: %ld pages are not back; what changed since /init started:\n", missing);
	page_census_take(&now);
	for (int k = 0; k < NR_PAGE_KINDS; k++)
		if (now.pages[k] != baseline.pages[k])
			printk(KERN_CRIT "leak:   %-13s %6lu pages, was %lu\n", page_kind_name[k], now.pages[k],
			       baseline.pages[k]);
	list_for_each_entry(s, &slab_caches, list) {
		long d = (long)s->nr_objects_active - (long)baseline_active(s);
		if (d)
			printk(KERN_CRIT "leak:   cache %-16s %5lu objects, was %lu\n", s->name,
			       s->nr_objects_active, s->nr_objects_active - d);
	}
	if (baseline.allocated) {
		printk(KERN_CRIT "leak: page frames allocated now and free then (first %d):\n", LEAK_SHOW_PAGES);
		for_each_allocated_page(show_new_page, &np);
		printk(KERN_CRIT "leak:   %lu such frames\n", np.total);
	}
	list_for_each_entry(t, &init_task.tasks, tasks) {
		struct mm_struct *mm = t->mm ? t->mm : t->active_mm;
		printk(KERN_CRIT "leak: task %d (%s) tgid %d state %#lx exit_state %#x flags %#x mm %p%s users %d count %d\n",
		       t->pid, t->comm, t->tgid, t->state, t->exit_state, t->flags, mm,
		       t->mm ? "" : " (active)", mm ? atomic_read(&mm->mm_users) : 0,
		       mm ? atomic_read(&mm->mm_count) : 0);
	}
}
