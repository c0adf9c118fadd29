// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of the zsx platform interface (src/core/platform_concept.hpp):
 * spinlocks, rwlocks, pages, kmap_local, per-CPU bounce areas, handle cache.
 */
#define pr_fmt(fmt) "zsx: " fmt

#include <linux/bug.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/irqflags.h>
#include <linux/jump_label.h>
#include <linux/ktime.h>
#include <linux/smp.h>
#include <linux/llist.h>
#include <linux/migrate.h>
#include <linux/pagemap.h>
#include <linux/memory.h>
#include <linux/mmzone.h>
#include <linux/workqueue.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "core.h"
#include "platform_abi.h"
#include "zsx_compat.h"
#include "zsx_internal.h"
#include "zsx_defer.h"

#include "zsx_kconst.h"

struct zsx_plat_spinlock {
	spinlock_t lock; /* a class lock or the quarantine lock, embedded in the core's struct */
};

struct zsx_plat_rwlock {
	rwlock_t lock;
};

/*
 * the core embeds locks as storage of these sizes (zsx_kconst.h) and may call
 * _raw_spin_lock/_raw_spin_unlock on that storage directly
 */
static_assert(sizeof(struct zsx_plat_spinlock) == ZSX_K_SPINLOCK_SIZE);
static_assert(__alignof__(struct zsx_plat_spinlock) == ZSX_K_SPINLOCK_ALIGN);
static_assert(sizeof(struct zsx_plat_rwlock) == ZSX_K_RWLOCK_SIZE);
static_assert(__alignof__(struct zsx_plat_rwlock) <= ZSX_K_RWLOCK_ALIGN);
#if ZSX_K_RAW_SPIN_LOCK_CALL || ZSX_K_RAW_SPIN_UNLOCK_CALL || ZSX_K_RAW_SPIN_LOCK_BH_CALL || \
	ZSX_K_RAW_SPIN_UNLOCK_BH_CALL
static_assert(offsetof(spinlock_t, rlock) == 0);
#endif

struct zsx_plat_mm zsx_plat_mm __read_mostly;
void *zsx_plat_handle_cache __read_mostly;
static struct kmem_cache *zsx_zspage_cache[ZSX_MAX_CHAIN_SIZE + 1];
static DEFINE_PER_CPU(void *, zsx_cpu_area);

/*
 * gfp is the caller's (never widened: 0 means no reclaim); metadata never
 * comes from highmem, movable or DMA zones
 */
static gfp_t zsx_meta_gfp(unsigned int gfp)
{
	return (__force gfp_t)gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE | __GFP_DMA | __GFP_DMA32);
}

void zsx_plat_lock_init(struct zsx_plat_spinlock *l)
{
	spin_lock_init(&l->lock);
}

void zsx_plat_lock_destroy(struct zsx_plat_spinlock *l)
{
}

void zsx_plat_lock(struct zsx_plat_spinlock *l) __acquires(l)
{
	spin_lock(&l->lock);
}

void zsx_plat_unlock(struct zsx_plat_spinlock *l) __releases(l)
{
	spin_unlock(&l->lock);
}

void zsx_plat_lock_bh(struct zsx_plat_spinlock *l) __acquires(l)
{
	spin_lock_bh(&l->lock);
}

void zsx_plat_unlock_bh(struct zsx_plat_spinlock *l) __releases(l)
{
	spin_unlock_bh(&l->lock);
}

int zsx_plat_lock_contended(struct zsx_plat_spinlock *l)
{
	return spin_is_contended(&l->lock);
}

/* 1: taken, and the caller (the C++ core, which sparse does not see) releases it */
int zsx_plat_trylock(struct zsx_plat_spinlock *l)
{
	return spin_trylock(&l->lock);
}

void zsx_plat_rwlock_init(struct zsx_plat_rwlock *l)
{
	rwlock_init(&l->lock);
}

void zsx_plat_rwlock_destroy(struct zsx_plat_rwlock *l)
{
}

void zsx_plat_read_lock(struct zsx_plat_rwlock *l) __acquires(l)
{
	read_lock(&l->lock);
}

void zsx_plat_read_unlock(struct zsx_plat_rwlock *l) __releases(l)
{
	read_unlock(&l->lock);
}

