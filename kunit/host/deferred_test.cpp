// SPDX-License-Identifier: GPL-2.0
// Hosted tests of deferred freeing: exactness, the lock-free handoff under many
// producers (run under TSan), fallback, teardown with pending handles, CPU death.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "core.h"
#include "host_platform.hpp"
#include "platform_abi.h"

namespace {

constexpr unsigned long kPage = 1ul << ZSX_PAGE_SHIFT;

zsx_core_pool *make(int policy, unsigned per_cpu)
{
	int err = 0;
	zsx_core_pool *p = zsx_core_pool_create(ZSX_CHAIN_SIZE, policy, per_cpu, &err);
	EXPECT_EQ(err, 0);
	return p;
}

int best_policy() { return zsx_core_has_classidx() ? ZSX_CORE_FREE_CLASSIDX_UNLOCKED : ZSX_CORE_FREE_BASE; }

class DeferredByPolicy : public ::testing::TestWithParam<int> {};

TEST_P(DeferredByPolicy, EveryHandleFreedExactlyOnce)
{
	const long warned = host::warnings.load(); // other tests' misuse warnings
	zsx_core_pool *p = make(GetParam(), 256);
	long handles = host::handles_live.load();
	const int n = 5000;
	for (int i = 0; i < n; ++i) {
		unsigned long h = zsx_core_malloc(p, 1 + (i * 37) % kPage, 0, -1);
		zsx_core_free_deferred(p, h);
	}
	zsx_core_deferred_flush(p);
	struct zsx_core_deferred_stats st;
	ASSERT_EQ(zsx_core_deferred_stats(p, &st), 0);
	EXPECT_EQ(st.enqueued + st.fallbacks + st.spilled, (unsigned long)n);
	EXPECT_EQ(st.drained, st.enqueued) << "a parked handle was lost or freed twice";
	struct zsx_core_pool_stats ps;
	zsx_core_pool_stats(p, &ps);
	EXPECT_EQ(ps.late_frees, st.spilled) << "a spilled handle was lost or freed twice";
	EXPECT_EQ(st.pending, 0u);
	EXPECT_GT(st.drains, 0u);
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	EXPECT_EQ(zsx_core_total_pages(p), 0u);
	EXPECT_EQ(host::handles_live.load(), handles);
	EXPECT_EQ(host::warnings.load() - warned, 0);
	zsx_core_pool_destroy(p);
}

TEST_P(DeferredByPolicy, ProducersRaceTheDrainersWithSmallRings)
{
	// the smallest rings (two batches before a task falls back): each wraps hundreds of times
	zsx_core_pool *p = make(GetParam(), 32);
	long handles = host::handles_live.load();
	const int per_thread = 20000, threads = 4;
	std::atomic<bool> stop{false};
	std::vector<std::thread> ts;
	for (int t = 0; t < threads; ++t)
		ts.emplace_back([&, t] {
			host::pin_to_cpu(t % host::kCpus);
			for (int i = 0; i < per_thread; ++i) {
				unsigned long h = zsx_core_malloc(p, 16 + (i * 131 + t) % 3000, 0, -1);
				ASSERT_LT(h, (unsigned long)-4095L);
				zsx_core_free_deferred(p, h);
				if (i % 16 == 0)
					std::this_thread::
						yield(); // give the drainer a chance: handoffs, not only fallbacks
			}
		});
	std::thread flusher([&] {
		while (!stop.load())
			zsx_core_deferred_flush(p);
	});
	for (auto &t : ts)
		t.join();
	stop = true;
	flusher.join();
	zsx_core_deferred_flush(p);
	struct zsx_core_deferred_stats st;
	zsx_core_deferred_stats(p, &st);
	EXPECT_EQ(st.enqueued + st.fallbacks + st.spilled, (unsigned long)per_thread * threads);
	EXPECT_EQ(st.drained, st.enqueued + st.spilled);
	EXPECT_GT(st.enqueued, 20 * 256ul) << "the rings did not wrap often enough to exercise the protocol";
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	EXPECT_EQ(host::handles_live.load(), handles);
	zsx_core_pool_destroy(p);
}

INSTANTIATE_TEST_SUITE_P(Policies, DeferredByPolicy, ::testing::Values(ZSX_CORE_FREE_BASE, best_policy()));

// The trace events account for every free: each zsx_free_deferred() call is
// one deferred-enqueue event, later one deferred-drain or one fallback event.
TEST(Deferred, TraceEventsAccountForEveryFree)
{
	zsx_core_pool *p = make(best_policy(), 32);
	host::trace_reset();
	__atomic_store_n(&zsx_plat_trace_active, 1, __ATOMIC_RELAXED);
	const int per_thread = 5000, threads = 3;
	std::vector<std::thread> ts;
	for (int t = 0; t < threads; ++t)
		ts.emplace_back([&, t] {
			host::pin_to_cpu(t % 2);
			for (int i = 0; i < per_thread; ++i)
				zsx_core_free_deferred(p, zsx_core_malloc(p, 1 + (i * 97 + t) % kPage, 0, -1));
		});
	for (auto &th : ts)
		th.join();
	zsx_core_deferred_flush(p);
	__atomic_store_n(&zsx_plat_trace_active, 0, __ATOMIC_RELAXED);
	const unsigned long n = per_thread * threads;
	EXPECT_EQ(host::trace_mallocs.load(), n);
	EXPECT_EQ(host::trace_free_by_path[ZSX_TRACE_FREE_DEFERRED_ENQUEUE].load(), n);
	EXPECT_EQ(host::trace_free_by_path[ZSX_TRACE_FREE_DEFERRED_DRAIN] +
			  host::trace_free_by_path[ZSX_TRACE_FREE_FALLBACK],
		  n)
		<< "enqueue events must equal drained + fallback events";
	EXPECT_EQ(host::trace_drained.load(), host::trace_free_by_path[ZSX_TRACE_FREE_DEFERRED_DRAIN].load())
		<< "the drain events' handle counts must add up to the per-handle drain events";
	EXPECT_GT(host::trace_drains.load(), 0u);
	EXPECT_GT(host::trace_zspages_locked + host::trace_zspages_unlocked, 0u) << "no zspage_free event";
	if (best_policy() == ZSX_CORE_FREE_CLASSIDX_UNLOCKED) {
		EXPECT_EQ(host::trace_zspages_locked.load(), 0u) << "unlocked policy freed a zspage under class->lock";
	}
	EXPECT_EQ(zsx_core_total_pages(p), 0u);
	zsx_core_pool_destroy(p);
}

TEST(Deferred, DestroyWithPendingHandlesFreesThem)
{
	zsx_core_pool *p = make(best_policy(), 1 << 12);
	long handles = host::handles_live.load();
	for (int i = 0; i < 1000; ++i)
		zsx_core_free_deferred(p, zsx_core_malloc(p, 100 + i, 0, -1));
	zsx_core_pool_destroy(p); // no flush: destroy must do it
	EXPECT_EQ(host::handles_live.load(), handles);
	EXPECT_EQ(host::pages_live.load(), 0);
}

TEST(Deferred, DeadCpuBuffersAreDrained)
{
	zsx_core_pool *p = make(best_policy(), 1 << 12);
	host::work_delay_scale = 1000; // the low-water timer must not drain before cpu_dead
	std::thread([&] {
		host::pin_to_cpu(2);
		for (int i = 0; i < 50; ++i)
			zsx_core_free_deferred(p, zsx_core_malloc(p, 300, 0, -1));
	}).join();
	EXPECT_GT(zsx_core_deferred_cpu_pending(p, 2), 0u);
	zsx_core_deferred_cpu_dead(p, 2); // the ring is drained from elsewhere: no IPI, no hotplug lock
	// the drainer is another thread: on a loaded machine (and under TSan) it may
	// wait long for a CPU; 10 s is far beyond any healthy run
	for (int i = 0; i < 2000 && zsx_core_objects_in_use(p); ++i)
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	EXPECT_EQ(zsx_core_deferred_cpu_pending(p, 2), 0u);
	host::work_delay_scale = 0;
	zsx_core_pool_destroy(p);
}

// With its CPU's ring full up to the task limit (the drainers held back), a
// caller that may not wait for the pool's locks never does: it parks in the
// ring's reserve, and beyond that a task frees only through a trylock while an
// interrupt handler spills the handle to the pool's spill list. Nothing is
// lost. `as_caller` turns the thread into that caller (and back).
void expect_no_lock_waited_for(void (*as_caller)(bool on), const char *who, bool in_irq)
{
	zsx_core_pool *p = make(best_policy(), 32); // the smallest rings
	host::work_gate_closed = true;              // the drainers cannot run: the ring fills up
	long handles = host::handles_live.load(), waits = host::forbidden_lock_waits.load();
	std::vector<unsigned long> hs;
	for (int i = 0; i < 600; ++i)
		hs.push_back(zsx_core_malloc(p, 200 + i, 0, -1));
	std::thread([&] {
		host::pin_to_cpu(1);
		as_caller(true);
		for (unsigned long h : hs)
			zsx_core_free_deferred(p, h);
		as_caller(false);
	}).join();
	EXPECT_EQ(host::forbidden_lock_waits.load(), waits) << "a pool lock was waited for in " << who;
	host::work_gate_closed = false;
	zsx_core_deferred_flush(p);
	struct zsx_core_deferred_stats st;
	zsx_core_deferred_stats(p, &st);
	EXPECT_GT(st.overflowed, 0u) << who << ": the ring's reserve was not used";
	if (in_irq) {
		EXPECT_EQ(st.fallbacks, 0u) << "a synchronous free in " << who;
		EXPECT_GT(st.spilled, 0u) << who << ": the spill list was not used";
	} else if (zsx_core_has_classidx()) {
		EXPECT_GT(st.fallbacks, 0u) << who << ": no trylock free";
	} else {
		// no class in obj: finding the class needs the pool lock, so no trylock free
		EXPECT_EQ(st.fallbacks, 0u) << who;
		EXPECT_GT(st.spilled, 0u) << who << ": the spill list was not used";
	}
	EXPECT_EQ(st.enqueued + st.fallbacks + st.spilled, hs.size()) << who;
	EXPECT_EQ(st.drained, st.enqueued) << who;
	struct zsx_core_pool_stats ps;
	zsx_core_pool_stats(p, &ps);
	EXPECT_EQ(ps.late_frees, st.spilled) << who << ": spilled handles not freed by the late-free work";
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u) << who;
	EXPECT_EQ(host::handles_live.load(), handles) << who;
	zsx_core_pool_destroy(p);
}

