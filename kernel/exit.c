// SPDX-License-Identifier: MIT
/*
 * Ending tasks: do_exit, exit_mm, zombies, wait4 and reparenting.
 *
 * A task that exits gives up its address space (exit_mm -> mmput), keeps
 * the mm as a lazy active_mm until its last schedule(), and becomes a
 * zombie holding only its exit status.  Its kernel stack is freed by the
 * reaper kernel thread once nothing runs on it; the struct goes when the
 * parent collects the status with wait4 (or at once for threads and for
 * children of a parent that does not wait: reparented to init).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/reboot.h>
#include <linux/sched_core.h>
#include <linux/signal.h>
#include <linux/file.h>
#include <linux/futex.h>
#include <linux/page_census.h>

bool group_dead(struct task_struct *leader);
#include <asm/uaccess.h>

struct task_struct *reaper_thread;
struct task_struct *init_process; /* PID 1 */

/* Tell CLONE_CHILD_CLEARTID waiters and a vfork parent that we no longer use this mm.  Linux: mm_release. */
static void mm_release(struct task_struct *tsk, struct mm_struct *mm)
{
	if (tsk->clear_child_tid) {
		if (atomic_read(&mm->mm_users) > 1) {
			put_user_u32(0, tsk->clear_child_tid);
			futex_wake((unsigned long)tsk->clear_child_tid, 1);
		}
		tsk->clear_child_tid = NULL;
	}
	if (tsk->vfork_parent) {
		struct task_struct *parent = tsk->vfork_parent;
		tsk->vfork_parent = NULL;
		wake_up_process(parent);
	}
}

void exec_mm_release(struct task_struct *tsk, struct mm_struct *mm)
{
	mm_release(tsk, mm);
}

/* Give up the address space; keep it as a lazy active_mm until the final switch.  Linux: exit_mm. */
void exit_mm(void)
{
	struct mm_struct *mm = current->mm;

	if (!mm)
		return;
	mm_release(current, mm);
	mmap_read_lock(mm);
	mmgrab(mm); /* mmgrab_lazy_tlb: active_mm keeps the struct alive */
	current->mm = NULL;
	mmap_read_unlock(mm);
	mmput(mm);
}

/* Hand our children to init (PID 1). */
static void forget_original_parent(struct task_struct *father)
{
	struct task_struct *child, *n;
	struct task_struct *reaper = init_process && init_process != father ? init_process : &init_task;

	list_for_each_entry_safe(child, n, &father->children, sibling) {
		list_del(&child->sibling);
		child->real_parent = reaper;
		list_add_tail(&child->sibling, &reaper->children);
		if (child->exit_state == EXIT_ZOMBIE)
			wake_up_process(reaper);
	}
}

/* Free what is left of a task: its struct.  The kernel stack went with the reaper. */
void release_task(struct task_struct *p)
{
	/* A leader goes last; detach threads not yet reaped so they never touch its list again. */
	while (!list_empty(&p->thread_group))
		list_del_init(p->thread_group.next);
	list_del(&p->sibling);
	list_del(&p->tasks);
	if (!list_empty(&p->thread_node) && p->thread_node.next)
		list_del(&p->thread_node);
	nr_tasks--;
	if (p->stack)
		return; /* the reaper has not freed the stack yet: it will free the struct too */
	free_task_struct(p);
}

/* Become a zombie and tell the parent, or go away at once when nobody will wait.  Linux: exit_notify. */
static void exit_notify(struct task_struct *tsk)
{
	struct task_struct *leader = tsk->group_leader;

	forget_original_parent(tsk);
	if (tsk->exit_signal < 0) {
		tsk->exit_state = EXIT_DEAD; /* a thread: nobody waits for it */
		/* The last thread of a group whose leader already exited: the process is done now. */
		if (leader != tsk && leader->exit_state == EXIT_ZOMBIE && group_dead(leader))
			wake_up_process(leader->real_parent);
		return;
	}
	if (tsk->real_parent == &init_task) {
		tsk->exit_state = EXIT_DEAD; /* nobody to wait: auto-reap */
		return;
	}
	/* A leader stays a zombie; wait4 takes it only once all its threads are gone too. */
	tsk->exit_state = EXIT_ZOMBIE;
	if (group_dead(tsk))
		wake_up_process(tsk->real_parent);
}

