/*
 * fork_fpu - the child of fork() must start with the parent's SSE registers.
 *
 * Sets %xmm5 to a pattern, calls fork in the same asm block and, in the
 * child, reads %xmm5 back.  Linux: the child sees the pattern (exit 0).
 * Exit 1 = the child got other register contents.
 */
#include "fl_user.h"

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    unsigned long pattern = 0x1122334455667788UL, got = 0;
    long pid;
    int status = 0;

    fl_flush();
    __asm__ volatile("movq %[pat], %%xmm5\n\t"
                     "syscall\n\t"
                     "movq %%xmm5, %[got]"
                     : "=a"(pid), [got] "=r"(got)
                     : "a"(57L), [pat] "r"(pattern)
                     : "rcx", "r11", "xmm5", "memory");
    if (pid == 0)
        fl_syscall1(SYS_exit_group, got == pattern ? 0 : 1);
    fl_syscall6(61, pid, (long)&status, 0, 0, 0, 0);
    fl_printf("parent xmm5 %s; child exit status %d (%s)\n", got == pattern ? "kept" : "LOST",
              (status >> 8) & 0xff, ((status >> 8) & 0xff) == 0 ? "child saw the pattern" : "child's xmm5 differs");
    return (status >> 8) & 0xff;
}
