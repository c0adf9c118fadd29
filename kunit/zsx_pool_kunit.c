// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the zsx pool through its exported C API, one suite per concept:
 * zsx_alloc, zsx_access, zsx_free_policy, zsx_compaction, zsx_concurrency,
 * zsx_bad_input, zsx_density (against the running kernel's zsmalloc).
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/zsmalloc.h>
#include "core.h"
#include "zsx.h"
#include "zsx_kunit.h"

/* zram's flags: where zsx pages are movable, the kernel's compaction may migrate them mid-test */
#define ZSX_TEST_GFP (GFP_KERNEL | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE)

/* ---- helpers ---------------------------------------------------------------- */

static void fill_pattern(u8 *buf, size_t len, unsigned long seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)((seed * 2654435761u + i * 40503u) >> 7);
}

/* 0 when the object holds the pattern, checked through both access APIs */
static int check_pattern(struct zsx_pool *pool, unsigned long h, size_t len, unsigned long seed,
			 u8 *scratch)
{
	u8 *want = scratch, *local = scratch + PAGE_SIZE;
	void *mem;
	int bad;

	fill_pattern(want, len, seed);
	mem = zsx_obj_read_begin(pool, h, len, local);
	bad = memcmp(mem, want, len) ? 1 : 0;
	zsx_obj_read_end(pool, h, mem);
	mem = zsx_map_object(pool, h, ZSX_MM_RO);
	bad |= memcmp(mem, want, len) ? 2 : 0;
	zsx_unmap_object(pool, h);
	return bad;
}

static void write_pattern(struct zsx_pool *pool, unsigned long h, size_t len, unsigned long seed,
			  u8 *scratch)
{
	fill_pattern(scratch, len, seed);
	zsx_obj_write(pool, h, scratch, len);
}

/* parameters: the free policies this build offers */
static const int all_policies[] = { ZSX_FREE_BASE, ZSX_FREE_CLASSIDX, ZSX_FREE_CLASSIDX_UNLOCKED };

static const void *policy_gen(ZSX_KUNIT_GEN_ARGS)
{
	const int *p = prev ? (const int *)prev + 1 : all_policies;

	if (p >= all_policies + ARRAY_SIZE(all_policies))
		return NULL;
	if (*p != ZSX_FREE_BASE && !zsx_core_has_classidx())
		return NULL; /* narrow layout: only base (zsx_free_policy checks the refusal) */
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", zsx_free_policy_name(*p));
	return p;
}

static struct zsx_pool *test_pool(struct kunit *test, const char *name, unsigned int chain,
				  int policy)
{
	struct zsx_pool_opts opts = { .chain = chain, .free_policy = policy };
	struct zsx_pool *pool = kunit_pool(test, name, &opts);

	KUNIT_ASSERT_NOT_NULL_MSG(test, pool, "cannot create pool %s (chain %u, policy %d)", name,
				  chain, policy);
	return pool;
}

/* ---- zsx_alloc ---------------------------------------------------------------- */

static void alloc_every_size_and_release(struct kunit *test)
{
	int policy = *(const int *)test->param_value;
	struct zsx_pool *pool = test_pool(test, "kunit-alloc", 0, policy);
	/* every size with 4K pages; every 16th with 64K (all of them would be 2 GiB) */
	unsigned long step = max(1ul, PAGE_SIZE / 4096), n = 0, i;
	unsigned long *handles = vcalloc(PAGE_SIZE / step + 1, sizeof(*handles));
	unsigned long size, classes_seen = 0;
	int last_class = -1;

	KUNIT_ASSERT_NOT_NULL(test, handles);
	for (size = 1; size <= PAGE_SIZE; size += step) {
		int cls = zsx_lookup_class_index(pool, size);

		handles[n] = zsx_malloc(pool, size, ZSX_TEST_GFP, NUMA_NO_NODE);
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL((void *)handles[n]), "size %lu: %ld",
				       size, (long)handles[n]);
		n++;
		if (cls != last_class)
			classes_seen++;
		last_class = cls;
	}
	KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(pool)), n);
	KUNIT_EXPECT_GT_MSG(test, classes_seen, 50ul,
			    "sizes 1..PAGE_SIZE should touch every class");
	KUNIT_EXPECT_GT(test, zsx_get_total_pages(pool), 0ul);
	for (i = 0; i < n; i++)
		zsx_free(pool, handles[i]);
	KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 0ul);
	KUNIT_EXPECT_EQ_MSG(test, zsx_get_total_pages(pool), 0ul,
			    "empty zspages were not released");
	vfree(handles);
	kunit_pool_destroy(test, pool);
}

static void alloc_huge_class(struct kunit *test)
{
	int policy = *(const int *)test->param_value;
	struct zsx_pool *pool = test_pool(test, "kunit-huge", 0, policy);
	size_t huge = zsx_huge_class_size(pool);
	unsigned long h1, h2;

	KUNIT_EXPECT_GT(test, huge, PAGE_SIZE / 2);
	KUNIT_EXPECT_LE(test, huge, PAGE_SIZE);
	h1 = zsx_malloc(pool, huge, ZSX_TEST_GFP, NUMA_NO_NODE);
	h2 = zsx_malloc(pool, PAGE_SIZE, ZSX_TEST_GFP, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h1) || IS_ERR_VALUE(h2));
	/* each huge object owns one page */
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 2ul);
	zsx_free(pool, h1);
	zsx_free(pool, h2);
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
	kunit_pool_destroy(test, pool);
}

