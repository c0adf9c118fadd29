// SPDX-License-Identifier: GPL-2.0
// Deferred freeing: the consumer side of the per-CPU rings (defer_ring.h) and
// the producer's slow path. Contexts and protocol: deferred.hpp, docs/design.md.
#include "deferred.hpp"

#include "pool.hpp"

namespace zsx {

namespace {
unsigned long pow2_at_least(unsigned long n)
{
	unsigned long p = 1;
	while (p < n)
		p <<= 1;
	return p;
}
} // namespace

struct zsx_defer_ring *DeferredFree::ring(int cpu) const
{
	return static_cast<struct zsx_defer_ring *>(Plat::percpu_ptr(rings_, cpu));
}

// acquire pairs with cpu_prepare's release of plat: slot and scratch are set
struct zsx_defer_ring *DeferredFree::ready_ring(int cpu) const
{
	if (!Plat::cpu_possible(cpu))
		return nullptr;
	struct zsx_defer_ring *r = ring(cpu);
	return load_acquire(&r->plat) ? r : nullptr;
}

DeferredFree *DeferredFree::create(Pool *pool, unsigned handles_per_cpu, int *err)
{
	*err = kENOMEM;
	auto *d = static_cast<DeferredFree *>(Plat::zalloc(sizeof(DeferredFree), kGfpKernel));
	if (!d)
		return nullptr;
	d->pool_ = pool;
	d->hold_max_ = kDefaultHoldMax;
	d->low_water_ms_ = kDefaultLowWaterMs;
	// task_limit = 3/4 of the ring: the last quarter is for callers that may
	// not free synchronously, less the nesting slack
	unsigned long task_limit = max_of<unsigned long>(handles_per_cpu, 2 * ZSX_DEFER_BATCH);
	unsigned long size = pow2_at_least(task_limit + task_limit / 3 + ZSX_DEFER_NESTING);
	// a kick per drain chunk (the drainer sorts that many at once: a real size
	// mix spreads 64 handles over about as many classes, one handle per hold),
	// and two kicks at least before a task finds its ring full
	unsigned long kick = ZSX_DEFER_BATCH;
	while (kick < kChunk && kick * 4 <= task_limit)
		kick *= 2;
	// the ring headers for every possible CPU (a few cache lines each); the
	// slots and the sort space only for CPUs that come up (cpu_prepare), so
	// a machine declaring hundreds of possible CPUs pays for the ones it has
	d->rings_ = static_cast<struct zsx_defer_ring *>(Plat::percpu_zalloc(sizeof(struct zsx_defer_ring)));
	if (!d->rings_)
		goto fail;
	for (int cpu = 0; cpu < Plat::nr_cpu_ids(); ++cpu) {
		if (!Plat::cpu_possible(cpu))
			continue;
		struct zsx_defer_ring *r = d->ring(cpu);
		r->cpu = cpu;
		r->mask = size - 1;
		r->kick_mask = kick - 1;
		r->task_limit = task_limit;
		r->atomic_limit = size - ZSX_DEFER_NESTING;
	}
	for (int cpu = 0; cpu < Plat::nr_cpu_ids(); ++cpu) {
		if (Plat::cpu_possible(cpu) && Plat::cpu_online(cpu) && d->cpu_prepare(cpu) != kOk)
			goto fail;
	}
	d->ready_ = true;
	*err = kOk;
	return d;
fail:
	d->destroy();
	return nullptr;
}

// Each allocation is one CPU's, on its node, and may be vmalloc-backed: the
// slots (mask + 1 words) and the sort space (kScratchWords, ~24 KiB) never
// need a high-order page, however many CPUs the machine has.
int DeferredFree::cpu_prepare(int cpu)
{
	if (!Plat::cpu_possible(cpu))
		return kEINVAL;
	struct zsx_defer_ring *r = ring(cpu);
	if (load_acquire(&r->plat))
		return kOk; // prepared before: the CPU went down and comes back
	auto *slot = static_cast<unsigned long *>(Plat::zalloc_large((r->mask + 1) * sizeof(unsigned long), cpu));
	auto *scratch = static_cast<unsigned long *>(Plat::zalloc_large(kScratchWords * sizeof(unsigned long), cpu));
	struct zsx_plat_defer_cpu *plat = nullptr;
	if (slot && scratch) {
		r->slot = slot;
		r->scratch = scratch;
		plat = Plat::defer_cpu_new(
			r, [](void *arg, int c) { static_cast<DeferredFree *>(arg)->drain(c); }, this,
			load_relaxed(&low_water_ms_));
	}
	if (!plat) {
		r->slot = nullptr;
		r->scratch = nullptr;
		Plat::free_large(slot);
		Plat::free_large(scratch);
		return kENOMEM;
	}
	// release: whoever sees plat (readers: ready_ring) sees slot and scratch
	store_release(&r->plat, plat);
	return kOk;
}

void DeferredFree::destroy()
{
	store_relaxed(&paused_, false); // a paused pool could never be flushed
	if (ready_)
		flush();
	if (rings_) {
		for (int cpu = 0; cpu < Plat::nr_cpu_ids(); ++cpu) {
			struct zsx_defer_ring *r = ready_ring(cpu);
			if (!r)
				continue;
			Plat::defer_cpu_delete(r->plat); // waits for its timer and work
			Plat::free_large(r->slot);
			Plat::free_large(r->scratch);
		}
		Plat::percpu_free(rings_);
	}
	Plat::free(this);
}

// before the pool is published (rings prepared later read low_water_ms_)
void DeferredFree::set_low_water_ms(unsigned ms)
{
	store_relaxed(&low_water_ms_, ms);
	for (int cpu = 0; cpu < Plat::nr_cpu_ids(); ++cpu)
		if (struct zsx_defer_ring *r = ready_ring(cpu))
			Plat::defer_set_delay(r->plat, ms);
}

void DeferredFree::enqueue(unsigned long handle)
{
	if (zsx_unlikely(is_err_or_null(handle)))
		return;
	// debug pools: a handle is checked where it is freed (under its class lock,
	// where its obj is stable), not here, where any context may call
	if (Plat::tracing()) {
		// the object is still the caller's: its obj (and class) is stable
		Plat::trace_free(pool_->owner(), handle, pool_->trace_class_of(handle),
				 ZSX_TRACE_FREE_DEFERRED_ENQUEUE);
	}
	if (zsx_likely(Plat::defer_park(rings_, handle, 0)))
		return;
	// this CPU's ring holds task_limit handles: its drainer is behind. The
	// producer frees the ring's oldest batch itself (in order, class-batched)
	// and parks (deferred.hpp: when it falls back).
	if (Plat::may_lock()) {
		struct zsx_defer_ring *r = Plat::defer_this_ring(rings_);
		// parks even if the drain took nothing: the drainer may have emptied the ring meanwhile
		producer_drain(r);
		if (Plat::defer_park(rings_, handle, 0))
			return;
		add_relaxed(&r->fallbacks, 1ul); // atomic: after a migration another CPU's counter
		pool_->free(handle, ZSX_TRACE_FREE_FALLBACK);
		return;
	}
	// no pool lock here: the interrupted task, or the caller, may hold one, or an
	// IRQ-safe lock an interrupt handler also takes. The ring's reserve first.
	if (zsx_likely(Plat::defer_park(rings_, handle, 1))) {
		struct zsx_defer_ring *r = Plat::defer_this_ring(rings_);
		add_relaxed(&r->overflowed, 1ul);
		return;
	}
	// A task that disabled IRQs (or softirqs) may free if the class lock is
	// free right now: a trylock waits for nothing, and lockdep records no order
	// for it. Not in interrupt context: the free takes other locks after it
	// (page release), which an interrupt handler must not.
	if (Plat::in_task() && pool_->try_free(handle, ZSX_TRACE_FREE_FALLBACK)) {
		struct zsx_defer_ring *r = Plat::defer_this_ring(rings_);
		add_relaxed(&r->fallbacks, 1ul);
		return;
	}
	spill(handle);
}

// no room and no lock: the pool's late-free slots (its own work frees it)
void DeferredFree::spill(unsigned long handle)
{
	struct zsx_defer_ring *r = Plat::defer_this_ring(rings_);
	if (pool_->free_late(handle))
		add_relaxed(&r->spilled, 1ul);
	else
		add_relaxed(&r->kept, 1ul);
}

// Take up to max stored handles from r, oldest first, into out (take lock
// held). Stops at a slot that is reserved but not yet stored: its producer is
// between its two steps on r's CPU (with preemption off) and stores it
// shortly; the timer or the next batch brings a drainer back for it.
unsigned DeferredFree::take(struct zsx_defer_ring *r, unsigned long *out, unsigned max)
{
	unsigned long tail = r->tail, head = load_relaxed(&r->head);
	unsigned n = 0;
	while (tail != head && n < max) {
		unsigned long *slot = &r->slot[tail & r->mask];
		unsigned long h = load_acquire(slot); // pairs with the producer's release store
		if (!h)
			break;
		store_relaxed(slot, 0ul);
		out[n++] = h;
		tail++;
	}
	// release: the zeroed slots are free before a producer may reuse them
	store_release(&r->tail, tail);
	return n;
}

// A task found r full: the oldest batch is freed here, class-batched, rather
// than the caller's handle out of order. All under the take lock: the drainer
// waits at most one batch for its next take, and flush, taking the lock once,
// knows a producer drain that took its handles has freed them. No
// rescheduling (the caller may hold spinlocks: zram's slot lock, zswap's tree
// lock). Frees nothing on a paused pool or when the oldest slot is not yet stored.
void DeferredFree::producer_drain(struct zsx_defer_ring *r)
{
	if (load_relaxed(&paused_))
		return;
	unsigned long *batch = r->scratch + kDrainerScratch, *sorted = batch + ZSX_DEFER_BATCH;
	bool tracing = Plat::tracing();
	// the task may migrate before it takes the take lock: one clock for all CPUs
	unsigned long long t0 = tracing ? Plat::clock_ns() : 0;
	Pool::HoldTally t{};
	Plat::defer_take_lock(r);
	unsigned got = take(r, batch, ZSX_DEFER_BATCH);
	if (got) {
		t.limit = r->producer_hold_limit;
		pool_->free_batch(batch, got, sorted, hold_max(), false, &t);
		store_relaxed(&r->producer_hold_limit, t.limit);
		store_relaxed(&r->producer_drains, r->producer_drains + 1);
		store_relaxed(&r->producer_drained, r->producer_drained + got);
		store_relaxed(&r->producer_holds, r->producer_holds + t.holds);
		store_relaxed(&r->producer_holds_over_budget, r->producer_holds_over_budget + t.over_budget);
		if (t.longest_ns > r->producer_longest_hold_ns)
			store_relaxed(&r->producer_longest_hold_ns, t.longest_ns);
	}
	Plat::defer_take_unlock(r);
	if (got && tracing)
		Plat::trace_deferred_drain(pool_->owner(), r->cpu, got, t.runs, (unsigned long)(Plat::clock_ns() - t0),
					   t.longest_ns);
}

void DeferredFree::set_paused(bool on)
{
	if (!on) {
		// drainer runs queued while paused run (and take nothing) before the
		// pause ends: resuming kicks nothing, parked handles wait for their next kick
		for (int cpu = 0; cpu < Plat::nr_cpu_ids(); ++cpu)
			if (struct zsx_defer_ring *r = ready_ring(cpu))
				Plat::defer_wait(r->plat);
	}
	store_relaxed(&paused_, on);
}

void DeferredFree::drain(int cpu)
{
	if (zsx_unlikely(load_relaxed(&paused_)))
		return;
	struct zsx_defer_ring *r = ring(cpu);
	unsigned long *batch = r->scratch, *sorted = batch + kChunk;
	// a run may move between CPUs (it reschedules): one clock for all of them
	unsigned long long t0 = Plat::clock_ns();
	Pool::HoldTally t{};
	t.limit = r->hold_limit;
	unsigned long n = 0, budget = kRunRings * (r->mask + 1);
	for (;;) {
		Plat::defer_take_lock(r);
		unsigned got = take(r, batch, kChunk);
		Plat::defer_take_unlock(r);
		if (!got)
			break;
		pool_->free_batch(batch, got, sorted, hold_max(), true, &t);
		n += got;
		if (got < kChunk)
			break;
		if (n >= budget) {
			// producers keep this ring busy: the next run goes on, so a
			// flush waiting for this one is not kept waiting by them
			Plat::defer_kick(r);
			break;
		}
		Plat::cond_resched();
	}
	if (!n)
		return;
	store_relaxed(&r->hold_limit, t.limit);
	unsigned long ns = (unsigned long)(Plat::clock_ns() - t0);
	// this ring's drainer is the only writer of these (one work item)
	store_relaxed(&r->drains, r->drains + 1);
	store_relaxed(&r->drained, r->drained + n);
	store_relaxed(&r->classes_touched, r->classes_touched + t.runs);
	store_relaxed(&r->drain_ns, r->drain_ns + ns);
	store_relaxed(&r->holds, r->holds + t.holds);
	store_relaxed(&r->holds_over_budget, r->holds_over_budget + t.over_budget);
	if (ns > r->longest_drain_ns)
		store_relaxed(&r->longest_drain_ns, ns);
	if (t.longest_ns > r->longest_hold_ns)
		store_relaxed(&r->longest_hold_ns, t.longest_ns);
	if (Plat::tracing())
		Plat::trace_deferred_drain(pool_->owner(), cpu, n, t.runs, ns, t.longest_ns);
}

// Every handle parked before the call is freed on return: each ring's
// drainer runs until its tail passes the head read here. A slot reserved
// before that read but not yet stored belongs to a producer between its two
// steps; it stores shortly, and the next round takes it. Handles parked after
// the read are not chased (producers elsewhere could keep flush busy). Tail
// moves before the handles taken are freed: once it is past target, flush
// waits for the drainer run in progress (a run is bounded: kRunRings) and,
// taking the take lock once, for a producer drain in progress.
//
// Only prepared rings (CPUs up at creation or since) can hold handles. A ring
// with nothing parked is not kicked: flush waits for a drainer run that may
// still be freeing what it took, which costs nothing when none runs.
void DeferredFree::flush()
{
	for (int cpu = 0; cpu < Plat::nr_cpu_ids(); ++cpu) {
		struct zsx_defer_ring *r = ready_ring(cpu);
		if (!r)
			continue;
		unsigned long target = load_relaxed(&r->head);
		for (bool first = true;; first = false) {
			bool done = long(load_acquire(&r->tail) - target) >= 0;
			if (done && first)
				Plat::defer_wait(r->plat); // nothing parked: only a run in progress
			else
				Plat::defer_flush(r->plat); // kick, then wait for the drainer
			if (done)
				break;
			Plat::cond_resched();
		}
		Plat::defer_take_lock(r);
		Plat::defer_take_unlock(r);
	}
	// handles spilled to the pool's late-free slots: both callers (the pool's
	// flush and its destroy) flush those next
}

void DeferredFree::kick_all()
{
	for (int cpu = 0; cpu < Plat::nr_cpu_ids(); ++cpu)
		if (struct zsx_defer_ring *r = ready_ring(cpu); r && cpu_pending(cpu))
			Plat::defer_kick(r);
}

void DeferredFree::cpu_dead(int cpu)
{
	// nothing runs there any more; its ring is drained from another CPU
	if (struct zsx_defer_ring *r = ready_ring(cpu))
		Plat::defer_cpu_dead(r);
}

unsigned long DeferredFree::cpu_pending(int cpu) const
{
	struct zsx_defer_ring *r = ring(cpu);
	// tail first: head only grows, so head read after it is never behind it
	unsigned long tail = load_acquire(&r->tail);
	long n = long(load_relaxed(&r->head) - tail);
	return n > 0 ? (unsigned long)n : 0;
}

unsigned long DeferredFree::pending() const
{
	unsigned long n = 0;
	for (int cpu = 0; cpu < Plat::nr_cpu_ids(); ++cpu)
		if (ready_ring(cpu))
			n += cpu_pending(cpu);
	return n;
}

void DeferredFree::stats(DeferStats *out) const
{
	*out = DeferStats{};
	out->capacity_per_cpu = ring(0)->task_limit;
	for (int cpu = 0; cpu < Plat::nr_cpu_ids(); ++cpu) {
		struct zsx_defer_ring *r = ready_ring(cpu);
		if (!r)
			continue;
		out->pending += cpu_pending(cpu);
		out->enqueued += load_relaxed(&r->head);
		out->fallbacks += load_relaxed(&r->fallbacks);
		out->overflowed += load_relaxed(&r->overflowed);
		out->spilled += load_relaxed(&r->spilled);
		out->kept += load_relaxed(&r->kept);
		out->drains += load_relaxed(&r->drains);
		out->drained += load_relaxed(&r->drained) + load_relaxed(&r->producer_drained); // by either consumer
		out->classes_touched += load_relaxed(&r->classes_touched);
		out->drain_ns += load_relaxed(&r->drain_ns);
		out->longest_drain_ns = max_of(out->longest_drain_ns, load_relaxed(&r->longest_drain_ns));
		out->longest_hold_ns =
			max_of(out->longest_hold_ns,
			       max_of(load_relaxed(&r->longest_hold_ns), load_relaxed(&r->producer_longest_hold_ns)));
		out->holds += load_relaxed(&r->holds) + load_relaxed(&r->producer_holds);
		out->holds_over_1ms +=
			load_relaxed(&r->holds_over_budget) + load_relaxed(&r->producer_holds_over_budget);
		out->producer_drains += load_relaxed(&r->producer_drains);
		out->producer_drained += load_relaxed(&r->producer_drained);
	}
	out->hold_max = hold_max();
}

} // namespace zsx
