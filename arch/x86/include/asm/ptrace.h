/* SPDX-License-Identifier: MIT */
#ifndef _ASM_X86_PTRACE_H
#define _ASM_X86_PTRACE_H

#include <linux/types.h>

/*
 * The register frame every entry path saves (arch/x86/entry/entry_64.S),
 * in Linux's order.  The CPU pushes ss..rip (and an error code for some
 * exceptions, which lands in orig_ax); the entry code pushes the rest.
 * For a syscall, orig_ax holds the syscall number.
 */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx;
	unsigned long r11, r10, r9, r8, ax, cx, dx, si, di;
	unsigned long orig_ax;
	unsigned long ip, cs, flags, sp, ss;
};

#define __KERNEL_CS 0x08
#define __KERNEL_DS 0x10
#define __USER32_CS 0x18 /* unused, keeps the sysret layout */
#define __USER_DS 0x23
#define __USER_CS 0x2b
#define GDT_ENTRY_TSS 6

static inline bool user_mode(const struct pt_regs *regs)
{
	return (regs->cs & 3) == 3;
}

#endif
