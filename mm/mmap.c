// SPDX-License-Identifier: MIT
/*
 * The address-space syscalls' core: mmap, munmap, brk, the placement of
 * new mappings (get_unmapped_area) and stack growth (expand_downwards).
 * Behaviour and errno values follow Linux (spec §5); the comments give
 * each rule's reason where it is not obvious.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/fs.h>
#include <linux/signal.h>
#include <asm/tlbflush.h>
#include <uapi/mman.h>

unsigned long rlimit_stack = RLIMIT_STACK_DEFAULT;

/* ---------------------------------------------------------------------
 * Layout (spec §5.6).  Faultline does not randomise: the layout is the
 * one Linux gives with ASLR off (setarch -R), so addresses in a GDB
 * session are the same every boot.
 *
 *   mmap_base = TASK_SIZE - clamp(stack rlimit + guard gap, 128 MiB, 5/6 TASK_SIZE)
 *             = 0x7ffff7fff000 with the 8 MiB default stack
 */
void arch_pick_mmap_layout(struct mm_struct *mm)
{
	unsigned long gap = rlimit_stack + STACK_GUARD_GAP;
	unsigned long gap_min = 128UL << 20, gap_max = TASK_SIZE / 6 * 5;

	gap = gap < gap_min ? gap_min : gap > gap_max ? gap_max : gap;
	mm->mmap_legacy_base = PAGE_ALIGN(TASK_SIZE / 3);
	mm->mmap_base = PAGE_ALIGN(TASK_SIZE - gap);
	mm->get_unmapped_area = arch_get_unmapped_area_topdown;
	mm->task_size = TASK_SIZE;
}

/*
 * The highest free range of len bytes below high (and at or above low),
 * keeping the guard gap below any stack VMA.  Linux: unmapped_area_topdown.
 */
static unsigned long unmapped_area_topdown(struct mm_struct *mm, unsigned long len,
					   unsigned long low, unsigned long high)
{
	while (high > low && high - low >= len) {
		MA_STATE(mas, &mm->mm_mt, 0, 0);
		if (mas_empty_area_rev(&mas, low, high - 1, len))
			return -ENOMEM;
		unsigned long addr = mas.index;
		struct vm_area_struct *next = find_vma(mm, addr);
		if (!next || addr + len <= vm_start_gap(next))
			return addr;
		high = vm_start_gap(next); /* too close to a stack: look lower */
	}
	return -ENOMEM;
}

/* The lowest free range of len bytes in [low, high).  Linux: unmapped_area. */
static unsigned long unmapped_area(struct mm_struct *mm, unsigned long len, unsigned long low,
				   unsigned long high)
{
	while (high > low && high - low >= len) {
		MA_STATE(mas, &mm->mm_mt, 0, 0);
		if (mas_empty_area(&mas, low, high - 1, len))
			return -ENOMEM;
		unsigned long addr = mas.index;
		struct vm_area_struct *next = find_vma(mm, addr);
		if (!next || addr + len <= vm_start_gap(next))
			return addr;
		low = next->vm_end;
	}
	return -ENOMEM;
}

unsigned long arch_get_unmapped_area_topdown(struct fl_file *file, unsigned long addr,
					     unsigned long len, unsigned long pgoff, unsigned long flags)
{
	struct mm_struct *mm = current->mm;
	unsigned long low = max(PAGE_SIZE, MMAP_MIN_ADDR);

	if (len > TASK_SIZE)
		return -ENOMEM;
	if (flags & MAP_FIXED)
		return addr;
	/* A hint is used when the range is free (guard gaps included); it is never an error. */
	if (addr) {
		addr &= PAGE_MASK; /* x86 rounds a hint down (the generic code rounds up) */
		if (addr <= TASK_SIZE - len) {
			struct vm_area_struct *vma = find_vma(mm, addr);
			if (!vma || addr + len <= vm_start_gap(vma))
				return addr;
		}
	}
	addr = unmapped_area_topdown(mm, len, low, mm->mmap_base);
	if (!IS_ERR_VALUE(addr))
		return addr;
	/* Nothing below mmap_base: fall back to bottom-up from the legacy base. */
	return unmapped_area(mm, len, mm->mmap_legacy_base, TASK_SIZE);
}

