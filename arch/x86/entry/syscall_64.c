// SPDX-License-Identifier: MIT
/*
 * The system call table: Linux x86-64 numbers, arguments in
 * rdi, rsi, rdx, r10, r8, r9, result (or -errno) in rax.  Anything not
 * listed returns -ENOSYS.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/sched.h>
#include <asm/signal.h>
#include <uapi/unistd_64.h>

typedef long (*sys_call_ptr_t)(unsigned long, unsigned long, unsigned long, unsigned long,
			       unsigned long, unsigned long);

#define SYSCALL(nr, fn) [nr] = (sys_call_ptr_t)fn
long sys_read(), sys_write(), sys_open(), sys_close(), sys_mmap(), sys_mprotect(), sys_munmap(),
	sys_brk(), sys_rt_sigaction(), sys_rt_sigprocmask(), sys_ioctl(), sys_readv(), sys_writev(),
	sys_sched_yield(), sys_madvise(), sys_dup(), sys_dup2(), sys_nanosleep(), sys_getpid(),
	sys_clone(), sys_fork(), sys_vfork(), sys_execve(), sys_exit(), sys_wait4(), sys_kill(),
	sys_uname(), sys_getuid(), sys_getppid(), sys_getpgrp(), sys_setsid(), sys_arch_prctl(),
	sys_gettid(), sys_tkill(), sys_futex(), sys_set_tid_address(), sys_clock_gettime(),
	sys_exit_group(), sys_tgkill(), sys_openat(), sys_prlimit64(), sys_getrandom(), sys_lseek(),
	sys_fault_trace(), sys_fault_inject();

static const sys_call_ptr_t sys_call_table[NR_syscalls] = {
	SYSCALL(__NR_read, sys_read),
	SYSCALL(__NR_write, sys_write),
	SYSCALL(__NR_open, sys_open),
	SYSCALL(__NR_close, sys_close),
	SYSCALL(__NR_lseek, sys_lseek),
	SYSCALL(__NR_mmap, sys_mmap),
	SYSCALL(__NR_mprotect, sys_mprotect),
	SYSCALL(__NR_munmap, sys_munmap),
	SYSCALL(__NR_brk, sys_brk),
	SYSCALL(__NR_rt_sigaction, sys_rt_sigaction),
	SYSCALL(__NR_rt_sigprocmask, sys_rt_sigprocmask),
	SYSCALL(__NR_ioctl, sys_ioctl),
	SYSCALL(__NR_readv, sys_readv),
	SYSCALL(__NR_writev, sys_writev),
	SYSCALL(__NR_sched_yield, sys_sched_yield),
	SYSCALL(__NR_madvise, sys_madvise),
	SYSCALL(__NR_dup, sys_dup),
	SYSCALL(__NR_dup2, sys_dup2),
	SYSCALL(__NR_nanosleep, sys_nanosleep),
	SYSCALL(__NR_getpid, sys_getpid),
	SYSCALL(__NR_clone, sys_clone),
	SYSCALL(__NR_fork, sys_fork),
	SYSCALL(__NR_vfork, sys_vfork),
	SYSCALL(__NR_execve, sys_execve),
	SYSCALL(__NR_exit, sys_exit),
	SYSCALL(__NR_wait4, sys_wait4),
	SYSCALL(__NR_kill, sys_kill),
	SYSCALL(__NR_uname, sys_uname),
	SYSCALL(__NR_getuid, sys_getuid),
	SYSCALL(__NR_getgid, sys_getuid),
	SYSCALL(__NR_geteuid, sys_getuid),
	SYSCALL(__NR_getegid, sys_getuid),
	SYSCALL(__NR_getppid, sys_getppid),
	SYSCALL(__NR_getpgrp, sys_getpgrp),
	SYSCALL(__NR_setsid, sys_setsid),
	SYSCALL(__NR_arch_prctl, sys_arch_prctl),
	SYSCALL(__NR_gettid, sys_gettid),
	SYSCALL(__NR_tkill, sys_tkill),
	SYSCALL(__NR_futex, sys_futex),
	SYSCALL(__NR_set_tid_address, sys_set_tid_address),
	SYSCALL(__NR_clock_gettime, sys_clock_gettime),
	SYSCALL(__NR_exit_group, sys_exit_group),
	SYSCALL(__NR_tgkill, sys_tgkill),
	SYSCALL(__NR_openat, sys_openat),
	SYSCALL(__NR_prlimit64, sys_prlimit64),
	SYSCALL(__NR_getrandom, sys_getrandom),
};

/* Faultline's own calls, at numbers far from Linux's: fault tracing and fault injection at run time. */
#define __NR_faultline_fault_trace 0x666c  /* "fl" */
#define __NR_faultline_fault_inject 0x666d

void do_syscall_64(struct pt_regs *regs)
{
	unsigned long nr = regs->orig_ax;
	long ret = -ENOSYS;

	if (nr < NR_syscalls && sys_call_table[nr])
		ret = sys_call_table[nr](regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9);
	else if (nr == __NR_faultline_fault_trace)
		ret = sys_fault_trace(regs->di);
	else if (nr == __NR_faultline_fault_inject)
		ret = sys_fault_inject(regs->di, regs->si, regs->dx, regs->r10);
	regs->ax = ret;
	exit_to_user_mode(regs);
}
