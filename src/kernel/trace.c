// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoint side of the platform interface: the core's zsx_plat_trace_*
 * hooks fire the zsx:* events (zsx_trace.h). The owner the core passes back is
 * the struct zsx_pool the shim registered with zsx_core_pool_set_owner().
 */
#include <linux/atomic.h>
#include <linux/smp.h>
#define CREATE_TRACE_POINTS
#include "zsx_trace.h"
#include "core.h"
#include "platform_abi.h"
#include "zsx_internal.h"

int zsx_plat_trace_active;
static atomic_t zsx_trace_users = ATOMIC_INIT(0);

/* called (under the tracepoints mutex) as each zsx event is enabled/disabled */
int zsx_trace_reg(void)
{
	WRITE_ONCE(zsx_plat_trace_active, atomic_inc_return(&zsx_trace_users) > 0);
	return 0;
}

void zsx_trace_unreg(void)
{
	WRITE_ONCE(zsx_plat_trace_active, atomic_dec_return(&zsx_trace_users) > 0);
}

void zsx_plat_trace_malloc(void *owner, unsigned long size, int class_idx, unsigned long handle)
{
	trace_zsx_malloc(zsx_pool_name_of(owner), size, class_idx, handle);
}

void zsx_plat_trace_free(void *owner, unsigned long handle, int class_idx, int path)
{
	trace_zsx_free(zsx_pool_name_of(owner), handle, class_idx, path);
}

void zsx_plat_trace_zspage_free(void *owner, int class_idx, unsigned int pages, int under_lock)
{
	trace_zsx_zspage_free(zsx_pool_name_of(owner), class_idx, pages, under_lock);
}

void zsx_plat_trace_deferred_drain(void *owner, int cpu, unsigned long handles,
				   unsigned long classes, unsigned long ns,
				   unsigned long longest_hold_ns)
{
	trace_zsx_deferred_drain(zsx_pool_name_of(owner), cpu, handles, classes, ns,
				 longest_hold_ns);
}

void zsx_plat_trace_compact(void *owner, unsigned long classes, unsigned long pages_freed)
{
	trace_zsx_compact(zsx_pool_name_of(owner), classes, pages_freed);
}

void zsx_plat_trace_migrate(void *owner, unsigned long old_pfn, unsigned long new_pfn,
			    unsigned int objects)
{
	trace_zsx_migrate(zsx_pool_name_of(owner), old_pfn, new_pfn, objects);
}