/* Linux: get_unmapped_area, the checks around the allocator. */
unsigned long get_unmapped_area(struct fl_file *file, unsigned long addr, unsigned long len,
				unsigned long pgoff, unsigned long flags)
{
	if (len > TASK_SIZE)
		return -ENOMEM;
	addr = current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if (addr > TASK_SIZE - len)
		return -ENOMEM;
	if (offset_in_page(addr))
		return -EINVAL;
	if (addr < MMAP_MIN_ADDR)
		return -EPERM; /* security_mmap_addr: below vm.mmap_min_addr */
	return addr;
}

static vm_flags_t calc_vm_prot_bits(unsigned long prot)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

static vm_flags_t calc_vm_flag_bits(unsigned long flags)
{
	return (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) | (flags & MAP_LOCKED ? VM_LOCKED : 0) |
	       (flags & MAP_STACK ? VM_NOHUGEPAGE : 0);
}

/*
 * Pages of [addr, end) already mapped, and how many of them are commit-charged
 * (VM_ACCOUNT): a MAP_FIXED mapping replaces them, so neither counts again.
 */
static unsigned long count_vma_pages_range(struct mm_struct *mm, unsigned long addr,
					   unsigned long end, unsigned long *accounted)
{
	unsigned long pages = 0;

	*accounted = 0;
	for (struct vm_area_struct *vma = find_vma_intersection(mm, addr, end); vma && vma->vm_start < end;
	     vma = vma_next(mm, vma)) {
		unsigned long n = (min(end, vma->vm_end) - max(addr, vma->vm_start)) >> PAGE_SHIFT;
		pages += n;
		if (vma->vm_flags & VM_ACCOUNT)
			*accounted += n;
	}
	return pages;
}

/* Create the VMA for [addr, addr+len) after unmapping what was there.  Linux: mmap_region. */
static unsigned long mmap_region(struct fl_file *file, unsigned long addr, unsigned long len,
				 vm_flags_t vm_flags, unsigned long pgoff)
{
	struct mm_struct *mm = current->mm;
	unsigned long pages = len >> PAGE_SHIFT;

	unsigned long accounted, mapped = count_vma_pages_range(mm, addr, addr + len, &accounted);
	if (!may_expand_vm(mm, vm_flags, pages - mapped))
		return -ENOMEM;
	/*
	 * Private writable memory is promised now and allocated at the first
	 * touch: the overcommit check, for the pages not already promised to
	 * mappings this one replaces.  It comes before the unmap, so a refused
	 * MAP_FIXED leaves the old mappings in place (Linux 6.12 and later;
	 * earlier kernels had unmapped them already).  Shared anonymous memory
	 * is checked by shmem_zero_setup.
	 */
	if ((vm_flags & (VM_WRITE | VM_SHARED | VM_NORESERVE)) == VM_WRITE) {
		if (pages > accounted && security_vm_enough_memory_mm(mm, pages - accounted))
			return -ENOMEM;
		vm_flags |= VM_ACCOUNT;
	}
	if (mapped && do_vmi_munmap(mm, addr, len))
		return -ENOMEM;

	struct vm_area_struct *vma = vm_area_alloc(mm);
	if (!vma)
		return -ENOMEM;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags;
	vma->vm_page_prot = vm_get_page_prot(vm_flags);
	vma->vm_pgoff = pgoff;
	if (file) {
		int err = file_mmap(file, vma);
		if (err) {
			vm_area_free(vma);
			return err;
		}
	} else if (vm_flags & VM_SHARED) {
		int err = shmem_zero_setup(vma);
		if (err) {
			vm_area_free(vma);
			return err;
		}
	}
	if (vma_link(mm, vma)) {
		if (vma->vm_ops && vma->vm_ops->close)
			vma->vm_ops->close(vma);
		vm_area_free(vma);
		return -ENOMEM;
	}
	vm_stat_account(mm, vm_flags, pages);
	if (vm_flags & VM_LOCKED)
		mm->locked_vm += pages;
	vma_merge_neighbours(mm, vma);
	return addr;
}