TEST(Deferred, IrqContextNeverWaitsForALockAndLosesNothing)
{
	// plays a hard IRQ: must not take the pool's locks
	expect_no_lock_waited_for([](bool on) { host::t_in_irq = on; }, "IRQ context", true);
}

// Regression: a task that disabled IRQs itself (holding a lock taken
// with spin_lock_irqsave, which an interrupt handler also takes) must not wait
// for a class lock under that IRQ-safe lock (ABBA with the handler). It gets
// the ring's reserve, then trylock frees.
TEST(Deferred, TaskWithIrqsDisabledNeverWaitsForALock)
{
	expect_no_lock_waited_for([](bool on) { host::t_irqs_disabled = on; }, "a task with IRQs disabled", false);
}

// An interrupt on the same CPU parks in the middle of a task's park (here: an
// "IRQ" thread on the task's CPU, which takes no CPU mutex, racing it): slots
// are reserved with one RMW before they are stored, so no slot is shared,
// none is lost, and the drainer waits for reserved slots to be stored.
TEST_P(DeferredByPolicy, InterruptsParkingInTheMiddleOfATaskPark)
{
	const long warned = host::warnings.load(); // other tests' misuse warnings
	zsx_core_pool *p = make(GetParam(), 32);
	long handles = host::handles_live.load();
	const int n = 30000;
	auto produce = [&](bool irq) {
		host::pin_to_cpu(3);
		host::t_in_irq = irq;
		for (int i = 0; i < n; ++i)
			zsx_core_free_deferred(p, zsx_core_malloc(p, 48 + (i * 53) % 2000, 0, -1));
		host::t_in_irq = false;
	};
	std::thread task(produce, false), irq(produce, true);
	task.join();
	irq.join();
	zsx_core_deferred_flush(p);
	struct zsx_core_deferred_stats st;
	zsx_core_deferred_stats(p, &st);
	EXPECT_EQ(st.enqueued + st.fallbacks + st.spilled, 2ul * n);
	EXPECT_EQ(st.drained, st.enqueued) << "a parked handle was lost or freed twice";
	struct zsx_core_pool_stats ps;
	zsx_core_pool_stats(p, &ps);
	EXPECT_EQ(ps.late_frees, st.spilled) << "a spilled handle was lost or freed twice";
	EXPECT_EQ(st.pending, 0u);
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	EXPECT_EQ(host::handles_live.load(), handles);
	EXPECT_EQ(host::warnings.load() - warned, 0);
	zsx_core_pool_destroy(p);
}

