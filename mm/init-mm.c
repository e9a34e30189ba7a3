// SPDX-License-Identifier: MIT
/*
 * init_mm: the kernel's own address space.  Its pgd is swapper_pg_dir,
 * its VMA tree is empty, and it is never freed.  The idle task and kernel
 * threads that have borrowed nothing run on it.  mm_users starts at 2 and
 * mm_count at 1, as in Linux, so no mmput/mmdrop can bring either to zero.
 */
#include <linux/mm.h>

extern pgd_t swapper_pg_dir[];

struct mm_struct init_mm = {
	.mm_mt = MTREE_INIT(init_mm.mm_mt),
	.pgd = swapper_pg_dir,
	.mm_users = ATOMIC_INIT(2),
	.mm_count = ATOMIC_INIT(1),
	.mmap_lock = __RWSEM_INITIALIZER(init_mm.mmap_lock),
	.page_table_lock = __SPIN_LOCK_UNLOCKED(init_mm.page_table_lock),
	.arg_lock = __SPIN_LOCK_UNLOCKED(init_mm.arg_lock),
	.mmlist = LIST_HEAD_INIT(init_mm.mmlist),
	.task_size = TASK_SIZE,
	.cpu_bitmap = { 1 },
};
