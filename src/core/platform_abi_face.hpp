// SPDX-License-Identifier: GPL-2.0
// AbiPlatform: the platform interface (platform_concept.hpp) as forwarders to
// the C functions of platform_abi.h, which each shim defines (the kernel's
// platform.c, the hosted host_platform.cpp), and the memory model inline on the
// bases the shim computes at load (ZSX_K_INLINE_MM; the out-of-line calls
// otherwise). Each shim's face derives from it and replaces what it does
// differently: KernelPlatform (src/kernel/platform_kernel.hpp) the spin lock
// calls and the handle cache, HostedPlatform (kunit/host/host_platform_face.hpp)
// the handles. No kernel or library header: the core sees none.
#pragma once

#include "atomic.hpp"
#include "platform_abi.h"
#include "types.hpp"
#include "zsx_kconst.h"

namespace zsx {

struct AbiPlatform {
	static constexpr bool kInlineMm = ZSX_K_INLINE_MM != 0;
	static constexpr unsigned kPageShift = ZSX_PAGE_SHIFT;

	static bool tracing()
	{
		return __builtin_expect(__atomic_load_n(&zsx_plat_trace_active, __ATOMIC_RELAXED) != 0, 0);
	}

	// ---- locks ----
	zsx_always_inline static void lock_init(zsx_plat_spinlock *l) { zsx_plat_lock_init(l); }
	zsx_always_inline static void lock_destroy(zsx_plat_spinlock *l) { zsx_plat_lock_destroy(l); }
	zsx_always_inline static void lock(zsx_plat_spinlock *l) { zsx_plat_lock(l); }
	zsx_always_inline static void unlock(zsx_plat_spinlock *l) { zsx_plat_unlock(l); }
	zsx_always_inline static int lock_contended(zsx_plat_spinlock *l) { return zsx_plat_lock_contended(l); }
	zsx_always_inline static int trylock(zsx_plat_spinlock *l) { return zsx_plat_trylock(l); }
	zsx_always_inline static void rwlock_init(zsx_plat_rwlock *l) { zsx_plat_rwlock_init(l); }
	zsx_always_inline static void rwlock_destroy(zsx_plat_rwlock *l) { zsx_plat_rwlock_destroy(l); }
	zsx_always_inline static void read_lock(zsx_plat_rwlock *l) { zsx_plat_read_lock(l); }
	zsx_always_inline static void read_unlock(zsx_plat_rwlock *l) { zsx_plat_read_unlock(l); }
	zsx_always_inline static void write_lock(zsx_plat_rwlock *l) { zsx_plat_write_lock(l); }
	zsx_always_inline static void write_unlock(zsx_plat_rwlock *l) { zsx_plat_write_unlock(l); }

	// ---- memory ----
	zsx_always_inline static void *zalloc(unsigned long size, unsigned gfp) { return zsx_plat_zalloc(size, gfp); }
	zsx_always_inline static void free(void *p) { zsx_plat_free(p); }
	zsx_always_inline static unsigned long *handle_alloc_debug(unsigned gfp)
	{
		return zsx_plat_handle_alloc_debug(gfp);
	}
	zsx_always_inline static void handle_free_debug(unsigned long *h) { zsx_plat_handle_free_debug(h); }
	zsx_always_inline static void *zspage_alloc(unsigned nr_pages, unsigned gfp)
	{
		return zsx_plat_zspage_alloc(nr_pages, gfp);
	}
	zsx_always_inline static void zspage_free(void *zspage, unsigned nr_pages)
	{
		zsx_plat_zspage_free(zspage, nr_pages);
	}

