/*
 * fl_user.h - tiny freestanding user runtime for the Faultline user tests.
 *
 * No libc.  Raw syscall wrappers return the raw kernel value: a negative
 * value in [-4095, -1] is -errno, anything else is a success value.
 * Output goes through a small buffer on fd 1 (fl_printf); it is flushed by
 * fl_flush(), by fl_exit() and by the fl_crash_note() helper that must be
 * called right before an intentional fault.
 */
#ifndef FL_USER_H
#define FL_USER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- syscall numbers (Linux x86-64) ---- */
#define SYS_read            0
#define SYS_write           1
#define SYS_mmap            9
#define SYS_mprotect        10
#define SYS_munmap          11
#define SYS_brk             12
#define SYS_rt_sigprocmask  14
#define SYS_ioctl           16
#define SYS_writev          20
#define SYS_mremap          25
#define SYS_madvise         28
#define SYS_getpid          39
#define SYS_exit            60
#define SYS_uname           63
#define SYS_arch_prctl      158
#define SYS_set_tid_address 218
#define SYS_exit_group      231

/* ---- mm constants ---- */
#define PAGE_SIZE       4096UL
#define PAGE_MASK       (~(PAGE_SIZE - 1))
#define TASK_SIZE       0x7ffffffff000UL

#define PROT_NONE       0x0
#define PROT_READ       0x1
#define PROT_WRITE      0x2
#define PROT_EXEC       0x4
#define PROT_SEM        0x8
#define PROT_GROWSDOWN  0x01000000
#define PROT_GROWSUP    0x02000000

#define MAP_SHARED          0x01
#define MAP_PRIVATE         0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_FIXED           0x10
#define MAP_ANONYMOUS       0x20
#define MAP_GROWSDOWN       0x0100
#define MAP_DENYWRITE       0x0800
#define MAP_EXECUTABLE      0x1000
#define MAP_NORESERVE       0x4000
#define MAP_POPULATE        0x8000
#define MAP_STACK           0x20000
#define MAP_FIXED_NOREPLACE 0x100000

#define MADV_NORMAL     0
#define MADV_DONTNEED   4

#define PRIV_ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define PROT_RW   (PROT_READ | PROT_WRITE)

/* ---- errno values ---- */
#define EPERM      1
#define ENOENT     2
#define EINTR      4
#define EIO        5
#define EBADF      9
#define EAGAIN     11
#define ENOMEM     12
#define EACCES     13
#define EFAULT     14
#define EBUSY      16
#define EEXIST     17
#define ENODEV     19
#define EINVAL     22
#define ENOTTY     25
#define ETXTBSY    26
#define ERANGE     34
#define ENOSYS     38
#define EOVERFLOW  75
#define EOPNOTSUPP 95

/* ---- raw syscalls ---- */
static inline long fl_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#define fl_syscall0(n)             fl_syscall6((n), 0, 0, 0, 0, 0, 0)
#define fl_syscall1(n, a)          fl_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define fl_syscall2(n, a, b)       fl_syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define fl_syscall3(n, a, b, c)    fl_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

static inline int fl_is_err(long r) { return r < 0 && r >= -4095; }

static inline long fl_read(int fd, void *buf, size_t n) { return fl_syscall3(SYS_read, fd, buf, n); }
static inline long fl_write(int fd, const void *buf, size_t n) { return fl_syscall3(SYS_write, fd, buf, n); }
static inline long fl_mmap(void *addr, size_t len, long prot, long flags, long fd, long off)
{
    return fl_syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off);
}
static inline long fl_munmap(void *addr, size_t len) { return fl_syscall2(SYS_munmap, addr, len); }
static inline long fl_mprotect(void *addr, size_t len, long prot) { return fl_syscall3(SYS_mprotect, addr, len, prot); }
static inline long fl_brk(void *addr) { return fl_syscall1(SYS_brk, addr); }
static inline long fl_madvise(void *addr, size_t len, long advice) { return fl_syscall3(SYS_madvise, addr, len, advice); }
static inline long fl_getpid(void) { return fl_syscall0(SYS_getpid); }

struct fl_iovec {
    const void *iov_base;
    size_t iov_len;
};
static inline long fl_writev(int fd, const struct fl_iovec *iov, int cnt) { return fl_syscall3(SYS_writev, fd, iov, cnt); }

struct fl_utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};
static inline long fl_uname(struct fl_utsname *u) { return fl_syscall1(SYS_uname, u); }

/* anonymous private RW mapping; returns pointer or NULL (and prints why) */
void *fl_map(size_t len, long prot);

/* ---- libc-ish helpers (ulib.c) ---- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* ---- output ---- */
void fl_flush(void);
void fl_putc(char c);
void fl_puts(const char *s); /* no newline added */
int fl_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* errno name for a negative raw return ("EINVAL"), "E?<n>" for unknown */
const char *fl_errname(long neg);
/* "label: <result>\n" where result is the errno name, or "ok" for success */
void fl_check(const char *label, long ret);
/* same but prints the numeric value on success (only for deterministic values) */
void fl_check_val(const char *label, long ret);
/* flush stdout, then write "msg\n" straight to fd 2 with one write() */
void fl_crash_note(const char *msg);

__attribute__((noreturn)) void fl_exit(int code);

int main(int argc, char **argv);

/* compiler barrier on a pointer value, so accesses are really performed */
#define FL_HIDE(p) __asm__ volatile("" : "+r"(p))

static inline unsigned char fl_peek(const volatile void *p) { return *(const volatile unsigned char *)p; }
static inline void fl_poke(volatile void *p, unsigned char v) { *(volatile unsigned char *)p = v; }

#endif
