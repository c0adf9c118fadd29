/* zsmalloc maps objects with zs_map_object() (gone in 6.18: zs_obj_read_begin/zs_obj_write) */
#include <linux/mm.h> /* the header is not self-contained on every line */
#include <linux/zsmalloc.h>
static void *__maybe_unused probe(struct zs_pool *pool, unsigned long handle)
{
	return zs_map_object(pool, handle, ZS_MM_RO);
}
