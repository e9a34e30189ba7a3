/* SPDX-License-Identifier: MIT */
/*
 * Powering QEMU off.  QEMU's isa-debug-exit device (port 0xf4) makes QEMU
 * exit with status (value << 1) | 1.  The exact outcome also goes to COM2
 * as one line, "FAULTLINE-EXIT <kind> <value> <extra>", because 8 bits of QEMU exit
 * status cannot tell a panic from every possible init exit status.
 * docs/testing.md describes the protocol.
 */
#ifndef _LINUX_REBOOT_H
#define _LINUX_REBOOT_H

#include <linux/compiler.h>

#define DEBUG_EXIT_PORT 0xf4
#define FL_EXIT_KTEST_DONE 0x10 /* QEMU exits 33: in-kernel tests finished (read the KTAP) */
#define FL_EXIT_PANIC 0x11      /* QEMU exits 35: kernel panic */

/* The in-kernel tests ran; their verdict is in the KTAP output. */
__noreturn void machine_power_off_ktest(void);
/*
 * PID 1 ended with this wait status (Linux encoding: code << 8, or the
 * signal number); free_delta is the change in free pages since /init
 * started (0: nothing leaked).
 */
__noreturn void machine_power_off_init(int wait_status, long free_delta);
__noreturn void machine_power_off_panic(void);

#endif
