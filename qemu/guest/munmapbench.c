// SPDX-License-Identifier: GPL-2.0
/*
 * munmapbench: the swap-release experiment. P processes each map M MiB of
 * anonymous memory, fill it with data lzo-rle compresses about 2.5-3x, push it
 * to swap with MADV_PAGEOUT (one process after another, so memory never runs
 * short), then wait on a barrier; all of them munmap at once and each times
 * its own munmap.
 *   munmapbench P MiB [seed]
 * Prints one line per process:
 *   munmapbench: procs P proc I mib M swapped_kib S munmap_us U munmap_insns N
 * munmap_insns: the instructions the process retired in its munmap, user and
 * kernel (a per-task hardware counter: softirq and worker work done elsewhere
 * is not in it); -1 where the kernel has no instruction counter.
 * and exits 1 if a process could not push at least 90% of its memory to swap
 * (the run would not measure what it claims), 2 on a setup error.
 * With MUNMAPBENCH_GATE=PATH the parent writes the processes' pids to
 * PATH.ready once every one waits at the barrier, and releases them only when
 * PATH.go exists, so a tracer can record the munmap phase alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

struct result {
	int proc;
	long swapped_kib;
	long munmap_us;
	long long munmap_insns;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* 1..3 words in 8 are random (per page), the rest a per-page pattern: no page
 * is same-filled, and lzo-rle spreads the pages over many size classes */
static void fill(uint64_t *w, size_t words, uint64_t idx, uint64_t seed)
{
	unsigned int random_words = 1 + mix(idx ^ seed) % 3;
	size_t i;

	for (i = 0; i < words; i++)
		w[i] = (i % 8) < random_words ? mix(seed ^ (idx << 20) ^ i) : (idx * 0x0101010101010101ULL) ^ (i & 7);
}

static long vm_swap_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSwap: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* a disabled counter of this task's retired instructions, or -1 */
static int task_insns_counter(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_HARDWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_HW_INSTRUCTIONS;
	a.disabled = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static void child(int proc, size_t len, uint64_t seed, int ready_w, int go_r, int res_w)
{
	size_t pagesz = (size_t)sysconf(_SC_PAGESIZE), i;
	struct result r = { .proc = proc, .munmap_insns = -1 };
	char c = 0;
	unsigned char *buf;
	long t0;
	int ctr;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("munmapbench: mmap");
		_exit(2);
	}
	for (i = 0; i < len / pagesz; i++)
		fill((uint64_t *)(buf + i * pagesz), pagesz / 8, i, seed + (uint64_t)proc * 7919);
	if (madvise(buf, len, MADV_PAGEOUT))
		perror("munmapbench: madvise(MADV_PAGEOUT)");
	r.swapped_kib = vm_swap_kib();
	if (write(ready_w, &c, 1) != 1)
		_exit(2);
	/* the barrier: every process blocks here until the parent closes the pipe */
	if (read(go_r, &c, 1) < 0)
		_exit(2);
	ctr = task_insns_counter();
	t0 = now_us();
	if (ctr >= 0)
		ioctl(ctr, PERF_EVENT_IOC_ENABLE, 0);
	munmap(buf, len);
	if (ctr >= 0) {
		long long n;

		ioctl(ctr, PERF_EVENT_IOC_DISABLE, 0);
		if (read(ctr, &n, sizeof(n)) == sizeof(n))
			r.munmap_insns = n;
		close(ctr);
	}
	r.munmap_us = now_us() - t0;
	if (write(res_w, &r, sizeof(r)) != sizeof(r))
		_exit(2);
	_exit(0);
}

int main(int argc, char **argv)
{
	int procs = argc > 1 ? atoi(argv[1]) : 1;
	size_t mib = argc > 2 ? strtoul(argv[2], NULL, 0) : 256;
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
	int ready[2], go[2], res[2], i, bad = 0;
	pid_t pids[64];
	char c;

	if (procs < 1 || procs > 64 || mib < 1) {
		fprintf(stderr, "usage: munmapbench PROCS(1..64) MIB [seed]\n");
		return 2;
	}
	if (pipe(ready) || pipe(go) || pipe(res)) {
		perror("munmapbench: pipe");
		return 2;
	}
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("munmapbench: fork");
			return 2;
		}
		pids[i] = pid;
		if (!pid) {
			close(go[1]);
			child(i, mib << 20, seed, ready[1], go[0], res[1]);
		}
		/* one process at a time fills and pages out */
		if (read(ready[0], &c, 1) != 1) {
			fprintf(stderr, "munmapbench: process %d died before the barrier\n", i);
			return 2;
		}
	}
	if (getenv("MUNMAPBENCH_GATE")) {
		char path[256];
		struct stat st;
		FILE *f;

		snprintf(path, sizeof(path), "%s.ready.tmp", getenv("MUNMAPBENCH_GATE"));
		f = fopen(path, "w");
		for (i = 0; f && i < procs; i++)
			fprintf(f, "%s%d", i ? "," : "", (int)pids[i]);
		if (f) {
			char done[256];

			fclose(f);
			snprintf(done, sizeof(done), "%s.ready", getenv("MUNMAPBENCH_GATE"));
			rename(path, done);
		}
		snprintf(path, sizeof(path), "%s.go", getenv("MUNMAPBENCH_GATE"));
		while (stat(path, &st))
			usleep(10000);
	}
	close(go[1]); /* release every process at once */
	for (i = 0; i < procs; i++) {
		struct result r;

		if (read(res[0], &r, sizeof(r)) != sizeof(r)) {
			fprintf(stderr, "munmapbench: lost a result\n");
			return 2;
		}
		printf("munmapbench: procs %d proc %d mib %zu swapped_kib %ld munmap_us %ld munmap_insns %lld\n", procs,
		       r.proc, mib, r.swapped_kib, r.munmap_us, r.munmap_insns);
		if (r.swapped_kib < (long)(mib * 1024 * 9 / 10))
			bad = 1;
	}
	while (wait(NULL) > 0)
		;
	if (bad)
		fprintf(stderr, "munmapbench: less than 90%% of the memory reached swap\n");
	return bad;
}
