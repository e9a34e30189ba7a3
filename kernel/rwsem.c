// SPDX-License-Identifier: MIT
/* Reader/writer semaphores (linux/rwsem.h): sleep on a wait list when contended. */
#include <linux/rwsem.h>
#include <linux/sched_core.h>

void init_rwsem(struct rw_semaphore *sem)
{
	sem->count = 0;
	sem->owner = NULL;
	INIT_LIST_HEAD(&sem->wait_list);
}

/* Sleep until the semaphore may have changed.  Waiters are woken all at once and retry. */
static void rwsem_wait(struct rw_semaphore *sem)
{
	if (!current || current == &init_task)
		panic("rwsem %p: contended in a context that cannot sleep", (void *)sem);
	/* The run_list is free while we sleep; the wait list reuses it. */
	list_add_tail(&current->run_list, &sem->wait_list);
	current->state = TASK_UNINTERRUPTIBLE;
	schedule();
}

static void rwsem_wake(struct rw_semaphore *sem)
{
	while (!list_empty(&sem->wait_list)) {
		struct task_struct *t = list_first_entry(&sem->wait_list, struct task_struct, run_list);
		list_del(&t->run_list);
		t->run_list.next = t->run_list.prev = NULL;
		wake_up_process(t);
	}
}

bool down_read_trylock(struct rw_semaphore *sem)
{
	if (sem->count < 0)
		return false;
	sem->count++;
	return true;
}

void down_read(struct rw_semaphore *sem)
{
	while (!down_read_trylock(sem))
		rwsem_wait(sem);
}

void up_read(struct rw_semaphore *sem)
{
	if (--sem->count == 0)
		rwsem_wake(sem);
}

bool down_write_trylock(struct rw_semaphore *sem)
{
	if (sem->count != 0)
		return false;
	sem->count = -1;
	sem->owner = current;
	return true;
}

void down_write(struct rw_semaphore *sem)
{
	while (!down_write_trylock(sem))
		rwsem_wait(sem);
}

void up_write(struct rw_semaphore *sem)
{
	sem->count = 0;
	sem->owner = NULL;
	rwsem_wake(sem);
}

/* Writer becomes a reader without letting another writer in between. */
void downgrade_write(struct rw_semaphore *sem)
{
	sem->count = 1;
	sem->owner = NULL;
	rwsem_wake(sem);
}
