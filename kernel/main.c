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
#include <linux/page_census.h>
#include <linux/slab.h>
#include <linux/binfmts.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched_core.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/serial.h>
#include <asm/setup.h>

void cpu_detect(void);
void cpu_enable_nx(void);
void cpu_enable_protections(void);
void syscall_init(void);
void fork_init(void);
void rest_init(void);
void kernel_stacks_init(void);

/* The TSC when start_kernel began: guest instructions since power-on under -icount shift=0. */
u64 boot_tsc_start_kernel;

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
	pr_info("TSC at start_kernel: %lu (instructions since power-on under -icount shift=0)\n",
		(unsigned long)boot_tsc_start_kernel);
}

void start_kernel(u32 mb2_info_phys)
{
	boot_tsc_start_kernel = rdtsc();
	serial_init(COM1_PORT);
	serial_init(COM2_PORT);
	cpu_detect();
	cpu_init_gdt(); /* our GDT and TSS: IST stacks for #DF and NMI */
	idt_setup();    /* exceptions now give an oops instead of a triple fault */

	setup_arch(mb2_info_phys); /* command line, memory map -> memblock */
	if (cmdline_has("quiet"))
		console_loglevel = CONSOLE_LOGLEVEL_QUIET;
	fault_inject_setup();
	slab_debug_poison = cmdline_has("slub_debug"); /* before the first cache exists */
	page_poisoning = cmdline_get_ulong("page_poison", 0);
	cpu_enable_nx();          /* before any page table uses bit 63 */
	paging_init();            /* init_mm.pgd: direct map + kernel image, CR3 switched */
	cpu_enable_protections(); /* WP, SMEP, SMAP, PGE */
	syscall_init();
	mem_init();               /* mem_map, memblock -> buddy allocator */
	kmem_cache_init();        /* slab caches and kmalloc */

	print_banner();
	rest_init();
}

unsigned long init_baseline_free_pages; /* free pages just before /init starts: the leak baseline */

/*
 * PID 1 begins as a kernel thread (mm == NULL, borrowing init_mm) and
 * becomes the first user process by exec'ing /init, or the init= path,
 * with argv[1..] taken from after "--" on the command line.
 */
static int kernel_init(void *unused)
{
	static char init_path[128] = "/init";
	static char args[COMMAND_LINE_SIZE];
	const char *argv[32] = { init_path };
	const char *envp[] = { "HOME=/", "TERM=linux", "PATH=/bin:/", NULL };
	int argc = 1;

	init_process = current;
	strlcpy(current->comm, "init", sizeof(current->comm));
	cmdline_get("init", init_path, sizeof(init_path));
	const char *dashes = strstr(boot_command_line, " -- ");
	if (dashes) {
		strlcpy(args, dashes + 4, sizeof(args));
		for (char *p = args; *p && argc < 31;) {
			while (*p == ' ')
				*p++ = 0;
			if (!*p)
				break;
			argv[argc++] = p;
			while (*p && *p != ' ')
				p++;
		}
	}
	argv[argc] = NULL;
	current->sighand = sighand_alloc();
	if (files_init_console(current) || !current->sighand)
		panic("no memory for init's files");
	leak_check_start(); /* what is allocated now, to name leaks at the end */
	init_baseline_free_pages = nr_free_pages();
	int ret = kernel_execve(init_path, argv, envp);
	if (ret)
		panic("No working init found (exec of %s failed: %d). Try passing init= option to kernel.",
		      init_path, ret);
	return 0; /* to user mode, through the registers exec built */
}

void rest_init(void)
{
	sched_init();
	fork_init();
	vma_tree_init();
	kernel_stacks_init();
	zero_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	SetPageFlag(zero_page, PG_zero);
	console_raw = cmdline_has("console=raw");
	mm_refcount_debug = cmdline_get_ulong("mm_refcount_debug", 1);
	fault_trace_enabled = cmdline_has("fault_trace");
	mmgrab(&init_mm); /* the idle task's lazy reference to its active_mm */

	ktest_run_from_cmdline(); /* "ktest=..." runs the in-kernel suites and powers off */
	unpack_initramfs();
	if (!kthread_run(kernel_init, NULL, "init"))
		panic("cannot create init");
	reaper_init();
	cpu_idle_loop();
}