/*
 * The checks of spec §5.2, in Linux's order, then placement and
 * mmap_region.  *populate is set when the caller must fault the range in.
 */
unsigned long do_mmap(struct fl_file *file, unsigned long addr, unsigned long len,
		      unsigned long prot, unsigned long flags, vm_flags_t vm_flags,
		      unsigned long pgoff, unsigned long *populate)
{
	struct mm_struct *mm = current->mm;

	*populate = 0;
	if (!len)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED) && addr < MMAP_MIN_ADDR)
		addr = addr ? MMAP_MIN_ADDR : 0; /* round_hint_to_min */
	len = PAGE_ALIGN(len);
	if (!len)
		return -ENOMEM;
	if ((pgoff + (len >> PAGE_SHIFT)) < pgoff)
		return -EOVERFLOW;
	if (mm->map_count > sysctl_max_map_count)
		return -ENOMEM;

	addr = get_unmapped_area(file, addr, len, pgoff, flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if ((flags & MAP_FIXED_NOREPLACE) && find_vma_intersection(mm, addr, addr + len))
		return -EEXIST;

	vm_flags |= calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) | mm->def_flags | VM_MAYREAD |
		    VM_MAYWRITE | VM_MAYEXEC;

	if (file) {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
		case MAP_SHARED_VALIDATE:
			/* Files here are never open for writing: a shared mapping may not become writable. */
			if (prot & PROT_WRITE)
				return -EACCES;
			vm_flags |= VM_MAYSHARE;
			vm_flags &= ~VM_MAYWRITE;
			break;
		case MAP_PRIVATE:
			break;
		default:
			return -EINVAL;
		}
		if (flags & MAP_GROWSDOWN)
			return -EINVAL;
	} else {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			if (vm_flags & VM_GROWSDOWN)
				return -EINVAL;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			pgoff = 0;
			break;
		case MAP_PRIVATE:
			pgoff = addr >> PAGE_SHIFT; /* keeps anonymous pgoffs linear, so merges line up */
			break;
		default:
			return -EINVAL;
		}
	}
	if (flags & MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;

	addr = mmap_region(file, addr, len, vm_flags, pgoff);
	if (!IS_ERR_VALUE(addr) && ((flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE ||
				    (vm_flags & VM_LOCKED)))
		*populate = len;
	return addr;
}

/* mmap with the lock taken and MAP_POPULATE honoured after it is dropped.  Linux: vm_mmap_pgoff. */
unsigned long vm_mmap_pgoff(struct fl_file *file, unsigned long addr, unsigned long len,
			    unsigned long prot, unsigned long flags, unsigned long pgoff)
{
	struct mm_struct *mm = current->mm;
	unsigned long populate, ret;

	mmap_write_lock(mm);
	ret = do_mmap(file, addr, len, prot, flags, 0, pgoff, &populate);
	mmap_write_unlock(mm);
	if (populate && !IS_ERR_VALUE(ret))
		mm_populate(ret, populate); /* failures are ignored, as in Linux */
	return ret;
}

/*
 * Fault in every page of [start, start+len): MAP_POPULATE, MAP_LOCKED.
 * VMA by VMA: a PROT_NONE mapping (or a hole) is skipped whole, as Linux's
 * populate does, not page by page.
 */
int mm_populate(unsigned long start, unsigned long len)
{
	struct mm_struct *mm = current->mm;
	unsigned long end = start + len;
	int ret = 0;

	mmap_read_lock(mm);
	for (struct vm_area_struct *vma = find_vma(mm, start); vma && vma->vm_start < end && !ret;
	     vma = vma_next(mm, vma)) {
		if (!vma_is_accessible(vma))
			continue;
		unsigned int flags = FAULT_FLAG_REMOTE;
		/* Writable private mappings are populated writable (pre-COW), as GUP does. */
		if (vma->vm_flags & VM_WRITE)
			flags |= FAULT_FLAG_WRITE;
		for (unsigned long addr = max(start, vma->vm_start); addr < min(end, vma->vm_end); addr += PAGE_SIZE) {
			pte_t *pte = follow_pte(mm, addr);
			if (pte && pte_present(*pte) && (!(flags & FAULT_FLAG_WRITE) || pte_write(*pte)))
				continue;
			if (handle_mm_fault(vma, addr, flags, NULL) & VM_FAULT_ERROR) {
				ret = -ENOMEM;
				break;
			}
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				break;
			}
		}
	}
	mmap_read_unlock(mm);
	return ret;
}

