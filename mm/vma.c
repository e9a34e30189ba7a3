// SPDX-License-Identifier: MIT
/*
 * VMAs and the VMA tree (the maple tree in mm/maple_tree.c, keyed by the
 * inclusive range [vm_start, vm_end - 1]).  Every function here needs
 * mm->mmap_lock: read for lookups, write for changes.
 *
 * Splitting and merging, as spec §3.5 describes:
 *
 *   split at addr:      [ vma             )  ->  [ vma  )[ new   )
 *                                                       ^addr
 *   merge neighbours:   [ prev )[ vma )[ next )  ->  [ prev                 )
 *                       when flags, file, ops and pgoff line up
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/mman.h>

static struct kmem_cache *vm_area_cachep;
static struct kmem_cache *maple_node_cache;
int sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;

void vma_tree_init(void)
{
	vm_area_cachep = kmem_cache_create("vm_area_struct", sizeof(struct vm_area_struct), 8, 0, NULL);
	maple_node_cache = kmem_cache_create("maple_node", sizeof(struct maple_node),
					     sizeof(struct maple_node), 0, NULL);
}

/* The tree's node allocator (declared in linux/maple_tree.h). */
struct maple_node *mt_alloc_node(void)
{
	return kmem_cache_zalloc(maple_node_cache, GFP_KERNEL);
}

void mt_free_node(struct maple_node *node)
{
	kmem_cache_free(maple_node_cache, node);
}

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = kmem_cache_zalloc(vm_area_cachep, GFP_KERNEL);

	if (vma)
		vma->vm_mm = mm;
	return vma;
}

struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = kmem_cache_alloc(vm_area_cachep, GFP_KERNEL);

	if (vma)
		*vma = *orig;
	return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
	kmem_cache_free(vm_area_cachep, vma);
}

/* The first VMA with vm_end > addr (it may start above addr), or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	unsigned long index = addr;

	return mt_find(&mm->mm_mt, &index, ULONG_MAX);
}

/* The VMA containing addr, or NULL. */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	return mtree_load(&mm->mm_mt, addr);
}

struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *vma)
{
	MA_STATE(mas, &mm->mm_mt, vma->vm_start, vma->vm_start);

	if (!vma->vm_start)
		return NULL;
	mas_walk(&mas);
	return mas_prev(&mas, 0);
}

struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *vma)
{
	return find_vma(mm, vma->vm_end);
}

struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev)
{
	MA_STATE(mas, &mm->mm_mt, addr, addr);
	struct vm_area_struct *vma = mas_walk(&mas);

	*pprev = mas_prev(&mas, 0);
	if (!vma)
		vma = find_vma(mm, addr);
	return vma;
}

/* The first VMA overlapping [start, end), or NULL. */
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm, unsigned long start,
					     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end ? vma : NULL;
}

/* (Re)write the tree entry for vma's current range. */
int vma_store(struct mm_struct *mm, struct vm_area_struct *vma)
{
	MA_STATE(mas, &mm->mm_mt, vma->vm_start, vma->vm_end - 1);

	return mas_store_gfp(&mas, vma);
}

/* Insert a new VMA into the tree: its range must be free. */
int vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	int err = vma_store(mm, vma);

	if (!err)
		mm->map_count++;
	return err;
}

/*
 * Split vma at addr (strictly inside it).  The new VMA takes the part
 * below addr if new_below, else the part above.  Linux: __split_vma.
 * The tree store comes first, so a failure leaves everything unchanged.
 */
int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	/* LAB mmap BEGIN: split vma at addr in two, the tree updated first so that a failure changes nothing */
	struct vm_area_struct *new = vm_area_dup(vma);

	if (!new)
		return -ENOMEM;
	if (new_below)
		new->vm_end = addr;
	else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	}
	if (vma_store(mm, new)) {
		vm_area_free(new);
		return -ENOMEM;
	}
	/* The store above already took [new) out of vma's range in the tree. */
	if (new_below) {
		vma->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
		vma->vm_start = addr;
	} else {
		vma->vm_end = addr;
	}
	mm->map_count++;
	if (new->vm_ops && new->vm_ops->open)
		new->vm_ops->open(new);
	return 0;
	/* LAB mmap STUB
	return -ENOMEM;
	   LAB mmap END */
}

/* __split_vma with the vm.max_map_count limit. */
int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	if (mm->map_count >= sysctl_max_map_count)
		return -ENOMEM;
	return __split_vma(mm, vma, addr, new_below);
}

/* LAB mmap BEGIN: can_vma_merge (the rules of spec §3.5) and merge_into_prev (b absorbed into a) */
/* May a and b (a directly below b) become one VMA? spec §3.5 */
static bool can_vma_merge(struct vm_area_struct *a, struct vm_area_struct *b)
{
	if (!a || !b || a->vm_end != b->vm_start)
		return false;
	if ((a->vm_flags ^ b->vm_flags) & ~VM_SOFTDIRTY)
		return false;
	if (a->vm_flags & VM_SPECIAL)
		return false;
	if (a->vm_file != b->vm_file || a->vm_ops != b->vm_ops ||
	    a->vm_private_data != b->vm_private_data)
		return false;
	if (a->vm_ops && a->vm_ops->close)
		return false; /* one of them would disappear without its close() */
	if (a->vm_pgoff + vma_pages(a) != b->vm_pgoff)
		return false;
	return !a->anon_vma || !b->anon_vma || a->anon_vma == b->anon_vma;
}

