/*
 * proc_maps_full - /proc/self/maps of a process whose maps text exceeds the
 * 256 KiB buffer fs/proc.c generates it into.
 *
 * 5000 one-page MAP_SHARED|MAP_ANONYMOUS mappings (each its own object, so
 * none merge; each line carries the name "/dev/zero (deleted)", padded to
 * column 73).  Once the buffer is full, seq_printf() no longer advances
 * m->len, and show_map_vma's padding loop for the next named line
 * ("while (m->len - start_len < 72) seq_printf(m, \" \")") never ends: the
 * open() spins in the kernel for ever (the kernel is not preemptible).
 * Any process with more than ~4000 VMAs hits it: its [stack] line, the
 * last, is named.  Linux: the whole file is readable (about 460 KB here).
 */
#include "fl_user.h"

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int n = 0;
    for (; n < 5000; n++)
        if (fl_is_err(fl_mmap(0, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0)))
            break;
    fl_printf("%d shared mappings\n", n);
    fl_flush();
    long fd = fl_syscall3(2, "/proc/self/maps", 0, 0);
    static char buf[65536];
    long total = 0, r;
    while (!fl_is_err(fd) && (r = fl_read((int)fd, buf, sizeof buf)) > 0)
        total += r;
    fl_printf("open: %s, read %s bytes\n", fl_is_err(fd) ? fl_errname(fd) : "ok", total > 256 * 1024 ? "more than 256 Ki" : "at most 256 Ki");
    return 0;
}