/* Has every thread of leader's group exited (the leader included)? */
bool group_dead(struct task_struct *leader)
{
	struct task_struct *t;

	if (!leader->exit_state && !(leader->flags & PF_EXITING))
		return false;
	list_for_each_entry(t, &leader->thread_group, thread_node)
		if (!t->exit_state)
			return false;
	return true;
}

static __noreturn void init_exit_and_power_off(struct task_struct *tsk);

/*
 * PID 1 is exiting while other processes may still run: a test program
 * that returned early, orphans it never waited for, threads of a process
 * that is half way through exit_group.  Linux kills every process of a PID
 * namespace when the namespace's init exits, and waits for them
 * (zap_pid_ns_processes); so do we, before init's exit counts free pages.
 * Otherwise their memory would look leaked, and a real leak would hide
 * among it.  Orphans are reparented to init as they die, and init reaps
 * them here, as wait4 would.
 */
static void zap_pid_ns_processes(struct task_struct *init)
{
	u64 give_up = jiffies + 10 * HZ;
	int killed = 0;

	for (;;) {
		struct task_struct *t, *n;
		int alive = 0;

		list_for_each_entry_safe(t, n, &init_task.tasks, tasks) {
			if (t->tgid == init->tgid || (t->flags & PF_KTHREAD) || t->exit_state == EXIT_DEAD)
				continue;
			if (t->exit_state == EXIT_ZOMBIE) {
				if (t->real_parent == init && group_dead(t)) {
					t->exit_state = EXIT_DEAD;
					release_task(t);
				} else {
					alive++; /* its threads, or its parent, are still dying */
				}
				continue;
			}
			alive++;
			if (!(t->pending & (1UL << SIGKILL))) {
				send_sig(SIGKILL, t);
				killed++;
			}
		}
		if (!alive)
			break;
		if (jiffies > give_up) {
			printk(KERN_ERR "init: %d tasks did not die within 10 s of SIGKILL\n", alive);
			break;
		}
		schedule(); /* still TASK_RUNNING: let them run to their deaths */
	}
	if (killed)
		printk(KERN_INFO "init: exiting; killed %d tasks left behind\n", killed);
}

void do_exit(long code)
{
	struct task_struct *tsk = current;

	if (tsk->flags & PF_EXITING)
		panic("recursive do_exit in pid %d", tsk->pid);
	tsk->flags |= PF_EXITING;
	struct task_struct *leader = tsk->group_leader;
	if (leader->group_exit) {
		code = leader->group_exit_code; /* exit_group or a fatal signal: one status for all */
	} else if (thread_group_empty(tsk)) {
		/* The last thread to exit decides the process's status (Linux: synchronize_group_exit). */
		leader->group_exit = true;
		leader->group_exit_code = code;
	}
	tsk->exit_code = code;
	tsk->sleep_until = 0;
	tsk->wait_addr = 0;

	if (tsk->tgid == 1 && thread_group_empty(tsk)) {
		zap_pid_ns_processes(tsk->group_leader);
		init_exit_and_power_off(tsk);
	}
	exit_files(tsk);
	exit_sighand(tsk);
	exit_mm();
	exit_notify(tsk);
	tsk->state = TASK_DEAD;
	schedule(); /* never returns: finish_task_switch hands us to the reaper */
	panic("a dead task ran again");
}

/* Free the kernel stacks and structs of dead tasks now (the reaper's job, done synchronously). */
static void reap_dead_tasks(void)
{
	while (!list_empty(&task_list_dead)) {
		struct task_struct *t = list_first_entry(&task_list_dead, struct task_struct, run_list);
		list_del(&t->run_list);
		t->run_list.next = t->run_list.prev = NULL;
		free_kernel_stack(t->stack);
		t->stack = NULL;
		if (t->exit_state == EXIT_DEAD) {
			if (t->tasks.next)
				release_task(t);
			else
				free_task_struct(t);
		}
	}
}

