/* SPDX-License-Identifier: MIT */
/*
 * Fault injection for the page and slab allocators, after Linux's
 * fail_page_alloc and failslab.  Configured on the command line:
 *
 *   fail_page_alloc=P[,AFTER[,TIMES]]   fail P percent of page allocations,
 *   failslab=P[,AFTER[,TIMES]]          of slab allocations, starting after
 *                                       AFTER successful calls, at most TIMES
 *                                       times (-1 or absent: no limit)
 *   fail_seed=N                         the pseudo-random sequence (default 1)
 *
 * and at run time with Faultline's syscall 0x666d (sys_fault_inject:
 * which, probability, after, times).  Allocations made with __GFP_NOFAIL
 * (boot only) are never failed.
 */
#ifndef _LINUX_FAULT_INJECT_H
#define _LINUX_FAULT_INJECT_H

#include <linux/types.h>

struct fault_attr {
	const char *name;
	unsigned int probability; /* percent, 0 = off */
	unsigned long after;      /* calls to let through first */
	long times;               /* failures left; -1 = unlimited */
	unsigned long calls, failures;
};

extern struct fault_attr fail_page_alloc, failslab;

bool should_fail(struct fault_attr *attr);
void fault_inject_setup(void);
int fault_attr_parse(struct fault_attr *attr, const char *spec);

#endif
