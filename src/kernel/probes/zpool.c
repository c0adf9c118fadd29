/* zpool exists (removed in 6.18): zsx registers a zpool driver for zswap */
#include <linux/mm.h> /* the header is not self-contained on every line */
#include <linux/zpool.h>
static struct zpool_driver probe __maybe_unused;