	// ---- pages ----
	// The page of a PFN; nullptr when the PFN is not memory. Inline: above the
	// highest PFN of any online node (one compare); a PFN in a hole below it is
	// not caught here (its vmemmap may be unbacked): debug pools use
	// pfn_to_page_checked (pfn_valid()), as the out-of-line variant always does.
	static zsx_plat_page *pfn_to_page(unsigned long pfn)
	{
		if constexpr (kInlineMm) {
			if (zsx_unlikely(pfn >= load_relaxed(&zsx_plat_mm.pfn_limit)))
				return nullptr;
			return reinterpret_cast<zsx_plat_page *>(zsx_plat_mm.page_array + pfn * ZSX_K_PAGE_SIZEOF);
		} else {
			return zsx_plat_pfn_to_page(pfn);
		}
	}
	zsx_always_inline static zsx_plat_page *pfn_to_page_checked(unsigned long pfn)
	{
		return zsx_plat_pfn_to_page(pfn);
	}
	static unsigned long page_to_pfn(zsx_plat_page *p)
	{
		if constexpr (kInlineMm)
			return (reinterpret_cast<uptr>(p) - zsx_plat_mm.page_array) / ZSX_K_PAGE_SIZEOF;
		else
			return zsx_plat_page_to_pfn(p);
	}
	// page->private: the zspage a zsx page belongs to (single-copy atomic read)
	static void *page_owner(zsx_plat_page *p)
	{
		if constexpr (kInlineMm)
			return load_relaxed(
				reinterpret_cast<void *const *>(reinterpret_cast<const u8 *>(p) + ZSX_K_PAGE_PRIVATE));
		else
			return zsx_plat_page_owner(p);
	}
	// page->index: the owner's tag (see zsx_plat_page_set_owner)
	static unsigned long page_tag(zsx_plat_page *p)
	{
		if constexpr (kInlineMm)
			return load_relaxed(
				reinterpret_cast<const ulong *>(reinterpret_cast<const u8 *>(p) + ZSX_K_PAGE_INDEX));
		else
			return zsx_plat_page_tag(p);
	}
	static u8 *kmap(zsx_plat_page *p)
	{
		if constexpr (kInlineMm)
			return reinterpret_cast<u8 *>(zsx_plat_mm.direct_map + (page_to_pfn(p) << kPageShift));
		else
			return static_cast<u8 *>(zsx_plat_kmap(p));
	}
	static void kunmap(void *addr)
	{
		if constexpr (!kInlineMm)
			zsx_plat_kunmap(addr);
		else
			(void)addr;
	}
	zsx_always_inline static zsx_plat_page *page_alloc(unsigned gfp, int nid)
	{
		return zsx_plat_page_alloc(gfp, nid);
	}
	zsx_always_inline static void page_make_movable(zsx_plat_page *p, unsigned gfp)
	{
		zsx_plat_page_make_movable(p, gfp);
	}
	zsx_always_inline static int page_release_try(zsx_plat_page *p) { return zsx_plat_page_release_try(p); }
	zsx_always_inline static void page_adopt_migrated(zsx_plat_page *p) { zsx_plat_page_adopt_migrated(p); }
	zsx_always_inline static void page_drop_migrated(zsx_plat_page *p) { zsx_plat_page_drop_migrated(p); }
	zsx_always_inline static void page_set_owner(zsx_plat_page *p, void *zspage, unsigned long tag)
	{
		zsx_plat_page_set_owner(p, zspage, tag);
	}
	zsx_always_inline static void defer_zspage_release(void *obj) { zsx_plat_defer_zspage_release(obj); }
	zsx_always_inline static void flush_deferred_releases() { zsx_plat_flush_deferred_releases(); }

	// ---- per-CPU (the hosted shim: "CPUs" are slots, a thread sticks to one) ----
	zsx_always_inline static void *cpu_buffer_get() { return zsx_plat_cpu_buffer_get(); }
	zsx_always_inline static void *cpu_buffer_held() { return zsx_plat_cpu_buffer_held(); }
	zsx_always_inline static void cpu_buffer_put() { zsx_plat_cpu_buffer_put(); }
	zsx_always_inline static void *percpu_zalloc(unsigned long size) { return zsx_plat_percpu_zalloc(size); }
	zsx_always_inline static void percpu_free(void *pcp) { zsx_plat_percpu_free(pcp); }
	zsx_always_inline static void *percpu_ptr(void *pcp, int cpu) { return zsx_plat_percpu_ptr(pcp, cpu); }
	zsx_always_inline static int nr_cpu_ids() { return zsx_plat_nr_cpu_ids(); }
	zsx_always_inline static int cpu_possible(int cpu) { return zsx_plat_cpu_possible(cpu); }
	zsx_always_inline static int cpu_online(int cpu) { return zsx_plat_cpu_online(cpu); }
	zsx_always_inline static void *zalloc_large(unsigned long size, int cpu)
	{
		return zsx_plat_zalloc_large(size, cpu);
	}
	zsx_always_inline static void free_large(void *p) { zsx_plat_free_large(p); }

	// ---- work items ----
	zsx_always_inline static zsx_plat_work *work_new(void (*fn)(void *), void *arg)
	{
		return zsx_plat_work_new(fn, arg);
	}
	zsx_always_inline static void work_queue(zsx_plat_work *w) { zsx_plat_work_queue(w); }
	zsx_always_inline static void work_flush(zsx_plat_work *w) { zsx_plat_work_flush(w); }
	zsx_always_inline static void work_delete(zsx_plat_work *w) { zsx_plat_work_delete(w); }

