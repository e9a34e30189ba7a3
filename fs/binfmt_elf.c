// SPDX-License-Identifier: MIT
/*
 * Loading a static x86-64 ELF program (spec §6.1) and building its initial
 * stack exactly as Linux's create_elf_tables does (spec §6.2):
 *
 *   STACK_TOP (0x7ffffffff000)
 *     8 zero bytes
 *     filename                      <- AT_EXECFN
 *     envp strings                  [env_start, env_end)
 *     argv strings                  [arg_start, arg_end)
 *     (align 16) "x86_64"           <- AT_PLATFORM
 *     16 random bytes               <- AT_RANDOM
 *     padding to 16
 *     auxv pairs ... AT_NULL
 *     NULL, envp[envc-1] .. envp[0]
 *     NULL, argv[argc-1] .. argv[0]
 *     argc                          <- %rsp = start_stack, 16-byte aligned
 *
 * Faultline does not randomise the layout: the stack top, mmap base and
 * brk are where Linux puts them with ASLR off.
 */
#include <linux/kernel.h>
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/processor.h>
#include <asm/uaccess.h>
#include <uapi/mman.h>

#define EM_X86_64 62
#define ET_EXEC 2
#define ET_DYN 3
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_GNU_STACK 0x6474e551
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elf64_hdr {
	unsigned char e_ident[16];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

#define MAX_PHNUM 64
#define STACK_EXPAND (128 * 1024) /* extra stack at exec (setup_arg_pages) */

enum { AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
       AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15,
       AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26,
       AT_EXECFN = 31, AT_MINSIGSTKSZ = 51 };

static int elf_check(const struct elf64_hdr *eh)
{
	if (memcmp(eh->e_ident, "\177ELF", 4) || eh->e_ident[4] != 2 || eh->e_ident[5] != 1)
		return -ENOEXEC;
	if ((eh->e_type != ET_EXEC && eh->e_type != ET_DYN) || eh->e_machine != EM_X86_64)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || !eh->e_phnum || eh->e_phnum > MAX_PHNUM)
		return -ENOEXEC;
	return 0;
}

static unsigned long elf_map(struct fl_file *file, unsigned long addr, const struct elf64_phdr *ph,
			     unsigned long flags)
{
	unsigned long prot = (ph->p_flags & PF_R ? PROT_READ : 0) | (ph->p_flags & PF_W ? PROT_WRITE : 0) |
			     (ph->p_flags & PF_X ? PROT_EXEC : 0);
	unsigned long in_page = addr & ~PAGE_MASK;
	unsigned long size = PAGE_ALIGN(ph->p_filesz + in_page);
	unsigned long off = ph->p_offset - in_page;

	return vm_mmap_pgoff(file, addr - in_page, size, prot, MAP_PRIVATE | flags, off >> PAGE_SHIFT);
}

/* .bss: zero the tail of the last file page, and map anonymous pages for the rest. */
static int set_brk_bss(unsigned long zero_start, unsigned long end, const struct elf64_phdr *ph)
{
	struct mm_struct *mm = current->mm;
	unsigned long page_end = PAGE_ALIGN(zero_start);
	int ret = 0;

	if (offset_in_page(zero_start) && find_vma_intersection(mm, zero_start, zero_start + 1)) {
		/* padzero: a user write, so the file page becomes a private copy (do_cow_fault). */
		if (clear_user((void *)zero_start, page_end - zero_start) && (ph->p_flags & PF_W))
			return -EFAULT;
	} else {
		page_end = PAGE_ALIGN_DOWN(zero_start);
	}
	if (PAGE_ALIGN(end) > page_end) {
		mmap_write_lock(mm);
		ret = vm_brk_flags(page_end, PAGE_ALIGN(end) - page_end, ph->p_flags & PF_X ? VM_EXEC : 0);
		mmap_write_unlock(mm);
	}
	return ret;
}

/* The stack VMA: the strings' pages plus 128 KiB, ending at STACK_TOP.  Linux: setup_arg_pages. */
int setup_arg_pages(struct linux_binprm *bprm, bool executable_stack)
{
	struct mm_struct *mm = current->mm;
	unsigned long used = PAGE_ALIGN(8 + strlen(bprm->filename) + 1 + bprm->strings_len);
	struct vm_area_struct *vma = vm_area_alloc(mm);

	if (!vma)
		return -ENOMEM;
	vma->vm_end = STACK_TOP;
	vma->vm_start = STACK_TOP - used - STACK_EXPAND;
	vma->vm_flags = VM_STACK_FLAGS | mm->def_flags | (executable_stack ? VM_EXEC : 0);
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
	mmap_write_lock(mm);
	int err = vma_link(mm, vma);
	if (!err)
		vm_stat_account(mm, vma->vm_flags, vma_pages(vma));
	mmap_write_unlock(mm);
	if (err)
		vm_area_free(vma);
	return err;
}

