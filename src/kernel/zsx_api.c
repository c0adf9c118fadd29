// SPDX-License-Identifier: GPL-2.0
/*
 * The exported zsx_* C API: pools with names, the default policy module
 * parameters, a shrinker per pool and debugfs (/sys/kernel/debug/zsx/<pool>/).
 */
#define pr_fmt(fmt) "zsx: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "core.h"
#include "zsx.h"
#include "zsx_internal.h"
#include "zsx_compat.h"
#include "zsx_defer.h"

struct zsx_pool {
	struct zsx_core_pool *core;
	/* per CPU (zsx_defer.h); NULL: zsx_free_deferred takes the core's path */
	struct zsx_defer_ring *defer_rings;
	const char *name;
	int policy;
	int deferred;
	struct list_head list;
	struct hlist_node cpuhp_node; /* an instance of zsx_cpuhp_state: its rings follow CPUs */
	bool cpuhp_added;
	struct zsx_shrinker shrinker;
	struct dentry *debugfs;
};

const char *zsx_pool_name_of(void *owner)
{
	return owner ? ((struct zsx_pool *)owner)->name : "?";
}

static const char *const policy_names[] = {
	[ZSX_FREE_BASE] = "base",
	[ZSX_FREE_CLASSIDX] = "classidx",
	[ZSX_FREE_CLASSIDX_UNLOCKED] = "classidx_unlocked_free",
};

static char *free_policy = "classidx_unlocked_free";
module_param(free_policy, charp, 0444);
MODULE_PARM_DESC(free_policy, "default zsx_free path: base | classidx | classidx_unlocked_free");
static unsigned int chain_size = ZSX_CHAIN_SIZE;
module_param(chain_size, uint, 0444);
MODULE_PARM_DESC(chain_size, "default longest zspage chain in pages (4..16)");

/*
 * The deferred freeing of pools created from now on (zswap creates its pool
 * when its zpool or compressor changes): writable, so deferral can be turned
 * on or off without reloading zsx; existing pools keep theirs.
 */
static int deferred_default = ZSX_DEFERRED_PERCPU;

static int deferred_param_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "percpu"))
		WRITE_ONCE(deferred_default, ZSX_DEFERRED_PERCPU);
	else if (sysfs_streq(val, "off"))
		WRITE_ONCE(deferred_default, ZSX_DEFERRED_OFF);
	else
		return -EINVAL;
	return 0;
}

static int deferred_param_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n",
			 READ_ONCE(deferred_default) == ZSX_DEFERRED_OFF ? "off" : "percpu");
}

static const struct kernel_param_ops deferred_param_ops = {
	.set = deferred_param_set,
	.get = deferred_param_get,
};
module_param_cb(deferred, &deferred_param_ops, NULL, 0644);
MODULE_PARM_DESC(deferred, "zsx_free_deferred path of pools created from now on: percpu | off");
static unsigned long deferred_budget_kb = 128 * 1024;
module_param(deferred_budget_kb, ulong, 0444);
MODULE_PARM_DESC(deferred_budget_kb,
		 "per pool: uncompressed data (KiB) whose handles may wait to be freed, split across CPUs");

static bool debug_handles;
module_param(debug_handles, bool, 0444);
MODULE_PARM_DESC(debug_handles,
		 "check every handle: a double free, use after free or a foreign handle is refused, warned");

static unsigned int deferred_delay_ms = 20;
module_param(deferred_delay_ms, uint, 0444);
MODULE_PARM_DESC(deferred_delay_ms,
		 "longest wait of a parked handle before the drainer runs (low-water timer)");

static unsigned int deferred_hold_max = 64;
module_param(deferred_hold_max, uint, 0444);
MODULE_PARM_DESC(deferred_hold_max,
		 "handles a drainer frees per class-lock hold at most (dropped early when contended)");

static LIST_HEAD(zsx_pools);
static int zsx_cpuhp_state; /* zsx:prepare, multi-instance: one instance per deferred pool */
static DEFINE_MUTEX(zsx_pools_lock);
static struct dentry *zsx_debugfs_root;

