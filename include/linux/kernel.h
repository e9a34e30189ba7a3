/* SPDX-License-Identifier: MIT */
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/printk.h>
#include <stdarg.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define ULONG_MAX (~0UL)
#define LONG_MAX ((long)(~0UL >> 1))
#define INT_MAX ((int)(~0U >> 1))
#define UINT_MAX (~0U)

__noreturn __printf(1, 2) void panic(const char *fmt, ...);

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(cond)                                                                               \
	do {                                                                                       \
		if (unlikely(cond))                                                                \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);                   \
	} while (0)
#define WARN_ON(cond)                                                                              \
	({                                                                                         \
		bool __w = !!(cond);                                                               \
		if (unlikely(__w))                                                                 \
			printk(KERN_WARNING "WARNING: %s at %s:%d\n", #cond, __FILE__, __LINE__);  \
		__w;                                                                               \
	})

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
__printf(3, 4) int snprintf(char *buf, size_t size, const char *fmt, ...);
unsigned long simple_strtoul(const char *s, const char **end, unsigned int base);

#endif
