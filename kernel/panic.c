// SPDX-License-Identifier: MIT
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/reboot.h>
#include <asm/processor.h>
#include <asm/traps.h>

int oops_in_progress;

/*
 * Stop the machine.  Under QEMU this exits through isa-debug-exit with the
 * panic code, so a test runner can never mistake a panic for a pass.
 */
void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	unsigned long bp;

	local_irq_disable();
	console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk(KERN_EMERG "Kernel panic - not syncing: %s\n", buf);
	__asm__ __volatile__("mov %%rbp, %0" : "=r"(bp));
	if (!oops_in_progress) /* die() already printed the trace that matters */
		show_trace((unsigned long)__builtin_return_address(0), bp, bp);
	printk(KERN_EMERG "---[ end Kernel panic - not syncing: %s ]---\n", buf);
	machine_power_off_panic();
}
