/* SPDX-License-Identifier: MIT */
#ifndef _LINUX_FUTEX_H
#define _LINUX_FUTEX_H

#include <linux/types.h>

int futex_wake(unsigned long uaddr, int nr);

#endif
