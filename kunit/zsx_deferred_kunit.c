// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: zsx_free_deferred, the per-CPU buffers and their drainer.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/delay.h>
#include <linux/timer.h>
#include <linux/atomic.h>
#include "core.h"
#include "zsx.h"

#define DEFER_GFP (GFP_KERNEL | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE)

static struct zsx_pool *defer_pool(struct kunit *test, const char *name, unsigned int per_cpu)
{
	struct zsx_pool_opts opts = {
		.free_policy = ZSX_FREE_DEFAULT,
		.deferred = ZSX_DEFERRED_PERCPU,
		.deferred_per_cpu = per_cpu,
	};
	struct zsx_pool *pool = zsx_create_pool_opts(name, &opts);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	return pool;
}

static void expect_exact(struct kunit *test, struct zsx_pool *pool, unsigned long frees)
{
	struct zsx_core_deferred_stats st;

	KUNIT_ASSERT_EQ(test, zsx_core_deferred_stats(zsx_pool_core(pool), &st), 0);
	KUNIT_EXPECT_EQ_MSG(test, st.enqueued + st.fallbacks + st.overflowed, frees,
			    "a deferred free was neither parked nor done");
	KUNIT_EXPECT_EQ_MSG(test, st.drained, st.enqueued + st.overflowed, "parked handles lost or drained twice");
	KUNIT_EXPECT_EQ(test, st.pending, 0ul);
	KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 0ul);
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
}

static void deferred_enqueue_flush_exactness(struct kunit *test)
{
	struct zsx_pool *pool = defer_pool(test, "kunit-defer", 0);
	const unsigned long n = 3000;
	unsigned long i;

	for (i = 0; i < n; i++) {
		unsigned long h = zsx_malloc(pool, 1 + (i * 37) % PAGE_SIZE, DEFER_GFP, NUMA_NO_NODE);

		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h));
		zsx_free_deferred(pool, h);
	}
	zsx_free_deferred_flush(pool);
	expect_exact(test, pool, n);
	/* 0 and ERR values are ignored, as by zsx_free */
	zsx_free_deferred(pool, 0);
	zsx_free_deferred(pool, (unsigned long)ERR_PTR(-ENOMEM));
	zsx_free_deferred_flush(pool);
	expect_exact(test, pool, n);
	zsx_destroy_pool(pool);
}

static DEFINE_SPINLOCK(defer_test_lock);

static void deferred_from_atomic_context(struct kunit *test)
{
	struct zsx_pool *pool = defer_pool(test, "kunit-defer-atomic", 0);
	unsigned long *h = kunit_kcalloc(test, 512, sizeof(*h), GFP_KERNEL), flags;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < 512; i++) {
		h[i] = zsx_malloc(pool, 200 + i, DEFER_GFP, NUMA_NO_NODE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h[i]));
	}
	/* under a spinlock with IRQs off, as swap_slot_free_notify runs */
	spin_lock_irqsave(&defer_test_lock, flags);
	for (i = 0; i < 512; i++)
		zsx_free_deferred(pool, h[i]);
	spin_unlock_irqrestore(&defer_test_lock, flags);
	zsx_free_deferred_flush(pool);
	expect_exact(test, pool, 512);
	zsx_destroy_pool(pool);
}

struct defer_producer {
	struct zsx_pool *pool;
	struct completion done;
	unsigned long frees, failures;
};

static int defer_producer_fn(void *arg)
{
	struct defer_producer *p = arg;
	int i;

	for (i = 0; i < 25000; i++) {
		unsigned long h = zsx_malloc(p->pool, 16 + (i * 131) % 3000, DEFER_GFP, NUMA_NO_NODE);

		if (IS_ERR_VALUE(h)) {
			p->failures++;
			continue;
		}
		zsx_free_deferred(p->pool, h);
		p->frees++;
		if (!(i % 32))
			cond_resched(); /* let the drainer run: handoffs, not only fallbacks */
	}
	complete(&p->done);
	return 0;
}

