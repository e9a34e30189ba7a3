// SPDX-License-Identifier: MIT
/*
 * The generic half of the page-fault path, and the page-table work that
 * goes with it (zapping, freeing tables, copying them at fork).
 *
 *   handle_mm_fault(vma, address, flags)
 *     __handle_mm_fault          walk PGD -> PUD -> PMD, allocating tables
 *       handle_pte_fault         look at the PTE:
 *         PTE empty, anonymous VMA  -> do_anonymous_page
 *                read:  map the shared zero page read-only
 *                write: new zeroed page, writable if VM_WRITE
 *         PTE empty, file/shmem VMA -> do_fault
 *                read:             do_read_fault   (map the page-cache page)
 *                write, private:   do_cow_fault    (map a private copy)
 *                write, shared:    do_shared_fault (map the shared page writable)
 *         PTE present, write, not writable -> do_wp_page
 *                shared VMA or sole owner: reuse (make it writable)
 *                otherwise:                copy (wp_page_copy)
 *         PTE present and already allowing it -> spurious: set A/D bits
 *
 * The handlers are noinline so that a breakpoint on any of them in GDB
 * stops before it changes anything, and a backtrace shows the whole path.
 *
 * Every handler returns a vm_fault_t: 0, or VM_FAULT_OOM / SIGBUS / SIGSEGV.
 * Locking: mmap_lock held for reading (at least); page_table_lock guards
 * filling in table entries.  On one CPU with a non-preemptive kernel the
 * "recheck the PTE under the lock" steps of Linux cannot race, but they
 * are kept where they explain the design.
 */
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/pgtable.h>
#include <asm/tlbflush.h>

struct page *zero_page; /* the shared zero page: every read of untouched anonymous memory */
unsigned long fault_counts[NR_FAULT_KINDS];
enum fault_kind last_fault_kind; /* what the latest handle_mm_fault did: for the trace line */
bool fault_trace_enabled;
static char anon_vma_marker; /* anon_vma is only a "has anonymous pages" marker here: no rmap */

const char *const fault_kind_names[NR_FAULT_KINDS] = {
	[FAULT_NONE] = "none",
	[FAULT_ANON_ZERO_PAGE] = "do_anonymous_page(zero page)",
	[FAULT_ANON_NEW_PAGE] = "do_anonymous_page(new page)",
	[FAULT_FILE_READ] = "do_read_fault",
	[FAULT_FILE_COW] = "do_cow_fault",
	[FAULT_SHARED] = "do_shared_fault",
	[FAULT_WP_REUSE] = "do_wp_page(reuse)",
	[FAULT_WP_COPY] = "do_wp_page(copy)",
	[FAULT_SPURIOUS] = "spurious",
};

/* ---------------------------------------------------------------------
 * Page-table pages.  Each PUD, PMD or PTE table counts 4 KiB in
 * mm->pgtables_bytes (VmPTE); the PGD itself does not (spec §1.2).
 */
static void *alloc_pgtable_page(struct mm_struct *mm)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return NULL;
	SetPageFlag(page, PG_pgtable);
	atomic_long_add(PAGE_SIZE, &mm->pgtables_bytes);
	return page_address(page);
}

static void free_pgtable_page(struct mm_struct *mm, void *table)
{
	struct page *page = virt_to_page(table);

	ClearPageFlag(page, PG_pgtable);
	atomic_long_sub(PAGE_SIZE, &mm->pgtables_bytes);
	__free_page(page);
}

/*
 * Make sure the entry at *entry points at a table, allocating one if it
 * is empty.  Linux: __pud_alloc/__pmd_alloc/__pte_alloc.  The lock is
 * where another CPU's racing allocation would be detected.
 */
static int table_alloc(struct mm_struct *mm, u64 *entry)
{
	if (*entry)
		return 0;
	void *table = alloc_pgtable_page(mm);
	if (!table)
		return -ENOMEM;
	spin_lock(&mm->page_table_lock);
	if (*entry) /* someone else won: use theirs */
		free_pgtable_page(mm, table);
	else
		WRITE_ONCE(*entry, __pa(table) | _PAGE_TABLE);
	spin_unlock(&mm->page_table_lock);
	return 0;
}