/* b is absorbed into a (a directly below b). */
static void merge_into_prev(struct mm_struct *mm, struct vm_area_struct *a, struct vm_area_struct *b)
{
	a->vm_end = b->vm_end;
	if (!a->anon_vma)
		a->anon_vma = b->anon_vma;
	/* Storing a over b's range replaces b: a store into an existing larger range cannot need new leaves. */
	if (vma_store(mm, a)) {
		a->vm_end = b->vm_start; /* out of memory: leave them unmerged */
		return;
	}
	mm->map_count--;
	vm_area_free(b);
}
/* LAB mmap END */

/*
 * After vma was created or changed, merge it with whichever neighbours
 * can take it.  Returns the VMA that now covers vma's range.
 */
struct vm_area_struct *vma_merge_neighbours(struct mm_struct *mm, struct vm_area_struct *vma)
{
	/* LAB mmap BEGIN: merge vma into the VMA below and the VMA above into vma, where allowed */
	struct vm_area_struct *prev = vma_prev(mm, vma);
	struct vm_area_struct *next = vma_next(mm, vma);

	if (can_vma_merge(prev, vma)) {
		unsigned long end = vma->vm_end;
		merge_into_prev(mm, prev, vma); /* frees vma on success */
		if (prev->vm_end == end)
			vma = prev;
	}
	if (can_vma_merge(vma, next))
		merge_into_prev(mm, vma, next);
	return vma;
	/* LAB mmap STUB
	return vma;
	   LAB mmap END */
}

/*
 * Give [start, end) of vma new flags (mprotect): split off what lies
 * outside, change the middle, merge with neighbours that now match.
 * Linux: vma_modify_flags.  Returns the VMA covering [start, end) or an
 * ERR_PTR.
 */
struct vm_area_struct *vma_modify_flags(struct mm_struct *mm, struct vm_area_struct *vma,
				       unsigned long start, unsigned long end, vm_flags_t newflags)
{
	/* LAB mmap BEGIN: split off what lies outside [start, end), set the flags, merge with the neighbours */
	int err;

	if (start > vma->vm_start) {
		err = split_vma(mm, vma, start, 1);
		if (err)
			return ERR_PTR(err);
	}
	if (end < vma->vm_end) {
		err = split_vma(mm, vma, end, 0);
		if (err)
			return ERR_PTR(err);
	}
	vma->vm_flags = newflags;
	vma->vm_page_prot = vm_get_page_prot(newflags);
	return vma_merge_neighbours(mm, vma);
	/* LAB mmap STUB
	return ERR_PTR(-ENOMEM);
	   LAB mmap END */
}

/* vm_flags -> base PTE bits (spec §3.4, Linux's protection_map). */
pgprot_t vm_get_page_prot(vm_flags_t vm_flags)
{
	static const pgprot_t protection_map[16] = {
		[VM_NONE] = PAGE_NONE,
		[VM_READ] = PAGE_READONLY,
		[VM_WRITE] = PAGE_COPY,
		[VM_WRITE | VM_READ] = PAGE_COPY,
		[VM_EXEC] = PAGE_READONLY_EXEC,
		[VM_EXEC | VM_READ] = PAGE_READONLY_EXEC,
		[VM_EXEC | VM_WRITE] = PAGE_COPY_EXEC,
		[VM_EXEC | VM_WRITE | VM_READ] = PAGE_COPY_EXEC,
		[VM_SHARED] = PAGE_NONE,
		[VM_SHARED | VM_READ] = PAGE_READONLY,
		[VM_SHARED | VM_WRITE] = PAGE_SHARED,
		[VM_SHARED | VM_WRITE | VM_READ] = PAGE_SHARED,
		[VM_SHARED | VM_EXEC] = PAGE_READONLY_EXEC,
		[VM_SHARED | VM_EXEC | VM_READ] = PAGE_READONLY_EXEC,
		[VM_SHARED | VM_EXEC | VM_WRITE] = PAGE_SHARED_EXEC,
		[VM_SHARED | VM_EXEC | VM_WRITE | VM_READ] = PAGE_SHARED_EXEC,
	};

	return protection_map[vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)];
}

/*
 * Account npages (negative: remove) of a mapping with these flags:
 * total_vm, then one of exec_vm, stack_vm, data_vm (spec §1.2).
 */
void vm_stat_account(struct mm_struct *mm, vm_flags_t flags, long npages)
{
	mm->total_vm += npages;
	if ((flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC)
		mm->exec_vm += npages;
	else if (flags & VM_STACK)
		mm->stack_vm += npages;
	else if ((flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE)
		mm->data_vm += npages;
}

/* RLIMIT_AS and RLIMIT_DATA are unlimited here; the check stays as the place they would go. */
bool may_expand_vm(struct mm_struct *mm, vm_flags_t flags, unsigned long npages)
{
	return mm->total_vm + npages >= mm->total_vm; /* no overflow */
}
