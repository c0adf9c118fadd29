// SPDX-License-Identifier: GPL-2.0
/*
 * runstat: run a command in a cgroup and report its cost.
 *   runstat CGROUP_DIR command [args...]
 * Moves itself into CGROUP_DIR (cgroup v2, "-" for none), runs the command with
 * its output as is, and prints on stderr, once it exits:
 *   runstat: rc R wall_ms W user_ms U sys_ms S maxrss_kib M
 * (user and system time and peak RSS of the command and its children, wait4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static long ms(struct timeval tv)
{
	return tv.tv_sec * 1000L + tv.tv_usec / 1000;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: runstat CGROUP_DIR|- command [args...]\n");
		return 2;
	}
	if (strcmp(argv[1], "-")) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/cgroup.procs", argv[1]);
		f = fopen(path, "w");
		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
			perror("runstat: joining the cgroup");
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("runstat: fork");
		return 2;
	}
	if (!pid) {
		execvp(argv[2], argv + 2);
		perror("runstat: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("runstat: wait4");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "runstat: rc %d wall_ms %ld user_ms %ld sys_ms %ld maxrss_kib %ld\n",
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		(t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L,
		ms(ru.ru_utime), ms(ru.ru_stime), ru.ru_maxrss);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
