/*
 * sh.c - the Faultline shell.
 * help: the shell (sh -c 'CMDS' runs commands, sh FILE runs a script)
 *
 * A small interactive shell for exploring the memory manager: builtins
 * that print the kernel's /proc files, a switch for the kernel's fault
 * tracing, and external programs (the demos in /bin) started with vfork +
 * execve + wait4, as a real shell does.
 *
 *   sh              read commands from the console (prompt "faultline$ ")
 *   sh -c 'CMDS'    run CMDS and exit with the last command's status
 *   sh FILE         read commands from FILE (a file in the initramfs)
 *
 * The command language: words separated by blanks; 'single quotes' keep
 * everything, "double quotes" keep blanks and allow \" \\ \$; a backslash
 * quotes the next character; $? (last status), $$ (the shell's pid) and
 * $NAME (environment) are expanded outside single quotes; ';' separates
 * commands; '#' starts a comment.
 *
 * There are no pipes, no redirections and no job control: the kernel has
 * no pipes and no writable files.  Signals only ever terminate a process,
 * so a program that hangs cannot be interrupted (^C is not special).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fl.h"

#define PROMPT "faultline$ "
#define MAX_LINE 1024
#define MAX_ARGS 64

extern char **environ;

static int last_status;    /* $? */
static int from_console;   /* reading the console: print prompts */

/* ---- the list of programs in /bin -------------------------------------- */

/*
 * There is no system call to list a directory, so the image carries a list:
 * /etc/programs, one "NAME<TAB>DESCRIPTION" line per program, written by
 * user/Makefile from the "help:" comment of each program's source.
 */
#define PROGRAMS_FILE "/etc/programs"
#define MAX_PROGRAMS 64

static struct program {
	char name[32];
	char desc[96];
} programs[MAX_PROGRAMS];
static int nr_programs = -1; /* -1: not loaded yet */

