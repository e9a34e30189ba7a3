// SPDX-License-Identifier: MIT
/*
 * Unpack the initramfs (a "newc" cpio archive, passed by GRUB as a
 * multiboot2 module) into the file store, then give the archive's pages
 * back to the page allocator, as Linux frees the initrd.
 *
 * newc record: "070701", 13 fields of 8 hex digits (ino mode uid gid nlink
 * mtime filesize devmajor devminor rdevmajor rdevminor namesize check),
 * the name (namesize bytes, NUL included), padding to 4, the data,
 * padding to 4.  The last record is named "TRAILER!!!".
 */
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/setup.h>

static unsigned long hex8(const char *p)
{
	unsigned long v = 0;

	for (int i = 0; i < 8; i++) {
		char c = p[i];
		v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10);
	}
	return v;
}

static int unpack(const char *buf, unsigned long len)
{
	unsigned long off = 0;
	int files = 0;

	while (off + 110 <= len) {
		const char *h = buf + off;
		if (memcmp(h, "070701", 6))
			return -1;
		unsigned long mode = hex8(h + 14), size = hex8(h + 54), namesize = hex8(h + 94);
		const char *name = h + 110;
		if (off + 110 + namesize > len)
			return -1;
		if (!strcmp(name, "TRAILER!!!"))
			break;
		unsigned long data = ALIGN(off + 110 + namesize, 4);
		if (data + size > len)
			return -1;

		/* "init", "./init" and "/init" all become "/init". */
		char path[256] = "/";
		const char *n = name;
		while (*n == '.' && n[1] == '/')
			n += 2;
		while (*n == '/')
			n++;
		strlcpy(path + 1, n, sizeof(path) - 1);
		if (strcmp(path, "/") && strcmp(path, "/.")) {
			if (!ramfs_create(path, mode, buf + data, (mode & S_IFMT) == S_IFREG ? size : 0))
				return -1;
			files++;
		}
		off = ALIGN(data + size, 4);
	}
	return files;
}

void unpack_initramfs(void)
{
	for (int i = 0; i < boot_params.nr_modules; i++) {
		struct boot_module *m = &boot_params.modules[i];
		int n = unpack(__va(m->start), m->end - m->start);
		if (n < 0)
			printk(KERN_ERR "initramfs: module %d is not a valid newc cpio archive\n", i);
		else
			pr_info("initramfs: unpacked %d entries (%lu KiB)\n", n, (unsigned long)(m->end - m->start) / 1024);
		/* The archive is in the file store now: free its pages (Linux: free_initrd_mem). */
		free_pages_range_core(PFN_UP(m->start), PFN_DOWN(m->end));
	}
}
