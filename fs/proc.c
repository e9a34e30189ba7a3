// SPDX-License-Identifier: MIT
/*
 * /proc: files whose contents are generated when opened (spec §7).
 *
 *   /proc/self/maps, /proc/<pid>/maps      the VMAs, in Linux's exact format
 *   /proc/self/status, /proc/<pid>/status  identity and the Vm* memory lines
 *   /proc/meminfo                          MemTotal, MemFree (the leak counter)
 *   /proc/faultline/faults                 how many faults each handler took
 *   /proc/self/mm_refs, /proc/<pid>/mm_refs  Faultline's own: mm_users, mm_count and
 *                                          map_count of the task's mm (tests read them)
 *   /proc/self/ptdump, /proc/<pid>/ptdump  Faultline's own: every page-table page of the
 *                                          user half and every present PTE (tools/mmviz.py)
 */
#include <linux/kernel.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched_core.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/pgtable.h>

#define PROC_BUF_SIZE (256 * 1024)

struct seq {
	char *buf;
	unsigned long len, size;
	unsigned long line_start; /* where the line being written began */
	bool overflow;
};

static __printf(2, 3) void seq_printf(struct seq *m, const char *fmt, ...)
{
	va_list ap;

	if (m->overflow)
		return;
	va_start(ap, fmt);
	unsigned long n = vsnprintf(m->buf + m->len, m->size - m->len, fmt, ap);
	va_end(ap);
	if (m->len + n >= m->size) {
		m->overflow = true; /* the file ends at the last whole line */
		m->len = m->line_start;
		return;
	}
	m->len += n;
}

/* The name column of a maps line (spec §7.1). */
static const char *vma_name(struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (vma->vm_file)
		return vma->vm_file->name;
	if (vma->vm_private_data && (vma->vm_flags & VM_MAYSHARE))
		return "/dev/zero (deleted)";
	if (vma->vm_start < mm->brk && vma->vm_end > mm->start_brk)
		return "[heap]";
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		return "[stack]";
	return NULL;
}

static void show_map_vma(struct seq *m, struct mm_struct *mm, struct vm_area_struct *vma)
{
	unsigned long start_len = m->len;
	struct fl_file *f = vma->vm_file ? vma->vm_file : vma->vm_private_data;
	unsigned long ino = f ? f->ino : 0;
	const char *name = vma_name(mm, vma);

	m->line_start = m->len;
	seq_printf(m, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", vma->vm_start, vma->vm_end,
		   vma->vm_flags & VM_READ ? 'r' : '-', vma->vm_flags & VM_WRITE ? 'w' : '-',
		   vma->vm_flags & VM_EXEC ? 'x' : '-', vma->vm_flags & VM_MAYSHARE ? 's' : 'p',
		   f ? vma->vm_pgoff << PAGE_SHIFT : 0, f ? 0 : 0, f ? (f->shmem ? 1 : 2) : 0, ino);
	if (name) {
		/* pad to column 72, then one space: names start at column 73 */
		while (m->len - start_len < 72 && !m->overflow)
			seq_printf(m, " ");
		seq_printf(m, " %s", name);
	}
	seq_printf(m, "\n");
}

static void show_maps(struct seq *m, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *vma;

	if (!mm || !mmget_not_zero(mm))
		return;
	mmap_read_lock(mm);
	for_each_vma(mm, vma)
		show_map_vma(m, mm, vma);
	mmap_read_unlock(mm);
	mmput(mm);
}

static void status_line(struct seq *m, const char *key, unsigned long kb)
{
	seq_printf(m, "%s:\t%8lu kB\n", key, kb);
}