static void load_programs(void)
{
	const char *data;

	if (nr_programs >= 0)
		return;
	nr_programs = 0;
	if (fl_read_file(PROGRAMS_FILE, &data) < 0)
		return;
	for (const char *line = data; *line && nr_programs < MAX_PROGRAMS;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *tab = memchr(line, '\t', len);
		struct program *p = &programs[nr_programs];
		size_t name_len = tab ? (size_t)(tab - line) : len;
		if (name_len && name_len < sizeof(p->name)) {
			memcpy(p->name, line, name_len);
			p->name[name_len] = 0;
			p->desc[0] = 0;
			if (tab) {
				size_t dlen = len - name_len - 1;
				if (dlen >= sizeof(p->desc))
					dlen = sizeof(p->desc) - 1;
				memcpy(p->desc, tab + 1, dlen);
				p->desc[dlen] = 0;
			}
			nr_programs++;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
}

/* ---- builtins ------------------------------------------------------------ */

struct builtin {
	const char *name, *usage, *help;
	int (*fn)(int argc, char **argv);
};
static int bi_help(int, char **), bi_exit(int, char **), bi_cat(int, char **), bi_maps(int, char **),
	bi_status(int, char **), bi_free(int, char **), bi_trace(int, char **), bi_ls(int, char **),
	bi_echo(int, char **), bi_faults(int, char **);

static const struct builtin builtins[] = {
	{ "help", "help", "this list", bi_help },
	{ "ls", "ls", "list the programs in /bin", bi_ls },
	{ "cat", "cat FILE...", "print files, e.g. cat /proc/self/status", bi_cat },
	{ "maps", "maps [PID]", "the VMAs of a process (/proc/PID/maps; default: the shell)", bi_maps },
	{ "status", "status [PID]", "memory counters of a process (/proc/PID/status)", bi_status },
	{ "free", "free", "free memory and the page-fault counters", bi_free },
	{ "trace", "trace [on|off]", "kernel fault tracing: one console line per page fault", bi_trace },
	{ "faults", "faults CMD [ARGS]", "run CMD, then show the page faults it caused, by handler", bi_faults },
	{ "echo", "echo [-n] ARGS", "print the arguments", bi_echo },
	{ "exit", "exit [N]", "leave the shell (as PID 1 this powers Faultline off)", bi_exit },
	{ NULL, NULL, NULL, NULL },
};

static int run_external(int argc, char **argv, int quiet_status);

static void err(const char *cmd, const char *what)
{
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", cmd, what);
}

/* "PID" argument of maps/status: a number, or "self" when absent. */
static int proc_path(char *path, size_t size, int argc, char **argv, const char *file)
{
	if (argc > 2) {
		err(argv[0], "too many arguments");
		return -1;
	}
	if (argc == 2) {
		char *end;
		long pid = strtol(argv[1], &end, 10);
		if (strcmp(argv[1], "self") && (*end || pid <= 0)) {
			err(argv[0], "expected a process id");
			return -1;
		}
		snprintf(path, size, "/proc/%s/%s", argv[1], file);
	} else {
		snprintf(path, size, "/proc/self/%s", file);
	}
	return 0;
}

static int cat_one(const char *cmd, const char *path)
{
	int r = fl_cat(path);

	if (r < 0) {
		char msg[300];
		int pid;
		if (r == -ENOENT && sscanf(path, "/proc/%d/", &pid) == 1)
			snprintf(msg, sizeof(msg), "no process with pid %d", pid);
		else
			snprintf(msg, sizeof(msg), "%s: %s", path, strerror(-r));
		err(cmd, msg);
		return 1;
	}
	return 0;
}

static int bi_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Builtin commands:\n");
	for (const struct builtin *b = builtins; b->name; b++)
		printf("  %-18s %s\n", b->usage, b->help);
	load_programs();
	printf("\nPrograms in /bin (run them by name; arguments are passed on):\n");
	if (!nr_programs)
		printf("  (no %s in this image)\n", PROGRAMS_FILE);
	for (int i = 0; i < nr_programs; i++)
		printf("  %-18s %s\n", programs[i].name, programs[i].desc);
	printf("\nTry: trace on; faultdemo; trace off      (';' separates commands)\n"
	       "Line editing: Backspace, ^U erases the line, ^D on an empty line exits.\n"
	       "Quoting: 'single', \"double\", \\x.  $? is the last exit status, $$ the shell's pid.\n");
	return 0;
}

static int bi_exit(int argc, char **argv)
{
	int code = argc > 1 ? atoi(argv[1]) : last_status;

	if (getpid() == 1)
		printf("sh: PID 1 exits: Faultline powers off.\n");
	fflush(stdout);
	exit(code & 0xff);
}

static int bi_cat(int argc, char **argv)
{
	int ret = 0;

	if (argc < 2) {
		err(argv[0], "usage: cat FILE...   (for example: cat /proc/self/maps)");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		ret |= cat_one(argv[0], argv[i]);
	return ret;
}

static int bi_maps(int argc, char **argv)
{
	char path[64];

	if (proc_path(path, sizeof(path), argc, argv, "maps"))
		return 2;
	return cat_one(argv[0], path);
}

static int bi_status(int argc, char **argv)
{
	char path[64];

	if (proc_path(path, sizeof(path), argc, argv, "status"))
		return 2;
	return cat_one(argv[0], path);
}

static int bi_free(int argc, char **argv)
{
	(void)argc;
	long total = fl_meminfo_kb("MemTotal"), free_kb = fl_meminfo_kb("MemFree");

	if (total < 0 || free_kb < 0) {
		err(argv[0], "cannot read /proc/meminfo");
		return 1;
	}
	printf("Memory (/proc/meminfo):\n");
	printf("  MemTotal: %8ld kB\n  MemFree:  %8ld kB\n  in use:   %8ld kB\n", total, free_kb,
	       total - free_kb);
	struct fl_faults f;
	if (fl_faults_read(&f) < 0) {
		err(argv[0], "cannot read /proc/faultline/faults");
		return 1;
	}
	printf("Page faults handled since boot, by handler (/proc/faultline/faults):\n");
	for (int i = 0; i < f.n; i++)
		printf("  %-30s %8lu\n", f.name[i], f.count[i]);
	return 0;
}

static int bi_trace(int argc, char **argv)
{
	if (argc == 1) {
		int on = fl_trace_enabled();
		if (on < 0) {
			err(argv[0], "this kernel has no fault_trace system call");
			return 1;
		}
		printf("fault tracing is %s\n", on ? "on" : "off");
		return 0;
	}
	int on;
	if (argc == 2 && (!strcmp(argv[1], "on") || !strcmp(argv[1], "1")))
		on = 1;
	else if (argc == 2 && (!strcmp(argv[1], "off") || !strcmp(argv[1], "0")))
		on = 0;
	else {
		err(argv[0], "usage: trace on|off");
		return 2;
	}
	long old = fl_trace(on);
	if (old < 0) {
		err(argv[0], strerror((int)-old));
		return 1;
	}
	if (on)
		printf("fault tracing on: the kernel prints a \"fault: ...\" line for every page\n"
		       "fault: the task, the address, the access, the VMA, and the handler.\n");
	else
		printf("fault tracing off\n");
	return 0;
}

static int bi_ls(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	load_programs();
	/* Only what is really there: each name is checked by opening it. */
	int col = 0;
	for (int i = 0; i < nr_programs; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/bin/%s", programs[i].name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		close(fd);
		col += printf("%s%s", col ? "  " : "", path);
		if (col > 60) {
			printf("\n");
			col = 0;
		}
	}
	if (col)
		printf("\n");
	return 0;
}

static int bi_echo(int argc, char **argv)
{
	int i = 1, newline = 1;

	if (argc > 1 && !strcmp(argv[1], "-n")) {
		newline = 0;
		i++;
	}
	for (; i < argc; i++)
		printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	if (newline)
		printf("\n");
	return 0;
}

static int bi_faults(int argc, char **argv)
{
	if (argc < 2) {
		err(argv[0], "usage: faults COMMAND [ARGS...]");
		return 2;
	}
	struct fl_faults before, after;
	fl_faults_read(&before);
	int ret = run_external(argc - 1, argv + 1, 0);
	fl_faults_read(&after);
	printf("page faults while '%s' ran (whole system, exec included):\n", argv[1]);
	fl_faults_diff(&before, &after, "  ");
	return ret;
}


/* ---- external programs ------------------------------------------------- */

/* Find NAME: as given if it has a '/', else in each directory of $PATH. */
static int find_program(const char *name, char *path, size_t size)
{
	if (strchr(name, '/')) {
		snprintf(path, size, "%s", name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			return -errno;
		close(fd);
		return 0;
	}
	const char *dirs = getenv("PATH");
	if (!dirs || !*dirs)
		dirs = "/bin:/";
	while (*dirs) {
		size_t len = strcspn(dirs, ":");
		snprintf(path, size, "%.*s%s%s", (int)len, dirs, len && dirs[len - 1] == '/' ? "" : "/", name);
		int fd = open(path, O_RDONLY);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		dirs += len;
		if (*dirs == ':')
			dirs++;
	}
	return -ENOENT;
}

static volatile int exec_errno; /* set by a vfork child whose execve failed */

/*
 * vfork + execve + wait4.  vfork, not fork: the child borrows the shell's
 * address space until execve gives it its own, so starting a program copies
 * no page tables and takes no copy-on-write faults in the shell's memory
 * (with "trace on", the faults you see are the program's own).
 */
static int run_external(int argc, char **argv, int quiet_status)
{
	char path[256];

	(void)argc;
	int r = find_program(argv[0], path, sizeof(path));
	if (r < 0) {
		err(argv[0], r == -ENOENT ? "command not found (type help)" : strerror(-r));
		return 127;
	}
	fflush(stdout);
	exec_errno = 0;
	pid_t pid = vfork();
	if (pid < 0) {
		err(argv[0], strerror(errno));
		return 126;
	}
	if (pid == 0) {
		execve(path, argv, environ);
		exec_errno = errno; /* shared with the parent until we exit */
		_exit(127);
	}
	if (exec_errno) {
		char msg[300];
		snprintf(msg, sizeof(msg), "cannot execute %s: %s", path, strerror(exec_errno));
		err(argv[0], msg);
	}
	/* Wait for it; any other child collected here is an orphan we adopted as PID 1. */
	int status = 0;
	for (;;) {
		pid_t got = wait4(-1, &status, 0, NULL);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			err("wait4", strerror(errno));
			return 126;
		}
	}
	if (exec_errno)
		return 126;
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		fflush(stdout);
		/* bash says just "Segmentation fault"; we add the number and the name */
		fprintf(stderr, "%s (killed by signal %d, %s)\n", fl_sigdesc(sig), sig, fl_signame(sig));
		return 128 + sig;
	}
	int code = WEXITSTATUS(status);
	if (code && !quiet_status) {
		fflush(stdout);
		fprintf(stderr, "[%s: exit status %d]\n", argv[0], code);
	}
	return code;
}

static void reap_orphans(void)
{
	int status;

	while (wait4(-1, &status, WNOHANG, NULL) > 0)
		;
}

/* ---- parsing --------------------------------------------------------------- */

/* Append the value of $NAME, $? or $$ at *src to the word being built. */
static int expand(const char **src, char **out, char *out_end)
{
	const char *p = *src + 1; /* after '$' */
	char num[16];
	const char *val = NULL;

	if (*p == '?') {
		snprintf(num, sizeof(num), "%d", last_status);
		val = num;
		p++;
	} else if (*p == '$') {
		snprintf(num, sizeof(num), "%d", (int)getpid());
		val = num;
		p++;
	} else if (*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
		char name[64];
		size_t n = 0;
		while ((*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			(*p >= '0' && *p <= '9')) && n < sizeof(name) - 1)
			name[n++] = *p++;
		name[n] = 0;
		val = getenv(name);
		if (!val)
			val = "";
	} else {
		val = "$"; /* a lone '$' is itself */
	}
	*src = p;
	for (; *val; val++) {
		if (*out >= out_end)
			return -1;
		*(*out)++ = *val;
	}
	return 0;
}

/*
 * Split one command off *line into argv (words stored in store).  Returns
 * argc (0 for an empty command), -1 on a syntax error; *line is left after
 * the ';' or at the end.
 */
static int parse_command(const char **line, char *store, size_t store_size, char **argv)
{
	const char *p = *line;
	char *out = store, *end = store + store_size - 1;
	int argc = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p || *p == '#') {
			p += strlen(p);
			break;
		}
		if (*p == ';') {
			p++;
			break;
		}
		if (argc == MAX_ARGS - 1) {
			err("sh", "too many words");
			return -1;
		}
		char *word = out;
		int quoted = 0; /* "" and '' are words; an empty $VAR is not */
		/* one word: runs until an unquoted blank or ';' */
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != ';') {
			if (out >= end)
				goto too_long;
			if (*p == '|' || *p == '<' || *p == '>' || *p == '&') {
				err("sh", "no pipes, redirections or background jobs here (Faultline has no pipes\n"
					  "    and no writable files); quote the character to pass it on");
				return -1;
			}
			if (*p == '\'' || *p == '"' || *p == '\\')
				quoted = 1;
			if (*p == '\'') {
				const char *close = strchr(p + 1, '\'');
				if (!close) {
					err("sh", "unterminated ' quote");
					return -1;
				}
				for (p++; p < close; p++) {
					if (out >= end)
						goto too_long;
					*out++ = *p;
				}
				p++;
			} else if (*p == '"') {
				for (p++; *p && *p != '"';) {
					if (*p == '$') {
						if (expand(&p, &out, end))
							goto too_long;
						continue;
					}
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$'))
						p++;
					if (out >= end)
						goto too_long;
					*out++ = *p++;
				}
				if (*p != '"') {
					err("sh", "unterminated \" quote");
					return -1;
				}
				p++;
			} else if (*p == '\\') {
				p++;
				if (*p)
					*out++ = *p++;
			} else if (*p == '$') {
				if (expand(&p, &out, end))
					goto too_long;
			} else {
				*out++ = *p++;
			}
		}
		if (out == word && !quoted)
			continue; /* nothing but empty expansions: no word at all */
		*out++ = 0;
		argv[argc++] = word;
	}
	argv[argc] = NULL;
	*line = p;
	return argc;
