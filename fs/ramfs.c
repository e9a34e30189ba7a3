// SPDX-License-Identifier: MIT
/*
 * The in-memory file store (linux/fs.h).  Each file's data sits in
 * page-cache pages, each page referenced once by the file and once more
 * for every PTE that maps it.  Files are looked up by full path.
 * Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS) is an unnamed file
 * of the same kind whose pages appear on first touch (like shmem).
 */
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

static struct fl_file *files;
static unsigned long next_ino = 1;

struct fl_file *ramfs_lookup(const char *path)
{
	for (struct fl_file *f = files; f; f = f->next)
		if (!strcmp(f->name, path))
			return f;
	return NULL;
}

void ramfs_for_each(void (*fn)(struct fl_file *f, void *arg), void *arg)
{
	for (struct fl_file *f = files; f; f = f->next)
		fn(f, arg);
}

static struct fl_file *file_alloc(unsigned long size)
{
	struct fl_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	f->size = size;
	f->nr_pages = PFN_UP(size);
	if (f->nr_pages) {
		f->pages = kzalloc(f->nr_pages * sizeof(struct page *), GFP_KERNEL);
		if (!f->pages) {
			kfree(f);
			return NULL;
		}
	}
	f->ino = next_ino++;
	atomic_set(&f->refcount, 1);
	return f;
}

static void file_free(struct fl_file *f)
{
	for (unsigned long i = 0; i < f->nr_pages; i++)
		if (f->pages[i])
			put_page(f->pages[i]);
	kfree(f->pages);
	kfree(f->name);
	kfree(f);
}

struct fl_file *ramfs_create(const char *path, unsigned int mode, const void *data, unsigned long size)
{
	struct fl_file *f = file_alloc(size);

	if (!f)
		return NULL;
	f->mode = mode;
	f->name = kmalloc(strlen(path) + 1, GFP_KERNEL);
	if (!f->name) {
		file_free(f);
		return NULL;
	}
	memcpy(f->name, path, strlen(path) + 1);
	for (unsigned long i = 0; i < f->nr_pages; i++) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!page) {
			file_free(f);
			return NULL;
		}
		page->mapping = f;
		page->index = i;
		unsigned long n = min(PAGE_SIZE, size - i * PAGE_SIZE);
		memcpy(page_address(page), (const char *)data + i * PAGE_SIZE, n);
		f->pages[i] = page;
	}
	f->next = files;
	files = f;
	return f;
}

void fl_file_get(struct fl_file *f)
{
	atomic_inc(&f->refcount);
}

void fl_file_put(struct fl_file *f)
{
	if (atomic_dec_and_test(&f->refcount))
		file_free(f);
}

struct page *fl_file_get_page(struct fl_file *f, pgoff_t index, bool *beyond_eof)
{
	*beyond_eof = index >= f->nr_pages;
	if (*beyond_eof)
		return NULL;
	if (!f->pages[index]) {
		/* shmem: the page appears, zeroed, on first touch */
		struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
		if (!page)
			return NULL;
		page->mapping = f;
		page->index = index;
		f->pages[index] = page;
	}
	get_page(f->pages[index]);
	return f->pages[index];
}

/* ---- mapping files ------------------------------------------------------- */

static struct page *file_fault(struct vm_fault *vmf, vm_fault_t *err)
{
	struct fl_file *f = vmf->vma->vm_file ? vmf->vma->vm_file : vmf->vma->vm_private_data;
	bool beyond;
	struct page *page = fl_file_get_page(f, vmf->pgoff, &beyond);

	if (beyond)
		*err = VM_FAULT_SIGBUS; /* touching a file mapping past its end */
	return page;
}

static void file_vma_open(struct vm_area_struct *vma)
{
	fl_file_get(vma->vm_file ? vma->vm_file : vma->vm_private_data);
}

static void file_vma_close(struct vm_area_struct *vma)
{
	fl_file_put(vma->vm_file ? vma->vm_file : vma->vm_private_data);
}

static const struct vm_operations_struct file_vm_ops = {
	.name = "file",
	.fault = file_fault,
	.open = file_vma_open,
	.close = file_vma_close,
};

static const struct vm_operations_struct shmem_vm_ops = {
	.name = "shmem",
	.fault = file_fault,
	.open = file_vma_open,
	.close = file_vma_close,
};

int file_mmap(struct fl_file *file, struct vm_area_struct *vma)
{
	fl_file_get(file);
	vma->vm_file = file;
	vma->vm_ops = &file_vm_ops;
	return 0;
}

/* MAP_SHARED|MAP_ANONYMOUS: an unnamed shmem object the size of the mapping.  Linux: shmem_zero_setup. */
int shmem_zero_setup(struct vm_area_struct *vma)
{
	/* Shared memory is promised too, unless MAP_NORESERVE (Linux: shmem_acct_size). */
	if (!(vma->vm_flags & VM_NORESERVE) && security_vm_enough_memory_mm(vma->vm_mm, vma_pages(vma)))
		return -ENOMEM;
	struct fl_file *f = file_alloc(vma->vm_end - vma->vm_start);

	if (!f)
		return -ENOMEM;
	f->shmem = true;
	vma->vm_private_data = f; /* the reference file_alloc returned */
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}
