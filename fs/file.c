// SPDX-License-Identifier: MIT
/*
 * File descriptors and the read/write family.  Three kinds of open file:
 * the serial console (fds 0, 1, 2 of init), regular files of the store
 * (read-only), and buffers generated at open time (/proc files).
 *
 * The console is a minimal tty: unless "console=raw" is on the command
 * line it echoes input, edits lines (backspace, ^U, ^D) and turns "\n" into
 * "\r\n" on output.  With console=raw (tools/run-elf) bytes pass
 * unchanged and a read finds end-of-file, like reading /dev/null, so a
 * program's output is exactly what it wrote.
 */
#include <linux/kernel.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/serial.h>
#include <asm/uaccess.h>

bool console_raw;
static struct file console_file = { .type = FILE_CONSOLE, .refcount = ATOMIC_INIT(1) };

/* ---- descriptor tables ---------------------------------------------------- */

int files_init_console(struct task_struct *tsk)
{
	struct files_struct *fs = kzalloc(sizeof(*fs), GFP_KERNEL);

	if (!fs)
		return -ENOMEM;
	atomic_set(&fs->count, 1);
	for (int i = 0; i < 3; i++) {
		atomic_inc(&console_file.refcount);
		fs->fd[i] = &console_file;
	}
	tsk->files = fs;
	return 0;
}

int copy_files(bool share, struct task_struct *tsk)
{
	struct files_struct *old = current->files;

	if (!old) {
		tsk->files = NULL;
		return 0;
	}
	if (share) {
		atomic_inc(&old->count);
		tsk->files = old;
		return 0;
	}
	struct files_struct *fs = kzalloc(sizeof(*fs), GFP_KERNEL);
	if (!fs)
		return -ENOMEM;
	atomic_set(&fs->count, 1);
	for (int i = 0; i < NR_OPEN_DEFAULT; i++) {
		fs->fd[i] = old->fd[i];
		if (fs->fd[i])
			atomic_inc(&fs->fd[i]->refcount);
	}
	tsk->files = fs;
	return 0;
}

void fput(struct file *f)
{
	if (!atomic_dec_and_test(&f->refcount))
		return;
	if (f->type == FILE_RAMFS)
		fl_file_put(f->inode);
	kfree(f->buf);
	if (f != &console_file)
		kfree(f);
}

void exit_files(struct task_struct *tsk)
{
	struct files_struct *fs = tsk->files;

	tsk->files = NULL;
	if (!fs || !atomic_dec_and_test(&fs->count))
		return;
	for (int i = 0; i < NR_OPEN_DEFAULT; i++)
		if (fs->fd[i])
			fput(fs->fd[i]);
	kfree(fs);
}

struct file *fget(int fd)
{
	if (fd < 0 || fd >= NR_OPEN_DEFAULT || !current->files)
		return NULL;
	return current->files->fd[fd];
}

int fd_install_new(struct file *f)
{
	for (int i = 0; i < NR_OPEN_DEFAULT; i++)
		if (!current->files->fd[i]) {
			current->files->fd[i] = f;
			return i;
		}
	return -EMFILE;
}

struct file *file_alloc_buffer(char *buf, unsigned long size)
{
	struct file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	f->type = FILE_BUFFER;
	atomic_set(&f->refcount, 1);
	f->buf = buf;
	f->size = size;
	return f;
}

/* ---- the console ------------------------------------------------------------ */

static char line_buf[256];
static unsigned long line_len, line_ready; /* line_ready: bytes of a finished line to hand out */
static bool line_eof;
static struct task_struct *console_reader;

static void console_echo(const char *s, size_t n)
{
	serial_write(COM1_PORT, s, n);
}

/* Called from the timer tick: take typed characters, wake the reader at end of line. */
void console_poll_input(void)
{
	int c;

	while (!line_ready && (c = serial_getc_nonblock(COM1_PORT)) >= 0) {
		if (c == '\r' || c == '\n') {
			if (line_len < sizeof(line_buf))
				line_buf[line_len++] = '\n';
			console_echo("\n", 1);
			line_ready = line_len;
		} else if (c == 0x7f || c == 8) {
			if (line_len) {
				line_len--;
				console_echo("\b \b", 3);
			}
		} else if (c == 0x15) { /* ^U */
			while (line_len) {
				line_len--;
				console_echo("\b \b", 3);
			}
		} else if (c == 4) { /* ^D */
			line_ready = line_len;
			line_eof = line_len == 0;
		} else if (line_len < sizeof(line_buf) - 1 && c >= ' ') {
			line_buf[line_len++] = c;
			char ch = c;
			console_echo(&ch, 1);
		}
	}
	if ((line_ready || line_eof) && console_reader)
		wake_up_process(console_reader);
}

