/* SPDX-License-Identifier: MIT */
#ifndef _LINUX_BINFMTS_H
#define _LINUX_BINFMTS_H

#include <linux/types.h>

struct fl_file;
struct mm_struct;

#define MAX_ARG_STRINGS 4096
#define MAX_ARG_BYTES (128 * 1024) /* strings of argv + envp together */

/* An exec in progress: the strings are copied into the kernel before the old mm goes.  Linux: linux_binprm. */
struct linux_binprm {
	struct fl_file *file;
	const char *filename;
	char *strings;          /* argv strings then envp strings, each NUL-terminated */
	unsigned long strings_len;
	int argc, envc;
	struct mm_struct *mm;   /* the new address space */
	unsigned long p;        /* current top of the new stack while building it */
	unsigned long exec;     /* user address of the filename string (AT_EXECFN) */
	bool executable_stack;
};

int load_elf_binary(struct linux_binprm *bprm);
int begin_new_exec(struct linux_binprm *bprm);
int setup_arg_pages(struct linux_binprm *bprm, bool executable_stack);
int kernel_execve(const char *filename, const char *const *argv, const char *const *envp);
long kernel_read(struct fl_file *file, unsigned long pos, void *buf, unsigned long count);

#endif
