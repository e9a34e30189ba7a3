/*
 * From GRUB to start_kernel.
 *
 * GRUB leaves us in 32-bit protected mode, paging off, with
 *   %eax = 0x36d76289 (multiboot2 magic) and %ebx = physical address of
 *   the multiboot2 information structure.
 *
 * startup_32 builds a temporary page table that maps the first 1 GiB of
 * physical memory twice, with 2 MiB pages:
 *
 *   virtual 0x0000000000000000 .. 0x40000000  (identity, so the next
 *                                              instruction after enabling
 *                                              paging still exists)
 *   virtual 0xffffffff80000000 .. +1 GiB      (__START_KERNEL_map, where
 *                                              the kernel is linked)
 *
 * then turns on PAE, long mode (EFER.LME) and paging, far-jumps into a
 * 64-bit code segment and finally jumps to the higher half.  start_kernel
 * replaces this table with init_mm's real one (arch/x86/mm/init.c).
 */
#define MB2_BOOTLOADER_MAGIC	0x36d76289
#define MSR_EFER		0xc0000080
#define EFER_LME		(1 << 8)
#define CR0_PE			(1 << 0)
#define CR0_WP			(1 << 16)
#define CR0_PG			(1 << 31)
#define CR4_PAE			(1 << 5)
#define PTE_PRESENT_RW		0x003
#define PDE_LARGE		0x083	/* present, writable, 2 MiB page */
#define COM1			0x3f8

	.section .boot.text, "ax"
	.code32
	.globl startup_32
startup_32:
	cli
	cld
	cmpl	$MB2_BOOTLOADER_MAGIC, %eax
	jne	.Lno_multiboot
	movl	%ebx, boot_mb2_info_phys

	/* Long mode needs CPUID leaf 0x80000001 EDX bit 29. */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	.Lno_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	.Lno_long_mode

	/* PML4[0] and PML4[511] -> their PDPTs; both PDPTs -> one PD. */
	movl	$boot_pdpt_low + PTE_PRESENT_RW, boot_pml4
	movl	$boot_pdpt_high + PTE_PRESENT_RW, boot_pml4 + 511 * 8
	movl	$boot_pd + PTE_PRESENT_RW, boot_pdpt_low
	movl	$boot_pd + PTE_PRESENT_RW, boot_pdpt_high + 510 * 8

	/* PD: 512 x 2 MiB = the first 1 GiB. */
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$PDE_LARGE, %eax
	movl	%eax, boot_pd(, %ecx, 8)
	movl	$0, boot_pd + 4(, %ecx, 8)
	incl	%ecx
	cmpl	$512, %ecx
	jne	1b

	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4

	movl	$boot_pml4, %eax
	movl	%eax, %cr3

	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr

	movl	%cr0, %eax
	orl	$(CR0_PE | CR0_PG | CR0_WP), %eax
	movl	%eax, %cr0

	lgdt	boot_gdt_desc
	ljmp	$0x08, $startup_64_low

/* Tell whoever watches the serial port why we stopped, then halt. */
.Lno_multiboot:
	movl	$msg_no_mb2, %esi
	jmp	.Lfail
.Lno_long_mode:
	movl	$msg_no_lm, %esi
.Lfail:
	movw	$COM1, %dx
2:	lodsb
	testb	%al, %al
	jz	3f
	outb	%al, %dx
	jmp	2b
3:	hlt
	jmp	3b

	.code64
startup_64_low:
	/* Still executing at a low address: jump to the linked address. */
	movabs	$startup_64, %rax
	jmp	*%rax

	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_desc:
	.short	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt
	.globl boot_mb2_info_phys
boot_mb2_info_phys:
	.long	0
msg_no_mb2:
	.asciz	"faultline: not started by a multiboot2 loader\r\n"
msg_no_lm:
	.asciz	"faultline: this CPU has no long mode (x86-64)\r\n"

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4096

/* ---- 64-bit, higher half ---------------------------------------------- */
	.section .text.entry, "ax"
	.code64
	.globl startup_64
startup_64:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$init_stack_top, %rsp
	xorl	%ebp, %ebp		/* the backtrace stops here */
	movl	boot_mb2_info_phys, %edi
	call	start_kernel
1:	cli
	hlt
	jmp	1b

	/* Aligned to its size, so a stack pointer finds its stack's bounds. */
	.section .bss
	.balign 16384
	.globl init_stack, init_stack_top
init_stack:
	.skip	16384
init_stack_top:
