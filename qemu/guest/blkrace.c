// SPDX-License-Identifier: GPL-2.0
/*
 * blkrace: concurrent direct writes to neighbouring blocks, and a check
 * after each round that none was lost.
 *   blkrace DEVICE BLOCKS WRITERS ROUNDS
 * WRITERS processes write the first BLOCKS 4 KiB blocks of DEVICE with
 * O_DIRECT, ROUNDS times over: writer k owns the blocks b with b % WRITERS
 * == k, so where a device page holds more than one block (arm64 16K and 64K
 * pages) the writers write different blocks of the same page at the same
 * time. The writers meet at a barrier after each round, read their own
 * blocks back (each must hold, whole, what this writer wrote there in this
 * round), and meet again before the next round. A writer that dies takes
 * the others with it (they would wait at the barrier for ever). Prints
 *   blkrace: W writers, B blocks, R rounds: S stale
 * with the first stale blocks, and exits 1 if any was stale, 2 on an error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define BLOCK 4096
#define MAGIC 0x7a73786263656b72ULL /* "rkecbxsz" */

/* a block's words: the tag, then filler that is not one repeated word */
struct tag {
	uint64_t magic, writer, round, block;
};

/* shared by the writers (MAP_SHARED): a barrier, and what they found */
struct shared {
	unsigned int arrived, generation;
	unsigned long stale;
	int failed;
};

static struct shared *sh;
static unsigned int writers;

/* wait until every writer has arrived (a sense-reversing barrier) */
static void barrier(void)
{
	unsigned int gen = __atomic_load_n(&sh->generation, __ATOMIC_ACQUIRE);

	if (__atomic_add_fetch(&sh->arrived, 1, __ATOMIC_ACQ_REL) == writers) {
		__atomic_store_n(&sh->arrived, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&sh->generation, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&sh->generation, __ATOMIC_ACQUIRE) == gen)
		sched_yield();
}

static void fill(uint64_t *buf, unsigned int writer, unsigned int round, unsigned long block)
{
	struct tag t = { MAGIC, writer, round, block };
	size_t i;

	memcpy(buf, &t, sizeof(t));
	for (i = sizeof(t) / sizeof(*buf); i < BLOCK / sizeof(*buf); i++)
		buf[i] = block * 0x9e3779b97f4a7c15ULL + i + round;
}

/* writer k: write its blocks, meet, read them back, meet; ROUNDS times */
static void writer(const char *dev, unsigned long blocks, unsigned int k, unsigned int rounds)
{
	uint64_t *buf = NULL, want[BLOCK / sizeof(uint64_t)];
	unsigned int r;
	unsigned long b;
	struct tag t;
	int fd;

	/* the parent killed (by the scenario's timeout, say): go too */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0 || posix_memalign((void **)&buf, BLOCK, BLOCK)) {
		perror("blkrace: writer");
		__atomic_store_n(&sh->failed, 1, __ATOMIC_RELAXED);
	}
	for (r = 0; r < rounds; r++) {
		for (b = k; b < blocks && !sh->failed; b += writers) {
			fill(buf, k, r, b);
			if (pwrite(fd, buf, BLOCK, (off_t)b * BLOCK) != BLOCK) {
				fprintf(stderr, "blkrace: write of block %lu: %m\n", b);
				__atomic_store_n(&sh->failed, 1, __ATOMIC_RELAXED);
			}
		}
		barrier();
		for (b = k; b < blocks && !sh->failed; b += writers) {
			if (pread(fd, buf, BLOCK, (off_t)b * BLOCK) != BLOCK) {
				fprintf(stderr, "blkrace: read of block %lu: %m\n", b);
				__atomic_store_n(&sh->failed, 1, __ATOMIC_RELAXED);
				break;
			}
			fill(want, k, r, b);
			if (!memcmp(buf, want, BLOCK))
				continue;
			memcpy(&t, buf, sizeof(t));
			if (__atomic_fetch_add(&sh->stale, 1, __ATOMIC_RELAXED) >= 8)
				continue;
			if (!memcmp(buf, want, sizeof(t)))
				printf("blkrace: round %u block %lu has its tag but not its data\n", r, b);
			else
				printf("blkrace: round %u block %lu holds %swriter %llu round %llu block %llu\n",
				       r, b, t.magic == MAGIC ? "" : "no tag: ",
				       (unsigned long long)t.writer, (unsigned long long)t.round,
				       (unsigned long long)t.block);
		}
		barrier();
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	unsigned long blocks;
	unsigned int rounds, k;
	pid_t *pids;
	int status;

	if (argc != 5) {
		fprintf(stderr, "usage: blkrace DEVICE BLOCKS WRITERS ROUNDS\n");
		return 2;
	}
	blocks = strtoul(argv[2], NULL, 0);
	writers = strtoul(argv[3], NULL, 0);
	rounds = strtoul(argv[4], NULL, 0);
	if (!blocks || !writers || !rounds) {
		fprintf(stderr, "blkrace: BLOCKS, WRITERS and ROUNDS must be positive\n");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("blkrace: mmap");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	pids = calloc(writers, sizeof(*pids));
	if (!pids) {
		perror("blkrace");
		return 2;
	}
	for (k = 0; k < writers; k++) {
		pids[k] = fork();
		if (pids[k] < 0) {
			perror("blkrace: fork");
			/* the writers forked wait at the first barrier for this one */
			while (k--)
				kill(pids[k], SIGKILL);
			return 2;
		}
		if (!pids[k])
			writer(argv[1], blocks, k, rounds);
	}
	while (wait(&status) > 0) {
		if (WIFEXITED(status) && !WEXITSTATUS(status))
			continue;
		sh->failed = 1;
		if (WIFSIGNALED(status)) /* the others wait for it at the barrier */
			for (k = 0; k < writers; k++)
				kill(pids[k], SIGKILL);
	}
	if (sh->failed) {
		fprintf(stderr, "blkrace: a writer failed\n");
		return 2;
	}
	printf("blkrace: %u writers, %lu blocks, %u rounds: %lu stale\n", writers, blocks, rounds,
	       sh->stale);
	return sh->stale ? 1 : 0;
}
