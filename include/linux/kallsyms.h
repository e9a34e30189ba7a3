/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own symbol table, for backtraces.  The build links the
 * kernel once, extracts the text symbols with nm (tools/gen-kallsyms.py),
 * and links again with that table in .rodata; text addresses do not move
 * between the two links because the table sits after .text.
 */
#ifndef _LINUX_KALLSYMS_H
#define _LINUX_KALLSYMS_H

#include <linux/types.h>

#define KERNEL_STACK_SIZE 16384UL

struct kallsym {
	unsigned long addr;
	unsigned int size;
	unsigned int name_off;
};

/* Name of the function containing addr, its start and size; NULL if unknown. */
const char *kallsyms_lookup(unsigned long addr, unsigned long *start, unsigned long *size);
/* Address of a function by name, or 0. */
unsigned long kallsyms_lookup_name(const char *name);
/* "function+0xoff/0xsize" or the bare hex address. */
int sprint_symbol(char *buf, size_t size, unsigned long addr);
bool kernel_text_address(unsigned long addr);

#endif
