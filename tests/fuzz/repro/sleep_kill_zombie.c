/*
 * sleep_kill_zombie - a task killed in nanosleep is woken again by the timer after it died.
 *
 * The child sleeps 1 s; the parent kills it with SIGKILL after 50 ms and does
 * not reap it for 2 s.  sys_nanosleep returns -EINTR on the fatal signal but
 * leaves current->sleep_until set; when jiffies reach it, timer_tick_wakeups()
 * calls wake_up_process() on the task, which by then is a zombie whose kernel
 * stack the reaper has freed: it goes back on the run queue and schedule()
 * switches to it.  Linux: exit 0, "child killed by signal 9".
 */
#include "fl_user.h"

static void sleep_ms(long ms)
{
    long ts[2] = { ms / 1000, (ms % 1000) * 1000000L };
    fl_syscall2(35, ts, 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fl_flush();
    long pid = fl_syscall0(57);
    if (pid == 0) {
        sleep_ms(1000);
        fl_syscall1(SYS_exit_group, 0);
    }
    sleep_ms(50);                  /* the child is asleep now */
    fl_syscall2(62, pid, 9);       /* SIGKILL: it leaves nanosleep with -EINTR and exits */
    sleep_ms(2000);                /* meanwhile the tick reaches the child's sleep_until */
    int st = 0;
    fl_syscall6(61, pid, (long)&st, 0, 0, 0, 0);
    fl_printf("child killed by signal %d\n", st & 0x7f);
    return 0;
}