static struct kunit_case zsx_alloc_cases[] = { KUNIT_CASE_PARAM(alloc_every_size_and_release,
								policy_gen),
					       KUNIT_CASE_PARAM(alloc_huge_class, policy_gen),
					       {} };

static struct kunit_suite zsx_alloc_suite = {
	.name = "zsx_alloc",
	.test_cases = zsx_alloc_cases,
};

/* ---- zsx_access --------------------------------------------------------------- */

static void access_round_trip_all_sizes(struct kunit *test)
{
	int policy = *(const int *)test->param_value;
	struct zsx_pool *pool = test_pool(test, "kunit-access", 0, policy);
	u8 *scratch = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	/* the sizes 4K pages step through, as many per page with larger pages */
	unsigned long handles[64], size, scale = max(1ul, PAGE_SIZE / 4096);
	int i, n;

	KUNIT_ASSERT_NOT_NULL(test, scratch);
	/* many objects per size so several straddle page boundaries */
	for (size = 1; size <= PAGE_SIZE; size += (size < 64 ? 7 : 61 * scale)) {
		cond_resched(); /* minutes of work under TCG on a kernel without preemption */
		n = 0;
		for (i = 0; i < ARRAY_SIZE(handles); i++) {
			handles[i] = zsx_malloc(pool, size, ZSX_TEST_GFP, NUMA_NO_NODE);
			KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(handles[i]));
			write_pattern(pool, handles[i], size, handles[i] ^ size, scratch);
			n++;
		}
		for (i = 0; i < n; i++)
			KUNIT_ASSERT_EQ_MSG(test,
					    check_pattern(pool, handles[i], size, handles[i] ^ size,
							  scratch),
					    0,
					    "size %lu object %d corrupted (1: read_begin, 2: map)",
					    size, i);
		for (i = 0; i < n; i++)
			zsx_free(pool, handles[i]);
	}
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
	kunit_pool_destroy(test, pool);
}

static void access_map_modes_on_spanning_objects(struct kunit *test)
{
	int policy = *(const int *)test->param_value;
	struct zsx_pool *pool = test_pool(test, "kunit-mapmodes", 0, policy);
	u8 *scratch = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	size_t size = PAGE_SIZE / 3 + 8; /* consecutive objects cross page boundaries */
	unsigned long h[12];
	u8 *mem;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, scratch);
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		h[i] = zsx_malloc(pool, size, ZSX_TEST_GFP, NUMA_NO_NODE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h[i]));
		/* WO: write through the mapping, copied in at unmap */
		mem = zsx_map_object(pool, h[i], ZSX_MM_WO);
		fill_pattern(mem, size, i);
		zsx_unmap_object(pool, h[i]);
		/* RW: flip the first byte in place */
		mem = zsx_map_object(pool, h[i], ZSX_MM_RW);
		mem[0] ^= 0xff;
		zsx_unmap_object(pool, h[i]);
		mem = zsx_map_object(pool, h[i], ZSX_MM_RW);
		mem[0] ^= 0xff;
		zsx_unmap_object(pool, h[i]);
	}
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		KUNIT_EXPECT_EQ_MSG(test, check_pattern(pool, h[i], size, i, scratch), 0,
				    "object %d lost a write made through map()", i);
		zsx_free(pool, h[i]);
	}
	kunit_pool_destroy(test, pool);
}

static struct kunit_case zsx_access_cases[] = {
	KUNIT_CASE_PARAM(access_round_trip_all_sizes, policy_gen),
	KUNIT_CASE_PARAM(access_map_modes_on_spanning_objects, policy_gen),
	{}
};

static struct kunit_suite zsx_access_suite = {
	.name = "zsx_access",
	.test_cases = zsx_access_cases,
};

/* ---- zsx_free_policy ---------------------------------------------------------- */

/* fill then empty zspages: where were their pages released? */
static void free_policy_releases_zspages(struct kunit *test)
{
	int policy = *(const int *)test->param_value;
	struct zsx_pool *pool = test_pool(test, "kunit-policy", 0, policy);
	struct zsx_pool_stats st;
	const int n = 256;
	unsigned long *h = kunit_kcalloc(test, n, sizeof(*h), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_EXPECT_EQ(test, zsx_pool_policy(pool), policy);
	for (i = 0; i < n; i++) {
		h[i] = zsx_malloc(pool, 1000, ZSX_TEST_GFP, NUMA_NO_NODE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h[i]));
	}
	for (i = 0; i < n; i++)
		zsx_free(pool, h[i]);
	zsx_pool_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
	if (policy == ZSX_FREE_CLASSIDX_UNLOCKED) {
		KUNIT_EXPECT_GT_MSG(test, st.zspages_freed_unlocked, 0ul,
				    "unlocked_free freed nothing unlocked");
		KUNIT_EXPECT_EQ_MSG(test, st.zspages_freed_locked, 0ul,
				    "unlocked_free freed under class->lock");
	} else {
		KUNIT_EXPECT_GT(test, st.zspages_freed_locked, 0ul);
		KUNIT_EXPECT_EQ(test, st.zspages_freed_unlocked, 0ul);
	}
	kunit_pool_destroy(test, pool);
}

