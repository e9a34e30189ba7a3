// SPDX-License-Identifier: MIT
/*
 * 16550 UART driver, polled.  COM1 (0x3f8) is the console: kernel
 * messages and user fd 1/2.  COM2 (0x2f8) is the control channel the
 * test tools read: one machine-readable line when the machine powers off
 * (see kernel/reboot.c and docs/testing.md).
 */
#include <linux/kernel.h>
#include <asm/io.h>
#include <asm/serial.h>

#define UART_RBR 0 /* receive buffer (read) */
#define UART_THR 0 /* transmit holding (write) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LCR_DLAB 0x80

void serial_init(u16 port)
{
	outb(0x00, port + UART_IER);          /* no interrupts: we poll */
	outb(UART_LCR_DLAB, port + UART_LCR); /* divisor latch */
	outb(0x01, port + 0);                 /* 115200 baud */
	outb(0x00, port + 1);
	outb(0x03, port + UART_LCR); /* 8 data bits, no parity, 1 stop */
	outb(0xc7, port + UART_FCR); /* FIFO on, cleared */
	outb(0x0b, port + UART_MCR);
}

void serial_putc(u16 port, char c)
{
	while (!(inb(port + UART_LSR) & UART_LSR_THRE))
		;
	outb(c, port + UART_THR);
}

void serial_write(u16 port, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc(port, '\r');
		serial_putc(port, s[i]);
	}
}

/* Raw bytes, no CR insertion: what user programs write must arrive unchanged. */
void serial_write_raw(u16 port, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(port, s[i]);
}

int serial_getc_nonblock(u16 port)
{
	if (!(inb(port + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(port + UART_RBR);
}
