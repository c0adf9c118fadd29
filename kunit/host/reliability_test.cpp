// SPDX-License-Identifier: GPL-2.0
// Hosted tests of the pool's promises at its edges: how its memory scales with
// CPUs, refused handles, the contexts zsx_free_deferred may be called from,
// the release worker's page count, clocks across CPUs and lock-free counts.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core.h"
#include "host_platform.hpp"
#include "platform_abi.h"

namespace {

constexpr unsigned long kPage = 1ul << ZSX_PAGE_SHIFT;

int best_policy() { return zsx_core_has_classidx() ? ZSX_CORE_FREE_CLASSIDX_UNLOCKED : ZSX_CORE_FREE_BASE; }

zsx_core_pool *make(int policy, unsigned per_cpu)
{
	int err = 0;
	zsx_core_pool *p = zsx_core_pool_create(ZSX_CHAIN_SIZE, policy, per_cpu, &err);
	EXPECT_EQ(err, 0);
	return p;
}

// ---- per-CPU memory ------------------------------------------------------------

// No allocation of a pool grows with the number of CPUs: one kmalloc of
// (deferred scratch x nr_cpu_ids) was an order-11 request at 177 possible
// CPUs, which the page allocator refuses, so pool creation failed.
TEST(PerCpuMemory, NoKmallocLargerThanTwoPagesWhateverTheRings)
{
	host::largest_zalloc = 0;
	long large = host::large_zallocs.load();
	zsx_core_pool *p = make(best_policy(), 1u << 16); // rings of 64K handles per CPU
	ASSERT_NE(p, nullptr);
	EXPECT_LE(host::largest_zalloc.load(), 2 * 4096ul)
		<< "a pool allocation that fragmentation can fail (more than order 1 at 4K pages)";
	// per online CPU: its slots and its drain scratch, each not necessarily contiguous;
	// plus the class array
	EXPECT_EQ(host::large_zallocs.load() - large, 2 * host::kCpus + 1);
	zsx_core_pool_destroy(p);
	EXPECT_EQ(host::large_zallocs.load(), large) << "per-CPU memory leaked";
}

// A CPU that is down when the pool is created gets its ring when it comes up
// (the shim's CPU-prepare callback); until then the pool spends nothing on it.
TEST(PerCpuMemory, RingsForCpusThatComeUpLater)
{
	host::cpu_up[3] = false;
	long large = host::large_zallocs.load();
	zsx_core_pool *p = make(best_policy(), 256);
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(host::large_zallocs.load() - large, 2 * (host::kCpus - 1) + 1) << "memory for an offline CPU";
	zsx_core_deferred_flush(p); // skips the ring that does not exist
	struct zsx_core_deferred_stats st;
	ASSERT_EQ(zsx_core_deferred_stats(p, &st), 0);
	EXPECT_EQ(st.pending, 0u);

	host::zalloc_large_fail = true;
	EXPECT_EQ(zsx_core_deferred_cpu_prepare(p, 3), -12) << "no memory must keep the CPU down (-ENOMEM)";
	host::zalloc_large_fail = false;
	EXPECT_EQ(host::large_zallocs.load() - large, 2 * (host::kCpus - 1) + 1) << "a failed prepare leaked";

	host::cpu_up[3] = true;
	ASSERT_EQ(zsx_core_deferred_cpu_prepare(p, 3), 0);
	ASSERT_EQ(zsx_core_deferred_cpu_prepare(p, 3), 0) << "prepare must be idempotent (a CPU back up)";
	std::thread([&] {
		host::pin_to_cpu(3);
		for (int i = 0; i < 100; ++i)
			zsx_core_free_deferred(p, zsx_core_malloc(p, 500, 0, -1));
	}).join();
	zsx_core_deferred_flush(p);
	ASSERT_EQ(zsx_core_deferred_stats(p, &st), 0);
	EXPECT_EQ(st.enqueued, 100u) << "the late CPU's ring did not park";
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	zsx_core_pool_destroy(p);
	EXPECT_EQ(host::large_zallocs.load(), large);
}

// Creation fails cleanly (-ENOMEM, nothing leaked) when a ring's memory is refused.
TEST(PerCpuMemory, CreationFailsCleanlyWithoutRingMemory)
{
	long large = host::large_zallocs.load(), pages = host::pages_live.load();
	host::zalloc_large_fail = true;
	int err = 0;
	zsx_core_pool *p = zsx_core_pool_create(ZSX_CHAIN_SIZE, best_policy(), 256, &err);
	host::zalloc_large_fail = false;
	EXPECT_EQ(p, nullptr);
	EXPECT_EQ(err, -12);
	EXPECT_EQ(host::large_zallocs.load(), large);
	EXPECT_EQ(host::pages_live.load(), pages);
}

// ---- refused handles -------------------------------------------------------------

// A handle whose obj names no page of the pool: map and read_begin refuse it
// and their ends, which callers make whatever the begin returned, undo
// exactly what the begin did (nothing pinned, the per-CPU state given back).
TEST(RefusedHandles, MapAndReadOfARefusedHandleEndCleanly)
{
	for (int debug = 0; debug < 2; ++debug) {
		zsx_core_pool *p = make(best_policy(), 0);
		if (debug) {
			ASSERT_EQ(zsx_core_pool_set_debug(p), 0);
		}
		// a live object first, so the per-CPU map state holds a zspage from an earlier map
		unsigned long live = zsx_core_malloc(p, 3000, 0, -1);
		ASSERT_NE(zsx_core_map(p, live, 0), nullptr);
		zsx_core_unmap(p, live);
		long warnings = host::warnings.load();
		// a one-word handle as another pool's: PFN far beyond any page
		auto *foreign = static_cast<unsigned long *>(calloc(1, sizeof(unsigned long)));
		*foreign = ~0ul << 20;
		unsigned long h = reinterpret_cast<unsigned long>(foreign);
		EXPECT_EQ(zsx_core_map(p, h, 0), nullptr) << "debug=" << debug;
		zsx_core_unmap(p, h);
		EXPECT_EQ(host::cpu_area_depth(), 0) << "the refused map's per-CPU state was not given back";
		char buf[64];
		void *mem = zsx_core_read_begin(p, h, sizeof(buf), buf);
		EXPECT_EQ(mem, nullptr);
		zsx_core_read_end(p, h, mem);
		EXPECT_GE(host::warnings.load() - warnings, 2) << "refusals must be warned";
		// the pool still works, and its live object is intact
		ASSERT_NE(zsx_core_map(p, live, 1), nullptr);
		zsx_core_unmap(p, live);
		EXPECT_EQ(host::cpu_area_depth(), 0);
		zsx_core_free(p, live);
		EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
		zsx_core_pool_destroy(p);
		free(foreign);
	}
}

// A debug pool handed another pool's one-word handle refuses it from its obj,
// without reading past the word (ASan reports that read in the hosted builds).
TEST(RefusedHandles, DebugPoolRefusesAOneWordHandleWithoutReadingPastIt)
{
	zsx_core_pool *product = make(best_policy(), 0), *debug = make(best_policy(), 0);
	ASSERT_EQ(zsx_core_pool_set_debug(debug), 0);
	unsigned long h = zsx_core_malloc(product, 100, 0, -1);
	long foreign = host::warnings_by_kind[ZSX_MISUSE_FOREIGN_HANDLE].load();
	zsx_core_free(debug, h);
	zsx_core_free_deferred(debug, h);
	EXPECT_EQ(zsx_core_map(debug, h, 0), nullptr);
	zsx_core_unmap(debug, h);
	EXPECT_EQ(host::warnings_by_kind[ZSX_MISUSE_FOREIGN_HANDLE].load() - foreign, 3);
	EXPECT_EQ(zsx_core_objects_in_use(product), 1u) << "another pool's object was freed";
	zsx_core_free(product, h);
	zsx_core_pool_destroy(debug);
	zsx_core_pool_destroy(product);
}

// ---- contexts ----------------------------------------------------------------------

// zsx_free_deferred may be called in any context but NMI on every pool type:
// a pool without rings (deferred off, release-only) must not take a class
// lock where the caller may not wait for one; the late-free work frees those
// objects in process context, a reschedule point every 64.
TEST(Contexts, PoolsWithoutRingsNeverWaitForALockInInterruptContext)
{
	for (int release_only = 0; release_only < 2; ++release_only) {
		zsx_core_pool *p = make(best_policy(), 0);
		if (release_only)
			zsx_core_pool_set_release_deferred(p);
		std::vector<unsigned long> hs;
		for (int i = 0; i < 1000; ++i)
			hs.push_back(zsx_core_malloc(p, 100 + i, 0, -1));
		long waits = host::forbidden_lock_waits.load(), resched = host::cond_resched_calls.load();
		long irq_allocs = host::irq_allocations.load();
		host::work_gate_closed = true; // one late-free run frees them all
		std::thread([&] {
			host::t_in_irq = true;
			for (unsigned long h : hs)
				zsx_core_free_deferred(p, h);
			host::t_in_irq = false;
		}).join();
		EXPECT_EQ(zsx_core_objects_in_use(p), hs.size()) << "freed in interrupt context";
		EXPECT_EQ(host::irq_allocations.load() - irq_allocs, 0)
			<< "memory allocated in interrupt context (release_only=" << release_only << ")";
		host::work_gate_closed = false;
		zsx_core_deferred_flush(p);
		EXPECT_EQ(host::forbidden_lock_waits.load() - waits, 0)
			<< "a lock waited for in interrupt context (release_only=" << release_only << ")";
		struct zsx_core_pool_stats ps;
		zsx_core_pool_stats(p, &ps);
		EXPECT_EQ(ps.late_frees, hs.size());
		EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
		EXPECT_GE(host::cond_resched_calls.load() - resched, long(hs.size() / 64))
			<< "the late frees ran without reschedule points";
		zsx_plat_flush_deferred_releases();
		EXPECT_EQ(zsx_core_total_pages(p), 0u);
		zsx_core_pool_destroy(p);
	}
}

// A burst from interrupt context larger than the pool's late-free slots, with
// the late-free work held off. From a hard interrupt nothing is allocated:
// the slots take what they hold, the rest is kept and counted (freed when the
// pool goes, with every handle). From a softirq the rest goes on the overflow
// list (an atomic allocation is allowed there) and nothing is kept. Neither
// frees in interrupt context; the work frees all it was handed.
TEST(Contexts, LateFreeSlotsFullOverflowOrKeepTheRest)
{
	const unsigned slots = 1024, burst = slots + 76;
	for (int hard = 0; hard < 2; ++hard) {
		zsx_core_pool *p = make(best_policy(), 0);
		long handles = host::handles_live.load(), irq_allocs = host::irq_allocations.load();
		std::vector<unsigned long> hs;
		for (unsigned i = 0; i < burst; ++i)
			hs.push_back(zsx_core_malloc(p, 64 + i % 2000, 0, -1));
		host::work_gate_closed = true;
		std::thread([&] {
			host::t_in_irq = true;
			host::t_in_hardirq = hard;
			for (unsigned long h : hs)
				zsx_core_free_deferred(p, h);
			host::t_in_irq = host::t_in_hardirq = false;
		}).join();
		EXPECT_EQ(host::irq_allocations.load() - irq_allocs, 0) << "memory allocated in a hard interrupt";
		EXPECT_EQ(zsx_core_objects_in_use(p), burst) << "freed in interrupt context (hard=" << hard << ")";
		struct zsx_core_pool_stats ps;
		zsx_core_pool_stats(p, &ps);
		unsigned kept = hard ? burst - slots : 0;
		EXPECT_EQ(ps.late_kept, kept) << "hard=" << hard;
		host::work_gate_closed = false;
		zsx_core_deferred_flush(p);
		zsx_core_pool_stats(p, &ps);
		EXPECT_EQ(ps.late_frees, burst - kept) << "hard=" << hard;
		EXPECT_EQ(zsx_core_objects_in_use(p), kept) << "kept objects stay until the pool goes";
		zsx_core_pool_destroy(p);
		EXPECT_EQ(host::handles_live.load(), handles) << "a kept object's handle outlived its pool";
	}
}

// ---- clocks ---------------------------------------------------------------------------

// A drainer run reschedules between chunks and may end on another CPU, whose
// local clock may be behind: its duration comes from a clock common to all
// CPUs, or it wraps to ~2^64 ns.
TEST(Clocks, DrainDurationsSurviveAMoveToACpuWhoseClockIsBehind)
{
	zsx_core_pool *p = make(best_policy(), 1u << 13);
	zsx_core_deferred_set_paused(p, 1);
	std::thread([&] {
		host::pin_to_cpu(0);
		for (int i = 0; i < 6000; ++i)
			zsx_core_free_deferred(p, zsx_core_malloc(p, 64 + (i * 97) % 3000, 0, -1));
	}).join();
	host::local_clock_skew_ns = -1000000000ll; // CPU k's clock k seconds behind CPU 0's
	host::migrate_on_resched = true;
	zsx_core_deferred_set_paused(p, 0);
	zsx_core_deferred_flush(p);
	host::migrate_on_resched = false;
	host::local_clock_skew_ns = 0;
	struct zsx_core_deferred_stats st;
	ASSERT_EQ(zsx_core_deferred_stats(p, &st), 0);
	EXPECT_GT(st.drained, 0u);
	EXPECT_LT(st.longest_drain_ns, 500000000ul) << "a drain duration wrapped across CPUs";
	EXPECT_LT(st.drain_ns, 500000000ul);
	EXPECT_LT(st.longest_hold_ns, 500000000ul);
	EXPECT_EQ(zsx_core_objects_in_use(p), 0u);
	zsx_core_pool_destroy(p);
}

// ---- the shrinker's count -------------------------------------------------------------

// The shrinker's count runs on every shrink_slab call: it takes no class lock.
TEST(ShrinkerCount, TakesNoLock)
{
	zsx_core_pool *p = make(best_policy(), 256);
	std::vector<unsigned long> hs;
	for (int i = 0; i < 3000; ++i)
		hs.push_back(zsx_core_malloc(p, 40 + (i * 131) % 3000, 0, -1));
	for (unsigned i = 0; i < hs.size(); i += 2)
		zsx_core_free(p, hs[i]);
	long locks = host::t_lock_calls;
	unsigned long n = zsx_core_compactable_pages(p) + zsx_core_deferred_pending(p);
	EXPECT_EQ(host::t_lock_calls - locks, 0) << "the shrinker's count took locks";
	EXPECT_GT(n, 0u) << "half the objects freed: some zspages must be compactable";
	for (unsigned i = 1; i < hs.size(); i += 2)
		zsx_core_free(p, hs[i]);
	EXPECT_EQ(zsx_core_compactable_pages(p), 0u);
	zsx_core_pool_destroy(p);
}

} // namespace
