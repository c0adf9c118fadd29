/* block_device_operations.open takes the gendisk and a blk_mode_t (6.5+) */
#include <linux/blkdev.h>
static int probe_open(struct gendisk *disk, blk_mode_t mode)
{
	return 0;
}
static const struct block_device_operations probe __maybe_unused = { .open = probe_open };
