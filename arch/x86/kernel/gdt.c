// SPDX-License-Identifier: MIT
/*
 * The Global Descriptor Table and the TSS.
 *
 * Segment order is forced by syscall/sysret (MSR_STAR): sysret loads
 * CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8, so the user data
 * segment must sit just below the 64-bit user code segment.
 *
 *   0x00 null
 *   0x08 kernel code (64-bit)        __KERNEL_CS
 *   0x10 kernel data                 __KERNEL_DS
 *   0x18 user code (32-bit, unused)  __USER32_CS | 3
 *   0x20 user data                   __USER_DS = 0x23
 *   0x28 user code (64-bit)          __USER_CS = 0x2b
 *   0x30 TSS (16 bytes)
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/desc.h>
#include <asm/ptrace.h>

struct tss_struct cpu_tss __aligned(16);

static u64 gdt[8] __aligned(16) = {
	[0] = 0,
	[1] = 0x00af9a000000ffffULL, /* kernel code: P, DPL0, code, L=1 */
	[2] = 0x00cf92000000ffffULL, /* kernel data: P, DPL0, writable */
	[3] = 0x00cffa000000ffffULL, /* user code 32: P, DPL3 */
	[4] = 0x00cff2000000ffffULL, /* user data: P, DPL3, writable */
	[5] = 0x00affa000000ffffULL, /* user code 64: P, DPL3, L=1 */
};

/* Each IST stack is one page with nothing below it that it could trample. */
static u8 ist_stacks[3][4096] __aligned(4096);

struct desc_ptr {
	u16 size;
	u64 address;
} __packed;

void load_sp0(unsigned long sp0)
{
	cpu_tss.sp0 = sp0;
}

void cpu_init_gdt(void)
{
	unsigned long base = (unsigned long)&cpu_tss;
	unsigned long limit = sizeof(cpu_tss) - 1;

	cpu_tss.ist[IST_INDEX_DF - 1] = (u64)&ist_stacks[0][4096];
	cpu_tss.ist[IST_INDEX_NMI - 1] = (u64)&ist_stacks[1][4096];
	cpu_tss.ist[IST_INDEX_MCE - 1] = (u64)&ist_stacks[2][4096];
	cpu_tss.io_bitmap_base = sizeof(cpu_tss); /* no I/O bitmap: user port I/O faults */

	/* A 64-bit TSS descriptor: type 9 (available), present, base split over 16 bytes. */
	gdt[GDT_ENTRY_TSS] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
			     ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[GDT_ENTRY_TSS + 1] = base >> 32;

	struct desc_ptr gdtr = { sizeof(gdt) - 1, (u64)gdt };
	__asm__ __volatile__("lgdt %0\n\t"
			     "pushq %1\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movl %2, %%eax\n\t"
			     "movl %%eax, %%ds\n\t"
			     "movl %%eax, %%es\n\t"
			     "movl %%eax, %%ss\n\t"
			     "ltr %w3\n\t"
			     :
			     : "m"(gdtr), "i"(__KERNEL_CS), "i"(__KERNEL_DS), "r"(GDT_ENTRY_TSS * 8)
			     : "rax", "memory");
}
