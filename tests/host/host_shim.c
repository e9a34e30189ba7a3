// SPDX-License-Identifier: MIT
/*
 * What kernel code expects from the rest of the kernel, for host unit
 * tests: printk to stdout, panic that aborts (so ASan shows the stack),
 * and the direct-map base that HOST_TEST points at a malloc'ed arena.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

unsigned long page_offset_base;
int console_loglevel = 7;

int vprintk(const char *fmt, va_list ap)
{
	if (fmt[0] == '\001' && fmt[1])
		fmt += 2;
	return vprintf(fmt, ap);
}

int printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}
