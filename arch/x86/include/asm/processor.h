/* SPDX-License-Identifier: MIT */
/* Control registers, MSRs and CPUID: the handful of privileged instructions we need. */
#ifndef _ASM_X86_PROCESSOR_H
#define _ASM_X86_PROCESSOR_H

#include <linux/types.h>

#define X86_CR0_WP (1UL << 16)
#define X86_CR4_PGE (1UL << 7)
#define X86_CR4_OSFXSR (1UL << 9)
#define X86_CR4_SMEP (1UL << 20)
#define X86_CR4_SMAP (1UL << 21)
#define X86_EFLAGS_IF (1UL << 9)
#define X86_EFLAGS_AC (1UL << 18)

#define MSR_EFER 0xc0000080
#define EFER_SCE (1UL << 0)
#define EFER_LME (1UL << 8)
#define EFER_NX (1UL << 11)
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

static inline void cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

#define DEFINE_CR(n)                                                                               \
	static inline unsigned long read_cr##n(void)                                               \
	{                                                                                          \
		unsigned long v;                                                                   \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));                              \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_cr##n(unsigned long v)                                            \
	{                                                                                          \
		__asm__ __volatile__("mov %0, %%cr" #n : : "r"(v) : "memory");                     \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void native_halt(void)
{
	__asm__ __volatile__("hlt");
}

static inline void local_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline void local_irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline unsigned long native_save_fl(void)
{
	unsigned long f;
	__asm__ __volatile__("pushf; pop %0" : "=rm"(f) : : "memory");
	return f;
}

#define local_irq_save(flags)                                                                      \
	do {                                                                                       \
		(flags) = native_save_fl();                                                        \
		local_irq_disable();                                                               \
	} while (0)
#define local_irq_restore(flags)                                                                   \
	do {                                                                                       \
		if ((flags) & X86_EFLAGS_IF)                                                       \
			local_irq_enable();                                                        \
	} while (0)

/* CPU features we looked up once at boot (arch/x86/kernel/cpu.c). */
struct cpuinfo_x86 {
	bool has_nx, has_smep, has_smap, has_pge, has_gbpages, has_fsgsbase;
	char vendor[13];
	char model_id[49];
};
extern struct cpuinfo_x86 boot_cpu_data;

/* Supervisor Mode Access Prevention: open and close a uaccess window. */
static inline void stac(void)
{
	if (boot_cpu_data.has_smap)
		__asm__ __volatile__("stac" ::: "memory");
}

static inline void clac(void)
{
	if (boot_cpu_data.has_smap)
		__asm__ __volatile__("clac" ::: "memory");
}

#endif
