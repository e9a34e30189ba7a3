/* SPDX-License-Identifier: MIT */
/*
 * The in-memory file store (fs/ramfs.c): files unpacked from the
 * initramfs, each with its data in page-cache pages so a file mapping can
 * map them directly.  Shared anonymous memory uses the same object with
 * no name ("shmem"), growing on demand.
 */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/types.h>
#include <linux/atomic.h>

struct vm_area_struct;
struct page;

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFCHR 0020000

struct fl_file {
	char *name;           /* full path, e.g. "/bin/sh"; NULL for shmem objects */
	unsigned int mode;
	unsigned long ino;
	unsigned long size;   /* bytes */
	unsigned long nr_pages;
	struct page **pages;  /* page cache: NULL entries are not yet allocated (shmem) */
	bool shmem;           /* shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS) */
	atomic_t refcount;    /* VMAs and open files using it; the store holds one for named files */
	/* Generated files (/proc): fill buf with the contents when opened. */
	long (*generate)(struct fl_file *f, char *buf, unsigned long size, void *arg);
	struct fl_file *next; /* in the store's list */
};

struct fl_file *ramfs_lookup(const char *path);
struct fl_file *ramfs_create(const char *path, unsigned int mode, const void *data, unsigned long size);
void ramfs_for_each(void (*fn)(struct fl_file *f, void *arg), void *arg);
void fl_file_get(struct fl_file *f);
void fl_file_put(struct fl_file *f);
/* The page at index, referenced; allocated (zeroed) for shmem; NULL if beyond EOF or OOM. */
struct page *fl_file_get_page(struct fl_file *f, pgoff_t index, bool *beyond_eof);

int file_mmap(struct fl_file *file, struct vm_area_struct *vma);
int shmem_zero_setup(struct vm_area_struct *vma);
void unpack_initramfs(void);

#endif
