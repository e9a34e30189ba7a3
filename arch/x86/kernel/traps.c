// SPDX-License-Identifier: MIT
/*
 * Exceptions and interrupts after the entry stub: route each vector to
 * its handler, and for a kernel bug print an oops (vector, decoded error
 * code, CR2, registers, symbolised backtrace) and panic.
 */
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/string.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <asm/signal.h>
#include <linux/sched.h>

static const char *const trap_names[32] = {
	[X86_TRAP_DE] = "divide error",
	[X86_TRAP_DB] = "debug",
	[X86_TRAP_NMI] = "NMI",
	[X86_TRAP_BP] = "int3",
	[X86_TRAP_OF] = "overflow",
	[X86_TRAP_BR] = "bounds",
	[X86_TRAP_UD] = "invalid opcode",
	[X86_TRAP_NM] = "device not available",
	[X86_TRAP_DF] = "double fault",
	[X86_TRAP_OLD_MF] = "coprocessor segment overrun",
	[X86_TRAP_TS] = "invalid TSS",
	[X86_TRAP_NP] = "segment not present",
	[X86_TRAP_SS] = "stack segment",
	[X86_TRAP_GP] = "general protection fault",
	[X86_TRAP_PF] = "page fault",
	[X86_TRAP_SPURIOUS] = "spurious",
	[X86_TRAP_MF] = "coprocessor error",
	[X86_TRAP_AC] = "alignment check",
	[X86_TRAP_MC] = "machine check",
	[X86_TRAP_XF] = "SIMD exception",
	[X86_TRAP_VE] = "virtualization exception",
	[X86_TRAP_CP] = "control protection",
};