/* The PMD entry for addr, with the PUD and PMD tables allocated; NULL if out of memory. */
static pmd_t *pmd_alloc_walk(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);

	if (table_alloc(mm, &pgd->pgd))
		return NULL;
	pud_t *pud = pud_offset(pgd, addr);
	if (table_alloc(mm, &pud->pud))
		return NULL;
	return pmd_offset(pud, addr);
}

pte_t *get_locked_pte(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = pmd_alloc_walk(mm, addr);

	if (!pmd || table_alloc(mm, &pmd->pmd))
		return NULL;
	return pte_offset(pmd, addr);
}

/* The PTE for addr if every table above it exists, else NULL.  Allocates nothing. */
pte_t *follow_pte(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	if (!pgd_present(*pgd))
		return NULL;
	pud_t *pud = pud_offset(pgd, addr);
	if (!pud_present(*pud))
		return NULL;
	pmd_t *pmd = pmd_offset(pud, addr);
	if (!pmd_present(*pmd))
		return NULL;
	return pte_offset(pmd, addr);
}

/*
 * For walks over a range: the PTE for *addr if its PTE table exists.
 * Otherwise move *addr to the next address whose tables could exist,
 * skipping a whole absent PGD, PUD or PMD entry at once, and return NULL.
 * A sparse 64 TiB range thus costs a few steps, not 2^25.
 */
static pte_t *pte_table_or_skip(struct mm_struct *mm, unsigned long *addr)
{
	unsigned long a = *addr;
	pgd_t *pgd = pgd_offset(mm, a);

	if (!pgd_present(*pgd)) {
		*addr = (a + PGDIR_SIZE) & PGDIR_MASK;
		return NULL;
	}
	pud_t *pud = pud_offset(pgd, a);
	if (!pud_present(*pud)) {
		*addr = (a + PUD_SIZE) & PUD_MASK;
		return NULL;
	}
	pmd_t *pmd = pmd_offset(pud, a);
	if (!pmd_present(*pmd)) {
		*addr = (a + PMD_SIZE) & PMD_MASK;
		return NULL;
	}
	return pte_offset(pmd, a);
}

/* The end of the 2 MiB a PTE table covers, clamped to end. */
static unsigned long pte_table_end(unsigned long addr, unsigned long end)
{
	unsigned long next = (addr + PMD_SIZE) & PMD_MASK;

	return next && next < end ? next : end;
}

/* The struct page behind a PTE, or NULL for the zero page (Linux: vm_normal_page). */
static struct page *vm_normal_page(pte_t pte)
{
	if (pte_special(pte))
		return NULL;
	return pfn_to_page(pte_pfn(pte));
}

/* Which rss_stat counter a mapped page belongs to. */
static int mm_counter(struct page *page)
{
	if (PageAnon(page))
		return MM_ANONPAGES;
	struct fl_file *f = page->mapping;
	return f && f->shmem ? MM_SHMEMPAGES : MM_FILEPAGES;
}

static void page_add_rmap(struct page *page) { atomic_inc(&page->_mapcount); }
static void page_remove_rmap(struct page *page) { atomic_dec(&page->_mapcount); }

/* ---------------------------------------------------------------------
 * The leaf handlers.
 */

