// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: zsx_free_deferred, the per-CPU rings and their drainers.
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
#include <linux/hrtimer.h>
#include "core.h"
#include "zsx.h"
#include "zsx_kunit.h"

#define DEFER_GFP (GFP_KERNEL | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE)

static struct zsx_pool *defer_pool_opts(struct kunit *test, const char *name, unsigned int per_cpu,
					int debug)
{
	struct zsx_pool_opts opts = {
		.free_policy = ZSX_FREE_DEFAULT,
		.deferred = ZSX_DEFERRED_PERCPU,
		.deferred_per_cpu = per_cpu,
		.debug = debug,
	};
	struct zsx_pool *pool = kunit_pool(test, name, &opts);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	return pool;
}

static struct zsx_pool *defer_pool(struct kunit *test, const char *name, unsigned int per_cpu)
{
	return defer_pool_opts(test, name, per_cpu, 0);
}

static void expect_exact(struct kunit *test, struct zsx_pool *pool, unsigned long frees)
{
	struct zsx_core_deferred_stats st;
	struct zsx_core_pool_stats ps;

	KUNIT_ASSERT_EQ(test, zsx_core_deferred_stats(zsx_pool_core(pool), &st), 0);
	zsx_core_pool_stats(zsx_pool_core(pool), &ps);
	KUNIT_EXPECT_EQ_MSG(test, st.enqueued + st.fallbacks + st.spilled, frees,
			    "a deferred free was neither parked nor done");
	KUNIT_EXPECT_EQ_MSG(test, st.drained, st.enqueued, "parked handles lost or drained twice");
	KUNIT_EXPECT_EQ_MSG(test, ps.late_frees, st.spilled,
			    "spilled handles lost or freed twice by the late-free work");
	KUNIT_EXPECT_EQ(test, st.pending, 0ul);
	KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 0ul);
	KUNIT_EXPECT_EQ(test, zsx_get_total_pages(pool), 0ul);
}

/* the pools every context must park in: a plain one and a debug pool */
static const int defer_debug_params[] = { 0, 1 };

static void defer_debug_desc(const int *debug, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s pool", *debug ? "debug" : "plain");
}

KUNIT_ARRAY_PARAM(defer_debug, defer_debug_params, defer_debug_desc);

static void deferred_enqueue_flush_exactness(struct kunit *test)
{
	const int *debug = test->param_value;
	struct zsx_pool *pool = defer_pool_opts(test, "kunit-defer", 0, *debug);
	struct zsx_core_deferred_stats st;
	const unsigned long n = 3000;
	unsigned long i;

	for (i = 0; i < n; i++) {
		unsigned long h =
			zsx_malloc(pool, 1 + (i * 37) % PAGE_SIZE, DEFER_GFP, NUMA_NO_NODE);

		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h));
		zsx_free_deferred(pool, h);
	}
	/*
	 * A task with IRQs on parks them (a full ring is drained by its producer
	 * and the handle parked after): none may have been freed on the spot
	 * but for the rare fallback
	 */
	KUNIT_ASSERT_EQ(test, zsx_core_deferred_stats(zsx_pool_core(pool), &st), 0);
	KUNIT_EXPECT_GT_MSG(test, st.enqueued, n / 2, "deferred frees from a task were not parked");
	zsx_free_deferred_flush(pool);
	expect_exact(test, pool, n);
	/* 0 and ERR values are ignored, as by zsx_free */
	zsx_free_deferred(pool, 0);
	zsx_free_deferred(pool, (unsigned long)ERR_PTR(-ENOMEM));
	zsx_free_deferred_flush(pool);
	expect_exact(test, pool, n);
	kunit_pool_destroy(test, pool);
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
	kunit_pool_destroy(test, pool);
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
		unsigned long h =
			zsx_malloc(p->pool, 16 + (i * 131) % 3000, DEFER_GFP, NUMA_NO_NODE);

		if (IS_ERR_VALUE(h)) {
			p->failures++;
			continue;
		}
		zsx_free_deferred(p->pool, h);
		p->frees++;
		if (!(i % 32))
			cond_resched(); /* let the drainers run: parks, not only fallbacks */
	}
	complete(&p->done);
	return 0;
}