static u64 rand_state;

/* Not cryptographic: the TSC stirred with xorshift.  Enough for AT_RANDOM's stack canary. */
static u64 get_random_u64(void)
{
	rand_state ^= rdtsc() + 0x9e3779b97f4a7c15ULL;
	rand_state ^= rand_state << 13;
	rand_state ^= rand_state >> 7;
	rand_state ^= rand_state << 17;
	return rand_state;
}

static int create_elf_tables(struct linux_binprm *bprm, const struct elf64_hdr *eh, unsigned long load_bias,
			     unsigned long phdr_addr)
{
	struct mm_struct *mm = current->mm;
	unsigned long p = STACK_TOP - 8;
	size_t fnlen = strlen(bprm->filename) + 1;
	unsigned long arg_len = 0;
	const char *s = bprm->strings;

	for (int i = 0; i < bprm->argc; i++) {
		size_t l = strlen(s + arg_len) + 1;
		arg_len += l;
	}
	unsigned long env_len = bprm->strings_len - arg_len;

	p -= fnlen;
	if (copy_to_user((void *)p, bprm->filename, fnlen))
		return -EFAULT;
	bprm->exec = p;
	p -= bprm->strings_len;
	if (copy_to_user((void *)p, bprm->strings, bprm->strings_len))
		return -EFAULT;
	spin_lock(&mm->arg_lock);
	mm->arg_start = p;
	mm->arg_end = mm->env_start = p + arg_len;
	mm->env_end = p + arg_len + env_len;
	spin_unlock(&mm->arg_lock);

	p &= ~15UL; /* arch_align_stack, without the random part */
	p -= 7;
	unsigned long u_platform = p;
	if (copy_to_user((void *)p, "x86_64", 7))
		return -EFAULT;
	p -= 16;
	unsigned long u_rand_bytes = p;
	u64 rnd[2] = { get_random_u64(), get_random_u64() };
	if (copy_to_user((void *)p, rnd, 16))
		return -EFAULT;

	u32 a, b, c, d;
	cpuid_count(1, 0, &a, &b, &c, &d);
	unsigned long auxv[] = {
		AT_MINSIGSTKSZ, 2048,
		AT_HWCAP, d,
		AT_PAGESZ, PAGE_SIZE,
		AT_CLKTCK, 100,
		AT_PHDR, phdr_addr,
		AT_PHENT, sizeof(struct elf64_phdr),
		AT_PHNUM, eh->e_phnum,
		AT_BASE, 0,
		AT_FLAGS, 0,
		AT_ENTRY, eh->e_entry + load_bias,
		AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0,
		AT_SECURE, 0,
		AT_RANDOM, u_rand_bytes,
		AT_HWCAP2, 0,
		AT_EXECFN, bprm->exec,
		AT_PLATFORM, u_platform,
		AT_NULL, 0,
	};
	int ei_index = ARRAY_SIZE(auxv);
	int items = (bprm->argc + 1) + (bprm->envc + 1) + 1;
	unsigned long sp = (p - ei_index * 8 - items * 8) & ~15UL;
	memcpy(mm->saved_auxv, auxv, sizeof(auxv));

	/* argc, argv[], NULL, envp[], NULL, auxv: one contiguous block from sp up. */
	unsigned long *block = kmalloc((items + ei_index) * 8, GFP_KERNEL);
	if (!block)
		return -ENOMEM;
	int k = 0;
	block[k++] = bprm->argc;
	unsigned long str = mm->arg_start;
	for (int i = 0; i < bprm->argc; i++) {
		block[k++] = str;
		str += strlen(bprm->strings + (str - mm->arg_start)) + 1;
	}
	block[k++] = 0; /* end of argv */
	for (int i = 0; i < bprm->envc; i++) {
		block[k++] = str;
		str += strlen(bprm->strings + (str - mm->arg_start)) + 1;
	}
	block[k++] = 0; /* end of envp */
	memcpy(&block[k], auxv, sizeof(auxv));
	int err = copy_to_user((void *)sp, block, (items + ei_index) * 8) ? -EFAULT : 0;
	kfree(block);
	mm->start_stack = sp;
	bprm->p = sp;
	return err;
}