static void free_policy_obj_carries_class(struct kunit *test)
{
	struct zsx_pool_opts opts = { .chain = 0, .free_policy = ZSX_FREE_CLASSIDX };
	struct zsx_pool *pool = test_pool(test, "kunit-objclass", 0, ZSX_FREE_BASE);
	unsigned long size, h, pfn, dpfn;
	unsigned int idx, cls, dcls, didx;

	for (size = 1; size <= PAGE_SIZE; size += 97) {
		h = zsx_malloc(pool, size, ZSX_TEST_GFP, NUMA_NO_NODE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h));
		KUNIT_ASSERT_EQ(test,
				zsx_core_handle_location(zsx_pool_core(pool), h, &pfn, &idx, &cls),
				0);
		KUNIT_EXPECT_EQ(test, cls, zsx_lookup_class_index(pool, size));
		zsx_core_obj_decode(*(unsigned long *)h, &dpfn, &dcls, &didx);
		KUNIT_EXPECT_EQ(test, dpfn, pfn);
		KUNIT_EXPECT_EQ(test, didx, idx);
		if (zsx_core_has_classidx())
			KUNIT_EXPECT_EQ_MSG(test, dcls, cls,
					    "obj of a %lu-byte object lacks its class", size);
		zsx_free(pool, h);
	}
	kunit_pool_destroy(test, pool);

	/* where the class field does not fit, classidx is refused at creation */
	pool = kunit_pool(test, "kunit-classidx", &opts);
	if (zsx_core_has_classidx())
		KUNIT_EXPECT_NOT_NULL(test, pool);
	else
		KUNIT_EXPECT_NULL_MSG(test, pool, "narrow layout accepted the classidx policy");
	kunit_pool_destroy(test, pool);
}

static struct kunit_case zsx_free_policy_cases[] = { KUNIT_CASE_PARAM(free_policy_releases_zspages,
								      policy_gen),
						     KUNIT_CASE(free_policy_obj_carries_class),
						     {} };

static struct kunit_suite zsx_free_policy_suite = {
	.name = "zsx_free_policy",
	.test_cases = zsx_free_policy_cases,
};

/* ---- zsx_compaction ------------------------------------------------------------ */

static void compaction_releases_pages(struct kunit *test)
{
	int policy = *(const int *)test->param_value;
	struct zsx_pool *pool = test_pool(test, "kunit-compact", 0, policy);
	u8 *scratch = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	const int n = 3000;
	const size_t size = 360;
	unsigned long *h = kunit_kcalloc(test, n, sizeof(*h), GFP_KERNEL);
	unsigned long before, expect, freed;
	struct zsx_pool_stats st;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, scratch);
	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < n; i++) {
		h[i] = zsx_malloc(pool, size, ZSX_TEST_GFP, NUMA_NO_NODE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h[i]));
		write_pattern(pool, h[i], size, i, scratch);
	}
	for (i = 0; i < n; i++)
		if (i % 5)
			zsx_free(pool, h[i]);
	before = zsx_get_total_pages(pool);
	expect = zsx_core_compactable_pages(zsx_pool_core(pool));
	KUNIT_EXPECT_GT_MSG(test, expect, 0ul, "freeing 4 of 5 objects left nothing to compact");
	freed = zsx_compact(pool);
	KUNIT_EXPECT_EQ(test, freed, before - zsx_get_total_pages(pool));
	KUNIT_EXPECT_GE_MSG(test, freed * 4, expect * 3,
			    "compaction freed %lu of %lu freeable pages", freed, expect);
	zsx_pool_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, st.pages_compacted, freed);
	for (i = 0; i < n; i += 5) {
		KUNIT_EXPECT_EQ_MSG(test, check_pattern(pool, h[i], size, i, scratch), 0,
				    "object %d corrupted by compaction", i);
		zsx_free(pool, h[i]);
	}
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
	kunit_pool_destroy(test, pool);
}

static struct kunit_case zsx_compaction_cases[] = { KUNIT_CASE_PARAM(compaction_releases_pages,
								     policy_gen),
						    {} };

static struct kunit_suite zsx_compaction_suite = {
	.name = "zsx_compaction",
	.test_cases = zsx_compaction_cases,
};

/* ---- zsx_concurrency ------------------------------------------------------------ */

struct conc_ctx {
	struct zsx_pool *pool;
	struct completion done;
	atomic_t *stop;
	unsigned long seed, ops, mismatches, alloc_failures;
};

