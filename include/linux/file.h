/* SPDX-License-Identifier: MIT */
/* File descriptors (fs/file.c). */
#ifndef _LINUX_FILE_H
#define _LINUX_FILE_H

#include <linux/types.h>
#include <linux/atomic.h>

struct task_struct;
struct fl_file;

#define NR_OPEN_DEFAULT 64

enum file_type { FILE_CONSOLE, FILE_RAMFS, FILE_BUFFER };

struct file {
	enum file_type type;
	atomic_t refcount;
	unsigned int f_flags;
	unsigned long pos;
	struct fl_file *inode; /* FILE_RAMFS */
	char *buf;             /* FILE_BUFFER: contents made at open (/proc files) */
	unsigned long size;
};

struct files_struct {
	atomic_t count;
	struct file *fd[NR_OPEN_DEFAULT];
};

int copy_files(bool share, struct task_struct *tsk);
void exit_files(struct task_struct *tsk);
int files_init_console(struct task_struct *tsk);
struct file *fget(int fd);
void fput(struct file *f);
int fd_install_new(struct file *f);
struct file *file_alloc_buffer(char *buf, unsigned long size);
extern bool console_raw;

#endif