/* Private anonymous memory, no PTE yet.  Linux: do_anonymous_page. */
static noinline vm_fault_t do_anonymous_page(struct vm_fault *vmf)
{
	/* LAB lazy BEGIN: a read fault maps the shared zero page read-only; a write fault maps a new zeroed page */
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	pte_t entry;

	if (vma->vm_flags & VM_SHARED)
		return VM_FAULT_SIGBUS;

	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		/* A read: the zero page, read-only even in a writable VMA, so a later write faults. */
		entry = pte_mkspecial(pfn_pte(page_to_pfn(zero_page), vma->vm_page_prot));
		set_pte(vmf->pte, entry);
		vmf->kind = FAULT_ANON_ZERO_PAGE;
		return 0;
	}

	vma->anon_vma = &anon_vma_marker; /* anon_vma_prepare */
	struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
	if (!page)
		return VM_FAULT_OOM;
	SetPageFlag(page, PG_anon);
	entry = pte_mkyoung(pfn_pte(page_to_pfn(page), vma->vm_page_prot));
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(pte_mkdirty(entry));
	inc_mm_counter(mm, MM_ANONPAGES);
	page_add_rmap(page);
	set_pte(vmf->pte, entry);
	vmf->kind = FAULT_ANON_NEW_PAGE;
	return 0;
	/* LAB lazy STUB
	return VM_FAULT_SIGBUS;
	   LAB lazy END */
}

/* The object's page for this fault, referenced, or an error code. */
static struct page *__do_fault(struct vm_fault *vmf, vm_fault_t *ret)
{
	*ret = 0;
	struct page *page = vmf->vma->vm_ops->fault(vmf, ret);
	if (!page && !*ret)
		*ret = VM_FAULT_OOM;
	return page;
}

/* Read of a file or shmem page: map the page-cache page itself, read-only. */
static noinline vm_fault_t do_read_fault(struct vm_fault *vmf)
{
	vm_fault_t ret;
	struct page *page = __do_fault(vmf, &ret);

	if (!page)
		return ret;
	pte_t entry = pte_mkyoung(pfn_pte(page_to_pfn(page), vmf->vma->vm_page_prot));
	inc_mm_counter(vmf->vma->vm_mm, mm_counter(page));
	page_add_rmap(page);
	set_pte(vmf->pte, entry); /* the reference __do_fault took now belongs to the PTE */
	vmf->kind = FAULT_FILE_READ;
	return 0;
}

/* Write to a private file mapping: map a private anonymous copy of the file page. */
static noinline vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret;

	vma->anon_vma = &anon_vma_marker;
	struct page *new = alloc_page(GFP_HIGHUSER_MOVABLE);
	if (!new)
		return VM_FAULT_OOM;
	struct page *page = __do_fault(vmf, &ret);
	if (!page) {
		__free_page(new);
		return ret;
	}
	memcpy(page_address(new), page_address(page), PAGE_SIZE);
	put_page(page);
	SetPageFlag(new, PG_anon);
	pte_t entry = pte_mkyoung(pfn_pte(page_to_pfn(new), vma->vm_page_prot));
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(pte_mkdirty(entry));
	inc_mm_counter(vma->vm_mm, MM_ANONPAGES);
	page_add_rmap(new);
	set_pte(vmf->pte, entry);
	vmf->kind = FAULT_FILE_COW;
	return 0;
}

/* Write to a shared mapping: the shared page itself, writable and dirty. */
static noinline vm_fault_t do_shared_fault(struct vm_fault *vmf)
{
	vm_fault_t ret;
	struct page *page = __do_fault(vmf, &ret);

	if (!page)
		return ret;
	pte_t entry = pte_mkwrite(pte_mkdirty(pte_mkyoung(pfn_pte(page_to_pfn(page), vmf->vma->vm_page_prot))));
	inc_mm_counter(vmf->vma->vm_mm, mm_counter(page));
	page_add_rmap(page);
	set_pte(vmf->pte, entry);
	vmf->kind = FAULT_SHARED;
	return 0;
}