// A drainer frees at most hold_max handles per class-lock hold: 1000 handles
// of one class with hold_max 10 take the class lock at least 100 times.
TEST(Deferred, DrainersHoldAClassLockForAtMostHoldMaxHandles)
{
	zsx_core_pool *p = make(best_policy(), 4096);
	zsx_core_deferred_set_hold_max(p, 10);
	std::vector<unsigned long> hs;
	for (int i = 0; i < 1000; ++i)
		hs.push_back(zsx_core_malloc(p, 100, 0, -1));
	long locks = host::drainer_locks.load();
	for (unsigned long h : hs)
		zsx_core_free_deferred(p, h);
	zsx_core_deferred_flush(p);
	struct zsx_core_deferred_stats st;
	zsx_core_deferred_stats(p, &st);
	EXPECT_EQ(st.hold_max, 10u);
	EXPECT_EQ(st.drained, 1000u);
	// base (no class in obj): each handle is a synchronous free of its own
	if (zsx_core_has_classidx()) {
		EXPECT_GT(st.longest_hold_ns, 0u) << "the drainers' lock holds were not measured";
	}
	EXPECT_GE(host::drainer_locks.load() - locks, 100) << "a class-lock hold freed more than hold_max objects";
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	zsx_core_pool_destroy(p);
}

