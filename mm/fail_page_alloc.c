// SPDX-License-Identifier: MIT
/* Allocation fault injection (linux/fault-inject.h). */
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/errno.h>

struct fault_attr fail_page_alloc = { .name = "fail_page_alloc", .times = -1 };
struct fault_attr failslab = { .name = "failslab", .times = -1 };
static u64 fail_rng_state = 1;

/* xorshift64: cheap and reproducible from the seed. */
static u64 fail_rng(void)
{
	u64 x = fail_rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return fail_rng_state = x;
}

bool should_fail(struct fault_attr *attr)
{
	if (!attr->probability)
		return false;
	attr->calls++;
	if (attr->calls <= attr->after || attr->times == 0)
		return false;
	if (fail_rng() % 100 >= attr->probability)
		return false;
	if (attr->times > 0)
		attr->times--;
	attr->failures++;
	return true;
}

bool should_fail_alloc_page(gfp_t gfp, unsigned int order)
{
	if (gfp & __GFP_NOFAIL)
		return false;
	return should_fail(&fail_page_alloc);
}

/* "P[,AFTER[,TIMES]]" */
int fault_attr_parse(struct fault_attr *attr, const char *spec)
{
	const char *p = spec;

	attr->probability = simple_strtoul(p, &p, 10);
	attr->after = 0;
	attr->times = -1;
	if (*p == ',') {
		attr->after = simple_strtoul(p + 1, &p, 10);
		if (*p == ',') {
			bool neg = p[1] == '-';
			long t = simple_strtoul(p + 1 + neg, &p, 10);
			attr->times = neg ? -1 : t;
		}
	}
	if (attr->probability > 100)
		attr->probability = 100;
	attr->calls = attr->failures = 0;
	return 0;
}

void fault_inject_setup(void)
{
	char buf[64];

	if (cmdline_get("fail_page_alloc", buf, sizeof(buf)))
		fault_attr_parse(&fail_page_alloc, buf);
	if (cmdline_get("failslab", buf, sizeof(buf)))
		fault_attr_parse(&failslab, buf);
	fail_rng_state = cmdline_get_ulong("fail_seed", 1) ?: 1;
}

/*
 * Faultline's own syscall 0x666d: set fault injection at run time.
 *   which: 0 = page allocator, 1 = slab
 *   probability (percent, 0 = off), after (calls let through first),
 *   times (failures at most, -1 = unlimited)
 * Returns the number of failures injected so far by that attribute.
 */
long sys_fault_inject(int which, unsigned int probability, unsigned long after, long times)
{
	struct fault_attr *attr = which == 0 ? &fail_page_alloc : which == 1 ? &failslab : NULL;

	if (!attr || probability > 100)
		return -EINVAL;
	long injected = attr->failures;
	attr->probability = probability;
	attr->after = after;
	attr->times = times;
	attr->calls = 0;
	return injected;
}
