// SPDX-License-Identifier: MIT
/*
 * Creating tasks and address spaces, and the reference counts that keep
 * an mm alive (spec §2.1, §2.4):
 *
 *   mm_users  tasks using the address space (+ temporary holders).
 *             mmget / mmget_not_zero / mmput.  The last mmput tears the
 *             address space down (exit_mmap) and drops the one mm_count
 *             reference all users share.
 *   mm_count  references to the struct itself (the users as one, lazy-TLB
 *             borrowers, mmgrab holders).  mmgrab / mmdrop.  The last
 *             mmdrop frees the PGD and the struct (__mmdrop).
 *
 * fork without CLONE_VM copies the mm (dup_mm -> dup_mmap): every VMA is
 * duplicated and every present PTE copied, private writable ones made
 * read-only in both parent and child so the first write copies the page.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/file.h>
#include <linux/signal.h>
#include <asm/pgtable_kernel.h>
#include <asm/tlbflush.h>
#include <asm/uaccess.h>

static struct kmem_cache *mm_cachep, *task_cachep;
static pid_t last_pid;
unsigned long nr_tasks = 1;
bool mm_refcount_debug = true; /* panic when a count goes negative ("mm_refcount_debug=0" disables) */
LIST_HEAD(task_list_dead);

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID 0x01000000

void fork_init(void)
{
	/* The cpumask sits at the end of the struct, sized for NR_CPUS (spec §1.1). */
	mm_cachep = kmem_cache_create("mm_struct", sizeof(struct mm_struct) + sizeof(unsigned long) * 1,
				      L1_CACHE_BYTES, SLAB_HWCACHE_ALIGN, NULL);
	task_cachep = kmem_cache_create("task_struct", sizeof(struct task_struct), 16, 0, NULL);
}

/* ---- pgd ----------------------------------------------------------------- */

/* A new PGD: empty user half, kernel half copied from swapper_pg_dir (shared tables). */
static pgd_t *pgd_alloc(void)
{
	pgd_t *pgd = (pgd_t *)get_zeroed_page(GFP_KERNEL);

	if (pgd)
		memcpy(pgd + KERNEL_PGD_BOUNDARY, swapper_pg_dir + KERNEL_PGD_BOUNDARY,
		       (PTRS_PER_PGD - KERNEL_PGD_BOUNDARY) * sizeof(pgd_t));
	return pgd;
}

static void pgd_free(pgd_t *pgd)
{
	free_page((unsigned long)pgd);
}

static u64 next_ctx_id = 1;

/* Reset what a new mm must not inherit.  Linux: mm_init. */
static struct mm_struct *mm_init(struct mm_struct *mm, struct task_struct *owner)
{
	mt_init(&mm->mm_mt);
	atomic_set(&mm->mm_users, 1);
	atomic_set(&mm->mm_count, 1);
	init_rwsem(&mm->mmap_lock);
	spin_lock_init(&mm->page_table_lock);
	spin_lock_init(&mm->arg_lock);
	atomic_long_set(&mm->pgtables_bytes, 0);
	mm->map_count = 0;
	mm->locked_vm = 0;
	atomic_long_set(&mm->pinned_vm, 0);
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		atomic_long_set(&mm->rss_stat[i], 0);
	mm->cpu_bitmap[0] = 0;
	mm->owner = owner;
	mm->def_flags &= VM_INIT_DEF_MASK;
	mm->flags &= 1UL << MMF_DUMPABLE;
	atomic_set(&mm->tlb_flush_pending, 0);
	mm->context.ctx_id = next_ctx_id++;
	atomic_long_set(&mm->context.tlb_gen, 0);
	mm->pgd = pgd_alloc();
	if (!mm->pgd) {
		kmem_cache_free(mm_cachep, mm);
		return NULL;
	}
	list_add_tail(&mm->mmlist, &init_mm.mmlist);
	return mm;
}