// A task that finds its CPU's ring full frees the ring's oldest batch itself
// (class-batched, in order, under the ring's take lock: with hold_max 8 a
// rescheduling point between holds would abort the hosted run) and parks its
// handle: no synchronous fallback. The first 64 handles parked are the ones
// freed, and every count adds up.
TEST(Deferred, FullRingIsDrainedByItsProducer)
{
	const unsigned task_limit = 256;
	zsx_core_pool *p = make(best_policy(), task_limit);
	long delay_scale = host::work_delay_scale.exchange(1); // timers wait their delay (default: none)
	zsx_core_deferred_set_delay(p, 100000);                // no low-water timer inside the test
	zsx_core_deferred_set_hold_max(p, 8);
	const unsigned long oldest_size = 3000, rest_size = 300;
	int oldest_class = zsx_core_pool_class_index(p, oldest_size);
	EXPECT_NE(oldest_class, zsx_core_pool_class_index(p, rest_size));
	unsigned long pending_when_full = 0;
	std::thread([&] {
		host::pin_to_cpu(0);
		// drainers take nothing while paused: the ring fills to its task limit
		zsx_core_deferred_set_paused(p, 1);
		for (unsigned i = 0; i < task_limit; ++i)
			zsx_core_free_deferred(p, zsx_core_malloc(p, i < 64 ? oldest_size : rest_size, 0, -1));
		zsx_core_deferred_set_paused(p, 0); // resuming kicks nothing
		pending_when_full = zsx_core_deferred_cpu_pending(p, 0);
		zsx_core_free_deferred(p, zsx_core_malloc(p, rest_size, 0, -1));
	}).join();
	EXPECT_EQ(pending_when_full, (unsigned long)task_limit);
	struct zsx_core_deferred_stats st;
	EXPECT_EQ(zsx_core_deferred_stats(p, &st), 0);
	EXPECT_EQ(st.fallbacks, 0u) << "a full ring made its producer free synchronously";
	EXPECT_EQ(st.producer_drains, 1u);
	EXPECT_EQ(st.producer_drained, 64u) << "the producer did not free one batch";
	if (zsx_core_has_classidx()) { // base frees one handle per hold
		EXPECT_GE(st.holds, 8u) << "the producer's batch was not freed 8 per class-lock hold";
	}
	EXPECT_EQ(st.enqueued, task_limit + 1ul) << "the producer's own handle was not parked";
	EXPECT_EQ(zsx_core_deferred_cpu_pending(p, 0), task_limit + 1ul - 64);
	struct zsx_core_class_stats cs;
	EXPECT_EQ(zsx_core_pool_class_stats(p, oldest_class, &cs), 0);
	EXPECT_EQ(cs.obj_used, 0u) << "the batch freed was not the ring's oldest";
	EXPECT_EQ(zsx_core_objects_in_use(p), task_limit + 1ul - 64);
	host::work_delay_scale = delay_scale;
	zsx_core_deferred_flush(p);
	EXPECT_EQ(zsx_core_deferred_stats(p, &st), 0);
	EXPECT_EQ(st.drained, st.enqueued) << "drainer and producer together did not free every parked handle once";
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	zsx_core_pool_destroy(p);
}

