// SPDX-License-Identifier: MIT
/*
 * mprotect (spec §5.4): change the permissions of whole VMAs or parts of
 * them, splitting and merging as needed, then rewrite the PTEs already
 * present.  Changes made before a hole in the range are kept (Linux does
 * not roll back either).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <uapi/mman.h>

static int mprotect_fixup(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
			  unsigned long end, vm_flags_t newflags)
{
	/* LAB mmap BEGIN: give [start, end) of vma the new flags: VMAs, accounting, then the PTEs already there */
	vm_flags_t oldflags = vma->vm_flags;
	long nrpages = (end - start) >> PAGE_SHIFT;

	if (newflags == oldflags)
		return 0;
	/* A private mapping becoming writable is promised memory now: the overcommit check (mm/util.c). */
	if ((newflags & VM_WRITE) && !(oldflags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE))) {
		if (security_vm_enough_memory_mm(mm, nrpages))
			return -ENOMEM;
		newflags |= VM_ACCOUNT;
	}
	vma = vma_modify_flags(mm, vma, start, end, newflags);
	if (IS_ERR(vma))
		return PTR_ERR(vma);
	vm_stat_account(mm, oldflags, -nrpages);
	vm_stat_account(mm, newflags, nrpages);
	change_protection(vma, max(start, vma->vm_start), min(end, vma->vm_end));
	return 0;
	/* LAB mmap STUB
	return -ENOMEM;
	   LAB mmap END */
}

long sys_mprotect(unsigned long start, size_t len, unsigned long prot)
{
	struct mm_struct *mm = current->mm;
	unsigned long end, nstart, tmp;
	struct vm_area_struct *vma;
	const unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	int error = 0;

	prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP)) /* it cannot grow both ways */
		return -EINVAL;
	if ((start & ~PAGE_MASK))
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;

	mmap_write_lock(mm);
	vma = find_vma(mm, start);
	error = -ENOMEM;
	if (!vma || vma->vm_start >= end)
		goto out;
	if (vma->vm_start > start) {
		if (!(grows & PROT_GROWSDOWN))
			goto out;
	}
	if (grows & PROT_GROWSDOWN) {
		error = -EINVAL;
		if (!(vma->vm_flags & VM_GROWSDOWN))
			goto out;
		start = vma->vm_start;
	}
	if (grows & PROT_GROWSUP) {
		error = -EINVAL; /* x86 has no VM_GROWSUP mappings */
		goto out;
	}
	for (nstart = start;;) {
		vm_flags_t newflags = (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC)) |
				      (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
				      (prot & PROT_EXEC ? VM_EXEC : 0);
		/* Only what the VMA may ever have: VM_MAY* sits 4 bits above each permission. */
		if ((newflags & ~(newflags >> 4)) & (VM_READ | VM_WRITE | VM_EXEC)) {
			error = -EACCES;
			goto out;
		}
		tmp = min(vma->vm_end, end);
		error = mprotect_fixup(mm, vma, nstart, tmp, newflags);
		if (error)
			goto out;
		nstart = tmp;
		if (nstart >= end)
			goto out;
		/* The next VMA must start right here (it may have merged with the one we just changed). */
		vma = find_vma(mm, nstart);
		if (!vma || vma->vm_start > nstart) {
			error = -ENOMEM; /* a hole inside the range */
			goto out;
		}
	}
out:
	mmap_write_unlock(mm);
	return error;
}