void zsx_plat_write_lock(struct zsx_plat_rwlock *l) __acquires(l)
{
	write_lock(&l->lock);
}

void zsx_plat_write_unlock(struct zsx_plat_rwlock *l) __releases(l)
{
	write_unlock(&l->lock);
}

void *zsx_plat_zalloc(unsigned long size, unsigned int gfp)
{
	return kzalloc(size, zsx_meta_gfp(gfp));
}

void zsx_plat_free(void *p)
{
	kfree(p);
}

static struct kmem_cache *zsx_handle_debug_cache;

unsigned long *zsx_plat_handle_alloc_debug(unsigned int gfp)
{
	return kmem_cache_alloc(zsx_handle_debug_cache, zsx_meta_gfp(gfp));
}

void zsx_plat_handle_free_debug(unsigned long *h)
{
	kmem_cache_free(zsx_handle_debug_cache, h);
}

void *zsx_plat_zspage_alloc(unsigned int nr_pages, unsigned int gfp)
{
	return kmem_cache_zalloc(zsx_zspage_cache[nr_pages], zsx_meta_gfp(gfp));
}

void zsx_plat_zspage_free(void *zspage, unsigned int nr_pages)
{
	kmem_cache_free(zsx_zspage_cache[nr_pages], zspage);
}

/*
 * ---- movable pages: the kernel's compaction may migrate zsx pages ----------
 * Where a module can make its pages movable (ZSX_PAGES_MOVABLE, zsx_compat.h);
 * elsewhere (7.x) zsx's pages are allocated unmovable and these helpers do
 * nothing: no page is ever marked, so none is ever isolated or migrated.
 */
#if ZSX_PAGES_MOVABLE
#ifdef MIGRATEPAGE_SUCCESS
static_assert(MIGRATEPAGE_SUCCESS == 0, "success is 0, as the core returns it");
#endif

static bool zsx_mops_isolate(struct page *page, isolate_mode_t mode)
{
	return zsx_core_page_isolate((struct zsx_plat_page *)page);
}

static int zsx_mops_migrate(struct page *newpage, struct page *page, enum migrate_mode mode)
{
	int rc;

#ifdef ZSX_HAVE_MIGRATE_SYNC_NO_COPY
	if (mode == MIGRATE_SYNC_NO_COPY)
		return -EINVAL; /* the contents must be copied, as zsmalloc says too */
#endif
	rc = zsx_core_page_migrate((struct zsx_plat_page *)newpage, (struct zsx_plat_page *)page);
	return rc;
}

static void zsx_mops_putback(struct page *page)
{
	zsx_core_page_putback((struct zsx_plat_page *)page);
}

static const struct movable_operations zsx_mops = {
	.isolate_page = zsx_mops_isolate,
	.migrate_page = zsx_mops_migrate,
	.putback_page = zsx_mops_putback,
};

static void zsx_page_set_movable(struct page *page)
{
	__SetPageMovable(page, &zsx_mops);
}

static bool zsx_page_is_movable(struct page *page)
{
	return __PageMovable(page);
}

static void zsx_page_clear_movable(struct page *page)
{
	__ClearPageMovable(page);
}
#else
static void zsx_page_set_movable(struct page *page)
{
}

static bool zsx_page_is_movable(struct page *page)
{
	return false;
}

static void zsx_page_clear_movable(struct page *page)
{
}
#endif

#ifdef ZSX_TEST_BUILD
/*
 * test builds: data-page references zsx holds, per CPU (no shared line),
 * counted unless count_pages_held=0 (the benchmarks: a patched-out branch)
 */
static bool count_pages_held = true;
module_param(count_pages_held, bool, 0444);
MODULE_PARM_DESC(count_pages_held, "test builds: count the data pages zsx holds (debugfs pages_held)");
static DEFINE_STATIC_KEY_TRUE(zsx_count_pages_held);
static DEFINE_PER_CPU(long, zsx_pages_held);
#define zsx_pages_held_add(n)                                         \
	do {                                                          \
		if (static_branch_likely(&zsx_count_pages_held))      \
			this_cpu_add(zsx_pages_held, n);              \
	} while (0)

long zsx_test_pages_held(void)
{
	long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += per_cpu(zsx_pages_held, cpu);
	return n;
}
#else
#define zsx_pages_held_add(n) do { } while (0)
#endif