/* No PTE in a file-backed or shmem VMA.  Linux: do_fault. */
static noinline vm_fault_t do_fault(struct vm_fault *vmf)
{
	if (!vmf->vma->vm_ops->fault)
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(vmf);
	if (!(vmf->vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/* LAB cow BEGIN: wp_page_reuse (make the PTE writable in place) and wp_page_copy (map a private copy) */
/* Make the present PTE writable in place. */
static noinline vm_fault_t wp_page_reuse(struct vm_fault *vmf)
{
	pte_t entry = pte_mkwrite(pte_mkdirty(pte_mkyoung(vmf->orig_pte)));

	set_pte(vmf->pte, entry);
	__flush_tlb_one(vmf->address);
	vmf->kind = FAULT_WP_REUSE;
	return 0;
}

/* Copy on write: a new page with the old contents (or zeros), mapped writable. */
static noinline vm_fault_t wp_page_copy(struct vm_fault *vmf, struct page *old)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;

	vma->anon_vma = &anon_vma_marker;
	struct page *new = alloc_page(GFP_HIGHUSER_MOVABLE | (old ? 0 : __GFP_ZERO));
	if (!new)
		return VM_FAULT_OOM;
	if (old)
		memcpy(page_address(new), page_address(old), PAGE_SIZE);
	SetPageFlag(new, PG_anon);

	/* RSS: a file or shmem page becomes an anonymous one; zero page -> anonymous. */
	if (!old)
		inc_mm_counter(mm, MM_ANONPAGES);
	else if (!PageAnon(old)) {
		dec_mm_counter(mm, mm_counter(old));
		inc_mm_counter(mm, MM_ANONPAGES);
	}
	pte_t entry = pte_mkwrite(pte_mkdirty(pte_mkyoung(pfn_pte(page_to_pfn(new), vma->vm_page_prot))));
	/* Clear and flush the old translation before the new one goes in (ptep_clear_flush). */
	pte_clear(vmf->pte);
	__flush_tlb_one(vmf->address);
	page_add_rmap(new);
	set_pte(vmf->pte, entry);
	if (old) {
		page_remove_rmap(old);
		put_page(old);
	}
	vmf->kind = FAULT_WP_COPY;
	return 0;
}
/* LAB cow END */

/*
 * A write to a present, read-only PTE.  Linux: do_wp_page.  A shared
 * mapping just becomes writable; a private one reuses the page when this
 * PTE holds the only reference to it (after fork, whoever writes first
 * copies, and the other then owns the original), and copies otherwise.
 */
static noinline vm_fault_t do_wp_page(struct vm_fault *vmf)
{
	/* LAB cow BEGIN: reuse the page if it may be written in place, else copy it */
	struct vm_area_struct *vma = vmf->vma;
	struct page *page = vm_normal_page(vmf->orig_pte);

	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE))
		return wp_page_reuse(vmf);
	if (page && PageAnon(page) && page_ref_count(page) == 1)
		return wp_page_reuse(vmf);
	return wp_page_copy(vmf, page);
	/* LAB cow STUB
	return VM_FAULT_SIGSEGV;
	   LAB cow END */
}

/* Linux: handle_pte_fault. */
static noinline vm_fault_t handle_pte_fault(struct vm_fault *vmf)
{
	vmf->orig_pte = ptep_get(vmf->pte);

	if (pte_none(vmf->orig_pte))
		return vma_is_anonymous(vmf->vma) ? do_anonymous_page(vmf) : do_fault(vmf);

	/* PROT_NONE PTEs stay until mprotect changes them; access_error() stopped the fault already. */
	if (pte_protnone(vmf->orig_pte))
		return VM_FAULT_SIGSEGV;

	if ((vmf->flags & FAULT_FLAG_WRITE) && !pte_write(vmf->orig_pte))
		return do_wp_page(vmf);

	/* The PTE allows the access: another fault got here first, or a stale TLB entry. */
	pte_t entry = pte_mkyoung(vmf->orig_pte);
	if (vmf->flags & FAULT_FLAG_WRITE)
		entry = pte_mkdirty(entry);
	set_pte(vmf->pte, entry);
	__flush_tlb_one(vmf->address);
	vmf->kind = FAULT_SPURIOUS;
	return 0;
}

/* Walk to the PTE, allocating the tables above it.  Linux: __handle_mm_fault. */
static noinline vm_fault_t __handle_mm_fault(struct vm_fault *vmf)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	pmd_t *pmd = pmd_alloc_walk(mm, vmf->address);

	if (!pmd || table_alloc(mm, &pmd->pmd))
		return VM_FAULT_OOM;
	vmf->pmd = pmd;
	vmf->pte = pte_offset(pmd, vmf->address);
	return handle_pte_fault(vmf);
}