static long console_read(char *ubuf, unsigned long count)
{
	if (console_raw)
		return 0;
	while (!line_ready && !line_eof) {
		console_reader = current;
		current->state = TASK_INTERRUPTIBLE;
		schedule();
		console_reader = NULL;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	if (line_eof) {
		line_eof = false;
		return 0;
	}
	unsigned long n = min(count, line_ready);
	if (copy_to_user(ubuf, line_buf, n))
		return -EFAULT;
	memmove(line_buf, line_buf + n, line_len - n);
	line_len -= n;
	line_ready -= n;
	return n;
}

static void console_write(const char *kbuf, unsigned long n)
{
	if (console_raw)
		serial_write_raw(COM1_PORT, kbuf, n);
	else
		serial_write(COM1_PORT, kbuf, n);
}

/* ---- read and write ----------------------------------------------------------- */

static long do_read(struct file *f, char *ubuf, unsigned long count)
{
	switch (f->type) {
	case FILE_CONSOLE:
		return console_read(ubuf, count);
	case FILE_RAMFS:
	case FILE_BUFFER: {
		unsigned long size = f->type == FILE_RAMFS ? f->inode->size : f->size;
		if (f->pos >= size)
			return 0;
		unsigned long n = min(count, size - f->pos), done = 0;
		while (done < n) {
			unsigned long pos = f->pos + done, chunk = min(n - done, PAGE_SIZE - (pos % PAGE_SIZE));
			const char *src = f->type == FILE_RAMFS
						  ? (char *)page_address(f->inode->pages[pos / PAGE_SIZE]) + pos % PAGE_SIZE
						  : f->buf + pos;
			unsigned long left = copy_to_user(ubuf + done, src, chunk);
			done += chunk - left;
			if (left)
				break;
		}
		f->pos += done;
		return done ? (long)done : -EFAULT;
	}
	}
	return -EINVAL;
}

/*
 * Console writes go through a small bounce buffer; a fault part-way returns
 * what was written.  The serial line is slow (a megabyte takes seconds, and
 * far longer on a real 115200-baud line), so between chunks the writer
 * lets the timer tick and other tasks run, and stops at a fatal signal,
 * returning what it wrote, as Linux's tty layer does.
 */
static long do_write(struct file *f, const char *ubuf, unsigned long count)
{
	char kbuf[256];
	unsigned long done = 0;

	if (f->type != FILE_CONSOLE)
		return -EBADF; /* the store is read-only */
	while (done < count) {
		if (done) {
			cond_resched();
			if (fatal_signal_pending(current))
				return done;
		}
		unsigned long chunk = min(count - done, sizeof(kbuf));
		unsigned long left = copy_from_user(kbuf, ubuf + done, chunk);
		console_write(kbuf, chunk - left);
		done += chunk - left;
		if (left)
			return done ? (long)done : -EFAULT;
	}
	return done;
}

/* The checks read and write share, in Linux's order: the fd, the buffer's range, the count. */
static struct file *rw_verify(int fd, const void *buf, unsigned long count, long *err)
{
	struct file *f = fget(fd);

	*err = !f ? -EBADF : !access_ok(buf, count) ? -EFAULT : (long)count < 0 ? -EINVAL : 0;
	return *err ? NULL : f;
}

long sys_read(int fd, char *buf, unsigned long count)
{
	long err;
	struct file *f = rw_verify(fd, buf, count, &err);

	return f ? do_read(f, buf, count) : err;
}

long sys_write(int fd, const char *buf, unsigned long count)
{
	long err;
	struct file *f = rw_verify(fd, buf, count, &err);

	return f ? do_write(f, buf, count) : err;
}

struct iovec {
	void *iov_base;
	unsigned long iov_len;
};

#define UIO_MAXIOV 1024

static long do_iov(int fd, const struct iovec *uvec, int vlen, bool write)
{
	struct file *f = fget(fd);
	struct iovec iov;
	long total = 0;

	if (!f)
		return -EBADF;
	if (vlen < 0 || vlen > UIO_MAXIOV)
		return -EINVAL;
	/* Validate every entry first, as Linux's import_iovec does. */
	unsigned long sum = 0;
	for (int i = 0; i < vlen; i++) {
		if (copy_from_user(&iov, &uvec[i], sizeof(iov)))
			return -EFAULT;
		if ((long)iov.iov_len < 0 || sum + iov.iov_len < sum || (long)(sum + iov.iov_len) < 0)
			return -EINVAL;
		if (iov.iov_len && !access_ok(iov.iov_base, iov.iov_len))
			return -EFAULT;
		sum += iov.iov_len;
	}
	for (int i = 0; i < vlen; i++) {
		copy_from_user(&iov, &uvec[i], sizeof(iov));
		if (!iov.iov_len)
			continue;
		long n = write ? do_write(f, iov.iov_base, iov.iov_len) : do_read(f, iov.iov_base, iov.iov_len);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((unsigned long)n < iov.iov_len)
			break;
	}
	return total;
}

long sys_writev(int fd, const struct iovec *vec, int vlen)
{
	return do_iov(fd, vec, vlen, true);
}

long sys_readv(int fd, const struct iovec *vec, int vlen)
{
	return do_iov(fd, vec, vlen, false);
}

long sys_close(int fd)
{
	struct file *f = fget(fd);

	if (!f)
		return -EBADF;
	current->files->fd[fd] = NULL;
	fput(f);
	return 0;
}

long sys_dup2(int oldfd, int newfd)
{
	struct file *f = fget(oldfd);

	if (!f || newfd < 0 || newfd >= NR_OPEN_DEFAULT)
		return -EBADF;
	if (oldfd == newfd)
		return newfd;
	if (current->files->fd[newfd])
		fput(current->files->fd[newfd]);
	atomic_inc(&f->refcount);
	current->files->fd[newfd] = f;
	return newfd;
}

long sys_dup(int oldfd)
{
	struct file *f = fget(oldfd);

	if (!f)
		return -EBADF;
	int fd = fd_install_new(f);
	if (fd >= 0)
		atomic_inc(&f->refcount);
	return fd;
}

long sys_lseek(int fd, long offset, int whence)
{
	struct file *f = fget(fd);

	if (!f)
		return -EBADF;
	if (f->type == FILE_CONSOLE)
		return -ESPIPE;
	long size = f->type == FILE_RAMFS ? (long)f->inode->size : (long)f->size;
	long pos = whence == 0 ? offset : whence == 1 ? (long)f->pos + offset : whence == 2 ? size + offset : -1;
	if (whence < 0 || whence > 2 || pos < 0)
		return -EINVAL;
	f->pos = pos;
	return pos;
}

#define TCGETS 0x5401
#define TIOCGWINSZ 0x5413

long sys_ioctl(int fd, unsigned int cmd, unsigned long arg)
{
	struct file *f = fget(fd);

	if (!f)
		return -EBADF;
	/* Like a pipe: not a terminal, so musl's stdout stays fully buffered. */
	return -ENOTTY;
}

long proc_open(const char *path, struct file **out);

long sys_open(const char *upath, int flags, int mode)
{
	char path[256];
	long len = strncpy_from_user(path, upath, sizeof(path));

	if (len < 0)
		return -EFAULT;
	if (len == sizeof(path))
		return -ENAMETOOLONG;
	if ((flags & 3) != 0)
		return -EROFS; /* the file store is read-only */

	struct file *f = NULL;
	if (!strncmp(path, "/proc/", 6)) {
		long err = proc_open(path, &f);
		if (err)
			return err;
	} else {
		struct fl_file *inode = ramfs_lookup(path);
		if (!inode)
			return -ENOENT;
		f = kzalloc(sizeof(*f), GFP_KERNEL);
		if (!f)
			return -ENOMEM;
		f->type = FILE_RAMFS;
		atomic_set(&f->refcount, 1);
		fl_file_get(inode);
		f->inode = inode;
	}
	int fd = fd_install_new(f);
	if (fd < 0)
		fput(f);
	return fd;
}

long sys_openat(int dirfd, const char *upath, int flags, int mode)
{
	return sys_open(upath, flags, mode);
}
