// SPDX-License-Identifier: MIT
/*
 * copy_{from,to}_user and friends.  Each is one "rep movsb"/"rep stosb"
 * (or a byte loop for strings) whose faulting instruction is listed in the
 * exception table.  On a fault the page-fault handler first tries to
 * resolve it like any user fault (lazy pages are faulted in, so a
 * multi-page buffer works); only a truly bad address reaches the fixup,
 * where the remaining count tells the caller how much was not copied.
 */
#include <linux/kernel.h>
#include <asm/processor.h>
#include <asm/uaccess.h>

static unsigned long copy_user_generic(void *to, const void *from, unsigned long n)
{
	stac();
	__asm__ __volatile__("1: rep movsb\n"
			     "2:\n" _ASM_EXTABLE(1b, 2b)
			     : "+D"(to), "+S"(from), "+c"(n)
			     :
			     : "memory");
	clac();
	return n; /* bytes not copied */
}

unsigned long copy_from_user(void *to, const void *from, unsigned long n)
{
	unsigned long left = n;

	if (access_ok(from, n))
		left = copy_user_generic(to, from, n);
	if (left)
		__builtin_memset((char *)to + (n - left), 0, left); /* never leak stale kernel bytes */
	return left;
}

unsigned long copy_to_user(void *to, const void *from, unsigned long n)
{
	if (!access_ok(to, n))
		return n;
	return copy_user_generic(to, from, n);
}

unsigned long clear_user(void *to, unsigned long n)
{
	if (!access_ok(to, n))
		return n;
	stac();
	__asm__ __volatile__("1: rep stosb\n"
			     "2:\n" _ASM_EXTABLE(1b, 2b)
			     : "+D"(to), "+c"(n)
			     : "a"(0)
			     : "memory");
	clac();
	return n;
}

/* Read one user byte: 0 or -EFAULT. */
static int get_user_u8(u8 *val, const u8 *p)
{
	int err = 0;
	u8 v = 0;

	if (!access_ok(p, 1))
		return -EFAULT;
	stac();
	__asm__ __volatile__("1: movb (%2), %1\n"
			     "2:\n"
			     ".pushsection .fixup, \"ax\"\n"
			     "3: movl %3, %0\n"
			     "   jmp 2b\n"
			     ".popsection\n" _ASM_EXTABLE(1b, 3b)
			     : "+r"(err), "+q"(v)
			     : "r"(p), "i"(-EFAULT));
	clac();
	*val = v;
	return err;
}

long strncpy_from_user(char *dst, const char *src, long count)
{
	for (long i = 0; i < count; i++) {
		u8 c;
		if (get_user_u8(&c, (const u8 *)src + i))
			return -EFAULT;
		dst[i] = c;
		if (!c)
			return i;
	}
	return count;
}

long strnlen_user(const char *s, long n)
{
	for (long i = 0; i < n; i++) {
		u8 c;
		if (get_user_u8(&c, (const u8 *)s + i))
			return 0;
		if (!c)
			return i + 1;
	}
	return n + 1;
}

int get_user_u64(u64 *val, const void *uaddr)
{
	return copy_from_user(val, uaddr, sizeof(*val)) ? -EFAULT : 0;
}

int put_user_u64(u64 val, void *uaddr)
{
	return copy_to_user(uaddr, &val, sizeof(val)) ? -EFAULT : 0;
}

/*
 * Kernel addresses only: a user address here would be a SMAP violation,
 * which oopses with no fixup (Linux: copy_from_kernel_nofault_allowed).
 * Non-canonical addresses are let through on purpose: they raise #GP,
 * and the same exception-table entry recovers from that too.
 */
static bool kernel_nofault_allowed(const void *addr)
{
	return (unsigned long)addr >= TASK_SIZE_MAX + PAGE_SIZE;
}

int get_kernel_nofault_u64(u64 *val, const void *addr)
{
	int err = 0;
	u64 v = 0;

	if (!kernel_nofault_allowed(addr))
		return -EFAULT;

	__asm__ __volatile__("1: movq (%2), %1\n"
			     "2:\n"
			     ".pushsection .fixup, \"ax\"\n"
			     "3: movl %3, %0\n"
			     "   jmp 2b\n"
			     ".popsection\n" _ASM_EXTABLE(1b, 3b)
			     : "+r"(err), "+r"(v)
			     : "r"(addr), "i"(-EFAULT));
	*val = v;
	return err;
}

int put_kernel_nofault_u8(void *addr, u8 val)
{
	int err = 0;

	if (!kernel_nofault_allowed(addr))
		return -EFAULT;

	__asm__ __volatile__("1: movb %2, (%1)\n"
			     "2:\n"
			     ".pushsection .fixup, \"ax\"\n"
			     "3: movl %3, %0\n"
			     "   jmp 2b\n"
			     ".popsection\n" _ASM_EXTABLE(1b, 3b)
			     : "+r"(err)
			     : "r"(addr), "q"(val), "i"(-EFAULT)
			     : "memory");
	return err;
}

int get_user_u32(u32 *val, const void *uaddr)
{
	return copy_from_user(val, uaddr, sizeof(*val)) ? -EFAULT : 0;
}

int put_user_u32(u32 val, void *uaddr)
{
	return copy_to_user(uaddr, &val, sizeof(val)) ? -EFAULT : 0;
}