/* ---------------------------------------------------------------------
 * munmap.  Linux: do_vmi_munmap -> do_vmi_align_munmap.
 *
 *   1. split the first VMA if the range starts inside it, and the last if
 *      the range ends inside it (a split into three counts against
 *      max_map_count);
 *   2. take every VMA in [start, end) out of the tree;
 *   3. zap their PTEs and free page tables no other VMA needs;
 *   4. un-account and free the VMAs.
 * A range with no VMAs in it is not an error.
 */
int do_vmi_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	unsigned long end;
	struct vm_area_struct *vma, *prev, *next;

	if (offset_in_page(start) || start > TASK_SIZE || len > TASK_SIZE - start)
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if (end == start)
		return -EINVAL;

	vma = find_vma_intersection(mm, start, end);
	if (!vma)
		return 0;
	if (start > vma->vm_start) {
		/* Unmapping the middle of one VMA makes three of it. */
		if (end < vma->vm_end && mm->map_count >= sysctl_max_map_count)
			return -ENOMEM;
		if (__split_vma(mm, vma, start, 1))
			return -ENOMEM;
	}
	struct vm_area_struct *last = vma->vm_end >= end ? vma : find_vma(mm, end - 1);
	if (last && last->vm_start < end && last->vm_end > end) {
		if (__split_vma(mm, last, end, 1))
			return -ENOMEM;
		if (last == vma)
			vma = find_vma(mm, start);
	}

	/* Now [start, end) holds whole VMAs only.  Collect them off the tree. */
	struct vm_area_struct *detached[64];
	prev = vma_prev(mm, vma);
	while (vma && vma->vm_start < end) {
		int n = 0;
		unsigned long batch_start = vma->vm_start, batch_end = vma->vm_start;
		for (; vma && vma->vm_start < end && n < (int)ARRAY_SIZE(detached); vma = vma_next(mm, vma)) {
			detached[n++] = vma;
			batch_end = vma->vm_end;
		}
		MA_STATE(mas, &mm->mm_mt, batch_start, batch_end - 1);
		if (mas_store_gfp(&mas, NULL))
			return -ENOMEM; /* earlier batches are gone; this one is intact */
		next = find_vma(mm, batch_end);
		mm->map_count -= n;
		update_hiwater_rss(mm);
		update_hiwater_vm(mm);
		for (int i = 0; i < n; i++) {
			struct vm_area_struct *d = detached[i];
			zap_page_range(d, d->vm_start, d->vm_end);
		}
		free_pgd_range(mm, batch_start, batch_end, prev ? prev->vm_end : 0,
			       next ? next->vm_start : TASK_SIZE);
		for (int i = 0; i < n; i++) {
			struct vm_area_struct *d = detached[i];
			vm_stat_account(mm, d->vm_flags, -(long)vma_pages(d));
			if (d->vm_flags & VM_LOCKED)
				mm->locked_vm -= vma_pages(d);
			if (d->vm_ops && d->vm_ops->close)
				d->vm_ops->close(d);
			vm_area_free(d);
		}
		vma = next;
	}
	return 0;
}