static const char *const trap_mnemonics[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF", "#TS", "#NP", "#SS",
	"#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

const char *trap_name(int vector)
{
	if (vector < 32 && trap_names[vector])
		return trap_names[vector];
	return vector < 32 ? "reserved exception" : "interrupt";
}

/* "[not-present write user-mode]" and friends, as a student reads them. */
int decode_pf_error_code(unsigned long ec, char *buf, size_t size)
{
	return snprintf(buf, size, "%s %s %s-mode%s%s%s", (ec & X86_PF_PROT) ? "protection" : "not-present",
			(ec & X86_PF_INSTR) ? "instruction-fetch" : (ec & X86_PF_WRITE) ? "write" : "read",
			(ec & X86_PF_USER) ? "user" : "kernel", (ec & X86_PF_RSVD) ? " reserved-bit" : "",
			(ec & X86_PF_PK) ? " protection-key" : "", (ec & X86_PF_SHSTK) ? " shadow-stack" : "");
}

static void decode_error_code(int vector, unsigned long ec, char *buf, size_t size)
{
	if (vector == X86_TRAP_PF) {
		decode_pf_error_code(ec, buf, size);
	} else if (vector == X86_TRAP_GP || vector == X86_TRAP_TS || vector == X86_TRAP_NP ||
		   vector == X86_TRAP_SS) {
		if (ec == 0)
			snprintf(buf, size, "no selector (often a non-canonical address)");
		else
			snprintf(buf, size, "%s selector 0x%lx%s", (ec & 2) ? "IDT" : (ec & 4) ? "LDT" : "GDT",
				 ec >> 3, (ec & 1) ? " external" : "");
	} else {
		buf[0] = 0;
	}
}

void show_regs(struct pt_regs *regs)
{
	char sym[128];

	sprint_symbol(sym, sizeof(sym), regs->ip);
	printk(KERN_EMERG "RIP: %04lx:%016lx %s\n", regs->cs, regs->ip, sym);
	printk(KERN_EMERG "RSP: %04lx:%016lx EFLAGS: %08lx\n", regs->ss, regs->sp, regs->flags);
	printk(KERN_EMERG "RAX: %016lx RBX: %016lx RCX: %016lx\n", regs->ax, regs->bx, regs->cx);
	printk(KERN_EMERG "RDX: %016lx RSI: %016lx RDI: %016lx\n", regs->dx, regs->si, regs->di);
	printk(KERN_EMERG "RBP: %016lx R08: %016lx R09: %016lx\n", regs->bp, regs->r8, regs->r9);
	printk(KERN_EMERG "R10: %016lx R11: %016lx R12: %016lx\n", regs->r10, regs->r11, regs->r12);
	printk(KERN_EMERG "R13: %016lx R14: %016lx R15: %016lx\n", regs->r13, regs->r14, regs->r15);
	printk(KERN_EMERG "CR0: %016lx CR2: %016lx CR3: %016lx\n", read_cr0(), read_cr2(), read_cr3());
	printk(KERN_EMERG "CR4: %016lx\n", read_cr4());
}

/*
 * Walk the frame-pointer chain (the kernel is built with
 * -fno-omit-frame-pointer): each frame holds the caller's %rbp and then
 * the return address.  Stop at a frame outside the current stack, which
 * keeps a corrupt chain from faulting inside the oops itself.
 */
void show_trace(unsigned long ip, unsigned long bp, unsigned long sp)
{
	char sym[128];
	unsigned long stack_lo = sp & ~7UL, stack_hi = (sp | (KERNEL_STACK_SIZE - 1)) + 1;

	printk(KERN_EMERG "Call Trace:\n");
	sprint_symbol(sym, sizeof(sym), ip);
	printk(KERN_EMERG " [<%016lx>] %s\n", ip, sym);

	/*
	 * The innermost function may not have linked its frame yet: stopped in
	 * its prologue ("push %rbp; mov %rsp,%rbp": offsets 0-3), or a leaf that
	 * GCC compiled without a frame at all (it does not start with push
	 * %rbp, 0x55).  Its caller's return address is then on the stack: on
	 * top, or just above the pushed rbp.
	 */
	unsigned long fn_start;
	if (kallsyms_lookup(ip, &fn_start, NULL) && sp >= stack_lo && sp + 16 <= stack_hi) {
		bool frameless = *(u8 *)fn_start != 0x55;
		unsigned long ret = 0;
		if (frameless || ip == fn_start)
			ret = ((unsigned long *)sp)[0];
		else if (ip - fn_start < 4)
			ret = ((unsigned long *)sp)[1];
		if (ret && kernel_text_address(ret)) {
			sprint_symbol(sym, sizeof(sym), ret);
			printk(KERN_EMERG " [<%016lx>] %s\n", ret, sym);
		}
	}
	for (int depth = 0; depth < 32; depth++) {
		if (bp < stack_lo || bp + 16 > stack_hi || (bp & 7))
			break;
		unsigned long *frame = (unsigned long *)bp;
		unsigned long ret = frame[1];
		if (!kernel_text_address(ret))
			break;
		sprint_symbol(sym, sizeof(sym), ret);
		printk(KERN_EMERG " [<%016lx>] %s\n", ret, sym);
		stack_lo = bp + 16;
		bp = frame[0];
	}
}

static int die_nesting;
extern int oops_in_progress;

void die(const char *why, struct pt_regs *regs, int vector)
{
	char ec[96];

	local_irq_disable();
	console_loglevel = CONSOLE_LOGLEVEL_DEFAULT; /* an oops is always shown, even with quiet */
	if (die_nesting++)
		panic("recursive fault inside the oops printer");
	oops_in_progress = 1;
	decode_error_code(vector, regs->orig_ax, ec, sizeof(ec));
	printk(KERN_EMERG "Oops: %s (%s), error_code 0x%lx%s%s%s\n", why,
	       vector < 32 ? trap_mnemonics[vector] : "irq", regs->orig_ax, ec[0] ? " [" : "", ec,
	       ec[0] ? "]" : "");
	if (vector == X86_TRAP_PF)
		printk(KERN_EMERG "CR2 (faulting address): %016lx\n", read_cr2());
	show_regs(regs);
	show_trace(regs->ip, regs->bp, user_mode(regs) ? (unsigned long)&regs[1] : regs->sp);
	panic("Fatal exception");
}

struct kernel_fault_catcher *active_fault_catcher;

/* Resume at kernel_fault_setjmp() returning 1 (see asm/traps.h). */
static bool catch_kernel_fault(struct pt_regs *regs, int vector)
{
	struct kernel_fault_catcher *c = active_fault_catcher;

	if (!c || user_mode(regs) || vector == X86_TRAP_NMI || vector == X86_TRAP_MC)
		return false;
	active_fault_catcher = NULL;
	c->vector = vector;
	c->error_code = regs->orig_ax;
	c->cr2 = vector == X86_TRAP_PF ? read_cr2() : 0;
	regs->bx = c->rbx;
	regs->bp = c->rbp;
	regs->r12 = c->r12;
	regs->r13 = c->r13;
	regs->r14 = c->r14;
	regs->r15 = c->r15;
	regs->sp = c->rsp;
	regs->ip = c->rip;
	regs->ax = 1;
	regs->flags &= ~X86_EFLAGS_AC; /* leave any uaccess window */
	return true;
}

static irq_handler_t irq_handlers[256];

void register_irq_handler(int vector, irq_handler_t fn)
{
	irq_handlers[vector] = fn;
}

bool addr_in_stack_guard(unsigned long addr);

/*
 * A double fault on its own IST stack.  The usual cause in a kernel: the
 * stack ran into its guard page, the CPU could not push the page fault's
 * frame there, and gave up.  Say so before the usual oops, and do not walk
 * the broken stack.  Linux: exc_double_fault / handle_stack_overflow.
 */
static __noreturn void do_double_fault(struct pt_regs *regs)
{
	unsigned long cr2 = read_cr2();

	console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
	if (addr_in_stack_guard(cr2) || addr_in_stack_guard(regs->sp)) {
		printk(KERN_EMERG "BUG: kernel stack overflow: the stack guard page was hit at %016lx "
		       "(RSP %016lx, task %d %s, stack %p-%p)\n", cr2, regs->sp, current->pid, current->comm,
		       current->stack, (char *)current->stack + KERNEL_STACK_SIZE);
		regs->bp = 0; /* the frame chain is on the broken stack: show only RIP */
	}
	die("double fault", regs, X86_TRAP_DF);
}

/* Exceptions other than #PF: user mode gets a signal, kernel mode a fixup or an oops. */
static void do_trap(struct pt_regs *regs, int vector)
{
	if (vector == X86_TRAP_DF)
		do_double_fault(regs);
	if (user_mode(regs)) {
		force_sig_trap(regs, vector);
		return;
	}
	if (catch_kernel_fault(regs, vector) || fixup_exception(regs))
		return;
	die(trap_name(vector), regs, vector);
}

void do_interrupt(struct pt_regs *regs, int vector)
{
	if (vector == X86_TRAP_PF) {
		if (!user_mode(regs) && active_fault_catcher && catch_kernel_fault(regs, vector))
			return;
		exc_page_fault(regs, regs->orig_ax);
	} else if (vector < NR_EXCEPTION_VECTORS) {
		do_trap(regs, vector);
	} else if (irq_handlers[vector]) {
		irq_handlers[vector](regs);
	} else {
		printk(KERN_WARNING "unexpected interrupt vector %d\n", vector);
	}
	if (user_mode(regs))
		exit_to_user_mode(regs);
}
