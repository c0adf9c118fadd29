// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: zsx at its edges. Many possible CPUs (per-CPU memory, CPUs that come
 * up later), refused handles and the calls that end them, the contexts every
 * pool type takes zsx_free_deferred() from, and the release worker.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include "core.h"
#include "zsx.h"
#include "zsx_kunit.h"

#define REL_GFP (GFP_KERNEL | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE)

/* ---- zsx_percpu: memory that scales with the CPUs ---------------------------- */

/*
 * Pool creation must not depend on a large contiguous allocation scaled by
 * the possible CPUs: at 177 or more possible CPUs the old scratch area was an
 * order-11 kmalloc, which always fails. make check boots this with hundreds
 * of possible CPUs and two present.
 */
static void percpu_64_pools_created_and_destroyed(struct kunit *test)
{
	struct zsx_pool_opts opts = { .free_policy = ZSX_FREE_DEFAULT,
				      .deferred = ZSX_DEFERRED_PERCPU };
	char name[32];
	int i, j;

	pr_info("zsx_percpu: %u possible CPUs, %u online\n", num_possible_cpus(),
		num_online_cpus());
	for (i = 0; i < 64; i++) {
		struct zsx_pool *pool;

		snprintf(name, sizeof(name), "kunit-pcpu-%d", i);
		pool = kunit_pool(test, name, &opts);
		KUNIT_ASSERT_NOT_NULL_MSG(test, pool,
					  "pool %d of 64 not created with %u possible CPUs", i,
					  num_possible_cpus());
		for (j = 0; j < 16; j++)
			zsx_free_deferred(pool,
					  zsx_malloc(pool, 200 + j * 100, REL_GFP, NUMA_NO_NODE));
		zsx_free_deferred_flush(pool);
		KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 0ul);
		kunit_pool_destroy(test, pool);
	}
}

struct park_on_cpu {
	struct zsx_pool *pool;
	unsigned long *h;
	int n;
	struct completion done;
};

static int park_on_cpu_fn(void *arg)
{
	struct park_on_cpu *p = arg;
	int i;

	for (i = 0; i < p->n; i++)
		zsx_free_deferred(p->pool, p->h[i]);
	complete(&p->done);
	return 0;
}

/*
 * A CPU that is down when a pool is created gets its ring when it comes up
 * (the CPU-prepare callback), and parks there like any other.
 */
static void percpu_ring_of_a_cpu_brought_up_later(struct kunit *test)
{
	struct zsx_pool_opts opts = { .free_policy = ZSX_FREE_DEFAULT,
				      .deferred = ZSX_DEFERRED_PERCPU,
				      .deferred_per_cpu = 1024 };
	struct zsx_core_deferred_stats st;
	struct park_on_cpu p = { .n = 200 };
	struct task_struct *t;
	struct zsx_pool *pool;
	int cpu = cpumask_last(cpu_online_mask), i, err;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs (one to take down)");
	err = remove_cpu(cpu);
	if (err == -EPERM || err == -EBUSY)
		kunit_skip(test, "CPU %d cannot be taken down here: %d", cpu, err);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "could not take CPU %d down", cpu);
	/* nothing between here and add_cpu() may end the case early */
	pool = kunit_pool(test, "kunit-pcpu-late", &opts);
	KUNIT_EXPECT_EQ_MSG(test, add_cpu(cpu), 0, "CPU %d did not come back up", cpu);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_TRUE(test, cpu_online(cpu));
	p.pool = pool;
	p.h = kunit_kcalloc(test, p.n, sizeof(*p.h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p.h);
	for (i = 0; i < p.n; i++)
		p.h[i] = zsx_malloc(pool, 300 + i, REL_GFP, NUMA_NO_NODE);
	init_completion(&p.done);
	t = kthread_create(park_on_cpu_fn, &p, "zsx-kunit-park");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpu);
	wake_up_process(t);
	wait_for_completion(&p.done);
	zsx_free_deferred_flush(pool);
	KUNIT_ASSERT_EQ(test, zsx_core_deferred_stats(zsx_pool_core(pool), &st), 0);
	KUNIT_EXPECT_EQ_MSG(test, st.enqueued, (unsigned long)p.n,
			    "CPU %d, brought up after the pool, did not park in its ring", cpu);
	KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 0ul);
	kunit_pool_destroy(test, pool);
}

