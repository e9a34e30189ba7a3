/* SPDX-License-Identifier: MIT */
/*
 * The exception table: pairs (faulting instruction, recovery address).
 * A kernel-mode fault at a listed instruction resumes at its fixup
 * instead of oopsing; copy_from_user and friends return -EFAULT that way.
 */
#ifndef _ASM_X86_EXTABLE_H
#define _ASM_X86_EXTABLE_H

struct exception_table_entry {
	unsigned long insn, fixup;
};

#define _ASM_EXTABLE(from, to)                                                                     \
	".pushsection __ex_table, \"a\"\n\t"                                                       \
	".balign 8\n\t"                                                                            \
	".quad " #from ", " #to "\n\t"                                                             \
	".popsection\n\t"

const struct exception_table_entry *search_exception_tables(unsigned long ip);

#endif
