// SPDX-License-Identifier: GPL-2.0
// Deferred freeing: zsx_free_deferred() parks a handle in this CPU's buffer
// (no lock, no atomic read-modify-write on the common path) and a single
// drainer work item frees them later, class by class.
//
// ---- Buffers and the handoff ---------------------------------------------------
// Each CPU owns two equal buffers. At any moment one is `active` (written only
// by the producer on that CPU, with IRQs off) and the other is in exactly one of
// three places:
//   pending  - handed to the drainer, not yet taken   (producer -> drainer)
//   (taken)  - being drained, in the drainer's hands
//   returned - drained and given back                  (drainer -> producer)
//
//   producer, active full:                  drainer:
//     spare = load_acquire(&returned)  (A)    buf = xchg_acq_rel(&pending, 0)  (C)
//     if (!spare) -> free synchronously       free buf->h[0 .. buf->n)
//     returned = 0                            store_release(&returned, buf)   (D)
//     active->n = count
//     store_release(&pending, active)  (B)
//     active = spare; count = 0
//
// Why it is correct on weakly ordered CPUs (arm64):
//  - (B) releases the handle stores and active->n; (C) acquires them, so the
//    drainer reads exactly the handles the producer wrote.
//  - The drainer's reads of buf happen before (D); the producer writes into
//    that buffer again only after (A) observed (D) with acquire. So a producer
//    never writes into a buffer the drainer still reads.
//  - The producer stores to `pending` only after taking `returned`, and the
//    drainer sets `returned` only after emptying `pending` (C), so (B) never
//    overwrites a buffer the drainer has not taken: with two buffers, pending
//    and returned are never both non-null.
//  - `count` and `active` are touched only by the owning CPU with IRQs off, or
//    by run_on_cpu() on that CPU (an IPI: IRQs off too), or after that CPU is
//    dead; so they need no atomics. `count` is stored with relaxed atomics only
//    so that statistics readers are not data races.
// When the other buffer is still in flight the producer frees synchronously:
// nothing waits unboundedly and nothing is lost. Not in task context (hard or
// soft IRQ) it may not take the pool's locks (the interrupted task could hold
// them): the handle is pushed on this CPU's overflow list instead, linked
// through the handle's second word (a lock-free push with compare-and-swap,
// on this rare path only), and the drainer frees it.
#pragma once

#include "atomic.hpp"
#include "core.h"
#include "platform.hpp"

namespace zsx {

class Pool;

struct DeferBuffer {
	u32 n;
	u32 cap;
	unsigned long h[1]; // cap entries
	static usize bytes(u32 cap) { return sizeof(DeferBuffer) + (cap - 1) * sizeof(unsigned long); }
};

struct DeferCpu {
	DeferBuffer *active;
	u32 count;
	DeferBuffer *pending;
	DeferBuffer *returned;
	DeferBuffer *buffers[2]; // ownership, for teardown
	unsigned long *overflow; // handles parked from IRQ context with both buffers busy
	unsigned long enqueued;  // statistics (this CPU, IRQs off)
	unsigned long fallbacks;
	unsigned long overflowed;
};

using DeferStats = struct ::zsx_core_deferred_stats; // core.h ("struct": a function of that name exists)

class DeferredFree {
public:
	static constexpr unsigned kDefaultLowWaterMs = 20;
	void set_low_water_ms(unsigned ms) { store_relaxed(&low_water_ms_, ms); }

	// handles_per_cpu: the CPU's share of the budget, split over its two buffers.
	static DeferredFree *create(Pool *pool, unsigned handles_per_cpu, int *err);
	void destroy(); // flushes first

	void enqueue(unsigned long handle);
	void flush();          // process context: every parked handle is freed on return
	void drain();          // the work item
	void cpu_dead(int cpu); // hotplug: the drainer takes that CPU's buffers
	void stats(DeferStats *out) const;
	unsigned long cpu_pending(int cpu) const;

private:
	static bool hand_off(DeferCpu *c);
	static void hand_off_partial(void *arg);
	unsigned long drain_pending();

	Pool *pool_;
	void *pcpu_; // DeferCpu per CPU
	zsx_plat_work *work_;
	unsigned long *scratch_; // drainer's sort space (largest buffer)
	u32 buffer_cap_;
	unsigned low_water_ms_;
	bool ready_; // fully constructed: destroy() may flush
	// drainer-only statistics (one work item: never concurrent with itself)
	unsigned long drains_, drained_, classes_touched_, longest_ns_, total_ns_;
};

} // namespace zsx
