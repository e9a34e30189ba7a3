// SPDX-License-Identifier: MIT
/*
 * The in-kernel test runner.  Output is KTAP version 1, as Linux's KUnit
 * prints it: a plan, one "ok"/"not ok" line per case inside an indented
 * subtest per suite, and one line per suite.  tools/ktest-runner.py parses
 * it on the host.  Each case must also leave the free-page count where it
 * found it: a leaked page fails the case.
 */
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/ktest.h>
#include <linux/reboot.h>
#include <linux/string.h>

extern const struct ktest_suite *const __start_ktest_suites[], *const __stop_ktest_suites[];

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk(KERN_CRIT "        # %s: %s:%d: %s\n", t->name, file, line, msg);
	t->failures++;
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->skipped = true;
	t->skip_reason = reason;
}

/* Is name in the comma-separated list (or is the list "all")? */
static bool selected(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(list, "all"))
		return true;
	for (const char *p = list; *p;) {
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == 0))
			return true;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return false;
}

static bool run_suite(const struct ktest_suite *s, int index)
{
	int n = 0, failed = 0;

	while (s->cases[n].run)
		n++;
	printk(KERN_CRIT "    KTAP version 1\n    # Subtest: %s\n    1..%d\n", s->name, n);
	for (int i = 0; i < n; i++) {
		struct ktest t = { .name = s->cases[i].name };
		unsigned long free_before = nr_free_pages();

		if (s->init && s->init(&t)) {
			ktest_fail(&t, __FILE__, __LINE__, "suite init failed");
		} else {
			s->cases[i].run(&t);
			if (s->exit)
				s->exit(&t);
		}
		long leaked = (long)free_before - (long)nr_free_pages();
		if (!t.skipped && leaked != 0)
			ktest_fail(&t, __FILE__, __LINE__, "free pages changed by %ld during the test", -leaked);
		if (t.skipped)
			printk(KERN_CRIT "    ok %d %s # SKIP %s\n", i + 1, t.name, t.skip_reason);
		else
			printk(KERN_CRIT "    %sok %d %s\n", t.failures ? "not " : "", i + 1, t.name);
		if (t.failures)
			failed++;
	}
	printk(KERN_CRIT "%sok %d %s\n", failed ? "not " : "", index, s->name);
	return failed == 0;
}

void ktest_run_from_cmdline(void)
{
	char list[256];
	int total = 0, index = 0;

	if (!cmdline_get("ktest", list, sizeof(list)))
		return;
	for (const struct ktest_suite *const *s = __start_ktest_suites; s < __stop_ktest_suites; s++)
		total += selected(list, (*s)->name);
	printk(KERN_CRIT "KTAP version 1\n1..%d\n", total);
	for (const struct ktest_suite *const *s = __start_ktest_suites; s < __stop_ktest_suites; s++)
		if (selected(list, (*s)->name))
			run_suite(*s, ++index);
	machine_power_off_ktest();
}