static void deferred_producers_race_drainer(struct kunit *test)
{
	/* the smallest rings (two batches before a task falls back): each wraps many times */
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
	kunit_info(test,
		   "%lu frees: %lu parked in %lu drains (%lu class runs), %lu synchronous fallbacks, longest hold %lu ns\n",
		   p[0].frees + p[1].frees, st.enqueued, st.drains, st.classes_touched,
		   st.fallbacks, st.longest_hold_ns);
	KUNIT_EXPECT_GT_MSG(test, st.enqueued, 20ul * 256,
			    "the rings did not wrap often enough to exercise the protocol");
	kunit_pool_destroy(test, pool);
}

/*
 * Regression: a task holding an IRQ-safe lock (here one a timer also
 * takes, so lockdep knows it softirq-safe) with the deferred buffers full got
 * the synchronous fallback, which waits for a class lock under that lock:
 * lockdep reported a SOFTIRQ-safe -> SOFTIRQ-unsafe order (an ABBA with the
 * timer). Such a caller now never waits for a pool lock: its CPU's ring has a
 * reserve for it, and beyond that only a trylock free (which orders nothing).
 * The drainers are paused so the ring fills.
 */
static DEFINE_SPINLOCK(defer_irqsafe_lock);
static atomic_t defer_timer_runs;

static void defer_timer_fn(struct timer_list *t)
{
	spin_lock(&defer_irqsafe_lock);
	atomic_inc(&defer_timer_runs);
	spin_unlock(&defer_irqsafe_lock);
}

/* the lock is held with IRQs off (irqsave) or softirqs off (bh): both are taken by the timer */
static void lock_holder_waits_for_no_pool_lock(struct kunit *test, bool bh)
{
	struct zsx_pool *pool =
		defer_pool(test, bh ? "kunit-defer-bhsafe" : "kunit-defer-irqsafe", 32);
	unsigned long *h = kunit_kcalloc(test, 2000, sizeof(*h), GFP_KERNEL), flags = 0;
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
	for (i = 0; i < 1500 && !atomic_read(&defer_timer_runs); i++) /* at most 30 s */
		msleep(20);
	KUNIT_EXPECT_GT_MSG(test, atomic_read(&defer_timer_runs), 0,
			    "the timer never took the lock");
	zsx_core_deferred_set_paused(zsx_pool_core(pool), 1);
	if (bh)
		spin_lock_bh(&defer_irqsafe_lock);
	else
		spin_lock_irqsave(&defer_irqsafe_lock, flags);
	for (i = 0; i < 2000; i++)
		zsx_free_deferred(pool, h[i]);
	if (bh)
		spin_unlock_bh(&defer_irqsafe_lock);
	else
		spin_unlock_irqrestore(&defer_irqsafe_lock, flags);
	zsx_core_deferred_set_paused(zsx_pool_core(pool), 0);
	zsx_timer_delete_sync(&timer);
	zsx_timer_destroy_on_stack(&timer);
	zsx_free_deferred_flush(pool);
	zsx_core_deferred_stats(zsx_pool_core(pool), &st);
	KUNIT_EXPECT_GT_MSG(test, st.overflowed, 0ul,
			    "the ring's reserve was never used: the case was not exercised");
	KUNIT_EXPECT_GT_MSG(test, st.fallbacks + st.spilled, 0ul,
			    "the ring never filled: the case was not exercised");
	expect_exact(test, pool, 2000);
	kunit_pool_destroy(test, pool);
}

static void deferred_irqsafe_lock_holder_waits_for_no_pool_lock(struct kunit *test)
{
	lock_holder_waits_for_no_pool_lock(test, false);
}

/* the same under spin_lock_bh: in_task() is true there, yet a softirq takes the lock */
static void deferred_bh_lock_holder_waits_for_no_pool_lock(struct kunit *test)
{
	lock_holder_waits_for_no_pool_lock(test, true);
}

/*
 * A producer that fills its ring (a small one, frees far faster than a
 * drainer on a debug kernel) while holding a spinlock, as zram and zswap do:
 * it frees the ring's oldest batches itself. Never sleeping, no rescheduling
 * under the caller's lock (DEBUG_ATOMIC_SLEEP would report it), the take lock
 * ordered before the class locks (lockdep), no synchronous fallback, exact.
 */
static DEFINE_SPINLOCK(defer_caller_lock);