const char *zsx_free_policy_name(int policy)
{
	if (policy < 0 || policy >= ARRAY_SIZE(policy_names))
		return "invalid";
	return policy_names[policy];
}

static int zsx_default_policy(void)
{
	int i = sysfs_match_string(policy_names, free_policy);

	if (i < 0) {
		pr_err("unknown free_policy '%s', using base\n", free_policy);
		return ZSX_FREE_BASE;
	}
	if (i != ZSX_FREE_BASE && !zsx_core_has_classidx()) {
		pr_info("free_policy %s needs the class index in obj, which this build lacks: using base\n",
			free_policy);
		return ZSX_FREE_BASE;
	}
	return i;
}

/* ---- shrinker: compaction on memory pressure ---------------------------- */

/*
 * Under memory pressure: parked handles are drained (their drainers kicked,
 * not waited for: they run on the unbound workqueue, a rescuer behind it) and
 * the pool is compacted.
 */
static unsigned long zsx_shrinker_count(struct shrinker *s, struct shrink_control *sc)
{
	struct zsx_pool *pool = zsx_shrinker_owner(s);

	/* pages: those compaction frees, and those parked objects pin (about 1/4 page each) */
	return zsx_core_compactable_pages(pool->core) + zsx_core_deferred_pending(pool->core) / 4;
}

static unsigned long zsx_shrinker_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct zsx_pool *pool = zsx_shrinker_owner(s);
	unsigned long freed;

	zsx_core_deferred_kick(pool->core);
	freed = zsx_core_compact(pool->core);
	return freed ? freed : SHRINK_STOP;
}

/* ---- debugfs -------------------------------------------------------------- */

static int zsx_classes_show(struct seq_file *s, void *v)
{
	struct zsx_pool *pool = s->private;
	struct zsx_core_class_stats cs;
	unsigned long tot[ZSX_CORE_NR_GROUPS] = {}, alloc = 0, used = 0, pages = 0, freeable = 0;
	unsigned int slot, g;

	seq_printf(s,
		   " %5s %5s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %13s %10s %10s %16s %8s\n",
		   "class", "size", "10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%",
		   "99%", "100%", "obj_allocated", "obj_used", "pages_used", "pages_per_zspage",
		   "freeable");
	for (slot = 0; slot < 512; slot++) {
		if (zsx_core_pool_class_stats(pool->core, slot, &cs))
			continue;
		seq_printf(s, " %5u %5u", cs.index, cs.size);
		for (g = 1; g < ZSX_CORE_NR_GROUPS; g++) {
			seq_printf(s, " %9lu", cs.groups[g]);
			tot[g] += cs.groups[g];
		}
		seq_printf(s, " %13lu %10lu %10lu %16u %8lu\n", cs.obj_allocated, cs.obj_used,
			   cs.pages_used, cs.pages_per_zspage, cs.freeable);
		alloc += cs.obj_allocated;
		used += cs.obj_used;
		pages += cs.pages_used;
		freeable += cs.freeable;
	}
	seq_puts(s, "\n Total      ");
	for (g = 1; g < ZSX_CORE_NR_GROUPS; g++)
		seq_printf(s, " %9lu", tot[g]);
	seq_printf(s, " %13lu %10lu %10lu %16s %8lu\n", alloc, used, pages, "", freeable);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zsx_classes);

static int zsx_stats_show(struct seq_file *s, void *v)
{
	struct zsx_pool *pool = s->private;
	struct zsx_core_pool_stats st;

	zsx_core_pool_stats(pool->core, &st);
	seq_printf(s, "free_policy %s\n", zsx_free_policy_name(pool->policy));
	seq_printf(s, "chain_size %u\n", zsx_core_pool_chain(pool->core));
	seq_printf(s, "pages %lu\n", zsx_core_total_pages(pool->core));
	seq_printf(s, "objects %lu\n", zsx_core_objects_in_use(pool->core));
	seq_printf(s, "pages_compacted %lu\n", st.pages_compacted);
	seq_printf(s, "pages_migrated %lu\n", st.pages_migrated);
	seq_printf(s, "zspages_freed_unlocked %lu\n", st.zspages_freed_unlocked);
	seq_printf(s, "zspages_freed_locked %lu\n", st.zspages_freed_locked);
	seq_printf(s, "late_frees %lu\nlate_kept %lu\n", st.late_frees, st.late_kept);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zsx_stats);