static int conc_worker(void *arg)
{
	struct conc_ctx *c = arg;
	enum { LIVE = 128 };
	unsigned long *h = kcalloc(2 * LIVE, sizeof(*h), GFP_KERNEL), *sz = h + LIVE;
	u8 *scratch = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
	unsigned long rnd = c->seed;
	int it, k;

	if (!h || !scratch) {
		c->alloc_failures++;
		goto out;
	}
	for (it = 0; it < 4000; it++) {
		rnd = rnd * 6364136223846793005ul + 1442695040888963407ul;
		k = (rnd >> 33) % LIVE;
		if (h[k]) {
			if (check_pattern(c->pool, h[k], sz[k], h[k] ^ sz[k], scratch))
				c->mismatches++;
			zsx_free(c->pool, h[k]);
			h[k] = 0;
		} else {
			sz[k] = 1 + (rnd >> 17) % PAGE_SIZE;
			h[k] = zsx_malloc(c->pool, sz[k], ZSX_TEST_GFP, NUMA_NO_NODE);
			if (IS_ERR_VALUE(h[k])) {
				c->alloc_failures++;
				h[k] = 0;
				continue;
			}
			write_pattern(c->pool, h[k], sz[k], h[k] ^ sz[k], scratch);
		}
		c->ops++;
		cond_resched();
	}
	for (k = 0; k < LIVE; k++)
		if (h[k])
			zsx_free(c->pool, h[k]);
out:
	kfree(h);
	kfree(scratch);
	complete(&c->done);
	return 0;
}

static int conc_compactor(void *arg)
{
	struct conc_ctx *c = arg;

	while (!atomic_read(c->stop)) {
		zsx_compact(c->pool);
		c->ops++;
		usleep_range(100, 200);
	}
	complete(&c->done);
	return 0;
}

static void concurrency_free_while_compacting(struct kunit *test)
{
	int policy = *(const int *)test->param_value;
	struct zsx_pool *pool = test_pool(test, "kunit-conc", 0, policy);
	struct conc_ctx w[2], comp = {};
	atomic_t stop = ATOMIC_INIT(0);
	struct task_struct *t;
	int i;

	for (i = 0; i < 2; i++) {
		w[i] = (struct conc_ctx){ .pool = pool, .seed = 77 + i, .stop = &stop };
		init_completion(&w[i].done);
		t = kthread_create(conc_worker, &w[i], "zsx-kunit-w%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, i % num_online_cpus());
		wake_up_process(t);
	}
	comp = (struct conc_ctx){ .pool = pool, .stop = &stop };
	init_completion(&comp.done);
	t = kthread_run(conc_compactor, &comp, "zsx-kunit-compact");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	for (i = 0; i < 2; i++)
		wait_for_completion(&w[i].done);
	atomic_set(&stop, 1);
	wait_for_completion(&comp.done);

	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ_MSG(test, w[i].mismatches, 0ul,
				    "worker %d read back corrupted objects", i);
		KUNIT_EXPECT_EQ(test, w[i].alloc_failures, 0ul);
		KUNIT_EXPECT_GT(test, w[i].ops, 1000ul);
	}
	kunit_info(test, "%s: %lu + %lu ops, %lu compaction passes\n", zsx_free_policy_name(policy),
		   w[0].ops, w[1].ops, comp.ops);
	KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 0ul);
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
	kunit_pool_destroy(test, pool);
}

static struct kunit_case zsx_concurrency_cases[] = {
	KUNIT_CASE_PARAM(concurrency_free_while_compacting, policy_gen),
	{}
};

static struct kunit_suite zsx_concurrency_suite = {
	.name = "zsx_concurrency",
	.test_cases = zsx_concurrency_cases,
};

/*
 * ---- zsx_migration ----------------------------------------------------------------
 * Where zsx's pages are movable (ZSX_PAGES_MOVABLE: up to 6.17), the VM's
 * migration moves them and every object stays readable. Where they are not
 * (7.x), every attempt is refused and nothing changes.
 */

/* not movable: the page of every object is refused, and the objects stay as they were */
static void migration_refused_everywhere(struct kunit *test, int policy)
{
	struct zsx_pool *pool = test_pool(test, "kunit-migrate", 0, policy);
	u8 *scratch = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	unsigned long h[64], pfn0, pfn1;
	unsigned int idx0, idx1, cls;
	struct zsx_pool_stats st;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, scratch);
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		h[i] = zsx_malloc(pool, 40 + i * (PAGE_SIZE / 64), ZSX_TEST_GFP, NUMA_NO_NODE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h[i]));
		write_pattern(pool, h[i], 40 + i * (PAGE_SIZE / 64), h[i] + 1, scratch);
	}
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		KUNIT_ASSERT_EQ(test, zsx_core_handle_location(zsx_pool_core(pool), h[i], &pfn0,
							       &idx0, &cls), 0);
		KUNIT_EXPECT_EQ_MSG(test, zsx_test_migrate_handle(zsx_pool_core(pool), h[i]),
				    -EOPNOTSUPP, "object %d: an unmovable page was migrated", i);
		KUNIT_ASSERT_EQ(test, zsx_core_handle_location(zsx_pool_core(pool), h[i], &pfn1,
							       &idx1, &cls), 0);
		KUNIT_EXPECT_EQ_MSG(test, pfn0, pfn1, "object %d moved", i);
	}
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		KUNIT_EXPECT_EQ_MSG(test, check_pattern(pool, h[i], 40 + i * (PAGE_SIZE / 64),
							h[i] + 1, scratch),
				    0, "object %d changed", i);
		zsx_free(pool, h[i]);
	}
	zsx_pool_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, st.pages_migrated, 0ul);
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
	kunit_pool_destroy(test, pool);
}

