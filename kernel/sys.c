// SPDX-License-Identifier: MIT
/* Small system calls: identity, time, limits, uname. */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <asm/processor.h>
#include <asm/uaccess.h>

long sys_getpid(void) { return current->tgid; }
long sys_gettid(void) { return current->pid; }
long sys_getppid(void) { return current->group_leader->real_parent->tgid; }
long sys_getuid(void) { return 0; }
long sys_getpgrp(void) { return current->tgid; }
long sys_setsid(void) { return current->tgid; }

long sys_set_tid_address(int *tidptr)
{
	current->clear_child_tid = tidptr;
	return current->pid;
}

long sys_sched_yield(void)
{
	schedule();
	return 0;
}

struct new_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

long sys_uname(struct new_utsname *name)
{
	struct new_utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "Linux", sizeof(u.sysname)); /* what static binaries expect to see */
	strlcpy(u.nodename, "faultline", sizeof(u.nodename));
	strlcpy(u.release, "6.7.0-faultline", sizeof(u.release));
	strlcpy(u.version, "#1 Faultline teaching kernel", sizeof(u.version));
	strlcpy(u.machine, "x86_64", sizeof(u.machine));
	strlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(name, &u, sizeof(u)) ? -EFAULT : 0;
}

struct timespec {
	long tv_sec, tv_nsec;
};

#define NSEC_PER_TICK (1000000000L / HZ)

long sys_clock_gettime(int clock, struct timespec *tp)
{
	struct timespec ts = { jiffies / HZ, (jiffies % HZ) * NSEC_PER_TICK };

	if (clock < 0 || clock > 11)
		return -EINVAL;
	return copy_to_user(tp, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/* Wake sleepers whose time has come (from the timer interrupt). */
void timer_tick_wakeups(void)
{
	struct task_struct *t;
	extern void console_poll_input(void);

	list_for_each_entry(t, &init_task.tasks, tasks)
		if (t->sleep_until && t->sleep_until <= jiffies && !t->exit_state) {
			t->sleep_until = 0;
			wake_up_process(t);
		}
	console_poll_input();
}

long sys_nanosleep(const struct timespec *req, struct timespec *rem)
{
	struct timespec ts;

	if (copy_from_user(&ts, req, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	u64 ticks = ts.tv_sec * HZ + DIV_ROUND_UP(ts.tv_nsec, NSEC_PER_TICK);
	if (!ticks)
		return 0;
	current->sleep_until = jiffies + ticks;
	while (current->sleep_until) {
		current->state = TASK_INTERRUPTIBLE;
		schedule();
		if (fatal_signal_pending(current)) {
			current->sleep_until = 0; /* or the timer would wake us again, even after we died */
			return -EINTR;
		}
	}
	return 0;
}

struct rlimit64 {
	u64 rlim_cur, rlim_max;
};
#define RLIMIT_STACK 3
#define RLIM_INFINITY (~0ULL)

long sys_prlimit64(pid_t pid, unsigned int resource, const struct rlimit64 *new_rlim,
		   struct rlimit64 *old_rlim)
{
	struct rlimit64 r = { RLIM_INFINITY, RLIM_INFINITY };

	if (resource >= 16)
		return -EINVAL;
	if (resource == RLIMIT_STACK)
		r.rlim_cur = rlimit_stack;
	if (old_rlim && copy_to_user(old_rlim, &r, sizeof(r)))
		return -EFAULT;
	return new_rlim ? -EPERM : 0;
}

long sys_getrandom(char *buf, size_t count, unsigned int flags)
{
	for (size_t i = 0; i < count; i++) {
		u8 b = (u8)(rdtsc() * 2654435761u >> 13);
		if (copy_to_user(buf + i, &b, 1))
			return -EFAULT;
	}
	return count;
}

struct task_struct *find_task_by_pid(pid_t pid)
{
	struct task_struct *t;

	list_for_each_entry(t, &init_task.tasks, tasks)
		if (t->pid == pid && !t->exit_state)
			return t;
	return NULL;
}
