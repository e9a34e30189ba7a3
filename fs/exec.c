// SPDX-License-Identifier: MIT
/*
 * execve: replace the calling task's address space with a new program's.
 *
 *   1. find the file, copy argv and envp into the kernel (E2BIG, EFAULT)
 *   2. check the ELF headers (ENOEXEC)            <- failures return to the caller
 *   3. mm_alloc a new mm, pick its layout
 *   4. exec_mmap: current->mm = the new mm, CR3 switched, old mm mmput
 *                                                  <- the point of no return
 *   5. load_elf_binary maps the segments, builds the stack (create_elf_tables)
 *   6. start_thread: the user registers at the ELF entry point
 * Linux: do_execveat_common, begin_new_exec, exec_mmap (spec §2.5, §6).
 */
#include <linux/kernel.h>
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/uaccess.h>

long kernel_read(struct fl_file *file, unsigned long pos, void *buf, unsigned long count)
{
	unsigned long done = 0;

	if (pos >= file->size)
		return 0;
	count = min(count, file->size - pos);
	while (done < count) {
		unsigned long p = pos + done, chunk = min(count - done, PAGE_SIZE - p % PAGE_SIZE);
		memcpy((char *)buf + done, (char *)page_address(file->pages[p / PAGE_SIZE]) + p % PAGE_SIZE, chunk);
		done += chunk;
	}
	return done;
}

/* Length of a NULL-terminated array of string pointers; from user space or the kernel. */
static int count_strings(const char *const *argv, bool user)
{
	int n = 0;

	if (!argv)
		return 0;
	for (;; n++) {
		u64 p;
		if (n >= MAX_ARG_STRINGS)
			return -E2BIG;
		if (user) {
			if (get_user_u64(&p, &argv[n]))
				return -EFAULT;
		} else {
			p = (u64)argv[n];
		}
		if (!p)
			return n;
	}
}

/* Append argv[0..n) to bprm->strings. */
static int copy_strings(struct linux_binprm *bprm, int n, const char *const *argv, bool user)
{
	for (int i = 0; i < n; i++) {
		u64 p;
		if (user) {
			if (get_user_u64(&p, &argv[i]))
				return -EFAULT;
		} else {
			p = (u64)argv[i];
		}
		unsigned long room = MAX_ARG_BYTES - bprm->strings_len;
		long len;
		if (user) {
			len = strncpy_from_user(bprm->strings + bprm->strings_len, (const char *)p, room);
			if (len < 0)
				return -EFAULT;
		} else {
			len = strnlen((const char *)p, room);
			memcpy(bprm->strings + bprm->strings_len, (const char *)p, len < (long)room ? len + 1 : len);
		}
		if ((unsigned long)len >= room)
			return -E2BIG;
		bprm->strings_len += len + 1;
	}
	return 0;
}

/* Install the new mm.  From here on a failure can only kill the task.  Linux: exec_mmap. */
static void exec_mmap(struct mm_struct *mm)
{
	struct task_struct *tsk = current;
	struct mm_struct *old_mm = tsk->mm, *active_mm = tsk->active_mm;

	if (old_mm)
		exec_mm_release(tsk, old_mm); /* clear_child_tid, wake a vfork parent */
	tsk->mm = mm;
	tsk->active_mm = mm;
	switch_mm(active_mm, mm, tsk); /* activate_mm */
	if (old_mm)
		mmput(old_mm);
	else
		mmdrop(active_mm); /* a kernel thread exec'ing drops its lazy reference */
}

static int do_execve_common(const char *filename, const char *const *argv, const char *const *envp,
			    bool user)
{
	struct linux_binprm bprm = { .filename = filename };
	int ret;

	bprm.file = ramfs_lookup(filename);
	if (!bprm.file)
		return -ENOENT;
	if ((bprm.file->mode & S_IFMT) != S_IFREG)
		return -EACCES;
	bprm.argc = count_strings(argv, user);
	if (bprm.argc < 0)
		return bprm.argc;
	bprm.envc = count_strings(envp, user);
	if (bprm.envc < 0)
		return bprm.envc;
	bprm.strings = kmalloc(MAX_ARG_BYTES, GFP_KERNEL);
	if (!bprm.strings)
		return -ENOMEM;
	ret = copy_strings(&bprm, bprm.argc, argv, user);
	if (!ret && bprm.argc == 0) {
		/* An empty argv gets "" so argv[0] exists (Linux 5.18+). */
		bprm.strings[bprm.strings_len++] = 0;
		bprm.argc = 1;
	}
	if (!ret)
		ret = copy_strings(&bprm, bprm.envc, envp, user);
	if (!ret)
		ret = load_elf_binary(&bprm);
	kfree(bprm.strings);
	return ret;
}

/*
 * Called by load_elf_binary once the headers are known to be good:
 * make the new mm and switch to it.  Linux: begin_new_exec.
 */
/*
 * exec ends every other thread of the process first (Linux: de_thread):
 * they get SIGKILL and we wait until each has gone through do_exit.
 * Faultline supports this from the thread-group leader only; an exec from
 * another thread, which Linux allows by giving the exec'ing thread the
 * leader's identity, fails with -EBUSY before the point of no return.
 */
static int de_thread(struct task_struct *tsk)
{
	struct task_struct *leader = tsk->group_leader, *t;
	bool others;

	if (thread_group_empty(tsk))
		return 0;
	if (leader != tsk)
		return -EBUSY;
	leader->group_exec_task = tsk;
	list_for_each_entry(t, &leader->thread_group, thread_node)
		if (!t->exit_state)
			send_sig(SIGKILL, t);
	do {
		schedule(); /* we stay runnable: the killed threads run and exit */
		others = false;
		list_for_each_entry(t, &leader->thread_group, thread_node)
			others |= !t->exit_state;
	} while (others && !fatal_signal_pending(tsk));
	leader->group_exec_task = NULL;
	return others ? -EINTR : 0;
}

int begin_new_exec(struct linux_binprm *bprm)
{
	int err = de_thread(current);

	if (err)
		return err;
	struct mm_struct *mm = mm_alloc();

	if (!mm)
		return -ENOMEM;
	flush_signal_handlers(current);
	current->flags &= ~PF_KTHREAD; /* PID 1 started as a kernel thread: now it is a process */
	arch_pick_mmap_layout(mm);
	bprm->mm = mm;
	exec_mmap(mm);
	const char *base = strrchr(bprm->filename, '/');
	strlcpy(current->comm, base ? base + 1 : bprm->filename, sizeof(current->comm));
	return 0;
}

long sys_execve(const char *ufilename, const char *const *argv, const char *const *envp)
{
	char filename[256];
	long len = strncpy_from_user(filename, ufilename, sizeof(filename));

	if (len < 0)
		return -EFAULT;
	if (len == sizeof(filename))
		return -ENAMETOOLONG;
	return do_execve_common(filename, argv, envp, true);
}

int kernel_execve(const char *filename, const char *const *argv, const char *const *envp)
{
	return do_execve_common(filename, argv, envp, false);
}
