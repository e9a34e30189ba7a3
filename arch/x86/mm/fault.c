// SPDX-License-Identifier: MIT
/*
 * The x86 half of the page-fault path: from the CPU exception to
 * handle_mm_fault (mm/memory.c).  The decisions, in order (spec §4.2-4.3):
 *
 *   exc_page_fault(regs, error_code)          CR2 = the faulting address
 *    |
 *    +- address >= TASK_SIZE_MAX ------------> do_kern_addr_fault
 *    |                                          kernel mode: exception table or oops
 *    |                                          user mode:   SIGSEGV (SEGV_MAPERR)
 *    +- do_user_addr_fault
 *         kernel fetched a user page (SMEP)? --> oops
 *         reserved bit set? -------------------> oops
 *         kernel read user memory with AC clear (SMAP)? --> oops
 *         no mm (kernel thread)? --------------> bad_area_nosemaphore
 *         mmap_read_lock; vma = find_vma(addr)
 *         no vma above addr? ------------------> bad_area: SIGSEGV, SEGV_MAPERR
 *         addr below vma, VM_GROWSDOWN? -------> expand_stack (write lock), else bad_area
 *         access_error(error_code, vma)? ------> bad_area_access_error: SEGV_ACCERR
 *         handle_mm_fault(vma, addr, flags)
 *           VM_FAULT_OOM    -> pagefault_out_of_memory (the OOM killer)
 *           VM_FAULT_SIGBUS -> SIGBUS, BUS_ADRERR
 *           VM_FAULT_SIGSEGV-> SIGSEGV, SEGV_MAPERR
 *
 * "bad_area" from kernel mode (a uaccess helper touching a bad user
 * pointer) is not a signal: the exception table makes the helper return
 * -EFAULT.  With no fixup it is a kernel bug: oops.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/oom.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <asm/processor.h>
#include <asm/signal.h>
#include <asm/traps.h>

/*
 * With fault tracing on ("fault_trace" on the command line, or syscall
 * 0x666c at run time), one line per user-space fault: the teaching
 * version of Linux's page_fault_user tracepoint.
 *   fault: init[1] addr 0x404040 ip 0x401000 [not-present write user-mode]
 *          vma 0x404000-0x405000 rw-p -> do_cow_fault
 */
static void trace_user_fault(struct pt_regs *regs, unsigned long error_code, unsigned long address,
			     struct vm_area_struct *vma, const char *outcome)
{
	char ec[96];

	if (!fault_trace_enabled)
		return;
	decode_pf_error_code(error_code, ec, sizeof(ec));
	if (vma)
		printk(KERN_INFO "fault: %s[%d] addr %#lx ip %#lx [%s] vma %#lx-%#lx %c%c%c%c -> %s\n",
		       current->comm, current->pid, address, regs->ip, ec, vma->vm_start, vma->vm_end,
		       vma->vm_flags & VM_READ ? 'r' : '-', vma->vm_flags & VM_WRITE ? 'w' : '-',
		       vma->vm_flags & VM_EXEC ? 'x' : '-', vma->vm_flags & VM_MAYSHARE ? 's' : 'p', outcome);
	else
		printk(KERN_INFO "fault: %s[%d] addr %#lx ip %#lx [%s] no vma -> %s\n", current->comm,
		       current->pid, address, regs->ip, ec, outcome);
}

/* Kernel-mode fault we cannot resolve: a fixup if the instruction has one, else an oops. */
static void kernelmode_fixup_or_oops(struct pt_regs *regs, unsigned long error_code,
				     unsigned long address, const char *why)
{
	if (fixup_exception(regs))
		return;
	printk(KERN_EMERG "BUG: %s at address %016lx\n", why, address);
	die("page fault", regs, X86_TRAP_PF);
}

static void __bad_area_nosemaphore(struct pt_regs *regs, unsigned long error_code,
				   unsigned long address, int si_code)
{
	if (!user_mode(regs)) {
		kernelmode_fixup_or_oops(regs, error_code, address,
					 address < PAGE_SIZE ? "kernel NULL pointer dereference"
							     : "unable to handle page fault");
		return;
	}
	force_sig_fault(SIGSEGV, si_code, address);
}

static void bad_area(struct pt_regs *regs, unsigned long error_code, unsigned long address,
		     int si_code)
{
	mmap_read_unlock(current->mm);
	__bad_area_nosemaphore(regs, error_code, address, si_code);
}

/*
 * May this VMA take this access?  Linux: access_error.  VM_EXEC is never
 * checked: an instruction fetch from a readable non-exec page first maps
 * it (with NX), and the retried fetch comes back as a protection fault.
 */
static bool access_error(unsigned long error_code, struct vm_area_struct *vma)
{
	if (error_code & X86_PF_PK)
		return true;
	if (error_code & X86_PF_WRITE)
		return !(vma->vm_flags & VM_WRITE);
	if (error_code & X86_PF_PROT) /* a read (or fetch) of a present page: NX or PROT_NONE */
		return true;
	return !vma_is_accessible(vma);
}

