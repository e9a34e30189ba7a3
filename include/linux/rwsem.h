/* SPDX-License-Identifier: MIT */
/*
 * A reader/writer semaphore: many readers or one writer.  count > 0 is
 * the number of readers, -1 means a writer holds it.  A task that cannot
 * take it sleeps on the wait list until the holder releases it
 * (kernel/rwsem.c).  With one CPU and a kernel that never sleeps while
 * holding mmap_lock, contention means a bug; waiting still works.
 */
#ifndef _LINUX_RWSEM_H
#define _LINUX_RWSEM_H

#include <linux/types.h>
#include <linux/list.h>

struct task_struct;

struct rw_semaphore {
	long count;
	struct task_struct *owner; /* the writer, for debugging (GDB shows it) */
	struct list_head wait_list;
};

#define __RWSEM_INITIALIZER(name) { 0, NULL, LIST_HEAD_INIT((name).wait_list) }
#define DECLARE_RWSEM(name) struct rw_semaphore name = __RWSEM_INITIALIZER(name)

void init_rwsem(struct rw_semaphore *sem);
void down_read(struct rw_semaphore *sem);
bool down_read_trylock(struct rw_semaphore *sem);
void up_read(struct rw_semaphore *sem);
void down_write(struct rw_semaphore *sem);
bool down_write_trylock(struct rw_semaphore *sem);
void up_write(struct rw_semaphore *sem);
void downgrade_write(struct rw_semaphore *sem);
static inline bool rwsem_is_locked(const struct rw_semaphore *sem) { return sem->count != 0; }
static inline bool rwsem_is_write_locked(const struct rw_semaphore *sem) { return sem->count < 0; }

#endif
