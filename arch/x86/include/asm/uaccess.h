/* SPDX-License-Identifier: MIT */
/*
 * Reaching memory that may fault, safely.
 *
 * Each access instruction has an exception-table entry: if it faults,
 * the page-fault handler (after trying to fault the page in, for user
 * addresses) resumes at the fixup, which makes the call return -EFAULT.
 * User accesses happen inside stac/clac, the only window SMAP leaves open.
 */
#ifndef _ASM_X86_UACCESS_H
#define _ASM_X86_UACCESS_H

#include <linux/errno.h>
#include <linux/types.h>
#include <asm/extable.h>
#include <asm/page.h>

/* Is [addr, addr+size) entirely in user space? (Linux: access_ok.) */
static inline bool access_ok(const void *addr, unsigned long size)
{
	unsigned long a = (unsigned long)addr;

	return size <= TASK_SIZE_MAX && a <= TASK_SIZE_MAX - size;
}

unsigned long copy_from_user(void *to, const void *from, unsigned long n);
unsigned long copy_to_user(void *to, const void *from, unsigned long n);
unsigned long clear_user(void *to, unsigned long n);
/* Copy a NUL-terminated string of at most count bytes: its length, -EFAULT, or count if unterminated. */
long strncpy_from_user(char *dst, const char *src, long count);
long strnlen_user(const char *s, long n);
int get_user_u64(u64 *val, const void *uaddr);
int put_user_u64(u64 val, void *uaddr);
int get_user_u32(u32 *val, const void *uaddr);
int put_user_u32(u32 val, void *uaddr);

/* Read a kernel word that may not be mapped: 0 or -EFAULT (Linux: get_kernel_nofault). */
int get_kernel_nofault_u64(u64 *val, const void *addr);
/* Write a kernel byte that may be read-only: 0 or -EFAULT. */
int put_kernel_nofault_u8(void *addr, u8 val);

#endif
