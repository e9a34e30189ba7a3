/*
 * ulib.c - mini runtime for the Faultline user tests: start-up glue,
 * mem and string helpers, buffered output to fd 1, errno names.
 */
#include "fl_user.h"

/* ---- start-up ---- */
__attribute__((noreturn, used)) void fl_start_c(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    (void)envp;
    fl_exit(main(argc, argv));
}

__attribute__((noreturn)) void fl_exit(int code)
{
    fl_flush();
    for (;;)
        fl_syscall1(SYS_exit_group, code);
}

/* ---- memory / strings (asm string ops so gcc cannot turn the loops
 *      back into calls to ourselves) ---- */
void *memset(void *d, int c, size_t n)
{
    void *ret = d;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return ret;
}

void *memcpy(void *d, const void *s, size_t n)
{
    void *ret = d;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp <= sp || dp >= sp + n)
        return memcpy(d, s, n);
    /* overlapping, copy backwards */
    dp += n - 1;
    sp += n - 1;
    __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(dp), "+S"(sp), "+c"(n) : : "memory");
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    const volatile char *p = s;
    size_t n = 0;
    while (p[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

/* ---- buffered output on fd 1 ---- */
static char obuf[4096];
static size_t olen;

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        long r = fl_write(fd, p, n);
        if (r <= 0)
            return;
        p += r;
        n -= (size_t)r;
    }
}

void fl_flush(void)
{
    write_all(1, obuf, olen);
    olen = 0;
}

void fl_putc(char c)
{
    if (olen == sizeof obuf)
        fl_flush();
    obuf[olen++] = c;
}

void fl_puts(const char *s)
{
    while (*s)
        fl_putc(*s++);
}

static void put_u(unsigned long v, unsigned base, int width, char pad)
{
    char tmp[24];
    int i = 0;
    do {
        tmp[i++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (i < width--)
        fl_putc(pad);
    while (i)
        fl_putc(tmp[--i]);
}

/* supports %% %c %s %d %i %u %x with 'l'/'z', a '+' flag for %d and a
 * zero-pad/width such as %08lx */
int fl_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            fl_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0, plus = 0;
        if (*fmt == '+') {
            plus = 1;
            fmt++;
        }
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case '%': fl_putc('%'); break;
        case 'c': fl_putc((char)va_arg(ap, int)); break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            fl_puts(s ? s : "(null)");
            break;
        }
        case 'd':
        case 'i': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                fl_putc('-');
                put_u(-(unsigned long)v, 10, width ? width - 1 : 0, pad);
            } else {
                if (plus)
                    fl_putc('+');
                put_u((unsigned long)v, 10, width, pad);
            }
            break;
        }
        case 'u':
            put_u(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            put_u(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width, pad);
            break;
        default:
            fl_putc('%');
            fl_putc(*fmt);
            break;
        }
    }
    va_end(ap);
    return 0;
}

/* ---- errno names ---- */
static const struct {
    int no;
    const char *name;
} errtab[] = {
    {EPERM, "EPERM"},   {ENOENT, "ENOENT"},   {EINTR, "EINTR"},   {EIO, "EIO"},
    {EBADF, "EBADF"},   {EAGAIN, "EAGAIN"},   {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"},
    {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"},     {EEXIST, "EEXIST"}, {ENODEV, "ENODEV"},
    {EINVAL, "EINVAL"}, {ENOTTY, "ENOTTY"},   {ETXTBSY, "ETXTBSY"}, {ERANGE, "ERANGE"},
    {ENOSYS, "ENOSYS"}, {EOVERFLOW, "EOVERFLOW"}, {EOPNOTSUPP, "EOPNOTSUPP"},
};

const char *fl_errname(long neg)
{
    static char unk[16];
    long e = -neg;
    for (size_t i = 0; i < sizeof errtab / sizeof errtab[0]; i++)
        if (errtab[i].no == e)
            return errtab[i].name;
    /* "E?" + decimal */
    char *p = unk + sizeof unk - 1;
    *p = 0;
    do {
        *--p = (char)('0' + e % 10);
        e /= 10;
    } while (e && p > unk + 2);
    *--p = '?';
    *--p = 'E';
    return p;
}

void fl_check(const char *label, long ret)
{
    if (fl_is_err(ret))
        fl_printf("%s: %s\n", label, fl_errname(ret));
    else
        fl_printf("%s: ok\n", label);
}

void fl_check_val(const char *label, long ret)
{
    if (fl_is_err(ret))
        fl_printf("%s: %s\n", label, fl_errname(ret));
    else
        fl_printf("%s: %ld\n", label, ret);
}

void fl_crash_note(const char *msg)
{
    fl_flush();
    char line[256];
    size_t n = strlen(msg);
    if (n > sizeof line - 1)
        n = sizeof line - 1;
    memcpy(line, msg, n);
    line[n++] = '\n';
    write_all(2, line, n);
}

void *fl_map(size_t len, long prot)
{
    long r = fl_mmap(0, len, prot, PRIV_ANON, -1, 0);
    if (fl_is_err(r)) {
        fl_printf("fl_map(%lu) failed: %s\n", (unsigned long)len, fl_errname(r));
        return 0;
    }
    return (void *)r;
}
