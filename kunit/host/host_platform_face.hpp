// SPDX-License-Identifier: GPL-2.0
// HostedPlatform: the hosted tests' implementation of the platform interface
// (src/core/platform_concept.hpp, whose contracts these are), included by the
// core's platform.hpp under ZSX_HOSTED. Defined in host_platform.cpp: pthread
// locks that count what they are asked, calloc'd metadata and counted handles,
// a "vmemmap" of page structs over one arena of page memory (so the memory
// model of KconstPlatform runs here too, ZSX_HOSTED_INLINE_MM=1; =0 calls into
// it), "CPUs" that are slots a thread sticks to, a thread per work item.
// Freestanding like the core: no library header.
#pragma once

#include "platform_kconst.h"

namespace zsx {

struct HostedPlatform : KconstPlatform {
	// ---- locks ----
	static void lock_init(zsx_plat_spinlock *l);
	static void lock_destroy(zsx_plat_spinlock *l);
	static void lock(zsx_plat_spinlock *l);
	static void unlock(zsx_plat_spinlock *l);
	static void lock_bh(zsx_plat_spinlock *l);
	static void unlock_bh(zsx_plat_spinlock *l);
	static int lock_contended(zsx_plat_spinlock *l);
	static int trylock(zsx_plat_spinlock *l);
	static void rwlock_init(zsx_plat_rwlock *l);
	static void rwlock_destroy(zsx_plat_rwlock *l);
	static void read_lock(zsx_plat_rwlock *l);
	static void read_unlock(zsx_plat_rwlock *l);
	static void write_lock(zsx_plat_rwlock *l);
	static void write_unlock(zsx_plat_rwlock *l);

	// ---- memory ----
	static void *zalloc(unsigned long size, unsigned gfp);
	static void free(void *p);
	static unsigned long *handle_alloc(unsigned gfp);
	static void handle_free(unsigned long *h);
	static void handle_free_bulk(void **h, unsigned n);
	static unsigned long *handle_alloc_debug(unsigned gfp);
	static void handle_free_debug(unsigned long *h);
	static void *zspage_alloc(unsigned nr_pages, unsigned gfp);
	static void zspage_free(void *zspage, unsigned nr_pages);
	static void *zalloc_large(unsigned long size, int cpu);
	static void free_large(void *p);

	// ---- pages ----
	static zsx_plat_page *page_alloc(unsigned gfp, int nid);
	static zsx_plat_page *pfn_to_page_checked(unsigned long pfn);
#if !ZSX_K_INLINE_MM
	static zsx_plat_page *pfn_to_page(unsigned long pfn);
	static unsigned long page_to_pfn(zsx_plat_page *p);
	static void *page_owner(zsx_plat_page *p);
	static unsigned long page_tag(zsx_plat_page *p);
	static u8 *kmap(zsx_plat_page *p);
	static void kunmap(void *addr);
#endif
	static void page_make_movable(zsx_plat_page *p, unsigned gfp);
	static int page_release_try(zsx_plat_page *p);
	static unsigned pages_release(zsx_plat_page **pages, unsigned n);
	static void page_adopt_migrated(zsx_plat_page *newpage);
	static void page_drop_migrated(zsx_plat_page *oldpage);
	static void page_set_owner(zsx_plat_page *p, void *zspage, unsigned long tag);
	static void defer_zspage_release(void *obj);
	static void flush_deferred_releases();

	// ---- per-CPU ----
	static void *cpu_buffer_get();
	static void *cpu_buffer_held();
	static void cpu_buffer_put();
	static void *percpu_zalloc(unsigned long size);
	static void percpu_free(void *pcp);
	static void *percpu_ptr(void *pcp, int cpu);
	static int nr_cpu_ids();
	static int cpu_possible(int cpu);
	static int cpu_online(int cpu);

	// ---- context, and work in process context ----
	static int may_lock();
	static int in_task();
	static int may_alloc_atomic();
	static int need_resched();
	static void cond_resched();
	static zsx_plat_work *work_new(void (*fn)(void *), void *arg);
	static void work_queue(zsx_plat_work *w);
	static void work_flush(zsx_plat_work *w);
	static void work_delete(zsx_plat_work *w);

	// ---- deferred rings ----
	static zsx_plat_defer_cpu *defer_cpu_new(zsx_defer_ring *ring, void (*drain)(void *, int), void *arg,
						 unsigned delay_ms);
	static void defer_cpu_delete(zsx_plat_defer_cpu *d);
	static void defer_set_delay(zsx_plat_defer_cpu *d, unsigned delay_ms);
	static void defer_cpu_dead(zsx_defer_ring *ring);
	static void defer_kick(zsx_defer_ring *ring);
	static void defer_wait(zsx_plat_defer_cpu *d);
	static void defer_flush(zsx_plat_defer_cpu *d);
	static int defer_park(zsx_defer_ring *rings, unsigned long handle, int atomic_caller);
	static zsx_defer_ring *defer_this_ring(zsx_defer_ring *rings);
	static void defer_take_lock(zsx_defer_ring *ring);
	static void defer_take_unlock(zsx_defer_ring *ring);

	// ---- tracing: counters of what the events would record ----
	static bool tracing();
	static void trace_malloc(void *owner, unsigned long size, int class_idx, unsigned long handle);
	static void trace_free(void *owner, unsigned long handle, int class_idx, int path);
	static void trace_zspage_free(void *owner, int class_idx, unsigned pages, int under_lock);
	static void trace_deferred_drain(void *owner, int cpu, unsigned long handles, unsigned long classes,
					 unsigned long ns, unsigned long longest_hold_ns);
	static void trace_compact(void *owner, unsigned long classes, unsigned long pages_freed);
	static void trace_migrate(void *owner, unsigned long old_pfn, unsigned long new_pfn, unsigned objects);

	// ---- diagnostics, time ----
	static void warn(void *owner, int kind, unsigned long handle, unsigned long detail);
	static void report(const char *what, unsigned long a, unsigned long b);
	static unsigned long long now_ns();
	static unsigned long long clock_ns();
};

} // namespace zsx