/* A fresh, empty mm (exec).  Linux: mm_alloc. */
struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = kmem_cache_zalloc(mm_cachep, GFP_KERNEL);

	if (!mm)
		return NULL;
	return mm_init(mm, current);
}

static void refcount_underflow(const char *what, struct mm_struct *mm, int value)
{
	if (mm_refcount_debug)
		panic("%s of mm %p went to %d", what, (void *)mm, value);
}

void mmgrab(struct mm_struct *mm)
{
	atomic_inc(&mm->mm_count);
}

/* Warn about counters that should all be zero when the mm dies.  Linux: check_mm. */
static void check_mm(struct mm_struct *mm)
{
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (get_mm_counter(mm, i))
			printk(KERN_ERR "BUG: mm %p freed with rss_stat[%d] = %ld\n", (void *)mm, i,
			       get_mm_counter(mm, i));
	if (atomic_long_read(&mm->pgtables_bytes))
		printk(KERN_ERR "BUG: mm %p freed with pgtables_bytes = %ld\n", (void *)mm,
		       atomic_long_read(&mm->pgtables_bytes));
}

/* The last reference to the struct: free the PGD and the struct.  Linux: __mmdrop. */
static void __mmdrop(struct mm_struct *mm)
{
	BUG_ON(mm == &init_mm);
	if (cpu_loaded_mm == mm)
		panic("__mmdrop: mm %p is still loaded in CR3", (void *)mm);
	check_mm(mm);
	list_del(&mm->mmlist);
	pgd_free(mm->pgd);
	kmem_cache_free(mm_cachep, mm);
}

void mmdrop(struct mm_struct *mm)
{
	int v = atomic_dec_return(&mm->mm_count);

	if (v < 0)
		refcount_underflow("mm_count", mm, v);
	if (v == 0)
		__mmdrop(mm);
}

void mmget(struct mm_struct *mm)
{
	atomic_inc(&mm->mm_users);
}

bool mmget_not_zero(struct mm_struct *mm)
{
	return atomic_inc_not_zero(&mm->mm_users);
}

/* The last user: unmap everything, then give up the users' mm_count reference.  Linux: mmput. */
void mmput(struct mm_struct *mm)
{
	int v = atomic_dec_return(&mm->mm_users);

	if (v < 0)
		refcount_underflow("mm_users", mm, v);
	if (v == 0) {
		exit_mmap(mm);
		mmdrop(mm);
	}
}

/* ---- fork: copying an address space --------------------------------------- */

/* Linux: dup_mmap.  Both mms are write-locked; any failure leaves a consistent child to mmput. */
static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *mpnt;
	int ret = 0;

	mmap_write_lock(oldmm);
	mmap_write_lock(mm);
	mm->total_vm = oldmm->total_vm;
	mm->data_vm = oldmm->data_vm;
	mm->exec_vm = oldmm->exec_vm;
	mm->stack_vm = oldmm->stack_vm;

	for_each_vma(oldmm, mpnt) {
		if (mpnt->vm_flags & VM_DONTCOPY) {
			vm_stat_account(mm, mpnt->vm_flags, -(long)vma_pages(mpnt));
			continue;
		}
		/* The child is promised its own copy of private writable memory: overcommit check. */
		if ((mpnt->vm_flags & VM_ACCOUNT) && security_vm_enough_memory_mm(oldmm, vma_pages(mpnt))) {
			ret = -ENOMEM;
			break;
		}
		struct vm_area_struct *tmp = vm_area_dup(mpnt);
		if (!tmp) {
			ret = -ENOMEM;
			break;
		}
		tmp->vm_mm = mm;
		tmp->vm_flags &= ~VM_LOCKED; /* mlock is not inherited */
		if (tmp->vm_flags & VM_WIPEONFORK)
			tmp->anon_vma = NULL;
		if (vma_link(mm, tmp)) {
			vm_area_free(tmp);
			ret = -ENOMEM;
			break;
		}
		if (tmp->vm_ops && tmp->vm_ops->open)
			tmp->vm_ops->open(tmp);
		/*
		 * Only VMAs with anonymous pages need their PTEs copied; shared and
		 * untouched file mappings are simply faulted in again by the child
		 * (Linux: vma_needs_copy).
		 */
		if (!(tmp->vm_flags & VM_WIPEONFORK) && mpnt->anon_vma && copy_page_range(tmp, mpnt)) {
			ret = -ENOMEM;
			break;
		}
	}
	/* Parent PTEs lost write permission: its TLB must forget the old ones. */
	flush_tlb_mm(oldmm);
	mmap_write_unlock(mm);
	mmap_write_unlock(oldmm);
	return ret;
}

