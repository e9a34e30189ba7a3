/*
 * The two reference counts of the address space at each step of a
 * process's life, read from Faultline's /proc/self/mm_refs (this file has
 * no Linux counterpart, so the expected output is a golden file:
 * tests/user/golden/mm-refs.out).  Built with musl-gcc -static.
 *
 *   mm_users: tasks using the address space (a CLONE_VM thread adds one)
 *   mm_count: references to the struct; all users together hold one
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *step)
{
	char buf[128];
	int users = -1, count = -1, fd = open("/proc/self/mm_refs", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = 0;
		sscanf(buf, "mm_users %d\nmm_count %d", &users, &count);
	}
	printf("%-22s mm_users %d mm_count %d\n", step, users, count);
	fflush(stdout);
}

static void *thread_fn(void *arg)
{
	(void)arg;
	show("inside the thread:");
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "after-exec")) {
		show("after exec:");
		return 0;
	}
	show("start:");

	pid_t pid = fork();
	if (pid == 0) {
		show("child after fork:");
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	show("parent after wait:");

	pthread_t th;
	pthread_create(&th, NULL, thread_fn, NULL);
	pthread_join(th, NULL);
	show("after the join:");

	pid = fork();
	if (pid == 0) {
		char *args[] = { argv[0], "after-exec", NULL };
		execv("/init", args);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	printf("exec'd child exited %d\n", WEXITSTATUS(status));
	show("end:");
	return 0;
}