/*
 * Resolve a fault at address in vma (mmap_lock held).  Linux:
 * handle_mm_fault; the caller has already checked the access against the
 * VMA's permissions (access_error).  Counts the fault as minor: with no
 * swap and no disk, no fault ever waits for I/O.
 */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, unsigned int flags,
			   struct pt_regs *regs)
{
	struct vm_fault vmf = {
		.vma = vma,
		.address = address & PAGE_MASK,
		.real_address = address,
		.flags = flags,
		.pgoff = vma->vm_pgoff + ((address - vma->vm_start) >> PAGE_SHIFT),
	};

	/* sanitize_fault_flags: writes need a VMA that may be written. */
	if ((flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_WRITE))
		return VM_FAULT_SIGSEGV;

	vm_fault_t ret = __handle_mm_fault(&vmf);
	fault_counts[vmf.kind]++;
	last_fault_kind = vmf.kind;
	if (!(ret & VM_FAULT_ERROR) && current) {
		current->min_flt++; /* mm_account_fault */
		current->oom_retries = 0;
	}
	return ret;
}

/* ---------------------------------------------------------------------
 * Tearing down: zap PTEs, then free page tables nobody needs.
 */

/* Unmap every page of [start, end) in vma and drop its references.  Linux: zap_page_range_single. */
void zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	bool flushed_any = false;

	for (unsigned long addr = start; addr < end;) {
		pgd_t *pgd = pgd_offset(mm, addr);
		if (!pgd_present(*pgd)) {
			addr = (addr + PGDIR_SIZE) & PGDIR_MASK;
			continue;
		}
		pud_t *pud = pud_offset(pgd, addr);
		if (!pud_present(*pud)) {
			addr = (addr + PUD_SIZE) & PUD_MASK;
			continue;
		}
		pmd_t *pmd = pmd_offset(pud, addr);
		if (!pmd_present(*pmd)) {
			addr = (addr + PMD_SIZE) & PMD_MASK;
			continue;
		}
		unsigned long next = min((addr + PMD_SIZE) & PMD_MASK, end);
		if (next == 0)
			next = end;
		pte_t *pte = pte_offset(pmd, addr);
		for (; addr < next; addr += PAGE_SIZE, pte++) {
			pte_t old = ptep_get(pte);
			if (pte_none(old))
				continue;
			pte_clear(pte);
			flushed_any = true;
			struct page *page = vm_normal_page(old);
			if (!page)
				continue;
			dec_mm_counter(mm, mm_counter(page));
			page_remove_rmap(page);
			put_page(page);
		}
	}
	if (flushed_any)
		flush_tlb_range(mm, start, end);
}

#define USER_PGTABLES_CEILING (1UL << 47)

/*
 * Free the page tables under [addr, end) that no VMA outside
 * [floor, ceiling) can still need: a table is freed only if the whole
 * range it maps lies inside [floor, ceiling).  Linux: free_pgd_range.
 */
static bool covers(unsigned long a, unsigned long size, unsigned long floor, unsigned long ceiling)
{
	return a >= floor && a + size <= ceiling;
}