static struct kunit_case zsx_percpu_cases[] = {
	KUNIT_CASE(percpu_64_pools_created_and_destroyed),
	KUNIT_CASE(percpu_ring_of_a_cpu_brought_up_later),
	{}
};

static struct kunit_suite zsx_percpu_suite = {
	.name = "zsx_percpu",
	.test_cases = zsx_percpu_cases,
};

/* ---- zsx_refusal: refused handles and the calls that end them ---------------- */

static const int refusal_debug[] = { 0, 1 };

static void refusal_desc(const int *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s pool", *p ? "debug" : "product");
}

KUNIT_ARRAY_PARAM(refusal, refusal_debug, refusal_desc);

/*
 * map and obj_read_begin refuse a handle whose obj names no page of the pool;
 * zram and zswap call unmap / obj_read_end whatever the begin returned: the
 * end must find a state it recognises (no per-CPU state left from an earlier
 * map, preemption as before).
 */
static void refusal_map_and_read_end_cleanly(struct kunit *test)
{
	struct zsx_pool_opts opts = { .free_policy = ZSX_FREE_DEFAULT,
				      .deferred = ZSX_DEFERRED_OFF,
				      .debug = *(const int *)test->param_value ? 1 : 0 };
	struct zsx_pool *pool = kunit_pool(test, "kunit-refusal", &opts);
	unsigned long *foreign, live, h, warned;
	int preempt = preempt_count();
	char buf[64];
	void *mem;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	foreign = kunit_kzalloc(test, sizeof(*foreign), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, foreign);
	*foreign = ~0ul << 24; /* a PFN far above any memory */
	h = (unsigned long)foreign;
	live = zsx_malloc(pool, 3000, REL_GFP, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(live));
	warned = zsx_misuse_count(ZSX_MISUSE_ACCESS_NOT_LIVE) +
		 zsx_misuse_count(ZSX_MISUSE_FOREIGN_HANDLE);

	/* on one CPU: the earlier map leaves its zspage in this CPU's map state */
	migrate_disable();
	mem = zsx_map_object(pool, live, ZSX_MM_WO);
	zsx_unmap_object(pool, live);
	KUNIT_EXPECT_NOT_NULL(test, mem);
	mem = zsx_map_object(pool, h, ZSX_MM_RW);
	zsx_unmap_object(pool, h);
	migrate_enable();
	KUNIT_EXPECT_NULL(test, mem);
	KUNIT_EXPECT_EQ_MSG(test, preempt_count(), preempt,
			    "map/unmap of a refused handle left preemption unbalanced");
	mem = zsx_obj_read_begin(pool, h, sizeof(buf), buf);
	KUNIT_EXPECT_NULL(test, mem);
	zsx_obj_read_end(pool, h, mem);
	KUNIT_EXPECT_EQ(test, preempt_count(), preempt);
	KUNIT_EXPECT_GE_MSG(test,
			    zsx_misuse_count(ZSX_MISUSE_ACCESS_NOT_LIVE) +
				    zsx_misuse_count(ZSX_MISUSE_FOREIGN_HANDLE) - warned,
			    2ul, "refusals were not reported");
	/* the pool and its live object are unharmed */
	KUNIT_ASSERT_NOT_NULL(test, zsx_map_object(pool, live, ZSX_MM_RO));
	zsx_unmap_object(pool, live);
	zsx_free(pool, live);
	KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 0ul);
	kunit_pool_destroy(test, pool);
}

/*
 * A debug pool given another pool's one-word handle refuses it from its obj,
 * without reading a second word past the handle (KASAN reports that read).
 */
