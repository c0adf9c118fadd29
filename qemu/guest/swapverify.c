// SPDX-License-Identifier: GPL-2.0
/*
 * swapverify: fill anonymous memory with data of realistic compressibility,
 * push it to swap with MADV_PAGEOUT, read it all back and verify it.
 *   swapverify MiB [seed [hold_seconds]]
 *     hold_seconds: after paging out, hold the memory that long, or until
 *     SIGUSR1 (the caller has looked at the swapped-out state), then verify
 *   swapverify pagesize        prints the page size
 *   swapverify zeroout DEV OFFSET LEN   BLKZEROOUT on a block device (busybox
 *                              has no tool for it)
 * Prints "swapverify: pages N swapped_out S mismatches M" and exits 1 on any
 * mismatch. With SWAPVERIFY_FAIL=1 in the environment the process marks itself
 * make-it-fail (fault injection, task-filter) for the MADV_PAGEOUT call only:
 * the swap writes reclaim does on its behalf then meet allocation failures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/fs.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* 25..62% of each page is random (varies by page), the rest repeats a short
 * pattern: lzo-rle gets 1.6x..4x, about 2.2x overall, spread over many classes */
static void fill(unsigned char *p, size_t page, uint64_t idx, uint64_t seed, size_t pagesz)
{
	uint64_t *w = (uint64_t *)p;
	size_t i, n = pagesz / 8;

	for (i = 0; i < n; i++)
		w[i] = ((i % 8) < 2 + (mix(idx ^ seed) % 4)) ? mix(seed ^ (idx << 20) ^ i)
							      : (idx * 0x0101010101010101ULL) ^ (i & 7);
	(void)page;
}

/* the file is opened once, before any fault is on: switching faults off again
 * must not depend on an allocation that may itself be failed */
static int make_it_fail(int fd, int on)
{
	if (write(fd, on ? "1" : "0", 1) == 1)
		return 0;
	perror("swapverify: /proc/self/make-it-fail");
	return -1;
}

static long swapped_pages(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long total = 0, freek = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "SwapTotal: %ld kB", &total);
		sscanf(line, "SwapFree: %ld kB", &freek);
	}
	fclose(f);
	return (total - freek) / 4;
}

static void hold_released(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	size_t pagesz = (size_t)sysconf(_SC_PAGESIZE);
	size_t mib;

	if (argc > 1 && !strcmp(argv[1], "pagesize")) {
		/* scenarios scale their page counts by it (busybox has no getconf) */
		printf("%zu\n", pagesz);
		return 0;
	}
	if (argc > 4 && !strcmp(argv[1], "zeroout")) {
		uint64_t range[2] = { strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0) };
		int fd = open(argv[2], O_WRONLY);

		if (fd < 0 || ioctl(fd, BLKZEROOUT, range)) {
			perror("swapverify: BLKZEROOUT");
			return 1;
		}
		return close(fd) ? 1 : 0;
	}
	mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 42;
	unsigned int hold = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 0) : 0;
	int faults = getenv("SWAPVERIFY_FAIL") && !strcmp(getenv("SWAPVERIFY_FAIL"), "1");
	int fail_fd = faults ? open("/proc/self/make-it-fail", O_WRONLY) : -1;
	size_t len = mib << 20, pages = len / pagesz, i, bad = 0;
	unsigned char *buf, *want;
	long before, after;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	want = malloc(pagesz);
	if (buf == MAP_FAILED || !want || (faults && fail_fd < 0)) {
		perror("swapverify: mmap / make-it-fail");
		return 2;
	}
	for (i = 0; i < pages; i++)
		fill(buf + i * pagesz, i, i, seed, pagesz);
	before = swapped_pages();
	if (faults && make_it_fail(fail_fd, 1))
		return 2;
	if (madvise(buf, len, MADV_PAGEOUT))
		perror("swapverify: madvise(MADV_PAGEOUT)");
	/* read-back must run without injected faults (see the note in stress.sh) */
	if (faults && make_it_fail(fail_fd, 0))
		return 2;
	after = swapped_pages();
	if (hold) {
		/* let the caller look at the swapped-out state; SIGUSR1 ends the
		 * hold early (its handler does nothing but interrupt sleep()) */
		struct sigaction sa = { .sa_handler = hold_released };

		sigaction(SIGUSR1, &sa, NULL);
		printf("swapverify: holding %u s\n", hold);
		fflush(stdout);
		sleep(hold);
	}
	for (i = 0; i < pages; i++) {
		fill(want, i, i, seed, pagesz);
		if (memcmp(buf + i * pagesz, want, pagesz))
			bad++;
	}
	printf("swapverify: pages %zu swapped_out %ld mismatches %zu\n", pages, after - before, bad);
	munmap(buf, len);
	return bad ? 1 : 0;
}
