// SPDX-License-Identifier: MIT
/*
 * Read the multiboot2 information structure (multiboot2 spec, section 3.6)
 * and describe physical memory to memblock: every "available" range of the
 * memory map is memory; the low 1 MiB (BIOS, real-mode data), the kernel
 * image, the boot-loader structure and the modules are reserved.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/string.h>
#include <asm/page.h>
#include <asm/setup.h>

struct boot_params boot_params;

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6

struct mb2_tag {
	u32 type, size;
};

/* Before paging_init() only the boot page table exists: low memory is reached through the kernel map. */
static void *early_va(phys_addr_t pa)
{
	if (pa >= 0x40000000)
		panic("multiboot2 data above 1 GiB (%#lx) is not reachable this early",
		      (unsigned long)pa);
	return (void *)(pa + __START_KERNEL_map);
}

static void parse_multiboot2(u32 info_phys)
{
	u8 *info = early_va(info_phys);
	u32 total = *(u32 *)info;

	memblock_reserve(info_phys, total);
	for (u8 *p = info + 8; p < info + total;) {
		struct mb2_tag *tag = (struct mb2_tag *)p;

		if (tag->type == MB2_TAG_END)
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			strlcpy(boot_command_line, (char *)(tag + 1), sizeof(boot_command_line));
			break;
		case MB2_TAG_LOADER_NAME:
			strlcpy(boot_params.loader_name, (char *)(tag + 1), sizeof(boot_params.loader_name));
			break;
		case MB2_TAG_MODULE:
			if (boot_params.nr_modules < MAX_BOOT_MODULES) {
				struct boot_module *m = &boot_params.modules[boot_params.nr_modules++];
				u32 *w = (u32 *)(tag + 1);
				m->start = w[0];
				m->end = w[1];
				strlcpy(m->name, (char *)(w + 2), sizeof(m->name));
			}
			break;
		case MB2_TAG_MMAP: {
			u32 entry_size = ((u32 *)(tag + 1))[0];
			for (u8 *e = p + 16; e + entry_size <= p + tag->size; e += entry_size) {
				if (boot_params.nr_mmap == MAX_BOOT_MMAP)
					break;
				struct boot_mmap_entry *b = &boot_params.mmap[boot_params.nr_mmap++];
				b->base = *(u64 *)e;
				b->length = *(u64 *)(e + 8);
				b->type = *(u32 *)(e + 16);
			}
			break;
		}
		}
		p += ALIGN(tag->size, 8);
	}
}

void setup_arch(u32 mb2_info_phys)
{
	parse_multiboot2(mb2_info_phys);
	if (!boot_params.nr_mmap)
		panic("the boot loader gave no memory map");

	for (int i = 0; i < boot_params.nr_mmap; i++) {
		struct boot_mmap_entry *e = &boot_params.mmap[i];
		if (e->type == 1) {
			/* Whole pages only. */
			phys_addr_t start = PAGE_ALIGN(e->base), end = PAGE_ALIGN_DOWN(e->base + e->length);
			if (end > start)
				memblock_add(start, end - start);
		}
	}
	memblock_reserve(0, 0x100000); /* BIOS area and page 0: never handed out */
	memblock_reserve((phys_addr_t)__boot_start, __pa(_end) - (phys_addr_t)__boot_start);
	for (int i = 0; i < boot_params.nr_modules; i++) {
		struct boot_module *m = &boot_params.modules[i];
		memblock_reserve(PAGE_ALIGN_DOWN(m->start), PAGE_ALIGN(m->end) - PAGE_ALIGN_DOWN(m->start));
	}
}

static const char *const mmap_types[] = { "?", "usable", "reserved", "ACPI data", "ACPI NVS", "bad" };

void print_memory_map(void)
{
	pr_info("BIOS-provided physical RAM map (multiboot2):\n");
	for (int i = 0; i < boot_params.nr_mmap; i++) {
		struct boot_mmap_entry *e = &boot_params.mmap[i];
		pr_info("  [mem %#018lx-%#018lx] %s\n", (unsigned long)e->base,
			(unsigned long)(e->base + e->length - 1), e->type <= 5 ? mmap_types[e->type] : "?");
	}
	for (int i = 0; i < boot_params.nr_modules; i++)
		pr_info("  module %d: [mem %#010lx-%#010lx] %s\n", i, (unsigned long)boot_params.modules[i].start,
			(unsigned long)boot_params.modules[i].end - 1, boot_params.modules[i].name);
}
