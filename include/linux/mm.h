/* SPDX-License-Identifier: MIT */
#ifndef _LINUX_MM_H
#define _LINUX_MM_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/mm_types.h>
#include <linux/gfp.h>
#include <asm/page.h>

extern struct page *mem_map;
extern unsigned long max_pfn; /* one past the highest page frame with a struct page */

static inline struct page *pfn_to_page(unsigned long pfn) { return mem_map + pfn; }
static inline unsigned long page_to_pfn(const struct page *page) { return page - mem_map; }
static inline phys_addr_t page_to_phys(const struct page *page) { return PFN_PHYS(page_to_pfn(page)); }
static inline void *page_address(const struct page *page) { return __va(page_to_phys(page)); }
static inline struct page *virt_to_page(const void *addr) { return pfn_to_page(__pa(addr) >> PAGE_SHIFT); }
static inline bool pfn_valid(unsigned long pfn) { return pfn < max_pfn; }

static inline bool PageFlag(const struct page *p, int bit) { return p->flags & (1UL << bit); }
static inline void SetPageFlag(struct page *p, int bit) { p->flags |= 1UL << bit; }
static inline void ClearPageFlag(struct page *p, int bit) { p->flags &= ~(1UL << bit); }
#define PageReserved(p) PageFlag(p, PG_reserved)
#define PageBuddy(p) PageFlag(p, PG_buddy)
#define PageSlab(p) PageFlag(p, PG_slab)
#define PageHead(p) PageFlag(p, PG_head)
#define PageAnon(p) PageFlag(p, PG_anon)

static inline bool PageTail(const struct page *p) { return p->compound_head & 1; }
static inline struct page *compound_head(struct page *p)
{
	return PageTail(p) ? (struct page *)(p->compound_head - 1) : p;
}
static inline struct page *virt_to_head_page(const void *addr) { return compound_head(virt_to_page(addr)); }

static inline int page_ref_count(const struct page *p) { return atomic_read(&p->_refcount); }
static inline int page_mapcount(const struct page *p) { return atomic_read(&p->_mapcount) + 1; }
static inline void get_page(struct page *p) { atomic_inc(&p->_refcount); }
/* Drop a reference; the last one returns an order-0 page to the buddy allocator. */
void put_page(struct page *page);

#endif

/* ------------------------------------------------------------------------
 * Address spaces: VMAs, counters, the fault path, mmap.  The functions
 * live in mm/vma.c, mm/mmap.c, mm/memory.c, mm/mprotect.c, kernel/fork.c.
 */
#include <linux/mm_fault.h>
#include <linux/errno.h>
#include <asm/ptrace.h>

#define MMAP_MIN_ADDR 65536UL         /* vm.mmap_min_addr, as Debian sets it */
#define STACK_GUARD_GAP (256UL << PAGE_SHIFT) /* 1 MiB kept free below a stack */
#define DEFAULT_MAX_MAP_COUNT 65530
#define RLIMIT_STACK_DEFAULT (8UL << 20) /* 8 MiB */
#define STACK_TOP TASK_SIZE
extern int sysctl_max_map_count;
extern unsigned long rlimit_stack;

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}
static inline bool vma_is_anonymous(const struct vm_area_struct *vma) { return !vma->vm_ops; }
static inline bool is_cow_mapping(vm_flags_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}
static inline bool vma_is_accessible(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_ACCESS_FLAGS;
}
/* Where the gap below a stack starts: mmap and brk keep out of [vm_start_gap, vm_start). */
static inline unsigned long vm_start_gap(const struct vm_area_struct *vma)
{
	unsigned long start = vma->vm_start;

	if (vma->vm_flags & VM_GROWSDOWN)
		start = start > STACK_GUARD_GAP ? start - STACK_GUARD_GAP : 0;
	return start;
}
pgprot_t vm_get_page_prot(vm_flags_t vm_flags);

