/*
 * faultdemo.c - page faults, one at a time.
 * help: zero page, first write, file pages, mprotect and SIGSEGV (start here)
 *
 * Memory you get from mmap() is only a promise: the kernel records a VMA
 * (a range with permissions) and maps nothing.  The first access to each
 * page traps into the kernel (a page fault), and the fault handler decides
 * what to map.  This demo touches pages one at a time and shows, after each
 * step, which handler ran (from /proc/faultline/faults) and what the
 * process's resident set size became (from /proc/self/status):
 *
 *   read a fresh anonymous page   -> do_anonymous_page(zero page): the shared
 *                                    zero page, read-only; RSS unchanged
 *   write that page               -> do_wp_page(copy): a private copy of it
 *   write a fresh page            -> do_anonymous_page(new page)
 *   write it again                -> no fault at all
 *   read a file page (MAP_PRIVATE)-> do_read_fault: the page-cache page
 *   write a fresh file page       -> do_cow_fault: a private copy
 *   write a read-only page        -> SIGSEGV (in a child, so we survive)
 *   touch an unmapped page        -> SIGSEGV
 *
 * Run `trace on` in the shell first to see the kernel's own line for each
 * fault.  The counters are system-wide, but nothing else runs meanwhile.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fl.h"

#define PG 4096UL
#define NPAGES 4

static struct fl_faults before;

/* Start measuring: remember the fault counters. */
static void begin(void)
{
	fl_faults_read(&before);
}

/* Stop measuring: which handlers ran since begin(), and our RSS now. */
static void end(void)
{
	struct fl_faults after;

	fl_faults_read(&after);
	printf("  page faults in this step:\n");
	fl_faults_diff(&before, &after, "    ");
	fl_show_rss("faultdemo", 0);
}

/* Fork a child that does one bad access, and say how it ended. */
static void crash_in_child(volatile char *addr, int write, const char *why)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return;
	}
	if (pid == 0) {
		printf("  [child %d] %s %p ...\n", (int)getpid(), write ? "writing to" : "reading from",
		       (void *)addr);
		fflush(stdout);
		if (write)
			*addr = 1;
		else
			(void)*addr;
		printf("  [child] still alive?! (%s)\n", why);
		exit(0);
	}
	int status = fl_wait_report(pid, "the child");
	if (WIFSIGNALED(status) && WTERMSIG(status) == 11)
		printf("  As expected: %s.\n", why);
}

int main(void)
{
	fl_init();
	fl_banner("faultdemo", "page faults, one at a time");

	/* ---- anonymous memory ---- */
	fl_step("mmap %d pages of anonymous memory", NPAGES);
	begin();
	volatile char *p = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	unsigned long lo = (unsigned long)p, hi = lo + NPAGES * PG;
	printf("  mmap returned %p: pages at %#lx, %#lx, %#lx, %#lx\n", (void *)p, lo, lo + PG, lo + 2 * PG,
	       lo + 3 * PG);
	printf("  /proc/self/maps (our new VMA is marked):\n");
	fl_show_maps(lo, hi);
	printf("  The kernel only added a VMA: no page is mapped, so RSS did not grow.\n");
	end();

	fl_step("read page 0 (%#lx)", lo);
	begin();
	char c = p[0];
	printf("  p[0] = %d\n", c);
	printf("  The read faulted; do_anonymous_page mapped the shared zero page, read-only.\n"
	       "  It belongs to nobody, so RSS does not count it.\n");
	end();

	fl_step("write page 0 (%#lx)", lo);
	begin();
	p[0] = 'A';
	printf("  p[0] = '%c'\n", p[0]);
	printf("  The zero page is read-only, so the write faulted again: do_wp_page gave us\n"
	       "  a private copy (copy-on-write of the zero page).  RSS grew by 4 kB.\n");
	end();

	fl_step("write page 1 (%#lx), never touched before", lo + PG);
	begin();
	p[PG] = 'B';
	printf("  A first write: do_anonymous_page allocated a zeroed page right away.\n");
	end();

	fl_step("write page 1 again");
	begin();
	for (int i = 0; i < 100; i++)
		p[PG + i] = 'b';
	printf("  100 more writes to page 1: its PTE is present and writable, so the CPU\n"
	       "  does them without the kernel.\n");
	end();

	/* ---- file-backed memory ---- */
	/* Our own program file: /bin/faultdemo, or /init when run as PID 1 by tools/run-elf. */
	const char *file = "/bin/faultdemo";
	int fd = open(file, O_RDONLY);
	if (fd < 0) {
		file = "/init";
		fd = open(file, O_RDONLY);
	}
	fl_step("map our own program file, %s, privately", file);
	volatile char *f = MAP_FAILED;
	if (fd >= 0) {
		f = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		close(fd); /* the mapping keeps the file */
	}
	if (f == MAP_FAILED) {
		printf("  (cannot map %s: skipping the file steps)\n", file);
	} else {
		unsigned long flo = (unsigned long)f;
		printf("  mmap returned %p; its VMA:\n", (void *)f);
		fl_show_maps_range(flo, flo + 2 * PG);

		begin();
		printf("  reading the file's first bytes at %p: \"%c%c%c\"\n", (void *)f, f[1], f[2], f[3]);
		printf("  do_read_fault mapped the page-cache page itself (read-only): RssFile grew.\n");
		end();

		fl_step("write the file mapping's second page (%#lx), never read", flo + PG);
		begin();
		f[PG] = 'X';
		printf("  MAP_PRIVATE: our writes must not reach the file, so do_cow_fault copied\n"
		       "  the file page into a new anonymous page: RssAnon grew, RssFile did not.\n");
		end();

		fl_step("write the first page of the file mapping, which we only read so far");
		begin();
		f[0] = 'Y';
		printf("  Its PTE points at the page-cache page, read-only: do_wp_page copied it.\n"
		       "  One file page fewer, one anonymous page more.\n");
		end();

		munmap((void *)f, 2 * PG);
		printf("  (munmap of the file mapping: its two private copies are freed)\n");
		fl_show_rss("faultdemo", 0);
	}

	/* ---- permissions ---- */
	fl_step("mprotect page 0 read-only");
	begin();
	if (mprotect((void *)p, PG, PROT_READ))
		perror("mprotect");
	printf("  The VMA had to split in two: one read-only page, three read-write pages.\n");
	fl_show_maps_range(lo, hi);
	printf("  Reading still works: p[0] = '%c' (no fault: the PTE is there, now read-only).\n", p[0]);
	end();

	fl_step("write the read-only page, in a child process");
	printf("  A write to a page the VMA does not allow is a bad access: the kernel sends\n"
	       "  SIGSEGV, and Faultline (no signal handlers) ends the process.  A child does\n"
	       "  it, so this demo survives to report.\n");
	crash_in_child(p, 1, "writing a read-only page is SIGSEGV (SEGV_ACCERR)");

	fl_step("munmap page 3 and read it, in a child process");
	if (munmap((void *)(p + 3 * PG), PG))
		perror("munmap");
	fl_show_maps_range(lo, hi);
	crash_in_child(p + 3 * PG, 0, "no VMA covers the address: SIGSEGV (SEGV_MAPERR)");

	fl_step("munmap everything");
	begin();
	munmap((void *)p, 3 * PG);
	printf("  The pages went back to the kernel's free lists: RSS is back down.\n");
	end();

	printf("\nfaultdemo: done.  Next: cowdemo (fork and copy-on-write), mapsdemo, stackdemo.\n");
	return 0;
}