/* movable: every object's page moves, each object keeps its index and contents */
static void migration_moves_every_object(struct kunit *test, int policy)
{
	struct zsx_pool *pool = test_pool(test, "kunit-migrate", 0, policy);
	u8 *scratch = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	static const size_t sizes[] = { 40, 700, PAGE_SIZE / 3, PAGE_SIZE - 50, PAGE_SIZE };
	unsigned long h[24], pfn0, pfn1;
	unsigned int idx0, idx1, cls;
	struct zsx_pool_stats st;
	int s, i, migrated = 0;
	void *mem;

	KUNIT_ASSERT_NOT_NULL(test, scratch);
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (i = 0; i < ARRAY_SIZE(h); i++) {
			h[i] = zsx_malloc(pool, sizes[s], ZSX_TEST_GFP, NUMA_NO_NODE);
			KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h[i]));
			write_pattern(pool, h[i], sizes[s], h[i] + 1, scratch);
		}
		for (i = 0; i < ARRAY_SIZE(h); i++) {
			KUNIT_ASSERT_EQ(test,
					zsx_core_handle_location(zsx_pool_core(pool), h[i], &pfn0,
								 &idx0, &cls),
					0);
			KUNIT_ASSERT_EQ_MSG(test,
					    zsx_test_migrate_handle(zsx_pool_core(pool), h[i]), 0,
					    "size %zu object %d: migration refused", sizes[s], i);
			KUNIT_ASSERT_EQ(test,
					zsx_core_handle_location(zsx_pool_core(pool), h[i], &pfn1,
								 &idx1, &cls),
					0);
			KUNIT_EXPECT_NE_MSG(test, pfn0, pfn1, "handle still names the old page");
			KUNIT_EXPECT_EQ(test, idx0, idx1);
			migrated++;
		}
		for (i = 0; i < ARRAY_SIZE(h); i++) {
			KUNIT_EXPECT_EQ_MSG(test,
					    check_pattern(pool, h[i], sizes[s], h[i] + 1, scratch),
					    0, "size %zu object %d corrupted by migration",
					    sizes[s], i);
			zsx_free(pool, h[i]);
		}
	}
	/* a mapped object pins its zspage: migration is refused, then allowed */
	h[0] = zsx_malloc(pool, 100, ZSX_TEST_GFP, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h[0]));
	mem = zsx_obj_read_begin(pool, h[0], 100, scratch);
	KUNIT_EXPECT_EQ(test, zsx_test_migrate_handle(zsx_pool_core(pool), h[0]), -EAGAIN);
	zsx_obj_read_end(pool, h[0], mem);
	KUNIT_EXPECT_EQ(test, zsx_test_migrate_handle(zsx_pool_core(pool), h[0]), 0);
	zsx_free(pool, h[0]);
	zsx_pool_stats(pool, &st);
	KUNIT_EXPECT_GE(test, st.pages_migrated, (unsigned long)migrated + 1);
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
	kunit_pool_destroy(test, pool);
}

static void migration_direct(struct kunit *test)
{
	int policy = *(const int *)test->param_value;

	if (ZSX_PAGES_MOVABLE)
		migration_moves_every_object(test, policy);
	else
		migration_refused_everywhere(test, policy);
}

struct migrator_ctx {
	struct zsx_pool *pool;
	struct completion done;
	atomic_t *stop;
	unsigned long migrated, refused, mismatches;
};

/* owns a few objects and keeps migrating their pages while others free and allocate */
static int conc_migrator(void *arg)
{
	struct migrator_ctx *c = arg;
	enum { N = 32 };
	unsigned long h[N];
	u8 *scratch = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
	int i;

	for (i = 0; i < N; i++) {
		h[i] = scratch ? zsx_malloc(c->pool, 100 + i * 120, ZSX_TEST_GFP, NUMA_NO_NODE) : 0;
		if (IS_ERR_VALUE(h[i]))
			h[i] = 0;
		if (h[i])
			write_pattern(c->pool, h[i], 100 + i * 120, i, scratch);
	}
	while (!atomic_read(c->stop)) {
		for (i = 0; i < N; i++) {
			if (!h[i])
				continue;
			if (zsx_test_migrate_handle(zsx_pool_core(c->pool), h[i]) == 0)
				c->migrated++;
			else
				c->refused++;
			if (check_pattern(c->pool, h[i], 100 + i * 120, i, scratch))
				c->mismatches++;
		}
		cond_resched();
	}
	for (i = 0; i < N; i++)
		zsx_free(c->pool, h[i]);
	kfree(scratch);
	complete(&c->done);
	return 0;
}

