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
 *   result  (read) one line of key=value pairs: the last run's figures
 * Errors: -EINVAL for an unknown config or out-of-range numbers, -ENODATA
 * without a sample, -ENOMEM when objects cannot be stored (nothing leaks).
 */
#include <linux/completion.h>
#include <linux/crypto.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/zsmalloc.h>
#include "zsx.h"
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
	atomic_t arrived;     /* barrier between the phases */
	atomic_t phase;       /* 0 wait, 1 malloc, 2 free */
	atomic_t done;
	struct completion all_done;
};

static unsigned long bench_alloc(struct bench_run *r, size_t size)
{
	const gfp_t gfp = GFP_NOIO | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE;

	if (r->cfg->kind == BK_ZSMALLOC)
		return zs_malloc(r->zs, size, gfp);
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
	return r->cfg->kind == BK_ZSMALLOC ? zs_get_total_pages(r->zs) : zsx_get_total_pages(r->zsx);
}

static int bench_run(const struct bench_config *cfg, unsigned int threads, unsigned int objects)
{
	struct zsx_pool_opts opts = { .chain = cfg->chain, .free_policy = cfg->policy, .deferred = cfg->deferred };
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
			 dst.drain_ns / 1000, dst.drained, dst.fallbacks,
			 pages_full, stored >> 10, pages_after);
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

static ssize_t run_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	char buf[64], name[16];
	unsigned int threads, objects, i;
	int err = -EINVAL;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
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
	struct crypto_comp *tfm;
	size_t done = 0;
	void *src, *dst;
	int err = 0;

	tfm = crypto_alloc_comp("lzo-rle", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
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
		if (crypto_comp_compress(tfm, src, PAGE_SIZE, dst, &dlen))
			dlen = PAGE_SIZE;
		bench_sizes[bench_nr_sizes++] = min_t(unsigned int, dlen, PAGE_SIZE);
	}
	if (bench_nr_sizes == BENCH_MAX_SIZES)
		done = len; /* the mix is full: take (and ignore) the rest */
	mutex_unlock(&bench_lock);
out:
	kfree(src);
	kfree(dst);
	crypto_free_comp(tfm);
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

static const struct file_operations run_fops = { .owner = THIS_MODULE, .write = run_write };
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
	debugfs_create_file("sample", 0200, bench_dir, NULL, &sample_fops);
	debugfs_create_file("result", 0444, bench_dir, NULL, &result_fops);
	debugfs_create_file("mix", 0444, bench_dir, NULL, &mix_fops);
	return 0;
}

static void __exit zsx_bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	vfree(bench_sizes);
}

module_init(zsx_bench_init);
module_exit(zsx_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zsx benchmark: malloc/free throughput, free latency, density vs the kernel's zsmalloc");
