/* the zpool driver reports total_pages, not total_size (6.10+) */
#include <linux/mm.h> /* the header is not self-contained on every line */
#include <linux/zpool.h>
static u64 probe_total(void *pool)
{
	return 0;
}
static struct zpool_driver probe __maybe_unused = { .total_pages = probe_total };