void free_pgd_range(struct mm_struct *mm, unsigned long addr, unsigned long end,
		    unsigned long floor, unsigned long ceiling)
{
	if (ceiling >= TASK_SIZE || ceiling == 0)
		ceiling = USER_PGTABLES_CEILING;
	for (unsigned long g = addr & PGDIR_MASK; g < end; g += PGDIR_SIZE) {
		pgd_t *pgd = pgd_offset(mm, g);
		if (!pgd_present(*pgd))
			continue;
		pud_t *puds = __va(pgd_val(*pgd) & PTE_PFN_MASK);
		for (unsigned long u = max(g, addr & PUD_MASK); u < min(end, g + PGDIR_SIZE); u += PUD_SIZE) {
			pud_t *pud = &puds[pud_index(u)];
			if (!pud_present(*pud))
				continue;
			pmd_t *pmds = __va(pud_val(*pud) & PTE_PFN_MASK);
			for (unsigned long m = max(u, addr & PMD_MASK); m < min(end, u + PUD_SIZE); m += PMD_SIZE) {
				pmd_t *pmd = &pmds[pmd_index(m)];
				if (pmd_present(*pmd) && covers(m, PMD_SIZE, floor, ceiling)) {
					free_pgtable_page(mm, __va(pmd_val(*pmd) & PTE_PFN_MASK));
					set_pmd(pmd, __pmd(0));
				}
			}
			if (covers(u, PUD_SIZE, floor, ceiling)) {
				free_pgtable_page(mm, pmds);
				set_pud(pud, __pud(0));
			}
		}
		if (covers(g, PGDIR_SIZE, floor, ceiling)) {
			free_pgtable_page(mm, puds);
			set_pgd(pgd, __pgd(0));
		}
	}
	flush_tlb_mm(mm);
}

/* mprotect: rewrite the present PTEs of [start, end) with the VMA's new protection.  Linux: change_protection. */
void change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;

	for (unsigned long addr = start; addr < end;) {
		pte_t *pte = pte_table_or_skip(mm, &addr);
		if (!pte)
			continue;
		for (unsigned long next = pte_table_end(addr, end); addr < next; addr += PAGE_SIZE, pte++) {
			pte_t old = ptep_get(pte);
			if (pte_none(old))
				continue;
			pte_t entry = pte_modify(old, vma->vm_page_prot);
			/* An exclusive anonymous page in a writable private VMA may be writable at once. */
			struct page *page = vm_normal_page(old);
			if ((vma->vm_flags & VM_WRITE) && !(vma->vm_flags & VM_SHARED) && page && PageAnon(page) &&
			    page_ref_count(page) == 1 && pte_dirty(old))
				entry = pte_mkwrite(entry);
			set_pte(pte, entry);
		}
	}
	flush_tlb_range(mm, start, end);
}

/*
 * fork: copy the present PTEs of src_vma into the child's tables.  A
 * private writable page is write-protected in both (copy on write); every
 * mapped page gains a reference and a mapping.  Linux: copy_page_range.
 */
int copy_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	struct mm_struct *dst = dst_vma->vm_mm, *src = src_vma->vm_mm;
	/* LAB cow BEGIN: does this VMA need copy on write (private, and may be written)? */
	bool cow = is_cow_mapping(src_vma->vm_flags);
	/* LAB cow END */
	unsigned long addr = src_vma->vm_start, end = src_vma->vm_end;

	/* One PTE table (2 MiB) at a time: walk the upper levels once per table, not per page. */
	while (addr < end) {
		pte_t *spte = pte_table_or_skip(src, &addr);
		if (!spte)
			continue;
		unsigned long next = pte_table_end(addr, end);
		pte_t *dtable = NULL; /* the child's PTE table for this 2 MiB, made on first need */
		for (; addr < next; addr += PAGE_SIZE, spte++) {
			pte_t pte = ptep_get(spte);
			if (pte_none(pte))
				continue;
			if (!dtable) {
				pte_t *d = get_locked_pte(dst, addr);
				if (!d)
					return -ENOMEM;
				dtable = d - pte_index(addr);
			}
			pte_t *dpte = dtable + pte_index(addr);
			struct page *page = vm_normal_page(pte);
			if (page) {
				get_page(page);
				page_add_rmap(page);
				inc_mm_counter(dst, mm_counter(page));
			}
			/* LAB cow BEGIN: write-protect a private writable page, in the parent and in the child */
			if (cow && pte_write(pte)) {
				pte = pte_wrprotect(pte);
				set_pte(spte, pte); /* the parent loses write permission too */
			}
			/* LAB cow END */
			if (src_vma->vm_flags & VM_SHARED)
				pte = pte_mkclean(pte);
			set_pte(dpte, pte_mkold(pte));
		}
	}
	return 0;
}