int do_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	return do_vmi_munmap(mm, start, len);
}

/* ---------------------------------------------------------------------
 * brk (spec §5.1).  Returns the new break, or the old one on any failure.
 */

/* Anonymous rw memory at [addr, addr+len): extend the VMA below or make one.  Linux: do_brk_flags. */
static int do_brk_flags(struct mm_struct *mm, struct vm_area_struct *brkvma, unsigned long addr,
			unsigned long len, vm_flags_t flags)
{
	unsigned long pages = len >> PAGE_SHIFT;

	flags |= VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm->def_flags;
	if (!may_expand_vm(mm, flags, pages) || mm->map_count > sysctl_max_map_count ||
	    security_vm_enough_memory_mm(mm, pages))
		return -ENOMEM;

	if (brkvma && brkvma->vm_end == addr && vma_is_anonymous(brkvma) &&
	    ((brkvma->vm_flags ^ flags) & ~VM_SOFTDIRTY) == 0) {
		brkvma->vm_end = addr + len;
		if (vma_store(mm, brkvma)) {
			brkvma->vm_end = addr;
			return -ENOMEM;
		}
	} else {
		struct vm_area_struct *vma = vm_area_alloc(mm);
		if (!vma)
			return -ENOMEM;
		vma->vm_start = addr;
		vma->vm_end = addr + len;
		vma->vm_pgoff = addr >> PAGE_SHIFT;
		vma->vm_flags = flags;
		vma->vm_page_prot = vm_get_page_prot(flags);
		if (vma_link(mm, vma)) {
			vm_area_free(vma);
			return -ENOMEM;
		}
	}
	mm->total_vm += pages;
	mm->data_vm += pages;
	return 0;
}

/* Used by the ELF loader for .bss beyond the file. */
int vm_brk_flags(unsigned long addr, unsigned long len, vm_flags_t flags)
{
	struct mm_struct *mm = current->mm;
	int ret;

	len = PAGE_ALIGN(len);
	if (!len)
		return 0;
	if (find_vma_intersection(mm, addr, addr + len))
		return -ENOMEM;
	ret = do_brk_flags(mm, find_vma_intersection(mm, addr - 1, addr), addr, len, flags);
	return ret;
}

unsigned long sys_brk(unsigned long brk)
{
	struct mm_struct *mm = current->mm;
	unsigned long newbrk, oldbrk, origbrk;

	mmap_write_lock(mm);
	origbrk = mm->brk;
	if (brk < mm->start_brk)
		goto out;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk) {
		mm->brk = brk;
		goto success;
	}
	if (brk <= mm->brk) {
		/* Shrink: unmap whole pages above the new break. */
		if (!find_vma_intersection(mm, newbrk, oldbrk))
			goto out;
		mm->brk = brk;
		if (do_vmi_munmap(mm, newbrk, oldbrk - newbrk)) {
			mm->brk = origbrk;
			goto out;
		}
		goto success;
	}
	/* Grow: like a MAP_FIXED get_unmapped_area check, then at least one free page before the next VMA. */
	if (newbrk - oldbrk > TASK_SIZE || oldbrk > TASK_SIZE - (newbrk - oldbrk) || oldbrk < MMAP_MIN_ADDR)
		goto out;
	struct vm_area_struct *next = find_vma(mm, oldbrk);
	if (next && newbrk + PAGE_SIZE > vm_start_gap(next))
		goto out;
	struct vm_area_struct *brkvma = find_vma_intersection(mm, max(mm->start_brk, oldbrk - PAGE_SIZE), oldbrk);
	if (do_brk_flags(mm, brkvma, oldbrk, newbrk - oldbrk, 0) < 0)
		goto out;
	mm->brk = brk;
