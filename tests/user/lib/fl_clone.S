/*
 * fl_clone.S - task creation that C cannot do safely (see fl_task.h).
 *
 * long fl_clone_fn(flags, stack_top, ptid, ctid, tls, fn, arg)
 *   rdi flags, rsi stack_top, rdx ptid, rcx ctid, r8 tls, r9 fn, 8(%rsp) arg
 *   Linux x86-64 clone order: clone(flags, newsp, parent_tid, child_tid, tls).
 *   fn and arg are stored on the child's new stack before the syscall; the
 *   child pops them (so its stack is 16-byte aligned again at stack_top),
 *   calls fn(arg) and ends with exit(result): it never returns into the
 *   parent's frames.
 *
 * long fl_vfork_exec(ran, path, argv, envp)
 *   rdi ran, rsi path, rdx argv, rcx envp
 *   vfork(); the child runs on the parent's stack until it execs, so it
 *   uses registers only: *ran = 1, execve(path, argv, envp), exit_group(127).
 */
    .text
    .globl fl_clone_fn
    .type fl_clone_fn, @function
fl_clone_fn:
    mov 8(%rsp), %rax           /* arg */
    and $-16, %rsi
    sub $16, %rsi
    mov %r9, 0(%rsi)            /* fn */
    mov %rax, 8(%rsi)           /* arg */
    mov %rcx, %r10              /* ctid: 4th syscall argument */
    mov $56, %eax               /* SYS_clone */
    syscall
    test %rax, %rax
    jz 1f
    ret                         /* parent (tid) or error (-errno) */
1:  /* child: %rsp = stack_top - 16 */
    xor %ebp, %ebp
    pop %rax                    /* fn */
    pop %rdi                    /* arg; %rsp = stack_top, 16-aligned */
    call *%rax
    mov %eax, %edi
2:  mov $60, %eax               /* SYS_exit: this thread only */
    syscall
    jmp 2b
    .size fl_clone_fn, .-fl_clone_fn

    .globl fl_vfork_exec
    .type fl_vfork_exec, @function
fl_vfork_exec:
    mov %rdi, %r8               /* ran */
    mov %rsi, %r9               /* path */
    mov %rdx, %r10              /* argv */
    mov %rcx, %r11              /* envp (r11 is clobbered by syscall: copy again below) */
    push %r11                   /* keep envp in memory the child may read before exec */
    mov $58, %eax               /* SYS_vfork */
    syscall
    test %rax, %rax
    jz 1f
    add $8, %rsp
    ret                         /* parent: child pid, after the child exec'd or exited */
1:  /* child: registers only (the stack belongs to the suspended parent) */
    movl $1, (%r8)
    mov %r9, %rdi               /* path */
    mov %r10, %rsi              /* argv */
    mov (%rsp), %rdx            /* envp (a read of the shared stack, no write) */
    mov $59, %eax               /* SYS_execve */
    syscall
    mov $127, %edi
2:  mov $231, %eax              /* SYS_exit_group */
    syscall
    jmp 2b
    .size fl_vfork_exec, .-fl_vfork_exec

    .section .note.GNU-stack, "", @progbits