/*
 * Parked objects are still allocated: the pool's pages hold them beside the
 * live ones. Their bytes are estimated from the pool's mean object size (the
 * handles themselves are not followed: a drainer may free them meanwhile).
 */
static void zsx_parked_show(struct seq_file *s, struct zsx_pool *pool, unsigned long parked)
{
	struct zsx_core_class_stats cs;
	unsigned long pages = zsx_core_total_pages(pool->core);
	unsigned long objects = 0, bytes = 0, parked_bytes = 0, parked_pages;
	unsigned int slot;

	for (slot = 0; slot < 512; slot++) {
		if (zsx_core_pool_class_stats(pool->core, slot, &cs))
			continue;
		objects += cs.obj_used;
		bytes += cs.obj_used * cs.size;
	}
	parked = min(parked, objects);
	if (objects)
		parked_bytes = div64_ul((u64)bytes * parked, objects);
	parked_pages = min(DIV_ROUND_UP(parked_bytes, PAGE_SIZE), pages);
	seq_printf(s, "parked_objects %lu\nparked_bytes_est %lu\nparked_pages_est %lu\n", parked,
		   parked_bytes, parked_pages);
	seq_printf(s, "live_objects %lu\nlive_pages_est %lu\n", objects - parked,
		   pages - parked_pages);
}

static int zsx_deferred_show(struct seq_file *s, void *v)
{
	struct zsx_pool *pool = s->private;
	struct zsx_core_deferred_stats st;
	int cpu;

	if (zsx_core_deferred_stats(pool->core, &st)) {
		seq_puts(s, pool->deferred == ZSX_DEFERRED_RELEASE ? "deferred release\n" :
								     "deferred off\n");
		return 0;
	}
	seq_puts(s, "deferred percpu\n");
	zsx_parked_show(s, pool, st.pending);
	for_each_present_cpu(cpu)
		seq_printf(s, "pending_cpu%d %lu\n", cpu,
			   zsx_core_deferred_cpu_pending(pool->core, cpu));
	seq_printf(s, "pending %lu\ncapacity_per_cpu %lu\nenqueued %lu\ndrains %lu\ndrained %lu\n",
		   st.pending, st.capacity_per_cpu, st.enqueued, st.drains, st.drained);
	seq_printf(s,
		   "class_runs %lu\nsync_fallbacks %lu\noverflowed %lu\nspilled %lu\nkept %lu\nlongest_drain_us %lu\n",
		   st.classes_touched, st.fallbacks, st.overflowed, st.spilled, st.kept,
		   st.longest_drain_ns / 1000);
	seq_printf(s, "drain_time_us %lu\nlongest_hold_ns %lu\nholds %lu\nholds_over_1ms %lu\n",
		   st.drain_ns / 1000, st.longest_hold_ns, st.holds, st.holds_over_1ms);
	seq_printf(s, "hold_max %lu\nproducer_drains %lu\nproducer_drained %lu\n", st.hold_max,
		   st.producer_drains, st.producer_drained);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zsx_deferred);

#ifdef ZSX_TEST_BUILD
static int zsx_pages_held_show(struct seq_file *s, void *v)
{
	seq_printf(s, "%ld\n", zsx_test_pages_held());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zsx_pages_held);
#endif

/* ---- pools ---------------------------------------------------------------- */

/*
 * Handles one CPU's ring holds before a task frees synchronously: the pool's
 * budget (deferred_budget_kb of uncompressed data, and at most 1/64 of RAM:
 * parked objects stay allocated until drained) split across the possible
 * CPUs, and two drain batches at least.
 */
static unsigned int zsx_deferred_per_cpu(void)
{
	unsigned long budget = min(deferred_budget_kb >> (PAGE_SHIFT - 10), totalram_pages() / 64);

	return clamp_t(unsigned long, budget / num_possible_cpus(), 2 * ZSX_DEFER_BATCH, 1ul << 20);
}