success:
	mmap_write_unlock(mm);
	return brk;
out:
	mmap_write_unlock(mm);
	return origbrk;
}

/* ---------------------------------------------------------------------
 * Stack growth (spec §4.8).  Called with mmap_lock held for writing.
 */
int expand_downwards(struct vm_area_struct *vma, unsigned long address)
{
	struct mm_struct *mm = vma->vm_mm;
	/* LAB stack BEGIN: declare what the guard-gap check needs (the VMA below) */
	struct vm_area_struct *prev;
	/* LAB stack END */

	if (!(vma->vm_flags & VM_GROWSDOWN))
		return -EFAULT;
	address &= PAGE_MASK;
	if (address < MMAP_MIN_ADDR)
		return -EPERM;
	/* LAB stack BEGIN: the guard gap: stay STACK_GUARD_GAP above an accessible non-stack VMA, never overlap one */
	/* Keep the guard gap above the VMA below, unless that one is a stack too. */
	prev = vma_prev(mm, vma);
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) && vma_is_accessible(prev) &&
	    address - prev->vm_end < STACK_GUARD_GAP)
		return -ENOMEM;
	if (prev && address < prev->vm_end)
		return -ENOMEM;
	/* LAB stack END */
	if (address >= vma->vm_start)
		return 0;

	/* LAB stack BEGIN: the limits: vm_pgoff may not go below 0, may_expand_vm, RLIMIT_STACK (rlimit_stack) */
	unsigned long size = vma->vm_end - address;
	unsigned long grow = (vma->vm_start - address) >> PAGE_SHIFT;
	if (grow > vma->vm_pgoff)
		return -ENOMEM;
	if (!may_expand_vm(mm, vma->vm_flags, grow) || size > rlimit_stack ||
	    security_vm_enough_memory_mm(mm, grow))
		return -ENOMEM; /* acct_stack_growth */
	/* LAB stack STUB
	unsigned long grow = (vma->vm_start - address) >> PAGE_SHIFT;
	   LAB stack END */

	unsigned long old_start = vma->vm_start;
	vma->vm_start = address;
	if (vma_store(mm, vma)) {
		vma->vm_start = old_start;
		return -ENOMEM;
	}
	spin_lock(&mm->page_table_lock);
	vma->vm_pgoff -= grow;
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm += grow;
	vm_stat_account(mm, vma->vm_flags, grow);
	spin_unlock(&mm->page_table_lock);
	return 0;
}

/* The VMA that now covers addr after growing a stack down to it, or NULL.  Needs the write lock. */
struct vm_area_struct *expand_stack(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (!vma)
		return NULL;
	if (vma->vm_start <= addr)
		return vma;
	if (expand_downwards(vma, addr))
		return NULL;
	return vma;
}

/*
 * The last user is gone: unmap everything.  Linux: exit_mmap.  The VMAs
 * are not erased from the tree one by one: the whole tree goes at the end.
 */
void exit_mmap(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	unsigned long addr = 0;
	int count = 0;

	mmap_write_lock(mm);
	update_hiwater_rss(mm);
	while ((vma = find_vma(mm, addr))) {
		addr = vma->vm_end;
		zap_page_range(vma, vma->vm_start, vma->vm_end);
		vm_stat_account(mm, vma->vm_flags, -(long)vma_pages(vma));
		if (vma->vm_ops && vma->vm_ops->close)
			vma->vm_ops->close(vma);
		vm_area_free(vma);
		count++;
	}
	free_pgd_range(mm, 0, TASK_SIZE, 0, TASK_SIZE);
	mtree_destroy(&mm->mm_mt);
	WARN_ON(count != mm->map_count);
	mm->map_count = 0;
	mm->flags |= 1UL << MMF_OOM_SKIP;
	mmap_write_unlock(mm);
}
