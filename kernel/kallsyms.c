// SPDX-License-Identifier: MIT
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/string.h>

/* Filled in by build/kallsyms.S, generated from the first link's nm output. */
extern const unsigned long kallsyms_num;
extern const struct kallsym kallsyms_table[];
extern const char kallsyms_strings[];
extern char _text[], _etext[];

bool kernel_text_address(unsigned long addr)
{
	return addr >= (unsigned long)_text && addr < (unsigned long)_etext;
}

const char *kallsyms_lookup(unsigned long addr, unsigned long *start, unsigned long *size)
{
	unsigned long lo = 0, hi = kallsyms_num;

	if (!kernel_text_address(addr) || !kallsyms_num)
		return NULL;
	/* The table is sorted by address: find the last entry at or below addr. */
	while (hi - lo > 1) {
		unsigned long mid = (lo + hi) / 2;
		if (kallsyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	const struct kallsym *s = &kallsyms_table[lo];
	if (s->addr > addr)
		return NULL;
	if (start)
		*start = s->addr;
	if (size)
		*size = s->size;
	return kallsyms_strings + s->name_off;
}

unsigned long kallsyms_lookup_name(const char *name)
{
	for (unsigned long i = 0; i < kallsyms_num; i++)
		if (!strcmp(kallsyms_strings + kallsyms_table[i].name_off, name))
			return kallsyms_table[i].addr;
	return 0;
}

int sprint_symbol(char *buf, size_t size, unsigned long addr)
{
	unsigned long start, len;
	const char *name = kallsyms_lookup(addr, &start, &len);

	if (!name)
		return snprintf(buf, size, "0x%lx", addr);
	return snprintf(buf, size, "%s+0x%lx/0x%lx", name, addr - start, len);
}
