/* timers are deleted with timer_delete_sync() and found with timer_container_of() (6.16+) */
#include <linux/timer.h>
struct probe_t {
	struct timer_list t;
};
static void __maybe_unused probe(struct timer_list *t)
{
	struct probe_t *p = timer_container_of(p, t, t);

	timer_delete_sync(&p->t);
}
