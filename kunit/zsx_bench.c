// SPDX-License-Identifier: GPL-2.0
/*
 * zsx_bench: in-kernel malloc/free throughput, free latency and density of
 * zsx (each free policy, with and without deferred freeing) beside the
 * kernel's own zsmalloc, in the same boot, with the same objects.
 *
 * debugfs /sys/kernel/debug/zsx_bench/:
 *   sample  (write) any data; every PAGE_SIZE chunk that is not same-filled is
 *           compressed with lzo-rle and its compressed size (PAGE_SIZE if it
 *           does not shrink, as zram stores it) joins the object-size mix
 *   run     (write) "CONFIG THREADS OBJECTS": THREADS kthreads, one pinned per
 *           CPU, each zs_malloc()s OBJECTS objects of the mix, then (after a
 *           barrier) frees them all. CONFIG is zsmalloc | base | classidx |
 *           unlocked | deferred (unlocked + per-CPU deferred) | base4 (base
 *           at the kernel zsmalloc's chain of 4 pages)
 *   insns   (write) "CONFIG OBJECTS": counting mode, one thread (the writer):
 *           retired instructions per zs_malloc/zs_free, per zsx_malloc, per
 *           synchronous zsx_free, per zsx_free_deferred enqueue and per handle
 *           the deferred drain frees (see "counting mode" below). Exact under
 *           QEMU -icount on arm64, where the PMU's INST_RETIRED is QEMU's count.
 *           "calibrate ITERATIONS": count a known asm loop (2 instructions per
 *           iteration) to prove the counter exact before trusting it.
 *   window  (write) "open": start counting retired instructions on every
 *           online CPU, user and kernel, whatever runs there (the counters
 *           perf stat -a -e instructions opens); "close": wait for every
 *           pending RCU callback (rcu_barrier()), read and release them.
 *           result: "window insns=N cpus=C mux=0|1". A system-wide window
 *           around a userspace workload: its softirq, worker and RCU work
 *           count. -EBUSY to open an open window or close a closed one.
 *   sizes   (read) the object-size mix, one size per line; (write) sizes in
 *           that form ('#' lines are comments) appended to the mix: a mix
 *           saved once and loaded again keeps the input of the counting mode
 *           the same across builds (qemu/guest/icount.mix)
 *   result  (read) one line of key=value pairs: the last run's figures
 * Errors: -EINVAL for an unknown config or out-of-range numbers, -ENODATA
 * without a sample, -ENOMEM when objects cannot be stored (nothing leaks),
 * for insns whatever perf_event_create_kernel_counter() returned (no PMU:
 * x86_64 under TCG has none) with result "error=... reason".
 */
#include <linux/completion.h>
#include <linux/crypto.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/zsmalloc.h>
#include "zsx_test.h"
#include "core.h"

#define BENCH_MAX_SIZES 65536
#define BENCH_LAT_EVERY 8 /* free latency is sampled on every 8th call */

enum bench_kind { BK_ZSMALLOC, BK_ZSX };

struct bench_config {
	const char *name;
	enum bench_kind kind;
	int policy, deferred;
	unsigned int chain;
};

static const struct bench_config bench_configs[] = {
	{ "zsmalloc", BK_ZSMALLOC, 0, 0, 0 },
	{ "base", BK_ZSX, ZSX_FREE_BASE, ZSX_DEFERRED_OFF, 8 },
	{ "classidx", BK_ZSX, ZSX_FREE_CLASSIDX, ZSX_DEFERRED_OFF, 8 },
	{ "unlocked", BK_ZSX, ZSX_FREE_CLASSIDX_UNLOCKED, ZSX_DEFERRED_OFF, 8 },
	{ "deferred", BK_ZSX, ZSX_FREE_CLASSIDX_UNLOCKED, ZSX_DEFERRED_PERCPU, 8 },
	{ "base4", BK_ZSX, ZSX_FREE_BASE, ZSX_DEFERRED_OFF, 4 },
};

static DEFINE_MUTEX(bench_lock);
static struct dentry *bench_dir;
static u16 *bench_sizes;
static unsigned int bench_nr_sizes;
static char bench_result[512];

struct bench_run;

struct bench_thread {
	struct bench_run *run;
	struct task_struct *task;
	unsigned int id;
	unsigned long *handles;
	u32 *lat; /* sampled free latencies, ns */
	unsigned int nr_lat;
	u64 malloc_ns, free_ns;
	int err;
};