struct zsx_pool *zsx_create_pool_opts(const char *name, const struct zsx_pool_opts *opts)
{
	struct zsx_pool *pool, *other;
	unsigned int chain = opts && opts->chain ? opts->chain : chain_size;
	int policy = opts && opts->free_policy != ZSX_FREE_DEFAULT ? opts->free_policy :
								     zsx_default_policy();
	int defer = opts && opts->deferred != ZSX_DEFERRED_DEFAULT ?
			    opts->deferred :
			    READ_ONCE(deferred_default);
	unsigned int per_cpu = 0;
	int err;

	if (defer == ZSX_DEFERRED_PERCPU && opts && opts->deferred_per_cpu)
		per_cpu = opts->deferred_per_cpu;
	else if (defer == ZSX_DEFERRED_PERCPU)
		per_cpu = zsx_deferred_per_cpu();
	else if (defer != ZSX_DEFERRED_OFF && defer != ZSX_DEFERRED_RELEASE)
		return NULL;

	if (!name) {
		pr_err("zsx_create_pool: NULL name\n");
		return NULL;
	}
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;
	pool->name = kstrdup(name, GFP_KERNEL);
	pool->policy = policy;
	pool->deferred = defer;
	if (!pool->name)
		goto fail;
	pool->core = zsx_core_pool_create(chain, policy, per_cpu, &err);
	if (!pool->core) {
		if (err == -EOPNOTSUPP)
			pr_err("pool %s: free policy %s needs the class index in obj; this build (narrow obj layout) has none: use base\n",
			       name, zsx_free_policy_name(policy));
		else
			pr_err("pool %s: cannot create (chain %u, policy %d): %d\n", name, chain,
			       policy, err);
		goto fail;
	}

	if (((opts && opts->debug == 1) || debug_handles) && zsx_core_pool_set_debug(pool->core)) {
		pr_err("pool %s: no memory for the debug-handle quarantine\n", name);
		goto fail;
	}
	if (defer == ZSX_DEFERRED_RELEASE)
		zsx_core_pool_set_release_deferred(pool->core);
	zsx_core_deferred_set_delay(pool->core, deferred_delay_ms);
	zsx_core_deferred_set_hold_max(pool->core, deferred_hold_max);
	pool->defer_rings = zsx_core_deferred_rings(pool->core);
	zsx_core_pool_set_owner(pool->core, pool);
	/*
	 * The core prepared the rings of the CPUs online at its creation; as an
	 * instance of the zsx:prepare hotplug state the pool gets a ring for
	 * every CPU that has passed that state now (one that came up meanwhile,
	 * or one parked part-way up) and for each that comes up later.
	 */
	if (defer == ZSX_DEFERRED_PERCPU) {
		err = cpuhp_state_add_instance(zsx_cpuhp_state, &pool->cpuhp_node);
		if (err) {
			pr_err("pool %s: no memory for the CPUs' deferred-free rings: %d\n", name,
			       err);
			goto fail;
		}
		pool->cpuhp_added = true;
	}
	mutex_lock(&zsx_pools_lock);
	list_for_each_entry(other, &zsx_pools, list) {
		if (!strcmp(other->name, name)) {
			mutex_unlock(&zsx_pools_lock);
			pr_err("pool %s already exists\n", name);
			goto fail;
		}
	}
	list_add(&pool->list, &zsx_pools);
	mutex_unlock(&zsx_pools_lock);

	if (zsx_debugfs_root) {
		pool->debugfs = debugfs_create_dir(name, zsx_debugfs_root);
		debugfs_create_file("classes", 0444, pool->debugfs, pool, &zsx_classes_fops);
		debugfs_create_file("stats", 0444, pool->debugfs, pool, &zsx_stats_fops);
		debugfs_create_file("deferred", 0444, pool->debugfs, pool, &zsx_deferred_fops);
	}
	if (zsx_shrinker_start(&pool->shrinker, pool, name, zsx_shrinker_count, zsx_shrinker_scan))
		pr_warn("pool %s: no shrinker, compaction only on request\n", name);
	return pool;

fail:
	if (pool->cpuhp_added)
		cpuhp_state_remove_instance_nocalls(zsx_cpuhp_state, &pool->cpuhp_node);
	if (pool->core)
		zsx_core_pool_destroy(pool->core);
	kfree(pool->name);
	kfree(pool);
	return NULL;
}
EXPORT_SYMBOL_GPL(zsx_create_pool_opts);

