/* SPDX-License-Identifier: MIT */
#ifndef _ASM_X86_SETUP_H
#define _ASM_X86_SETUP_H

#include <linux/types.h>

/* What the boot loader told us, copied out of the multiboot2 structure. */
struct boot_mmap_entry {
	u64 base, length;
	u32 type; /* 1 available, 2 reserved, 3 ACPI reclaimable, 4 NVS, 5 bad */
};

struct boot_module {
	phys_addr_t start, end;
	char name[64];
};

#define MAX_BOOT_MMAP 64
#define MAX_BOOT_MODULES 8

struct boot_params {
	struct boot_mmap_entry mmap[MAX_BOOT_MMAP];
	int nr_mmap;
	struct boot_module modules[MAX_BOOT_MODULES];
	int nr_modules;
	char loader_name[64];
};

extern struct boot_params boot_params;
extern char _text[], _etext[], __start_rodata[], __end_rodata[], _sdata[], _edata[];
extern char __bss_start[], __bss_stop[], _end[], __boot_start[], __boot_end[];

void setup_arch(u32 mb2_info_phys);
void paging_init(void);
void mem_init(void);
void print_memory_map(void);

#endif
