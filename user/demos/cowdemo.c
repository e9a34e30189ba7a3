/*
 * cowdemo.c - fork and copy-on-write.
 * help: fork shares pages; the first write to each copies it (or reuses it)
 *
 * fork() does not copy a process's memory.  It copies the page tables,
 * marks every private page read-only in both processes, and counts the
 * extra reference.  The first write to a page then faults, and do_wp_page
 * decides:
 *
 *   page still shared by both processes -> copy it (do_wp_page(copy))
 *   the other process already copied it
 *   (or exited), we hold the last ref   -> reuse it in place (do_wp_page(reuse))
 *
 * The parent fills 16 pages, forks, and then the two take turns (through a
 * MAP_SHARED page holding a turn number) writing some of the pages.  After
 * every step the parent prints, as read from /proc/PID/status, the VmRSS and
 * RssAnon of both processes, the system's MemFree (/proc/meminfo) and the
 * faults taken (/proc/faultline/faults).
 *
 * Watch for: RSS counts every page a process has mapped, shared or not, so
 * the child's RSS includes the 64 kB it shares and copying does not change
 * it.  The copies show up in MemFree (4 kB each) and in the fault counters.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fl.h"

#define PG 4096UL
#define NPAGES 16

static volatile int *turn;      /* a MAP_SHARED page: both processes see the same int */
static volatile char *data;     /* NPAGES private pages */
static pid_t child;
static long memfree_last;
static struct fl_faults faults_last;

static void wait_turn(int n)
{
	while (*turn != n)
		sched_yield();
}

static void give_turn(int n)
{
	fflush(stdout);
	*turn = n;
}

/* The parent's report after each step: both processes, MemFree, faults. */
static void report(void)
{
	struct fl_faults now;

	fl_faults_read(&now);
	printf("  page faults in this step (both processes):\n");
	fl_faults_diff(&faults_last, &now, "    ");
	faults_last = now;
	fl_show_rss("parent", 0);
	if (child > 0)
		fl_show_rss("child ", child);
	long memfree = fl_meminfo_kb("MemFree");
	printf("  MemFree %ld kB (%+ld kB since the last step)\n", memfree, memfree - memfree_last);
	memfree_last = memfree;
	fflush(stdout);
}

static void child_main(void)
{
	give_turn(1); /* "I am running" */

	wait_turn(2);
	printf("  [child %d] page 0 says '%c' (the parent's data, through shared pages)\n", (int)getpid(),
	       data[0]);
	printf("  [child] writing pages 0, 1, 2 and 3 ...\n");
	for (int i = 0; i < 4; i++)
		data[i * PG] = 'c';
	give_turn(3);

	wait_turn(4);
	printf("  [child] I see page 0 = '%c', page 8 = '%c', page 9 = '%c'.  Exiting.\n", data[0], data[8 * PG],
	       data[9 * PG]);
	fflush(stdout);
	_exit(0);
}

int main(void)
{
	fl_init();
	fl_banner("cowdemo", "fork and copy-on-write");

	fl_step("the parent maps %d pages and writes every one", NPAGES);
	turn = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	data = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (turn == MAP_FAILED || data == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	*turn = 0;
	fl_faults_read(&faults_last);
	memfree_last = fl_meminfo_kb("MemFree");
	for (int i = 0; i < NPAGES; i++)
		data[i * PG] = 'A' + i;
	printf("  data: %d pages at %p; page i holds the letter 'A'+i\n", NPAGES, (void *)data);
	report();

	fl_step("fork");
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0)
		child_main();
	wait_turn(1);
	printf("  The child (pid %d) is running.  Its RSS already counts all %d data pages:\n"
	       "  they are mapped in both processes, read-only, and nothing was copied.\n"
	       "  MemFree fell only by the child's page tables and kernel bookkeeping.\n"
	       "  The few faults here are both processes writing their stacks and libc's\n"
	       "  data for the first time since fork: whoever wrote such a page first got\n"
	       "  a copy, and the other then reused the original.\n",
	       (int)child, NPAGES);
	report();

	fl_step("the child writes pages 0-3");
	give_turn(2);
	wait_turn(3);
	printf("  4 writes, 4 faults: each page was shared, so do_wp_page copied it for the\n"
	       "  child.  RSS does not change (a shared page became a private one); MemFree\n"
	       "  drops by about 16 kB.\n");
	report();

	fl_step("the parent writes page 0, which the child has copied");
	data[0] = 'P';
	printf("  The parent's page 0 has one user left (the child has its own copy), so\n"
	       "  do_wp_page just made the PTE writable again: a reuse, no copy, no memory.\n");
	report();

	fl_step("the parent writes page 8, still shared");
	data[8 * PG] = 'P';
	printf("  Page 8 is still mapped by both: the parent, writing first, gets the copy.\n");
	report();

	fl_step("the child prints what it sees, and exits");
	give_turn(4);
	fl_wait_report(child, "the child");
	child = 0;
	printf("  [parent] I see page 0 = '%c', page 8 = '%c', page 9 = '%c'.\n", data[0], data[8 * PG],
	       data[9 * PG]);
	printf("  Each process saw its own writes only.  The child's exit freed its copies\n"
	       "  and dropped its references to the pages still shared.\n");
	report();

	fl_step("the parent writes page 9, shared until the child exited");
	data[9 * PG] = 'P';
	printf("  The child is gone, so the parent holds the last reference: reuse.\n");
	report();

	munmap((void *)data, NPAGES * PG);
	munmap((void *)turn, PG);
	printf("\ncowdemo: done.\n");
	return 0;
}