struct zsx_plat_page *zsx_plat_page_alloc(unsigned int gfp, int nid)
{
	/* a page nobody can migrate must not sit in a movable or CMA pageblock */
	gfp_t g = (__force gfp_t)gfp & (ZSX_PAGES_MOVABLE ? ~(gfp_t)0 : ~__GFP_MOVABLE);
	struct page *page = nid < 0 ? alloc_page(g) : alloc_pages_node(nid, g, 0);

	if (page)
		zsx_pages_held_add(1);
	return (struct zsx_plat_page *)page;
}

void zsx_plat_page_make_movable(struct zsx_plat_page *p, unsigned int gfp)
{
	struct page *page = (struct page *)p;

	if (!ZSX_PAGES_MOVABLE || !gfp || !((__force gfp_t)gfp & __GFP_MOVABLE))
		return;
	/* a fresh page that is not movable yet: nobody else can hold its lock */
	if (WARN_ON_ONCE(!trylock_page(page)))
		return;
	zsx_page_set_movable(page);
	unlock_page(page);
}

/* the caller holds the page lock (or the page was never movable) */
static void zsx_page_release_locked(struct page *page)
{
	if (zsx_page_is_movable(page))
		zsx_page_clear_movable(page);
	set_page_private(page, 0);
}

int zsx_plat_page_release_try(struct zsx_plat_page *p)
{
	struct page *page = (struct page *)p;

	if (zsx_page_is_movable(page)) {
		if (!trylock_page(page))
			return 0; /* the VM is isolating or migrating it right now */
		zsx_page_release_locked(page);
		unlock_page(page);
	} else {
		zsx_page_release_locked(page);
	}
	put_page(page);
	zsx_pages_held_add(-1);
	return 1;
}

/*
 * An emptied zspage's pages: one call from the core instead of two per page
 * (each page's owner cleared, then released as page_release_try does).
 */
unsigned int zsx_plat_pages_release(struct zsx_plat_page **pages, unsigned int n)
{
	unsigned int i, busy = 0;

	for (i = 0; i < n; i++) {
		zsx_plat_page_set_owner(pages[i], NULL, 0);
		if (!zsx_plat_page_release_try(pages[i]))
			busy |= 1u << i; /* the VM is isolating or migrating it */
	}
	return busy;
}

/* migration: the VM holds both page locks */
void zsx_plat_page_adopt_migrated(struct zsx_plat_page *newpage)
{
	struct page *page = (struct page *)newpage;

	get_page(page);
	zsx_pages_held_add(1);
	zsx_page_set_movable(page);
}

void zsx_plat_page_drop_migrated(struct zsx_plat_page *oldpage)
{
	struct page *page = (struct page *)oldpage;

	zsx_page_release_locked(page);
	put_page(page);
	zsx_pages_held_add(-1);
}

/* ---- deferred zspage release ------------------------------------------------ */

static_assert(sizeof(struct llist_node) <= 16, "zspage gives the platform 16 bytes");

/*
 * Zspages whose pages could not all be released at once (a page the VM held
 * locked, or a pool that releases in the background). The worker runs on
 * zsx_wq, a WQ_MEM_RECLAIM queue: under memory pressure its rescuer runs it,
 * and the memory it releases is what reclaim is waiting for. It never sleeps
 * on a page lock: a page still locked is tried again a jiffy later.
 */
static struct workqueue_struct *zsx_wq;
static LLIST_HEAD(zsx_release_list);

static void zsx_release_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(zsx_release_work, zsx_release_work_fn);

static void zsx_release_work_fn(struct work_struct *work)
{
	struct llist_node *node = llist_del_all(&zsx_release_list), *next;
	bool busy = false;

	for (; node; node = next) {
		next = node->next;
		if (!zsx_core_zspage_release_slow(node)) {
			llist_add(node, &zsx_release_list);
			busy = true;
		}
		cond_resched();
	}
	if (busy)
		queue_delayed_work(zsx_wq, &zsx_release_work, 1);
}

void zsx_plat_defer_zspage_release(void *obj)
{
	if (llist_add((struct llist_node *)obj, &zsx_release_list))
		queue_delayed_work(zsx_wq, &zsx_release_work, 0);
}

