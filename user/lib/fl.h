/*
 * fl.h - helpers shared by the Faultline shell and the demo programs.
 *
 * Everything here is plain musl libc plus the one Faultline-specific system
 * call (fault tracing).  The helpers read the kernel's /proc files, which
 * are generated when they are opened: every open gives a fresh snapshot.
 *
 *   /proc/self/maps, /proc/PID/maps      one line per VMA
 *   /proc/self/status, /proc/PID/status  VmRSS, RssAnon, VmStk, Threads ...
 *   /proc/meminfo                        MemTotal, MemFree
 *   /proc/faultline/faults               how many faults each handler took
 */
#ifndef FL_H
#define FL_H

#include <stddef.h>
#include <sys/types.h>

/* Faultline's own system call: fault_trace(on) -> previous setting. */
#define SYS_faultline_fault_trace 0x666c

#define PAGE_SIZE_4K 4096UL

/*
 * Call first in main(): make stdout line-buffered.  On Faultline ioctl()
 * says the console is not a terminal, so musl would buffer stdout fully
 * and nothing would appear before exit.  Also touches the helpers' buffers
 * once, so that later measurements do not count our own first-touch faults.
 */
void fl_init(void);

/* Turn kernel fault tracing on (1) or off (0); returns the old setting or -errno. */
long fl_trace(int on);
/* Is fault tracing on?  (-1 if the kernel has no such system call.) */
int fl_trace_enabled(void);

/*
 * Read a whole file into a static buffer; returns its length or -errno.
 * The buffer is overwritten by the next call.
 */
long fl_read_file(const char *path, const char **data);

/* Print a file to stdout; returns 0 or -errno. */
int fl_cat(const char *path);

/*
 * The number in the "Key:  1234 kB" line of /proc/PID/status (pid 0 =
 * self), or -1 if there is no such line.
 */
long fl_status_kb(pid_t pid, const char *key);
/* Same for /proc/meminfo ("MemFree", "MemTotal"). */
long fl_meminfo_kb(const char *key);

/* "[who] VmRSS 1234 kB (RssAnon 100 kB, RssFile 1134 kB) VmSize ..." */
void fl_show_rss(const char *who, pid_t pid);

/*
 * Print /proc/self/maps; lines whose VMA overlaps [lo, hi) get a
 * "<--" marker (pass 0, 0 for no marker).  Returns the number of VMAs.
 */
int fl_show_maps(unsigned long lo, unsigned long hi);
/* Print only the maps lines overlapping [lo, hi). */
int fl_show_maps_range(unsigned long lo, unsigned long hi);
/* The number of VMAs (lines of /proc/self/maps). */
int fl_count_vmas(void);

/* The kernel's page-fault counters, one per handler. */
#define FL_MAX_FAULT_KINDS 16
struct fl_faults {
	int n;
	char name[FL_MAX_FAULT_KINDS][40];
	unsigned long count[FL_MAX_FAULT_KINDS];
};
int fl_faults_read(struct fl_faults *f);
/*
 * Print what changed between two snapshots, one handler a line with the
 * given indent, or "(no page faults)".  The counters are system-wide, so
 * anything else running at the same time is counted too.
 */
void fl_faults_diff(const struct fl_faults *before, const struct fl_faults *after, const char *indent);

/* "SIGSEGV" for 11; "signal N" for ones without a name here. */
const char *fl_signame(int sig);
/* "Segmentation fault" for 11, as bash says it. */
const char *fl_sigdesc(int sig);

/*
 * Wait for child pid and describe how it ended, e.g.
 * "child 7 was killed by signal 11 (SIGSEGV: Segmentation fault)".
 * Returns the wait status.
 */
int fl_wait_report(pid_t pid, const char *what);

/* "\n=== Step N: TITLE ===" and a blank-line-separated explanation. */
void fl_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The opening lines every demo prints: its name, and the tip about tracing. */
void fl_banner(const char *name, const char *what);

#endif