static void deferred_full_ring_drained_by_its_producer(struct kunit *test)
{
	struct zsx_pool *pool = defer_pool(test, "kunit-defer-producer", 32);
	unsigned long *h = kunit_kcalloc(test, 4000, sizeof(*h), GFP_KERNEL);
	struct zsx_core_deferred_stats st;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < 4000; i++) {
		h[i] = zsx_malloc(pool, 64 + (i * 97) % 3000, DEFER_GFP, NUMA_NO_NODE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h[i]));
	}
	spin_lock(&defer_caller_lock);
	for (i = 0; i < 4000; i++)
		zsx_free_deferred(pool, h[i]);
	spin_unlock(&defer_caller_lock);
	zsx_free_deferred_flush(pool);
	zsx_core_deferred_stats(zsx_pool_core(pool), &st);
	kunit_info(test, "4000 frees under a spinlock: %lu parked, %lu freed by %lu producer drains, %lu fallbacks\n",
		   st.enqueued, st.producer_drained, st.producer_drains, st.fallbacks);
	KUNIT_EXPECT_GT_MSG(test, st.producer_drains, 0ul,
			    "the ring never filled: the case was not exercised");
	KUNIT_EXPECT_EQ_MSG(test, st.fallbacks, 0ul,
			    "a full ring made its producer free synchronously");
	KUNIT_EXPECT_EQ_MSG(test, st.enqueued, 4000ul, "a handle was not parked");
	expect_exact(test, pool, 4000);
	kunit_pool_destroy(test, pool);
}

/*
 * Re-entry: a hard-IRQ timer on the CPU of a producing task frees into the
 * same ring in the middle of the task's frees (between its slot reservation
 * and its store, among other places). Every handle is freed exactly once, no
 * pool lock is waited for in the interrupt (lockdep would say), nothing lost.
 */
#define REENTRY_IRQ_FREES 4000
struct defer_reentry {
	struct zsx_pool *pool;
	struct hrtimer timer;
	unsigned long *h;
	atomic_t next;
	unsigned long irq_frees, task_frees, failures;
	struct completion done;
};

static enum hrtimer_restart defer_reentry_timer_fn(struct hrtimer *t)
{
	struct defer_reentry *r = container_of(t, struct defer_reentry, timer);
	int i, n = 0;

	/* a few handles per interrupt */
	while (n++ < 4 && (i = atomic_inc_return(&r->next) - 1) < REENTRY_IRQ_FREES) {
		zsx_free_deferred(r->pool, r->h[i]);
		r->irq_frees++;
	}
	if (atomic_read(&r->next) >= REENTRY_IRQ_FREES)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(20 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static int defer_reentry_task_fn(void *arg)
{
	struct defer_reentry *r = arg;

	hrtimer_start(&r->timer, ns_to_ktime(20 * NSEC_PER_USEC), HRTIMER_MODE_REL_PINNED_HARD);
	while (atomic_read(&r->next) < REENTRY_IRQ_FREES) {
		unsigned long h = zsx_malloc(r->pool, 64 + (r->task_frees * 97) % 2000, DEFER_GFP,
					     NUMA_NO_NODE);

		if (IS_ERR_VALUE(h)) {
			r->failures++;
			break;
		}
		zsx_free_deferred(r->pool, h);
		r->task_frees++;
	}
	hrtimer_cancel(&r->timer);
	complete(&r->done);
	return 0;
}

static void deferred_reentry_from_a_timer_on_the_same_cpu(struct kunit *test)
{
	struct defer_reentry *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct *t;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->pool = defer_pool(test, "kunit-defer-reentry", 32);
	r->h = kunit_kcalloc(test, REENTRY_IRQ_FREES, sizeof(*r->h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->h);
	for (i = 0; i < REENTRY_IRQ_FREES; i++) {
		r->h[i] = zsx_malloc(r->pool, 300 + i % 1000, DEFER_GFP, NUMA_NO_NODE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(r->h[i]));
	}
	init_completion(&r->done);
	zsx_hrtimer_setup(&r->timer, defer_reentry_timer_fn, CLOCK_MONOTONIC,
			  HRTIMER_MODE_REL_PINNED_HARD);
	t = kthread_create(defer_reentry_task_fn, r, "zsx-defer-reentry");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, 0);
	wake_up_process(t);
	wait_for_completion(&r->done);
	zsx_free_deferred_flush(r->pool);
	kunit_info(test, "%lu frees from the task, %lu from its CPU's hard-IRQ timer\n",
		   r->task_frees, r->irq_frees);
	KUNIT_EXPECT_EQ(test, r->failures, 0ul);
	KUNIT_EXPECT_EQ(test, r->irq_frees, (unsigned long)REENTRY_IRQ_FREES);
	KUNIT_EXPECT_GT_MSG(test, r->task_frees, 0ul, "the task never freed while the timer ran");
	expect_exact(test, r->pool, r->task_frees + r->irq_frees);
	kunit_pool_destroy(test, r->pool);
}

/* a drainer frees at most hold_max handles per class-lock hold, and says how long it held */
static void deferred_drain_bounded_hold(struct kunit *test)
{
	struct zsx_pool *pool = defer_pool(test, "kunit-defer-hold", 4096);
	struct zsx_core_deferred_stats st;
	int i;

	zsx_core_deferred_set_hold_max(zsx_pool_core(pool), 16);
	for (i = 0; i < 3000; i++) {
		unsigned long h = zsx_malloc(pool, 200, DEFER_GFP, NUMA_NO_NODE);

		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h));
		zsx_free_deferred(pool, h);
	}
	zsx_free_deferred_flush(pool);
	zsx_core_deferred_stats(zsx_pool_core(pool), &st);
	KUNIT_EXPECT_EQ(test, st.hold_max, 16ul);
	/* no class in obj (narrow layout): each handle is a synchronous free of its own */
	if (zsx_core_has_classidx())
		KUNIT_EXPECT_GT_MSG(test, st.longest_hold_ns, 0ul,
				    "the drainers' class-lock holds were not measured");
	kunit_info(test, "3000 frees of one class, hold_max 16: longest class-lock hold %lu ns\n",
		   st.longest_hold_ns);
	expect_exact(test, pool, 3000);
	kunit_pool_destroy(test, pool);
}

