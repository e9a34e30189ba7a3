/*
 * smap_ac_entry - user space sets EFLAGS.AC, then page-faults: the kernel
 * handles the fault with AC still set, i.e. with SMAP off.
 *
 * AC is writable at CPL 3 (popf).  An interrupt or exception gate clears IF,
 * not AC, and entry_64.S does not "clac" on entry (Linux: ASM_CLAC in every
 * idtentry), so exc_page_fault, do_user_addr_fault, handle_mm_fault and
 * whatever they call run with SMAP disabled: a kernel bug that touched user
 * memory outside a uaccess helper would go unnoticed there.  No crash; seen
 * with GDB (tools/run_tests_robust.py checks it: a breakpoint on
 * do_user_addr_fault for a user-mode fault, then the live EFLAGS).
 * Linux: AC is clear in the kernel whatever user space did.
 */
#include "fl_user.h"

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    long a = fl_mmap(0, 1 << 20, PROT_RW, PRIV_ANON, -1, 0);
    if (fl_is_err(a))
        return 3;
    __asm__ volatile("pushfq; orq $0x40000, (%%rsp); popfq" ::: "memory", "cc");
    for (unsigned long o = 0; o < (1 << 20); o += 4096)
        *(volatile char *)(a + o) = 1; /* a page fault each, taken with AC=1 */
    __asm__ volatile("pushfq; andq $~0x40000, (%%rsp); popfq" ::: "memory", "cc");
    return 0;
}
