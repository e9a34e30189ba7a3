/*
 * mapsdemo.c - how mmap, mprotect, munmap and brk reshape the VMA list.
 * help: build a layout step by step: mmap, merge, mprotect split, munmap hole, brk
 *
 * A process's address space is a sorted set of VMAs (virtual memory
 * areas): ranges with one set of permissions and one backing (anonymous
 * memory or a file).  /proc/self/maps prints one line per VMA:
 *
 *   START-END         PERM OFFSET   DEV   INODE   NAME
 *   7ffff7ff0000-7ffff7ff8000 rw-p 00000000 00:00 0
 *
 * PERM is r/w/x plus p (private) or s (shared).  Each step below changes
 * the layout and prints the whole map again; lines overlapping the demo's
 * region are marked "<--".  The kernel keeps the list as small as it can:
 * neighbours with the same permissions and backing are merged into one
 * VMA, and a change to part of a VMA splits it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fl.h"

#define PG 4096UL

static int vmas;
static unsigned long lo, hi; /* the region to mark */

static void show(void)
{
	int now = fl_show_maps(lo, hi);
	printf("  -> %d VMAs (%+d)\n", now, now - vmas);
	vmas = now;
}

/* brk has no libc wrapper that works here: musl's brk()/sbrk() refuse to move the break. */
static unsigned long sys_brk(unsigned long addr)
{
	return (unsigned long)syscall(SYS_brk, addr);
}

int main(void)
{
	fl_init();
	fl_banner("mapsdemo", "how mmap, mprotect, munmap and brk reshape the VMA list");

	fl_step("the layout at start");
	printf("  The program file's segments (r--p headers, r-xp code, r--p constants,\n"
	       "  rw-p data), an anonymous rw-p VMA for .bss, and the [stack].\n");
	show();

	fl_step("mmap 8 pages, read-write");
	char *a = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	lo = (unsigned long)a;
	hi = lo + 8 * PG;
	printf("  a = mmap(8 pages) = %p: a new VMA, placed top-down below the last mapping.\n", (void *)a);
	show();

	fl_step("mmap 4 more pages, read-write");
	char *b = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if ((unsigned long)b < lo)
		lo = (unsigned long)b;
	else
		hi = (unsigned long)b + 4 * PG;
	printf("  b = mmap(4 pages) = %p\n", (void *)b);
	int before = vmas;
	show();
	if (vmas == before && (unsigned long)b + 4 * PG == (unsigned long)a)
		printf("  b ends where a starts, with the same permissions: the kernel merged them\n"
		       "  into one 12-page VMA instead of adding a line.\n");
	else
		printf("  b got a VMA of its own.\n");

	/* From here on: one 12-page region, r = its start. */
	char *r = (char *)lo;
	fl_step("mprotect pages 4-7 read-only");
	if (mprotect(r + 4 * PG, 4 * PG, PROT_READ))
		perror("mprotect");
	printf("  One VMA cannot have two permissions: it split into rw- | r-- | rw-.\n");
	show();

	fl_step("munmap pages 9-10");
	if (munmap(r + 9 * PG, 2 * PG))
		perror("munmap");
	printf("  A hole: the last rw- part split around it.  Touching the hole would be\n"
	       "  SIGSEGV: no VMA covers it.\n");
	show();

	fl_step("mprotect pages 4-7 read-write again");
	if (mprotect(r + 4 * PG, 4 * PG, PROT_READ | PROT_WRITE))
		perror("mprotect");
	printf("  Now pages 0-8 all match: the three VMAs merged back into one.\n");
	show();

	fl_step("grow the heap with brk");
	unsigned long start = sys_brk(0);
	unsigned long want = start + 16 * PG;
	unsigned long got = sys_brk(want);
	printf("  brk(0) = %#lx (the program break: the end of the heap, empty so far)\n", start);
	printf("  brk(%#lx) = %#lx: the heap grew by %lu kB\n", want, got, (got - start) / 1024);
	memset((void *)start, 'h', got - start);
	printf("  (and we wrote to all of it, so it is backed by real pages now)\n");
	unsigned long save_lo = lo, save_hi = hi;
	lo = start;
	hi = got;
	show();
	printf("  The heap is anonymous memory right after the program's .bss; the kernel\n"
	       "  names the VMA covering the break [heap].\n");

	fl_step("shrink the heap back with brk");
	printf("  brk(%#lx) = %#lx\n", start, sys_brk(start));
	show();
	lo = save_lo;
	hi = save_hi;

	fl_step("munmap the whole region");
	if (munmap(r, 12 * PG))
		perror("munmap");
	printf("  munmap may cover holes and several VMAs at once.\n");
	show();

	printf("\nmapsdemo: done.\n");
	return 0;
}
