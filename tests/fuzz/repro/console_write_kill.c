/*
 * console_write_kill - one long write to the console must not stop the machine.
 *
 * The serial console takes bytes at about 10 KB/s, and the kernel used to
 * run a system call to its end with interrupts off: write(1, buf, 1 MiB)
 * held the CPU for about 100 s, the clock stood still, and nobody else ran -
 * not even to kill the writer.  (Found while fuzzing: a child that wrote
 * megabytes "hung" a boot for minutes; docs/reliability.md, bug 12.)
 *
 * A child writes 1 MiB of dots; the parent sleeps 200 ms, kills it with
 * SIGKILL and waits.  Linux: the parent gets to run, the write ends at the
 * signal, and the child is reaped well within a second.  Prints how long the
 * kill took to take effect, bucketed so that the output is the same each run.
 */
#include "fl_user.h"
#include "fl_task.h"

#define LEN (1024 * 1024)

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char *buf = fl_map(LEN, PROT_RW);
    if (!buf)
        return 1;
    for (long i = 0; i < LEN; i++)
        buf[i] = '.';
    fl_flush();
    long pid = fl_fork();
    if (pid == 0) {
        fl_write(1, buf, LEN);
        fl_exit(0);
    }
    long t0 = fl_now_ns();
    fl_sleep_ms(200);
    fl_kill(pid, 9);
    int st = 0;
    fl_wait4(pid, &st, 0);
    long ms = (fl_now_ns() - t0) / 1000000;
    fl_printf("\nchild killed by signal %d; %s\n", st & 0x7f,
              ms < 2000 ? "within 2 s" : "after more than 2 s");
    return 0;
}
