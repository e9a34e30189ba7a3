/*
 * fl.c - helpers shared by the Faultline shell and the demo programs
 * (see fl.h).  Only musl libc and /proc; no allocation, so the helpers add
 * nothing to the heap the demos are watching.
 */
#define _GNU_SOURCE
#include "fl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* One buffer for every file we read: big enough for any /proc file here. */
static char file_buf[64 * 1024];

void fl_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Fault in our buffers now, not in the middle of a measurement. */
	const char *data;
	fl_read_file("/proc/self/status", &data);
	memset(file_buf, 0, sizeof(file_buf));
	struct fl_faults f;
	fl_faults_read(&f);
}

long fl_trace(int on)
{
	long old = syscall(SYS_faultline_fault_trace, on ? 1 : 0);

	return old < 0 ? -errno : old;
}

int fl_trace_enabled(void)
{
	/* There is no "query": set it, and put the old value back at once. */
	long old = fl_trace(1);

	if (old < 0)
		return -1;
	fl_trace((int)old);
	return (int)old;
}

long fl_read_file(const char *path, const char **data)
{
	int fd = open(path, O_RDONLY);

	*data = file_buf;
	file_buf[0] = 0;
	if (fd < 0)
		return -errno;
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, file_buf + len, sizeof(file_buf) - 1 - len);
		if (n < 0) {
			int err = errno;
			close(fd);
			return -err;
		}
		if (n == 0 || len + n == sizeof(file_buf) - 1) {
			len += n;
			break;
		}
		len += n;
	}
	close(fd);
	file_buf[len] = 0;
	return (long)len;
}

int fl_cat(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	fflush(stdout);
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		/* straight to fd 1: the file is printed exactly as the kernel made it */
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(1, buf + done, n - done);
			if (w <= 0) {
				close(fd);
				return -EIO;
			}
			done += w;
		}
	}
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/* Find "key:" at the start of a line in text; the number after it, or -1. */
static long field_kb(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *line = text; *line;) {
		if (!strncmp(line, key, klen) && line[klen] == ':')
			return strtol(line + klen + 1, NULL, 10);
		const char *nl = strchr(line, '\n');
		if (!nl)
			break;
		line = nl + 1;
	}
	return -1;
}

static void status_path(char *path, size_t size, pid_t pid)
{
	if (pid > 0)
		snprintf(path, size, "/proc/%d/status", (int)pid);
	else
		snprintf(path, size, "/proc/self/status");
}

long fl_status_kb(pid_t pid, const char *key)
{
	char path[64];
	const char *data;

	status_path(path, sizeof(path), pid);
	if (fl_read_file(path, &data) < 0)
		return -1;
	return field_kb(data, key);
}

long fl_meminfo_kb(const char *key)
{
	const char *data;

	if (fl_read_file("/proc/meminfo", &data) < 0)
		return -1;
	return field_kb(data, key);
}

void fl_show_rss(const char *who, pid_t pid)
{
	char path[64];
	const char *data;

	status_path(path, sizeof(path), pid);
	if (fl_read_file(path, &data) < 0) {
		printf("  [%s] cannot read %s\n", who, path);
		return;
	}
	/* One snapshot, so the numbers on this line belong together. */
	printf("  [%s] VmRSS %ld kB = RssAnon %ld + RssFile %ld + RssShmem %ld  (VmSize %ld kB)\n", who,
	       field_kb(data, "VmRSS"), field_kb(data, "RssAnon"), field_kb(data, "RssFile"),
	       field_kb(data, "RssShmem"), field_kb(data, "VmSize"));
}