struct bench_run {
	const struct bench_config *cfg;
	struct zs_pool *zs;
	struct zsx_pool *zsx;
	unsigned int threads, objects;
	atomic_t arrived; /* barrier between the phases */
	atomic_t phase; /* 0 wait, 1 malloc, 2 free */
	atomic_t done;
	struct completion all_done;
};

static unsigned long bench_alloc(struct bench_run *r, size_t size)
{
	const gfp_t gfp = GFP_NOIO | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE;

	if (r->cfg->kind == BK_ZSMALLOC)
		return zsx_zs_malloc(r->zs, size, gfp);
	return zsx_malloc(r->zsx, size, gfp, NUMA_NO_NODE);
}

static void bench_free(struct bench_run *r, unsigned long h)
{
	if (r->cfg->kind == BK_ZSMALLOC)
		zs_free(r->zs, h);
	else if (r->cfg->deferred == ZSX_DEFERRED_PERCPU)
		zsx_free_deferred(r->zsx, h);
	else
		zsx_free(r->zsx, h);
}

/* every thread arrives, the last one opens the next phase */
static void bench_barrier(struct bench_run *r, int next_phase)
{
	if (atomic_inc_return(&r->arrived) == r->threads * next_phase)
		atomic_set(&r->phase, next_phase);
	while (atomic_read(&r->phase) < next_phase)
		cond_resched();
}