// Many producers on small rings, paused drainers half the time: producer
// drains race the drainers and flushes; nothing is lost or freed twice.
TEST(Deferred, ProducerDrainsRaceDrainersAndFlushes)
{
	zsx_core_pool *p = make(best_policy(), 32); // task limit 128
	long handles = host::handles_live.load();
	const int per_thread = 20000, threads = 4;
	std::atomic<bool> stop{false};
	std::vector<std::thread> ts;
	for (int t = 0; t < threads; ++t)
		ts.emplace_back([&, t] {
			host::pin_to_cpu(t % host::kCpus);
			for (int i = 0; i < per_thread; ++i)
				zsx_core_free_deferred(p, zsx_core_malloc(p, 16 + (i * 131 + t) % 3000, 0, -1));
		});
	std::thread flusher([&] {
		while (!stop.load())
			zsx_core_deferred_flush(p);
	});
	for (auto &t : ts)
		t.join();
	stop = true;
	flusher.join();
	zsx_core_deferred_flush(p);
	struct zsx_core_deferred_stats st;
	zsx_core_deferred_stats(p, &st);
	EXPECT_EQ(st.enqueued + st.fallbacks + st.spilled, (unsigned long)per_thread * threads);
	EXPECT_EQ(st.drained, st.enqueued) << "a parked handle was lost or freed twice";
	struct zsx_core_pool_stats ps;
	zsx_core_pool_stats(p, &ps);
	EXPECT_EQ(ps.late_frees, st.spilled) << "a spilled handle was lost or freed twice";
	EXPECT_GT(st.producer_drains, 0u) << "no producer found its ring full: the race was not run";
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	EXPECT_EQ(zsx_core_total_pages(p), 0u);
	EXPECT_EQ(host::handles_live.load(), handles);
	zsx_core_pool_destroy(p);
}

// Pool option ZSX_DEFERRED_RELEASE ("defer only the zspage release"): objects
// are freed at once and an emptied zspage's pages go to the release worker;
// the pool counts them until that worker has released them.
TEST(Deferred, ReleaseOnlyHandsEmptiedZspagesToTheWorker)
{
	zsx_core_pool *p = make(best_policy(), 0);
	zsx_core_pool_set_release_deferred(p);
	long pages = host::pages_live.load();
	std::vector<unsigned long> hs;
	for (int i = 0; i < 2000; ++i)
		hs.push_back(zsx_core_malloc(p, 1000, 0, -1));
	long pool_pages = host::pages_live.load() - pages;
	EXPECT_GT(pool_pages, 0);
	for (unsigned long h : hs)
		zsx_core_free_deferred(p, h); // no rings: freed at once
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	EXPECT_EQ(host::pages_live.load() - pages, pool_pages) << "pages released by the freeing caller";
	EXPECT_EQ(long(zsx_core_total_pages(p)), pool_pages)
		<< "pages waiting for the release worker are no longer counted: the pool under-reports what it holds";
	zsx_plat_flush_deferred_releases();
	EXPECT_EQ(host::pages_live.load(), pages) << "the release worker did not free the pages";
	EXPECT_EQ(zsx_core_total_pages(p), 0u) << "released pages still counted";
	zsx_core_pool_destroy(p);
}