static void migration_races_free_and_compaction(struct kunit *test)
{
	int policy = *(const int *)test->param_value;
	struct zsx_pool *pool = test_pool(test, "kunit-migrace", 0, policy);
	struct conc_ctx w[2], comp;
	struct migrator_ctx mig = {};
	atomic_t stop = ATOMIC_INIT(0);
	struct task_struct *t;
	int i;

	for (i = 0; i < 2; i++) {
		w[i] = (struct conc_ctx){ .pool = pool, .seed = 1000 + i, .stop = &stop };
		init_completion(&w[i].done);
		t = kthread_create(conc_worker, &w[i], "zsx-kunit-w%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, i % num_online_cpus());
		wake_up_process(t);
	}
	comp = (struct conc_ctx){ .pool = pool, .stop = &stop };
	init_completion(&comp.done);
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(conc_compactor, &comp, "zsx-kunit-compact")));
	mig = (struct migrator_ctx){ .pool = pool, .stop = &stop };
	init_completion(&mig.done);
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(conc_migrator, &mig, "zsx-kunit-migrate")));
	for (i = 0; i < 2; i++)
		wait_for_completion(&w[i].done);
	atomic_set(&stop, 1);
	wait_for_completion(&comp.done);
	wait_for_completion(&mig.done);

	kunit_info(test, "%s: migrated %lu pages (%lu refused while busy), %lu compaction passes\n",
		   zsx_free_policy_name(policy), mig.migrated, mig.refused, comp.ops);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ_MSG(test, w[i].mismatches, 0ul,
				    "worker %d read back corrupted objects", i);
	KUNIT_EXPECT_EQ_MSG(test, mig.mismatches, 0ul, "migrated objects corrupted");
	if (ZSX_PAGES_MOVABLE)
		KUNIT_EXPECT_GT(test, mig.migrated, 0ul);
	else
		KUNIT_EXPECT_EQ_MSG(test, mig.migrated, 0ul, "an unmovable page was migrated");
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
	kunit_pool_destroy(test, pool);
}

/*
 * The VM's own migration, as CMA does it: alloc_contig_range() over the page of
 * each of a pool's objects. Movable pages may be moved through zsx's
 * callbacks; pages that are not movable (7.x) are refused with -EBUSY. Either
 * way no object changes, a refusal is an error code the caller expects, and
 * every page comes back when the pool is emptied.
 */
static void migration_contig_range(struct kunit *test)
{
	struct zsx_pool *pool = test_pool(test, "kunit-contig", 0, ZSX_FREE_DEFAULT);
	u8 *scratch = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	unsigned long h[48], pfn, pfn1, moved = 0, refused = 0;
	long held0 = zsx_test_pages_held();
	unsigned int idx, cls;
	int i, rc;

	if (!IS_ENABLED(CONFIG_CONTIG_ALLOC))
		kunit_skip(test, "kernel built without CONTIG_ALLOC (CMA or MEMORY_ISOLATION)");
	KUNIT_ASSERT_NOT_NULL(test, scratch);
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		h[i] = zsx_malloc(pool, 1000 + i * 50, ZSX_TEST_GFP, NUMA_NO_NODE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h[i]));
		write_pattern(pool, h[i], 1000 + i * 50, h[i] * 7, scratch);
	}
	for (i = 0; i < ARRAY_SIZE(h); i += 4) {
		KUNIT_ASSERT_EQ(test, zsx_core_handle_location(zsx_pool_core(pool), h[i], &pfn,
							       &idx, &cls), 0);
		rc = zsx_alloc_contig_range(pfn, pfn + 1, GFP_KERNEL | __GFP_NOWARN);
		if (!rc) {
			/* the range is ours now: zsx's object moved away first */
			free_contig_range(pfn, 1);
			KUNIT_ASSERT_EQ(test, zsx_core_handle_location(zsx_pool_core(pool), h[i],
								       &pfn1, &idx, &cls), 0);
			KUNIT_EXPECT_NE_MSG(test, pfn, pfn1, "object %d stayed on the page", i);
			moved++;
		} else {
			KUNIT_EXPECT_TRUE_MSG(test, rc == -EBUSY || rc == -EAGAIN || rc == -EINTR,
					      "object %d: alloc_contig_range %d", i, rc);
			refused++;
		}
	}
	kunit_info(test, "alloc_contig_range over zsx pages: %lu moved, %lu refused (%s)\n", moved,
		   refused, ZSX_PAGES_MOVABLE ? "movable pages" : "pages not movable");
	/*
	 * Movable pages may or may not be taken: the range is the page's whole
	 * pageblock, and 6.1 refuses blocks that 6.12 takes (the migration
	 * callbacks themselves are checked above and by compact_memory). Pages
	 * that are not movable must never be taken.
	 */
	if (!ZSX_PAGES_MOVABLE)
		KUNIT_EXPECT_EQ_MSG(test, moved, 0ul, "a page that is not movable was taken");
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		KUNIT_EXPECT_EQ_MSG(test,
				    check_pattern(pool, h[i], 1000 + i * 50, h[i] * 7, scratch), 0,
				    "object %d changed", i);
		zsx_free(pool, h[i]);
	}
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
	kunit_pool_destroy(test, pool);
	KUNIT_EXPECT_EQ_MSG(test, zsx_test_pages_held(), held0, "pages leaked");
}

static struct kunit_case zsx_migration_cases[] = {
	KUNIT_CASE_PARAM(migration_direct, policy_gen),
	KUNIT_CASE_PARAM(migration_races_free_and_compaction, policy_gen),
	KUNIT_CASE(migration_contig_range),
	{}
};

static struct kunit_suite zsx_migration_suite = {
	.name = "zsx_migration",
	.test_cases = zsx_migration_cases,
};

/* ---- zsx_bad_input --------------------------------------------------------------- */

