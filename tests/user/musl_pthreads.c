/*
 * musl_pthreads.c - libc threads (static musl): pthread_create/join of 4
 * threads that increment shared counters under a mutex, each with its own
 * malloc'ed buffers (a small heap one and a large mmap-backed one), its own
 * __thread variable, and a return value collected by pthread_join.
 *
 * Build: musl-gcc -static -O2 (see run-host.sh).
 *
 * Kernel features it exercises: musl's pthread_create (mmap of stack + TLS
 * with a PROT_NONE guard, clone with CLONE_VM|CLONE_FS|CLONE_FILES|
 * CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|
 * CLONE_CHILD_CLEARTID|CLONE_DETACHED, rt_sigprocmask around it), futex
 * WAIT/WAKE for the mutex and for pthread_join (the kernel clears the tid
 * word at thread exit), SYS_exit for the thread, munmap of a joined
 * thread's stack, and malloc from several threads.
 *
 * Output: counts and checksums only, printed by the main thread after the
 * joins.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 4
#define ITERS 20000
#define SMALL (16 * 1024)
#define LARGE (300 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long counter_a, counter_b;
static unsigned long per_thread[NTHREADS];
static __thread unsigned long tls_var = 7;

struct result {
    unsigned long small_sum, large_sum;
    int small_ok, large_ok, tls_ok;
    pthread_t self;
};
static struct result results[NTHREADS];

static unsigned long fill_and_sum(unsigned char *p, size_t n, unsigned seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (unsigned char)(x >> 24);
    }
    unsigned long s = 0;
    for (size_t i = 0; i < n; i++)
        s = s * 31 + p[i];
    return s;
}

static int verify(const unsigned char *p, size_t n, unsigned seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        if (p[i] != (unsigned char)(x >> 24))
            return 0;
    }
    return 1;
}

static void *worker(void *arg)
{
    long id = (long)arg;
    struct result *r = &results[id];
    unsigned char *small = malloc(SMALL);
    unsigned char *large = malloc(LARGE);
    if (!small || !large)
        return (void *)-1L;
    tls_var = 1000 + (unsigned long)id;
    r->small_sum = fill_and_sum(small, SMALL, (unsigned)id + 1);
    r->large_sum = fill_and_sum(large, LARGE, (unsigned)id + 101);
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&lock);
        counter_a++;
        counter_b += (unsigned long)id + 1;
        per_thread[id]++;
        pthread_mutex_unlock(&lock);
        if ((i & 1023) == 0)
            sched_yield();
    }
    r->small_ok = verify(small, SMALL, (unsigned)id + 1);
    r->large_ok = verify(large, LARGE, (unsigned)id + 101);
    r->tls_ok = tls_var == 1000 + (unsigned long)id;
    r->self = pthread_self();
    free(small);
    free(large);
    return (void *)(id * 10 + 5);
}

int main(void)
{
    pthread_t th[NTHREADS];
    printf("musl pthreads: %d threads x %d locked increments\n", NTHREADS, ITERS);
    fflush(stdout);
    for (long i = 0; i < NTHREADS; i++) {
        int e = pthread_create(&th[i], NULL, worker, (void *)i);
        if (e) {
            printf("pthread_create %ld: error %d\n", i, e);
            return 1;
        }
    }
    for (long i = 0; i < NTHREADS; i++) {
        void *ret = NULL;
        int e = pthread_join(th[i], &ret);
        printf("thread %ld: join %s, returned %ld\n", i, e ? "failed" : "ok", (long)ret);
    }
    unsigned long want_b = 0;
    for (int i = 0; i < NTHREADS; i++)
        want_b += (unsigned long)(i + 1) * ITERS;
    printf("counter_a = %lu (expected %lu)\n", counter_a, (unsigned long)NTHREADS * ITERS);
    printf("counter_b = %lu (expected %lu)\n", counter_b, want_b);
    for (int i = 0; i < NTHREADS; i++) {
        struct result *r = &results[i];
        printf("thread %d: increments %lu, small buffer %s sum %016lx, large buffer %s sum %016lx, "
               "__thread %s, pthread_self matches: %s\n",
               i, per_thread[i], r->small_ok ? "ok" : "CORRUPT", r->small_sum, r->large_ok ? "ok" : "CORRUPT",
               r->large_sum, r->tls_ok ? "ok" : "WRONG", pthread_equal(r->self, th[i]) ? "yes" : "no");
    }
    int distinct = 1;
    for (int i = 0; i < NTHREADS; i++)
        for (int j = i + 1; j < NTHREADS; j++)
            if (pthread_equal(th[i], th[j]))
                distinct = 0;
    printf("pthread_t values distinct: %s\n", distinct ? "yes" : "no");
    printf("main thread's __thread variable untouched: %s\n", tls_var == 7 ? "yes" : "no");

    /* a second round after the first threads are gone: stacks are reused or remapped */
    for (long i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    int all = 1;
    for (long i = 0; i < NTHREADS; i++) {
        void *ret = NULL;
        if (pthread_join(th[i], &ret) || (long)ret != i * 10 + 5 || !results[i].small_ok || !results[i].large_ok)
            all = 0;
    }
    printf("second round: %s, counter_a = %lu\n", all ? "ok" : "FAILED", counter_a);
    return 0;
}