/* rss_stat */
static inline long get_mm_counter(struct mm_struct *mm, int member)
{
	return atomic_long_read(&mm->rss_stat[member]);
}
static inline void add_mm_counter(struct mm_struct *mm, int member, long value)
{
	atomic_long_add(value, &mm->rss_stat[member]);
}
#define inc_mm_counter(mm, member) add_mm_counter(mm, member, 1)
#define dec_mm_counter(mm, member) add_mm_counter(mm, member, -1)
static inline unsigned long get_mm_rss(struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_ANONPAGES) +
	       get_mm_counter(mm, MM_SHMEMPAGES);
}
static inline void update_hiwater_rss(struct mm_struct *mm)
{
	unsigned long rss = get_mm_rss(mm);
	if (mm->hiwater_rss < rss)
		mm->hiwater_rss = rss;
}
static inline void update_hiwater_vm(struct mm_struct *mm)
{
	if (mm->hiwater_vm < mm->total_vm)
		mm->hiwater_vm = mm->total_vm;
}
void vm_stat_account(struct mm_struct *mm, vm_flags_t flags, long npages);
bool may_expand_vm(struct mm_struct *mm, vm_flags_t flags, unsigned long npages);
/* Overcommit (mm/util.c): 0, or -ENOMEM for a promise of more pages than RAM. */
int __vm_enough_memory(struct mm_struct *mm, long pages);
static inline int security_vm_enough_memory_mm(struct mm_struct *mm, long pages)
{
	return __vm_enough_memory(mm, pages);
}

/* The locks. */
static inline void mmap_read_lock(struct mm_struct *mm) { down_read(&mm->mmap_lock); }
static inline void mmap_read_unlock(struct mm_struct *mm) { up_read(&mm->mmap_lock); }
static inline void mmap_write_lock(struct mm_struct *mm) { down_write(&mm->mmap_lock); }
static inline void mmap_write_unlock(struct mm_struct *mm) { up_write(&mm->mmap_lock); }
static inline void mmap_write_downgrade(struct mm_struct *mm) { downgrade_write(&mm->mmap_lock); }

/* mm/vma.c: the VMA tree */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
void vm_area_free(struct vm_area_struct *vma);
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm, unsigned long start,
					     unsigned long end);
struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *vma);
struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *vma);
int vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
int vma_store(struct mm_struct *mm, struct vm_area_struct *vma);
int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, int new_below);
int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, int new_below);
struct vm_area_struct *vma_merge_neighbours(struct mm_struct *mm, struct vm_area_struct *vma);
struct vm_area_struct *vma_modify_flags(struct mm_struct *mm, struct vm_area_struct *vma,
				       unsigned long start, unsigned long end, vm_flags_t newflags);
void vma_tree_init(void);
#define for_each_vma(mm, vma) for (vma = find_vma(mm, 0); vma; vma = find_vma(mm, vma->vm_end))

/* mm/mmap.c */
unsigned long get_unmapped_area(struct fl_file *file, unsigned long addr, unsigned long len,
				unsigned long pgoff, unsigned long flags);
unsigned long arch_get_unmapped_area_topdown(struct fl_file *file, unsigned long addr,
					     unsigned long len, unsigned long pgoff, unsigned long flags);
unsigned long do_mmap(struct fl_file *file, unsigned long addr, unsigned long len,
		      unsigned long prot, unsigned long flags, vm_flags_t vm_flags,
		      unsigned long pgoff, unsigned long *populate);
unsigned long vm_mmap_pgoff(struct fl_file *file, unsigned long addr, unsigned long len,
			    unsigned long prot, unsigned long flags, unsigned long pgoff);
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len);
int do_vmi_munmap(struct mm_struct *mm, unsigned long start, size_t len);
int vm_brk_flags(unsigned long addr, unsigned long len, vm_flags_t flags);
int expand_downwards(struct vm_area_struct *vma, unsigned long address);
struct vm_area_struct *expand_stack(struct mm_struct *mm, unsigned long addr);
void arch_pick_mmap_layout(struct mm_struct *mm);
void exit_mmap(struct mm_struct *mm);
int mm_populate(unsigned long start, unsigned long len);

/* mm/memory.c */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, unsigned int flags,
			   struct pt_regs *regs);
void zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end);
void free_pgd_range(struct mm_struct *mm, unsigned long addr, unsigned long end,
		    unsigned long floor, unsigned long ceiling);
void change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end);
int copy_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma);
pte_t *get_locked_pte(struct mm_struct *mm, unsigned long addr); /* the PTE slot, tables allocated */
pte_t *follow_pte(struct mm_struct *mm, unsigned long addr);     /* the PTE if its tables exist */
extern struct page *zero_page;
extern unsigned long fault_counts[NR_FAULT_KINDS];
extern bool fault_trace_enabled;
extern enum fault_kind last_fault_kind;

/* kernel/fork.c: lifetime of an mm */
struct mm_struct *mm_alloc(void);
void mmget(struct mm_struct *mm);
bool mmget_not_zero(struct mm_struct *mm);
void mmput(struct mm_struct *mm);
void mmgrab(struct mm_struct *mm);
void mmdrop(struct mm_struct *mm);
extern bool mm_refcount_debug;
struct task_struct;
struct mm_struct *dup_mm(struct task_struct *tsk, struct mm_struct *oldmm);