// Regression: flush looped (up to 1000 rounds, then warned) while
// another CPU kept producing. One drain run frees everything enqueued before
// the call: flush returns, no warning, and those objects are gone.
TEST(Deferred, FlushReturnsWhileAnotherCpuKeepsProducing)
{
	zsx_core_pool *p = make(best_policy(), 64);
	long warnings = host::warnings.load();
	// the objects freed before the flush live in a class of their own
	const unsigned long before_size = 3000, producer_size = 300;
	int before_class = zsx_core_pool_class_index(p, before_size);
	ASSERT_NE(before_class, zsx_core_pool_class_index(p, producer_size));
	std::vector<unsigned long> before;
	for (int i = 0; i < 500; ++i)
		before.push_back(zsx_core_malloc(p, before_size, 0, -1));
	std::atomic<bool> stop{false};
	std::atomic<long> produced{0};
	std::thread producer([&] {
		host::pin_to_cpu(1);
		while (!stop.load()) {
			zsx_core_free_deferred(p, zsx_core_malloc(p, producer_size, 0, -1));
			produced++;
		}
	});
	while (produced.load() < 1000)
		std::this_thread::yield();
	std::thread([&] {
		host::pin_to_cpu(0);
		for (unsigned long h : before)
			zsx_core_free_deferred(p, h);
		zsx_core_deferred_flush(p);
	}).join();
	struct zsx_core_class_stats cs;
	ASSERT_EQ(zsx_core_pool_class_stats(p, before_class, &cs), 0);
	EXPECT_EQ(cs.obj_used, 0u) << "objects enqueued before the flush are still live";
	EXPECT_EQ(zsx_core_deferred_cpu_pending(p, 0), 0u) << "the flushing CPU's handles were not all drained";
	EXPECT_EQ(host::warnings.load(), warnings) << "flush warned";
	stop = true;
	producer.join();
	zsx_core_deferred_flush(p);
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	zsx_core_pool_destroy(p);
	host::warnings = warnings;
}

// Regression: on a debug pool, the same handle deferred twice and
// drained in one run, with other objects in its zspage, was freed twice: the
// slot went on the free list twice and two later mallocs shared it. Now the
// second free is refused (one warning) and nothing is corrupted.
TEST_P(DeferredByPolicy, DoubleDeferredFreeInOneDrainIsRefused)
{
	zsx_core_pool *p = make(GetParam(), 256);
	ASSERT_EQ(zsx_core_pool_set_debug(p), 0);
	long warnings = host::warnings.load(), handles = host::handles_live.load();
	unsigned long keep = zsx_core_malloc(p, 200, 0, -1), twice = zsx_core_malloc(p, 200, 0, -1);
	unsigned long pfn_keep, pfn_twice;
	unsigned idx, cls;
	ASSERT_EQ(zsx_core_handle_location(p, keep, &pfn_keep, &idx, &cls), 0);
	ASSERT_EQ(zsx_core_handle_location(p, twice, &pfn_twice, &idx, &cls), 0);
	ASSERT_EQ(pfn_keep, pfn_twice) << "the two objects must share a zspage page";
	zsx_core_free_deferred(p, twice);
	zsx_core_free_deferred(p, twice);
	zsx_core_deferred_flush(p);
	EXPECT_EQ(host::warnings.load(), warnings + 1) << "the second free must be refused with one warning";
	EXPECT_EQ(zsx_core_objects_in_use(p), 1u) << "exactly one object was freed";
	// no slot is handed out twice
	std::vector<unsigned long> fresh;
	std::set<std::pair<unsigned long, unsigned>> places;
	for (int i = 0; i < 64; ++i) {
		unsigned long h = zsx_core_malloc(p, 200, 0, -1), pfn;
		unsigned slot, c;
		ASSERT_EQ(zsx_core_handle_location(p, h, &pfn, &slot, &c), 0);
		EXPECT_TRUE(places.insert({pfn, slot}).second) << "slot " << pfn << ":" << slot << " handed out twice";
		fresh.push_back(h);
	}
	EXPECT_EQ(zsx_core_objects_in_use(p), 65u);
	for (unsigned long h : fresh)
		zsx_core_free(p, h);
	zsx_core_free(p, keep);
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	EXPECT_EQ(zsx_core_total_pages(p), 0u);
	zsx_core_pool_destroy(p);
	EXPECT_EQ(host::handles_live.load(), handles);
	host::warnings = warnings;
}

TEST(Deferred, OffIsAPlainFree)
{
	zsx_core_pool *p = make(best_policy(), 0);
	zsx_core_free_deferred(p, zsx_core_malloc(p, 300, 0, -1));
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	struct zsx_core_deferred_stats st;
	EXPECT_NE(zsx_core_deferred_stats(p, &st), 0);
	zsx_core_pool_destroy(p);
}

} // namespace