/*
 * Process context: every zspage handed over before the call is released on
 * return. The worker's run in progress ends first (it puts back what it could
 * not release); then the caller takes the list and releases it itself, waiting
 * a jiffy at a time for a page the VM holds locked. Zspages handed over after
 * that are the worker's: a stream of them cannot keep the caller here.
 */
void zsx_plat_flush_deferred_releases(void)
{
	struct llist_node *node, *next, *busy;

	flush_delayed_work(&zsx_release_work);
	for (node = llist_del_all(&zsx_release_list); node; node = busy) {
		for (busy = NULL; node; node = next) {
			next = node->next;
			if (!zsx_core_zspage_release_slow(node)) {
				node->next = busy;
				busy = node;
			}
		}
		if (busy)
			schedule_timeout_uninterruptible(1);
	}
}

unsigned long zsx_plat_page_to_pfn(struct zsx_plat_page *p)
{
	return page_to_pfn((struct page *)p);
}

struct zsx_plat_page *zsx_plat_pfn_to_page(unsigned long pfn)
{
	if (!pfn_valid(pfn))
		return NULL;
	return (struct zsx_plat_page *)pfn_to_page(pfn);
}

void *zsx_plat_kmap(struct zsx_plat_page *p)
{
	return kmap_local_page((struct page *)p);
}

void zsx_plat_kunmap(void *addr)
{
	kunmap_local(addr);
}

/*
 * written before the zspage is published, under its class lock (migration)
 * or once it is dead; read under the class or pool lock (single-copy atomic)
 */
void zsx_plat_page_set_owner(struct zsx_plat_page *p, void *zspage, unsigned long tag)
{
	struct page *page = (struct page *)p;

	WRITE_ONCE(page->ZSX_PAGE_TAG_FIELD, tag);
	WRITE_ONCE(page->private, (unsigned long)zspage);
}

void *zsx_plat_page_owner(struct zsx_plat_page *p)
{
	return p ? (void *)READ_ONCE(((struct page *)p)->private) : NULL;
}

unsigned long zsx_plat_page_tag(struct zsx_plat_page *p)
{
	return READ_ONCE(((struct page *)p)->ZSX_PAGE_TAG_FIELD);
}

void *zsx_plat_cpu_buffer_get(void)
{
	preempt_disable();
	return *this_cpu_ptr(&zsx_cpu_area);
}

/* no preemption change: the caller's get already holds it off (DEBUG_PREEMPT checks) */
void *zsx_plat_cpu_buffer_held(void)
{
	return __this_cpu_read(zsx_cpu_area);
}

void zsx_plat_cpu_buffer_put(void)
{
	preempt_enable();
}

/* ---- work items on zsx_wq (WQ_MEM_RECLAIM) ----------------------------------- */

struct zsx_plat_work {
	struct work_struct work;
	void (*fn)(void *arg);
	void *arg;
};

static void zsx_plat_work_fn(struct work_struct *work)
{
	struct zsx_plat_work *w = container_of(work, struct zsx_plat_work, work);

	w->fn(w->arg);
}

struct zsx_plat_work *zsx_plat_work_new(void (*fn)(void *arg), void *arg)
{
	struct zsx_plat_work *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return NULL;
	INIT_WORK(&w->work, zsx_plat_work_fn);
	w->fn = fn;
	w->arg = arg;
	return w;
}

void zsx_plat_work_queue(struct zsx_plat_work *w)
{
	queue_work(zsx_wq, &w->work);
}

void zsx_plat_work_flush(struct zsx_plat_work *w)
{
	flush_work(&w->work);
}

void zsx_plat_work_delete(struct zsx_plat_work *w)
{
	if (!w)
		return;
	cancel_work_sync(&w->work);
	kfree(w);
}

/* ---- per-CPU data, deferred freeing's timers and drain work ------------------ */

void *zsx_plat_percpu_zalloc(unsigned long size)
{
	return (void __force *)__alloc_percpu(size, SMP_CACHE_BYTES);
}

void zsx_plat_percpu_free(void *pcp)
{
	free_percpu((void __percpu __force *)pcp);
}

void *zsx_plat_percpu_ptr(void *pcp, int cpu)
{
	return per_cpu_ptr((void __percpu __force *)pcp, cpu);
}

int zsx_plat_nr_cpu_ids(void)
{
	return nr_cpu_ids;
}

int zsx_plat_cpu_possible(int cpu)
{
	return cpu_possible(cpu);
}

