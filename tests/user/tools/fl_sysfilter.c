/*
 * fl_sysfilter.c - HOST-ONLY helper (built with the host's normal gcc and
 * glibc; it is not a test program).  Runs a command under a seccomp filter
 * that gives the host Faultline's syscall surface:
 *
 *   allowed as on Linux: read write mmap mprotect munmap brk rt_sigprocmask
 *                        writev getpid exit uname arch_prctl set_tid_address
 *                        exit_group (and execve, to start the program)
 *   madvise:             only MADV_DONTNEED (4) reaches the kernel; any
 *                        other advice fails with EINVAL
 *   ioctl:               always fails with ENOTTY
 *   everything else:     fails with ENOSYS (e.g. mremap)
 *
 * run-host.sh --check runs every case under it and requires the output to be
 * identical to the plain host run, i.e. no test depends on a syscall that
 * Faultline lacks.
 *
 *   fl_sysfilter PROGRAM [ARGS...]
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>


int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    static const unsigned allowed[] = {
        SYS_read,         SYS_write,       SYS_mmap,       SYS_mprotect, SYS_munmap,
        SYS_brk,          SYS_rt_sigprocmask, SYS_writev,  SYS_getpid,   SYS_exit,
        SYS_uname,        SYS_arch_prctl,  SYS_set_tid_address, SYS_exit_group, SYS_execve,
        /* the task, file and time calls Faultline gained with fork, threads and /proc */
        SYS_open,         SYS_close,       SYS_lseek,      SYS_rt_sigaction, SYS_readv,
        SYS_sched_yield,  SYS_dup,         SYS_dup2,       SYS_nanosleep, SYS_clone,
        SYS_fork,         SYS_vfork,       SYS_wait4,      SYS_kill,     SYS_getuid,
        SYS_getgid,       SYS_geteuid,     SYS_getegid,    SYS_getppid,  SYS_getpgrp,
        SYS_setsid,       SYS_gettid,      SYS_tkill,      SYS_futex,    SYS_clock_gettime,
        SYS_tgkill,       SYS_openat,      SYS_prlimit64,  SYS_getrandom,
    };
    enum { NA = sizeof allowed / sizeof allowed[0] };
    /* layout:
     *  0 load arch; 1 arch ok? ; 2 kill (wrong arch)
     *  3 load nr
     *  4 .. 4+NA-1   jeq allowed[i] -> ALLOW
     *  4+NA          jeq madvise -> MADV
     *  4+NA+1        jeq ioctl -> ENOTTY
     *  4+NA+2        ret ENOSYS
     *  4+NA+3 MADV:  load args[2] (low 32 bits)
     *  4+NA+4        jeq 4 -> ALLOW else EINVAL
     *  4+NA+5        ret EINVAL
     *  4+NA+6        ret ENOTTY
     *  4+NA+7 ALLOW: ret allow
     */
    struct sock_filter f[4 + NA + 8];
    int i = 0;
    const int allow = 4 + NA + 7, madv = 4 + NA + 3, enotty = 4 + NA + 6, einval = 4 + NA + 5;
    f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    for (int k = 0; k < NA; k++, i++)
        f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, allowed[k], allow - i - 1, 0);
    f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_madvise, madv - i - 1, 0);
    i++;
    f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, enotty - i - 1, 0);
    i++;
    f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2]));
    f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 4, allow - i - 1, 0);
    i++;
    f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL);
    f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOTTY);
    f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    (void)einval;

    struct sock_fprog prog = {(unsigned short)i, f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
        perror("fl_sysfilter: seccomp");
        return 125;
    }
    execv(argv[1], argv + 1);
    perror("fl_sysfilter: execv");
    return 127;
}
