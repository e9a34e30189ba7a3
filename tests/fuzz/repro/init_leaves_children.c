/*
 * init_leaves_children - PID 1 returns while its descendants still run.
 *
 * Found by `stress` under fault injection: fork number 4 failed with ENOMEM,
 * main() returned 1, and init's exit reported "451 pages leaked" - the memory
 * of the four children and their threads, still running when PID 1 counted
 * free pages.  Not a kernel leak but a blind leak check, which would also hide
 * a real leak among those pages.  Linux kills every process of the namespace
 * when its init exits (zap_pid_ns_processes); Faultline now does the same and
 * then counts.  This program leaves behind, each with memory of its own:
 *   - a child spinning in user mode,
 *   - a child asleep in nanosleep,
 *   - a child blocked in wait4 on a spinning grandchild,
 *   - a child whose second thread waits on a futex while the first spins,
 *   - a zombie nobody reaps, and a process whose main thread has exited.
 * Run on Faultline as PID 1: status 0, no pages leaked.  (On Linux, as PID 1 of a
 * namespace, the kernel kills them all the same way.)
 */
#include "fl_user.h"
#include "fl_task.h"

static volatile int futex_word;

static void touch(unsigned long pages)
{
    char *p = fl_map(pages * 4096, PROT_RW);
    for (unsigned long i = 0; p && i < pages; i++)
        p[i * 4096] = 1;
}

static int waiter(void *arg)
{
    (void)arg;
    touch(8);
    for (;;)
        fl_futex(&futex_word, 0 /* FUTEX_WAIT */, 0);
    return 0;
}

static int spinner(void *arg)
{
    (void)arg;
    for (;;)
        ;
    return 0;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static struct fl_thread th[2];
    long pid;

    if ((pid = fl_fork()) == 0) { /* spins */
        touch(16);
        for (;;)
            ;
    }
    if ((pid = fl_fork()) == 0) { /* sleeps */
        touch(16);
        fl_sleep_ms(1000000);
        fl_exit(0);
    }
    if ((pid = fl_fork()) == 0) { /* waits for a spinning grandchild */
        touch(16);
        long g = fl_fork();
        if (g == 0) {
            touch(16);
            for (;;)
                ;
        }
        fl_wait4(g, 0, 0);
        fl_exit(0);
    }
    if ((pid = fl_fork()) == 0) { /* one thread on a futex, one spinning */
        touch(16);
        fl_thread_start(&th[0], 64 * 1024, waiter, 0);
        for (;;)
            ;
    }
    if ((pid = fl_fork()) == 0) { /* becomes a zombie */
        touch(16);
        fl_exit(0);
    }
    if ((pid = fl_fork()) == 0) { /* main thread exits; a thread goes on spinning */
        touch(16);
        fl_thread_start(&th[1], 64 * 1024, spinner, 0);
        fl_exit_thread(0);
    }
    fl_sleep_ms(100); /* let them all get where they are going */
    fl_printf("init leaves\n");
    return 0;
}
