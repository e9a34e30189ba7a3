/* SPDX-License-Identifier: MIT */
#ifndef _LINUX_SIGNAL_H
#define _LINUX_SIGNAL_H

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define _NSIG 64

/* si_code values for SIGSEGV and SIGBUS */
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRERR 2
#define SI_KERNEL 0x80

#define SIG_DFL 0UL
#define SIG_IGN 1UL

struct k_sigaction {
	unsigned long handler, flags, restorer, mask;
};

/* The signal dispositions of a process, shared by its threads (CLONE_SIGHAND). */
struct sighand_struct {
	int count;
	struct k_sigaction action[_NSIG];
};

struct task_struct;
struct sighand_struct *sighand_alloc(void);
int copy_sighand(unsigned long clone_flags, struct task_struct *tsk);
void exit_sighand(struct task_struct *tsk);
/* exec: handlers go back to SIG_DFL, ignored signals stay ignored (Linux: flush_signal_handlers). */
void flush_signal_handlers(struct task_struct *tsk);
/* Deliver a signal caused by the CPU (a fault) to the current task. */
void force_sig_fault(int sig, int si_code, unsigned long addr);
/* Send a signal to a task (kill, tkill). */
int send_sig(int sig, struct task_struct *t);
bool fatal_signal_pending(struct task_struct *t);

#endif
