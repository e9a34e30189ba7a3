/* SPDX-License-Identifier: MIT */
#ifndef _ASM_X86_SERIAL_H
#define _ASM_X86_SERIAL_H

#include <linux/types.h>

#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8

void serial_init(u16 port);
void serial_putc(u16 port, char c);
void serial_write(u16 port, const char *s, size_t n);
void serial_write_raw(u16 port, const char *s, size_t n);
int serial_getc_nonblock(u16 port);

#endif