int load_elf_binary(struct linux_binprm *bprm)
{
	struct elf64_hdr eh;
	struct elf64_phdr ph[MAX_PHNUM];
	struct fl_file *file = bprm->file;
	bool exec_stack = false;
	int ret;

	if (kernel_read(file, 0, &eh, sizeof(eh)) != sizeof(eh) || elf_check(&eh))
		return -ENOEXEC;
	if (kernel_read(file, eh.e_phoff, ph, eh.e_phnum * sizeof(ph[0])) != (long)(eh.e_phnum * sizeof(ph[0])))
		return -ENOEXEC;
	unsigned long min_vaddr = ~0UL, max_end = 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP)
			return -ENOEXEC; /* dynamically linked: no interpreter here */
		if (ph[i].p_type == PT_GNU_STACK)
			exec_stack = ph[i].p_flags & PF_X;
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz || (ph[i].p_offset - ph[i].p_vaddr) % PAGE_SIZE ||
		    ph[i].p_vaddr + ph[i].p_memsz > TASK_SIZE || ph[i].p_offset + ph[i].p_filesz > file->size)
			return -ENOEXEC;
		min_vaddr = min(min_vaddr, PAGE_ALIGN_DOWN(ph[i].p_vaddr));
		max_end = max(max_end, ph[i].p_vaddr + ph[i].p_memsz);
	}
	if (min_vaddr == ~0UL)
		return -ENOEXEC;

	/* The point of no return. */
	ret = begin_new_exec(bprm);
	if (ret)
		return ret;

	struct mm_struct *mm = current->mm;
	unsigned long load_bias = 0;
	if (eh.e_type == ET_DYN) {
		/* static-pie: the whole image goes where mmap would put it. */
		unsigned long span = PAGE_ALIGN(max_end) - min_vaddr;
		mmap_write_lock(mm);
		unsigned long base = get_unmapped_area(NULL, 0, span, 0, 0);
		mmap_write_unlock(mm);
		if (IS_ERR_VALUE(base))
			goto fatal;
		load_bias = base - min_vaddr;
	}

	unsigned long start_code = ~0UL, end_code = 0, start_data = 0, end_data = 0, elf_brk = 0;
	unsigned long phdr_addr = 0;
	bool first = true;
	for (int i = 0; i < eh.e_phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		unsigned long vaddr = p->p_vaddr + load_bias;
		if (p->p_filesz) {
			unsigned long r = elf_map(file, vaddr, p, first && eh.e_type == ET_EXEC ? MAP_FIXED_NOREPLACE : MAP_FIXED);
			if (IS_ERR_VALUE(r))
				goto fatal;
		}
		first = false;
		if (p->p_memsz > p->p_filesz && set_brk_bss(vaddr + p->p_filesz, vaddr + p->p_memsz, p))
			goto fatal;
		if (eh.e_phoff >= p->p_offset && eh.e_phoff < p->p_offset + p->p_filesz)
			phdr_addr = vaddr + (eh.e_phoff - p->p_offset);
		if (p->p_flags & PF_X) {
			start_code = min(start_code, vaddr);
			end_code = max(end_code, vaddr + p->p_filesz);
		}
		start_data = max(start_data, vaddr);
		end_data = max(end_data, vaddr + p->p_filesz);
		elf_brk = max(elf_brk, vaddr + p->p_memsz);
	}
	for (int i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			phdr_addr = ph[i].p_vaddr + load_bias;

	if (setup_arg_pages(bprm, exec_stack))
		goto fatal;
	spin_lock(&mm->arg_lock);
	mm->start_code = start_code == ~0UL ? 0 : start_code;
	mm->end_code = end_code;
	mm->start_data = start_data;
	mm->end_data = end_data;
	mm->start_brk = mm->brk = PAGE_ALIGN(elf_brk);
	spin_unlock(&mm->arg_lock);
	if (create_elf_tables(bprm, &eh, load_bias, phdr_addr))
		goto fatal;
	start_thread(task_pt_regs(current), eh.e_entry + load_bias, bprm->p);
	return 0;

fatal:
	/* Past the point of no return: the old image is gone, so the task dies. */
	send_sig(SIGSEGV, current);
	return -EFAULT;
}
