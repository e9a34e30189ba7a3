// SPDX-License-Identifier: MIT
// SOURCES: mm/page_alloc.c tests/host/host_shim.c
/*
 * The buddy allocator on the host, under ASan/UBSan: mem_map and the
 * "physical memory" are a malloc'ed arena.  Random allocation and free
 * sequences are checked against a trivially correct model (which pfns
 * are taken), with the allocator's own consistency check after each step.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPAGES 4096 /* 16 MiB of pretend RAM */

extern unsigned long page_offset_base;
static int fail_next; /* fault injection for the test: fail the next N calls */

bool should_fail_alloc_page(gfp_t gfp, unsigned int order)
{
	(void)gfp, (void)order;
	if (fail_next > 0) {
		fail_next--;
		return true;
	}
	return false;
}

static int tests_run, tests_failed;
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		tests_run++;                                                                       \
		if (!(cond)) {                                                                     \
			tests_failed++;                                                            \
			printf("not ok %d - ", tests_run);                                         \
			printf(__VA_ARGS__);                                                       \
			printf(" (%s:%d)\n", __FILE__, __LINE__);                                  \
		}                                                                                  \
	} while (0)

static unsigned char owner[NPAGES]; /* model: 1 = allocated */

static void setup(void)
{
	void *arena = aligned_alloc(PAGE_SIZE, NPAGES * PAGE_SIZE);
	page_offset_base = (unsigned long)arena;
	mem_map = calloc(NPAGES, sizeof(struct page));
	max_pfn = NPAGES;
	for (int i = 0; i < NPAGES; i++) {
		mem_map[i].flags = 1UL << PG_reserved;
		atomic_set(&mem_map[i]._refcount, 1);
		atomic_set(&mem_map[i]._mapcount, -1);
	}
	/* pfns 0..15 stay reserved, like the low memory of a real machine */
	free_pages_range_core(16, NPAGES);
	memset(owner, 1, 16);
}

struct alloc {
	struct page *page;
	unsigned order;
};

int main(int argc, char **argv)
{
	unsigned seed = argc > 1 ? atoi(argv[1]) : 12345;
	setup();
	unsigned long total = nr_free_pages();
	CHECK(total == NPAGES - 16, "all pages but the reserved ones are free (%lu)", total);
	CHECK(buddy_check() == 0, "initial free lists consistent");

	static struct alloc live[20000];
	int nlive = 0;
	srand(seed);
	printf("# seed %u\n", seed);
	for (int step = 0; step < 200000; step++) {
		int r = rand() % 100;
		if (r < 55 && nlive < 20000) {
			unsigned order = rand() % 100 < 70 ? 0 : rand() % (MAX_ORDER + 1);
			if (rand() % 500 == 0)
				fail_next = 1;
			struct page *p = alloc_pages(rand() % 2 ? GFP_KERNEL : (GFP_KERNEL | __GFP_ZERO), order);
			if (!p)
				continue;
			unsigned long pfn = page_to_pfn(p);
			CHECK((pfn & ((1UL << order) - 1)) == 0, "order %u block aligned", order);
			for (unsigned long i = 0; i < (1UL << order); i++) {
				if (owner[pfn + i]) {
					CHECK(0, "pfn %lu handed out twice", pfn + i);
					return 1;
				}
				owner[pfn + i] = 1;
			}
			memset(page_address(p), 0xab, PAGE_SIZE << order); /* ASan: stays inside the arena */
			live[nlive++] = (struct alloc){ p, order };
		} else if (nlive) {
			int i = rand() % nlive;
			unsigned long pfn = page_to_pfn(live[i].page);
			for (unsigned long j = 0; j < (1UL << live[i].order); j++)
				owner[pfn + j] = 0;
			__free_pages(live[i].page, live[i].order);
			live[i] = live[--nlive];
		}
		if (step % 1000 == 0) {
			int c = buddy_check();
			CHECK(c == 0, "free lists consistent at step %d (%d)", step, c);
			unsigned long used = 0;
			for (int k = 16; k < NPAGES; k++)
				used += owner[k];
			CHECK(nr_free_pages() == total - used, "free counter matches the model at step %d", step);
		}
	}
	while (nlive) {
		nlive--;
		__free_pages(live[nlive].page, live[nlive].order);
	}
	CHECK(nr_free_pages() == total, "every page came back (%lu of %lu)", nr_free_pages(), total);
	CHECK(buddy_check() == 0, "final free lists consistent");
	/* Fully merged again: the 4080 free pages form maximal aligned blocks. */
	CHECK(buddy_nr_free(MAX_ORDER) == (NPAGES >> MAX_ORDER) - 1, "large blocks re-formed (%lu)",
	      buddy_nr_free(MAX_ORDER));

	/* Exhaust: everything can be allocated, then nothing more. */
	unsigned long got = 0;
	struct page *p;
	struct page *chain = NULL;
	while ((p = alloc_page(GFP_KERNEL))) {
		p->lru.next = (void *)chain;
		chain = p;
		got++;
	}
	CHECK(got == total, "exhaustion hands out every page (%lu)", got);
	while (chain) {
		struct page *n = (struct page *)chain->lru.next;
		__free_page(chain);
		chain = n;
	}
	CHECK(nr_free_pages() == total, "exhaustion round trip");

	printf("# %d passed, %d failed\n", tests_run - tests_failed, tests_failed);
	free(mem_map);
	free((void *)page_offset_base);
	return tests_failed != 0;
}
