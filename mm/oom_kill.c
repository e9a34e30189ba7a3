// SPDX-License-Identifier: MIT
/*
 * The OOM killer.  When a user page fault cannot get memory, pick the
 * process with the largest resident set and kill it with SIGKILL; its
 * memory comes back when it exits.  PID 1 is chosen only when nothing
 * else is left.  (Linux: out_of_memory, select_bad_process; its badness
 * score is RSS + page tables + swap, adjusted by oom_score_adj.)
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/oom.h>
#include <linux/sched_core.h>
#include <linux/signal.h>
#include <linux/gfp.h>

unsigned long oom_kills;

/*
 * A task's score: the memory its address space holds.  Any live thread
 * speaks for its process (the leader may have exited already).
 */
static unsigned long badness(struct task_struct *t)
{
	if (!t->mm || (t->flags & (PF_KTHREAD | PF_EXITING)))
		return 0;
	return get_mm_rss(t->mm) + atomic_long_read(&t->mm->pgtables_bytes) / PAGE_SIZE + 1;
}

/* Is some process already dying of an OOM kill?  Then its memory is on the way back. */
static bool victim_in_flight(void)
{
	struct task_struct *t;

	list_for_each_entry(t, &init_task.tasks, tasks)
		if (t->mm && (t->pending & (1UL << SIGKILL)) && !t->exit_state)
			return true;
	return false;
}

extern unsigned long min_free_kbytes_pages;

void pagefault_out_of_memory(void)
{
	struct task_struct *t, *victim = NULL;
	unsigned long worst = 0;

	/*
	 * Memory is there (the failure was injected, or transient): retry the
	 * access, as Linux's pagefault_out_of_memory does, instead of killing.
	 * A task that keeps failing this way is treated as out of memory.
	 */
	if (nr_free_pages() > min_free_kbytes_pages + 64 && ++current->oom_retries < 1000)
		return;
	current->oom_retries = 0;
	/* Linux's oom_killer skips tasks already dying: one victim at a time, retry meanwhile. */
	if (victim_in_flight() && !(current->pending & (1UL << SIGKILL)))
		return;

	list_for_each_entry(t, &init_task.tasks, tasks) {
		unsigned long points = badness(t);
		if (t->tgid == 1)
			points = points ? 1 : 0; /* init last */
		if (points > worst) {
			worst = points;
			victim = t;
		}
	}
	if (!victim)
		panic("Out of memory and no killable processes");
	oom_kills++;
	printk(KERN_ERR "Out of memory: killed process %d (%s) total-vm:%lukB anon-rss:%lukB file-rss:%lukB\n",
	       victim->pid, victim->comm, victim->mm->total_vm * 4,
	       get_mm_counter(victim->mm, MM_ANONPAGES) * 4, get_mm_counter(victim->mm, MM_FILEPAGES) * 4);
	/* The whole process dies: every thread, the leader too if it still runs. */
	struct task_struct *leader = victim->group_leader;
	if (!leader->exit_state)
		send_sig(SIGKILL, leader);
	list_for_each_entry(t, &leader->thread_group, thread_node)
		if (!t->exit_state)
			send_sig(SIGKILL, t);
}
