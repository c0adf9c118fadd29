/* the zpool driver's create() takes zpool_ops and the zpool (up to 6.5) */
#include <linux/mm.h> /* the header is not self-contained on every line */
#include <linux/zpool.h>
static void *probe_create(const char *name, gfp_t gfp, const struct zpool_ops *ops,
			  struct zpool *zpool)
{
	return NULL;
}
static struct zpool_driver probe __maybe_unused = { .create = probe_create };
