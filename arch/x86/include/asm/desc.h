/* SPDX-License-Identifier: MIT */
#ifndef _ASM_X86_DESC_H
#define _ASM_X86_DESC_H

#include <linux/types.h>
#include <linux/compiler.h>

/* The 64-bit Task State Segment: only the stack pointers matter in long mode. */
struct tss_struct {
	u32 reserved0;
	u64 sp0; /* stack loaded on a ring 3 -> ring 0 transition */
	u64 sp1, sp2;
	u64 reserved1;
	u64 ist[7]; /* Interrupt Stack Table: IST1..IST7 */
	u64 reserved2;
	u16 reserved3;
	u16 io_bitmap_base;
} __packed;

#define IST_INDEX_DF 1  /* double fault */
#define IST_INDEX_NMI 2 /* NMI */
#define IST_INDEX_MCE 3 /* machine check */

extern struct tss_struct cpu_tss;

void cpu_init_gdt(void);
void idt_setup(void);
void load_sp0(unsigned long sp0);

#endif
