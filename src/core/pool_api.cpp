// SPDX-License-Identifier: GPL-2.0
// extern "C" bridge from the C shim to zsx::Pool (see core.h).
#include "core.h"
#include "deferred.hpp"
#include "pool.hpp"

using namespace zsx;

static Pool *P(struct zsx_core_pool *p) { return reinterpret_cast<Pool *>(p); }

static_assert(ZSX_CORE_NR_GROUPS == kNrGroups, "fullness group count");

extern "C" {

int zsx_core_has_classidx(void) { return ObjLayout::has_class; }

struct zsx_core_pool *zsx_core_pool_create(unsigned int chain, int policy, unsigned int deferred_per_cpu, int *err)
{
	if (policy < 0 || policy > int(FreePolicy::classidx_unlocked_free)) {
		*err = kEINVAL;
		return nullptr;
	}
	return reinterpret_cast<zsx_core_pool *>(Pool::create(chain, FreePolicy(policy), deferred_per_cpu, err));
}

// zsx_free_deferred's slow path: the shim parks inline (defer_ring.h) and comes here
// for debug pools, while tracing, and when this CPU's ring is full
void zsx_core_free_deferred(struct zsx_core_pool *p, unsigned long handle)
{
	if (DeferredFree *d = P(p)->deferred())
		d->enqueue(handle);
	else
		P(p)->free_deferred_unbuffered(handle);
}

void zsx_core_deferred_flush(struct zsx_core_pool *p)
{
	if (P(p)->deferred())
		P(p)->deferred()->flush();
	P(p)->flush_late();
	// and the pages of the zspages those frees emptied, where the release worker has them
	Plat::flush_deferred_releases();
}

struct zsx_defer_ring *zsx_core_deferred_rings(struct zsx_core_pool *p)
{
	DeferredFree *d = P(p)->deferred();
	return d && !P(p)->debug() ? d->rings() : nullptr;
}

void zsx_core_deferred_kick(struct zsx_core_pool *p)
{
	if (P(p)->deferred())
		P(p)->deferred()->kick_all();
}

unsigned long zsx_core_deferred_pending(struct zsx_core_pool *p)
{
	return P(p)->deferred() ? P(p)->deferred()->pending() : 0;
}

void zsx_core_deferred_set_hold_max(struct zsx_core_pool *p, unsigned int handles)
{
	if (P(p)->deferred())
		P(p)->deferred()->set_hold_max(handles);
}

void zsx_core_deferred_set_paused(struct zsx_core_pool *p, int paused)
{
	if (P(p)->deferred())
		P(p)->deferred()->set_paused(paused != 0);
}

void zsx_core_deferred_set_delay(struct zsx_core_pool *p, unsigned int ms)
{
	if (P(p)->deferred())
		P(p)->deferred()->set_low_water_ms(ms);
}

int zsx_core_deferred_cpu_prepare(struct zsx_core_pool *p, int cpu)
{
	return P(p)->deferred() ? P(p)->deferred()->cpu_prepare(cpu) : 0;
}

void zsx_core_deferred_cpu_dead(struct zsx_core_pool *p, int cpu)
{
	if (P(p)->deferred())
		P(p)->deferred()->cpu_dead(cpu);
}

int zsx_core_deferred_stats(struct zsx_core_pool *p, struct zsx_core_deferred_stats *out)
{
	if (!P(p)->deferred())
		return kEINVAL;
	P(p)->deferred()->stats(out);
	return 0;
}

unsigned long zsx_core_deferred_cpu_pending(struct zsx_core_pool *p, int cpu)
{
	return P(p)->deferred() ? P(p)->deferred()->cpu_pending(cpu) : 0;
}

void zsx_core_pool_destroy(struct zsx_core_pool *p) { P(p)->destroy(); }

// zsx_core_malloc and zsx_core_free live in pool.cpp, where the allocator inlines into them
void *zsx_core_map(struct zsx_core_pool *p, unsigned long handle, int mode) { return P(p)->map(handle, mode); }
void zsx_core_unmap(struct zsx_core_pool *p, unsigned long handle) { P(p)->unmap(handle); }

void *zsx_core_read_begin(struct zsx_core_pool *p, unsigned long handle, unsigned long mem_len, void *local_copy)
{
	return P(p)->read_begin(handle, mem_len, local_copy);
}

void zsx_core_read_end(struct zsx_core_pool *p, unsigned long handle, void *mem) { P(p)->read_end(handle, mem); }

void zsx_core_write(struct zsx_core_pool *p, unsigned long handle, const void *mem, unsigned long len)
{
	P(p)->write(handle, mem, len);
}

unsigned long zsx_core_compact(struct zsx_core_pool *p) { return P(p)->compact(); }
unsigned long zsx_core_compactable_pages(struct zsx_core_pool *p) { return P(p)->compactable_pages(); }
unsigned long zsx_core_total_pages(struct zsx_core_pool *p) { return P(p)->total_pages(); }
unsigned long zsx_core_pool_huge_class_size(struct zsx_core_pool *p) { return P(p)->huge_class_size(); }
int zsx_core_pool_class_index(struct zsx_core_pool *p, unsigned long size) { return P(p)->class_index_of(size); }

int zsx_core_pool_class_stats(struct zsx_core_pool *p, unsigned int slot, struct zsx_core_class_stats *out)
{
	return P(p)->class_stats(slot, out) ? 0 : kEINVAL;
}

void zsx_core_pool_stats(struct zsx_core_pool *p, struct zsx_core_pool_stats *out) { P(p)->stats(out); }

unsigned long zsx_core_objects_in_use(struct zsx_core_pool *p) { return P(p)->objects_in_use(); }
int zsx_core_pool_policy(struct zsx_core_pool *p) { return int(P(p)->policy()); }
void zsx_core_pool_set_owner(struct zsx_core_pool *p, void *owner) { P(p)->set_owner(owner); }
int zsx_core_pool_set_debug(struct zsx_core_pool *p) { return P(p)->set_debug() ? 0 : -12; }
void zsx_core_pool_set_release_deferred(struct zsx_core_pool *p) { P(p)->set_release_deferred(); }
unsigned int zsx_core_pool_chain(struct zsx_core_pool *p) { return P(p)->chain(); }

int zsx_core_page_isolate(struct zsx_plat_page *page) { return Pool::page_isolate(page); }
int zsx_core_page_migrate(struct zsx_plat_page *newpage, struct zsx_plat_page *page)
{
	return Pool::page_migrate(newpage, page);
}
void zsx_core_page_putback(struct zsx_plat_page *page) { Pool::page_putback(page); }
unsigned long zsx_core_zspage_bytes(unsigned int nr_pages) { return Zspage::bytes(nr_pages); }
int zsx_core_zspage_release_slow(void *zspage) { return Pool::zspage_release_slow(static_cast<Zspage *>(zspage)); }
struct zsx_plat_page *zsx_core_handle_page(struct zsx_core_pool *p, unsigned long handle)
{
	return P(p)->handle_page(handle);
}

int zsx_core_handle_location(struct zsx_core_pool *p, unsigned long handle, unsigned long *pfn, unsigned int *obj_idx,
			     unsigned int *class_idx)
{
	return P(p)->handle_location(handle, pfn, obj_idx, class_idx) ? 0 : kEINVAL;
}

} // extern "C"