static int bench_thread_fn(void *arg)
{
	struct bench_thread *t = arg;
	struct bench_run *r = t->run;
	unsigned int i, base = t->id * r->objects;
	u64 t0;

	bench_barrier(r, 1);
	t0 = ktime_get_ns();
	for (i = 0; i < r->objects; i++) {
		unsigned long h = bench_alloc(r, bench_sizes[(base + i) % bench_nr_sizes]);

		if (IS_ERR_VALUE(h) || !h) {
			t->err = -ENOMEM;
			break;
		}
		t->handles[i] = h;
		if ((i & 255) == 255)
			cond_resched();
	}
	t->malloc_ns = ktime_get_ns() - t0;

	bench_barrier(r, 2);
	t0 = ktime_get_ns();
	for (i = 0; i < r->objects; i++) {
		unsigned long h = t->handles[i];

		if (!h)
			break;
		if (i % BENCH_LAT_EVERY == 0) {
			u64 s = ktime_get_ns();

			bench_free(r, h);
			t->lat[t->nr_lat++] = (u32)min_t(u64, ktime_get_ns() - s, U32_MAX);
		} else {
			bench_free(r, h);
		}
		if ((i & 255) == 255)
			cond_resched();
	}
	t->free_ns = ktime_get_ns() - t0;
	/* every stored handle is freed: none may be freed again by the cleanup */
	memset(t->handles, 0, array_size(r->objects, sizeof(*t->handles)));
	if (atomic_inc_return(&r->done) == r->threads)
		complete(&r->all_done);
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static unsigned long bench_pool_pages(struct bench_run *r)
{
	return r->cfg->kind == BK_ZSMALLOC ? zs_get_total_pages(r->zs) :
					     zsx_get_total_pages(r->zsx);
}

static int bench_run(const struct bench_config *cfg, unsigned int threads, unsigned int objects)
{
	struct zsx_pool_opts opts = { .chain = cfg->chain,
				      .free_policy = cfg->policy,
				      .deferred = cfg->deferred };
	struct zsx_core_deferred_stats dst = {};
	struct bench_thread *th;
	struct bench_run r = { .cfg = cfg, .threads = threads, .objects = objects };
	u64 malloc_ns = 0, free_ns = 0, flush_ns = 0, t0;
	unsigned long pages_full = 0, pages_after, nr_lat = 0, stored = 0;
	u32 *lat = NULL;
	unsigned int i, cpu;
	int err = 0;

	th = kcalloc(threads, sizeof(*th), GFP_KERNEL);
	if (!th)
		return -ENOMEM;
	init_completion(&r.all_done);
	if (cfg->kind == BK_ZSMALLOC)
		r.zs = zs_create_pool("zsx_bench");
	else
		r.zsx = zsx_create_pool_opts("zsx_bench", &opts);
	if (!r.zs && !r.zsx) {
		err = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < threads; i++) {
		th[i].run = &r;
		th[i].id = i;
		th[i].handles = vzalloc(array_size(objects, sizeof(unsigned long)));
		th[i].lat = vzalloc(array_size(objects / BENCH_LAT_EVERY + 1, sizeof(u32)));
		if (!th[i].handles || !th[i].lat) {
			err = -ENOMEM;
			goto out_pool;
		}
	}
	/* one kthread pinned on each of the first THREADS online CPUs */
	i = 0;
	for_each_online_cpu(cpu) {
		if (i == threads)
			break;
		th[i].task = kthread_create(bench_thread_fn, &th[i], "zsx_bench/%u", i);
		if (IS_ERR(th[i].task)) {
			err = PTR_ERR(th[i].task);
			th[i].task = NULL;
			break;
		}
		kthread_bind(th[i].task, cpu);
		i++;
	}
	if (err || i < threads) {
		/* never woken: stop them before they run */
		for (i = 0; i < threads; i++)
			if (th[i].task)
				kthread_stop(th[i].task);
		err = err ?: -EINVAL;
		goto out_pool;
	}
	for (i = 0; i < threads; i++)
		wake_up_process(th[i].task);
	wait_for_completion(&r.all_done);

	for (i = 0; i < threads; i++) {
		malloc_ns = max(malloc_ns, th[i].malloc_ns);
		free_ns = max(free_ns, th[i].free_ns);
		nr_lat += th[i].nr_lat;
		if (th[i].err)
			err = th[i].err;
	}
	t0 = ktime_get_ns();
	if (r.zsx)
		zsx_free_deferred_flush(r.zsx);
	flush_ns = ktime_get_ns() - t0;
	if (r.zsx) /* a fresh pool: the totals are this run's */
		zsx_core_deferred_stats(zsx_pool_core(r.zsx), &dst);
	pages_after = bench_pool_pages(&r);

	/* density: the same objects stored once more, single-threaded, then counted */
	for (i = 0; i < threads && !err; i++) {
		unsigned int j, base = i * objects;

		for (j = 0; j < objects; j++) {
			unsigned long h = bench_alloc(&r, bench_sizes[(base + j) % bench_nr_sizes]);

			if (IS_ERR_VALUE(h) || !h) {
				err = -ENOMEM;
				break;
			}
			th[i].handles[j] = h;
			stored += bench_sizes[(base + j) % bench_nr_sizes];
		}
	}
	pages_full = bench_pool_pages(&r); /* out_pool frees these objects */

	lat = vmalloc(array_size(nr_lat + 1, sizeof(u32)));
	if (lat && !err) {
		unsigned long k = 0;

		for (i = 0; i < threads; i++) {
			memcpy(lat + k, th[i].lat, th[i].nr_lat * sizeof(u32));
			k += th[i].nr_lat;
		}
		sort(lat, nr_lat, sizeof(u32), cmp_u32, NULL);
		snprintf(bench_result, sizeof(bench_result),
			 "config=%s threads=%u objects=%u malloc_kops=%llu free_kops=%llu free_p50_ns=%u free_p99_ns=%u free_max_ns=%u flush_us=%llu drain_us=%lu drained=%lu fallbacks=%lu pages=%lu stored_kib=%lu pages_left_after_free=%lu\n",
			 cfg->name, threads, objects,
			 div64_u64((u64)threads * objects * 1000000ull, max_t(u64, malloc_ns, 1)),
			 div64_u64((u64)threads * objects * 1000000ull, max_t(u64, free_ns, 1)),
			 lat[nr_lat / 2], lat[nr_lat * 99 / 100], lat[nr_lat - 1], flush_ns / 1000,
			 dst.drain_ns / 1000, dst.drained, dst.fallbacks, pages_full, stored >> 10,
			 pages_after);
	} else if (!err) {
		err = -ENOMEM;
	}
	vfree(lat);
out_pool:
	/* whatever is still stored (the density set, or what a failed run left) */
	for (i = 0; i < threads; i++) {
		unsigned int j;

		for (j = 0; th[i].handles && j < objects && th[i].handles[j]; j++) {
			if (r.zs)
				zs_free(r.zs, th[i].handles[j]);
			else
				zsx_free(r.zsx, th[i].handles[j]);
		}
		vfree(th[i].handles);
		vfree(th[i].lat);
	}
	if (r.zs)
		zs_destroy_pool(r.zs);
	if (r.zsx)
		zsx_destroy_pool(r.zsx);
out_free:
	kfree(th);
	return err;
}

/* ---- counting mode: exact instructions per operation ---------------------
 *
 * A kernel perf counter of retired instructions (PERF_TYPE_HARDWARE /
 * PERF_COUNT_HW_INSTRUCTIONS) on every online CPU, summed: system-wide, so the
 * work an operation hands to softirq (RCU callbacks freeing zspage metadata),
 * to the deferred drain worker or to another CPU is counted too. The counters
 * are read around each phase ("window"); the writer's thread runs every phase,
 * one operation after the other, nothing else is asked of the machine.
 *
 * Per configuration (a fresh pool each time, the same object-size mix):
 *   malloc       N zs_malloc/zsx_malloc calls, sizes from the mix
 *   free         N synchronous frees (zs_free / zsx_free) + rcu_barrier(),
 *                so the RCU callbacks the frees queued run inside the window
 *   enqueue      N zsx_free_deferred calls (deferred config); nothing in the
 *                loop sleeps, so the drain worker cannot run inside it
 *   drain        zsx_free_deferred_flush() (the worker frees every parked
 *                handle) + rcu_barrier()
 * Baselines, subtracted by the reader (scripts/bench-report.py): the same
 * malloc and free loops with the allocator call skipped (a runtime flag, so
 * the loop code is the same: the harness's loads, stores, compares and
 * branches, 4 (free) to 11 (malloc) per iteration, are not billed to it;
 * the call instruction itself and its argument set-up are), the same
 * rcu_barrier() with no callback pending, and a flush with nothing parked.
 * What stays in every figure: the timer ticks that fall in the window (one
 * per 4 ms of virtual time at 1 instruction per ns) and the grace period the
 * frees' RCU callbacks wait for.
 */
struct ic_run {
	const struct bench_config *cfg;
	struct zs_pool *zs;
	struct zsx_pool *zsx;
	unsigned int n;
	u16 *sizes;
	unsigned long *handles;
	unsigned long *sink; /* the dry malloc loop's stores */
	struct perf_event **ev; /* per CPU, NULL where offline */
	bool mux; /* a counter did not count the whole window */
};

static int ic_open(struct ic_run *r, char *why, size_t len)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_INSTRUCTIONS,
		.size = sizeof(attr),
		.pinned = 1,
	};
	unsigned int cpu;

	r->ev = kcalloc(nr_cpu_ids, sizeof(*r->ev), GFP_KERNEL);
	if (!r->ev)
		return -ENOMEM;
	for_each_online_cpu(cpu) {
		struct perf_event *ev =
			perf_event_create_kernel_counter(&attr, cpu, NULL, NULL, NULL);

		if (IS_ERR(ev)) {
			snprintf(why, len, "error=%ld no_instruction_counter_on_cpu%u\n",
				 PTR_ERR(ev), cpu);
			return PTR_ERR(ev);
		}
		r->ev[cpu] = ev;
	}
	return 0;
}