static int maps(unsigned long lo, unsigned long hi, int only_marked)
{
	const char *data;
	long len = fl_read_file("/proc/self/maps", &data);

	if (len < 0) {
		printf("  cannot read /proc/self/maps: %s\n", strerror((int)-len));
		return 0;
	}
	(void)data; /* it is file_buf, which we may cut into lines in place */
	int vmas = 0;
	for (char *line = file_buf; *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		char *end;
		unsigned long start = strtoul(line, &end, 16);
		unsigned long stop = *end == '-' ? strtoul(end + 1, NULL, 16) : start;
		int marked = lo < hi && start < hi && stop > lo;
		vmas++;
		if (marked || !only_marked) {
			/* trim the padding the kernel adds when a line has no name */
			size_t n = strlen(line);
			while (n && line[n - 1] == ' ')
				line[--n] = 0;
			printf("  %s%s\n", line, marked && !only_marked ? "   <--" : "");
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return vmas;
}

int fl_show_maps(unsigned long lo, unsigned long hi)
{
	return maps(lo, hi, 0);
}

int fl_show_maps_range(unsigned long lo, unsigned long hi)
{
	return maps(lo, hi, 1);
}

int fl_count_vmas(void)
{
	const char *data;
	int n = 0;

	if (fl_read_file("/proc/self/maps", &data) < 0)
		return -1;
	for (; *data; data++)
		n += *data == '\n';
	return n;
}

int fl_faults_read(struct fl_faults *f)
{
	const char *data;

	f->n = 0;
	if (fl_read_file("/proc/faultline/faults", &data) < 0)
		return -1;
	/* Lines are "NAME COUNT" where NAME may contain spaces: the count is the last word. */
	for (const char *line = data; *line && f->n < FL_MAX_FAULT_KINDS;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		size_t sp = n;
		while (sp && line[sp - 1] != ' ')
			sp--;
		if (sp) {
			size_t name_len = sp;
			while (name_len && line[name_len - 1] == ' ')
				name_len--;
			if (name_len >= sizeof(f->name[0]))
				name_len = sizeof(f->name[0]) - 1;
			memcpy(f->name[f->n], line, name_len);
			f->name[f->n][name_len] = 0;
			f->count[f->n] = strtoul(line + sp, NULL, 10);
			f->n++;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return f->n;
}

void fl_faults_diff(const struct fl_faults *before, const struct fl_faults *after, const char *indent)
{
	int any = 0;

	for (int i = 0; i < after->n; i++) {
		unsigned long was = 0;
		for (int j = 0; j < before->n; j++)
			if (!strcmp(before->name[j], after->name[i]))
				was = before->count[j];
		if (after->count[i] != was) {
			printf("%s%-30s +%lu\n", indent, after->name[i], after->count[i] - was);
			any = 1;
		}
	}
	if (!any)
		printf("%s(no page faults)\n", indent);
}

static const char *const sig_names[32] = {
	[1] = "SIGHUP",   [2] = "SIGINT",     [3] = "SIGQUIT", [4] = "SIGILL",   [5] = "SIGTRAP",
	[6] = "SIGABRT",  [7] = "SIGBUS",     [8] = "SIGFPE",  [9] = "SIGKILL",  [10] = "SIGUSR1",
	[11] = "SIGSEGV", [12] = "SIGUSR2",   [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
	[16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU",   [23] = "SIGURG",  [24] = "SIGXCPU", [25] = "SIGXFSZ",
	[26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO",  [30] = "SIGPWR",
	[31] = "SIGSYS",
};

/* What bash prints for each (its strsignal table). */
static const char *const sig_descs[32] = {
	[1] = "Hangup", [2] = "Interrupt", [3] = "Quit", [4] = "Illegal instruction",
	[5] = "Trace/breakpoint trap", [6] = "Aborted", [7] = "Bus error",
	[8] = "Floating point exception", [9] = "Killed", [10] = "User defined signal 1",
	[11] = "Segmentation fault", [12] = "User defined signal 2", [13] = "Broken pipe",
	[14] = "Alarm clock", [15] = "Terminated", [16] = "Stack fault", [17] = "Child exited",
	[18] = "Continued", [19] = "Stopped (signal)", [20] = "Stopped", [21] = "Stopped (tty input)",
	[22] = "Stopped (tty output)", [23] = "Urgent I/O condition", [24] = "CPU time limit exceeded",
	[25] = "File size limit exceeded", [26] = "Virtual timer expired",
	[27] = "Profiling timer expired", [28] = "Window changed", [29] = "I/O possible",
	[30] = "Power failure", [31] = "Bad system call",
};

const char *fl_signame(int sig)
{
	static char other[24];

	if (sig > 0 && sig < 32 && sig_names[sig])
		return sig_names[sig];
	snprintf(other, sizeof(other), "signal %d", sig);
	return other;
}

const char *fl_sigdesc(int sig)
{
	return sig > 0 && sig < 32 && sig_descs[sig] ? sig_descs[sig] : "Unknown signal";
}

int fl_wait_report(pid_t pid, const char *what)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			printf("  waitpid(%d): %s\n", (int)pid, strerror(errno));
			return -1;
		}
	}
	if (WIFSIGNALED(status))
		printf("  %s (pid %d) was killed by signal %d (%s: %s)\n", what, (int)pid, WTERMSIG(status),
		       fl_signame(WTERMSIG(status)), fl_sigdesc(WTERMSIG(status)));
	else
		printf("  %s (pid %d) exited with status %d\n", what, (int)pid, WEXITSTATUS(status));
	return status;
}

void fl_step(const char *fmt, ...)
{
	static int step;
	va_list ap;

	printf("\n=== Step %d: ", ++step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" ===\n");
}

void fl_banner(const char *name, const char *what)
{
	printf("%s: %s\n", name, what);
	int tracing = fl_trace_enabled();
	if (tracing > 0)
		printf("Fault tracing is on: the kernel's \"fault: ...\" lines appear between ours.\n");
	else if (tracing == 0)
		printf("Tip: type `trace on` in the shell first, and the kernel prints one\n"
		       "\"fault: ...\" line for every page fault it handles.\n");
}
