// SPDX-License-Identifier: GPL-2.0
/*
 * zsx as a zpool driver ("zsx"): echo zsx > /sys/module/zswap/parameters/zpool
 * makes the kernel's own zswap store compressed pages in zsx. The driver's
 * owner is this module, so zsx cannot be unloaded while zswap holds a pool.
 * Built where the kernel has zpool (up to 6.17; 6.18 bound zswap to zsmalloc).
 */
#define pr_fmt(fmt) "zsx: " fmt

#include <linux/module.h>
#include "zsx.h"
#include "zsx_compat.h"
#include "zsx_internal.h"

#if defined(ZSX_HAVE_ZPOOL) && IS_ENABLED(CONFIG_ZPOOL)
#include <linux/zpool.h>

#ifdef ZSX_HAVE_ZPOOL_CREATE_OPS
static void *zsx_zpool_create(const char *name, gfp_t gfp, const struct zpool_ops *ops,
			      struct zpool *zpool)
#else
static void *zsx_zpool_create(const char *name, gfp_t gfp)
#endif
{
	return zsx_create_pool(name);
}

static void zsx_zpool_destroy(void *pool)
{
	zsx_destroy_pool(pool);
}

static int zsx_zpool_malloc(void *pool, size_t size, gfp_t gfp, unsigned long *handle)
{
	unsigned long h = zsx_malloc(pool, size, gfp, NUMA_NO_NODE);

	if (IS_ERR_VALUE(h))
		return PTR_ERR((void *)h);
	*handle = h;
	return 0;
}

/* zswap invalidates entries on swap-slot release, under its tree spinlock */
static void zsx_zpool_free(void *pool, unsigned long handle)
{
	zsx_free_deferred(pool, handle);
}

static void *zsx_zpool_map(void *pool, unsigned long handle, enum zpool_mapmode mm)
{
	enum zsx_mapmode mode = mm == ZPOOL_MM_RO ? ZSX_MM_RO :
				mm == ZPOOL_MM_WO ? ZSX_MM_WO :
						    ZSX_MM_RW;

	return zsx_map_object(pool, handle, mode);
}

static void zsx_zpool_unmap(void *pool, unsigned long handle)
{
	zsx_unmap_object(pool, handle);
}

#ifdef ZSX_HAVE_ZPOOL_TOTAL_PAGES
static u64 zsx_zpool_total_pages(void *pool)
{
	return zsx_get_total_pages(pool);
}
#else
static u64 zsx_zpool_total_size(void *pool)
{
	return (u64)zsx_get_total_pages(pool) << PAGE_SHIFT;
}
#endif

static struct zpool_driver zsx_zpool_driver = {
	.type = "zsx",
	.owner = THIS_MODULE,
	.create = zsx_zpool_create,
	.destroy = zsx_zpool_destroy,
	.malloc_support_movable = true,
	.malloc = zsx_zpool_malloc,
	.free = zsx_zpool_free,
	.sleep_mapped = false, /* map disables preemption, as zsmalloc's does */
	.map = zsx_zpool_map,
	.unmap = zsx_zpool_unmap,
#ifdef ZSX_HAVE_ZPOOL_TOTAL_PAGES
	.total_pages = zsx_zpool_total_pages,
#else
	.total_size = zsx_zpool_total_size,
#endif
};

/* zswap asks for "zpool-<type>" when its zpool parameter names a driver not yet loaded */
MODULE_ALIAS("zpool-zsx");

void zsx_zpool_init(void)
{
	zpool_register_driver(&zsx_zpool_driver);
}

void zsx_zpool_exit(void)
{
	zpool_unregister_driver(&zsx_zpool_driver);
}

bool zsx_zpool_registered(void)
{
	return true;
}

#else
void zsx_zpool_init(void)
{
}

void zsx_zpool_exit(void)
{
}

bool zsx_zpool_registered(void)
{
	return false;
}
#endif