/*
 * The last thread of PID 1 exits: give back everything the process held
 * (its mm, the lazy reference to it, files it left open beyond 0-2, dead
 * tasks' stacks) and compare the free-page count with the one taken just
 * before /init started.  The difference travels on the control line; the
 * test runner fails a test whose pages did not all come back.
 */
extern unsigned long init_baseline_free_pages;

static __noreturn void init_exit_and_power_off(struct task_struct *tsk)
{
	int status = tsk->group_leader->group_exit ? tsk->group_leader->group_exit_code
						   : tsk->group_leader->exit_code;
	struct mm_struct *lazy;

	for (int fd = 3; tsk->files && fd < NR_OPEN_DEFAULT; fd++)
		if (tsk->files->fd[fd]) {
			fput(tsk->files->fd[fd]);
			tsk->files->fd[fd] = NULL;
		}
	exit_mm();
	lazy = tsk->active_mm;
	switch_mm(lazy, &init_mm, tsk);
	tsk->active_mm = &init_mm;
	if (lazy != &init_mm)
		mmdrop(lazy);
	reap_dead_tasks();
	long delta = (long)nr_free_pages() - (long)init_baseline_free_pages;
	if (delta)
		leak_report(-delta);
	machine_power_off_init(status, delta);
}

/* exit_group: every thread of the group ends with the same status. */
void do_group_exit(int exit_code)
{
	struct task_struct *t, *n;
	struct task_struct *leader = current->group_leader;

	if (leader->group_exit)
		do_exit(leader->group_exit_code); /* another thread started the group exit */
	leader->group_exit = true;
	leader->group_exit_code = exit_code;
	list_for_each_entry_safe(t, n, &leader->thread_group, thread_node)
		if (t != current)
			send_sig(SIGKILL, t);
	if (leader != current && !(leader->flags & PF_EXITING))
		send_sig(SIGKILL, leader);
	do_exit(exit_code);
}

bool thread_group_empty(struct task_struct *p)
{
	struct task_struct *t;

	list_for_each_entry(t, &p->group_leader->thread_group, thread_node)
		if (t != p && !(t->flags & PF_EXITING))
			return false;
	return p->group_leader == p || (p->group_leader->flags & PF_EXITING);
}

long sys_exit(int code)
{
	do_exit((code & 0xff) << 8);
}

long sys_exit_group(int code)
{
	do_group_exit((code & 0xff) << 8);
}

#define WNOHANG 1

/* wait4(pid, status, options, rusage): collect a zombie child. */
long sys_wait4(pid_t pid, int *stat_addr, int options, void *ru)
{
	for (;;) {
		struct task_struct *child, *n;
		bool have_child = false;

		list_for_each_entry_safe(child, n, &current->children, sibling) {
			if (child->exit_signal < 0)
				continue; /* threads are not waited for */
			if (pid > 0 && child->pid != pid)
				continue;
			have_child = true;
			if (child->exit_state != EXIT_ZOMBIE || !group_dead(child))
				continue;
			pid_t cpid = child->pid;
			int status = child->group_exit ? child->group_exit_code : child->exit_code;
			/* Reap first: a bad status pointer still consumes the child, as on Linux. */
			child->exit_state = EXIT_DEAD;
			release_task(child);
			if (stat_addr && put_user_u32(status, stat_addr))
				return -EFAULT;
			if (ru && clear_user(ru, 144))
				return -EFAULT;
			return cpid;
		}
		if (!have_child)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		current->state = TASK_INTERRUPTIBLE;
		schedule();
		if (fatal_signal_pending(current))
			return -EINTR;
	}
}

/*
 * The reaper kernel thread: frees the kernel stacks of dead tasks, which
 * cannot free their own (they run on it until the last switch).  Being a
 * kernel thread, it borrows whatever mm was loaded: the lazy-TLB path of
 * context_switch runs every time a task dies.
 */
static int reaper_fn(void *unused)
{
	for (;;) {
		reap_dead_tasks();
		current->state = TASK_INTERRUPTIBLE;
		schedule();
	}
	return 0;
}

void reaper_init(void)
{
	reaper_thread = kthread_run(reaper_fn, NULL, "kreaper");
}
