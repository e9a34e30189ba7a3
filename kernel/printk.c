// SPDX-License-Identifier: MIT
/*
 * printk: format into a small buffer and send it to the serial console
 * if its level is below console_loglevel.  Every message is also kept in
 * a ring buffer (log_buf) that GDB helpers and tests can read even when
 * "quiet" hid it from the console.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/serial.h>

int console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;

#define LOG_BUF_LEN (64 * 1024)
char log_buf[LOG_BUF_LEN];
unsigned long log_next; /* total bytes ever logged; log_buf holds the last LOG_BUF_LEN */

static int last_level = 6;

int vprintk(const char *fmt, va_list args)
{
	char buf[512];
	int level = 6; /* KERN_INFO is the default, like Linux's default_message_loglevel */

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		level = fmt[1] == 'c' ? last_level : fmt[1] - '0';
		fmt += 2;
	}
	last_level = level;

	int n = vsnprintf(buf, sizeof(buf), fmt, args);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	for (int i = 0; i < n; i++)
		log_buf[log_next++ % LOG_BUF_LEN] = buf[i];
	if (level < console_loglevel)
		serial_write(COM1_PORT, buf, n);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
