/* blk_alloc_disk() takes the queue limits (6.9+) */
#include <linux/blkdev.h>
static struct gendisk *__maybe_unused probe(void)
{
	struct queue_limits lim = { .logical_block_size = 4096 };

	return blk_alloc_disk(&lim, NUMA_NO_NODE);
}
