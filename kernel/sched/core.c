// SPDX-License-Identifier: MIT
/*
 * A round-robin scheduler for one CPU, and context_switch with Linux's
 * treatment of mm and active_mm (spec §2.3):
 *
 *   prev -> next       what happens to the address space
 *   kernel -> kernel   next borrows prev's active_mm; the reference moves over
 *   user   -> kernel   next borrows prev's mm: mmgrab (the lazy-TLB reference)
 *   kernel -> user     switch_mm to next->mm; prev's borrowed mm is dropped
 *                      after the switch (finish_task_switch: mmdrop)
 *   user   -> user     switch_mm (nothing to do between threads of one mm)
 *
 * A kernel thread never changes CR3: the kernel half is the same in every
 * PGD, so it runs on whatever was loaded.  The kernel is not preemptible:
 * the timer only sets need_resched, and the switch happens on the way
 * back to user mode or when a task sleeps.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/io.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <asm/uaccess.h>

extern char init_stack[];

struct task_struct init_task = {
	.state = TASK_RUNNING,
	.flags = PF_KTHREAD,
	.pid = 0,
	.comm = "swapper",
	.mm = NULL,
	.active_mm = &init_mm,
	.stack = init_stack,
	.real_parent = &init_task,
	.group_leader = &init_task,
	.children = LIST_HEAD_INIT(init_task.children),
	.sibling = LIST_HEAD_INIT(init_task.sibling),
	.tasks = LIST_HEAD_INIT(init_task.tasks),
	.thread_group = LIST_HEAD_INIT(init_task.thread_group),
	.thread_node = LIST_HEAD_INIT(init_task.thread_node),
};
struct task_struct *current_task = &init_task;
struct mm_struct *cpu_loaded_mm = &init_mm;
volatile u64 jiffies;

static LIST_HEAD(runqueue);
static bool resched_pending;
static int slice_left;
static struct mm_struct *rq_prev_mm; /* a lazy mm to drop once we are off prev's stack */
#define TIMESLICE_TICKS 2

bool need_resched(void)
{
	return resched_pending;
}

/*
 * A preemption point for a long loop in a system call (Linux: cond_resched).
 * System calls run with interrupts off, so such a loop would also stop the
 * clock: open a window for a pending timer interrupt (sti takes effect
 * after the next instruction, hence the nop), then switch if the tick says
 * our time slice is over.  Call it only where no lock is held.
 */
void cond_resched(void)
{
	__asm__ __volatile__("sti; nop; cli" ::: "memory");
	if (need_resched())
		schedule();
}

static bool on_runqueue(struct task_struct *p)
{
	return p->run_list.next != NULL;
}

void wake_up_process(struct task_struct *p)
{
	if (p->state == TASK_DEAD)
		return; /* its stack may be gone already: never run it again */
	p->state = TASK_RUNNING;
	if (p != &init_task && !on_runqueue(p) && p != current)
		list_add_tail(&p->run_list, &runqueue);
}

/*
 * Load next's page table if it is not the one loaded; keep mm_cpumask
 * (one CPU: bit 0) telling which mms this CPU may hold TLB entries for.
 * Linux: switch_mm_irqs_off.
 */
void switch_mm(struct mm_struct *prev, struct mm_struct *next, struct task_struct *tsk)
{
	if (cpu_loaded_mm == next)
		return;
	if (cpu_loaded_mm != &init_mm)
		cpu_loaded_mm->cpu_bitmap[0] &= ~1UL;
	if (next != &init_mm)
		next->cpu_bitmap[0] |= 1UL;
	write_cr3(__pa(next->pgd));
	cpu_loaded_mm = next;
}

struct task_struct *__switch_to_asm(unsigned long *prev_sp, unsigned long next_sp,
				    struct task_struct *prev);

static void finish_task_switch(struct task_struct *prev)
{
	struct mm_struct *mm = rq_prev_mm;

	rq_prev_mm = NULL;
	if (mm)
		mmdrop(mm); /* mmdrop_lazy_tlb: the kernel thread's borrowed mm */
	if (prev->state == TASK_DEAD) {
		/* We are off its stack now: the reaper thread can free it. */
		list_add_tail(&prev->run_list, &task_list_dead);
		extern struct task_struct *reaper_thread;
		if (reaper_thread)
			wake_up_process(reaper_thread);
	}
}

/* A new task's first code after the switch (entry_64.S: ret_from_fork_asm). */
void schedule_tail(struct task_struct *prev)
{
	finish_task_switch(prev);
	if (current->set_child_tid) /* CLONE_CHILD_SETTID: the child writes its own tid */
		put_user_u32(current->pid, current->set_child_tid);
}

static void context_switch(struct task_struct *prev, struct task_struct *next)
{
	if (!next->mm) {
		next->active_mm = prev->active_mm;
		if (prev->mm)
			mmgrab(prev->active_mm); /* user -> kernel */
		else
			prev->active_mm = NULL; /* kernel -> kernel: the reference moves */
	} else {
		switch_mm(prev->active_mm, next->mm, next);
		if (!prev->mm) { /* kernel -> user */
			rq_prev_mm = prev->active_mm;
			prev->active_mm = NULL;
		}
	}
	__switch_to_prepare(prev, next);
	current_task = next;
	prev = __switch_to_asm(&prev->thread.sp, next->thread.sp, prev);
	finish_task_switch(prev);
}

void schedule(void)
{
	struct task_struct *prev = current, *next;
	unsigned long flags;

	local_irq_save(flags);
	resched_pending = false;
	if (prev->state == TASK_RUNNING && prev != &init_task && !on_runqueue(prev))
		list_add_tail(&prev->run_list, &runqueue);
	if (list_empty(&runqueue)) {
		next = &init_task; /* nothing to run: the idle task */
	} else {
		next = list_first_entry(&runqueue, struct task_struct, run_list);
		list_del(&next->run_list);
		next->run_list.next = next->run_list.prev = NULL;
	}
	slice_left = TIMESLICE_TICKS;
	if (next != prev) {
		if (prev->state == TASK_RUNNING)
			prev->nivcsw++;
		else
			prev->nvcsw++;
		context_switch(prev, next);
	}
	local_irq_restore(flags);
}

/* ---- time ---------------------------------------------------------------- */

void timer_tick_wakeups(void);

static void timer_interrupt(struct pt_regs *regs)
{
	outb(0x20, 0x20); /* end of interrupt to the PIC */
	jiffies++;
	timer_tick_wakeups();
	if (current != &init_task && --slice_left <= 0)
		resched_pending = true;
	if (current == &init_task && !list_empty(&runqueue))
		resched_pending = true;
}

/* PIT channel 0, rate generator at HZ; IRQ0 unmasked on the PIC. */
static void pit_init(void)
{
	unsigned int divisor = 1193182 / HZ;

	outb(0x34, 0x43);
	outb(divisor & 0xff, 0x40);
	outb(divisor >> 8, 0x40);
	register_irq_handler(IRQ0_VECTOR, timer_interrupt);
	outb(inb(0x21) & ~0x01, 0x21);
}

void sched_init(void)
{
	init_mm.cpu_bitmap[0] = 1;
	pit_init();
}

/* The idle task: sleep until an interrupt, then run whatever it woke. */
void cpu_idle_loop(void)
{
	for (;;) {
		while (list_empty(&runqueue)) {
			__asm__ __volatile__("sti; hlt; cli" ::: "memory");
		}
		schedule();
	}
}
