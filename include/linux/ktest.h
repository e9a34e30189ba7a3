/* SPDX-License-Identifier: MIT */
/*
 * In-kernel tests in the manner of Linux's KUnit, printing KTAP.
 *
 *   static void test_something(struct ktest *t)
 *   {
 *           KTEST_EXPECT_EQ(t, 1 + 1, 2);
 *   }
 *   static struct ktest_case buddy_cases[] = {
 *           KTEST_CASE(test_something),
 *           {}
 *   };
 *   KTEST_SUITE(buddy, buddy_cases);
 *
 * Suites live in the .ktest_suites section; "ktest=all" or
 * "ktest=buddy,slab" on the kernel command line runs them at boot
 * (kernel/ktest.c), then powers the machine off.
 */
#ifndef _LINUX_KTEST_H
#define _LINUX_KTEST_H

#include <linux/kernel.h>

struct ktest {
	const char *name;
	int failures;
	bool skipped;
	const char *skip_reason;
};

struct ktest_case {
	void (*run)(struct ktest *t);
	const char *name;
};

struct ktest_suite {
	const char *name;
	struct ktest_case *cases;
	/* Optional: run before and after every case. */
	int (*init)(struct ktest *t);
	void (*exit)(struct ktest *t);
};

#define KTEST_CASE(fn) { .run = fn, .name = #fn }

#define KTEST_SUITE(sname, scases)                                                                 \
	static const struct ktest_suite __ktest_suite_##sname = { .name = #sname,                  \
								  .cases = scases };               \
	static const struct ktest_suite *__ktest_ptr_##sname __used                                \
		__section(".ktest_suites") = &__ktest_suite_##sname

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
	__printf(4, 5);
void ktest_skip(struct ktest *t, const char *reason);
/* Run the suites named by "ktest=" and power off; returns if the switch is absent. */
void ktest_run_from_cmdline(void);

#define KTEST_EXPECT_TRUE(t, cond)                                                                 \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ktest_fail(t, __FILE__, __LINE__, "expected %s", #cond);                   \
	} while (0)
#define KTEST_EXPECT_FALSE(t, cond) KTEST_EXPECT_TRUE(t, !(cond))
#define KTEST_EXPECT_EQ(t, a, b)                                                                   \
	do {                                                                                       \
		long long __a = (long long)(a), __b = (long long)(b);                              \
		if (__a != __b)                                                                    \
			ktest_fail(t, __FILE__, __LINE__, "expected %s == %s, got %lld (%#llx) vs %lld (%#llx)", \
				   #a, #b, __a, (unsigned long long)__a, __b, (unsigned long long)__b); \
	} while (0)
#define KTEST_EXPECT_NE(t, a, b)                                                                   \
	do {                                                                                       \
		long long __a = (long long)(a), __b = (long long)(b);                              \
		if (__a == __b)                                                                    \
			ktest_fail(t, __FILE__, __LINE__, "expected %s != %s, both %lld", #a, #b,  \
				   __a);                                                           \
	} while (0)
#define KTEST_ASSERT_TRUE(t, cond)                                                                 \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			ktest_fail(t, __FILE__, __LINE__, "assertion %s failed", #cond);           \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#endif