static void bad_input_sizes_and_handles(struct kunit *test)
{
	struct zsx_pool *pool = test_pool(test, "kunit-bad", 0, ZSX_FREE_DEFAULT);

	KUNIT_EXPECT_EQ(test, (long)zsx_malloc(pool, 0, ZSX_TEST_GFP, NUMA_NO_NODE), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, (long)zsx_malloc(pool, PAGE_SIZE + 1, ZSX_TEST_GFP, NUMA_NO_NODE),
			(long)-EINVAL);
	KUNIT_EXPECT_EQ(test, (long)zsx_malloc(pool, SIZE_MAX, ZSX_TEST_GFP, NUMA_NO_NODE),
			(long)-EINVAL);
	/* 0 and ERR values are ignored by free and map, as zsmalloc does */
	zsx_free(pool, 0);
	zsx_free(pool, (unsigned long)ERR_PTR(-ENOMEM));
	zsx_free(pool, (unsigned long)ERR_PTR(-EINVAL));
	KUNIT_EXPECT_NULL(test, zsx_map_object(pool, 0, ZSX_MM_RO));
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
	kunit_pool_destroy(test, pool);
}

static void bad_input_pool_names_and_chains(struct kunit *test)
{
	struct zsx_pool_opts bad_chain = { .chain = 3, .free_policy = ZSX_FREE_BASE };
	struct zsx_pool_opts bad_policy = { .chain = 8, .free_policy = 9 };
	struct zsx_pool *a, *b;

	KUNIT_EXPECT_NULL(test, zsx_create_pool(NULL));
	a = kunit_pool(test, "kunit-dup", NULL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	b = kunit_pool(test, "kunit-dup", NULL);
	KUNIT_EXPECT_NULL_MSG(test, b, "a second pool with the same name was created");
	kunit_pool_destroy(test, b);
	kunit_pool_destroy(test, a);
	KUNIT_EXPECT_NULL(test, kunit_pool(test, "kunit-chain3", &bad_chain));
	bad_chain.chain = 17;
	KUNIT_EXPECT_NULL(test, kunit_pool(test, "kunit-chain17", &bad_chain));
	KUNIT_EXPECT_NULL(test, kunit_pool(test, "kunit-policy9", &bad_policy));
	zsx_destroy_pool(NULL);
}

static void bad_input_destroy_with_live_objects(struct kunit *test)
{
	struct zsx_pool *pool = test_pool(test, "kunit-live", 0, ZSX_FREE_DEFAULT);
	unsigned long size;

	for (size = 8; size <= PAGE_SIZE; size += 111)
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(zsx_malloc(pool, size, ZSX_TEST_GFP,
								 NUMA_NO_NODE)));
	KUNIT_EXPECT_GT(test, zsx_get_total_pages(pool), 0ul);
	/* reported and freed, handles included: kmemleak at the end of the run would see a leak */
	kunit_pool_destroy(test, pool);
}

/*
 * Each misuse has its own rate-limited warning naming the pool and the
 * handle: a double free, then another pool's handle, then an over-long write
 * are each reported as their kind (one WARN_ONCE for all used to silence every
 * misuse after the first). These are warnings, not WARN()s: no splat.
 */
static void bad_input_each_misuse_reported_on_its_own(struct kunit *test)
{
	struct zsx_pool_opts dbg = { .free_policy = ZSX_FREE_DEFAULT,
				     .deferred = ZSX_DEFERRED_OFF,
				     .debug = 1 };
	struct zsx_pool *a = kunit_pool(test, "kunit-misuse-a", &dbg);
	struct zsx_pool *b = kunit_pool(test, "kunit-misuse-b", &dbg);
	unsigned long freed0 = zsx_misuse_count(ZSX_MISUSE_FREED_HANDLE);
	unsigned long foreign0 = zsx_misuse_count(ZSX_MISUSE_FOREIGN_HANDLE);
	unsigned long long0 = zsx_misuse_count(ZSX_MISUSE_WRITE_TOO_LONG);
	unsigned long h, keep;
	/* longer than a 32-byte object's slot at any page size (classes: PAGE_SIZE/256 apart) */
	size_t too_long = PAGE_SIZE / 8;
	char *buf = kunit_kzalloc(test, too_long, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	h = zsx_malloc(a, 100, ZSX_TEST_GFP, NUMA_NO_NODE);
	keep = zsx_malloc(a, 32, ZSX_TEST_GFP, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h) || IS_ERR_VALUE(keep));
	zsx_free(a, h);
	zsx_free(a, h);
	KUNIT_EXPECT_EQ_MSG(test, zsx_misuse_count(ZSX_MISUSE_FREED_HANDLE) - freed0, 1ul,
			    "a double free was not reported");
	zsx_free(b, keep);
	KUNIT_EXPECT_EQ_MSG(test, zsx_misuse_count(ZSX_MISUSE_FOREIGN_HANDLE) - foreign0, 1ul,
			    "another pool's handle was not reported after a different misuse");
	zsx_obj_write(a, keep, buf, too_long);
	KUNIT_EXPECT_EQ_MSG(test, zsx_misuse_count(ZSX_MISUSE_WRITE_TOO_LONG) - long0, 1ul,
			    "a write longer than the object was not reported");
	KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(a)), 1ul);
	zsx_free(a, keep);
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(a), 0ul);
	kunit_pool_destroy(test, b);
	kunit_pool_destroy(test, a);
}

static struct kunit_case zsx_bad_input_cases[] = {
	KUNIT_CASE(bad_input_each_misuse_reported_on_its_own),
	KUNIT_CASE(bad_input_sizes_and_handles),
	KUNIT_CASE(bad_input_pool_names_and_chains),
	KUNIT_CASE(bad_input_destroy_with_live_objects),
	{}
};

