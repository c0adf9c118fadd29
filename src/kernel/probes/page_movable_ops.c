/*
 * A module may make its own pages movable, each page naming its
 * movable_operations (__SetPageMovable, up to 6.17). 7.x keys the operations
 * by page type (set_movable_ops) with no type a module can claim.
 */
#include <linux/migrate.h>
static void __maybe_unused probe(struct page *page, const struct movable_operations *ops)
{
	__SetPageMovable(page, ops);
	__ClearPageMovable(page);
}