/* Linux: dup_mm.  A copy of the parent's struct, reset by mm_init, then dup_mmap. */
struct mm_struct *dup_mm(struct task_struct *tsk, struct mm_struct *oldmm)
{
	struct mm_struct *mm = kmem_cache_alloc(mm_cachep, GFP_KERNEL);

	if (!mm)
		return NULL;
	memcpy(mm, oldmm, sizeof(*mm) + sizeof(unsigned long));
	if (!mm_init(mm, tsk))
		return NULL;
	if (dup_mmap(mm, oldmm)) {
		mmput(mm); /* frees whatever was copied */
		return NULL;
	}
	mm->hiwater_rss = get_mm_rss(mm);
	mm->hiwater_vm = mm->total_vm;
	return mm;
}

/* Linux: copy_mm.  Threads share the mm; a fork copies it. */
static int copy_mm(unsigned long clone_flags, struct task_struct *tsk)
{
	struct mm_struct *oldmm = current->mm;

	tsk->min_flt = tsk->maj_flt = 0;
	tsk->nvcsw = tsk->nivcsw = 0;
	tsk->mm = tsk->active_mm = NULL;
	if (!oldmm)
		return 0; /* a kernel thread's child */
	if (clone_flags & CLONE_VM) {
		mmget(oldmm);
		tsk->mm = tsk->active_mm = oldmm;
		return 0;
	}
	struct mm_struct *mm = dup_mm(tsk, oldmm);
	if (!mm)
		return -ENOMEM;
	tsk->mm = tsk->active_mm = mm;
	return 0;
}

struct task_struct *alloc_task_struct(void)
{
	return kmem_cache_zalloc(task_cachep, GFP_KERNEL);
}

void free_task_struct(struct task_struct *t)
{
	kmem_cache_free(task_cachep, t);
}

/* Create a task: a kernel thread (args->fn) or a copy of the current one.  Linux: copy_process. */
static struct task_struct *copy_process(struct kernel_clone_args *args)
{
	unsigned long clone_flags = args->flags;
	struct task_struct *p;