too_long:
	err("sh", "command too long");
	return -1;
}

static int run_command(int argc, char **argv)
{
	for (const struct builtin *b = builtins; b->name; b++)
		if (!strcmp(argv[0], b->name)) {
			int ret = b->fn(argc, argv);
			fflush(stdout);
			return ret;
		}
	return run_external(argc, argv, 0);
}

/* Run every ';'-separated command of a line. */
static int run_line(char *line)
{
	const char *p = line;
	static char store[MAX_LINE * 2];
	char *argv[MAX_ARGS];

	while (*p) {
		int argc = parse_command(&p, store, sizeof(store), argv);
		if (argc < 0) {
			last_status = 2;
			return 2;
		}
		if (argc > 0)
			last_status = run_command(argc, argv);
	}
	return last_status;
}

/* ---- input ------------------------------------------------------------------ */

/*
 * Line reader over read(2).  The console hands out one edited line per
 * read (the kernel echoes and handles Backspace and ^U); a file gives many
 * lines at once, so keep what is left over.  A read of 0 bytes is the end:
 * ^D on an empty console line, or the end of a file.
 */
struct reader {
	int fd, eof;
	size_t start, end;
	char buf[MAX_LINE];
};

static long next_line(struct reader *r, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		size_t avail = r->end - r->start;
		if (nl || (r->eof && avail) || avail == sizeof(r->buf)) {
			size_t len = nl ? (size_t)(nl - (r->buf + r->start)) : avail;
			size_t copy = len < size - 1 ? len : size - 1;
			memcpy(line, r->buf + r->start, copy);
			line[copy] = 0;
			r->start += len + (nl ? 1 : 0);
			return (long)copy;
		}
		if (r->eof)
			return -1;
		if (r->start) {
			memmove(r->buf, r->buf + r->start, avail);
			r->end = avail;
			r->start = 0;
		}
		ssize_t n = read(r->fd, r->buf + r->end, sizeof(r->buf) - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r->eof = 1;
		else
			r->end += (size_t)n;
	}
}