static void refusal_debug_pool_and_a_one_word_handle(struct kunit *test)
{
	struct zsx_pool_opts product_opts = { .free_policy = ZSX_FREE_DEFAULT,
					      .deferred = ZSX_DEFERRED_OFF };
	struct zsx_pool_opts debug_opts = { .free_policy = ZSX_FREE_DEFAULT,
					    .deferred = ZSX_DEFERRED_PERCPU,
					    .debug = 1 };
	struct zsx_pool *product = kunit_pool(test, "kunit-refusal-product", &product_opts);
	struct zsx_pool *debug = kunit_pool(test, "kunit-refusal-debug", &debug_opts);
	unsigned long h, foreign = zsx_misuse_count(ZSX_MISUSE_FOREIGN_HANDLE);
	char buf[32];

	KUNIT_ASSERT_NOT_NULL(test, product);
	KUNIT_ASSERT_NOT_NULL(test, debug);
	h = zsx_malloc(product, 100, REL_GFP, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h));
	zsx_free(debug, h);
	zsx_free_deferred(debug, h);
	KUNIT_EXPECT_NULL(test, zsx_map_object(debug, h, ZSX_MM_RO));
	zsx_unmap_object(debug, h);
	KUNIT_EXPECT_NULL(test, zsx_obj_read_begin(debug, h, sizeof(buf), buf));
	zsx_free_deferred_flush(debug);
	KUNIT_EXPECT_EQ(test, zsx_misuse_count(ZSX_MISUSE_FOREIGN_HANDLE) - foreign, 4ul);
	KUNIT_EXPECT_EQ_MSG(test, zsx_core_objects_in_use(zsx_pool_core(product)), 1ul,
			    "the debug pool freed another pool's object");
	zsx_free(product, h);
}

static struct kunit_case zsx_refusal_cases[] = {
	KUNIT_CASE_PARAM(refusal_map_and_read_end_cleanly, refusal_gen_params),
	KUNIT_CASE(refusal_debug_pool_and_a_one_word_handle),
	{}
};

static struct kunit_suite zsx_refusal_suite = {
	.name = "zsx_refusal",
	.test_cases = zsx_refusal_cases,
};

/* ---- zsx_contexts: every pool type, every context an entry point allows -------- */

struct ctx_pool_type {
	const char *name;
	int deferred;
	int debug;
};

static const struct ctx_pool_type ctx_pool_types[] = {
	{ "percpu", ZSX_DEFERRED_PERCPU, 0 },
	{ "off", ZSX_DEFERRED_OFF, 0 },
	{ "release", ZSX_DEFERRED_RELEASE, 0 },
	{ "percpu+debug", ZSX_DEFERRED_PERCPU, 1 },
	{ "off+debug", ZSX_DEFERRED_OFF, 1 },
};

static void ctx_desc(const struct ctx_pool_type *t, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", t->name);
}

KUNIT_ARRAY_PARAM(ctx, ctx_pool_types, ctx_desc);

#define CTX_BATCH 64

struct ctx_batch {
	struct zsx_pool *pool;
	unsigned long *h;
	bool right_context;
	unsigned long pages;
	struct completion done;
	struct irq_work work;
	struct timer_list timer;
};

static void ctx_free_batch(struct ctx_batch *b)
{
	int i;

	for (i = 0; i < CTX_BATCH; i++)
		zsx_free_deferred(b->pool, b->h[i]);
	b->pages = zsx_get_total_pages(b->pool); /* any context */
}

static void ctx_hardirq_fn(struct irq_work *w)
{
	struct ctx_batch *b = container_of(w, struct ctx_batch, work);

	b->right_context = in_hardirq();
	ctx_free_batch(b);
}

static void ctx_softirq_fn(struct timer_list *t)
{
	struct ctx_batch *b = zsx_timer_owner(b, t, timer);

	b->right_context = in_serving_softirq();
	ctx_free_batch(b);
	complete(&b->done);
}

/*
 * zsx_free_deferred from task context (IRQs and softirqs on, IRQs off,
 * softirqs off), from a softirq and from a hard interrupt, on every pool
 * type; lockdep sees each class lock used where it is (a class lock taken in
 * an interrupt on a pool without rings was an inconsistent lock state). Then
 * every other entry point in the context it allows; exact at the end.
 */
