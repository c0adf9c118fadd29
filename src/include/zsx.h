/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zsx: a zsmalloc-compatible compressed-memory allocator.
 *
 * Same semantics and error conventions as zsmalloc: zsx_malloc() returns a
 * handle, or an ERR_PTR-encoded value (-EINVAL for size 0 or > PAGE_SIZE,
 * -ENOMEM); zsx_free() ignores 0 and ERR values. Objects are reached through
 * either the 6.1 map/unmap pair (no nesting per CPU, preemption off while
 * mapped) or mainline's obj_read_begin/obj_read_end/obj_write.
 *
 * Contexts (docs/design.md, "Contexts", has the whole table):
 *   zsx_free_deferred()            any context but NMI, on every pool type
 *   zsx_get_total_pages()          any context
 *   zsx_malloc(), zsx_free(), map/unmap, obj_read_begin/end, obj_write:
 *                                  task context with IRQs and softirqs on; the
 *                                  caller may hold spinlocks (zsx_malloc then
 *                                  with a gfp that does not sleep)
 *   create/destroy, zsx_free_deferred_flush(), zsx_compact(): may sleep
 * A refused handle (freed, foreign, corrupt) is warned about, never followed:
 * map and obj_read_begin return NULL, and the matching unmap / obj_read_end
 * (with that NULL) are still correct to call.
 */
#ifndef _ZSX_H_
#define _ZSX_H_

#include <linux/types.h>

struct zsx_pool;

enum zsx_mapmode {
	ZSX_MM_RW, /* normal read-write mapping */
	ZSX_MM_RO, /* read-only (no copy-out at unmap time) */
	ZSX_MM_WO, /* write-only (no copy-in at map time) */
};

enum zsx_free_policy {
	ZSX_FREE_BASE = 0,                /* pool rwlock -> class lock (mainline) */
	ZSX_FREE_CLASSIDX = 1,            /* class from obj, no pool lock */
	ZSX_FREE_CLASSIDX_UNLOCKED = 2,   /* + empty zspage pages freed after class->lock */
	ZSX_FREE_DEFAULT = -1,            /* the module parameter free_policy */
};

enum zsx_deferred_policy {
	ZSX_DEFERRED_OFF = 0,     /* zsx_free_deferred(): at once where zsx_free() may be */
	ZSX_DEFERRED_PERCPU = 1,  /* per-CPU buffers, drained by a worker */
	/*
	 * objects freed at once (zsx_free and zsx_free_deferred); only the pages
	 * of emptied zspages are released later by a worker: the ablation of
	 * "defer only the zspage release"
	 */
	ZSX_DEFERRED_RELEASE = 2,
	ZSX_DEFERRED_DEFAULT = -1,/* the module parameter deferred */
};

struct zsx_pool_opts {
	unsigned int chain;   /* pages per zspage at most, 4..16; 0 = module default */
	int free_policy;      /* enum zsx_free_policy */
	int deferred;         /* enum zsx_deferred_policy */
	unsigned int deferred_per_cpu; /* handles parked per CPU; 0 = from deferred_budget_kb */
	/* 1: refuse (a rate-limited warning) frees, maps and reads of freed or
	 * foreign handles; 0: the module parameter debug_handles
	 */
	int debug;
};

struct zsx_pool_stats {
	unsigned long pages_compacted;   /* as zs_pool_stats */
	unsigned long pages_migrated;
	unsigned long zspages_freed_unlocked;
	unsigned long zspages_freed_locked;
};

struct zsx_pool *zsx_create_pool(const char *name);
struct zsx_pool *zsx_create_pool_opts(const char *name, const struct zsx_pool_opts *opts);
void zsx_destroy_pool(struct zsx_pool *pool);

unsigned long zsx_malloc(struct zsx_pool *pool, size_t size, gfp_t flags, int nid);
void zsx_free(struct zsx_pool *pool, unsigned long handle);
void zsx_free_deferred(struct zsx_pool *pool, unsigned long handle);
void zsx_free_deferred_flush(struct zsx_pool *pool);

void *zsx_map_object(struct zsx_pool *pool, unsigned long handle, enum zsx_mapmode mm);
void zsx_unmap_object(struct zsx_pool *pool, unsigned long handle);

void *zsx_obj_read_begin(struct zsx_pool *pool, unsigned long handle, size_t mem_len,
			 void *local_copy);
void zsx_obj_read_end(struct zsx_pool *pool, unsigned long handle, void *handle_mem);
void zsx_obj_write(struct zsx_pool *pool, unsigned long handle, void *handle_mem, size_t mem_len);

unsigned long zsx_get_total_pages(struct zsx_pool *pool);
unsigned long zsx_compact(struct zsx_pool *pool);
void zsx_pool_stats(struct zsx_pool *pool, struct zsx_pool_stats *stats);
size_t zsx_huge_class_size(struct zsx_pool *pool);
unsigned int zsx_lookup_class_index(struct zsx_pool *pool, unsigned int size);

/* Tests reach zsx's internals through kunit/zsx_test.h and a test build of the module. */

#endif
