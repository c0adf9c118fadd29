/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel platform's C functions: defined by platform.c and trace.c, called
 * by KernelPlatform (platform_kernel.hpp), which names each one as the
 * primitive it implements, and by the ring park (zsx_defer.h). Their contracts
 * are the platform interface's (src/core/platform_concept.hpp). Private to the
 * kernel platform: the core never includes it.
 */
#ifndef ZSX_PLATFORM_ABI_H
#define ZSX_PLATFORM_ABI_H

#include "platform_kconst.h" /* struct zsx_plat_mm: platform.c sets it at load */

#ifdef __cplusplus
extern "C" {
#endif

struct zsx_plat_spinlock;
struct zsx_plat_rwlock;
struct zsx_plat_page;
struct zsx_plat_work;
struct zsx_plat_defer_cpu;
struct zsx_defer_ring;

/* locks */
void zsx_plat_lock_init(struct zsx_plat_spinlock *l);
void zsx_plat_lock_destroy(struct zsx_plat_spinlock *l);
void zsx_plat_lock(struct zsx_plat_spinlock *l);
void zsx_plat_unlock(struct zsx_plat_spinlock *l);
void zsx_plat_lock_bh(struct zsx_plat_spinlock *l);
void zsx_plat_unlock_bh(struct zsx_plat_spinlock *l);
int zsx_plat_lock_contended(struct zsx_plat_spinlock *l);
int zsx_plat_trylock(struct zsx_plat_spinlock *l);
void zsx_plat_rwlock_init(struct zsx_plat_rwlock *l);
void zsx_plat_rwlock_destroy(struct zsx_plat_rwlock *l);
void zsx_plat_read_lock(struct zsx_plat_rwlock *l);
void zsx_plat_read_unlock(struct zsx_plat_rwlock *l);
void zsx_plat_write_lock(struct zsx_plat_rwlock *l);
void zsx_plat_write_unlock(struct zsx_plat_rwlock *l);

/* memory; handles come inline from this kmem_cache */
extern void *zsx_plat_handle_cache;
void *zsx_plat_zalloc(unsigned long size, unsigned int gfp);
void zsx_plat_free(void *p);
unsigned long *zsx_plat_handle_alloc_debug(unsigned int gfp);
void zsx_plat_handle_free_debug(unsigned long *h);
void *zsx_plat_zspage_alloc(unsigned int nr_pages, unsigned int gfp);
void zsx_plat_zspage_free(void *zspage, unsigned int nr_pages);
void *zsx_plat_zalloc_large(unsigned long size, int cpu);
void zsx_plat_free_large(void *p);

/* pages; pfn_to_page is also pfn_to_page_checked */
struct zsx_plat_page *zsx_plat_page_alloc(unsigned int gfp, int nid);
struct zsx_plat_page *zsx_plat_pfn_to_page(unsigned long pfn);
unsigned long zsx_plat_page_to_pfn(struct zsx_plat_page *p);
void *zsx_plat_kmap(struct zsx_plat_page *p);
void zsx_plat_kunmap(void *addr);
void zsx_plat_page_make_movable(struct zsx_plat_page *p, unsigned int gfp);
int zsx_plat_page_release_try(struct zsx_plat_page *p);
unsigned int zsx_plat_pages_release(struct zsx_plat_page **pages, unsigned int n);
void zsx_plat_page_adopt_migrated(struct zsx_plat_page *newpage);
void zsx_plat_page_drop_migrated(struct zsx_plat_page *oldpage);
void zsx_plat_page_set_owner(struct zsx_plat_page *p, void *zspage, unsigned long tag);
void *zsx_plat_page_owner(struct zsx_plat_page *p);
unsigned long zsx_plat_page_tag(struct zsx_plat_page *p);
void zsx_plat_defer_zspage_release(void *obj);
void zsx_plat_flush_deferred_releases(void);

/* per-CPU */
void *zsx_plat_cpu_buffer_get(void);
void *zsx_plat_cpu_buffer_held(void);
void zsx_plat_cpu_buffer_put(void);
void *zsx_plat_percpu_zalloc(unsigned long size);
void zsx_plat_percpu_free(void *pcp);
void *zsx_plat_percpu_ptr(void *pcp, int cpu);
int zsx_plat_nr_cpu_ids(void);
int zsx_plat_cpu_possible(int cpu);
int zsx_plat_cpu_online(int cpu);

/* context, and work in process context */
int zsx_plat_may_lock(void);
int zsx_plat_in_task(void);
int zsx_plat_may_alloc_atomic(void);
int zsx_plat_need_resched(void);
void zsx_plat_cond_resched(void);
struct zsx_plat_work *zsx_plat_work_new(void (*fn)(void *arg), void *arg);
void zsx_plat_work_queue(struct zsx_plat_work *w);
void zsx_plat_work_flush(struct zsx_plat_work *w);
void zsx_plat_work_delete(struct zsx_plat_work *w);

/* deferred rings; defer_arm is the park's ZSX_RING_ARM */
struct zsx_plat_defer_cpu *zsx_plat_defer_cpu_new(struct zsx_defer_ring *ring,
						  void (*drain)(void *arg, int cpu), void *arg,
						  unsigned int delay_ms);
void zsx_plat_defer_cpu_delete(struct zsx_plat_defer_cpu *d);
void zsx_plat_defer_set_delay(struct zsx_plat_defer_cpu *d, unsigned int delay_ms);
void zsx_plat_defer_arm(struct zsx_defer_ring *ring);
void zsx_plat_defer_cpu_dead(struct zsx_defer_ring *ring);
void zsx_plat_defer_kick(struct zsx_defer_ring *ring);
void zsx_plat_defer_wait(struct zsx_plat_defer_cpu *d);
void zsx_plat_defer_flush(struct zsx_plat_defer_cpu *d);
int zsx_plat_defer_park(struct zsx_defer_ring *rings, unsigned long handle, int atomic_caller);
struct zsx_defer_ring *zsx_plat_defer_this_ring(struct zsx_defer_ring *rings);
void zsx_plat_defer_take_lock(struct zsx_defer_ring *ring);
void zsx_plat_defer_take_unlock(struct zsx_defer_ring *ring);

/* tracing (trace.c): nonzero while any zsx event is enabled */
extern int zsx_plat_trace_active;
void zsx_plat_trace_malloc(void *owner, unsigned long size, int class_idx, unsigned long handle);
void zsx_plat_trace_free(void *owner, unsigned long handle, int class_idx, int path);
void zsx_plat_trace_zspage_free(void *owner, int class_idx, unsigned int pages, int under_lock);
void zsx_plat_trace_deferred_drain(void *owner, int cpu, unsigned long handles,
				   unsigned long classes, unsigned long ns,
				   unsigned long longest_hold_ns);
void zsx_plat_trace_compact(void *owner, unsigned long classes, unsigned long pages_freed);
void zsx_plat_trace_migrate(void *owner, unsigned long old_pfn, unsigned long new_pfn,
			    unsigned int objects);

/* diagnostics, time */
void zsx_plat_warn(void *owner, int kind, unsigned long handle, unsigned long detail);
void zsx_plat_report(const char *what, unsigned long a, unsigned long b);
unsigned long long zsx_plat_now_ns(void);
unsigned long long zsx_plat_clock_ns(void);

#ifdef __cplusplus
}
#endif

#endif
