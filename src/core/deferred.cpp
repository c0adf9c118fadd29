// SPDX-License-Identifier: GPL-2.0
// Deferred freeing: per-CPU buffers, lock-free handoff, class-batched drain.
// The protocol and its correctness argument are at the top of deferred.hpp.
#include "deferred.hpp"

#include "pool.hpp"

namespace zsx {

namespace {
DeferCpu *cpu_slot(void *pcpu, int cpu) { return static_cast<DeferCpu *>(zsx_plat_percpu_ptr(pcpu, cpu)); }
} // namespace

DeferredFree *DeferredFree::create(Pool *pool, unsigned handles_per_cpu, int *err)
{
	*err = kENOMEM;
	u32 cap = max_of(handles_per_cpu / 2, 16u);
	auto *d = static_cast<DeferredFree *>(zsx_plat_zalloc(sizeof(DeferredFree), kGfpKernel));
	if (!d)
		return nullptr;
	d->pool_ = pool;
	d->buffer_cap_ = cap;
	d->low_water_ms_ = kDefaultLowWaterMs;
	d->pcpu_ = zsx_plat_percpu_zalloc(sizeof(DeferCpu));
	d->scratch_ = static_cast<unsigned long *>(zsx_plat_zalloc(cap * sizeof(unsigned long), kGfpKernel));
	d->work_ = zsx_plat_work_new(
		[](void *arg) { static_cast<DeferredFree *>(arg)->drain(); }, d);
	if (!d->pcpu_ || !d->scratch_ || !d->work_)
		goto fail;
	for (int cpu = 0; cpu < zsx_plat_nr_cpu_ids(); ++cpu) {
		if (!zsx_plat_cpu_possible(cpu))
			continue;
		DeferCpu *c = cpu_slot(d->pcpu_, cpu);
		for (auto &b : c->buffers) {
			b = static_cast<DeferBuffer *>(zsx_plat_zalloc(DeferBuffer::bytes(cap), kGfpKernel));
			if (!b)
				goto fail;
			b->cap = cap;
		}
		c->active = c->buffers[0];
		c->returned = c->buffers[1];
	}
	d->ready_ = true;
	*err = kOk;
	return d;
fail:
	d->destroy();
	return nullptr;
}

void DeferredFree::destroy()
{
	if (work_) {
		if (ready_)
			flush();
		zsx_plat_work_delete(work_);
	}
	if (pcpu_) {
		for (int cpu = 0; cpu < zsx_plat_nr_cpu_ids(); ++cpu) {
			if (!zsx_plat_cpu_possible(cpu))
				continue;
			for (auto *b : cpu_slot(pcpu_, cpu)->buffers)
				zsx_plat_free(b);
		}
		zsx_plat_percpu_free(pcpu_);
	}
	zsx_plat_free(scratch_);
	zsx_plat_free(this);
}

// Producer side, IRQs off on the owning CPU (or that CPU is dead).
bool DeferredFree::hand_off(DeferCpu *c)
{
	DeferBuffer *spare = load_acquire(&c->returned); // (A)
	if (!spare)
		return false;
	store_relaxed(&c->returned, static_cast<DeferBuffer *>(nullptr));
	c->active->n = c->count;
	store_release(&c->pending, c->active); // (B)
	c->active = spare;
	store_relaxed(&c->count, 0u);
	return true;
}

void DeferredFree::enqueue(unsigned long handle)
{
	if (zsx_unlikely(is_err_or_null(handle)))
		return;
	if (zsx_unlikely(pool_->debug()) && !pool_->debug_check(handle))
		return;
	if (tracing()) {
		// the object is still the caller's: its obj (and class) is stable
		zsx_plat_trace_free(pool_->owner(), handle, pool_->trace_class_of(handle), ZSX_TRACE_FREE_DEFERRED_ENQUEUE);
	}
	unsigned long flags;
	auto *c = static_cast<DeferCpu *>(zsx_plat_percpu_irq_save(pcpu_, &flags));
	bool kick_now = false;
	if (zsx_unlikely(c->count == c->active->cap)) {
		if (!hand_off(c)) {
			// the other buffer is still being drained
			if (zsx_plat_may_lock(flags)) {
				store_relaxed(&c->fallbacks, c->fallbacks + 1);
				zsx_plat_irq_restore(flags);
				pool_->free(handle, ZSX_TRACE_FREE_FALLBACK); // free right here
				return;
			}
			// IRQ context, or IRQs off in the caller: the interrupted task
			// may hold a class lock, or the caller an IRQ-safe lock
			auto *h = reinterpret_cast<unsigned long *>(handle);
			unsigned long *head = load_relaxed(&c->overflow);
			do {
				h[1] = reinterpret_cast<unsigned long>(head);
			} while (!__atomic_compare_exchange_n(&c->overflow, &head, h, true, __ATOMIC_RELEASE,
							      __ATOMIC_RELAXED));
			store_relaxed(&c->overflowed, c->overflowed + 1);
			zsx_plat_irq_restore(flags);
			zsx_plat_work_kick(work_, 0);
			return;
		}
		kick_now = true;
	}
	c->active->h[c->count] = handle;
	store_relaxed(&c->count, c->count + 1);
	store_relaxed(&c->enqueued, c->enqueued + 1);
	bool first = c->count == 1;
	zsx_plat_irq_restore(flags);
	// Once per buffer, not per handle: the low-water timer (a handle never waits
	// much longer than low_water_ms_) or an immediate drain of a full buffer.
	if (kick_now)
		zsx_plat_work_kick(work_, 0);
	else if (first)
		zsx_plat_work_kick(work_, load_relaxed(&low_water_ms_));
}

// Runs on the CPU that owns arg (IPI, IRQs off) or after that CPU died.
void DeferredFree::hand_off_partial(void *arg)
{
	auto *c = static_cast<DeferCpu *>(arg);
	if (c->count)
		hand_off(c);
}

unsigned long DeferredFree::drain_pending()
{
	unsigned long n = 0;
	for (int cpu = 0; cpu < zsx_plat_nr_cpu_ids(); ++cpu) {
		if (!zsx_plat_cpu_possible(cpu))
			continue;
		DeferCpu *c = cpu_slot(pcpu_, cpu);
		// overflow from IRQ context: acquire pairs with the producer's release CAS
		auto *h = xchg_acq_rel(&c->overflow, static_cast<unsigned long *>(nullptr));
		while (h) {
			auto *next = reinterpret_cast<unsigned long *>(h[1]);
			if (pool_->debug())
				h[1] = pool_->live_tag(); // the link borrowed the tag's word
			pool_->free(reinterpret_cast<unsigned long>(h), ZSX_TRACE_FREE_DEFERRED_DRAIN);
			h = next;
			n++;
		}
		DeferBuffer *buf = xchg_acq_rel(&c->pending, static_cast<DeferBuffer *>(nullptr)); // (C)
		if (!buf)
			continue;
		store_relaxed(&classes_touched_, classes_touched_ + pool_->free_batch(buf->h, buf->n, scratch_));
		n += buf->n;
		store_relaxed(&buf->n, 0u);
		store_release(&c->returned, buf); // (D)
		zsx_plat_cond_resched();
	}
	return n;
}

void DeferredFree::drain()
{
	unsigned long long t0 = zsx_plat_now_ns();
	unsigned long runs0 = classes_touched_;
	unsigned long n = drain_pending();
	// then the partly filled buffers: each online CPU hands its own over (an
	// IPI); an offline one is handed over right here. Hotplug is held off so
	// that no CPU changes state in between: this worker is then the only one
	// touching a dead CPU's buffers (cpu_dead() only kicks it).
	zsx_plat_cpus_read_lock();
	for (int cpu = 0; cpu < zsx_plat_nr_cpu_ids(); ++cpu) {
		if (!zsx_plat_cpu_possible(cpu))
			continue;
		DeferCpu *c = cpu_slot(pcpu_, cpu);
		if (load_relaxed(&c->count))
			zsx_plat_run_on_cpu(cpu, hand_off_partial, c);
	}
	zsx_plat_cpus_read_unlock();
	n += drain_pending();
	unsigned long long ns = zsx_plat_now_ns() - t0;
	if (n) {
		store_relaxed(&drains_, drains_ + 1);
		store_relaxed(&drained_, drained_ + n);
		store_relaxed(&total_ns_, total_ns_ + (unsigned long)ns);
		if (ns > longest_ns_)
			store_relaxed(&longest_ns_, (unsigned long)ns);
		if (tracing())
			zsx_plat_trace_deferred_drain(pool_->owner(), n, classes_touched_ - runs0, ns);
	}
}

// One drain run started after this call frees everything enqueued before it:
// it takes every pending buffer and overflow list, has each CPU hand over its
// partial buffer, then takes the pending buffers again. A buffer a producer
// handed over itself in between is among those. Handles enqueued meanwhile
// may or may not be freed; flush does not chase them (producers on other CPUs
// could keep it busy for ever).
void DeferredFree::flush()
{
	zsx_plat_work_kick(work_, 0);
	zsx_plat_work_flush(work_);
}

void DeferredFree::cpu_dead(int)
{
	// No producer runs there any more; the drainer hands the dead CPU's
	// partial buffer over itself, under the hotplug read lock (see drain()).
	zsx_plat_work_kick(work_, 0);
}

unsigned long DeferredFree::cpu_pending(int cpu) const
{
	DeferCpu *c = cpu_slot(pcpu_, cpu);
	DeferBuffer *p = load_acquire(&c->pending);
	return load_relaxed(&c->count) + (p ? load_relaxed(&p->n) : 0);
}

void DeferredFree::stats(DeferStats *out) const
{
	*out = DeferStats{};
	for (int cpu = 0; cpu < zsx_plat_nr_cpu_ids(); ++cpu) {
		if (!zsx_plat_cpu_possible(cpu))
			continue;
		DeferCpu *c = cpu_slot(pcpu_, cpu);
		out->pending += cpu_pending(cpu);
		out->enqueued += load_relaxed(&c->enqueued);
		out->fallbacks += load_relaxed(&c->fallbacks);
		out->overflowed += load_relaxed(&c->overflowed);
	}
	out->capacity_per_cpu = 2ul * buffer_cap_;
	out->drains = load_relaxed(&drains_);
	out->drained = load_relaxed(&drained_);
	out->classes_touched = load_relaxed(&classes_touched_);
	out->longest_drain_ns = load_relaxed(&longest_ns_);
	out->drain_ns = load_relaxed(&total_ns_);
}

} // namespace zsx
