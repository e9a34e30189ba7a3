/* SPDX-License-Identifier: MIT */
#ifndef _LINUX_MM_TYPES_H
#define _LINUX_MM_TYPES_H

#include <linux/types.h>
#include <linux/compiler.h>

struct kmem_cache;

/*
 * struct page: one per physical page frame, in the mem_map array
 * (pfn_to_page(pfn) == mem_map + pfn).  64 bytes, like Linux's.
 *
 * Who uses which field:
 *   buddy allocator  lru (free list), private (order of a free block), PG_buddy
 *   slab             lru (cache's slab list), slab_cache, freelist, inuse, PG_slab
 *   compound tails   compound_head = head page | 1 (multi-page slabs, kmalloc > 4 KiB)
 *   user memory      _refcount (owners: PTEs' page references, the page cache...),
 *                    _mapcount (PTEs mapping the page, minus one), mapping/index (file pages)
 */
struct page {
	unsigned long flags;
	union {
		struct list_head lru;
		unsigned long compound_head; /* bit 0 set: this is a tail page */
	};
	union {
		struct kmem_cache *slab_cache;
		void *mapping; /* file pages: the struct fl_file they cache */
	};
	union {
		void *freelist;      /* slab: first free object */
		unsigned long index; /* file pages: page offset in the file */
	};
	unsigned long private; /* buddy: order; kmalloc-large: order */
	unsigned int inuse;    /* slab: objects allocated */
	unsigned int _pad;
	atomic_t _mapcount; /* -1 when not mapped by any PTE */
	atomic_t _refcount; /* 0 when free */
};

_Static_assert(sizeof(struct page) == 64, "struct page is 64 bytes, like Linux's");

/* Page flags (bit numbers). */
enum pageflags {
	PG_reserved, /* never handed to the buddy allocator (kernel image, boot data, holes) */
	PG_buddy,    /* free, head of a buddy block */
	PG_slab,     /* owned by the slab allocator */
	PG_head,     /* first page of a multi-page allocation */
	PG_anon,     /* anonymous user memory */
	PG_zero,     /* the shared zero page */
	PG_pgtable,  /* a user page-table page */
	PG_poisoned, /* free and filled with PAGE_POISON (page_poison=1) */
};


/* ------------------------------------------------------------------------
 * Address spaces.  Field names, meanings and update rules follow Linux 6.7
 * (shared/reference/linux-mm-spec.md §1, §3); docs/address-space.md says
 * who sets each field and when.  Lock legend for the comments:
 *   [L] mmap_lock   [P] page_table_lock   [A] arg_lock   [a] atomic   [I] set once
 */
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/maple_tree.h>
#include <asm/pgtable_types.h>

struct mm_struct;
struct fl_file;
struct vm_operations_struct;

typedef unsigned long vm_flags_t;

struct vm_area_struct {
	unsigned long vm_start; /* [L] first address inside */
	unsigned long vm_end;   /* [L] first address after */
	struct mm_struct *vm_mm; /* [I] the address space we belong to */
	pgprot_t vm_page_prot;   /* [L] PTE bits for pages here (never RW for private mappings) */
	vm_flags_t vm_flags;     /* [L] VM_* below */
	void *anon_vma;          /* [L] non-NULL once an anonymous page exists here (no rmap: a marker) */
	const struct vm_operations_struct *vm_ops; /* NULL: anonymous memory */
	unsigned long vm_pgoff;  /* [L] offset in the file, in pages (anonymous: vm_start >> 12) */
	struct fl_file *vm_file; /* [L] the mapped file, or NULL */
	void *vm_private_data;   /* shared anonymous memory: its backing object */
};

/* VM flags (spec §3.2). */
#define VM_NONE 0x00000000UL
#define VM_READ 0x00000001UL
#define VM_WRITE 0x00000002UL
#define VM_EXEC 0x00000004UL
#define VM_SHARED 0x00000008UL
#define VM_MAYREAD 0x00000010UL
#define VM_MAYWRITE 0x00000020UL
#define VM_MAYEXEC 0x00000040UL
#define VM_MAYSHARE 0x00000080UL
#define VM_GROWSDOWN 0x00000100UL
#define VM_PFNMAP 0x00000400UL
#define VM_LOCKED 0x00002000UL
#define VM_IO 0x00004000UL
#define VM_SEQ_READ 0x00008000UL
#define VM_RAND_READ 0x00010000UL
#define VM_DONTCOPY 0x00020000UL
#define VM_DONTEXPAND 0x00040000UL
#define VM_ACCOUNT 0x00100000UL
#define VM_NORESERVE 0x00200000UL
#define VM_WIPEONFORK 0x02000000UL
#define VM_SOFTDIRTY 0x08000000UL
#define VM_MIXEDMAP 0x10000000UL
#define VM_NOHUGEPAGE 0x40000000UL

#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)
#define VM_SPECIAL (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
#define VM_STACK VM_GROWSDOWN
#define VM_DATA_DEFAULT_FLAGS (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
#define VM_STACK_DEFAULT_FLAGS VM_DATA_DEFAULT_FLAGS
#define VM_STACK_FLAGS (VM_GROWSDOWN | VM_STACK_DEFAULT_FLAGS | VM_ACCOUNT)
#define VM_STACK_INCOMPLETE_SETUP (VM_RAND_READ | VM_SEQ_READ)
#define VM_INIT_DEF_MASK VM_NOHUGEPAGE

