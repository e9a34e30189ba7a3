// SPDX-License-Identifier: MIT
/*
 * The Interrupt Descriptor Table: 256 interrupt gates, each pointing at
 * its stub in arch/x86/entry/entry_64.S.  Double fault, NMI and machine
 * check run on their own IST stacks so that a corrupt or overflowed
 * kernel stack still gives a readable report.
 */
#include <linux/kernel.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/ptrace.h>
#include <asm/traps.h>

struct gate_desc {
	u16 offset_low;
	u16 segment;
	u8 ist;
	u8 type_attr; /* P | DPL | type (0xe = 64-bit interrupt gate) */
	u16 offset_middle;
	u32 offset_high;
	u32 reserved;
} __packed;

static struct gate_desc idt_table[256] __aligned(16);
extern char vector_stubs_start[];

static void set_gate(int vector, unsigned long addr, int ist, int dpl)
{
	struct gate_desc *g = &idt_table[vector];

	g->offset_low = addr & 0xffff;
	g->segment = __KERNEL_CS;
	g->ist = ist;
	g->type_attr = 0x80 | (dpl << 5) | 0xe;
	g->offset_middle = (addr >> 16) & 0xffff;
	g->offset_high = addr >> 32;
	g->reserved = 0;
}

/* Move the legacy 8259 PICs to vectors 0x20-0x2f and mask every line. */
static void pic_remap_and_mask(void)
{
	outb(0x11, 0x20);
	outb(0x11, 0xa0);
	outb(IRQ0_VECTOR, 0x21);
	outb(IRQ0_VECTOR + 8, 0xa1);
	outb(0x04, 0x21);
	outb(0x02, 0xa1);
	outb(0x01, 0x21);
	outb(0x01, 0xa1);
	outb(0xff, 0x21);
	outb(0xff, 0xa1);
}

void idt_setup(void)
{
	for (int v = 0; v < 256; v++)
		set_gate(v, (unsigned long)vector_stubs_start + 16 * v, 0, 0);
	set_gate(X86_TRAP_DF, (unsigned long)vector_stubs_start + 16 * X86_TRAP_DF, IST_INDEX_DF, 0);
	set_gate(X86_TRAP_NMI, (unsigned long)vector_stubs_start + 16 * X86_TRAP_NMI, IST_INDEX_NMI, 0);
	set_gate(X86_TRAP_MC, (unsigned long)vector_stubs_start + 16 * X86_TRAP_MC, IST_INDEX_MCE, 0);
	/* int3 and into may be used from user space, as on Linux. */
	set_gate(X86_TRAP_BP, (unsigned long)vector_stubs_start + 16 * X86_TRAP_BP, 0, 3);
	set_gate(X86_TRAP_OF, (unsigned long)vector_stubs_start + 16 * X86_TRAP_OF, 0, 3);

	pic_remap_and_mask();

	struct {
		u16 size;
		u64 addr;
	} __packed idtr = { sizeof(idt_table) - 1, (u64)idt_table };
	__asm__ __volatile__("lidt %0" : : "m"(idtr));
}
