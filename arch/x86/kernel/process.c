// SPDX-License-Identifier: MIT
/*
 * Task state on x86: kernel stacks, the first frame of a new task, the
 * register switch, user FPU/SSE state and the FS base (TLS).
 *
 * Kernel stacks live in the vmalloc area, each 16 KiB with an unmapped
 * 16 KiB guard below it, so running off the end of a stack faults on the
 * guard instead of silently corrupting the neighbour; the fault cannot
 * push its frame on the broken stack either, which makes it a double
 * fault, handled on its own IST stack with a readable report.
 *
 *   slot (32 KiB, aligned):  [ guard: unmapped 16 KiB ][ stack: 4 pages 16 KiB ]
 *                                                      ^task->stack        ^top = tss.sp0
 *                                                       pt_regs sit at the top
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/desc.h>
#include <asm/pgtable_kernel.h>
#include <asm/processor.h>
#include <asm/ptrace.h>
#include <asm/uaccess.h>

#define VMALLOC_STACKS 0xffffc90000000000UL
#define STACK_SLOT_SIZE (2 * KERNEL_STACK_SIZE)
#define NR_STACK_SLOTS 2048 /* 2048 tasks at most, 64 MiB of address space */
static unsigned long stack_slot_used[NR_STACK_SLOTS / 64];

/* Pre-build the page tables of the stack area, so allocating a stack never allocates a table. */
void kernel_stacks_init(void)
{
	for (unsigned long va = VMALLOC_STACKS; va < VMALLOC_STACKS + NR_STACK_SLOTS * STACK_SLOT_SIZE;
	     va += PMD_SIZE) {
		struct page *dummy = alloc_page(GFP_KERNEL);
		/* vmap_page builds the tables; then drop the dummy mapping. */
		if (!dummy || vmap_page(va, dummy, PAGE_KERNEL))
			panic("cannot build the kernel stack area");
		vunmap_page(va);
		__free_page(dummy);
	}
}

void *alloc_kernel_stack(void)
{
	for (int slot = 0; slot < NR_STACK_SLOTS; slot++) {
		if (stack_slot_used[slot / 64] & (1UL << (slot % 64)))
			continue;
		unsigned long base = VMALLOC_STACKS + slot * STACK_SLOT_SIZE + KERNEL_STACK_SIZE;
		int i;
		for (i = 0; i < (int)(KERNEL_STACK_SIZE / PAGE_SIZE); i++) {
			struct page *page = alloc_page(GFP_KERNEL);
			if (!page || vmap_page(base + i * PAGE_SIZE, page, PAGE_KERNEL)) {
				if (page)
					__free_page(page);
				break;
			}
		}
		if (i < (int)(KERNEL_STACK_SIZE / PAGE_SIZE)) {
			while (i--) {
				int level;
				pte_t *pte = lookup_address(base + i * PAGE_SIZE, &level);
				struct page *page = pfn_to_page(pte_pfn(*pte));
				vunmap_page(base + i * PAGE_SIZE);
				__free_page(page);
			}
			return NULL;
		}
		stack_slot_used[slot / 64] |= 1UL << (slot % 64);
		return (void *)base;
	}
	return NULL;
}

void free_kernel_stack(void *stack)
{
	unsigned long base = (unsigned long)stack;
	int slot = (base - VMALLOC_STACKS) / STACK_SLOT_SIZE;

	for (unsigned long i = 0; i < KERNEL_STACK_SIZE / PAGE_SIZE; i++) {
		int level;
		pte_t *pte = lookup_address(base + i * PAGE_SIZE, &level);
		if (!pte)
			continue;
		struct page *page = pfn_to_page(pte_pfn(*pte));
		vunmap_page(base + i * PAGE_SIZE);
		__free_page(page);
	}
	stack_slot_used[slot / 64] &= ~(1UL << (slot % 64));
}

/* Is addr in the guard region of a kernel stack?  (For the double-fault report.) */
bool addr_in_stack_guard(unsigned long addr)
{
	if (addr < VMALLOC_STACKS || addr >= VMALLOC_STACKS + NR_STACK_SLOTS * STACK_SLOT_SIZE)
		return false;
	return ((addr - VMALLOC_STACKS) % STACK_SLOT_SIZE) < KERNEL_STACK_SIZE;
}

