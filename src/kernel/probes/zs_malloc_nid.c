/* zs_malloc() takes a NUMA node (6.17+) */
#include <linux/mm.h> /* the header is not self-contained on every line */
#include <linux/zsmalloc.h>
static unsigned long __maybe_unused probe(struct zs_pool *pool)
{
	return zs_malloc(pool, 64, GFP_KERNEL, NUMA_NO_NODE);
}
