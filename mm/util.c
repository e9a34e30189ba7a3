// SPDX-License-Identifier: MIT
/*
 * Overcommit: may the kernel promise a process `pages` more pages of
 * memory it has not touched yet?
 *
 * mmap, brk, mprotect (a private mapping becoming writable), stack growth,
 * fork (each private writable VMA again) and shared anonymous mappings all
 * promise memory that is only allocated at the first touch.  Linux's
 * default policy, vm.overcommit_memory = 0 (OVERCOMMIT_GUESS), refuses just
 * one kind of promise: a single request for more than all of RAM plus swap,
 * which could never be kept.  Everything smaller is granted, and if memory
 * does run out at the touch, that is the OOM killer's business
 * (mm/oom_kill.c).  So on a 256 MiB machine malloc(300 MiB) returns NULL,
 * while ten malloc(200 MiB) all succeed.
 *
 * Faultline has no swap and no other policy, and keeps no Committed_AS
 * total (the guess does not use it).  Linux: __vm_enough_memory in
 * mm/util.c, reached through security_vm_enough_memory_mm.
 */
#include <linux/kernel.h>
#include <linux/mm.h>

int __vm_enough_memory(struct mm_struct *mm, long pages)
{
	(void)mm;
	if (pages > (long)totalram_pages)
		return -ENOMEM;
	return 0;
}
