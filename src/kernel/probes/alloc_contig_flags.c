/* alloc_contig_range() takes acr_flags_t, not a migratetype (6.16+) */
#include <linux/gfp.h>
static int __maybe_unused probe(void)
{
	return alloc_contig_range(0, 1, ACR_FLAGS_NONE, GFP_KERNEL);
}