int zsx_plat_cpu_online(int cpu)
{
	return cpu_online(cpu);
}

/* vmalloc-backed when no contiguous block is at hand: never a high-order failure */
void *zsx_plat_zalloc_large(unsigned long size, int cpu)
{
	return kvzalloc_node(size, GFP_KERNEL, cpu < 0 ? NUMA_NO_NODE : cpu_to_node(cpu));
}

void zsx_plat_free_large(void *p)
{
	kvfree(p);
}

int zsx_plat_may_lock(void)
{
	/* not in_task(): a task inside spin_lock_bh() may hold a lock a softirq takes */
	return !in_interrupt() && !irqs_disabled();
}

int zsx_plat_in_task(void)
{
	return in_task();
}

/*
 * Not in a hard interrupt (the slab's locks are sleeping locks on PREEMPT_RT,
 * and lockdep checks that everywhere from 7.x on), nor with IRQs off on
 * PREEMPT_RT; with IRQs off elsewhere (a task under spin_lock_irqsave) an
 * atomic allocation is what it always was.
 */
int zsx_plat_may_alloc_atomic(void)
{
	return !in_hardirq() && !in_nmi() && !(IS_ENABLED(CONFIG_PREEMPT_RT) && irqs_disabled());
}

int zsx_plat_need_resched(void)
{
	return need_resched();
}

/* one per CPU per pool: the ring's low-water timer (pinned to its CPU) and its drainer */
struct zsx_plat_defer_cpu {
	struct timer_list timer;
	struct work_struct work;
	spinlock_t take_lock; /* the ring's: tail moves under it (deferred.cpp) */
	struct zsx_defer_ring *ring;
	void (*drain)(void *arg, int cpu);
	void *arg;
	unsigned long delay; /* jiffies */
};

static void zsx_defer_work_fn(struct work_struct *work)
{
	struct zsx_plat_defer_cpu *d = container_of(work, struct zsx_plat_defer_cpu, work);

	d->drain(d->arg, d->ring->cpu);
}

/*
 * On the ring's CPU (pinned; after that CPU went down, wherever the timer
 * code moved it, when no producer runs there). Clearing timer_armed here, on
 * the producers' CPU, is what makes the next producer arm the timer again:
 * the producer tests the flag after storing its handle, so either it sees the
 * flag clear and arms, or this callback runs later and the drainer it queues
 * sees the handle (queue_work orders this CPU's earlier stores before the work).
 */
static void zsx_defer_timer_fn(struct timer_list *t)
{
	struct zsx_plat_defer_cpu *d = zsx_timer_owner(d, t, timer);

	WRITE_ONCE(d->ring->timer_armed, 0);
	queue_work(zsx_wq, &d->work);
}

struct zsx_plat_defer_cpu *zsx_plat_defer_cpu_new(struct zsx_defer_ring *ring,
						  void (*drain)(void *arg, int cpu), void *arg,
						  unsigned int delay_ms)
{
	struct zsx_plat_defer_cpu *d = kzalloc_node(sizeof(*d), GFP_KERNEL, cpu_to_node(ring->cpu));

	if (!d)
		return NULL;
	timer_setup(&d->timer, zsx_defer_timer_fn, TIMER_PINNED);
	INIT_WORK(&d->work, zsx_defer_work_fn);
	spin_lock_init(&d->take_lock);
	d->ring = ring;
	d->drain = drain;
	d->arg = arg;
	d->delay = max(1ul, msecs_to_jiffies(delay_ms));
	return d;
}

void zsx_plat_defer_cpu_delete(struct zsx_plat_defer_cpu *d)
{
	timer_shutdown_sync(&d->timer);
	cancel_work_sync(&d->work);
	kfree(d);
}

void zsx_plat_defer_set_delay(struct zsx_plat_defer_cpu *d, unsigned int delay_ms)
{
	WRITE_ONCE(d->delay, max(1ul, msecs_to_jiffies(delay_ms)));
}

void zsx_plat_defer_arm(struct zsx_defer_ring *ring)
{
	WRITE_ONCE(ring->timer_armed, 1);
	/* pinned: on this CPU, where the producers of this ring run */
	mod_timer(&ring->plat->timer, jiffies + READ_ONCE(ring->plat->delay));
}