static struct kunit_suite zsx_bad_input_suite = {
	.name = "zsx_bad_input",
	.test_cases = zsx_bad_input_cases,
};

/* ---- zsx_density: same objects in zsx (chain 4, 8) and the kernel's zsmalloc ----- */

#define DENSITY_OBJS 6000

/* compressed sizes of 4K pages: mostly 1-3 KiB, a tail of small and incompressible ones */
static size_t density_size(unsigned int i)
{
	unsigned long r = (i + 1) * 2654435761ul;

	switch (r % 10) {
	case 0:
		return 64 + (r >> 8) % 400;
	case 9:
		return PAGE_SIZE - (r >> 8) % 200;
	default:
		return (PAGE_SIZE / 4) + (r >> 8) % (PAGE_SIZE / 2);
	}
}

static unsigned long density_zsx(struct kunit *test, unsigned int chain, unsigned long *h)
{
	struct zsx_pool *pool = test_pool(test, chain == 4 ? "kunit-density4" : "kunit-density8",
					  chain, ZSX_FREE_DEFAULT);
	unsigned long pages;
	int i;

	for (i = 0; i < DENSITY_OBJS; i++) {
		h[i] = zsx_malloc(pool, density_size(i), ZSX_TEST_GFP, NUMA_NO_NODE);
		KUNIT_EXPECT_FALSE(test, IS_ERR_VALUE(h[i]));
	}
	pages = zsx_get_total_pages(pool);
	for (i = 0; i < DENSITY_OBJS; i++)
		zsx_free(pool, h[i]);
	kunit_pool_destroy(test, pool);
	return pages;
}

static void density_vs_kernel_zsmalloc(struct kunit *test)
{
	unsigned long *h = kunit_kcalloc(test, DENSITY_OBJS, sizeof(*h), GFP_KERNEL);
	unsigned long zsx4, zsx8, kern, bytes = 0;
	struct zs_pool *zs;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < DENSITY_OBJS; i++)
		bytes += density_size(i);
	zsx4 = density_zsx(test, 4, h);
	zsx8 = density_zsx(test, 8, h);
	zs = zs_create_pool("kunit-density-zsmalloc");
	KUNIT_ASSERT_NOT_NULL(test, zs);
	for (i = 0; i < DENSITY_OBJS; i++) {
		h[i] = zsx_zs_malloc(zs, density_size(i), ZSX_TEST_GFP);
		KUNIT_EXPECT_FALSE(test, IS_ERR_VALUE(h[i]));
	}
	kern = zs_get_total_pages(zs);
	for (i = 0; i < DENSITY_OBJS; i++)
		zs_free(zs, h[i]);
	zs_destroy_pool(zs);

	kunit_info(test,
		   "density: %d objects, %lu KiB payload: zsx chain4 %lu pages, zsx chain8 %lu pages, kernel zsmalloc %lu pages\n",
		   DENSITY_OBJS, bytes >> 10, zsx4, zsx8, kern);
	KUNIT_EXPECT_LE_MSG(test, zsx4, kern,
			    "zsx at chain 4 used more pages than the kernel's zsmalloc");
	/*
	 * longer chains waste less per full zspage but more in each class's last,
	 * partial one: at most one partial zspage per class separates the two
	 */
	KUNIT_EXPECT_LE_MSG(test, zsx8, zsx4 + 8 * zsx_core_nr_distinct_classes(8),
			    "chain 8 lost more than one partial zspage per class");
	KUNIT_EXPECT_GE(test, zsx8 << PAGE_SHIFT, bytes);
}

/*
 * zram decides "store uncompressed" by comparing with this value: zsx at the
 * kernel zsmalloc's chain length must answer as zs_huge_class_size() does
 */
static void density_huge_class_size_as_zsmalloc(struct kunit *test)
{
	struct zsx_pool *pool = test_pool(test, "kunit-huge-zsx", ZSX_KERNEL_ZSMALLOC_CHAIN,
					  ZSX_FREE_DEFAULT);
	struct zs_pool *zs = zs_create_pool("kunit-huge-zsmalloc");
	size_t zsx_size, zs_size;

	KUNIT_ASSERT_NOT_NULL(test, zs);
	zsx_size = zsx_huge_class_size(pool);
	zs_size = zs_huge_class_size(zs);
	zs_destroy_pool(zs);
	kunit_pool_destroy(test, pool);
	KUNIT_EXPECT_EQ_MSG(test, zsx_size, zs_size,
			    "chain %d: zsx_huge_class_size %zu, zs_huge_class_size %zu",
			    ZSX_KERNEL_ZSMALLOC_CHAIN, zsx_size, zs_size);
}

static struct kunit_case zsx_density_cases[] = { KUNIT_CASE(density_vs_kernel_zsmalloc),
						 KUNIT_CASE(density_huge_class_size_as_zsmalloc),
						 {} };

static struct kunit_suite zsx_density_suite = {
	.name = "zsx_density",
	.test_cases = zsx_density_cases,
};

kunit_test_suites(&zsx_alloc_suite, &zsx_access_suite, &zsx_free_policy_suite,
		  &zsx_compaction_suite, &zsx_concurrency_suite, &zsx_migration_suite,
		  &zsx_bad_input_suite, &zsx_density_suite);
