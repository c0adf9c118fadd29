/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zsx tracepoints (system "zsx"). The C++ core reaches them through the
 * zsx_plat_trace_* hooks (trace.c) and only while zsx_plat_trace_active is
 * set, which the events' register/unregister callbacks maintain: with every
 * event off the core pays one relaxed load and a not-taken branch.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM zsx

#if !defined(_ZSX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ZSX_TRACE_H

#include <linux/tracepoint.h>
#include "zsx_compat.h"
#include "core.h" /* enum zsx_trace_free_path: the one definition of the paths */

int zsx_trace_reg(void);
void zsx_trace_unreg(void);

/* the format file carries the values, for tools that parse it (perf) */
TRACE_DEFINE_ENUM(ZSX_TRACE_FREE_BASE);
TRACE_DEFINE_ENUM(ZSX_TRACE_FREE_CLASSIDX);
TRACE_DEFINE_ENUM(ZSX_TRACE_FREE_CLASSIDX_UNLOCKED);
TRACE_DEFINE_ENUM(ZSX_TRACE_FREE_DEFERRED_ENQUEUE);
TRACE_DEFINE_ENUM(ZSX_TRACE_FREE_DEFERRED_DRAIN);
TRACE_DEFINE_ENUM(ZSX_TRACE_FREE_FALLBACK);

#define zsx_free_paths							\
	{ ZSX_TRACE_FREE_BASE, "base" },				\
	{ ZSX_TRACE_FREE_CLASSIDX, "classidx" },			\
	{ ZSX_TRACE_FREE_CLASSIDX_UNLOCKED, "classidx_unlocked" },	\
	{ ZSX_TRACE_FREE_DEFERRED_ENQUEUE, "deferred-enqueue" },	\
	{ ZSX_TRACE_FREE_DEFERRED_DRAIN, "deferred-drain" },		\
	{ ZSX_TRACE_FREE_FALLBACK, "fallback" }

TRACE_EVENT_FN(zsx_malloc,
	TP_PROTO(const char *pool, unsigned long size, int class_idx, unsigned long handle),
	TP_ARGS(pool, size, class_idx, handle),
	TP_STRUCT__entry(
		__string(pool, pool)
		__field(unsigned long, size)
		__field(int, class_idx)
		__field(unsigned long, handle)
	),
	TP_fast_assign(
		zsx_assign_str(pool, pool);
		__entry->size = size;
		__entry->class_idx = class_idx;
		__entry->handle = handle;
	),
	TP_printk("pool=%s size=%lu class=%d handle=0x%lx", __get_str(pool), __entry->size,
		  __entry->class_idx, __entry->handle),
	zsx_trace_reg, zsx_trace_unreg);

TRACE_EVENT_FN(zsx_free,
	TP_PROTO(const char *pool, unsigned long handle, int class_idx, int path),
	TP_ARGS(pool, handle, class_idx, path),
	TP_STRUCT__entry(
		__string(pool, pool)
		__field(unsigned long, handle)
		__field(int, class_idx)
		__field(int, path)
	),
	TP_fast_assign(
		zsx_assign_str(pool, pool);
		__entry->handle = handle;
		__entry->class_idx = class_idx;
		__entry->path = path;
	),
	TP_printk("pool=%s handle=0x%lx class=%d path=%s", __get_str(pool), __entry->handle,
		  __entry->class_idx, __print_symbolic(__entry->path, zsx_free_paths)),
	zsx_trace_reg, zsx_trace_unreg);

TRACE_EVENT_FN(zsx_zspage_free,
	TP_PROTO(const char *pool, int class_idx, unsigned int pages, int under_lock),
	TP_ARGS(pool, class_idx, pages, under_lock),
	TP_STRUCT__entry(
		__string(pool, pool)
		__field(int, class_idx)
		__field(unsigned int, pages)
		__field(int, under_lock)
	),
	TP_fast_assign(
		zsx_assign_str(pool, pool);
		__entry->class_idx = class_idx;
		__entry->pages = pages;
		__entry->under_lock = under_lock;
	),
	TP_printk("pool=%s class=%d pages=%u under_lock=%s", __get_str(pool), __entry->class_idx,
		  __entry->pages, __entry->under_lock ? "yes" : "no"),
	zsx_trace_reg, zsx_trace_unreg);

/* cpu: the ring drained (the CPU whose frees parked the handles) */
TRACE_EVENT_FN(zsx_deferred_drain,
	TP_PROTO(const char *pool, int cpu, unsigned long handles, unsigned long classes, u64 duration_ns,
		 u64 max_hold_ns),
	TP_ARGS(pool, cpu, handles, classes, duration_ns, max_hold_ns),
	TP_STRUCT__entry(
		__string(pool, pool)
		__field(int, cpu)
		__field(unsigned long, handles)
		__field(unsigned long, classes)
		__field(u64, duration_ns)
		__field(u64, max_hold_ns)
	),
	TP_fast_assign(
		zsx_assign_str(pool, pool);
		__entry->cpu = cpu;
		__entry->handles = handles;
		__entry->classes = classes;
		__entry->duration_ns = duration_ns;
		__entry->max_hold_ns = max_hold_ns;
	),
	TP_printk("pool=%s cpu=%d handles=%lu classes=%lu duration_ns=%llu max_hold_ns=%llu", __get_str(pool),
		  __entry->cpu, __entry->handles, __entry->classes, __entry->duration_ns, __entry->max_hold_ns),
	zsx_trace_reg, zsx_trace_unreg);

TRACE_EVENT_FN(zsx_compact,
	TP_PROTO(const char *pool, unsigned long classes, unsigned long pages_freed),
	TP_ARGS(pool, classes, pages_freed),
	TP_STRUCT__entry(
		__string(pool, pool)
		__field(unsigned long, classes)
		__field(unsigned long, pages_freed)
	),
	TP_fast_assign(
		zsx_assign_str(pool, pool);
		__entry->classes = classes;
		__entry->pages_freed = pages_freed;
	),
	TP_printk("pool=%s classes=%lu pages_freed=%lu", __get_str(pool), __entry->classes,
		  __entry->pages_freed),
	zsx_trace_reg, zsx_trace_unreg);

TRACE_EVENT_FN(zsx_migrate,
	TP_PROTO(const char *pool, unsigned long old_pfn, unsigned long new_pfn, unsigned int objects),
	TP_ARGS(pool, old_pfn, new_pfn, objects),
	TP_STRUCT__entry(
		__string(pool, pool)
		__field(unsigned long, old_pfn)
		__field(unsigned long, new_pfn)
		__field(unsigned int, objects)
	),
	TP_fast_assign(
		zsx_assign_str(pool, pool);
		__entry->old_pfn = old_pfn;
		__entry->new_pfn = new_pfn;
		__entry->objects = objects;
	),
	TP_printk("pool=%s old_pfn=0x%lx new_pfn=0x%lx objects=%u", __get_str(pool), __entry->old_pfn,
		  __entry->new_pfn, __entry->objects),
	zsx_trace_reg, zsx_trace_unreg);

#endif /* _ZSX_TRACE_H */

/* out-of-tree: this header is found through -I$(src)/src/kernel */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE zsx_trace
#include <trace/define_trace.h>