static noinline void do_kern_addr_fault(struct pt_regs *regs, unsigned long error_code, unsigned long address)
{
	/* User space must not learn whether a kernel page is present: the code says PROT either way. */
	__bad_area_nosemaphore(regs, error_code | X86_PF_PROT, address, SEGV_MAPERR);
}

static noinline void do_user_addr_fault(struct pt_regs *regs, unsigned long error_code, unsigned long address)
{
	struct mm_struct *mm = current ? current->mm : NULL;
	struct vm_area_struct *vma;
	unsigned int flags = 0;

	if ((error_code & (X86_PF_USER | X86_PF_INSTR)) == X86_PF_INSTR) {
		printk(KERN_EMERG "BUG: kernel tried to execute user memory at %016lx (SMEP)\n", address);
		die("page fault", regs, X86_TRAP_PF);
	}
	if (error_code & X86_PF_RSVD) {
		printk(KERN_EMERG "BUG: reserved bit set in a page table entry for %016lx\n", address);
		die("page fault", regs, X86_TRAP_PF);
	}
	if (boot_cpu_data.has_smap && !(error_code & X86_PF_USER) && !(regs->flags & X86_EFLAGS_AC)) {
		if (address < PAGE_SIZE)
			printk(KERN_EMERG "BUG: kernel NULL pointer dereference, address: %016lx\n", address);
		else
			printk(KERN_EMERG "BUG: kernel accessed user memory at %016lx outside a uaccess window (SMAP)\n",
			       address);
		die("page fault", regs, X86_TRAP_PF);
	}
	if (!mm) {
		__bad_area_nosemaphore(regs, error_code, address, SEGV_MAPERR);
		return;
	}

	if (user_mode(regs))
		flags |= FAULT_FLAG_USER;
	else
		flags |= FAULT_FLAG_REMOTE;
	if (error_code & X86_PF_WRITE)
		flags |= FAULT_FLAG_WRITE;
	if (error_code & X86_PF_INSTR)
		flags |= FAULT_FLAG_INSTRUCTION;

	mmap_read_lock(mm);
	vma = find_vma(mm, address);
	if (unlikely(!vma)) {
		trace_user_fault(regs, error_code, address, NULL, "bad_area: SIGSEGV (SEGV_MAPERR)");
		bad_area(regs, error_code, address, SEGV_MAPERR);
		return;
	}
	if (unlikely(vma->vm_start > address)) {
		if (!(vma->vm_flags & VM_GROWSDOWN)) {
			trace_user_fault(regs, error_code, address, NULL, "bad_area: SIGSEGV (SEGV_MAPERR)");
			bad_area(regs, error_code, address, SEGV_MAPERR);
			return;
		}
		/* LAB stack BEGIN: below a VM_GROWSDOWN VMA: grow the stack down to address (mmap_lock for writing) */
		/* Stack growth needs the lock for writing (lock_mm_and_find_vma). */
		mmap_read_unlock(mm);
		mmap_write_lock(mm);
		vma = expand_stack(mm, address);
		if (!vma) {
			trace_user_fault(regs, error_code, address, NULL, "stack cannot grow: SIGSEGV (SEGV_MAPERR)");
			mmap_write_unlock(mm);
			__bad_area_nosemaphore(regs, error_code, address, SEGV_MAPERR);
			return;
		}
		mmap_write_downgrade(mm);
		/* LAB stack STUB
		bad_area(regs, error_code, address, SEGV_MAPERR);
		return;
		   LAB stack END */
	}
	if (unlikely(access_error(error_code, vma))) {
		trace_user_fault(regs, error_code, address, vma, "access_error: SIGSEGV (SEGV_ACCERR)");
		bad_area(regs, error_code, address, SEGV_ACCERR);
		return;
	}

	vm_fault_t fault = handle_mm_fault(vma, address, flags, regs);
	trace_user_fault(regs, error_code, address, vma,
			 fault & VM_FAULT_OOM ? "out of memory" : fault & VM_FAULT_SIGBUS ? "SIGBUS"
			 : fault & VM_FAULT_SIGSEGV ? "SIGSEGV" : fault_kind_names[last_fault_kind]);
	mmap_read_unlock(mm);
	if (likely(!(fault & VM_FAULT_ERROR)))
		return;

	if (fault & VM_FAULT_OOM) {
		if (!user_mode(regs)) {
			kernelmode_fixup_or_oops(regs, error_code, address, "out of memory in a uaccess");
			return;
		}
		pagefault_out_of_memory();
		return; /* the access is retried; unless we were the victim */
	}
	if (fault & VM_FAULT_SIGBUS) {
		if (!user_mode(regs))
			kernelmode_fixup_or_oops(regs, error_code, address, "SIGBUS in a uaccess");
		else
			force_sig_fault(SIGBUS, BUS_ADRERR, address);
		return;
	}
	__bad_area_nosemaphore(regs, error_code, address, SEGV_MAPERR);
}

void exc_page_fault(struct pt_regs *regs, unsigned long error_code)
{
	unsigned long address = read_cr2();

	if (address >= TASK_SIZE_MAX)
		do_kern_addr_fault(regs, error_code, address);
	else
		do_user_addr_fault(regs, error_code, address);
}
