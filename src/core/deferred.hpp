// SPDX-License-Identifier: GPL-2.0
// Deferred freeing: zsx_free_deferred() parks a handle in this CPU's ring
// (defer_ring.h: one this-CPU read-modify-write, no IRQ flags, no call) and
// each CPU's ring has its own drainer, a work item on an unbound workqueue:
// N CPUs freeing get N drainers. A completed run of the ring's kick length
// (1024 handles, fewer on a small ring) kicks the drainer at once; a
// low-water timer pinned to the ring's CPU kicks it for the rest. The drainer frees class by class, at most hold_max handles
// per class-lock hold. The protocol and its ordering argument are in
// docs/design.md ("Deferred freeing"); the contexts that may call it:
//
//   task, IRQs and softirqs on (zram's and zswap's callers, spinlocks held or
//       not): park; on a full ring (task_limit) the producer frees the ring's
//       oldest batch itself under the ring's take lock (a "producer drain": no
//       rescheduling, its caller may hold spinlocks) and parks. It frees its
//       own handle synchronously (a "fallback") only if that freed nothing (a
//       paused pool, the oldest slot reserved and not yet stored) or the ring
//       is still full (interrupts had parked beyond task_limit)
//   softirq, hardirq, or a task that disabled IRQs or softirqs (it may hold a
//       lock an interrupt or softirq handler also takes): never waits for a pool lock.
//       Park up to atomic_limit; beyond it a task frees synchronously if the
//       class lock is free right now (trylock), and otherwise, as in interrupt
//       context, the handle goes on the pool's spill list (a node allocated
//       without sleeping; the drainers free those)
//   NMI: not supported. A pool with deferred freeing off frees synchronously:
//       zsx_free's contexts (task, IRQs and softirqs on) apply.
#pragma once

#include "atomic.hpp"
#include "core.h"
#include "defer_ring.h"
#include "platform.hpp"
#include "pool.hpp"

namespace zsx {

using DeferStats = struct ::zsx_core_deferred_stats; // core.h ("struct": a function of that name exists)

class DeferredFree {
public:
	static constexpr unsigned kDefaultLowWaterMs = 20;
	static constexpr unsigned kDefaultHoldMax = 64;
	// handles taken from a ring per pass: sorted by class, then freed
	static constexpr unsigned kChunk = Pool::kFreeBatchMax; // free_batch sorts this many at once
	// a drainer run frees at most this many rings' worth before it requeues
	// itself: flush waits for one run, and producers may keep its ring busy
	static constexpr unsigned kRunRings = 2;
	// each ring's: the drainer's handles taken and free_batch's sort space,
	// then the same for a producer drain (used under the take lock)
	static constexpr unsigned long kDrainerScratch = kChunk + Pool::free_batch_scratch_words(kChunk);
	static constexpr unsigned long kProducerScratch =
		ZSX_DEFER_BATCH + Pool::free_batch_scratch_words(ZSX_DEFER_BATCH);
	static constexpr unsigned long kScratchWords = kDrainerScratch + kProducerScratch;

	// handles_per_cpu: the task limit of each CPU's ring (at least 2 batches).
	// Rings are prepared for the CPUs online now; the caller prepares any
	// other CPU before it runs the pool's code (the shim: a hotplug instance).
	static DeferredFree *create(Pool *pool, unsigned handles_per_cpu, int *err);
	void destroy(); // flushes first
	// a CPU is coming up (process context): its ring's memory, on its node;
	// kOk or kENOMEM (the CPU must not come up). Idempotent.
	int cpu_prepare(int cpu);

	void set_low_water_ms(unsigned ms);
	void set_hold_max(unsigned n) { store_relaxed(&hold_max_, n ? n : 1u); }
	unsigned hold_max() const { return load_relaxed(&hold_max_); }
	struct zsx_defer_ring *rings() const { return rings_; }
	// tests: drainers take nothing while paused (flush would wait: resume first);
	// resuming kicks nothing
	void set_paused(bool on);

	// the slow path of zsx_free_deferred (debug pools, tracing, a full ring)
	void enqueue(unsigned long handle);
	void flush();           // process context: every handle parked before the call is freed on return
	void drain(int cpu);    // the ring's work item
	void kick_all();        // any context: every ring's drainer runs soon (the shrinker)
	void cpu_dead(int cpu); // hotplug: the ring is drained from another CPU
	void stats(DeferStats *out) const;
	unsigned long cpu_pending(int cpu) const;
	unsigned long pending() const;

private:
	struct zsx_defer_ring *ring(int cpu) const;
	// the ring of a CPU that was prepared (nullptr: never up since creation)
	struct zsx_defer_ring *ready_ring(int cpu) const;
	void spill(unsigned long handle);
	void producer_drain(struct zsx_defer_ring *r);
	unsigned take(struct zsx_defer_ring *r, unsigned long *out, unsigned max);

	Pool *pool_;
	struct zsx_defer_ring *rings_; // per CPU (Plat::percpu_zalloc); slots and scratch per prepared CPU
	unsigned hold_max_;
	unsigned low_water_ms_; // for rings prepared later
	bool paused_;
	bool ready_; // fully constructed: destroy() may flush
};

} // namespace zsx
