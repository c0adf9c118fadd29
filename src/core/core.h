/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C face of the zsx C++ core: what the C shim (and the KUnit suites, through
 * the shim's exports) may call. Plain C, no kernel header, no C++.
 */
#ifndef ZSX_CORE_H
#define ZSX_CORE_H

#include "config.h"

struct zsx_plat_page;
struct zsx_defer_ring;

#ifdef __cplusplus
extern "C" {
#endif

struct zsx_class_info {
	unsigned int size;  /* object size of the class serving this slot */
	unsigned int objs;  /* objects per zspage */
	unsigned int pages; /* pages per zspage */
	unsigned int index; /* canonical (merged) class index */
	int huge;
};

struct zsx_layout_info {
	unsigned int long_bits, pfn_bits, class_bits, index_bits;
	int has_class;
	unsigned long max_pfn, max_index;
	unsigned int nr_classes, page_shift, default_chain, min_chain, max_chain;
};

void zsx_core_layout(struct zsx_layout_info *out);
/* 0 on success, -EINVAL (-22) for a chain outside 4..16 or a slot out of range */
int zsx_core_class_info(unsigned int chain, unsigned int slot, struct zsx_class_info *out);
/* slot serving a request of size bytes, or -EINVAL for 0 or > PAGE_SIZE */
int zsx_core_slot_of_size(unsigned long size);
unsigned long zsx_core_huge_class_size(unsigned int chain);
unsigned int zsx_core_nr_distinct_classes(unsigned int chain);
/* the core's memory model (inline or out of line) applied to page: its pfn,
 * the page of that pfn, its address; returns 1 for the inline model */
int zsx_core_mm_model(struct zsx_plat_page *page, unsigned long *pfn, void **addr, struct zsx_plat_page **page_of_pfn);
/* the core's pfn -> page: NULL for a pfn that is not memory */
struct zsx_plat_page *zsx_core_mm_pfn_to_page(unsigned long pfn);
unsigned long zsx_core_obj_encode(unsigned long pfn, unsigned int class_idx, unsigned int obj_idx);
void zsx_core_obj_decode(unsigned long obj, unsigned long *pfn, unsigned int *class_idx, unsigned int *obj_idx);
unsigned long zsx_core_obj_with_pfn(unsigned long obj, unsigned long pfn);

/* ---- the pool (pool.hpp), as the C shim sees it ---- */
struct zsx_core_pool;

enum zsx_core_free_policy {
	ZSX_CORE_FREE_BASE = 0,
	ZSX_CORE_FREE_CLASSIDX = 1,
	ZSX_CORE_FREE_CLASSIDX_UNLOCKED = 2,
};

#define ZSX_CORE_NR_GROUPS 12

struct zsx_core_class_stats {
	unsigned int size, index, pages_per_zspage, objs_per_zspage;
	int huge;
	unsigned long groups[ZSX_CORE_NR_GROUPS]; /* 0 empty, 1..10 deciles, 11 full */
	unsigned long obj_allocated, obj_used, pages_used, freeable;
};

struct zsx_core_pool_stats {
	unsigned long pages_compacted;
	unsigned long pages_migrated;
	unsigned long zspages_freed_unlocked;
	unsigned long zspages_freed_locked;
	unsigned long late_frees; /* zsx_free_deferred calls that could not free or park: freed by the late-free work */
	unsigned long late_kept;  /* ... with every late-free slot taken: freed when the pool is destroyed */
};

/* which path a zsx_free trace event took (the zsx:zsx_free tracepoint's `path`) */
enum zsx_trace_free_path {
	ZSX_TRACE_FREE_BASE = 0,              /* pool lock -> class lock, synchronous */
	ZSX_TRACE_FREE_CLASSIDX = 1,          /* class from obj, synchronous */
	ZSX_TRACE_FREE_CLASSIDX_UNLOCKED = 2, /* + zspage pages released after class->lock */
	ZSX_TRACE_FREE_DEFERRED_ENQUEUE = 3,  /* zsx_free_deferred() called (parked or fallback) */
	ZSX_TRACE_FREE_DEFERRED_DRAIN = 4,    /* freed by the drain worker */
	ZSX_TRACE_FREE_FALLBACK = 5,          /* deferred, both buffers busy: freed synchronously */
};

/* misuse and trouble the core reports, each kind with its own rate-limited
 * warning naming the pool and the handle (zsx_plat_warn) */
enum zsx_misuse {
	ZSX_MISUSE_FREED_HANDLE,    /* debug pools: a freed handle used (double free, use after free) */
	ZSX_MISUSE_FOREIGN_HANDLE,  /* debug pools: another pool's handle (or no handle) */
	ZSX_MISUSE_FREE_NOT_LIVE,   /* zsx_free: no live object of this pool at the handle's obj */
	ZSX_MISUSE_DEFER_NOT_LIVE,  /* zsx_free_deferred: likewise, found when it is freed */
	ZSX_MISUSE_DEFER_BAD_CLASS, /* zsx_free_deferred: obj's class field names no class */
	ZSX_MISUSE_ACCESS_NOT_LIVE, /* map/read/write: no object of this pool at the handle's obj */
	ZSX_MISUSE_WRITE_TOO_LONG,  /* zsx_obj_write: longer than the object */
	ZSX_MISUSE_DEFER_KEPT,      /* no misuse: ring, reserve and late-free slots full in interrupt
				     * context: the object is kept until the pool is destroyed */
	ZSX_MISUSE_NR
};

/* the shim's object for this pool (passed back to the tracepoint hooks) */
void zsx_core_pool_set_owner(struct zsx_core_pool *p, void *owner);
/* debug handles (before the first malloc): misuse of a handle (double free,
 * use after free, another pool's handle) is refused with a warning. -ENOMEM */
int zsx_core_pool_set_debug(struct zsx_core_pool *p);
/* before the first malloc: emptied zspages are released by a worker (ZSX_DEFERRED_RELEASE) */
void zsx_core_pool_set_release_deferred(struct zsx_core_pool *p);

/* does this build carry the class index in obj (classidx policies available)? */
int zsx_core_has_classidx(void);
/* NULL with *err = -EINVAL (bad chain), -EOPNOTSUPP (policy needs the class field), -ENOMEM */
struct zsx_core_pool *zsx_core_pool_create(unsigned int chain, int policy, unsigned int deferred_per_cpu, int *err);
void zsx_core_pool_destroy(struct zsx_core_pool *p);
unsigned long zsx_core_malloc(struct zsx_core_pool *p, unsigned long size, unsigned int gfp, int nid);
void zsx_core_free(struct zsx_core_pool *p, unsigned long handle);
void *zsx_core_map(struct zsx_core_pool *p, unsigned long handle, int mode);
void zsx_core_unmap(struct zsx_core_pool *p, unsigned long handle);
void *zsx_core_read_begin(struct zsx_core_pool *p, unsigned long handle, unsigned long mem_len, void *local_copy);
void zsx_core_read_end(struct zsx_core_pool *p, unsigned long handle, void *mem);
void zsx_core_write(struct zsx_core_pool *p, unsigned long handle, const void *mem, unsigned long len);
unsigned long zsx_core_compact(struct zsx_core_pool *p);
unsigned long zsx_core_compactable_pages(struct zsx_core_pool *p);
unsigned long zsx_core_total_pages(struct zsx_core_pool *p);
unsigned long zsx_core_pool_huge_class_size(struct zsx_core_pool *p);
int zsx_core_pool_class_index(struct zsx_core_pool *p, unsigned long size);
int zsx_core_pool_class_stats(struct zsx_core_pool *p, unsigned int slot, struct zsx_core_class_stats *out);
void zsx_core_pool_stats(struct zsx_core_pool *p, struct zsx_core_pool_stats *out);
unsigned long zsx_core_objects_in_use(struct zsx_core_pool *p);
int zsx_core_pool_policy(struct zsx_core_pool *p);
unsigned int zsx_core_pool_chain(struct zsx_core_pool *p);
/* deferred freeing (deferred.hpp); deferred_per_cpu 0 at creation: plain frees */
struct zsx_core_deferred_stats {
	unsigned long capacity_per_cpu; /* a CPU's ring: handles parked before a task falls back */
	unsigned long pending;          /* parked now */
	unsigned long enqueued;         /* parked since creation (rings) */
	unsigned long fallbacks;        /* freed synchronously: the ring was full */
	unsigned long overflowed;       /* parked beyond the task limit by callers that may not lock */
	unsigned long spilled;          /* went to the pool's late-free slots: ring full, class lock busy */
	unsigned long kept;             /* ... and those slots full: freed when the pool is destroyed */
	unsigned long drains, drained, classes_touched, longest_drain_ns, drain_ns;
	unsigned long longest_hold_ns;  /* longest class-lock hold of a drainer or a producer drain */
	unsigned long holds;            /* class-lock holds of drainers and producer drains */
	unsigned long holds_over_1ms;   /* ... that lasted longer than 1 ms */
	unsigned long hold_max;         /* handles freed per class-lock hold at most */
	unsigned long producer_drains;  /* a producer found its ring full and drained a batch of it */
	unsigned long producer_drained; /* handles those freed */
};
/* the slow path of zsx_free_deferred (the shim parks inline: defer_ring.h) */
void zsx_core_free_deferred(struct zsx_core_pool *p, unsigned long handle);
/* the per-CPU rings (defer_ring.h) for the shim's inline fast path; NULL for
 * pools without deferred freeing and for debug pools (every handle checked) */
struct zsx_defer_ring *zsx_core_deferred_rings(struct zsx_core_pool *p);
void zsx_core_deferred_flush(struct zsx_core_pool *p);
/* any context: every ring with parked handles is drained soon (the shrinker) */
void zsx_core_deferred_kick(struct zsx_core_pool *p);
unsigned long zsx_core_deferred_pending(struct zsx_core_pool *p);
void zsx_core_deferred_set_delay(struct zsx_core_pool *p, unsigned int ms);
void zsx_core_deferred_set_hold_max(struct zsx_core_pool *p, unsigned int handles);
/* tests: while paused, the drainers free nothing (resume before a flush) */
void zsx_core_deferred_set_paused(struct zsx_core_pool *p, int paused);
/* a CPU is coming up: its ring's memory (0, or -ENOMEM: the CPU must not come up) */
int zsx_core_deferred_cpu_prepare(struct zsx_core_pool *p, int cpu);
void zsx_core_deferred_cpu_dead(struct zsx_core_pool *p, int cpu);
int zsx_core_deferred_stats(struct zsx_core_pool *p, struct zsx_core_deferred_stats *out);
unsigned long zsx_core_deferred_cpu_pending(struct zsx_core_pool *p, int cpu);

/* movable_operations, called by the shim: 1/0 for isolate, 0 or -EAGAIN for migrate */
int zsx_core_page_isolate(struct zsx_plat_page *page);
int zsx_core_page_migrate(struct zsx_plat_page *newpage, struct zsx_plat_page *page);
void zsx_core_page_putback(struct zsx_plat_page *page);
/* the release worker: 1 released, 0 a page still locked (call again later) */
int zsx_core_zspage_release_slow(void *zspage);
/* bytes of zspage metadata for a chain of nr_pages pages */
unsigned long zsx_core_zspage_bytes(unsigned int nr_pages);
/* the data page holding the start of a handle's object (tests) */
struct zsx_plat_page *zsx_core_handle_page(struct zsx_core_pool *p, unsigned long handle);
int zsx_core_handle_location(struct zsx_core_pool *p, unsigned long handle, unsigned long *pfn, unsigned int *obj_idx,
			     unsigned int *class_idx);

#ifdef __cplusplus
}
#endif

#endif