/*
 * The ring's CPU is dead (cpuhp teardown, before the timers of the dead CPU
 * move): stop its timer and clear the flag here, where no producer can run,
 * so a producer on that CPU once it is back arms the timer itself instead of
 * relying on a callback running elsewhere (whose flag clearing would race it).
 */
void zsx_plat_defer_cpu_dead(struct zsx_defer_ring *ring)
{
	zsx_timer_delete_sync(&ring->plat->timer);
	WRITE_ONCE(ring->timer_armed, 0);
	queue_work(zsx_wq, &ring->plat->work);
}

void zsx_plat_defer_kick(struct zsx_defer_ring *ring)
{
	queue_work(zsx_wq, &ring->plat->work);
}

void zsx_plat_defer_wait(struct zsx_plat_defer_cpu *d)
{
	flush_work(&d->work);
}

void zsx_plat_defer_flush(struct zsx_plat_defer_cpu *d)
{
	queue_work(zsx_wq, &d->work);
	flush_work(&d->work);
}

int zsx_plat_defer_park(struct zsx_defer_ring *rings, unsigned long handle, int atomic_caller)
{
	return zsx_defer_park(rings, handle, atomic_caller);
}

void zsx_plat_defer_take_lock(struct zsx_defer_ring *ring) __acquires(ring)
{
	spin_lock(&ring->plat->take_lock);
}

void zsx_plat_defer_take_unlock(struct zsx_defer_ring *ring) __releases(ring)
{
	spin_unlock(&ring->plat->take_lock);
}

struct zsx_defer_ring *zsx_plat_defer_this_ring(struct zsx_defer_ring *rings)
{
	return raw_cpu_ptr((struct zsx_defer_ring __percpu __force *)rings);
}

/* ---- misuse: each kind its own rate-limited warning, counted --------------- */

static const char *const zsx_misuse_text[ZSX_MISUSE_NR] = {
	[ZSX_MISUSE_FREED_HANDLE] = "handle already freed (double free or use after free), refused",
	[ZSX_MISUSE_FOREIGN_HANDLE] = "handle not from this pool, refused",
	[ZSX_MISUSE_FREE_NOT_LIVE] =
		"zsx_free: handle does not point at a live object of this pool, refused",
	[ZSX_MISUSE_DEFER_NOT_LIVE] =
		"zsx_free_deferred: handle does not point at a live object of this pool, refused",
	[ZSX_MISUSE_DEFER_BAD_CLASS] =
		"zsx_free_deferred: the handle's class is no class of this pool, refused",
	[ZSX_MISUSE_ACCESS_NOT_LIVE] =
		"map/read/write: handle does not point at an object of this pool, refused",
	[ZSX_MISUSE_WRITE_TOO_LONG] = "zsx_obj_write: longer than the object, truncated",
	[ZSX_MISUSE_DEFER_KEPT] =
		"zsx_free_deferred: ring full, class busy, late-free slots full in interrupt context: object kept until the pool is destroyed",
};

static struct ratelimit_state zsx_misuse_rs[ZSX_MISUSE_NR];
static atomic_long_t zsx_misuse_seen[ZSX_MISUSE_NR];

void zsx_plat_warn(void *owner, int kind, unsigned long handle, unsigned long detail)
{
	if (WARN_ON_ONCE(kind < 0 || kind >= ZSX_MISUSE_NR))
		return;
	atomic_long_inc(&zsx_misuse_seen[kind]);
	if (__ratelimit(&zsx_misuse_rs[kind]))
		pr_warn("pool %s: %s (handle %#lx, %#lx)\n", zsx_pool_name_of(owner),
			zsx_misuse_text[kind], handle, detail);
}

/* tests: how often each kind was reported since load */
unsigned long zsx_misuse_count(int kind)
{
	return kind >= 0 && kind < ZSX_MISUSE_NR ? atomic_long_read(&zsx_misuse_seen[kind]) : 0;
}

static void zsx_misuse_init(void)
{
	int k;

	/* at most 10 lines per kind per 5 s */
	for (k = 0; k < ZSX_MISUSE_NR; k++)
		ratelimit_state_init(&zsx_misuse_rs[k], 5 * HZ, 10);
}

void zsx_plat_report(const char *what, unsigned long a, unsigned long b)
{
	pr_warn("%s (%lu, %lu)\n", what, a, b);
}

