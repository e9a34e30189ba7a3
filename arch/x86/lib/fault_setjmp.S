/*
 * int kernel_fault_setjmp(struct kernel_fault_catcher *c)
 *
 * Saves the callee-saved registers, the stack pointer after return and
 * the return address, and returns 0.  do_interrupt() resumes here with
 * %rax = 1 when a caught fault arrives (see asm/traps.h).
 */
	.text
	.globl kernel_fault_setjmp
kernel_fault_setjmp:
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rax
	movq	%rax, 48(%rdi)
	movq	(%rsp), %rax
	movq	%rax, 56(%rdi)
	xorl	%eax, %eax
	ret
