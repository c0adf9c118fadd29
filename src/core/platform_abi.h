/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The platform interface of the zsx core: everything the kernel provides.
 * Implemented once by the C shim (src/kernel/platform.c) and once by the
 * hosted test shim (kunit/host/host_platform.cpp). Plain C declarations.
 */
#ifndef ZSX_PLATFORM_ABI_H
#define ZSX_PLATFORM_ABI_H

#ifdef __cplusplus
extern "C" {
#endif

struct zsx_plat_spinlock;   /* spinlock_t */
struct zsx_plat_rwlock; /* rwlock_t */
struct zsx_plat_page;   /* struct page */

/* locks live inside the structures they protect (storage of the kernel's
 * sizeof(spinlock_t)/sizeof(rwlock_t), zsx_kconst.h): init before use,
 * destroy before the memory is freed */
void zsx_plat_lock_init(struct zsx_plat_spinlock *l);
void zsx_plat_lock_destroy(struct zsx_plat_spinlock *l);
void zsx_plat_lock(struct zsx_plat_spinlock *l);
void zsx_plat_unlock(struct zsx_plat_spinlock *l);
int zsx_plat_lock_contended(struct zsx_plat_spinlock *l);
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
/* handles: two unsigned longs each, from a dedicated cache: [0] holds the obj
 * value, [1] links the handle into a deferred-free overflow list (and holds
 * the pool's tag on debug pools) */
unsigned long *zsx_plat_handle_alloc(unsigned int gfp);
void zsx_plat_handle_free(unsigned long *h);
/* the kernel's handle kmem_cache, for the core's inline handle alloc/free */
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
/* release a zspage page, sleeping for its page lock (process context) */
void zsx_plat_page_release_blocking(struct zsx_plat_page *p);
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
 * get disables preemption until put */
void *zsx_plat_cpu_buffer_get(void);
void zsx_plat_cpu_buffer_put(void);

/* hand a zspage whose pages could not all be released to a worker that
 * calls zsx_core_zspage_release_slow(obj) in process context (the first 16
 * bytes of obj are the platform's: an llist node) */
void zsx_plat_defer_zspage_release(void *obj);
void zsx_plat_flush_deferred_releases(void);

/* per-CPU data, IRQ control, cross-CPU calls, work items (deferred freeing) */
void *zsx_plat_percpu_zalloc(unsigned long size);
void zsx_plat_percpu_free(void *pcp);
void *zsx_plat_percpu_ptr(void *pcp, int cpu);
int zsx_plat_this_cpu(void); /* IRQs off */
int zsx_plat_nr_cpu_ids(void);
int zsx_plat_cpu_possible(int cpu);
/* IRQs off (flags to *flags) and this CPU's slot of pcp: one call on hot paths */
void *zsx_plat_percpu_irq_save(void *pcp, unsigned long *flags);
void zsx_plat_irq_restore(unsigned long flags);
/* run fn(arg) on cpu with IRQs off there (an IPI); directly if cpu is offline */
void zsx_plat_run_on_cpu(int cpu, void (*fn)(void *), void *arg);
/* hold off CPU hotplug (process context) */
void zsx_plat_cpus_read_lock(void);
void zsx_plat_cpus_read_unlock(void);
/* may this caller take the pool's locks? task context (not hard/soft IRQ,
 * not NMI) with IRQs enabled before zsx_plat_percpu_irq_save() saved *flags*:
 * a caller that disabled IRQs may hold an IRQ-safe lock, and taking a class
 * lock under it would order that lock before the class lock (ABBA with an
 * interrupt handler taking the same IRQ-safe lock) */
int zsx_plat_may_lock(unsigned long flags);
int zsx_plat_need_resched(void);
struct zsx_plat_work;
struct zsx_plat_work *zsx_plat_work_new(void (*fn)(void *), void *arg); /* unbound workqueue */
void zsx_plat_work_delete(struct zsx_plat_work *w);
void zsx_plat_work_kick(struct zsx_plat_work *w, unsigned int delay_ms); /* any context */
void zsx_plat_work_flush(struct zsx_plat_work *w);

/* tracepoints (system zsx). zsx_plat_trace_active is nonzero while any zsx
 * event is enabled; the core tests it (one relaxed load) before calling a hook.
 * owner: what the shim set with zsx_core_pool_set_owner(); class -1: unknown */
extern int zsx_plat_trace_active;
void zsx_plat_trace_malloc(void *owner, unsigned long size, int class_idx, unsigned long handle);
void zsx_plat_trace_free(void *owner, unsigned long handle, int class_idx, int path);
void zsx_plat_trace_zspage_free(void *owner, int class_idx, unsigned int pages, int under_lock);
void zsx_plat_trace_deferred_drain(void *owner, unsigned long handles, unsigned long classes,
				   unsigned long long ns);
void zsx_plat_trace_compact(void *owner, unsigned long classes, unsigned long pages_freed);
void zsx_plat_trace_migrate(void *owner, unsigned long old_pfn, unsigned long new_pfn, unsigned int objects);

/* misc */
/* WARN_ONCE: corruption or API misuse */
void zsx_plat_warn(const char *what, unsigned long a, unsigned long b);
/* pr_warn: an expected but noteworthy event */
void zsx_plat_report(const char *what, unsigned long a, unsigned long b);
void zsx_plat_cond_resched(void);
unsigned long long zsx_plat_now_ns(void);

#ifdef __cplusplus
}
#endif

#endif
