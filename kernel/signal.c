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
#include <linux/slab.h>
#include <linux/string.h>

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

/*
 * On every return to user mode: die of a pending signal, or let someone
 * else run.  A fatal signal ends the whole thread group (every thread dies
 * with the signal as the status), unless the group is already going: then
 * this thread just exits.
 */
void exit_to_user_mode(struct pt_regs *regs)
{
	for (;;) {
		if (fatal_signal_pending(current)) {
			struct task_struct *leader = current->group_leader;
			int sig = next_signal(current);
			if (leader->group_exit || leader->group_exec_task)
				do_exit(sig);
			do_group_exit(sig); /* wait status: the signal number */
		}
		if (!need_resched())
			return;
		schedule();
	}
}

struct sighand_struct *sighand_alloc(void)
{
	struct sighand_struct *sh = kzalloc(sizeof(*sh), GFP_KERNEL);

	if (sh)
		sh->count = 1;
	return sh;
}

/* Threads share the table; a fork copies it.  Linux: copy_sighand. */
int copy_sighand(unsigned long clone_flags, struct task_struct *tsk)
{
	struct sighand_struct *old = current->sighand;

	if (!old) {
		tsk->sighand = NULL;
		return 0;
	}
	if (clone_flags & 0x00000800) { /* CLONE_SIGHAND */
		old->count++;
		tsk->sighand = old;
		return 0;
	}
	tsk->sighand = sighand_alloc();
	if (!tsk->sighand)
		return -ENOMEM;
	memcpy(tsk->sighand->action, old->action, sizeof(old->action));
	return 0;
}

void exit_sighand(struct task_struct *tsk)
{
	struct sighand_struct *sh = tsk->sighand;

	tsk->sighand = NULL;
	if (sh && --sh->count == 0)
		kfree(sh);
}

void flush_signal_handlers(struct task_struct *tsk)
{
	struct sighand_struct *sh = tsk->sighand;

	if (!sh)
		return;
	if (sh->count > 1) { /* shared with a vfork parent or old threads: take our own copy */
		struct sighand_struct *mine = sighand_alloc();
		if (!mine)
			return;
		memcpy(mine->action, sh->action, sizeof(sh->action));
		sh->count--;
		tsk->sighand = sh = mine;
	}
	for (int i = 1; i < _NSIG; i++)
		if (sh->action[i].handler != SIG_IGN)
			memset(&sh->action[i], 0, sizeof(sh->action[i]));
}

/* Recorded, never run (see the top of this file). */
long sys_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *oact,
		      unsigned long sigsetsize)
{
	struct k_sigaction *k;

	if (sigsetsize != 8 || sig <= 0 || sig >= _NSIG || (act && (sig == SIGKILL || sig == 19)))
		return -EINVAL;
	if (!current->sighand)
		return -EINVAL;
	k = &current->sighand->action[sig];
	if (oact && copy_to_user(oact, k, sizeof(*oact)))
		return -EFAULT;
	if (act && copy_from_user(k, act, sizeof(*act)))
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
	struct task_struct *t = find_task_by_pid(tid);

	if (tgid <= 0 || tid <= 0 || sig < 0 || sig >= _NSIG)
		return -EINVAL;
	if (!t || t->tgid != tgid)
		return -ESRCH;
	return sig ? send_sig(sig, t) : 0;
}
