// SPDX-License-Identifier: MIT
/* The memory-map system calls' entry points (Linux: arch/x86/kernel/sys_x86_64.c, mm/mmap.c). */
#include <linux/kernel.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <uapi/mman.h>

unsigned long sys_brk(unsigned long brk);

long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags,
	      unsigned long fd, unsigned long off)
{
	struct fl_file *file = NULL;

	if (off & ~PAGE_MASK)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		struct file *f = fget((int)fd);
		if (!f)
			return -EBADF;
		if (f->type != FILE_RAMFS)
			return -ENODEV; /* the console and /proc files cannot be mapped */
		file = f->inode;
	}
	return vm_mmap_pgoff(file, addr, len, prot, flags, off >> PAGE_SHIFT);
}

long sys_munmap(unsigned long addr, size_t len)
{
	struct mm_struct *mm = current->mm;

	mmap_write_lock(mm);
	long ret = do_vmi_munmap(mm, addr, len);
	mmap_write_unlock(mm);
	return ret;
}

/* Faultline's own syscall: fault tracing on (1) or off (0); returns the old setting. */
long sys_fault_trace(unsigned long on)
{
	long old = fault_trace_enabled;

	fault_trace_enabled = on;
	return old;
}
