/*
 * The multiboot2 header (multiboot2 spec, section 3.1).  GRUB scans the
 * first 32 KiB of the image for it.  We ask for the memory map, the
 * command line and module tags, and give GRUB the physical entry point
 * explicitly so it does not have to guess from the higher-half ELF.
 */
#define MB2_MAGIC	0xe85250d6
#define MB2_ARCH_I386	0

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long	MB2_MAGIC
	.long	MB2_ARCH_I386
	.long	mb2_header_end - mb2_header
	.long	-(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* information request tag: cmdline(1), modules(3), basic meminfo(4), mmap(6) */
	.balign 8
1:	.short	1
	.short	0
	.long	2f - 1b
	.long	1
	.long	3
	.long	4
	.long	6
2:
	/* entry address tag: where to jump, as a physical address */
	.balign 8
1:	.short	3
	.short	0
	.long	2f - 1b
	.long	startup_32
2:
	/* end tag */
	.balign 8
	.short	0
	.short	0
	.long	8
mb2_header_end:
