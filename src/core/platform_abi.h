/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The platform interface of the zsx core: everything the kernel provides.
 * Implemented once by the C shim (src/kernel/platform.c) and once by the
 * hosted test shim (kunit/host/host_platform.cpp). Plain C declarations; the
 * core calls them only through its Plat face (src/core/platform_concept.hpp
 * lists what it needs: a face lacking one does not compile).
 */
#ifndef ZSX_PLATFORM_ABI_H
#define ZSX_PLATFORM_ABI_H

#ifdef __cplusplus
extern "C" {
#endif

struct zsx_plat_spinlock; /* spinlock_t */
struct zsx_plat_rwlock;   /* rwlock_t */
struct zsx_plat_page;     /* struct page */

/* locks live inside the structures they protect (storage of the kernel's
 * sizeof(spinlock_t)/sizeof(rwlock_t), zsx_kconst.h): init before use,
 * destroy before the memory is freed */
void zsx_plat_lock_init(struct zsx_plat_spinlock *l);
void zsx_plat_lock_destroy(struct zsx_plat_spinlock *l);
void zsx_plat_lock(struct zsx_plat_spinlock *l);
void zsx_plat_unlock(struct zsx_plat_spinlock *l);
int zsx_plat_lock_contended(struct zsx_plat_spinlock *l);
int zsx_plat_trylock(struct zsx_plat_spinlock *l); /* 1: taken */
void zsx_plat_rwlock_init(struct zsx_plat_rwlock *l);
void zsx_plat_rwlock_destroy(struct zsx_plat_rwlock *l);
void zsx_plat_read_lock(struct zsx_plat_rwlock *l);
void zsx_plat_read_unlock(struct zsx_plat_rwlock *l);
void zsx_plat_write_lock(struct zsx_plat_rwlock *l);
void zsx_plat_write_unlock(struct zsx_plat_rwlock *l);

/* the memory model, set once at load (zsx_kconst.h says whether the core may
 * use it inline): page of pfn = page_array + pfn * sizeof(struct page); address
 * of pfn = direct_map + (pfn << PAGE_SHIFT); pfns at or above pfn_limit are
 * not memory (raised on memory hotplug) */
struct zsx_plat_mm {
	unsigned long page_array; /* vmemmap */
	unsigned long direct_map;
	unsigned long pfn_limit;
};
extern struct zsx_plat_mm zsx_plat_mm;

/* metadata memory (gfp is the caller's, never 0; the shim strips the zone bits) */
void *zsx_plat_zalloc(unsigned long size, unsigned int gfp);
void zsx_plat_free(void *p);
/* handles: one unsigned long holding the obj value, from a dedicated cache,
 * as zsmalloc's (the faces allocate them inline: KernelPlatform from the
 * kmem_cache below); debug pools' handles are two ([1]: the pool's tag) from
 * a cache of their own */
unsigned long *zsx_plat_handle_alloc_debug(unsigned int gfp);
void zsx_plat_handle_free_debug(unsigned long *h);
/* the kernel's handle kmem_cache (the kernel shim's only) */
extern void *zsx_plat_handle_cache;
/* zspage metadata with room for nr_pages page pointers, from a cache per
 * chain length (zsx_core_zspage_bytes(nr_pages) bytes, zeroed) */
void *zsx_plat_zspage_alloc(unsigned int nr_pages, unsigned int gfp);
void zsx_plat_zspage_free(void *zspage, unsigned int nr_pages);

/* data pages */
struct zsx_plat_page *zsx_plat_page_alloc(unsigned int gfp, int nid);
unsigned long zsx_plat_page_to_pfn(struct zsx_plat_page *p);
struct zsx_plat_page *zsx_plat_pfn_to_page(unsigned long pfn);
void *zsx_plat_kmap(struct zsx_plat_page *p);
void zsx_plat_kunmap(void *addr);
/* a fully built zspage page becomes movable (if gfp asked for __GFP_MOVABLE) */
void zsx_plat_page_make_movable(struct zsx_plat_page *p, unsigned int gfp);
/* release a zspage page: 1 done, 0 the page is locked by migration right now */
int zsx_plat_page_release_try(struct zsx_plat_page *p);
/* migration (called with both pages locked by the VM): take over newpage, drop oldpage */
void zsx_plat_page_adopt_migrated(struct zsx_plat_page *newpage);
void zsx_plat_page_drop_migrated(struct zsx_plat_page *oldpage);
/* the zspage a page belongs to (page->private) and its tag (page->index):
 * tag = zspage ^ pool, so a page that is not a zsx page of this pool is
 * recognised without following its private pointer */
void zsx_plat_page_set_owner(struct zsx_plat_page *p, void *zspage, unsigned long tag);
void *zsx_plat_page_owner(struct zsx_plat_page *p);
unsigned long zsx_plat_page_tag(struct zsx_plat_page *p);

/* per-CPU bounce buffer (PAGE_SIZE) for objects that span two pages:
 * get disables preemption until put; held returns the buffer this CPU took
 * with get (between get and put: preemption off, so still this CPU's) */
void *zsx_plat_cpu_buffer_get(void);
void *zsx_plat_cpu_buffer_held(void);
void zsx_plat_cpu_buffer_put(void);

/* hand a zspage whose pages could not all be released to a worker that
 * calls zsx_core_zspage_release_slow(obj) in process context until it
 * returns 1 (0: a page is still locked; the worker must not sleep on it and
 * tries again later); the first 16 bytes of obj are the platform's (an llist
 * node). flush: every zspage handed over before it is released on return */
void zsx_plat_defer_zspage_release(void *obj);
void zsx_plat_flush_deferred_releases(void);

/* a work item on the platform's memory-reclaim workqueue (process context,
 * runs under memory pressure too): new (process context; NULL on -ENOMEM),
 * queue (any context, not NMI), flush (process context: a queued or running
 * run is done on return), delete (cancels, waits, frees; NULL allowed) */
struct zsx_plat_work;
struct zsx_plat_work *zsx_plat_work_new(void (*fn)(void *arg), void *arg);
void zsx_plat_work_queue(struct zsx_plat_work *w);
void zsx_plat_work_flush(struct zsx_plat_work *w);
void zsx_plat_work_delete(struct zsx_plat_work *w);

/* per-CPU data (deferred freeing's rings) */
void *zsx_plat_percpu_zalloc(unsigned long size); /* cache-line aligned */
void zsx_plat_percpu_free(void *pcp);
void *zsx_plat_percpu_ptr(void *pcp, int cpu);
int zsx_plat_nr_cpu_ids(void);
int zsx_plat_cpu_possible(int cpu);
int zsx_plat_cpu_online(int cpu);
/* zeroed memory that may be larger than a page or two: not necessarily
 * physically contiguous, so never a high-order allocation that fragmentation
 * can fail (kvzalloc); on the memory node of CPU cpu (cpu < 0: any node);
 * process context */
void *zsx_plat_zalloc_large(unsigned long size, int cpu);
void zsx_plat_free_large(void *p);
/* may this caller wait for the pool's locks? not in interrupt context, not
 * with softirqs or IRQs disabled: such a caller may hold a lock a softirq or
 * an interrupt handler takes, and waiting for a class lock under it would
 * order that lock before the class lock (ABBA with the handler); a softirq
 * may have interrupted a holder of the class lock */
int zsx_plat_may_lock(void);
/* task context (IRQs may be off): a trylock here makes lockdep no IRQ-usage claim */
int zsx_plat_in_task(void);
int zsx_plat_need_resched(void);
/* softirqs off/on on this CPU (local_bh_disable/enable): a drainer's class-lock
 * hold does not include the softirqs an interrupt inside it would run on exit */
void zsx_plat_bh_disable(void);
void zsx_plat_bh_enable(void);

/* Deferred freeing (defer_ring.h): each CPU's ring has a low-water timer
 * pinned to that CPU and a drain work item on an unbound workqueue that calls
 * drain(arg, cpu). */
struct zsx_defer_ring;
struct zsx_plat_defer_cpu;
struct zsx_plat_defer_cpu *zsx_plat_defer_cpu_new(struct zsx_defer_ring *ring, void (*drain)(void *arg, int cpu),
						  void *arg, unsigned int delay_ms);
void zsx_plat_defer_cpu_delete(struct zsx_plat_defer_cpu *d); /* cancels and waits for both */
void zsx_plat_defer_set_delay(struct zsx_plat_defer_cpu *d, unsigned int delay_ms);
/* on the ring's CPU, preemption off: timer_armed = 1 and the timer set */
void zsx_plat_defer_arm(struct zsx_defer_ring *ring);
/* process context, the ring's CPU dead: its timer stopped, the flag cleared, its drainer kicked */
void zsx_plat_defer_cpu_dead(struct zsx_defer_ring *ring);
/* any context: the ring's drainer runs now */
void zsx_plat_defer_kick(struct zsx_defer_ring *ring);
/* process context: wait for a queued or running drainer of the ring (no kick) */
void zsx_plat_defer_wait(struct zsx_plat_defer_cpu *d);
/* process context: kick the ring's drainer and wait for it */
void zsx_plat_defer_flush(struct zsx_plat_defer_cpu *d);
/* zsx_defer_park() for the core (the shim's fast path inlines it) */
int zsx_plat_defer_park(struct zsx_defer_ring *rings, unsigned long handle, int atomic_caller);
/* this CPU's ring now (statistics of the slow path; the caller may migrate) */
struct zsx_defer_ring *zsx_plat_defer_this_ring(struct zsx_defer_ring *rings);
/* the ring's take lock (a spinlock: no preemption while held; never taken in
 * interrupt context): tail moves under it; a producer drain frees under it */
void zsx_plat_defer_take_lock(struct zsx_defer_ring *ring);
void zsx_plat_defer_take_unlock(struct zsx_defer_ring *ring);

/* tracepoints (system zsx). zsx_plat_trace_active is nonzero while any zsx
 * event is enabled; the core tests it (one relaxed load) before calling a hook.
 * owner: what the shim set with zsx_core_pool_set_owner(); class -1: unknown */
extern int zsx_plat_trace_active;
void zsx_plat_trace_malloc(void *owner, unsigned long size, int class_idx, unsigned long handle);
void zsx_plat_trace_free(void *owner, unsigned long handle, int class_idx, int path);
void zsx_plat_trace_zspage_free(void *owner, int class_idx, unsigned int pages, int under_lock);
void zsx_plat_trace_deferred_drain(void *owner, int cpu, unsigned long handles, unsigned long classes, unsigned long ns,
				   unsigned long longest_hold_ns);
void zsx_plat_trace_compact(void *owner, unsigned long classes, unsigned long pages_freed);
void zsx_plat_trace_migrate(void *owner, unsigned long old_pfn, unsigned long new_pfn, unsigned int objects);

/* misc */
/* API misuse or corruption (enum zsx_misuse): each kind its own rate-limited
 * warning naming the pool (owner: what the shim set with
 * zsx_core_pool_set_owner) and the handle; counted per kind */
void zsx_plat_warn(void *owner, int kind, unsigned long handle, unsigned long detail);
/* pr_warn: an expected but noteworthy event */
void zsx_plat_report(const char *what, unsigned long a, unsigned long b);
void zsx_plat_cond_resched(void);
/* this CPU's clock (local_clock): cheap, comparable only on one CPU (a
 * lock hold, preemption off); clock_ns: one clock for every CPU, for spans a
 * task may migrate across (a drainer run) */
unsigned long long zsx_plat_now_ns(void);
unsigned long long zsx_plat_clock_ns(void);

#ifdef __cplusplus
}
#endif

#endif
