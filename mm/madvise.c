// SPDX-License-Identifier: MIT
/*
 * madvise: MADV_DONTNEED drops the pages of a range (a private anonymous
 * page reads as zero afterwards; a file page is read again from the
 * file).  The advice-only values are accepted and ignored, as they are
 * hints to Linux too.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <uapi/mman.h>

long sys_madvise(unsigned long start, size_t len_in, int behavior)
{
	struct mm_struct *mm = current->mm;
	unsigned long end, len;
	int unmapped_error = 0;

	switch (behavior) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
		break;
	default:
		return -EINVAL;
	}
	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;

	mmap_read_lock(mm);
	struct vm_area_struct *vma = find_vma(mm, start);
	if (!vma) {
		mmap_read_unlock(mm);
		return -ENOMEM;
	}
	if (start < vma->vm_start)
		unmapped_error = -ENOMEM; /* a hole before the first VMA: still advise the rest */
	for (; vma && vma->vm_start < end; vma = vma_next(mm, vma)) {
		unsigned long s = max(start, vma->vm_start), e = min(end, vma->vm_end);
		if (behavior == MADV_DONTNEED || behavior == MADV_FREE) {
			if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP)) {
				mmap_read_unlock(mm);
				return -EINVAL;
			}
			if (behavior == MADV_DONTNEED || vma_is_anonymous(vma)) {
				update_hiwater_rss(mm); /* RSS is about to drop: remember the peak */
				zap_page_range(vma, s, e);
			}
		}
		struct vm_area_struct *next = vma_next(mm, vma);
		if (e < end && (!next || next->vm_start > e))
			unmapped_error = -ENOMEM; /* a hole inside or after */
	}
	mmap_read_unlock(mm);
	return unmapped_error;
}