	// ---- context and scheduling ----
	zsx_always_inline static int may_lock() { return zsx_plat_may_lock(); }
	zsx_always_inline static int in_task() { return zsx_plat_in_task(); }
	zsx_always_inline static int need_resched() { return zsx_plat_need_resched(); }
	zsx_always_inline static void bh_disable() { zsx_plat_bh_disable(); }
	zsx_always_inline static void bh_enable() { zsx_plat_bh_enable(); }
	zsx_always_inline static void cond_resched() { zsx_plat_cond_resched(); }

	// ---- deferred freeing's rings: a timer and a drain work item per CPU ----
	zsx_always_inline static zsx_plat_defer_cpu *defer_cpu_new(zsx_defer_ring *ring,
								   void (*drain)(void *arg, int cpu), void *arg,
								   unsigned delay_ms)
	{
		return zsx_plat_defer_cpu_new(ring, drain, arg, delay_ms);
	}
	zsx_always_inline static void defer_cpu_delete(zsx_plat_defer_cpu *d) { zsx_plat_defer_cpu_delete(d); }
	zsx_always_inline static void defer_set_delay(zsx_plat_defer_cpu *d, unsigned delay_ms)
	{
		zsx_plat_defer_set_delay(d, delay_ms);
	}
	zsx_always_inline static void defer_cpu_dead(zsx_defer_ring *ring) { zsx_plat_defer_cpu_dead(ring); }
	zsx_always_inline static void defer_kick(zsx_defer_ring *ring) { zsx_plat_defer_kick(ring); }
	zsx_always_inline static void defer_wait(zsx_plat_defer_cpu *d) { zsx_plat_defer_wait(d); }
	zsx_always_inline static void defer_flush(zsx_plat_defer_cpu *d) { zsx_plat_defer_flush(d); }
	zsx_always_inline static int defer_park(zsx_defer_ring *rings, unsigned long handle, int atomic_caller)
	{
		return zsx_plat_defer_park(rings, handle, atomic_caller);
	}
	zsx_always_inline static void defer_take_lock(zsx_defer_ring *r) { zsx_plat_defer_take_lock(r); }
	zsx_always_inline static void defer_take_unlock(zsx_defer_ring *r) { zsx_plat_defer_take_unlock(r); }
	zsx_always_inline static zsx_defer_ring *defer_this_ring(zsx_defer_ring *rings)
	{
		return zsx_plat_defer_this_ring(rings);
	}

	// ---- tracing: the zsx tracepoints (kernel), counters (hosted) ----
	zsx_always_inline static void trace_malloc(void *owner, unsigned long size, int class_idx, unsigned long handle)
	{
		zsx_plat_trace_malloc(owner, size, class_idx, handle);
	}
	zsx_always_inline static void trace_free(void *owner, unsigned long handle, int class_idx, int path)
	{
		zsx_plat_trace_free(owner, handle, class_idx, path);
	}
	zsx_always_inline static void trace_zspage_free(void *owner, int class_idx, unsigned pages, int under_lock)
	{
		zsx_plat_trace_zspage_free(owner, class_idx, pages, under_lock);
	}
	zsx_always_inline static void trace_deferred_drain(void *owner, int cpu, unsigned long handles,
							   unsigned long classes, unsigned long ns,
							   unsigned long longest_hold_ns)
	{
		zsx_plat_trace_deferred_drain(owner, cpu, handles, classes, ns, longest_hold_ns);
	}
	zsx_always_inline static void trace_compact(void *owner, unsigned long classes, unsigned long pages_freed)
	{
		zsx_plat_trace_compact(owner, classes, pages_freed);
	}
	zsx_always_inline static void trace_migrate(void *owner, unsigned long old_pfn, unsigned long new_pfn,
						    unsigned objects)
	{
		zsx_plat_trace_migrate(owner, old_pfn, new_pfn, objects);
	}

	// ---- diagnostics and time ----
	zsx_always_inline static void warn(void *owner, int kind, unsigned long handle, unsigned long detail)
	{
		zsx_plat_warn(owner, kind, handle, detail);
	}
	zsx_always_inline static void report(const char *what, unsigned long a, unsigned long b)
	{
		zsx_plat_report(what, a, b);
	}
	zsx_always_inline static unsigned long long now_ns() { return zsx_plat_now_ns(); }
	zsx_always_inline static unsigned long long clock_ns() { return zsx_plat_clock_ns(); }
};

} // namespace zsx