/* Linux: task_mem (spec §7.2). */
static void show_status(struct seq *m, struct task_struct *t)
{
	static const char *const state = "R (running)";
	int threads = !(t->group_leader->flags & PF_EXITING);
	struct task_struct *th;

	/* A thread stops counting when it starts to exit, as on Linux (not when it is reaped). */
	list_for_each_entry(th, &t->group_leader->thread_group, thread_node)
		threads += !(th->flags & PF_EXITING);
	seq_printf(m, "Name:\t%s\n", t->comm);
	seq_printf(m, "State:\t%s\n", t->exit_state ? "Z (zombie)" : t->state == TASK_RUNNING ? state : "S (sleeping)");
	seq_printf(m, "Tgid:\t%d\nPid:\t%d\nPPid:\t%d\n", t->tgid, t->pid, t->group_leader->real_parent->tgid);
	struct mm_struct *mm = t->mm;
	if (mm && mmget_not_zero(mm)) {
		unsigned long anon = get_mm_counter(mm, MM_ANONPAGES), file = get_mm_counter(mm, MM_FILEPAGES);
		unsigned long shmem = get_mm_counter(mm, MM_SHMEMPAGES), rss = anon + file + shmem;
		unsigned long text = PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK);
		text = min(text >> 10, mm->exec_vm << (PAGE_SHIFT - 10));
		status_line(m, "VmPeak", max(mm->hiwater_vm, mm->total_vm) * 4);
		status_line(m, "VmSize", mm->total_vm * 4);
		status_line(m, "VmLck", mm->locked_vm * 4);
		status_line(m, "VmPin", 0);
		status_line(m, "VmHWM", max(mm->hiwater_rss, rss) * 4);
		status_line(m, "VmRSS", rss * 4);
		status_line(m, "RssAnon", anon * 4);
		status_line(m, "RssFile", file * 4);
		status_line(m, "RssShmem", shmem * 4);
		status_line(m, "VmData", mm->data_vm * 4);
		status_line(m, "VmStk", mm->stack_vm * 4);
		status_line(m, "VmExe", text);
		status_line(m, "VmLib", mm->exec_vm * 4 - text);
		status_line(m, "VmPTE", atomic_long_read(&mm->pgtables_bytes) >> 10);
		status_line(m, "VmSwap", 0);
		mmput(mm);
	}
	seq_printf(m, "Threads:\t%d\n", threads);
	seq_printf(m, "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n", t->nvcsw, t->nivcsw);
}

static void show_meminfo(struct seq *m)
{
	seq_printf(m, "MemTotal:       %8lu kB\n", totalram_pages * 4);
	seq_printf(m, "MemFree:        %8lu kB\n", nr_free_pages() * 4);
}

static void show_faults(struct seq *m)
{
	for (int i = 1; i < NR_FAULT_KINDS; i++)
		seq_printf(m, "%-30s %lu\n", fault_kind_names[i], fault_counts[i]);
}

/*
 * The user half of a page table, one line per table page and per mapped
 * PTE, indented by level:
 *   pgd <phys>
 *     pud[<idx>] <phys>              (a PUD table, from PGD entry idx)
 *       pmd[<idx>] <phys>
 *         pte[<idx>] <phys>
 *           <va> -> <phys> <flags> ref=<refcount> map=<mapcount>
 */
