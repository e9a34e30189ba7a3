/*
 * init.c - /init, the first user program (PID 1).
 *
 * The kernel starts /init with fds 0, 1 and 2 on the console and the
 * environment HOME=/ TERM=linux PATH=/bin:/.  All it does is greet the
 * student and replace itself with the shell: execve keeps the PID, so the
 * shell runs as PID 1 and adopts every orphan.  When PID 1 exits, Faultline
 * powers the machine off.
 *
 * Arguments given after " -- " on the kernel command line reach /init and
 * are passed on to the shell, e.g. "-- -c help" runs one command.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	static char *sh_argv[64] = { "sh" };
	int n = 1;

	for (int i = 1; i < argc && n < 63; i++)
		sh_argv[n++] = argv[i];
	sh_argv[n] = NULL;

	if (argc == 1) /* an interactive session: say hello */
		printf("\nFaultline userland: type `help` for the commands and demos,\n"
		       "`trace on` to watch the kernel handle every page fault.\n\n");
	fflush(stdout);
	execve("/bin/sh", sh_argv, environ);
	fprintf(stderr, "init: cannot execute /bin/sh: %s\n", strerror(errno));
	return 127;
}