static void deferred_producers_race_drainer(struct kunit *test)
{
	/* 32 handles per CPU: 16-entry buffers, thousands of handoffs */
	struct zsx_pool *pool = defer_pool(test, "kunit-defer-race", 32);
	struct defer_producer p[2];
	struct zsx_core_deferred_stats st;
	struct task_struct *t;
	int i;

	for (i = 0; i < 2; i++) {
		p[i] = (struct defer_producer){ .pool = pool };
		init_completion(&p[i].done);
		t = kthread_create(defer_producer_fn, &p[i], "zsx-defer-%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, i % num_online_cpus());
		wake_up_process(t);
	}
	for (i = 0; i < 2; i++)
		wait_for_completion(&p[i].done);
	zsx_free_deferred_flush(pool);
	KUNIT_EXPECT_EQ(test, p[0].failures + p[1].failures, 0ul);
	expect_exact(test, pool, p[0].frees + p[1].frees);
	zsx_core_deferred_stats(zsx_pool_core(pool), &st);
	/* 16-entry buffers: every 16 parked handles were one handoff */
	kunit_info(test, "%lu frees: %lu parked (%lu buffer handoffs) in %lu drains (%lu class runs), %lu synchronous fallbacks\n",
		   p[0].frees + p[1].frees, st.enqueued, st.enqueued / 16, st.drains, st.classes_touched, st.fallbacks);
	KUNIT_EXPECT_GT_MSG(test, st.enqueued / 16, 1000ul, "too few handoffs to exercise the protocol");
	zsx_destroy_pool(pool);
}

/*
 * Bug (issue 13 b): a task holding an IRQ-safe lock (here one a timer also
 * takes, so lockdep knows it softirq-safe) with both deferred buffers full got
 * the synchronous fallback, which takes a class lock under that lock: lockdep
 * reported a SOFTIRQ-safe -> SOFTIRQ-unsafe order (an ABBA with the timer).
 * Such a caller's frees now go to the overflow list; nothing is lost.
 */
static DEFINE_SPINLOCK(defer_irqsafe_lock);
static atomic_t defer_timer_runs;

static void defer_timer_fn(struct timer_list *t)
{
	spin_lock(&defer_irqsafe_lock);
	atomic_inc(&defer_timer_runs);
	spin_unlock(&defer_irqsafe_lock);
}

static void deferred_irqsafe_lock_holder_takes_no_pool_lock(struct kunit *test)
{
	struct zsx_pool *pool = defer_pool(test, "kunit-defer-irqsafe", 32);
	unsigned long *h = kunit_kcalloc(test, 2000, sizeof(*h), GFP_KERNEL), flags;
	struct zsx_core_deferred_stats st;
	struct timer_list timer;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < 2000; i++) {
		h[i] = zsx_malloc(pool, 500, DEFER_GFP, NUMA_NO_NODE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h[i]));
	}
	atomic_set(&defer_timer_runs, 0);
	timer_setup_on_stack(&timer, defer_timer_fn, 0);
	mod_timer(&timer, jiffies + 1);
	for (i = 0; i < 200 && !atomic_read(&defer_timer_runs); i++)
		msleep(5);
	KUNIT_EXPECT_GT_MSG(test, atomic_read(&defer_timer_runs), 0, "the timer never took the lock");
	/* IRQs off: this CPU fills both buffers faster than any drainer returns one */
	spin_lock_irqsave(&defer_irqsafe_lock, flags);
	for (i = 0; i < 2000; i++)
		zsx_free_deferred(pool, h[i]);
	spin_unlock_irqrestore(&defer_irqsafe_lock, flags);
	del_timer_sync(&timer);
	destroy_timer_on_stack(&timer);
	zsx_free_deferred_flush(pool);
	zsx_core_deferred_stats(zsx_pool_core(pool), &st);
	KUNIT_EXPECT_EQ_MSG(test, st.fallbacks, 0ul, "a synchronous free ran under the caller's IRQ-safe lock");
	KUNIT_EXPECT_GT_MSG(test, st.overflowed, 0ul, "both buffers never filled: the case was not exercised");
	expect_exact(test, pool, 2000);
	zsx_destroy_pool(pool);
}

static void deferred_destroy_with_pending_handles(struct kunit *test)
{
	struct zsx_pool *pool = defer_pool(test, "kunit-defer-destroy", 0);
	int i;

	for (i = 0; i < 300; i++)
		zsx_free_deferred(pool, zsx_malloc(pool, 100 + i, DEFER_GFP, NUMA_NO_NODE));
	KUNIT_EXPECT_GT(test, zsx_core_objects_in_use(zsx_pool_core(pool)) +
			zsx_core_deferred_cpu_pending(zsx_pool_core(pool), raw_smp_processor_id()), 0ul);
	/* no flush: destroy flushes; kmemleak at the end of the run sees any leak */
	zsx_destroy_pool(pool);
}

static void deferred_off_is_plain_free(struct kunit *test)
{
	struct zsx_pool_opts opts = { .free_policy = ZSX_FREE_DEFAULT, .deferred = ZSX_DEFERRED_OFF };
	struct zsx_pool *pool = zsx_create_pool_opts("kunit-defer-off", &opts);
	struct zsx_core_deferred_stats st;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	zsx_free_deferred(pool, zsx_malloc(pool, 300, DEFER_GFP, NUMA_NO_NODE));
	KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 0ul);
	KUNIT_EXPECT_NE(test, zsx_core_deferred_stats(zsx_pool_core(pool), &st), 0);
	zsx_destroy_pool(pool);
}

static struct kunit_case zsx_deferred_cases[] = {
	KUNIT_CASE(deferred_enqueue_flush_exactness),
	KUNIT_CASE(deferred_from_atomic_context),
	KUNIT_CASE(deferred_producers_race_drainer),
	KUNIT_CASE(deferred_irqsafe_lock_holder_takes_no_pool_lock),
	KUNIT_CASE(deferred_destroy_with_pending_handles),
	KUNIT_CASE(deferred_off_is_plain_free),
	{}
};

static struct kunit_suite zsx_deferred_suite = {
	.name = "zsx_deferred",
	.test_cases = zsx_deferred_cases,
};

kunit_test_suites(&zsx_deferred_suite);
