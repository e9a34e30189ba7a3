// SPDX-License-Identifier: MIT
/*
 * start_kernel: the first C code, entered from boot/head.S on the boot
 * page table and the static init stack, with interrupts off.
 * The order matters; each step says what it needs from the ones before.
 */
#include <linux/fault-inject.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/ktest.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/serial.h>
#include <asm/setup.h>

void cpu_detect(void);
void cpu_enable_nx(void);
void cpu_enable_protections(void);
void rest_init(void);

static void print_banner(void)
{
	pr_info("Faultline: a teaching kernel for memory management (x86-64)\n");
	pr_info("CPU: %s %s\n", boot_cpu_data.vendor, boot_cpu_data.model_id);
	pr_info("CPU features: NX %s, SMEP %s, SMAP %s, 1 GiB pages %s, PGE %s\n",
		boot_cpu_data.has_nx ? "on" : "absent", boot_cpu_data.has_smep ? "on" : "absent",
		boot_cpu_data.has_smap ? "on" : "absent", boot_cpu_data.has_gbpages ? "yes" : "no",
		boot_cpu_data.has_pge ? "on" : "absent");
	print_memory_map();
	pr_info("Memory: %lu pages total (%lu KiB), %lu pages free (%lu KiB), max_pfn %#lx\n",
		totalram_pages, totalram_pages * 4, nr_free_pages(), nr_free_pages() * 4, max_pfn);
	pr_info("Kernel image: text %p-%p rodata %p-%p data+bss %p-%p\n", _text, _etext,
		__start_rodata, __end_rodata, _sdata, _end);
	pr_info("Command line: %s\n", boot_command_line[0] ? boot_command_line : "(empty)");
}

void start_kernel(u32 mb2_info_phys)
{
	serial_init(COM1_PORT);
	serial_init(COM2_PORT);
	cpu_detect();
	cpu_init_gdt(); /* our GDT and TSS: IST stacks for #DF and NMI */
	idt_setup();    /* exceptions now give an oops instead of a triple fault */

	setup_arch(mb2_info_phys); /* command line, memory map -> memblock */
	if (cmdline_has("quiet"))
		console_loglevel = CONSOLE_LOGLEVEL_QUIET;
	fault_inject_setup();
	cpu_enable_nx();          /* before any page table uses bit 63 */
	paging_init();            /* init_mm.pgd: direct map + kernel image, CR3 switched */
	cpu_enable_protections(); /* WP, SMEP, SMAP, PGE */
	mem_init();               /* mem_map, memblock -> buddy allocator */
	kmem_cache_init();        /* slab caches and kmalloc */

	print_banner();
	ktest_run_from_cmdline(); /* "ktest=..." runs the in-kernel suites and powers off */
	rest_init();
}