static void ic_close(struct ic_run *r)
{
	unsigned int cpu;

	for (cpu = 0; r->ev && cpu < nr_cpu_ids; cpu++)
		if (r->ev[cpu])
			perf_event_release_kernel(r->ev[cpu]);
	kfree(r->ev);
	r->ev = NULL;
}

struct ic_read_arg {
	struct perf_event *ev;
	u64 val;
	bool active;
};

/* on the counter's CPU with IRQs off: what perf_event_read_local() does (not exported) */
static void ic_read_here(void *arg)
{
	struct ic_read_arg *a = arg;

	a->active = a->ev->state == PERF_EVENT_STATE_ACTIVE && a->ev->oncpu == smp_processor_id();
	if (a->active)
		a->ev->pmu->read(a->ev);
	a->val = local64_read(&a->ev->count);
}

/*
 * The sum over CPUs. Never sleeps (perf_event_read_value() takes a mutex, and
 * on a PREEMPT_VOLUNTARY kernel its might_sleep() is a scheduling point: the
 * drain worker a deferred enqueue kicked would run inside the enqueue window).
 */
static u64 ic_read(struct ic_run *r)
{
	unsigned int cpu, this = get_cpu();
	unsigned long flags;
	u64 sum = 0;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct ic_read_arg a = { .ev = r->ev[cpu] };

		if (!a.ev)
			continue;
		if (cpu == this) {
			local_irq_save(flags);
			ic_read_here(&a);
			local_irq_restore(flags);
		} else if (smp_call_function_single(cpu, ic_read_here, &a, 1)) {
			a.active = false;
		}
		if (!a.active)
			r->mux = true;
		sum += a.val;
	}
	put_cpu();
	return sum;
}

static unsigned long ic_pool_pages(struct ic_run *r)
{
	return r->zs ? zs_get_total_pages(r->zs) : zsx_get_total_pages(r->zsx);
}

static noinline int ic_malloc_loop(struct ic_run *r, bool dry)
{
	const gfp_t gfp = GFP_NOIO | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE;
	unsigned long *out = dry ? r->sink : r->handles;
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		unsigned long h;

		if (dry)
			h = r->sizes[i] | 1;
		else if (r->zs)
			h = zsx_zs_malloc(r->zs, r->sizes[i], gfp);
		else
			h = zsx_malloc(r->zsx, r->sizes[i], gfp, NUMA_NO_NODE);
		if (IS_ERR_VALUE(h) || !h)
			return -ENOMEM;
		out[i] = h;
	}
	return 0;
}