static void ctx_every_entry_point_in_its_contexts(struct kunit *test)
{
	const struct ctx_pool_type *type = test->param_value;
	struct zsx_pool_opts opts = { .free_policy = ZSX_FREE_DEFAULT,
				      .deferred = type->deferred,
				      .debug = type->debug };
	struct zsx_pool *pool = kunit_pool(test, "kunit-ctx", &opts);
	unsigned long misuse = zsx_misuse_count(ZSX_MISUSE_DEFER_KEPT), flags, h;
	struct ctx_batch b = {};
	struct zsx_pool_stats ps;
	char buf[128];
	int round, i;
	void *mem;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	b.pool = pool;
	b.h = kunit_kcalloc(test, CTX_BATCH, sizeof(*b.h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b.h);
	for (round = 0; round < 5; round++) {
		for (i = 0; i < CTX_BATCH; i++) {
			b.h[i] = zsx_malloc(pool, 64 + (round * CTX_BATCH + i) * 11 % 3000, REL_GFP,
					    NUMA_NO_NODE);
			KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(b.h[i]));
		}
		b.right_context = true;
		switch (round) {
		case 0: /* task, IRQs and softirqs on */
			ctx_free_batch(&b);
			break;
		case 1: /* task, IRQs off (spin_lock_irqsave holders) */
			local_irq_save(flags);
			ctx_free_batch(&b);
			local_irq_restore(flags);
			break;
		case 2: /* task, softirqs off (spin_lock_bh holders) */
			local_bh_disable();
			ctx_free_batch(&b);
			local_bh_enable();
			break;
		case 3: /* softirq: a timer callback */
			init_completion(&b.done);
			timer_setup_on_stack(&b.timer, ctx_softirq_fn, 0);
			mod_timer(&b.timer, jiffies);
			wait_for_completion(&b.done);
			zsx_timer_delete_sync(&b.timer);
			zsx_timer_destroy_on_stack(&b.timer);
			break;
		case 4: /* hard interrupt: irq_work */
			b.work = IRQ_WORK_INIT_HARD(ctx_hardirq_fn);
			irq_work_queue(&b.work);
			irq_work_sync(&b.work);
			break;
		}
		KUNIT_EXPECT_TRUE_MSG(test, b.right_context, "round %d did not run in its context",
				      round);
	}
	zsx_free_deferred_flush(pool);
	KUNIT_EXPECT_EQ_MSG(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 0ul,
			    "%s pool: deferred frees lost", type->name);
	KUNIT_EXPECT_EQ_MSG(test, zsx_get_total_pages(pool), 0ul,
			    "%s pool: pages not returned after the flush", type->name);
	KUNIT_EXPECT_EQ(test, zsx_misuse_count(ZSX_MISUSE_DEFER_KEPT), misuse);

	/* task context only: malloc, both access APIs, free, compact, stats */
	h = zsx_malloc(pool, 100, REL_GFP, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h));
	memset(buf, 0xa5, sizeof(buf));
	zsx_obj_write(pool, h, buf, 100);
	mem = zsx_obj_read_begin(pool, h, 100, buf);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, ((unsigned char *)mem)[99], 0xa5);
	zsx_obj_read_end(pool, h, mem);
	mem = zsx_map_object(pool, h, ZSX_MM_RO);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	zsx_unmap_object(pool, h);
	zsx_free(pool, h);
	zsx_compact(pool);
	zsx_pool_stats(pool, &ps);
	KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 0ul);
	kunit_pool_destroy(test, pool);
}

static struct kunit_case zsx_contexts_cases[] = {
	KUNIT_CASE_PARAM(ctx_every_entry_point_in_its_contexts, ctx_gen_params),
	{}
};

static struct kunit_suite zsx_contexts_suite = {
	.name = "zsx_contexts",
	.test_cases = zsx_contexts_cases,
};

/* ---- zsx_release: the release worker -------------------------------------------- */