extern char ret_from_fork_asm[];

/*
 * The frame __switch_to_asm pops when it first switches to a new task:
 * six callee-saved registers and the return address, then a padding word,
 * then the pt_regs at the very top.
 */
struct fork_frame {
	unsigned long r15, r14, r13, r12, bx, bp;
	unsigned long ret_addr;
	unsigned long pad;
	struct pt_regs regs;
};

/*
 * Give p a first frame.  A kernel thread (fn != NULL) starts in fn(arg);
 * a user task resumes in user mode with a copy of the parent's registers,
 * rax = 0 (fork's return value in the child), and, for threads, a new
 * stack pointer and TLS.  Linux: copy_thread.
 */
void copy_thread(struct task_struct *p, int (*fn)(void *), void *arg, unsigned long new_sp,
		 unsigned long tls, bool set_tls)
{
	struct fork_frame *frame = (struct fork_frame *)((char *)p->stack + KERNEL_STACK_SIZE) - 1;

	memset(frame, 0, sizeof(*frame));
	frame->ret_addr = (unsigned long)ret_from_fork_asm;
	p->thread.sp = (unsigned long)frame;
	if (fn) {
		frame->bx = (unsigned long)fn;
		frame->r12 = (unsigned long)arg;
		frame->regs.cs = __KERNEL_CS;
		frame->regs.ss = __KERNEL_DS;
		return;
	}
	frame->regs = *task_pt_regs(current);
	frame->regs.ax = 0;
	if (new_sp)
		frame->regs.sp = new_sp;
	p->thread.fsbase = set_tls ? tls : current->thread.fsbase;
	/* The parent's registers are live in the CPU, not in its thread struct: save them for the child. */
	__asm__ __volatile__("fxsave %0" : "=m"(p->thread.fxsave));
}

/* The user registers an exec'd program starts with (spec §6.1 step 9). */
void start_thread(struct pt_regs *regs, unsigned long ip, unsigned long sp)
{
	memset(regs, 0, sizeof(*regs));
	regs->ip = ip;
	regs->sp = sp;
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	regs->flags = X86_EFLAGS_IF;
	current->thread.fsbase = 0;
	wrmsr(MSR_FS_BASE, 0);
	/* A clean FPU: the state fninit gives, with SSE exceptions masked (MXCSR 0x1f80). */
	memset(current->thread.fxsave, 0, sizeof(current->thread.fxsave));
	*(u16 *)&current->thread.fxsave[0] = 0x37f;  /* FCW */
	*(u32 *)&current->thread.fxsave[24] = 0x1f80; /* MXCSR */
	__asm__ __volatile__("fxrstor %0" : : "m"(current->thread.fxsave));
}

/*
 * Switch the CPU state that is per task but not in the callee-saved
 * registers: user FPU/SSE registers, the FS base, and the stack the CPU
 * loads on the next entry from user mode.
 */
void __switch_to_prepare(struct task_struct *prev, struct task_struct *next)
{
	__asm__ __volatile__("fxsave %0" : "=m"(prev->thread.fxsave));
	__asm__ __volatile__("fxrstor %0" : : "m"(next->thread.fxsave));
	if (prev->thread.fsbase != next->thread.fsbase || prev->mm != next->mm)
		wrmsr(MSR_FS_BASE, next->thread.fsbase);
	load_sp0((unsigned long)next->stack + KERNEL_STACK_SIZE);
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

long sys_arch_prctl(unsigned long option, unsigned long arg2)
{
	switch (option) {
	case ARCH_SET_FS:
		if (arg2 >= TASK_SIZE_MAX)
			return -EPERM;
		current->thread.fsbase = arg2;
		wrmsr(MSR_FS_BASE, arg2);
		return 0;
	case ARCH_GET_FS: {
		u64 v = current->thread.fsbase;
		return copy_to_user((void *)arg2, &v, sizeof(v)) ? -EFAULT : 0;
	}
	case ARCH_SET_GS:
	case ARCH_GET_GS:
		return -EINVAL; /* the kernel keeps GS for itself in Linux; unsupported here */
	default:
		return -EINVAL;
	}
}
