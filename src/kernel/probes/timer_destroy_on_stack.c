/* an on-stack timer is released with timer_destroy_on_stack() (6.15+) */
#include <linux/timer.h>
static void __maybe_unused probe(struct timer_list *t)
{
	timer_destroy_on_stack(t);
}