/*
 * A release-only pool counts an emptied zspage's pages until the worker has
 * released them, and the worker never sleeps on a page lock: with a page of
 * pool A held locked (as the VM does while migrating it), pool B's releases
 * still complete, and A's page is released once unlocked (at once where zsx
 * pages are not movable: no page lock is taken to release them).
 */
static void release_counts_until_released_and_never_waits_on_a_page(struct kunit *test)
{
	struct zsx_pool_opts opts = { .free_policy = ZSX_FREE_DEFAULT,
				      .deferred = ZSX_DEFERRED_RELEASE };
	struct zsx_pool *a = kunit_pool(test, "kunit-release-a", &opts);
	struct zsx_pool *b = kunit_pool(test, "kunit-release-b", &opts);
	long held0 = zsx_test_pages_held();
	unsigned long ha, *hb, b_pages;
	/* releasing a movable page takes its lock; one that is not (7.x) is never locked */
	long left = ZSX_PAGES_MOVABLE ? 1 : 0;
	struct page *page;
	int i, waited;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	ha = zsx_malloc(a, PAGE_SIZE / 2, REL_GFP, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(ha));
	hb = kunit_kcalloc(test, 500, sizeof(*hb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hb);
	for (i = 0; i < 500; i++)
		hb[i] = zsx_malloc(b, 100 + i * 7, REL_GFP, NUMA_NO_NODE);
	b_pages = zsx_get_total_pages(b);
	KUNIT_ASSERT_GT(test, b_pages, 0ul);
	/*
	 * A reference, then the lock, then the page is still the object's: the
	 * VM may migrate it in between (zsx pages are movable).
	 */
	for (i = 0; i < 100; i++) {
		page = (struct page *)zsx_core_handle_page(zsx_pool_core(a), ha);
		KUNIT_ASSERT_NOT_NULL(test, page);
		if (!get_page_unless_zero(page))
			continue;
		lock_page(page);
		if (page == (struct page *)zsx_core_handle_page(zsx_pool_core(a), ha))
			break;
		unlock_page(page);
		put_page(page);
	}
	KUNIT_ASSERT_LT_MSG(test, i, 100, "could not hold a page of pool A locked");
	/* no KUNIT_ASSERT from here to unlock_page(): the page must not stay locked */

	zsx_free(a, ha);
	for (i = 0; i < 500; i++)
		zsx_free(b, hb[i]);
	/*
	 * B's pages come back while A's page is held locked (no flush: it would
	 * wait for A); a worker releases them: up to 30 s on a slow machine
	 */
	for (waited = 0; waited < 30000 && zsx_get_total_pages(b); waited += 20)
		msleep(20);
	KUNIT_EXPECT_EQ_MSG(test, zsx_get_total_pages(b), 0ul,
			    "pool B's releases stalled behind pool A's locked page");
	/*
	 * and A's other pages: where pages are movable, only the locked one is
	 * left and A still counts it; elsewhere the locked page goes too
	 */
	for (waited = 0; waited < 30000 && zsx_test_pages_held() - held0 > left; waited += 20)
		msleep(20);
	/* zsx_test_pages_held() counts every pool: only this case's exist now */
	KUNIT_EXPECT_EQ_MSG(test, zsx_test_pages_held() - held0, left,
			    "the pages zsx holds: %ld of pool A's should be left", left);
	KUNIT_EXPECT_EQ_MSG(test, zsx_get_total_pages(a), (unsigned long)left,
			    "pool A's count and the pages it holds disagree (the locked page)");
	unlock_page(page);
	put_page(page);
	zsx_free_deferred_flush(a);
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(a), 0ul);
	KUNIT_EXPECT_EQ_MSG(test, zsx_test_pages_held(), held0, "pages not returned");
}

static struct kunit_case zsx_release_cases[] = {
	KUNIT_CASE(release_counts_until_released_and_never_waits_on_a_page),
	{}
};

static struct kunit_suite zsx_release_suite = {
	.name = "zsx_release",
	.test_cases = zsx_release_cases,
};

kunit_test_suites(&zsx_percpu_suite, &zsx_refusal_suite, &zsx_contexts_suite, &zsx_release_suite);
