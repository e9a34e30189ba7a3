/* SPDX-License-Identifier: MIT */
#ifndef _LINUX_INIT_H
#define _LINUX_INIT_H

#include <linux/types.h>

#define COMMAND_LINE_SIZE 1024
extern char boot_command_line[COMMAND_LINE_SIZE];

/* The value of "name=value" on the command line, copied into buf; NULL if absent. */
const char *cmdline_get(const char *name, char *buf, size_t size);
/* True if the bare word "name" (or "name=...") is on the command line. */
bool cmdline_has(const char *name);
/* The numeric value of "name=N", or def if absent. */
unsigned long cmdline_get_ulong(const char *name, unsigned long def);

#endif
