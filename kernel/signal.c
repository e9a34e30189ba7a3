// SPDX-License-Identifier: MIT
/*
 * Signals, as far as the memory manager needs them: a fault or a kill
 * ends the process with the signal as its status ("killed by signal 11"
 * for wait4).  Handlers are not delivered: rt_sigaction records them and
 * answers like Linux, but a pending signal always takes its default
 * action, which for every signal raised here is to terminate.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <linux/signal.h>
#include <asm/signal.h>
#include <asm/traps.h>
#include <asm/uaccess.h>

bool show_unhandled_signals = true;

int send_sig(int sig, struct task_struct *t)
{
	if (sig <= 0 || sig >= _NSIG)
		return -EINVAL;
	t->pending |= 1UL << sig;
	if (t->state == TASK_INTERRUPTIBLE)
		wake_up_process(t);
	return 0;
}

bool fatal_signal_pending(struct task_struct *t)
{
	return t->pending != 0; /* every signal is fatal here (no handlers run) */
}

/* The lowest pending signal: what the process dies of. */
static int next_signal(struct task_struct *t)
{
	return __builtin_ctzl(t->pending);
}

void force_sig_fault(int sig, int si_code, unsigned long addr)
{
	struct task_struct *t = current;

	if (show_unhandled_signals)
		printk(KERN_INFO "%s[%d]: %s at %lx (si_code %d)\n", t->comm, t->pid,
		       sig == SIGSEGV ? "segfault" : sig == SIGBUS ? "bus error" : "fatal signal", addr,
		       si_code);
	send_sig(sig, t);
}

/* A CPU exception in user mode: the signal Linux sends for it. */
void force_sig_trap(struct pt_regs *regs, int vector)
{
	int sig;

	switch (vector) {
	case X86_TRAP_DE:
	case X86_TRAP_MF:
	case X86_TRAP_XF:
		sig = SIGFPE;
		break;
	case X86_TRAP_UD:
		sig = SIGILL;
		break;
	case X86_TRAP_BP:
	case X86_TRAP_DB:
		sig = SIGTRAP;
		break;
	case X86_TRAP_AC:
		sig = SIGBUS;
		break;
	default: /* #GP (a non-canonical address among others), #SS, #NP... */
		sig = SIGSEGV;
	}
	force_sig_fault(sig, SI_KERNEL, 0);
}

/* On every return to user mode: die of a pending signal, or let someone else run. */
void exit_to_user_mode(struct pt_regs *regs)
{
	for (;;) {
		if (fatal_signal_pending(current))
			do_exit(next_signal(current)); /* wait status: the signal number */
		if (!need_resched())
			return;
		schedule();
	}
}

struct k_sigaction {
	unsigned long handler, flags, restorer, mask;
};

/* Recorded, never run (see the top of this file). */
long sys_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *oact,
		      unsigned long sigsetsize)
{
	static struct k_sigaction actions[_NSIG];

	if (sigsetsize != 8 || sig <= 0 || sig >= _NSIG || (act && (sig == SIGKILL || sig == 19)))
		return -EINVAL;
	if (oact && copy_to_user(oact, &actions[sig], sizeof(*oact)))
		return -EFAULT;
	if (act && copy_from_user(&actions[sig], act, sizeof(*act)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigprocmask(int how, const unsigned long *set, unsigned long *oset, unsigned long sigsetsize)
{
	unsigned long new;

	if (sigsetsize != 8)
		return -EINVAL;
	if (oset && copy_to_user(oset, &current->blocked, sizeof(*oset)))
		return -EFAULT;
	if (!set)
		return 0;
	if (copy_from_user(&new, set, sizeof(new)))
		return -EFAULT;
	switch (how) {
	case 0: /* SIG_BLOCK */
		current->blocked |= new;
		break;
	case 1: /* SIG_UNBLOCK */
		current->blocked &= ~new;
		break;
	case 2: /* SIG_SETMASK */
		current->blocked = new;
		break;
	default:
		return -EINVAL;
	}
	current->blocked &= ~((1UL << SIGKILL) | (1UL << 19));
	return 0;
}

long sys_kill(pid_t pid, int sig)
{
	struct task_struct *t = find_task_by_pid(pid);

	if (!t)
		return -ESRCH;
	if (sig == 0)
		return 0;
	return send_sig(sig, t);
}

long sys_tkill(pid_t tid, int sig)
{
	return sys_kill(tid, sig);
}

long sys_tgkill(pid_t tgid, pid_t tid, int sig)
{
	return sys_kill(tid, sig);
}