	if ((clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND))
		return ERR_PTR(-EINVAL);
	if ((clone_flags & CLONE_SIGHAND) && !(clone_flags & CLONE_VM))
		return ERR_PTR(-EINVAL);
	p = alloc_task_struct();
	if (!p)
		return ERR_PTR(-ENOMEM);
	memcpy(p, current, sizeof(*p));
	p->stack = alloc_kernel_stack();
	if (!p->stack) {
		free_task_struct(p);
		return ERR_PTR(-ENOMEM);
	}
	p->run_list.next = p->run_list.prev = NULL;
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->thread_group);
	p->pending = 0;
	p->exit_state = 0;
	p->exit_code = 0;
	p->wait_addr = 0;
	p->vfork_parent = NULL;
	p->flags &= ~PF_EXITING;
	if (args->fn)
		p->flags |= PF_KTHREAD;
	else
		p->flags &= ~PF_KTHREAD;

	p->group_exit = false;
	p->group_exit_code = 0;
	p->group_exec_task = NULL;
	if (args->fn) {
		p->mm = NULL;
		p->active_mm = NULL;
		p->files = NULL;
		p->sighand = NULL;
	} else {
		p->files = NULL;
		p->sighand = NULL;
		int err = copy_mm(clone_flags, p);
		if (!err)
			err = copy_files(clone_flags & CLONE_FILES, p);
		if (!err)
			err = copy_sighand(clone_flags, p);
		if (err) {
			if (p->mm)
				mmput(p->mm);
			exit_files(p);
			free_kernel_stack(p->stack);
			free_task_struct(p);
			return ERR_PTR(err);
		}
	}
	copy_thread(p, args->fn, args->fn_arg, args->stack, args->tls, clone_flags & CLONE_SETTLS);

	p->pid = ++last_pid;
	if (clone_flags & CLONE_THREAD) {
		p->tgid = current->tgid;
		p->group_leader = current->group_leader;
		p->exit_signal = -1;
		list_add_tail(&p->thread_node, &p->group_leader->thread_group);
	} else {
		p->tgid = p->pid;
		p->group_leader = p;
		p->exit_signal = args->exit_signal;
		INIT_LIST_HEAD(&p->thread_node);
	}
	p->set_child_tid = (clone_flags & CLONE_CHILD_SETTID) ? args->child_tid : NULL;
	p->clear_child_tid = (clone_flags & CLONE_CHILD_CLEARTID) ? args->child_tid : NULL;
	p->real_parent = (clone_flags & (CLONE_PARENT | CLONE_THREAD)) ? current->real_parent : current;
	list_add_tail(&p->sibling, &p->real_parent->children);
	list_add_tail(&p->tasks, &init_task.tasks);
	nr_tasks++;
	return p;
}

long kernel_clone(struct kernel_clone_args *args)
{
	struct task_struct *p = copy_process(args);

	if (IS_ERR(p))
		return PTR_ERR(p);
	pid_t pid = p->pid;
	if (args->flags & CLONE_PARENT_SETTID)
		put_user_u32(pid, args->parent_tid);
	if (args->flags & CLONE_VFORK)
		p->vfork_parent = current;
	wake_up_process(p);
	if (args->flags & CLONE_VFORK) {
		/* The parent sleeps until the child execs or exits (mm_release wakes it). */
		while (p->vfork_parent == current) {
			current->state = TASK_INTERRUPTIBLE;
			schedule();
		}
	}
	return pid;
}

struct task_struct *kthread_create(int (*fn)(void *), void *arg, const char *name)
{
	struct kernel_clone_args args = { .fn = fn, .fn_arg = arg, .exit_signal = 0 };
	struct task_struct *p = copy_process(&args);

	if (IS_ERR(p))
		return NULL;
	strlcpy(p->comm, name, sizeof(p->comm));
	p->state = TASK_INTERRUPTIBLE;
	return p;
}

struct task_struct *kthread_run(int (*fn)(void *), void *arg, const char *name)
{
	struct task_struct *p = kthread_create(fn, arg, name);

	if (p)
		wake_up_process(p);
	return p;
}

long sys_fork(void)
{
	struct kernel_clone_args args = { .exit_signal = SIGCHLD };
	return kernel_clone(&args);
}

long sys_vfork(void)
{
	struct kernel_clone_args args = { .flags = CLONE_VFORK | CLONE_VM, .exit_signal = SIGCHLD };
	return kernel_clone(&args);
}

/* clone(flags, newsp, parent_tid, child_tid, tls): the x86-64 argument order. */
long sys_clone(unsigned long clone_flags, unsigned long newsp, int *parent_tidptr, int *child_tidptr,
	       unsigned long tls)
{
	struct kernel_clone_args args = {
		.flags = clone_flags & ~0xffUL,
		.exit_signal = clone_flags & 0xff,
		.stack = newsp,
		.tls = tls,
		.parent_tid = parent_tidptr,
		.child_tid = child_tidptr,
	};
	return kernel_clone(&args);
}
