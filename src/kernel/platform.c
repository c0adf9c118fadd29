// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of the zsx platform interface (src/core/platform_abi.h):
 * spinlocks, rwlocks, pages, kmap_local, per-CPU bounce areas, handle cache.
 */
#define pr_fmt(fmt) "zsx: " fmt

#include <linux/bug.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "platform_abi.h"
#include "zsx_internal.h"

struct zsx_plat_spinlock {
	spinlock_t lock;
};

struct zsx_plat_rwlock {
	rwlock_t lock;
};

static struct kmem_cache *zsx_handle_cache;
static DEFINE_PER_CPU(void *, zsx_cpu_area);

/* gfp 0 means GFP_KERNEL; metadata never comes from highmem or movable zones */
static gfp_t zsx_meta_gfp(unsigned int gfp)
{
	gfp_t g = gfp ? (__force gfp_t)gfp : GFP_KERNEL;

	return g & ~(__GFP_HIGHMEM | __GFP_MOVABLE);
}

struct zsx_plat_spinlock *zsx_plat_lock_new(void)
{
	struct zsx_plat_spinlock *l = kmalloc(sizeof(*l), GFP_KERNEL);

	if (l)
		spin_lock_init(&l->lock);
	return l;
}

void zsx_plat_lock_delete(struct zsx_plat_spinlock *l)
{
	kfree(l);
}

void zsx_plat_lock(struct zsx_plat_spinlock *l)
{
	spin_lock(&l->lock);
}

void zsx_plat_unlock(struct zsx_plat_spinlock *l)
{
	spin_unlock(&l->lock);
}

int zsx_plat_lock_contended(struct zsx_plat_spinlock *l)
{
	return spin_is_contended(&l->lock);
}

struct zsx_plat_rwlock *zsx_plat_rwlock_new(void)
{
	struct zsx_plat_rwlock *l = kmalloc(sizeof(*l), GFP_KERNEL);

	if (l)
		rwlock_init(&l->lock);
	return l;
}

void zsx_plat_rwlock_delete(struct zsx_plat_rwlock *l)
{
	kfree(l);
}

void zsx_plat_read_lock(struct zsx_plat_rwlock *l)
{
	read_lock(&l->lock);
}

void zsx_plat_read_unlock(struct zsx_plat_rwlock *l)
{
	read_unlock(&l->lock);
}

void zsx_plat_write_lock(struct zsx_plat_rwlock *l)
{
	write_lock(&l->lock);
}

void zsx_plat_write_unlock(struct zsx_plat_rwlock *l)
{
	write_unlock(&l->lock);
}

void *zsx_plat_zalloc(unsigned long size, unsigned int gfp)
{
	return kzalloc(size, zsx_meta_gfp(gfp));
}

void zsx_plat_free(void *p)
{
	kfree(p);
}

unsigned long *zsx_plat_handle_alloc(unsigned int gfp)
{
	return kmem_cache_alloc(zsx_handle_cache, zsx_meta_gfp(gfp));
}

void zsx_plat_handle_free(unsigned long *h)
{
	kmem_cache_free(zsx_handle_cache, h);
}

struct zsx_plat_page *zsx_plat_page_alloc(unsigned int gfp, int nid)
{
	/* not movable until zsx pages carry movable_operations */
	gfp_t g = (gfp ? (__force gfp_t)gfp : GFP_KERNEL) & ~__GFP_MOVABLE;
	struct page *page = nid < 0 ? alloc_page(g) : alloc_pages_node(nid, g, 0);

	return (struct zsx_plat_page *)page;
}

void zsx_plat_page_free(struct zsx_plat_page *p)
{
	__free_page((struct page *)p);
}

unsigned long zsx_plat_page_to_pfn(struct zsx_plat_page *p)
{
	return page_to_pfn((struct page *)p);
}

struct zsx_plat_page *zsx_plat_pfn_to_page(unsigned long pfn)
{
	if (!pfn_valid(pfn))
		return NULL;
	return (struct zsx_plat_page *)pfn_to_page(pfn);
}

void *zsx_plat_kmap(struct zsx_plat_page *p)
{
	return kmap_local_page((struct page *)p);
}

void zsx_plat_kunmap(void *addr)
{
	kunmap_local(addr);
}

void zsx_plat_page_set_owner(struct zsx_plat_page *p, void *zspage)
{
	set_page_private((struct page *)p, (unsigned long)zspage);
}

void *zsx_plat_page_owner(struct zsx_plat_page *p)
{
	return p ? (void *)page_private((struct page *)p) : NULL;
}

void *zsx_plat_cpu_buffer_get(void)
{
	preempt_disable();
	return *this_cpu_ptr(&zsx_cpu_area);
}

void zsx_plat_cpu_buffer_put(void)
{
	preempt_enable();
}

void zsx_plat_warn(const char *what, unsigned long a, unsigned long b)
{
	WARN_ONCE(1, "zsx: %s (%#lx, %#lx)\n", what, a, b);
}

void zsx_plat_report(const char *what, unsigned long a, unsigned long b)
{
	pr_warn("%s (%lu, %lu)\n", what, a, b);
}

void zsx_plat_cond_resched(void)
{
	cond_resched();
}

unsigned long long zsx_plat_now_ns(void)
{
	return ktime_get_ns();
}

int zsx_platform_init(void)
{
	int cpu;

	zsx_handle_cache = kmem_cache_create("zsx_handle", sizeof(unsigned long), sizeof(unsigned long),
					     0, NULL);
	if (!zsx_handle_cache)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		void *area = kzalloc(PAGE_SIZE + 64, GFP_KERNEL);

		if (!area) {
			zsx_platform_exit();
			return -ENOMEM;
		}
		per_cpu(zsx_cpu_area, cpu) = area;
	}
	return 0;
}

void zsx_platform_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		kfree(per_cpu(zsx_cpu_area, cpu));
		per_cpu(zsx_cpu_area, cpu) = NULL;
	}
	kmem_cache_destroy(zsx_handle_cache);
	zsx_handle_cache = NULL;
}
