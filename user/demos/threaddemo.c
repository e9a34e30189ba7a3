/*
 * threaddemo.c - threads share one address space.
 * help: pthreads: one mm and one page table shared by every thread
 *
 * A thread is a task made by clone(CLONE_VM | CLONE_THREAD | ...): it gets
 * its own registers and stack but shares its creator's mm_struct, so the
 * same VMAs and the same page tables.  Consequences shown here:
 *
 *   - the new thread's stack is just an mmap() made by musl's
 *     pthread_create (with a PROT_NONE guard page below it): it appears in
 *     /proc/self/maps like any other mapping;
 *   - a global variable written by one thread is read by the other;
 *   - memory mmap()ed by one thread is usable by the other at once, and a
 *     page the first thread faulted in costs the second no fault at all:
 *     the PTE is in the page table they share.
 *
 * The two threads take turns through a mutex and a condition variable
 * (futexes underneath), so the output is in a fixed order.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fl.h"

#define PG 4096UL
#define NPAGES 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int turn; /* whose turn it is: odd = the worker thread, even = main */

static int counter;               /* an ordinary global, in the .bss of the program */
static char *volatile shared_map; /* an mmap made by the worker */
static unsigned long worker_stack_var;

static void wait_turn(int n)
{
	pthread_mutex_lock(&lock);
	while (turn != n)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
}

static void give_turn(int n)
{
	fflush(stdout);
	pthread_mutex_lock(&lock);
	turn = n;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

static int tid(void)
{
	return (int)syscall(SYS_gettid);
}

static void *worker(void *arg)
{
	int local = 0;

	(void)arg;
	worker_stack_var = (unsigned long)&local;
	printf("  [worker] pid %d, tid %d: same process, another task.  A local variable\n"
	       "           of mine lives at %p, on the stack pthread_create mapped.\n",
	       (int)getpid(), tid(), (void *)&local);
	give_turn(2);

	wait_turn(3);
	for (int i = 0; i < 1000; i++)
		counter++;
	printf("  [worker] counter incremented 1000 times: counter = %d\n", counter);
	give_turn(4);

	wait_turn(5);
	struct fl_faults before, after;
	fl_faults_read(&before);
	char *m = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (unsigned long i = 0; i < NPAGES; i++)
		snprintf(m + i * PG, PG, "hello from the worker, page %lu", i);
	fl_faults_read(&after);
	printf("  [worker] mmap()ed %d pages at %p and wrote a message in each.\n"
	       "  [worker] page faults while I did that:\n",
	       NPAGES, (void *)m);
	fl_faults_diff(&before, &after, "             ");
	shared_map = m;
	give_turn(6);

	wait_turn(7);
	printf("  [worker] main wrote back: \"%s\"\n", m + PG);
	printf("  [worker] exiting\n");
	fflush(stdout);
	return (void *)42;
}

static void show_threads(void)
{
	printf("  /proc/self/status says Threads: %ld\n", fl_status_kb(0, "Threads"));
}

int main(void)
{
	fl_init();
	fl_banner("threaddemo", "threads share one address space");

	fl_step("one thread");
	printf("  [main]   pid %d, tid %d (the first thread's tid is the pid)\n", (int)getpid(), tid());
	show_threads();
	int vmas_before = fl_count_vmas();
	fl_show_maps(0, 0);

	fl_step("pthread_create");
	pthread_t th;
	turn = 1;
	fflush(stdout);
	int err = pthread_create(&th, NULL, worker, NULL);
	if (err) {
		printf("pthread_create: %s\n", strerror(err));
		return 1;
	}
	wait_turn(2);
	show_threads();
	printf("  /proc/self/maps now (%d VMAs, were %d); the worker's stack is marked.\n"
	       "  The ---p mapping below it is musl's guard: running off the end of the\n"
	       "  stack faults there instead of scribbling over another mapping.\n",
	       fl_count_vmas(), vmas_before);
	fl_show_maps(worker_stack_var & ~(PG - 1), (worker_stack_var & ~(PG - 1)) + PG);

	fl_step("a global variable");
	printf("  [main]   counter = %d; over to the worker\n", counter);
	give_turn(3);
	wait_turn(4);
	printf("  [main]   counter = %d: the same variable, the same page\n", counter);

	fl_step("an mmap made by the worker");
	give_turn(5);
	wait_turn(6);
	char *m = shared_map;
	unsigned long lo = (unsigned long)m;
	printf("  [main]   the worker's mapping is in my /proc/self/maps too:\n");
	fl_show_maps_range(lo, lo + NPAGES * PG);
	struct fl_faults before, after;
	fl_faults_read(&before);
	char copy[NPAGES][64];
	for (unsigned long i = 0; i < NPAGES; i++)
		snprintf(copy[i], sizeof(copy[i]), "%s", m + i * PG);
	fl_faults_read(&after);
	for (unsigned long i = 0; i < NPAGES; i++)
		printf("  [main]   page %lu says \"%s\"\n", i, copy[i]);
	printf("  [main]   page faults while I read all %d pages:\n", NPAGES);
	fl_faults_diff(&before, &after, "             ");
	printf("  None: the worker's faults already filled the page table we share.\n");
	snprintf(m + PG, PG, "hello from main, tid %d", tid());
	give_turn(7);

	fl_step("pthread_join");
	void *ret;
	pthread_join(th, &ret);
	printf("  [main]   the worker returned %ld\n", (long)ret);
	long threads = fl_status_kb(0, "Threads");
	printf("  /proc/self/status says Threads: %ld\n", threads);
	if (threads > 1) {
		/* Faultline drops a dead thread from the count only when its reaper runs. */
		sched_yield();
		printf("  (the exited worker was still counted; after a sched_yield: Threads: %ld)\n",
		       fl_status_kb(0, "Threads"));
	}
	munmap(m, NPAGES * PG);
	printf("  After the join musl unmapped the worker's stack (and we unmapped the\n"
	       "  worker's pages): %d VMAs, as at the start.\n",
	       fl_count_vmas());

	printf("\nthreaddemo: done.\n");
	return 0;
}