void zsx_plat_cond_resched(void)
{
	cond_resched();
}

/*
 * Durations for statistics (a drain, a class-lock hold): the CPU's sched
 * clock, about half the instructions of ktime_get_ns() (each hold is timed, and
 * a drain's holds can be a few handles each); a drain that migrates between
 * CPUs may read a few us off, which no statistic here minds
 */
unsigned long long zsx_plat_now_ns(void)
{
	return local_clock();
}

/* monotonic and the same on every CPU (local_clock() is neither); not NMI-safe */
unsigned long long zsx_plat_clock_ns(void)
{
	return ktime_get_ns();
}

#ifdef ZSX_TEST_BUILD
/*
 * Test hook: play the VM's part in migrating the page that holds a handle's
 * object (mm/migrate.c order: pin, lock, isolate, lock new page, migrate).
 */
int zsx_test_migrate_handle(struct zsx_core_pool *pool, unsigned long handle)
#if ZSX_PAGES_MOVABLE
{
	struct page *page = (struct page *)zsx_core_handle_page(pool, handle);
	struct page *newpage;
	int rc = -EBUSY;

	if (!page || !get_page_unless_zero(page))
		return -EINVAL;
	lock_page(page);
	/* still a zsx page (it may have been freed and reused meanwhile) */
	if (!zsx_page_is_movable(page) || page_movable_ops(page) != &zsx_mops ||
	    !zsx_mops_isolate(page, 0))
		goto out;
	newpage = alloc_page(GFP_KERNEL | __GFP_MOVABLE);
	if (!newpage) {
		zsx_mops_putback(page);
		rc = -ENOMEM;
		goto out;
	}
	lock_page(newpage);
	rc = zsx_mops_migrate(newpage, page, MIGRATE_SYNC);
	if (rc)
		zsx_mops_putback(page);
	unlock_page(newpage);
	put_page(newpage); /* the VM's reference: zsx took its own on success */
out:
	unlock_page(page);
	put_page(page);
	return rc;
}
#else
{
	return -EOPNOTSUPP; /* no zsx page is ever movable here */
}
#endif
#endif

/* ---- the memory model the core uses inline ----------------------------------- */

/* one past the highest PFN of any online node */
static unsigned long zsx_pfn_limit(void)
{
	unsigned long limit = 0;
	int nid;

	for_each_online_node(nid)
		limit = max(limit, node_end_pfn(nid));
	return limit;
}

#ifdef CONFIG_MEMORY_HOTPLUG
static int zsx_memory_callback(struct notifier_block *nb, unsigned long action, void *arg)
{
	if (action == MEM_GOING_ONLINE || action == MEM_ONLINE)
		WRITE_ONCE(zsx_plat_mm.pfn_limit,
			   max(READ_ONCE(zsx_plat_mm.pfn_limit), zsx_pfn_limit()));
	return NOTIFY_OK;
}

static struct notifier_block zsx_memory_nb = { .notifier_call = zsx_memory_callback };
#endif

/*
 * Bases from a real page, and a check that the inline model gives the
 * kernel's own answers for it (a wrong model must not load). The hotplug
 * notifier is registered before the limit is read, so memory onlined while
 * we load is never missed.
 */
static int zsx_mm_init(void)
{
	struct page *page;
	unsigned long pfn;
	int rc = 0;

#ifdef CONFIG_MEMORY_HOTPLUG
	rc = register_memory_notifier(&zsx_memory_nb);
	if (rc)
		return rc;
#endif
	WRITE_ONCE(zsx_plat_mm.pfn_limit, max(READ_ONCE(zsx_plat_mm.pfn_limit), zsx_pfn_limit()));
	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM; /* zsx_platform_exit() unregisters */
	pfn = page_to_pfn(page);
	zsx_plat_mm.page_array = (unsigned long)pfn_to_page(0);
	zsx_plat_mm.direct_map = (unsigned long)page_address(page) - (pfn << PAGE_SHIFT);
	if (ZSX_K_INLINE_MM &&
	    (zsx_plat_mm.page_array + pfn * sizeof(struct page) != (unsigned long)page ||
	     zsx_plat_mm.direct_map + (pfn << PAGE_SHIFT) != (unsigned long)page_address(page) ||
	     pfn >= zsx_plat_mm.pfn_limit)) {
		pr_err("inline memory model disagrees with the kernel (pfn %#lx)\n", pfn);
		rc = -EINVAL;
	}
	__free_page(page);
	return rc;
}

