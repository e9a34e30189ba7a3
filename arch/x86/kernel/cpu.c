// SPDX-License-Identifier: MIT
/*
 * Look up the CPU's features once and switch on the protections the
 * memory manager relies on:
 *   EFER.NX   - the NX bit in page tables (no execution from data/stack)
 *   CR0.WP    - the kernel too obeys read-only PTEs (needed for COW)
 *   CR4.PGE   - global kernel mappings survive CR3 switches
 *   CR4.SMEP  - the kernel never executes a user page
 *   CR4.SMAP  - the kernel touches user pages only inside stac/clac
 *   CR4.OSFXSR/OSXMMEXCPT - user programs may use SSE (the kernel does not)
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/processor.h>

struct cpuinfo_x86 boot_cpu_data;

#define X86_CR0_MP (1UL << 1)
#define X86_CR0_EM (1UL << 2)
#define X86_CR0_NE (1UL << 5)
#define X86_CR4_OSXMMEXCPT (1UL << 10)

void cpu_detect(void)
{
	u32 a, b, c, d, max_ext;

	cpuid_count(0, 0, &a, &b, &c, &d);
	memcpy(boot_cpu_data.vendor, &b, 4);
	memcpy(boot_cpu_data.vendor + 4, &d, 4);
	memcpy(boot_cpu_data.vendor + 8, &c, 4);
	u32 max_leaf = a;

	cpuid_count(1, 0, &a, &b, &c, &d);
	boot_cpu_data.has_pge = d & (1 << 13);
	if (max_leaf >= 7) {
		cpuid_count(7, 0, &a, &b, &c, &d);
		boot_cpu_data.has_fsgsbase = b & (1 << 0);
		boot_cpu_data.has_smep = b & (1 << 7);
		boot_cpu_data.has_smap = b & (1 << 20);
	}
	cpuid_count(0x80000000, 0, &max_ext, &b, &c, &d);
	if (max_ext >= 0x80000001) {
		cpuid_count(0x80000001, 0, &a, &b, &c, &d);
		boot_cpu_data.has_nx = d & (1 << 20);
		boot_cpu_data.has_gbpages = d & (1 << 26);
	}
	if (max_ext >= 0x80000004) {
		u32 *m = (u32 *)boot_cpu_data.model_id;
		for (u32 leaf = 0; leaf < 3; leaf++)
			cpuid_count(0x80000002 + leaf, 0, &m[leaf * 4], &m[leaf * 4 + 1], &m[leaf * 4 + 2],
				    &m[leaf * 4 + 3]);
	}
}

/* NX must be on before any page table uses bit 63; called before paging_init(). */
void cpu_enable_nx(void)
{
	if (boot_cpu_data.has_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NX);
}

void cpu_enable_protections(void)
{
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();

	cr0 |= X86_CR0_WP | X86_CR0_MP | X86_CR0_NE;
	cr0 &= ~X86_CR0_EM;
	write_cr0(cr0);
	cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	if (boot_cpu_data.has_pge)
		cr4 |= X86_CR4_PGE;
	if (boot_cpu_data.has_smep)
		cr4 |= X86_CR4_SMEP;
	if (boot_cpu_data.has_smap)
		cr4 |= X86_CR4_SMAP;
	write_cr4(cr4);
	__asm__ __volatile__("fninit");
}

extern char entry_SYSCALL_64[];

/*
 * The syscall instruction: enter at entry_SYSCALL_64 with CS = __KERNEL_CS.
 * STAR[63:48] is the base sysret would use (user CS = base + 16, SS = base
 * + 8); we return with iretq, but keep it right.  SFMASK clears IF (the
 * kernel runs with interrupts off), DF, TF, AC (SMAP stays armed) and NT.
 */
void syscall_init(void)
{
	wrmsr(MSR_STAR, ((u64)(0x18 | 3) << 48) | ((u64)0x08 << 32));
	wrmsr(MSR_LSTAR, (unsigned long)entry_SYSCALL_64);
	wrmsr(MSR_SYSCALL_MASK, (1UL << 8) | (1UL << 9) | (1UL << 10) | (1UL << 14) | (1UL << 18));
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
