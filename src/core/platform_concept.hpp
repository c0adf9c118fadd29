// SPDX-License-Identifier: GPL-2.0
// The platform interface of the zsx core: everything the core needs from the
// kernel, each primitive once with its exact signature and its contract.
//
// A platform is a type of static members (snmalloc's PAL style) that
// satisfies PlatformInterface; the core calls it only as Plat (platform.hpp),
// which asserts the concept, so a primitive a platform lacks or mistypes is a
// compile error in every core object, not a link error. A primitive is a static
// member function or a constexpr pointer to a function, of exactly the
// signature listed: no overloads, no templates, no conversions.
//
// Two platforms implement it, each in one place:
//   KernelPlatform (src/kernel/platform_kernel.hpp): the hot primitives
//     inline, the others platform.c's and trace.c's functions;
//   HostedPlatform (kunit/host/host_platform_face.hpp, host_platform.cpp):
//     pthread locks, malloc'd metadata, a "vmemmap" over an arena of pages.
// Both take the constants and, where zsx_kconst.h says it is inline, the
// memory model from KconstPlatform (platform_kconst.h).
#pragma once

#include "types.hpp"

// The kernel's objects, opaque to the core (each platform defines them).
struct zsx_plat_spinlock;  // spinlock_t, embedded in the core's structs
struct zsx_plat_rwlock;    // rwlock_t, embedded likewise
struct zsx_plat_page;      // struct page
struct zsx_plat_work;      // a work item and what it runs
struct zsx_plat_defer_cpu; // a deferred-free ring's timer and drain work
struct zsx_defer_ring;     // a CPU's ring of deferred frees (defer_ring.h)

