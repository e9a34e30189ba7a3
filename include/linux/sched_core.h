/* SPDX-License-Identifier: MIT */
/* The scheduler (kernel/sched/core.c), fork (kernel/fork.c) and exit (kernel/exit.c). */
#ifndef _LINUX_SCHED_CORE_H
#define _LINUX_SCHED_CORE_H

#include <linux/sched.h>

#define HZ 100 /* timer ticks per second */
extern volatile u64 jiffies;

void sched_init(void);
void schedule(void);
void wake_up_process(struct task_struct *p);
void scheduler_tick(void);
bool need_resched(void);
void cond_resched(void);
void cpu_idle_loop(void) __attribute__((noreturn));
struct task_struct *find_task_by_pid(pid_t pid);
void switch_mm(struct mm_struct *prev, struct mm_struct *next, struct task_struct *tsk);
extern struct mm_struct *cpu_loaded_mm; /* cpu_tlbstate.loaded_mm */

/* Kernel threads */
struct task_struct *kthread_create(int (*fn)(void *), void *arg, const char *name);
struct task_struct *kthread_run(int (*fn)(void *), void *arg, const char *name);

/* fork/clone */
struct kernel_clone_args {
	unsigned long flags;
	int exit_signal;
	unsigned long stack;
	unsigned long tls;
	int *parent_tid, *child_tid;
	int (*fn)(void *); /* kernel thread */
	void *fn_arg;
};
long kernel_clone(struct kernel_clone_args *args);
void *alloc_kernel_stack(void);
void free_kernel_stack(void *stack);
void copy_thread(struct task_struct *p, int (*fn)(void *), void *arg, unsigned long new_sp,
		 unsigned long tls, bool set_tls);
void start_thread(struct pt_regs *regs, unsigned long ip, unsigned long sp);
void __switch_to_prepare(struct task_struct *prev, struct task_struct *next);
struct task_struct *alloc_task_struct(void);
void free_task_struct(struct task_struct *t);
extern struct list_head task_list_dead;
extern unsigned long nr_tasks;

/* exit */
__attribute__((noreturn)) void do_exit(long code);
__attribute__((noreturn)) void do_group_exit(int exit_code);
void exit_mm(void);
void release_task(struct task_struct *p);
bool thread_group_empty(struct task_struct *p);
void exec_mm_release(struct task_struct *tsk, struct mm_struct *mm);
void reaper_init(void);
extern struct task_struct *init_process;

#endif