struct zsx_pool *zsx_create_pool(const char *name)
{
	return zsx_create_pool_opts(name, NULL);
}
EXPORT_SYMBOL_GPL(zsx_create_pool);

void zsx_destroy_pool(struct zsx_pool *pool)
{
	if (!pool)
		return;
	zsx_shrinker_stop(&pool->shrinker);
	debugfs_remove_recursive(pool->debugfs);
	mutex_lock(&zsx_pools_lock);
	list_del(&pool->list);
	mutex_unlock(&zsx_pools_lock);
	if (pool->cpuhp_added)
		cpuhp_state_remove_instance_nocalls(zsx_cpuhp_state, &pool->cpuhp_node);
	zsx_core_pool_destroy(pool->core);
	kfree(pool->name);
	kfree(pool);
}
EXPORT_SYMBOL_GPL(zsx_destroy_pool);

unsigned long zsx_malloc(struct zsx_pool *pool, size_t size, gfp_t gfp, int nid)
{
	return zsx_core_malloc(pool->core, size, (__force unsigned int)gfp, nid);
}
EXPORT_SYMBOL_GPL(zsx_malloc);

void zsx_free(struct zsx_pool *pool, unsigned long handle)
{
	zsx_core_free(pool->core, handle);
}
EXPORT_SYMBOL_GPL(zsx_free);

void *zsx_map_object(struct zsx_pool *pool, unsigned long handle, enum zsx_mapmode mm)
{
	return zsx_core_map(pool->core, handle, mm);
}
EXPORT_SYMBOL_GPL(zsx_map_object);

void zsx_unmap_object(struct zsx_pool *pool, unsigned long handle)
{
	zsx_core_unmap(pool->core, handle);
}
EXPORT_SYMBOL_GPL(zsx_unmap_object);

void *zsx_obj_read_begin(struct zsx_pool *pool, unsigned long handle, size_t mem_len,
			 void *local_copy)
{
	return zsx_core_read_begin(pool->core, handle, mem_len, local_copy);
}
EXPORT_SYMBOL_GPL(zsx_obj_read_begin);

void zsx_obj_read_end(struct zsx_pool *pool, unsigned long handle, void *handle_mem)
{
	zsx_core_read_end(pool->core, handle, handle_mem);
}
EXPORT_SYMBOL_GPL(zsx_obj_read_end);

void zsx_obj_write(struct zsx_pool *pool, unsigned long handle, void *handle_mem, size_t mem_len)
{
	zsx_core_write(pool->core, handle, handle_mem, mem_len);
}
EXPORT_SYMBOL_GPL(zsx_obj_write);

/*
 * Task, softirq or hardirq context, spinlocks held or not (not NMI): the
 * handle waits in this CPU's ring. The common case is inline: one this-CPU
 * RMW and a store (zsx_defer.h); debug pools, tracing and a full ring take
 * the core's path (deferred.hpp lists what each context gets there).
 */
void zsx_free_deferred(struct zsx_pool *pool, unsigned long handle)
{
	struct zsx_defer_ring *rings = pool->defer_rings;

	if (likely(rings && !IS_ERR_OR_NULL((void *)handle) && !READ_ONCE(zsx_plat_trace_active)) &&
	    likely(zsx_defer_park(rings, handle, 0)))
		return;
	/*
	 * A pool without deferred freeing (not a debug pool: it has no rings
	 * here, its parks take the core's path), where zsx_free may be called:
	 * what this is (no detour)
	 */
	if (pool->deferred != ZSX_DEFERRED_PERCPU && likely(!in_interrupt() && !irqs_disabled())) {
		zsx_core_free(pool->core, handle);
		return;
	}
	zsx_core_free_deferred(pool->core, handle);
}
EXPORT_SYMBOL_GPL(zsx_free_deferred);

