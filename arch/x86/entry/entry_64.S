/*
 * Interrupt, exception and system-call entry.
 *
 * Every vector has a 16-byte stub at vector_stubs_start + 16 * vector.
 * The CPU has pushed ss, rsp, rflags, cs, rip (and, for some exceptions,
 * an error code).  The stub makes the frame uniform by pushing a zero
 * "error code" where the CPU did not, saves %rdi, loads the vector number
 * into %edi and jumps to common_interrupt, which saves the rest of
 * struct pt_regs (asm/ptrace.h) and calls do_interrupt(regs, vector).
 *
 *   high  ss, rsp, rflags, cs, rip      <- pushed by the CPU
 *         orig_ax                       <- error code or 0
 *         di, si, dx, cx, ax, r8..r11, bx, bp, r12..r15
 *   low   (%rsp) = struct pt_regs *
 *
 * Faultline runs on one CPU and keeps no per-CPU data in %gs, so there is
 * no swapgs: user space may set %fs (arch_prctl) and the kernel never
 * uses either segment base.
 */
	.section .text.entry, "ax"
	.code64

	.globl vector_stubs_start
	.balign 16
vector_stubs_start:
	.set	vec, 0
	.rept	256
	.balign	16
	/* #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX push an error code themselves */
	.if !((vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30))
	pushq	$0
	.endif
	pushq	%rdi
	movl	$vec, %edi
	jmp	common_interrupt
	.set	vec, vec + 1
	.endr

	.macro SAVE_REGS_AFTER_DI
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	.endm

	.macro RESTORE_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	.endm

common_interrupt:
	cld
	/*
	 * Interrupt gates keep EFLAGS.AC: user space may have set it (popf), and
	 * with AC set SMAP lets the kernel touch user memory anywhere.  Clear it,
	 * as Linux's entry code does with clac.  (pushf/popf: clac itself does
	 * not exist on CPUs without SMAP.)
	 */
	pushfq
	andq	$~0x40000, (%rsp)
	popfq
	SAVE_REGS_AFTER_DI
	movl	%edi, %esi		/* vector */
	movq	%rsp, %rdi		/* struct pt_regs * */
	/* A frame record so backtraces walk through the interrupted code. */
	pushq	0x80(%rsp)		/* regs->ip, the caller in the trace */
	pushq	%rbp
	movq	%rsp, %rbp
	subq	$8, %rsp		/* 16-byte alignment for the call */
	call	do_interrupt
	addq	$24, %rsp
	.globl ret_from_intr
ret_from_intr:
	RESTORE_REGS
	addq	$8, %rsp		/* orig_ax */
	iretq

/*
 * The syscall instruction: rcx = user rip, r11 = user rflags, rax = number,
 * arguments in rdi, rsi, rdx, r10, r8, r9 (the Linux x86-64 convention).
 * We switch to the task's kernel stack (cpu_tss.sp0), build the same
 * struct pt_regs an interrupt would, and call do_syscall_64(regs).  The way
 * out is iretq, shared with interrupts: under -icount it costs the same as
 * sysretq and is safe for every return address.
 */
	.globl entry_SYSCALL_64
entry_SYSCALL_64:
	movq	%rsp, syscall_user_rsp(%rip)
	movq	cpu_tss+4(%rip), %rsp	/* tss.sp0: the top of this task's kernel stack */
	pushq	$0x23			/* ss: __USER_DS */
	pushq	syscall_user_rsp(%rip)	/* sp */
	pushq	%r11			/* flags */
	pushq	$0x2b			/* cs: __USER_CS */
	pushq	%rcx			/* ip */
	pushq	%rax			/* orig_ax: the syscall number */
	pushq	%rdi
	SAVE_REGS_AFTER_DI
	movq	%rsp, %rdi
	xorl	%ebp, %ebp		/* backtraces stop at the user/kernel boundary */
	subq	$8, %rsp
	call	do_syscall_64
	addq	$8, %rsp
	jmp	ret_from_intr

/*
 * struct task_struct *__switch_to_asm(unsigned long *prev_sp, unsigned long next_sp,
 *                                     struct task_struct *prev)
 * Save the callee-saved registers on the old stack, switch stacks, pop
 * them from the new one.  The C caller (context_switch) saves everything
 * else the ABI lets it lose.
 */
	.globl __switch_to_asm
__switch_to_asm:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	movq	%rdx, %rax		/* return prev, as seen from the new stack */
	ret

/*
 * A new task's first return from __switch_to_asm lands here (copy_thread
 * put this address on its stack, with one padding word between it and the
 * pt_regs so calls here see a 16-byte aligned stack).  rbx = kernel-thread
 * function or 0, r12 = its argument.  A user task (the child of fork) leaves
 * through its pt_regs with iretq.
 */
	.globl ret_from_fork_asm
ret_from_fork_asm:
	movq	%rax, %rdi		/* prev, from __switch_to_asm */
	call	schedule_tail
	testq	%rbx, %rbx
	jz	1f
	movq	%r12, %rdi
	call	*%rbx			/* a kernel thread: run it.  Only kernel_init returns, */
					/* after kernel_execve built user registers: go there. */
1:	leaq	8(%rsp), %rdi		/* the pt_regs */
	call	exit_to_user_mode
	addq	$8, %rsp
	jmp	ret_from_intr

	.section .bss
	.balign 8
syscall_user_rsp:
	.quad	0
