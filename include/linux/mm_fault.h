/* SPDX-License-Identifier: MIT */
/* The vocabulary of the page-fault path (mm/memory.c), Linux's names. */
#ifndef _LINUX_MM_FAULT_H
#define _LINUX_MM_FAULT_H

#include <linux/mm_types.h>
#include <asm/pgtable.h>

/* Why and how we fault: FAULT_FLAG_* */
#define FAULT_FLAG_WRITE 0x01
#define FAULT_FLAG_USER 0x40
#define FAULT_FLAG_INSTRUCTION 0x100
#define FAULT_FLAG_REMOTE 0x80 /* on behalf of the kernel (uaccess, populate) */

/*
 * The outcome of a fault, a bit set (Linux: vm_fault_t).  0 means the PTE
 * is in place and the access can be retried.
 */
typedef unsigned int vm_fault_t;
#define VM_FAULT_OOM 0x000001
#define VM_FAULT_SIGBUS 0x000002
#define VM_FAULT_MAJOR 0x000004
#define VM_FAULT_SIGSEGV 0x000040
#define VM_FAULT_NOPAGE 0x000100
#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)

/* Which leaf handler ran: for fault tracing and the GDB helpers. */
enum fault_kind {
	FAULT_NONE,
	FAULT_ANON_ZERO_PAGE, /* do_anonymous_page, read: shared zero page */
	FAULT_ANON_NEW_PAGE,  /* do_anonymous_page, write: new zeroed page */
	FAULT_FILE_READ,      /* do_read_fault: page cache page mapped read-only */
	FAULT_FILE_COW,       /* do_cow_fault: private copy of a file page */
	FAULT_SHARED,         /* do_shared_fault: shared page, writable */
	FAULT_WP_REUSE,       /* do_wp_page: we own the page, make it writable */
	FAULT_WP_COPY,        /* do_wp_page: copy on write */
	FAULT_SPURIOUS,       /* the PTE already allows it: just the accessed/dirty bits */
	NR_FAULT_KINDS
};
extern const char *const fault_kind_names[NR_FAULT_KINDS];

/* Everything a leaf handler needs, built once by __handle_mm_fault. */
struct vm_fault {
	struct vm_area_struct *vma;
	unsigned long address; /* page-aligned */
	unsigned long real_address;
	unsigned int flags;
	pgoff_t pgoff; /* the page's index in the VMA's object */
	pmd_t *pmd;
	pte_t *pte;
	pte_t orig_pte;
	enum fault_kind kind; /* what we did, for tracing */
};

struct vm_operations_struct {
	const char *name;
	/* Find the object's page at vmf->pgoff, referenced; NULL: out of memory (or beyond EOF -> *err). */
	struct page *(*fault)(struct vm_fault *vmf, vm_fault_t *err);
	void (*open)(struct vm_area_struct *vma);  /* a copy of the VMA was made (split, fork) */
	void (*close)(struct vm_area_struct *vma); /* a VMA is going away */
};

#endif
