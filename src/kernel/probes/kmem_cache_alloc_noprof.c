/*
 * kmem_cache_alloc() is a macro around kmem_cache_alloc_noprof() that tags
 * the allocation for memory allocation profiling (6.10+); the C++ face, which
 * sees no kernel header, calls the function under its real name.
 */
#include <linux/slab.h>
static void *__maybe_unused probe(struct kmem_cache *cache)
{
	return kmem_cache_alloc_noprof(cache, GFP_KERNEL);
}
