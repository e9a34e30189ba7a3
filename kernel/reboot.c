// SPDX-License-Identifier: MIT
#include <linux/kernel.h>
#include <linux/reboot.h>
#include <asm/io.h>
#include <asm/processor.h>
#include <asm/serial.h>

static __noreturn void power_off(const char *kind, int value, long extra, u32 debug_exit_value)
{
	char line[80];
	int n = snprintf(line, sizeof(line), "FAULTLINE-EXIT %s %d %ld\n", kind, value, extra);

	serial_write_raw(COM2_PORT, line, n);
	outl(debug_exit_value, DEBUG_EXIT_PORT);
	/* Not under QEMU with isa-debug-exit: stop here. */
	for (;;) {
		local_irq_disable();
		native_halt();
	}
}

void machine_power_off_ktest(void)
{
	power_off("ktest", 0, 0, FL_EXIT_KTEST_DONE);
}

/*
 * QEMU's own exit status carries the shell-style status of init: the
 * exit code, or 128 + the signal that killed it (shifted by QEMU, so
 * only 7 bits survive; tools/run-elf reads the exact value from COM2).
 */
void machine_power_off_init(int wait_status, long free_delta)
{
	int shell = (wait_status & 0x7f) ? 128 + (wait_status & 0x7f) : (wait_status >> 8) & 0xff;

	power_off("init", wait_status, free_delta, shell);
}

void machine_power_off_panic(void)
{
	power_off("panic", 0, 0, FL_EXIT_PANIC);
}
