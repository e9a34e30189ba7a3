/* SPDX-License-Identifier: MIT */
#ifndef _ASM_X86_SIGNAL_H
#define _ASM_X86_SIGNAL_H

#include <asm/ptrace.h>

/* Signal for a user-mode CPU exception (#DE -> SIGFPE, #UD -> SIGILL, #GP -> SIGSEGV...). */
void force_sig_trap(struct pt_regs *regs, int vector);
/* The page-fault entry (arch/x86/mm/fault.c). */
void exc_page_fault(struct pt_regs *regs, unsigned long error_code);
/* Work before returning to user mode: deliver fatal signals, reschedule. */
void exit_to_user_mode(struct pt_regs *regs);

#endif
