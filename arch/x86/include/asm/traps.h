/* SPDX-License-Identifier: MIT */
#ifndef _ASM_X86_TRAPS_H
#define _ASM_X86_TRAPS_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <asm/ptrace.h>

enum {
	X86_TRAP_DE = 0,   /* divide error */
	X86_TRAP_DB = 1,   /* debug */
	X86_TRAP_NMI = 2,  /* non-maskable interrupt */
	X86_TRAP_BP = 3,   /* breakpoint */
	X86_TRAP_OF = 4,   /* overflow */
	X86_TRAP_BR = 5,   /* bound range exceeded */
	X86_TRAP_UD = 6,   /* invalid opcode */
	X86_TRAP_NM = 7,   /* device not available */
	X86_TRAP_DF = 8,   /* double fault */
	X86_TRAP_OLD_MF = 9,
	X86_TRAP_TS = 10,  /* invalid TSS */
	X86_TRAP_NP = 11,  /* segment not present */
	X86_TRAP_SS = 12,  /* stack segment fault */
	X86_TRAP_GP = 13,  /* general protection */
	X86_TRAP_PF = 14,  /* page fault */
	X86_TRAP_SPURIOUS = 15,
	X86_TRAP_MF = 16,  /* x87 floating point */
	X86_TRAP_AC = 17,  /* alignment check */
	X86_TRAP_MC = 18,  /* machine check */
	X86_TRAP_XF = 19,  /* SIMD floating point */
	X86_TRAP_VE = 20,
	X86_TRAP_CP = 21,  /* control protection */
};

#define IRQ0_VECTOR 0x20
#define NR_EXCEPTION_VECTORS 32

/* Page-fault error code bits (spec §4.1). */
enum x86_pf_error_code {
	X86_PF_PROT = 1 << 0,
	X86_PF_WRITE = 1 << 1,
	X86_PF_USER = 1 << 2,
	X86_PF_RSVD = 1 << 3,
	X86_PF_INSTR = 1 << 4,
	X86_PF_PK = 1 << 5,
	X86_PF_SHSTK = 1 << 6,
};

const char *trap_name(int vector);
int decode_pf_error_code(unsigned long error_code, char *buf, size_t size);

void do_interrupt(struct pt_regs *regs, int vector);
__noreturn void die(const char *why, struct pt_regs *regs, int vector);
void show_regs(struct pt_regs *regs);
void show_trace(unsigned long ip, unsigned long bp, unsigned long sp);

/* Exception-table fixup: resume a faulting uaccess at its recovery label. */
bool fixup_exception(struct pt_regs *regs);

/*
 * Expected kernel faults, for in-kernel tests that must see the CPU
 * enforce a permission (a write to rodata, a fetch from NX memory...).
 * kernel_fault_setjmp() returns 0; if a kernel-mode exception hits while
 * the catcher is armed, execution resumes there returning 1, with the
 * vector, error code and CR2 recorded.
 */
struct kernel_fault_catcher {
	unsigned long rbx, rbp, r12, r13, r14, r15, rsp, rip;
	int vector;
	unsigned long error_code, cr2;
};
extern struct kernel_fault_catcher *active_fault_catcher;
int kernel_fault_setjmp(struct kernel_fault_catcher *c) __attribute__((returns_twice));

/* Arm and disarm around the access; the barriers keep the compiler from moving either. */
#define arm_fault_catcher(c)                                                                       \
	do {                                                                                       \
		barrier();                                                                         \
		WRITE_ONCE(active_fault_catcher, (c));                                             \
		barrier();                                                                         \
	} while (0)
#define disarm_fault_catcher() arm_fault_catcher(NULL)

typedef void (*irq_handler_t)(struct pt_regs *regs);
void register_irq_handler(int vector, irq_handler_t fn);

#endif