static noinline void ic_free_loop(struct ic_run *r, bool dry)
{
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		unsigned long h = r->handles[i];

		if (dry)
			OPTIMIZER_HIDE_VAR(h);
		else if (r->zs)
			zs_free(r->zs, h);
		else if (r->cfg->deferred == ZSX_DEFERRED_PERCPU)
			zsx_free_deferred(r->zsx, h);
		else
			zsx_free(r->zsx, h);
	}
}

/* between windows: nothing queued by one phase may run in the next one's window */
static void ic_settle(struct ic_run *r)
{
	if (r->zsx)
		zsx_free_deferred_flush(r->zsx);
	rcu_barrier();
}

enum ic_what { IC_MALLOC, IC_MALLOC_DRY, IC_FREE, IC_FREE_DRY, IC_DRAIN };

static u64 ic_window(struct ic_run *r, enum ic_what what, int *err)
{
	bool sync = r->zs || r->cfg->deferred != ZSX_DEFERRED_PERCPU;
	u64 c0;

	ic_settle(r);
	c0 = ic_read(r);
	switch (what) {
	case IC_MALLOC:
	case IC_MALLOC_DRY:
		*err = ic_malloc_loop(r, what == IC_MALLOC_DRY);
		break;
	case IC_FREE:
	case IC_FREE_DRY:
		ic_free_loop(r, what == IC_FREE_DRY);
		if (sync) /* the frees' RCU callbacks run in this window */
			rcu_barrier();
		break;
	case IC_DRAIN:
		if (r->zsx)
			zsx_free_deferred_flush(r->zsx);
		rcu_barrier();
		break;
	}
	return ic_read(r) - c0;
}

static int ic_run(const struct bench_config *cfg, unsigned int n)
{
	/*
	 * a ring with room for all n handles: every deferred free parks (one vCPU:
	 * nothing drains during the enqueue loop), none falls back
	 */
	struct zsx_pool_opts opts = { .chain = cfg->chain,
				      .free_policy = cfg->policy,
				      .deferred = cfg->deferred,
				      .deferred_per_cpu = n };
	struct zsx_core_deferred_stats d0 = {}, d1 = {};
	struct ic_run r = { .cfg = cfg, .n = n };
	u64 malloc_base, malloc_w, free_base = 0, free_w = 0, drain_base = 0, drain_w = 0;
	bool deferred = cfg->kind == BK_ZSX && cfg->deferred == ZSX_DEFERRED_PERCPU;
	unsigned long pages_full = 0, pages_left;
	unsigned int i, online = num_online_cpus();
	int err;

	bench_result[0] = 0;
	err = ic_open(&r, bench_result, sizeof(bench_result));
	if (err)
		goto out;
	r.sizes = vmalloc(array_size(n, sizeof(*r.sizes)));
	r.handles = vzalloc(array_size(n, sizeof(*r.handles)));
	r.sink = vzalloc(array_size(n, sizeof(*r.sink)));
	if (cfg->kind == BK_ZSMALLOC)
		r.zs = zs_create_pool("zsx_bench_insns");
	else
		r.zsx = zsx_create_pool_opts("zsx_bench_insns", &opts);
	if (!r.sizes || !r.handles || !r.sink || (!r.zs && !r.zsx)) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		r.sizes[i] = bench_sizes[i % bench_nr_sizes];

	malloc_base = ic_window(&r, IC_MALLOC_DRY, &err);
	malloc_w = ic_window(&r, IC_MALLOC, &err);
	if (err)
		goto out;
	pages_full = ic_pool_pages(&r);
	if (deferred) {
		zsx_core_deferred_stats(zsx_pool_core(r.zsx), &d0);
		drain_base = ic_window(&r, IC_DRAIN, &err); /* nothing parked yet */
	}
	free_base = ic_window(&r, IC_FREE_DRY, &err);
	if (deferred) {
		/*
		 * Enqueue, then drain: one counter read ends the first window and
		 * opens the second, and nothing between the two sleeps, so every
		 * handle the enqueue loop parked is freed in the drain window.
		 */
		u64 c0, c1;

		ic_settle(&r);
		c0 = ic_read(&r);
		ic_free_loop(&r, false);
		c1 = ic_read(&r);
		zsx_free_deferred_flush(r.zsx);
		rcu_barrier();
		drain_w = ic_read(&r) - c1;
		free_w = c1 - c0;
		zsx_core_deferred_stats(zsx_pool_core(r.zsx), &d1);
	} else {
		free_w = ic_window(&r, IC_FREE, &err);
	}
	/* every stored handle is freed: none may be freed again by the cleanup */
	memset(r.handles, 0, array_size(n, sizeof(*r.handles)));
	ic_settle(&r);
	pages_left = ic_pool_pages(&r);
	if (num_online_cpus() != online)
		r.mux = true; /* a CPU came or went: its counter is missing or stale */
	if (deferred)
		snprintf(bench_result, sizeof(bench_result),
			 "config=%s objects=%u cpus=%u malloc=%llu malloc_base=%llu enqueue=%llu enqueue_base=%llu drain=%llu drain_base=%llu drained=%lu fallbacks=%lu enqueued=%lu pages=%lu pages_left_after_free=%lu mux=%d\n",
			 cfg->name, n, online, malloc_w, malloc_base, free_w, free_base, drain_w,
			 drain_base, d1.drained - d0.drained, d1.fallbacks - d0.fallbacks,
			 d1.enqueued - d0.enqueued, pages_full, pages_left, r.mux);
	else
		snprintf(bench_result, sizeof(bench_result),
			 "config=%s objects=%u cpus=%u malloc=%llu malloc_base=%llu free=%llu free_base=%llu pages=%lu pages_left_after_free=%lu mux=%d\n",
			 cfg->name, n, online, malloc_w, malloc_base, free_w, free_base, pages_full,
			 pages_left, r.mux);
out:
	if (err && !bench_result[0])
		snprintf(bench_result, sizeof(bench_result), "error=%d config=%s\n", err,
			 cfg->name);
	if (r.handles) {
		for (i = 0; i < n && r.handles[i]; i++) {
			if (r.zs)
				zs_free(r.zs, r.handles[i]);
			else
				zsx_free(r.zsx, r.handles[i]);
		}
	}
	if (r.zs)
		zs_destroy_pool(r.zs);
	if (r.zsx)
		zsx_destroy_pool(r.zsx);
	vfree(r.sizes);
	vfree(r.handles);
	vfree(r.sink);
	ic_close(&r);
	return err;
}

