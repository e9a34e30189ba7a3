/*
 * crt0.S - process entry for the Faultline user tests (no libc).
 * At entry %rsp points at argc; argv[] and envp[] follow (SysV ABI).
 * We pass that pointer to fl_start_c(long *sp) with a 16-byte aligned stack.
 */
    .text
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp
    mov %rsp, %rdi
    and $-16, %rsp
    call fl_start_c
    hlt
    .size _start, .-_start

/* keep the stack non-executable (PT_GNU_STACK RW) */
    .section .note.GNU-stack, "", @progbits
