// SPDX-License-Identifier: MIT
/*
 * Enough futex for musl's pthreads: FUTEX_WAIT (sleep while *uaddr == val)
 * and FUTEX_WAKE.  A waiter is keyed by (mm, address): private futexes of
 * different processes at the same address never meet.
 */
#include <linux/kernel.h>
#include <linux/futex.h>
#include <linux/sched_core.h>
#include <linux/signal.h>
#include <asm/uaccess.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

int futex_wake(unsigned long uaddr, int nr)
{
	struct task_struct *t;
	int woken = 0;

	list_for_each_entry(t, &init_task.tasks, tasks) {
		if (woken >= nr)
			break;
		if (t->wait_addr == uaddr && t->mm == current->mm && t->state == TASK_INTERRUPTIBLE) {
			t->wait_addr = 0;
			wake_up_process(t);
			woken++;
		}
	}
	return woken;
}

static long futex_wait(unsigned long uaddr, u32 val, const void *timeout)
{
	u32 cur;

	if (uaddr & 3)
		return -EINVAL;
	if (get_user_u32(&cur, (void *)uaddr))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	current->wait_addr = uaddr;
	while (current->wait_addr == uaddr) {
		current->state = TASK_INTERRUPTIBLE;
		schedule();
		if (fatal_signal_pending(current)) {
			current->wait_addr = 0;
			return -EINTR;
		}
	}
	return 0;
}

long sys_futex(u32 *uaddr, int op, u32 val, const void *timeout, u32 *uaddr2, u32 val3)
{
	switch (op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)) {
	case FUTEX_WAIT:
		return futex_wait((unsigned long)uaddr, val, timeout);
	case FUTEX_WAKE:
		return futex_wake((unsigned long)uaddr, (int)val);
	default:
		return -ENOSYS;
	}
}
