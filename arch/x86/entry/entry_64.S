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