/* process context: every handle deferred before the call is freed on return */
void zsx_free_deferred_flush(struct zsx_pool *pool)
{
	might_sleep();
	zsx_core_deferred_flush(pool->core);
}
EXPORT_SYMBOL_GPL(zsx_free_deferred_flush);

unsigned long zsx_get_total_pages(struct zsx_pool *pool)
{
	return zsx_core_total_pages(pool->core);
}
EXPORT_SYMBOL_GPL(zsx_get_total_pages);

unsigned long zsx_compact(struct zsx_pool *pool)
{
	return zsx_core_compact(pool->core);
}
EXPORT_SYMBOL_GPL(zsx_compact);

void zsx_pool_stats(struct zsx_pool *pool, struct zsx_pool_stats *stats)
{
	struct zsx_core_pool_stats st;

	zsx_core_pool_stats(pool->core, &st);
	stats->pages_compacted = st.pages_compacted;
	stats->pages_migrated = st.pages_migrated;
	stats->zspages_freed_unlocked = st.zspages_freed_unlocked;
	stats->zspages_freed_locked = st.zspages_freed_locked;
}
EXPORT_SYMBOL_GPL(zsx_pool_stats);

size_t zsx_huge_class_size(struct zsx_pool *pool)
{
	return zsx_core_pool_huge_class_size(pool->core);
}
EXPORT_SYMBOL_GPL(zsx_huge_class_size);

unsigned int zsx_lookup_class_index(struct zsx_pool *pool, unsigned int size)
{
	int idx = zsx_core_pool_class_index(pool->core, size);

	return idx < 0 ? 0 : idx;
}
EXPORT_SYMBOL_GPL(zsx_lookup_class_index);

#ifdef ZSX_TEST_BUILD
/* the test build's accessors (kunit/zsx_test.h, exported by zsx_test_exports.c) */
struct zsx_core_pool *zsx_pool_core(struct zsx_pool *pool)
{
	return pool->core;
}

int zsx_pool_policy(struct zsx_pool *pool)
{
	return pool->policy;
}
#endif

/*
 * A CPU is coming up (or a pool is added while it is up): the pool's ring
 * for it gets its memory, on the CPU's node (kept when the CPU goes down
 * again: its handles may still wait there). A failure keeps the CPU down
 * rather than leave a pool without its ring.
 */
static int zsx_cpu_prepare(unsigned int cpu, struct hlist_node *node)
{
	struct zsx_pool *pool = hlist_entry(node, struct zsx_pool, cpuhp_node);
	int ret = zsx_core_deferred_cpu_prepare(pool->core, cpu);

	if (ret)
		pr_warn("pool %s: no memory for CPU %u's deferred-free ring: %d\n", pool->name,
			cpu, ret);
	return ret;
}

/* a CPU is dead: no producer runs there any more, its parked handles go to the drainer */
static int zsx_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct zsx_pool *pool = hlist_entry(node, struct zsx_pool, cpuhp_node);

	zsx_core_deferred_cpu_dead(pool->core, cpu);
	return 0;
}

int zsx_api_init(void)
{
	int ret = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN, "zsx:prepare", zsx_cpu_prepare,
					  zsx_cpu_dead);

	if (ret < 0)
		return ret;
	zsx_cpuhp_state = ret;
	zsx_debugfs_root = debugfs_create_dir("zsx", NULL);
	if (IS_ERR(zsx_debugfs_root))
		zsx_debugfs_root = NULL;
#ifdef ZSX_TEST_BUILD
	/* every pool's data pages as the page allocator sees them, beside the pools' counts */
	if (zsx_debugfs_root)
		debugfs_create_file("pages_held", 0444, zsx_debugfs_root, NULL,
				    &zsx_pages_held_fops);
#endif
	return 0;
}

void zsx_api_exit(void)
{
	cpuhp_remove_multi_state(zsx_cpuhp_state);
	debugfs_remove_recursive(zsx_debugfs_root);
}