/* a loop of exactly 2 instructions per iteration */
static noinline void ic_known_loop(unsigned long iters)
{
#if defined(CONFIG_ARM64)
	asm volatile("1:	subs	%0, %0, #1\n\tb.ne	1b" : "+r"(iters) : : "cc");
#elif defined(CONFIG_X86_64)
	asm volatile("1:	dec	%0\n\tjnz	1b" : "+r"(iters) : : "cc");
#else
	while (--iters)
		barrier();
#endif
}

/* the loop with interrupts held off: the counter is checked, not the tick */
static noinline void ic_known_loop_irqs_off(unsigned long iters)
{
	unsigned long flags;

	local_irq_save(flags);
	ic_known_loop(iters);
	local_irq_restore(flags);
}

static int ic_calibrate(unsigned long iters)
{
	struct ic_run r = {};
	u64 c0, w1, wn;
	s64 counted = S64_MAX;
	int err = ic_open(&r, bench_result, sizeof(bench_result)), i;

	/*
	 * The window's fixed cost (reading the counters, the calls) cancels out.
	 * The system-wide count can only add to the loop (interrupt work that
	 * fell due during it runs right after it): the least of three windows.
	 */
	for (i = 0; !err && i < 3; i++) {
		c0 = ic_read(&r);
		ic_known_loop_irqs_off(1);
		w1 = ic_read(&r) - c0;
		c0 = ic_read(&r);
		ic_known_loop_irqs_off(iters);
		wn = ic_read(&r) - c0;
		counted = min_t(s64, counted, (s64)(wn - w1));
	}
	if (!err)
		snprintf(bench_result, sizeof(bench_result),
			 "calibrate iterations=%lu expected=%lu counted=%lld window_fixed=%llu cpus=%u mux=%d\n",
			 iters, 2 * (iters - 1), counted, w1, num_online_cpus(), r.mux);
	ic_close(&r);
	return err;
}

