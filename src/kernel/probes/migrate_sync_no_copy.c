/* migrate_mode has MIGRATE_SYNC_NO_COPY (removed in 6.10) */
#include <linux/migrate_mode.h>
static enum migrate_mode probe __maybe_unused = MIGRATE_SYNC_NO_COPY;
