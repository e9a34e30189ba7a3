/* SPDX-License-Identifier: MIT */
/*
 * Tasks.  Each task has an mm (NULL for kernel threads) and an active_mm:
 * the address space its CPU has loaded (a kernel thread borrows the
 * previous task's; see kernel/sched/core.c and spec §2.3).
 */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/kallsyms.h>
#include <asm/ptrace.h>

struct mm_struct;
struct files_struct;

typedef int pid_t;

/* Task states */
#define TASK_RUNNING 0x0000
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_DEAD 0x0080 /* exited; nothing left but the struct, reaped by its parent or the reaper */
/* exit_state */
#define EXIT_ZOMBIE 0x0020
#define EXIT_DEAD 0x0010

/* flags */
#define PF_EXITING 0x00000004
#define PF_KTHREAD 0x00200000

#define TASK_COMM_LEN 16

/* Saved CPU state of a task that is not running (arch/x86/kernel/process.c). */
struct thread_struct {
	unsigned long sp;     /* kernel stack pointer at the last context switch */
	unsigned long fsbase; /* user TLS base (arch_prctl ARCH_SET_FS) */
	u8 fxsave[512] __attribute__((aligned(16))); /* user FPU/SSE registers */
};

struct task_struct {
	volatile long state;
	unsigned int flags;
	pid_t pid;  /* thread id */
	pid_t tgid; /* thread-group (process) id: getpid() */
	char comm[TASK_COMM_LEN];

	struct mm_struct *mm;        /* our address space; NULL for kernel threads */
	struct mm_struct *active_mm; /* the one loaded while we run */

	void *stack; /* lowest address of the kernel stack (KERNEL_STACK_SIZE bytes) */
	struct thread_struct thread;

	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct list_head children; /* our children, linked by their sibling */
	struct list_head sibling;
	struct list_head tasks;    /* every task, from init_task.tasks */
	struct list_head thread_node; /* the threads of our group, from the leader's thread_group */
	struct list_head thread_group;
	struct list_head run_list; /* on the run queue when runnable */

	int exit_state;
	int exit_code;   /* the wait status: code << 8, or the signal number */
	int exit_signal; /* signal to the parent on exit (SIGCHLD; -1 for threads) */
	bool group_exit;     /* leader: exit_group ran; group_exit_code is everyone's status */
	int group_exit_code;
	unsigned long pending;  /* bitmask of pending signals */
	unsigned long blocked;  /* rt_sigprocmask's mask (kept, not enforced) */
	int *set_child_tid, *clear_child_tid;

	unsigned long min_flt, maj_flt; /* page faults, minor and major (spec §4.9) */
	unsigned int oom_retries;       /* faults retried in a row after an allocation failure */
	unsigned long nvcsw, nivcsw;    /* context switches: voluntary, involuntary */
	u64 sleep_until;                /* nanosleep deadline, in timer ticks */
	unsigned long wait_addr;        /* futex address we sleep on, 0 if none */
	struct files_struct *files;
	struct sighand_struct *sighand;
	struct task_struct *group_exec_task; /* leader: a thread is exec'ing and killing the others */
	struct task_struct *vfork_parent; /* parent waiting for us to exec or exit (vfork) */
};

extern struct task_struct *current_task;
#define current current_task
extern struct task_struct init_task;

static inline struct pt_regs *task_pt_regs(struct task_struct *t)
{
	return (struct pt_regs *)((char *)t->stack + KERNEL_STACK_SIZE) - 1;
}

#endif
