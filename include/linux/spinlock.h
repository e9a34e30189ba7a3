/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks on a uniprocessor, non-preemptive kernel.  Nothing can run
 * between lock and unlock except interrupt handlers, so a lock only has
 * to disable interrupts when an interrupt handler takes it too (the
 * _irqsave forms).  The lock word still records the holder state, and
 * taking a held lock is reported: on one CPU that is always a deadlock.
 */
#ifndef _LINUX_SPINLOCK_H
#define _LINUX_SPINLOCK_H

#include <linux/kernel.h>
#ifndef HOST_TEST
#include <asm/processor.h>
#endif

typedef struct {
	int locked;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name) { 0 }
#define DEFINE_SPINLOCK(name) spinlock_t name = __SPIN_LOCK_UNLOCKED(name)

static inline void spin_lock_init(spinlock_t *l)
{
	l->locked = 0;
}

static inline void spin_lock(spinlock_t *l)
{
	if (unlikely(l->locked))
		panic("spin_lock: deadlock, lock %p already held", (void *)l);
	l->locked = 1;
}

static inline void spin_unlock(spinlock_t *l)
{
	l->locked = 0;
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return l->locked;
}

#ifdef HOST_TEST
#define spin_lock_irqsave(l, flags) ((void)(flags), spin_lock(l))
#define spin_unlock_irqrestore(l, flags) ((void)(flags), spin_unlock(l))
#else
#define spin_lock_irqsave(l, flags)                                                                \
	do {                                                                                       \
		local_irq_save(flags);                                                             \
		spin_lock(l);                                                                      \
	} while (0)
#define spin_unlock_irqrestore(l, flags)                                                           \
	do {                                                                                       \
		spin_unlock(l);                                                                    \
		local_irq_restore(flags);                                                          \
	} while (0)
#endif

#endif