static int run_stream(int fd)
{
	static struct reader r;
	char line[MAX_LINE];

	r.fd = fd;
	r.eof = 0;
	r.start = r.end = 0;
	for (;;) {
		reap_orphans();
		if (from_console) {
			printf("%s", PROMPT);
			fflush(stdout);
		}
		if (next_line(&r, line, sizeof(line)) < 0)
			break;
		run_line(line);
	}
	if (from_console) {
		/* like bash after ^D: the word lands after the prompt */
		printf("exit\n");
		if (getpid() == 1)
			printf("sh: PID 1 exits: Faultline powers off.\n");
	}
	return last_status;
}

int main(int argc, char **argv)
{
	fl_init();
	exec_errno = 0; /* touch our .bss now, so a traced command shows no fault of the shell's */
	if (argc > 2 && !strcmp(argv[1], "-c")) {
		/* The kernel splits its command line at blanks: join the words again. */
		static char cmd[MAX_LINE];
		size_t len = 0;
		for (int i = 2; i < argc; i++) {
			size_t n = strlen(argv[i]) + (i > 2);
			if (len + n >= sizeof(cmd)) {
				err("sh", "-c: command too long");
				return 2;
			}
			if (i > 2)
				cmd[len++] = ' ';
			memcpy(cmd + len, argv[i], strlen(argv[i]) + 1);
			len += strlen(argv[i]);
		}
		run_line(cmd);
		fflush(stdout);
		return last_status;
	}
	if (argc > 1 && argv[1][0] != '-') {
		int fd = open(argv[1], O_RDONLY);
		if (fd < 0) {
			char msg[300];
			snprintf(msg, sizeof(msg), "%s: %s", argv[1], strerror(errno));
			err("sh", msg);
			return 127;
		}
		run_stream(fd);
		close(fd);
		fflush(stdout);
		return last_status;
	}
	if (argc > 1) {
		err("sh", "usage: sh [-c COMMANDS | FILE]");
		return 2;
	}
	from_console = 1;
	run_stream(0);
	fflush(stdout);
	return 0;
}
