// SPDX-License-Identifier: MIT
/* TEMPORARY until user mode exists. */
#include <linux/kernel.h>
#include <asm/signal.h>
#include <asm/traps.h>

void force_sig_trap(struct pt_regs *regs, int vector)
{
	die(trap_name(vector), regs, vector);
}

void exit_to_user_mode(struct pt_regs *regs)
{
}

void rest_init(void)
{
	pr_info("no init process yet: halting\n");
	for (;;)
		__asm__ __volatile__("cli; hlt");
}
