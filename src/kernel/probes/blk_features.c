/* queue features are part of the limits (6.11+), not queue flags */
#include <linux/blkdev.h>
static struct queue_limits probe __maybe_unused = { .features = BLK_FEAT_STABLE_WRITES };
