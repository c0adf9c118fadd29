// SPDX-License-Identifier: GPL-2.0
// KernelPlatform: the kernel's implementation of the platform interface
// (src/core/platform_concept.hpp, whose contracts these are), included by the
// core's platform.hpp. Inline where the core's hot paths meet it: the memory
// model (KconstPlatform, where zsx_kconst.h says it is inline), handles
// straight from the handle kmem_cache, and spin_lock/spin_unlock as the
// kernel's own _raw_spin_lock/_raw_spin_unlock calls where that is what they
// are. Every other primitive is a C function of platform.c or trace.c
// (platform_abi.h), named here as the primitive it implements; the ring park's
// primitives are in zsx_defer.h. C++ only: no kernel header (the core sees none).
#pragma once

#include "platform_abi.h"
#include "platform_kconst.h"
#include "zsx_features.h"

// spin_lock()/spin_unlock() and their _bh forms are these calls on the target
// kernel (spinlock_t starts with its raw lock: platform.c asserts it)
#if ZSX_K_RAW_SPIN_LOCK_CALL
extern "C" void _raw_spin_lock(zsx_plat_spinlock *lock);
#endif
#if ZSX_K_RAW_SPIN_UNLOCK_CALL
extern "C" void _raw_spin_unlock(zsx_plat_spinlock *lock);
#endif
#if ZSX_K_RAW_SPIN_LOCK_BH_CALL
extern "C" void _raw_spin_lock_bh(zsx_plat_spinlock *lock);
#endif
#if ZSX_K_RAW_SPIN_UNLOCK_BH_CALL
extern "C" void _raw_spin_unlock_bh(zsx_plat_spinlock *lock);
#endif
// kmem_cache_alloc() is a macro around kmem_cache_alloc_noprof() from 6.10 on
// (zsx_features.h); the handle cache's objects are not tagged for memory
// allocation profiling, as a call through the macro would be
#ifdef ZSX_HAVE_KMEM_CACHE_ALLOC_NOPROF
extern "C" void *kmem_cache_alloc_noprof(void *cache, unsigned gfp);
#define ZSX_KMEM_CACHE_ALLOC kmem_cache_alloc_noprof
#else
extern "C" void *kmem_cache_alloc(void *cache, unsigned gfp);
#define ZSX_KMEM_CACHE_ALLOC kmem_cache_alloc
#endif
extern "C" void kmem_cache_free(void *cache, void *obj);
extern "C" void kmem_cache_free_bulk(void *cache, __SIZE_TYPE__ size, void **p);

namespace zsx {

struct KernelPlatform : KconstPlatform {
	// ---- locks ----
	static constexpr auto &lock_init = zsx_plat_lock_init;
	static constexpr auto &lock_destroy = zsx_plat_lock_destroy;
#if ZSX_K_RAW_SPIN_LOCK_CALL
	static void lock(zsx_plat_spinlock *l) { _raw_spin_lock(l); }
#else
	static constexpr auto &lock = zsx_plat_lock;
#endif
#if ZSX_K_RAW_SPIN_UNLOCK_CALL
	static void unlock(zsx_plat_spinlock *l) { _raw_spin_unlock(l); }
#else
	static constexpr auto &unlock = zsx_plat_unlock;
#endif
#if ZSX_K_RAW_SPIN_LOCK_BH_CALL
	static void lock_bh(zsx_plat_spinlock *l) { _raw_spin_lock_bh(l); }
#else
	static constexpr auto &lock_bh = zsx_plat_lock_bh;
#endif
#if ZSX_K_RAW_SPIN_UNLOCK_BH_CALL
	static void unlock_bh(zsx_plat_spinlock *l) { _raw_spin_unlock_bh(l); }
#else
	static constexpr auto &unlock_bh = zsx_plat_unlock_bh;
#endif
	static constexpr auto &lock_contended = zsx_plat_lock_contended;
	static constexpr auto &trylock = zsx_plat_trylock;
	static constexpr auto &rwlock_init = zsx_plat_rwlock_init;
	static constexpr auto &rwlock_destroy = zsx_plat_rwlock_destroy;
	static constexpr auto &read_lock = zsx_plat_read_lock;
	static constexpr auto &read_unlock = zsx_plat_read_unlock;
	static constexpr auto &write_lock = zsx_plat_write_lock;
	static constexpr auto &write_unlock = zsx_plat_write_unlock;

	// ---- memory ----
	static constexpr auto &zalloc = zsx_plat_zalloc;
	static constexpr auto &free = zsx_plat_free;
	// the handle cache's objects, as zsx_meta_gfp() would (the zone bits stripped)
	static unsigned long *handle_alloc(unsigned gfp)
	{
		return static_cast<unsigned long *>(
			ZSX_KMEM_CACHE_ALLOC(zsx_plat_handle_cache, gfp & ~unsigned(ZSX_K_GFP_ZONE_BITS)));
	}
	static void handle_free(unsigned long *h) { kmem_cache_free(zsx_plat_handle_cache, h); }
	static void handle_free_bulk(void **h, unsigned n) { kmem_cache_free_bulk(zsx_plat_handle_cache, n, h); }
	static constexpr auto &handle_alloc_debug = zsx_plat_handle_alloc_debug;
	static constexpr auto &handle_free_debug = zsx_plat_handle_free_debug;
	static constexpr auto &zspage_alloc = zsx_plat_zspage_alloc;
	static constexpr auto &zspage_free = zsx_plat_zspage_free;
	static constexpr auto &zalloc_large = zsx_plat_zalloc_large;
	static constexpr auto &free_large = zsx_plat_free_large;

