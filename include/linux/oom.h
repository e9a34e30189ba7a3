/* SPDX-License-Identifier: MIT */
#ifndef _LINUX_OOM_H
#define _LINUX_OOM_H

#include <linux/types.h>

/* A user fault could not get a page: kill the biggest process (mm/oom_kill.c). */
void pagefault_out_of_memory(void);
extern unsigned long oom_kills;

#endif