namespace zsx {

// <concepts> is not available (-nostdinc++): the two halves of std::same_as
template <class T, class U> inline constexpr bool is_same_v = false;
template <class T> inline constexpr bool is_same_v<T, T> = true;
template <class T, class U>
concept same_as = is_same_v<T, U> && is_same_v<U, T>;

// F is decltype(+P::name): a plain function pointer of exactly this signature
template <class F, class Sig>
concept primitive = same_as<F, Sig *>;

template <class P>
concept PlatformInterface = requires
{
	// ---- locks: storage inside the core's structs; init before use, destroy before the memory is freed ----
	// spin_lock_init
	requires primitive<decltype(+P::lock_init), void(zsx_plat_spinlock *)>;
	// nothing left to release
	requires primitive<decltype(+P::lock_destroy), void(zsx_plat_spinlock *)>;
	// spin_lock: preemption off while held
	requires primitive<decltype(+P::lock), void(zsx_plat_spinlock *)>;
	// spin_unlock
	requires primitive<decltype(+P::unlock), void(zsx_plat_spinlock *)>;
	// spin_lock_bh, spin_unlock_bh: the lock held with softirqs off on this CPU
	requires primitive<decltype(+P::lock_bh), void(zsx_plat_spinlock *)>;
	requires primitive<decltype(+P::unlock_bh), void(zsx_plat_spinlock *)>;
	// nonzero while another CPU waits for it (spin_is_contended)
	requires primitive<decltype(+P::lock_contended), int(zsx_plat_spinlock *)>;
	// 1: taken, 0: busy; waits for nothing (spin_trylock)
	requires primitive<decltype(+P::trylock), int(zsx_plat_spinlock *)>;
	// rwlock_init
	requires primitive<decltype(+P::rwlock_init), void(zsx_plat_rwlock *)>;
	// nothing left to release
	requires primitive<decltype(+P::rwlock_destroy), void(zsx_plat_rwlock *)>;
	// read_lock, read_unlock, write_lock, write_unlock
	requires primitive<decltype(+P::read_lock), void(zsx_plat_rwlock *)>;
	requires primitive<decltype(+P::read_unlock), void(zsx_plat_rwlock *)>;
	requires primitive<decltype(+P::write_lock), void(zsx_plat_rwlock *)>;
	requires primitive<decltype(+P::write_unlock), void(zsx_plat_rwlock *)>;

	// ---- memory: gfp is the caller's (never 0), the zone bits stripped; nullptr when there is none ----
	// zeroed metadata (kzalloc)
	requires primitive<decltype(+P::zalloc), void *(unsigned long, unsigned)>;
	// kfree; nullptr allowed
	requires primitive<decltype(+P::free), void(void *)>;
	// a handle: one word from the handle cache, as zsmalloc's
	requires primitive<decltype(+P::handle_alloc), unsigned long *(unsigned)>;
	requires primitive<decltype(+P::handle_free), void(unsigned long *)>;
	// n handle words at once (kmem_cache_free_bulk: neighbours in a slab freed together)
	requires primitive<decltype(+P::handle_free_bulk), void(void **, unsigned)>;
	// a debug pool's handle: two words ([1]: the pool's tag) from a cache of their own
	requires primitive<decltype(+P::handle_alloc_debug), unsigned long *(unsigned)>;
	requires primitive<decltype(+P::handle_free_debug), void(unsigned long *)>;
	// zeroed zspage metadata for nr_pages pages (zsx_core_zspage_bytes) from that chain length's cache
	requires primitive<decltype(+P::zspage_alloc), void *(unsigned, unsigned)>;
	// back to the cache of its chain length
	requires primitive<decltype(+P::zspage_free), void(void *, unsigned)>;
	// zeroed, maybe not physically contiguous (kvzalloc), on cpu's node (cpu < 0: any); process context
	requires primitive<decltype(+P::zalloc_large), void *(unsigned long, int)>;
	// kvfree; nullptr allowed
	requires primitive<decltype(+P::free_large), void(void *)>;

	// ---- pages ----
	// a data page on node nid (nid < 0: any)
	requires primitive<decltype(+P::page_alloc), zsx_plat_page *(unsigned, int)>;
	// the page of a PFN; nullptr above the highest PFN (inline: one compare; a hole below it is not caught)
	requires primitive<decltype(+P::pfn_to_page), zsx_plat_page *(unsigned long)>;
	// the same, and nullptr for a PFN in a memory hole (pfn_valid): always a call
	requires primitive<decltype(+P::pfn_to_page_checked), zsx_plat_page *(unsigned long)>;
	requires primitive<decltype(+P::page_to_pfn), unsigned long(zsx_plat_page *)>;
	// the page's memory until kunmap (kmap_local_page: mappings do not nest out of order)
	requires primitive<decltype(+P::kmap), u8 *(zsx_plat_page *)>;
	requires primitive<decltype(+P::kunmap), void(void *)>;
	// a fully built zspage's page becomes movable, if gfp has __GFP_MOVABLE
	requires primitive<decltype(+P::page_make_movable), void(zsx_plat_page *, unsigned)>;
	// release a zspage's page: 1 done, 0 its lock is held (by migration) right now
	requires primitive<decltype(+P::page_release_try), int(zsx_plat_page *)>;
	// an emptied zspage's n (<= 32) pages at once: each page's owner and tag
	// cleared, and each page released unless its lock is held right now
	// (page_release_try of every page, the releases batched); returns the
	// pages not released as a bit mask (bit i: pages[i], left in the array)
	requires primitive<decltype(+P::pages_release), unsigned(zsx_plat_page **, unsigned)>;
	// migration, both pages locked by the VM: take over the new page, drop the old one
	requires primitive<decltype(+P::page_adopt_migrated), void(zsx_plat_page *)>;
	requires primitive<decltype(+P::page_drop_migrated), void(zsx_plat_page *)>;
	// page->private = zspage, page->index = tag (zspage ^ pool: a foreign page is seen as one)
	requires primitive<decltype(+P::page_set_owner), void(zsx_plat_page *, void *, unsigned long)>;
	// page->private, page->index: single-copy atomic reads
	requires primitive<decltype(+P::page_owner), void *(zsx_plat_page *)>;
	requires primitive<decltype(+P::page_tag), unsigned long(zsx_plat_page *)>;
	// a worker calls zsx_core_zspage_release_slow(obj) until it returns 1 (obj's first 16 bytes are ours)
	requires primitive<decltype(+P::defer_zspage_release), void(void *)>;
	// process context: every zspage handed to the worker before the call is released on return
	requires primitive<decltype(+P::flush_deferred_releases), void()>;

	// ---- per-CPU ----
	// this CPU's PAGE_SIZE bounce buffer; preemption off until put
	requires primitive<decltype(+P::cpu_buffer_get), void *()>;
	// the buffer this CPU took with get (between get and put)
	requires primitive<decltype(+P::cpu_buffer_held), void *()>;
	requires primitive<decltype(+P::cpu_buffer_put), void()>;
	// zeroed per-CPU data, cache-line aligned (alloc_percpu); process context
	requires primitive<decltype(+P::percpu_zalloc), void *(unsigned long)>;
	requires primitive<decltype(+P::percpu_free), void(void *)>;
	// CPU cpu's copy (per_cpu_ptr)
	requires primitive<decltype(+P::percpu_ptr), void *(void *, int)>;
	// one past the highest possible CPU id; possible, online: nonzero if so
	requires primitive<decltype(+P::nr_cpu_ids), int()>;
	requires primitive<decltype(+P::cpu_possible), int(int)>;
	requires primitive<decltype(+P::cpu_online), int(int)>;

	// ---- context, and work in process context ----
	// may this caller wait for the pool's locks? not in interrupt context, nor with softirqs or IRQs off
	requires primitive<decltype(+P::may_lock), int()>;
	// task context (IRQs may be off): a trylock here makes lockdep no IRQ-usage claim
	requires primitive<decltype(+P::in_task), int()>;
	// may this caller allocate without sleeping? not in a hard interrupt (nor with IRQs
	// off on PREEMPT_RT), where the slab's locks are sleeping ones (and 7.x lockdep says so)
	requires primitive<decltype(+P::may_alloc_atomic), int()>;
	requires primitive<decltype(+P::need_resched), int()>;
	// process context, no lock held: the scheduler may run another task (and move this one)
	requires primitive<decltype(+P::cond_resched), void()>;
	// fn(arg) in process context on the memory-reclaim workqueue; process context
	requires primitive<decltype(+P::work_new), zsx_plat_work *(void (*)(void *), void *)>;
	// any context but NMI: run it (again) soon
	requires primitive<decltype(+P::work_queue), void(zsx_plat_work *)>;
	// process context: a queued or running run is done on return
	requires primitive<decltype(+P::work_flush), void(zsx_plat_work *)>;
	// cancels, waits, frees; nullptr allowed
	requires primitive<decltype(+P::work_delete), void(zsx_plat_work *)>;

	// ---- deferred rings (defer_ring.h): per CPU a low-water timer pinned there and a drain work item ----
	// process context: the ring's timer and its drain work (unbound), which calls drain(arg, ring->cpu)
	requires primitive<decltype(+P::defer_cpu_new),
			   zsx_plat_defer_cpu *(zsx_defer_ring *, void (*)(void *, int), void *, unsigned)>;
	// cancels and waits for both, frees
	requires primitive<decltype(+P::defer_cpu_delete), void(zsx_plat_defer_cpu *)>;
	// the low-water period, from the next arming on
	requires primitive<decltype(+P::defer_set_delay), void(zsx_plat_defer_cpu *, unsigned)>;
	// process context, the ring's CPU dead: its timer stopped, timer_armed cleared, its drainer kicked
	requires primitive<decltype(+P::defer_cpu_dead), void(zsx_defer_ring *)>;
	// any context: the ring's drainer runs now
	requires primitive<decltype(+P::defer_kick), void(zsx_defer_ring *)>;
	// process context: a queued or running drainer of the ring is done on return (no kick)
	requires primitive<decltype(+P::defer_wait), void(zsx_plat_defer_cpu *)>;
	// process context: kick the ring's drainer and wait for it
	requires primitive<decltype(+P::defer_flush), void(zsx_plat_defer_cpu *)>;
	// zsx_defer_park(rings, handle, atomic_caller), a call: 1 parked in this CPU's ring, 0 full
	requires primitive<decltype(+P::defer_park), int(zsx_defer_ring *, unsigned long, int)>;
	// this CPU's ring now (the caller may migrate: statistics and the slow path only)
	requires primitive<decltype(+P::defer_this_ring), zsx_defer_ring *(zsx_defer_ring *)>;
	// the ring's take lock, a spinlock never taken in interrupt context: tail moves under it
	requires primitive<decltype(+P::defer_take_lock), void(zsx_defer_ring *)>;
	requires primitive<decltype(+P::defer_take_unlock), void(zsx_defer_ring *)>;
	// The park itself (zsx_defer_park) is C, inlined by the kernel's C fast path
	// (zsx_free_deferred), so its primitives are C macros each platform defines
	// before it includes defer_ring.h (the kernel's: src/kernel/zsx_defer.h);
	// defer_ring.h refuses to build the park without any of them:
	//   ZSX_RING_ENTER(), ZSX_RING_EXIT()  no task switch on this CPU in between (preempt_disable/enable)
	//   ZSX_RING_THIS(rings)               struct zsx_defer_ring *: this CPU's ring (this_cpu_ptr)
	//   ZSX_RING_RESERVE(rings)            unsigned long: this CPU's head++ as one IRQ-safe this-CPU RMW,
	//                                      the old head (this_cpu_inc_return - 1)
	//   ZSX_RING_LOAD(lvalue)              a single-copy atomic read (READ_ONCE)
	//   ZSX_RING_LOAD_ACQ(p)               *p, acquire (smp_load_acquire)
	//   ZSX_RING_STORE_REL(p, v)           *p = v, release (smp_store_release)
	//   ZSX_RING_ARM(ring)                 on the ring's CPU, preemption off: timer_armed = 1, the timer set
	//   ZSX_RING_KICK(ring)                defer_kick(ring)

	// ---- tracing: hooks called only while tracing(); owner is what the shim set with
	// zsx_core_pool_set_owner(), class -1 unknown ----
	// is any zsx tracepoint enabled? one relaxed load
	requires primitive<decltype(+P::tracing), bool()>;
	requires primitive<decltype(+P::trace_malloc), void(void *, unsigned long, int, unsigned long)>;
	// path: enum zsx_trace_free_path
	requires primitive<decltype(+P::trace_free), void(void *, unsigned long, int, int)>;
	requires primitive<decltype(+P::trace_zspage_free), void(void *, int, unsigned, int)>;
	// cpu, handles, classes, ns, longest_hold_ns
	requires primitive<decltype(+P::trace_deferred_drain),
			   void(void *, int, unsigned long, unsigned long, unsigned long, unsigned long)>;
	requires primitive<decltype(+P::trace_compact), void(void *, unsigned long, unsigned long)>;
	requires primitive<decltype(+P::trace_migrate), void(void *, unsigned long, unsigned long, unsigned)>;

	// ---- diagnostics ----
	// API misuse or corruption (owner, enum zsx_misuse, handle, detail): counted, rate-limited per kind
	requires primitive<decltype(+P::warn), void(void *, int, unsigned long, unsigned long)>;
	// an expected but noteworthy event (pr_warn)
	requires primitive<decltype(+P::report), void(const char *, unsigned long, unsigned long)>;

	// ---- time ----
	// this CPU's clock (local_clock): cheap, comparable only on one CPU (a lock hold)
	requires primitive<decltype(+P::now_ns), unsigned long long()>;
	// one clock for every CPU (ktime_get_ns): spans a task may migrate across
	requires primitive<decltype(+P::clock_ns), unsigned long long()>;

	// ---- constants ----
	// the page primitives are arithmetic on bases set at load (SPARSEMEM_VMEMMAP, no HIGHMEM, 64-bit)
	requires same_as<decltype(P::kInlineMm), const bool>;
	// the cache line: alignment of data written by different CPUs
	requires same_as<decltype(P::kCacheLine), const usize>;
	// GFP_KERNEL; GFP_ATOMIC | __GFP_NOWARN
	requires same_as<decltype(P::kGfpKernel), const unsigned>;
	requires same_as<decltype(P::kGfpAtomic), const unsigned>;
	// size and alignment of spinlock_t and rwlock_t: the storage of an embedded lock
	requires same_as<decltype(P::kSpinLockSize), const usize>;
	requires same_as<decltype(P::kSpinLockAlign), const usize>;
	requires same_as<decltype(P::kRwLockSize), const usize>;
	requires same_as<decltype(P::kRwLockAlign), const usize>;
};

} // namespace zsx