static void zsx_caches_destroy(void)
{
	unsigned int n;

	for (n = 1; n <= ZSX_MAX_CHAIN_SIZE; n++) {
		kmem_cache_destroy(zsx_zspage_cache[n]);
		zsx_zspage_cache[n] = NULL;
	}
	kmem_cache_destroy(zsx_plat_handle_cache);
	zsx_plat_handle_cache = NULL;
	kmem_cache_destroy(zsx_handle_debug_cache);
	zsx_handle_debug_cache = NULL;
}

/* handles, and zspage metadata sized to each chain length */
static int zsx_caches_create(void)
{
	unsigned int n;

	/* one word, as zsmalloc's handles; debug pools' carry a tag word too */
	zsx_plat_handle_cache = kmem_cache_create("zsx_handle", sizeof(unsigned long), 0, 0, NULL);
	zsx_handle_debug_cache =
		kmem_cache_create("zsx_handle_debug", 2 * sizeof(unsigned long), 0, 0, NULL);
	if (!zsx_plat_handle_cache || !zsx_handle_debug_cache) {
		zsx_caches_destroy();
		return -ENOMEM;
	}
	for (n = 1; n <= ZSX_MAX_CHAIN_SIZE; n++) {
		char name[24];

		snprintf(name, sizeof(name), "zsx_zspage%u", n);
		zsx_zspage_cache[n] =
			kmem_cache_create(name, zsx_core_zspage_bytes(n), sizeof(long), 0, NULL);
		if (!zsx_zspage_cache[n]) {
			zsx_caches_destroy();
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * A CPU's map area (the bounce buffer and map state) exists while the CPU is
 * up, as zsmalloc's: a machine declaring hundreds of possible CPUs pays for
 * the ones it runs (with 64K pages an area is a 128 KiB allocation).
 */
static int zsx_map_area_state;

static int zsx_map_area_prepare(unsigned int cpu)
{
	void *area;

	if (per_cpu(zsx_cpu_area, cpu))
		return 0;
	area = kzalloc_node(PAGE_SIZE + 64, GFP_KERNEL, cpu_to_node(cpu));
	if (!area)
		return -ENOMEM;
	per_cpu(zsx_cpu_area, cpu) = area;
	return 0;
}

/* nothing runs on a dead CPU: no map is in progress there */
static int zsx_map_area_dead(unsigned int cpu)
{
	kfree(per_cpu(zsx_cpu_area, cpu));
	per_cpu(zsx_cpu_area, cpu) = NULL;
	return 0;
}

int zsx_platform_init(void)
{
	int rc;

#ifdef ZSX_TEST_BUILD
	if (!count_pages_held)
		static_branch_disable(&zsx_count_pages_held);
#endif
	zsx_misuse_init();
	rc = zsx_mm_init();
	if (rc) {
		zsx_platform_exit();
		return rc;
	}
	zsx_wq = alloc_workqueue("zsx_deferred", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!zsx_wq) {
		zsx_platform_exit();
		return -ENOMEM;
	}
	rc = zsx_caches_create();
	if (rc) {
		zsx_platform_exit();
		return rc;
	}
	/* the map areas of the CPUs up now, then of each that comes up */
	rc = cpuhp_setup_state(CPUHP_BP_PREPARE_DYN, "zsx:map_area", zsx_map_area_prepare,
			       zsx_map_area_dead);
	if (rc < 0) {
		zsx_platform_exit();
		return rc;
	}
	zsx_map_area_state = rc;
	return 0;
}

/* undoes whatever zsx_platform_init got to */
void zsx_platform_exit(void)
{
	if (zsx_wq)
		zsx_plat_flush_deferred_releases();
	if (zsx_map_area_state > 0)
		cpuhp_remove_state(zsx_map_area_state); /* frees every area */
	zsx_map_area_state = 0;
	zsx_caches_destroy();
	if (zsx_wq)
		destroy_workqueue(zsx_wq);
	zsx_wq = NULL;
#ifdef CONFIG_MEMORY_HOTPLUG
	unregister_memory_notifier(&zsx_memory_nb);
#endif
}
