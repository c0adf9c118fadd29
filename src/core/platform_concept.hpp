// SPDX-License-Identifier: GPL-2.0
// The platform interface of the zsx core as a C++20 concept (snmalloc's PAL
// style): every primitive the core calls, with its exact signature. Each shim
// provides a face type of static members (src/kernel/platform_kernel.hpp:
// KernelPlatform, kunit/host/host_platform_face.hpp: HostedPlatform);
// platform.hpp picks one as Plat and asserts PlatformInterface<Plat>, so a
// missing or mistyped primitive is a compile error in every core object, not
// a link error. The hot primitives are the faces' inline bodies; the rest
// forward to the C functions of platform_abi.h.
#pragma once

#include "platform_abi.h"
#include "types.hpp"

namespace zsx {

// <concepts> is not available (-nostdinc++): the two halves of std::same_as
template <class T, class U> inline constexpr bool is_same_v = false;
template <class T> inline constexpr bool is_same_v<T, T> = true;
template <class T, class U>
concept same_as = is_same_v<T, U> && is_same_v<U, T>;

// F (decltype(&P::name)) is a plain function pointer of exactly this signature:
// no overloads, no templates, no implicit conversions of arguments or result
template <class F, class Sig>
concept primitive = same_as<F, Sig *>;

template <class P>
concept PlatformInterface = requires
{
	// ---- data the core reads ----
	// the memory model of the inline page primitives (reported to the shim's load check)
	requires same_as<decltype(P::kInlineMm), const bool>;
	// one relaxed load: is any zsx tracepoint enabled? (tested before each trace hook)
	requires primitive<decltype(&P::tracing), bool()>;

	// ---- locks: storage embedded in the core's structs (zsx_kconst.h sizes) ----
	requires primitive<decltype(&P::lock_init), void(zsx_plat_spinlock *)>;
	requires primitive<decltype(&P::lock_destroy), void(zsx_plat_spinlock *)>;
	requires primitive<decltype(&P::lock), void(zsx_plat_spinlock *)>;
	requires primitive<decltype(&P::unlock), void(zsx_plat_spinlock *)>;
	requires primitive<decltype(&P::lock_contended), int(zsx_plat_spinlock *)>;
	requires primitive<decltype(&P::trylock), int(zsx_plat_spinlock *)>; // 1: taken
	requires primitive<decltype(&P::rwlock_init), void(zsx_plat_rwlock *)>;
	requires primitive<decltype(&P::rwlock_destroy), void(zsx_plat_rwlock *)>;
	requires primitive<decltype(&P::read_lock), void(zsx_plat_rwlock *)>;
	requires primitive<decltype(&P::read_unlock), void(zsx_plat_rwlock *)>;
	requires primitive<decltype(&P::write_lock), void(zsx_plat_rwlock *)>;
	requires primitive<decltype(&P::write_unlock), void(zsx_plat_rwlock *)>;

	// ---- memory: metadata, handles, zspage metadata ----
	requires primitive<decltype(&P::zalloc), void *(unsigned long, unsigned)>;
	requires primitive<decltype(&P::free), void(void *)>;
	requires primitive<decltype(&P::handle_alloc), unsigned long *(unsigned)>;
	requires primitive<decltype(&P::handle_free), void(unsigned long *)>;
	requires primitive<decltype(&P::handle_alloc_debug), unsigned long *(unsigned)>;
	requires primitive<decltype(&P::handle_free_debug), void(unsigned long *)>;
	requires primitive<decltype(&P::zspage_alloc), void *(unsigned, unsigned)>;
	requires primitive<decltype(&P::zspage_free), void(void *, unsigned)>;

	// ---- pages ----
	requires primitive<decltype(&P::page_alloc), zsx_plat_page *(unsigned, int)>;
	// pfn_to_page: nullptr above the highest PFN (inline: one compare);
	// pfn_to_page_checked: pfn_valid() too (a PFN in a memory hole), always a call
	requires primitive<decltype(&P::pfn_to_page), zsx_plat_page *(unsigned long)>;
	requires primitive<decltype(&P::pfn_to_page_checked), zsx_plat_page *(unsigned long)>;
	requires primitive<decltype(&P::page_to_pfn), unsigned long(zsx_plat_page *)>;
	requires primitive<decltype(&P::kmap), u8 *(zsx_plat_page *)>;
	requires primitive<decltype(&P::kunmap), void(void *)>;
	requires primitive<decltype(&P::page_make_movable), void(zsx_plat_page *, unsigned)>;
	requires primitive<decltype(&P::page_release_try), int(zsx_plat_page *)>;
	requires primitive<decltype(&P::page_adopt_migrated), void(zsx_plat_page *)>;
	requires primitive<decltype(&P::page_drop_migrated), void(zsx_plat_page *)>;
	requires primitive<decltype(&P::page_set_owner), void(zsx_plat_page *, void *, unsigned long)>;
	requires primitive<decltype(&P::page_owner), void *(zsx_plat_page *)>;
	requires primitive<decltype(&P::page_tag), unsigned long(zsx_plat_page *)>;
	// zspages whose pages could not all be released: a worker finishes them
	requires primitive<decltype(&P::defer_zspage_release), void(void *)>;
	requires primitive<decltype(&P::flush_deferred_releases), void()>;

	// ---- per-CPU: bounce buffer, per-CPU allocations, CPU ids ----
	requires primitive<decltype(&P::cpu_buffer_get), void *()>;
	requires primitive<decltype(&P::cpu_buffer_held), void *()>;
	requires primitive<decltype(&P::cpu_buffer_put), void()>;
	requires primitive<decltype(&P::percpu_zalloc), void *(unsigned long)>;
	requires primitive<decltype(&P::percpu_free), void(void *)>;
	requires primitive<decltype(&P::percpu_ptr), void *(void *, int)>;
	requires primitive<decltype(&P::nr_cpu_ids), int()>;
	requires primitive<decltype(&P::cpu_possible), int(int)>;
	requires primitive<decltype(&P::cpu_online), int(int)>;
	requires primitive<decltype(&P::zalloc_large), void *(unsigned long, int)>;
	requires primitive<decltype(&P::free_large), void(void *)>;

	// ---- work items (process context, on a memory-reclaim queue) ----
	requires primitive<decltype(&P::work_new), zsx_plat_work *(void (*)(void *), void *)>;
	requires primitive<decltype(&P::work_queue), void(zsx_plat_work *)>;
	requires primitive<decltype(&P::work_flush), void(zsx_plat_work *)>;
	requires primitive<decltype(&P::work_delete), void(zsx_plat_work *)>;

	// ---- context and scheduling ----
	requires primitive<decltype(&P::may_lock), int()>;
	requires primitive<decltype(&P::in_task), int()>;
	requires primitive<decltype(&P::need_resched), int()>;
	requires primitive<decltype(&P::bh_disable), void()>;
	requires primitive<decltype(&P::bh_enable), void()>;
	requires primitive<decltype(&P::cond_resched), void()>;

	// ---- deferred freeing's rings (defer_ring.h): timers and drain work per CPU ----
	requires primitive<decltype(&P::defer_cpu_new),
			   zsx_plat_defer_cpu *(zsx_defer_ring *, void (*)(void *, int), void *, unsigned)>;
	requires primitive<decltype(&P::defer_cpu_delete), void(zsx_plat_defer_cpu *)>;
	requires primitive<decltype(&P::defer_set_delay), void(zsx_plat_defer_cpu *, unsigned)>;
	requires primitive<decltype(&P::defer_cpu_dead), void(zsx_defer_ring *)>;
	requires primitive<decltype(&P::defer_kick), void(zsx_defer_ring *)>;
	requires primitive<decltype(&P::defer_wait), void(zsx_plat_defer_cpu *)>;
	requires primitive<decltype(&P::defer_flush), void(zsx_plat_defer_cpu *)>;
	requires primitive<decltype(&P::defer_park), int(zsx_defer_ring *, unsigned long, int)>;
	requires primitive<decltype(&P::defer_this_ring), zsx_defer_ring *(zsx_defer_ring *)>;
	requires primitive<decltype(&P::defer_take_lock), void(zsx_defer_ring *)>;
	requires primitive<decltype(&P::defer_take_unlock), void(zsx_defer_ring *)>;

	// ---- tracing: hooks called only while tracing() ----
	requires primitive<decltype(&P::trace_malloc), void(void *, unsigned long, int, unsigned long)>;
	requires primitive<decltype(&P::trace_free), void(void *, unsigned long, int, int)>;
	requires primitive<decltype(&P::trace_zspage_free), void(void *, int, unsigned, int)>;
	requires primitive<decltype(&P::trace_deferred_drain),
			   void(void *, int, unsigned long, unsigned long, unsigned long, unsigned long)>;
	requires primitive<decltype(&P::trace_compact), void(void *, unsigned long, unsigned long)>;
	requires primitive<decltype(&P::trace_migrate), void(void *, unsigned long, unsigned long, unsigned)>;

	// ---- diagnostics ----
	requires primitive<decltype(&P::warn), void(void *, int, unsigned long, unsigned long)>; // enum zsx_misuse
	requires primitive<decltype(&P::report), void(const char *, unsigned long, unsigned long)>;

	// ---- time ----
	requires primitive<decltype(&P::now_ns), unsigned long long()>;   // this CPU's clock
	requires primitive<decltype(&P::clock_ns), unsigned long long()>; // one clock for all CPUs
};

} // namespace zsx