	// ---- pages ----
	static constexpr auto &page_alloc = zsx_plat_page_alloc;
	static constexpr auto &pfn_to_page_checked = zsx_plat_pfn_to_page;
#if !ZSX_K_INLINE_MM
	// the memory model out of line (classic SPARSEMEM, HIGHMEM, 32-bit)
	static constexpr auto &pfn_to_page = zsx_plat_pfn_to_page;
	static constexpr auto &page_to_pfn = zsx_plat_page_to_pfn;
	static constexpr auto &page_owner = zsx_plat_page_owner;
	static constexpr auto &page_tag = zsx_plat_page_tag;
	static u8 *kmap(zsx_plat_page *p) { return static_cast<u8 *>(zsx_plat_kmap(p)); }
	static constexpr auto &kunmap = zsx_plat_kunmap;
#endif
	static constexpr auto &page_make_movable = zsx_plat_page_make_movable;
	static constexpr auto &page_release_try = zsx_plat_page_release_try;
	static constexpr auto &pages_release = zsx_plat_pages_release;
	static constexpr auto &page_adopt_migrated = zsx_plat_page_adopt_migrated;
	static constexpr auto &page_drop_migrated = zsx_plat_page_drop_migrated;
	static constexpr auto &page_set_owner = zsx_plat_page_set_owner;
	static constexpr auto &defer_zspage_release = zsx_plat_defer_zspage_release;
	static constexpr auto &flush_deferred_releases = zsx_plat_flush_deferred_releases;

	// ---- per-CPU ----
	static constexpr auto &cpu_buffer_get = zsx_plat_cpu_buffer_get;
	static constexpr auto &cpu_buffer_held = zsx_plat_cpu_buffer_held;
	static constexpr auto &cpu_buffer_put = zsx_plat_cpu_buffer_put;
	static constexpr auto &percpu_zalloc = zsx_plat_percpu_zalloc;
	static constexpr auto &percpu_free = zsx_plat_percpu_free;
	static constexpr auto &percpu_ptr = zsx_plat_percpu_ptr;
	static constexpr auto &nr_cpu_ids = zsx_plat_nr_cpu_ids;
	static constexpr auto &cpu_possible = zsx_plat_cpu_possible;
	static constexpr auto &cpu_online = zsx_plat_cpu_online;

	// ---- context, and work in process context ----
	static constexpr auto &may_lock = zsx_plat_may_lock;
	static constexpr auto &in_task = zsx_plat_in_task;
	static constexpr auto &may_alloc_atomic = zsx_plat_may_alloc_atomic;
	static constexpr auto &need_resched = zsx_plat_need_resched;
	static constexpr auto &cond_resched = zsx_plat_cond_resched;
	static constexpr auto &work_new = zsx_plat_work_new;
	static constexpr auto &work_queue = zsx_plat_work_queue;
	static constexpr auto &work_flush = zsx_plat_work_flush;
	static constexpr auto &work_delete = zsx_plat_work_delete;

	// ---- deferred rings ----
	static constexpr auto &defer_cpu_new = zsx_plat_defer_cpu_new;
	static constexpr auto &defer_cpu_delete = zsx_plat_defer_cpu_delete;
	static constexpr auto &defer_set_delay = zsx_plat_defer_set_delay;
	static constexpr auto &defer_cpu_dead = zsx_plat_defer_cpu_dead;
	static constexpr auto &defer_kick = zsx_plat_defer_kick;
	static constexpr auto &defer_wait = zsx_plat_defer_wait;
	static constexpr auto &defer_flush = zsx_plat_defer_flush;
	static constexpr auto &defer_park = zsx_plat_defer_park;
	static constexpr auto &defer_this_ring = zsx_plat_defer_this_ring;
	static constexpr auto &defer_take_lock = zsx_plat_defer_take_lock;
	static constexpr auto &defer_take_unlock = zsx_plat_defer_take_unlock;

	// ---- tracing: the zsx tracepoints (trace.c) ----
	static bool tracing()
	{
		return __builtin_expect(__atomic_load_n(&zsx_plat_trace_active, __ATOMIC_RELAXED) != 0, 0);
	}
	static constexpr auto &trace_malloc = zsx_plat_trace_malloc;
	static constexpr auto &trace_free = zsx_plat_trace_free;
	static constexpr auto &trace_zspage_free = zsx_plat_trace_zspage_free;
	static constexpr auto &trace_deferred_drain = zsx_plat_trace_deferred_drain;
	static constexpr auto &trace_compact = zsx_plat_trace_compact;
	static constexpr auto &trace_migrate = zsx_plat_trace_migrate;

	// ---- diagnostics, time ----
	static constexpr auto &warn = zsx_plat_warn;
	static constexpr auto &report = zsx_plat_report;
	static constexpr auto &now_ns = zsx_plat_now_ns;
	static constexpr auto &clock_ns = zsx_plat_clock_ns;
};

} // namespace zsx