/* a debugfs command line into buf (NUL-terminated): -EINVAL if it does not fit */
static int bench_copy_cmd(char *buf, size_t size, const char __user *ubuf, size_t len)
{
	if (len >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	return 0;
}

/* the system-wide window: counters open between a "open" and a "close" write */
static struct ic_run bench_window;
static u64 bench_window_start;

static int bench_window_open(void)
{
	int err;

	if (bench_window.ev)
		return -EBUSY;
	bench_result[0] = 0;
	bench_window.mux = false;
	err = ic_open(&bench_window, bench_result, sizeof(bench_result));
	if (err) {
		ic_close(&bench_window);
		return err;
	}
	bench_window_start = ic_read(&bench_window);
	return 0;
}

static int bench_window_close(void)
{
	u64 insns;

	if (!bench_window.ev)
		return -EBUSY;
	rcu_barrier(); /* the callbacks the window's frees queued count in it */
	insns = ic_read(&bench_window) - bench_window_start;
	snprintf(bench_result, sizeof(bench_result), "window insns=%llu cpus=%u mux=%d\n", insns,
		 num_online_cpus(), bench_window.mux);
	ic_close(&bench_window);
	return 0;
}

static ssize_t window_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	char buf[16];
	int err = bench_copy_cmd(buf, sizeof(buf), ubuf, len);

	if (err)
		return err;
	mutex_lock(&bench_lock);
	if (sysfs_streq(buf, "open"))
		err = bench_window_open();
	else if (sysfs_streq(buf, "close"))
		err = bench_window_close();
	else
		err = -EINVAL;
	mutex_unlock(&bench_lock);
	return err ?: len;
}

static ssize_t insns_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	char buf[64], name[16];
	unsigned long n;
	unsigned int i;
	int err = -EINVAL;

	err = bench_copy_cmd(buf, sizeof(buf), ubuf, len);
	if (err)
		return err;
	err = -EINVAL;
	if (sscanf(buf, "%15s %lu", name, &n) != 2 || n < 2 || n > 1000000000)
		return -EINVAL;
	mutex_lock(&bench_lock);
	if (!strcmp(name, "calibrate")) {
		err = ic_calibrate(n);
		goto out;
	}
	if (n > 4000000)
		goto out; /* -EINVAL: objects */
	if (!bench_nr_sizes) {
		err = -ENODATA;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(bench_configs); i++)
		if (!strcmp(name, bench_configs[i].name))
			err = ic_run(&bench_configs[i], n);
out:
	mutex_unlock(&bench_lock);
	return err ?: len;
}

static ssize_t run_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	char buf[64], name[16];
	unsigned int threads, objects, i;
	int err = -EINVAL;

	err = bench_copy_cmd(buf, sizeof(buf), ubuf, len);
	if (err)
		return err;
	err = -EINVAL;
	if (sscanf(buf, "%15s %u %u", name, &threads, &objects) != 3)
		return -EINVAL;
	if (!threads || threads > num_online_cpus() || !objects || objects > 4000000)
		return -EINVAL;
	mutex_lock(&bench_lock);
	if (!bench_nr_sizes) {
		err = -ENODATA;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(bench_configs); i++)
		if (!strcmp(name, bench_configs[i].name))
			err = bench_run(&bench_configs[i], threads, objects);
out:
	mutex_unlock(&bench_lock);
	return err ?: len;
}

static bool same_filled(const void *p)
{
	const unsigned long *w = p;
	unsigned int i;

	for (i = 1; i < PAGE_SIZE / sizeof(*w); i++)
		if (w[i] != w[0])
			return false;
	return true;
}

static ssize_t sample_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	struct zsx_tfm tfm = {};
	size_t done = 0;
	void *src, *dst;
	int err = 0;

	err = zsx_tfm_alloc(&tfm, "lzo-rle");
	if (err) {
		zsx_tfm_free(&tfm);
		return err;
	}
	src = kmalloc(PAGE_SIZE, GFP_KERNEL);
	dst = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
	if (!src || !dst) {
		err = -ENOMEM;
		goto out;
	}
	mutex_lock(&bench_lock);
	/* whole pages only; a trailing partial page is left to the next write */
	while (len - done >= PAGE_SIZE && bench_nr_sizes < BENCH_MAX_SIZES) {
		unsigned int dlen = 2 * PAGE_SIZE;

		if (copy_from_user(src, ubuf + done, PAGE_SIZE)) {
			err = -EFAULT;
			break;
		}
		done += PAGE_SIZE;
		if (same_filled(src))
			continue;
		if (zsx_tfm_compress(&tfm, src, PAGE_SIZE, dst, &dlen))
			dlen = PAGE_SIZE;
		bench_sizes[bench_nr_sizes++] = min_t(unsigned int, dlen, PAGE_SIZE);
	}
	if (bench_nr_sizes == BENCH_MAX_SIZES)
		done = len; /* the mix is full: take (and ignore) the rest */
	mutex_unlock(&bench_lock);
