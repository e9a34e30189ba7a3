// SPDX-License-Identifier: MIT
/* TEMPORARY: kernel-mode faults only, until the user fault path lands. */
#include <linux/kernel.h>
#include <asm/signal.h>
#include <asm/traps.h>

void exc_page_fault(struct pt_regs *regs, unsigned long error_code)
{
	if (fixup_exception(regs))
		return;
	die("page fault", regs, X86_TRAP_PF);
}