static void deferred_destroy_with_pending_handles(struct kunit *test)
{
	struct zsx_pool *pool = defer_pool(test, "kunit-defer-destroy", 1024);
	int i;

	/* drainers paused: the handles are still parked when destroy comes */
	zsx_core_deferred_set_paused(zsx_pool_core(pool), 1);
	for (i = 0; i < 300; i++)
		zsx_free_deferred(pool, zsx_malloc(pool, 100 + i, DEFER_GFP, NUMA_NO_NODE));
	KUNIT_EXPECT_EQ_MSG(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 300ul,
			    "parked objects were freed while the drainers were paused");
	/* no flush: destroy unpauses and flushes; kmemleak at the end sees any leak */
	kunit_pool_destroy(test, pool);
}

static void deferred_off_is_plain_free(struct kunit *test)
{
	struct zsx_pool_opts opts = { .free_policy = ZSX_FREE_DEFAULT,
				      .deferred = ZSX_DEFERRED_OFF };
	struct zsx_pool *pool = kunit_pool(test, "kunit-defer-off", &opts);
	struct zsx_core_deferred_stats st;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	zsx_free_deferred(pool, zsx_malloc(pool, 300, DEFER_GFP, NUMA_NO_NODE));
	KUNIT_EXPECT_EQ(test, zsx_core_objects_in_use(zsx_pool_core(pool)), 0ul);
	KUNIT_EXPECT_NE(test, zsx_core_deferred_stats(zsx_pool_core(pool), &st), 0);
	kunit_pool_destroy(test, pool);
}

static struct kunit_case zsx_deferred_cases[] = {
	KUNIT_CASE_PARAM(deferred_enqueue_flush_exactness, defer_debug_gen_params),
	KUNIT_CASE(deferred_from_atomic_context),
	KUNIT_CASE(deferred_producers_race_drainer),
	KUNIT_CASE(deferred_irqsafe_lock_holder_waits_for_no_pool_lock),
	KUNIT_CASE(deferred_bh_lock_holder_waits_for_no_pool_lock),
	KUNIT_CASE(deferred_full_ring_drained_by_its_producer),
	KUNIT_CASE(deferred_reentry_from_a_timer_on_the_same_cpu),
	KUNIT_CASE(deferred_drain_bounded_hold),
	KUNIT_CASE(deferred_destroy_with_pending_handles),
	KUNIT_CASE(deferred_off_is_plain_free),
	{}
};

static struct kunit_suite zsx_deferred_suite = {
	.name = "zsx_deferred",
	.test_cases = zsx_deferred_cases,
};

kunit_test_suites(&zsx_deferred_suite);
