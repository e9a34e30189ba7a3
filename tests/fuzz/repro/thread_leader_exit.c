/*
 * thread_leader_exit - a thread outlives its group leader, which its parent reaps.
 *
 * A child process creates a thread (CLONE_VM|CLONE_SIGHAND|CLONE_THREAD with
 * its own stack), then the leader calls exit(0) (not exit_group).  PID 1
 * reaps the leader with wait4.  Linux keeps a leader with live threads as a
 * zombie that wait4 does not report until the last thread is gone
 * (delay_group_leader); the thread goes on calling getppid() and exits.
 * Run with FL_CMDLINE=slub_debug to see use of the freed leader.
 * Expected (Linux): exit 0, "thread done" printed by the thread.
 */
#include "fl_user.h"

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_THREAD 0x10000

static long clone_fn(unsigned long flags, void *stack_top, void (*fn)(void))
{
    long ret;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "call *%[fn]\n\t"
                     "mov $60, %%eax\n\t"
                     "xor %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "hlt\n"
                     "1:"
                     : "=a"(ret)
                     : "a"(56L), "D"(flags), "S"(stack_top), "d"(0L), [fn] "r"(fn)
                     : "rcx", "r11", "memory");
    return ret;
}

static void sleep_ms(long ms)
{
    long ts[2] = { 0, ms * 1000000L };
    fl_syscall2(35, ts, 0);
}

static void thread_fn(void)
{
    sleep_ms(100);                     /* let PID 1 reap the leader meanwhile */
    long ppid = fl_syscall0(110);      /* getppid: reads current->group_leader->real_parent */
    char msg[] = "thread done\n";
    fl_write(1, msg, sizeof(msg) - 1);
    (void)ppid;
    fl_syscall1(SYS_exit, 0);          /* thread exit: reads group_leader->group_exit */
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fl_flush();
    long pid = fl_syscall0(57);
    if (pid == 0) {
        char *stack = (char *)fl_mmap(0, 65536, PROT_RW, PRIV_ANON, -1, 0);
        clone_fn(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, stack + 65536, thread_fn);
        fl_syscall1(SYS_exit, 0);      /* the leader leaves; the thread lives on */
    }
    int status = -1;
    long r = fl_syscall6(61, pid, (long)&status, 0, 0, 0, 0);
    fl_printf("wait4 -> %s, status %d\n", r == pid ? "leader" : "?", status);
    fl_flush();
    /* reuse the freed task_struct: a few short-lived children */
    for (int i = 0; i < 4; i++) {
        long c = fl_syscall0(57);
        if (c == 0) {
            sleep_ms(300);
            fl_syscall1(SYS_exit, 0);
        }
    }
    sleep_ms(400);
    for (int i = 0; i < 4; i++)
        fl_syscall6(61, -1, 0, 0, 0, 0, 0);
    fl_printf("done\n");
    return 0;
}
