/* struct page names its page-cache index "index" (renamed __folio_index in 6.16) */
#include <linux/mm_types.h>
static const unsigned long probe __maybe_unused = offsetof(struct page, index);