static void show_ptdump(struct seq *m, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;

	if (!mm || !mmget_not_zero(mm))
		return;
	mmap_read_lock(mm);
	seq_printf(m, "pgd %#lx pgtables_bytes %ld\n", (unsigned long)__pa(mm->pgd),
		   atomic_long_read(&mm->pgtables_bytes));
	for (int i = 0; i < KERNEL_PGD_BOUNDARY; i++) {
		if (!pgd_present(mm->pgd[i]))
			continue;
		pud_t *pud = __va(pgd_val(mm->pgd[i]) & PTE_PFN_MASK);
		seq_printf(m, "  pud[%d] %#lx\n", i, (unsigned long)__pa(pud));
		for (int j = 0; j < 512; j++) {
			if (!pud_present(pud[j]))
				continue;
			pmd_t *pmd = __va(pud_val(pud[j]) & PTE_PFN_MASK);
			seq_printf(m, "    pmd[%d] %#lx\n", j, (unsigned long)__pa(pmd));
			for (int k = 0; k < 512; k++) {
				if (!pmd_present(pmd[k]))
					continue;
				pte_t *pte = __va(pmd_val(pmd[k]) & PTE_PFN_MASK);
				seq_printf(m, "      pte[%d] %#lx\n", k, (unsigned long)__pa(pte));
				for (int l = 0; l < 512; l++) {
					pte_t e = pte[l];
					if (pte_none(e))
						continue;
					unsigned long va = ((unsigned long)i << PGDIR_SHIFT) | ((unsigned long)j << PUD_SHIFT) |
							   ((unsigned long)k << PMD_SHIFT) | ((unsigned long)l << PAGE_SHIFT);
					struct page *pg = pte_special(e) ? NULL : pfn_to_page(pte_pfn(e));
					seq_printf(m, "        %#lx -> %#lx %s%s%s%s%s%s ref=%d map=%d\n", va,
						   (unsigned long)(pte_val(e) & PTE_PFN_MASK),
						   pte_val(e) & _PAGE_PRESENT ? "P" : "protnone", pte_write(e) ? " RW" : "",
						   pte_val(e) & _PAGE_USER ? " U" : "", pte_dirty(e) ? " D" : "",
						   pte_young(e) ? " A" : "", pte_special(e) ? " zero-page" : (pte_exec(e) ? " X" : " NX"),
						   pg ? page_ref_count(pg) : 0, pg ? page_mapcount(pg) : 0);
					if (m->len > m->size - 256)
						goto out;
				}
			}
		}
	}
out:
	mmap_read_unlock(mm);
	mmput(mm);
}

static void show_mm_refs(struct seq *m, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;

	if (!mm)
		return;
	/* Read without taking a reference: the numbers are what the task itself holds. */
	seq_printf(m, "mm_users %d\nmm_count %d\nmap_count %d\n", atomic_read(&mm->mm_users),
		   atomic_read(&mm->mm_count), mm->map_count);
}

long proc_open(const char *path, struct file **out)
{
	struct task_struct *t = NULL;
	const char *rest = path + 6; /* after "/proc/" */
	struct seq m = { .size = PROC_BUF_SIZE };

	if (!strncmp(rest, "self/", 5)) {
		t = current;
		rest += 5;
	} else if (*rest >= '0' && *rest <= '9') {
		const char *end;
		t = find_task_by_pid(simple_strtoul(rest, &end, 10));
		if (!t || *end != '/')
			return -ENOENT;
		rest = end + 1;
	}
	/* maps: about 110 bytes a VMA; up to the largest kmalloc (4 MiB, ~38,000 VMAs). */
	if (t && t->mm && !strcmp(rest, "maps"))
		m.size = min(max(PROC_BUF_SIZE, (unsigned long)(t->mm->map_count + 16) * 128), PAGE_SIZE << MAX_ORDER);
	m.buf = kmalloc(m.size, GFP_KERNEL);
	if (!m.buf)
		return -ENOMEM;
	if (t && !strcmp(rest, "maps"))
		show_maps(&m, t);
	else if (t && !strcmp(rest, "status"))
		show_status(&m, t);
	else if (t && !strcmp(rest, "mm_refs"))
		show_mm_refs(&m, t);
	else if (t && !strcmp(rest, "ptdump"))
		show_ptdump(&m, t);
	else if (!t && !strcmp(rest, "meminfo"))
		show_meminfo(&m);
	else if (!t && !strcmp(rest, "faultline/faults"))
		show_faults(&m);
	else {
		kfree(m.buf);
		return -ENOENT;
	}
	*out = file_alloc_buffer(m.buf, m.len);
	if (!*out) {
		kfree(m.buf);
		return -ENOMEM;
	}
	return 0;
}
