// SPDX-License-Identifier: MIT
#include <linux/kernel.h>
#include <asm/extable.h>
#include <asm/traps.h>

extern const struct exception_table_entry __start___ex_table[], __stop___ex_table[];

/* The table is short (one entry per uaccess primitive): a linear search is enough. */
const struct exception_table_entry *search_exception_tables(unsigned long ip)
{
	for (const struct exception_table_entry *e = __start___ex_table; e < __stop___ex_table; e++)
		if (e->insn == ip)
			return e;
	return NULL;
}

bool fixup_exception(struct pt_regs *regs)
{
	const struct exception_table_entry *e = search_exception_tables(regs->ip);

	if (!e)
		return false;
	regs->ip = e->fixup;
	return true;
}
