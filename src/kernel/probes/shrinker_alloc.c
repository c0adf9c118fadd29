/* shrinkers are allocated and registered in two steps (6.7+) */
#include <linux/mm.h> /* the header is not self-contained on every line */
#include <linux/shrinker.h>
static void __maybe_unused probe(void)
{
	struct shrinker *s = shrinker_alloc(0, "probe");

	shrinker_register(s);
}