/* Resident-set counters (rss_stat). */
enum {
	MM_FILEPAGES,  /* pages of files mapped here */
	MM_ANONPAGES,  /* private anonymous pages */
	MM_SWAPENTS,   /* always 0: no swap */
	MM_SHMEMPAGES, /* shared anonymous (shmem) pages */
	NR_MM_COUNTERS
};

#define AT_VECTOR_SIZE 48 /* (type, value) words of the saved auxv, AT_NULL included */

/* x86 mm context: a unique id and a TLB flush generation (spec §2.7). */
typedef struct {
	u64 ctx_id;
	atomic_long_t tlb_gen;
	unsigned long vdso;
} mm_context_t;

#define NR_CPUS 1

struct mm_struct {
	struct {
		/*
		 * mm_count alone on its own cache line: lazy-TLB switches
		 * write it constantly, and must not bounce the line holding
		 * pgd, mm_users and mmap_lock.
		 */
		struct {
			atomic_t mm_count; /* [a] references to the struct; all users count as one */
		} ____cacheline_aligned_in_smp;

		struct maple_tree mm_mt; /* [L] the VMA tree */
		unsigned long (*get_unmapped_area)(struct fl_file *file, unsigned long addr,
						   unsigned long len, unsigned long pgoff,
						   unsigned long flags); /* [I] top-down or bottom-up */
		unsigned long mmap_base;        /* [L] top of the top-down mmap search */
		unsigned long mmap_legacy_base; /* [L] base of the bottom-up search */
		unsigned long task_size;        /* [I] size of user space: TASK_SIZE */
		pgd_t *pgd;                     /* [I] the top-level page table (PML4) */
		atomic_t mm_users;              /* [a] users of the address space (tasks, temporary holders) */
		atomic_long_t pgtables_bytes;   /* [a] bytes of PUD/PMD/PTE table pages (not the PGD) */
		int map_count;                  /* [L] number of VMAs */
		spinlock_t page_table_lock;     /* protects filling page-table entries, stack growth */
		struct rw_semaphore mmap_lock;  /* the VMA tree and VMA fields */
		struct list_head mmlist;        /* on init_mm.mmlist: every live mm, for the debugger */

		unsigned long hiwater_rss; /* [P] peak RSS in pages, updated before RSS drops */
		unsigned long hiwater_vm;  /* [L] peak total_vm, updated before it drops */
		unsigned long total_vm;    /* [L] pages in all VMAs */
		unsigned long locked_vm;   /* [L] pages in VM_LOCKED VMAs */
		atomic_long_t pinned_vm;   /* [a] long-term pinned pages (none here) */
		unsigned long data_vm;     /* [L] VM_WRITE & ~VM_SHARED & ~VM_STACK */
		unsigned long exec_vm;     /* [L] VM_EXEC & ~VM_WRITE & ~VM_STACK */
		unsigned long stack_vm;    /* [L] VM_STACK */
		vm_flags_t def_flags;      /* [L] ORed into every new VMA */

		spinlock_t arg_lock; /* protects the boundaries below against concurrent readers */
		unsigned long start_code, end_code, start_data, end_data; /* [A] */
		unsigned long start_brk, brk, start_stack;                /* [A] */
		unsigned long arg_start, arg_end, env_start, env_end;     /* [A] */
		unsigned long saved_auxv[AT_VECTOR_SIZE];                 /* [I] for /proc/PID/auxv */

		atomic_long_t rss_stat[NR_MM_COUNTERS]; /* [a] resident pages by kind */

		mm_context_t context;       /* arch state: ctx_id, tlb_gen */
		unsigned long flags;        /* MMF_* */
		struct task_struct *owner;  /* the task this mm belongs to (its thread-group leader) */
		atomic_t tlb_flush_pending; /* [a] batched flushes outstanding (always 0: we flush at once) */
	};
	/* CPUs that have this mm loaded; sized for NR_CPUS at the very end, as in Linux. */
	unsigned long cpu_bitmap[];
};

/* The layout promises of spec §1.1, checked at compile time. */
_Static_assert(offsetof(struct mm_struct, mm_count) == 0, "mm_count comes first");
_Static_assert(offsetof(struct mm_struct, mm_mt) == L1_CACHE_BYTES,
	       "mm_count is alone on its cache line: the next field starts on the following line");
_Static_assert(_Alignof(struct mm_struct) == L1_CACHE_BYTES, "mm_struct is cacheline aligned");
_Static_assert(offsetof(struct mm_struct, cpu_bitmap) == sizeof(struct mm_struct),
	       "the CPU mask is the flexible tail of the struct");

/* MMF_* flags */
#define MMF_DUMPABLE 0
#define MMF_OOM_SKIP 21 /* exit_mmap has run: nothing left for the OOM killer */

extern struct mm_struct init_mm;

#endif /* _LINUX_MM_TYPES_H */