out:
	kfree(src);
	kfree(dst);
	zsx_tfm_free(&tfm);
	if (err)
		return err;
	return done ?: (len < PAGE_SIZE ? len : -EINVAL);
}

static ssize_t result_read(struct file *f, char __user *ubuf, size_t len, loff_t *pos)
{
	ssize_t ret;

	mutex_lock(&bench_lock);
	ret = simple_read_from_buffer(ubuf, len, pos, bench_result, strlen(bench_result));
	mutex_unlock(&bench_lock);
	return ret;
}

/* "sizes=N mean_bytes=B" */
static ssize_t mix_read(struct file *f, char __user *ubuf, size_t len, loff_t *pos)
{
	unsigned long sum = 0;
	unsigned int i;
	char buf[64];

	mutex_lock(&bench_lock);
	for (i = 0; i < bench_nr_sizes; i++)
		sum += bench_sizes[i];
	snprintf(buf, sizeof(buf), "sizes=%u mean_bytes=%lu\n", bench_nr_sizes,
		 bench_nr_sizes ? sum / bench_nr_sizes : 0);
	mutex_unlock(&bench_lock);
	return simple_read_from_buffer(ubuf, len, pos, buf, strlen(buf));
}

static int sizes_show(struct seq_file *m, void *v)
{
	unsigned int i;

	mutex_lock(&bench_lock);
	for (i = 0; i < bench_nr_sizes; i++)
		seq_printf(m, "%u\n", bench_sizes[i]);
	mutex_unlock(&bench_lock);
	return 0;
}

static int sizes_open(struct inode *inode, struct file *f)
{
	return single_open(f, sizes_show, NULL);
}

/* whole lines only: a line cut by the end of this write is left to the next one */
static ssize_t sizes_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	char *buf, *p, *line, *end;
	ssize_t used;
	int err = 0;

	buf = memdup_user_nul(ubuf, min_t(size_t, len, PAGE_SIZE));
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	end = strrchr(buf, '\n');
	if (!end) {
		kfree(buf);
		return -EINVAL; /* no complete line */
	}
	*end = 0;
	used = end - buf + 1;
	p = buf;
	mutex_lock(&bench_lock);
	while ((line = strsep(&p, "\n"))) {
		unsigned int v;

		line = strim(line);
		if (!*line || *line == '#')
			continue;
		if (kstrtouint(line, 10, &v) || !v || v > PAGE_SIZE) {
			err = -EINVAL;
			break;
		}
		if (bench_nr_sizes == BENCH_MAX_SIZES) {
			err = -ENOSPC;
			break;
		}
		bench_sizes[bench_nr_sizes++] = v;
	}
	mutex_unlock(&bench_lock);
	kfree(buf);
	return err ?: used;
}

static const struct file_operations run_fops = { .owner = THIS_MODULE, .write = run_write };
static const struct file_operations sizes_fops = {
	.owner = THIS_MODULE,
	.open = sizes_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = sizes_write,
};

static const struct file_operations insns_fops = { .owner = THIS_MODULE, .write = insns_write };
static const struct file_operations window_fops = { .owner = THIS_MODULE, .write = window_write };
static const struct file_operations sample_fops = { .owner = THIS_MODULE, .write = sample_write };
static const struct file_operations result_fops = { .owner = THIS_MODULE, .read = result_read };
static const struct file_operations mix_fops = { .owner = THIS_MODULE, .read = mix_read };

static int __init zsx_bench_init(void)
{
	bench_sizes = vmalloc(array_size(BENCH_MAX_SIZES, sizeof(*bench_sizes)));
	if (!bench_sizes)
		return -ENOMEM;
	bench_dir = debugfs_create_dir("zsx_bench", NULL);
	debugfs_create_file("run", 0200, bench_dir, NULL, &run_fops);
	debugfs_create_file("insns", 0200, bench_dir, NULL, &insns_fops);
	debugfs_create_file("window", 0200, bench_dir, NULL, &window_fops);
	debugfs_create_file("sample", 0200, bench_dir, NULL, &sample_fops);
	debugfs_create_file("result", 0444, bench_dir, NULL, &result_fops);
	debugfs_create_file("mix", 0444, bench_dir, NULL, &mix_fops);
	debugfs_create_file("sizes", 0644, bench_dir, NULL, &sizes_fops);
	return 0;
}

static void __exit zsx_bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	ic_close(&bench_window);
	vfree(bench_sizes);
}

module_init(zsx_bench_init);
module_exit(zsx_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zsx benchmark: throughput, free latency, density vs the kernel's zsmalloc");
