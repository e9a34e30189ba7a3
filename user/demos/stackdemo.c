/*
 * stackdemo.c - the stack grows on demand, up to RLIMIT_STACK.
 * help: recursion grows the [stack] VMA; a child recurses until the 8 MiB limit
 *
 * The main thread's stack is a VMA marked VM_GROWSDOWN.  It starts small
 * (exec maps what argv, envp and the first frames need); when the program
 * touches memory just below it, the fault handler finds no VMA there, sees
 * the stack VMA above the address, and extends the stack down to cover it
 * (expand_stack), as long as the stack stays within RLIMIT_STACK and keeps
 * a guard gap from the mapping below.  VmStk in /proc/self/status is the
 * stack VMA's size.
 *
 * Each recursion level here uses a 4 KiB frame, so every level needs
 * about one more page of stack.  The stack never shrinks: after the
 * recursion returns, the VMA and its pages stay.
 *
 * In a child, the recursion has no end: past RLIMIT_STACK the stack may not
 * grow, the fault cannot be resolved, and the child dies of SIGSEGV.  (On
 * Linux a program could catch that with a handler on an alternate signal
 * stack; Faultline runs no handlers.)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fl.h"

#define PG 4096UL
#define FRAME 4000

static unsigned long stack_top;  /* an address in main's frame */
static unsigned long limit;      /* RLIMIT_STACK */
static int report_every;         /* print a line every N levels */
static int tracing_was_on;       /* the child pauses fault tracing for the bulk of its faults */
static int tracing_paused;
volatile unsigned long sink;     /* where the recursion's result goes, so it cannot be dropped */

static void report(int depth, unsigned long here)
{
	printf("  depth %5d: %5lu kB of stack below main's frame, VmStk %6ld kB\n", depth,
	       (stack_top - here) / 1024, fl_status_kb(0, "VmStk"));
}

/* One level: a 4000-byte frame, filled so that its pages are really used. */
__attribute__((noinline)) static unsigned long grow(int depth, int max)
{
	volatile unsigned char frame[FRAME];
	unsigned long here = (unsigned long)frame;

	memset((char *)frame, depth & 0xff, sizeof(frame));
	if (depth % report_every == 0)
		report(depth, here);
	if (tracing_paused && stack_top - here > limit - 128 * 1024) {
		fl_trace(1);
		tracing_paused = 0;
		printf("  (fault tracing back on: 128 kB before the limit)\n");
	}
	unsigned long sum = 0;
	if (max < 0 || depth < max)
		sum = grow(depth + 1, max);
	else
		fl_show_maps_range(here, here + 1); /* the deepest point: the [stack] VMA now */
	return sum + frame[depth % FRAME]; /* use the frame after the call: no tail call */
}

int main(void)
{
	char here;

	fl_init();
	fl_banner("stackdemo", "the stack grows on demand, up to RLIMIT_STACK");
	stack_top = (unsigned long)&here;
	struct rlimit rl;
	limit = 8UL << 20;
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		limit = rl.rlim_cur;

	fl_step("the stack at start");
	printf("  RLIMIT_STACK = %lu kB (getrlimit)\n", limit / 1024);
	printf("  The [stack] VMA, holding main's frame at %p:\n", (void *)&here);
	fl_show_maps_range(stack_top, stack_top + 1);
	printf("  VmStk %ld kB\n", fl_status_kb(0, "VmStk"));

	fl_step("recurse 256 levels of 4 kB (1 MiB of stack)");
	printf("  With `trace on`, each new page is a fault just below the [stack] VMA: the\n"
	       "  kernel moves the VMA's start down over it, then do_anonymous_page maps it.\n");
	report_every = 64;
	sink = grow(1, 256);

	fl_step("back in main");
	printf("  The recursion returned, but the stack did not shrink:\n");
	fl_show_maps_range(stack_top, stack_top + 1);
	printf("  VmStk %ld kB.  The pages stay allocated until the process exits.\n",
	       fl_status_kb(0, "VmStk"));

	fl_step("a child recurses without end");
	printf("  Every 256 levels (1 MiB) it reports.  At %lu kB the stack may not grow:\n"
	       "  the fault is a bad access, and the child is killed by SIGSEGV.\n",
	       limit / 1024);
	tracing_was_on = fl_trace_enabled() > 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		if (tracing_was_on) {
			printf("  (fault tracing paused: ~2000 lines otherwise)\n");
			fl_trace(0);
			tracing_paused = 1;
		}
		report_every = 256;
		sink = grow(1, -1);
		printf("  [child] unreachable\n");
		return 0;
	}
	int status = fl_wait_report(pid, "the child");
	if (tracing_was_on)
		fl_trace(1); /* in case it died before turning it back on */
	if (WIFSIGNALED(status) && WTERMSIG(status) == 11)
		printf("  As expected: the stack hit RLIMIT_STACK and the child got SIGSEGV.\n");

	printf("\nstackdemo: done.\n");
	return 0;
}
